"""`sizno fit FILE`: fit the half-cell model's free parameters to a user's cycler file.

Mounted by the main CLI through ``register(app)`` (see ``_mount_subapps`` in sizno/cli.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Optional

import typer
from rich.table import Table

from sizno.clitools import ForceOption, JsonOption, console, err_console, output_file, progress, write_json
from sizno.errors import SiznoInputError
from sizno.models.mesh import DEFAULT_MESH_POINTS


def _fmt(x: Any, nd: int = 4) -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    return "–" if f != f else f"{f:.{nd}g}"


def plot_fit(result, path: Path) -> Path:
    """Measured (points) and fitted model (lines) voltage vs capacity of every fitted step."""
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sizno.fitting.user_fit import model_steps

    data = result.problem.data
    ms = model_steps(result.best)
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for k, s in enumerate(data.fitted_steps):
        c = f"C{k % 10}"
        ax.plot(1e3 * s.q_Ah, s.V, ".", ms=2, color=c, alpha=0.5)
        q, V = ms.get(s.index, ([], []))
        ax.plot(1e3 * np.asarray(q), V, "-", color=c, lw=1.2, label=f"cycle {s.data_cycle} {s.action}")
    ax.set_xlabel("capacity in the step [mAh]")
    ax.set_ylabel("voltage vs Li+/Li [V]")
    ax.set_title("sizno fit: measured (points), model (lines)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


@dataclass(frozen=True)
class FitFileSettings:
    """How to read the user's file and which part of it to fit (the options of `sizno fit` about the file)."""

    file: Path
    mass_mg: float
    fit_cycles: Optional[str]
    temperature_C: Optional[float]
    counter: str
    lower_cutoff_V: Optional[float]
    upper_cutoff_V: Optional[float]
    current_basis_factor: Optional[float]
    thickness_um: Optional[float]
    electrode_diameter_mm: Optional[float]
    mapping: Optional[Path]


@dataclass(frozen=True)
class FitRunSettings:
    """What to fit and how (the options of `sizno fit` about the fit)."""

    material: str
    parameters: Optional[tuple[str, ...]]
    start: Optional[Path]
    target: str
    mesh_points: int
    max_evaluations: int
    bootstrap: int
    check_jacobian: bool
    voltage_tolerance_mV: float
    capacity_tolerance_percent: float
    grid_points: int

    def model_runs(self, n_parameters: int) -> int:
        """Model runs the fit may take at most (for the progress bar)."""
        return (self.max_evaluations * (n_parameters + 1) + 1 + 2 * n_parameters * self.check_jacobian
                + self.bootstrap * (max(3, self.max_evaluations // 3) * (n_parameters + 1)))


def fit_cmd(
    file: Path = typer.Argument(..., help="Cycler file of a half cell (any format `sizno analyze` reads)."),
    material: str = typer.Option("si-zno4", help="Electrode material of the model: si, si-zno2, si-zno4, si-zno8, or a user composite: zno_wt_pct=12.5 or zinc_acetate_g=0.2,silicon_g=0.5."),
    mass_mg: float = typer.Option(..., "--mass-mg", help="Composite (Si–ZnO) mass of the electrode [mg]."),
    temperature_C: Optional[float] = typer.Option(None, "--temperature-C", help="Cell temperature [degC]; default: the file's ambient column, else 60."),
    fit_cycles: Optional[str] = typer.Option(None, "--fit-cycles", help="Cycles to fit, file numbering, e.g. '1-3' or '1,2,5' (default: the first complete cycle)."),
    parameters: Optional[List[str]] = typer.Option(None, "--parameters", help="Free parameter to fit (repeatable; full name or a unique fragment, e.g. 'trap'); default: all free parameters."),
    target: str = typer.Option("both", help="Residuals: 'curves' (voltage on a normalised-capacity grid per step), 'capacities' (per cycle), or 'both'."),
    counter: str = typer.Option("li", help="What the file's voltage is measured against: 'li' (Li+/Li) or 'li-in' (Li–In counter, shifted by its potential)."),
    start: Optional[Path] = typer.Option(None, help="Parameter TOML to start from (and to take held values from); default: the calibrated set."),
    output: Optional[Path] = typer.Option(None, "--output", help="The fitted parameter set (TOML, accepted by `sizno simulate --parameters`); the PNG goes beside it. Default: a new out/fit-<date>-<time>.toml."),
    force: bool = ForceOption,
    mesh_points: int = typer.Option(DEFAULT_MESH_POINTS, help="Finite-volume cells through the electrode (fewer = faster)."),
    max_evaluations: int = typer.Option(30, help="Least-squares iterations allowed (each costs 1 + n_parameters model runs for the Jacobian)."),
    bootstrap: int = typer.Option(0, help="Residual-bootstrap refits for a second uncertainty estimate (each is a short fit)."),
    check_jacobian: bool = typer.Option(True, help="Recompute the 1-sigma with a wide-step central Jacobian (2 runs per parameter) and flag poorly determined parameters."),
    voltage_tolerance_mV: float = typer.Option(10.0, "--voltage-tolerance-mV", help="Weight: a step's RMS voltage error of this size counts 1."),
    capacity_tolerance_percent: float = typer.Option(1.0, help="Weight: a capacity error of this size counts 1."),
    grid_points: int = typer.Option(40, help="Normalised-capacity grid points per step."),
    lower_cutoff_V: Optional[float] = typer.Option(None, "--lower-cutoff-V", help="Lower cut-off (file's reference); default: from the file."),
    upper_cutoff_V: Optional[float] = typer.Option(None, "--upper-cutoff-V", help="Upper cut-off (file's reference); default: from the file."),
    current_basis_factor: Optional[float] = typer.Option(None, help="Specific-current basis as a fraction of the mass (paper: 0.8); only changes the A/g labels."),
    thickness_um: Optional[float] = typer.Option(None, "--thickness-um", help="Electrode thickness [um]; default 22."),
    electrode_diameter_mm: Optional[float] = typer.Option(None, "--electrode-diameter-mm", help="Electrode diameter [mm]; default 8."),
    mapping: Optional[Path] = typer.Option(None, help="Column mapping TOML for a generic CSV/Excel file."),
    plot: bool = typer.Option(True, help="Write a PNG of measured vs fitted curves beside the output."),
    json_path: Optional[Path] = JsonOption,
):
    """Fit the model's free parameters to a user's voltage curves and capacities; write a parameter file."""
    source = FitFileSettings(file, mass_mg, fit_cycles, temperature_C, counter, lower_cutoff_V, upper_cutoff_V,
                             current_basis_factor, thickness_um, electrode_diameter_mm, mapping)
    how = FitRunSettings(material, tuple(parameters) if parameters else None, start, target, mesh_points, max_evaluations,
                         bootstrap, check_jacobian, voltage_tolerance_mV, capacity_tolerance_percent, grid_points)
    run_fit(source, how, output, force, plot, json_path)


def run_fit(source: FitFileSettings, how: FitRunSettings, output: Optional[Path], force: bool, plot: bool,
            json_path: Optional[Path]) -> None:
    """`sizno fit`: prepare the file, fit, write the parameter file (and PNG, JSON), print the tables."""
    from sizno.fitting.user_fit import fit_user_data, prepare_fit_data, resolve_parameter_names, write_fitted_parameters
    from sizno.models.parameters import load_parameter_set

    if not source.file.exists():
        raise SiznoInputError(str(source.file), "no such file")
    if output is not None and output.suffix.lower() != ".toml":
        raise SiznoInputError("--output", f"'{output}' is not a .toml file", "a path ending in .toml")
    output = output_file(output, "fit", ".toml", force, companions=(".png",) if plot else ())
    pset = load_parameter_set(how.start)
    names = resolve_parameter_names(list(how.parameters) if how.parameters else None, pset)
    data = prepare_fit_data(source.file, mass_mg=source.mass_mg, cycles=source.fit_cycles, temperature_C=source.temperature_C,
                            counter=source.counter, current_basis_factor=source.current_basis_factor,
                            lower_cutoff_V=source.lower_cutoff_V, upper_cutoff_V=source.upper_cutoff_V,
                            thickness_um=source.thickness_um, electrode_diameter_mm=source.electrode_diameter_mm,
                            mapping=source.mapping)
    err_console.print(f"{source.file}: fitting {len(names)} parameter(s) to cycle(s) {data.cycles} "
                      f"({len(data.fitted_steps)} step curve(s), protocol of {data.protocol.n_steps} step(s))",
                      highlight=False)
    with progress() as prog:
        task = prog.add_task("model runs", total=how.model_runs(len(names)))
        res = fit_user_data(data, how.material, parameters=names, pset=pset, mesh_points=how.mesh_points, target=how.target,
                            grid_points=how.grid_points, voltage_tolerance_mV=how.voltage_tolerance_mV,
                            capacity_tolerance_percent=how.capacity_tolerance_percent, max_evaluations=how.max_evaluations,
                            bootstrap=how.bootstrap, check_jacobian=how.check_jacobian,
                            on_evaluation=lambda c: prog.advance(task))
    path = write_fitted_parameters(res, output)
    print_fit(res, f"sizno fit: {how.material} to {source.file.name}, cycle(s) {', '.join(map(str, data.cycles))}")
    payload = res.to_dict()
    payload["output"] = str(path)
    if plot:
        png = plot_fit(res, output.with_suffix(".png"))
        payload["plot"] = str(png)
        err_console.print(f"wrote {png}", style="dim")
    err_console.print(f"wrote {path} (use: sizno simulate --parameters {path})", style="dim")
    write_json(json_path, payload)


def _parameter_table(res, title: str) -> Table:
    """Start, fitted value and each 1-sigma estimate per parameter; poorly determined ones starred."""
    t = Table(title=title)
    t.add_column("parameter")
    t.add_column("start", justify="right")
    t.add_column("fitted", justify="right")
    t.add_column("1σ rel. (Jacobian)", justify="right")
    if res.uncertainty_central is not None:
        t.add_column("1σ rel. (wide step)", justify="right")
    if res.uncertainty_bootstrap is not None:
        t.add_column("1σ rel. (bootstrap)", justify="right")
    for k, v in res.values.items():
        row = [k + (" *" if k in res.poorly_determined else ""), _fmt(res.start.get(k)), _fmt(v),
               _fmt(res.fit.uncertainty_relative[k], 2)]
        if res.uncertainty_central is not None:
            row.append(_fmt(res.uncertainty_central[k], 2))
        if res.uncertainty_bootstrap is not None:
            row.append(_fmt(res.uncertainty_bootstrap[k], 2))
        t.add_row(*row)
    return t


def _residual_table(res) -> Table:
    """Per fitted step: capacities and voltage errors at the fit."""
    r = Table(title="residuals at the fit (model − measured)")
    for col in ("cycle", "half", "I mA", "Q meas mAh", "Q model mAh", "ΔQ %", "V rms mV", "V max mV"):
        r.add_column(col, justify="right")
    for s in res.report["steps"]:
        r.add_row(str(s["cycle"]), {"lithiate": "lith", "delithiate": "delith"}.get(s["action"], s["action"]), _fmt(s["current_mA"]), _fmt(s["measured_capacity_mAh"]),
                  _fmt(s["model_capacity_mAh"]), _fmt(s["capacity_error_percent"], 3), _fmt(s["voltage_rms_mV"], 3),
                  _fmt(s["voltage_max_abs_mV"], 3))
    return r


def print_fit(res, title: str) -> None:
    """The fit's tables, per-cycle errors and notes on stdout."""
    console.print(_parameter_table(res, title))
    if res.poorly_determined:
        console.print("* poorly determined by these data (see the notes)", highlight=False, style="dim")
    console.print(_residual_table(res))
    for c in res.report["cycles"]:
        console.print(f"cycle {c['cycle']}: lithiation {_fmt(c['lithiation_error_percent'], 3)} %, delithiation "
                      f"{_fmt(c['delithiation_error_percent'], 3)} %, CE model {_fmt(c['model_ce_percent'])} % vs "
                      f"measured {_fmt(c['measured_ce_percent'])} %", highlight=False)
    console.print(f"{res.fit.n_evaluations} least-squares evaluations; {res.fit.message}", highlight=False, style="dim")
    if not res.report["model_completed"]:
        console.print(f"note: the fitted model did not finish the protocol: {res.report['model_stop_reason']}",
                      highlight=False, markup=False)
    for n in res.problem.data.notes:
        console.print(f"note: {n}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command("fit")(fit_cmd)
