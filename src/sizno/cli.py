"""The `sizno` command line: thin, calls the packages, never holds physics."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, Optional

import typer

from sizno.clitools import (STOPPED_EXIT_CODE, ForceOption, JsonOption, command_group, console,
                            err_console, may_use_old_option, output_file, output_folder, progress, renamed_option_error, summarised_rows, timestamp, write_json)
from sizno.errors import RunInterrupted, SiznoInputError, SimulationFailed
from sizno.models.mesh import DEFAULT_MESH_POINTS

# Area commands live beside their packages; each module is imported only when its command runs
# (or for its --help), so `sizno --help` stays fast.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "dspacing": ("sizno.commands.structure", "Which phase and plane give a lattice fringe of this spacing (or: d and 2θ of a plane)."),
    "raman": ("sizno.commands.structure", "Which phase a Raman band belongs to (table with sources)."),
    "xrd": ("sizno.commands.structure", "Powder XRD: patterns of phases, mixtures and electrode states; indexing of a measured pattern."),
    "drt": ("sizno.commands.eis", "DRT of a spectrum or a series: peaks (τ, R, process), figures, a map for a series."),
    "eis": ("sizno.commands.eis", "Impedance: model spectra (simulate), Kramers–Kronig check, equivalent-circuit fit (DRT: `sizno drt`)."),
    "analyze": ("sizno.commands.analyze", "Read cycler files and report per-cycle capacity, CE, ICE, retention, voltages, dQ/dV."),
    "atomistic": ("sizno.commands.atomistic", "Atomistics: Si(111) and Si/oxide slabs, interface energies, Li NEB barriers, additive screening."),
    "screen": ("sizno.commands.atomistic", "Additive oxide → interface barrier → conductivity → capacity at 5 A/g (as `sizno atomistic screen`)."),
    "fit": ("sizno.commands.fit", "Fit the model's free parameters to a user's voltage curves and capacities; write a parameter file."),
    "study": ("sizno.commands.study", "Design studies: sweeps on Dask into a resumable DuckDB store, sensitivity, bands, optimisation."),
    "sensitivity": ("sizno.commands.sensitivity", "What controls each validation prediction (Morris) and what the calibration pins (Fisher)."),
}

app = command_group("sizno", "A virtual laboratory for Si-composite anodes in all-solid-state lithium batteries.",
                    lazy_commands=LAZY_COMMANDS)

@app.callback()
def _root() -> None:
    """sizno: recipe → cell → model → experiment → results → report, for dense Si-composite anodes.

    Start with `sizno reproduce --quick`, or `sizno simulate --material si-zno4 --protocol first-cycle`.
    """


@app.command()
def composition(
    zinc_acetate_g: float = typer.Option(0.125, help="Zinc acetate mass in the recipe [g]."),
    silicon_g: float = typer.Option(0.5, help="Silicon mass in the recipe [g]."),
    precursor: str = typer.Option("dihydrate", help="Zinc acetate form: dihydrate or anhydrous."),
    material: Optional[str] = typer.Option(None, help="Use a named material instead (si, si-zno2, si-zno4, si-zno8)."),
    json_path: Optional[Path] = JsonOption,
):
    """ZnO content and theoretical capacity of a composite from its synthesis recipe."""
    from rich.table import Table

    from sizno.materials import composite_from_recipe, named_material

    if precursor not in ("dihydrate", "anhydrous"):
        raise SiznoInputError("--precursor", f"unknown form '{precursor}'", "dihydrate, anhydrous")
    if material:
        comp = named_material(material)
    else:
        from sizno.materials import NAMED_RECIPES

        # the paper's recipe of a named material is that material (with its stated ZnO content)
        same = [n for n, (a, si) in NAMED_RECIPES.items()
                if precursor == "dihydrate" and abs(a - zinc_acetate_g) < 1e-12 and abs(si - silicon_g) < 1e-12]
        comp = named_material(same[0]) if same else composite_from_recipe("custom", zinc_acetate_g, silicon_g, precursor)  # type: ignore[arg-type]
    s = comp.summary()
    t = Table(title=f"Composition of {s['material']}")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    t.add_row("zinc acetate [g]", f"{s['zinc_acetate_g']:.4g} ({s['precursor']})")
    t.add_row("silicon [g]", f"{s['silicon_g']:.4g}")
    t.add_row("ZnO [wt%], stoichiometric", f"{s['zno_wt_percent']:.2f}")
    t.add_row("ZnO [wt%] if the acetate were anhydrous", f"{s['zno_wt_percent_if_anhydrous']:.2f}")
    if s["paper_stated_zno_wt_percent"] is not None:
        t.add_row("ZnO [wt%] stated in the paper", f"{s['paper_stated_zno_wt_percent']:.1f}")
    t.add_row("Si alloying capacity [mAh/g composite]", f"{s['si_alloying_mAh_g']:.0f}")
    t.add_row("ZnO → Zn + Li2O, irreversible [mAh/g]", f"{s['zno_conversion_irreversible_mAh_g']:.1f}")
    t.add_row("Zn ⇄ LiZn, reversible [mAh/g]", f"{s['zn_lizn_reversible_mAh_g']:.1f}")
    t.add_row("total theoretical [mAh/g]", f"{s['total_mAh_g']:.0f}")
    console.print(t)
    write_json(json_path, s)


@app.command()
def simulate(
    material: Optional[str] = typer.Option(None, help="A registry material: si, si-zno2, si-zno4 (default), si-zno8; or zno_wt_pct=X / zinc_acetate_g=A,silicon_g=B."),
    zinc_acetate_g: Optional[float] = typer.Option(None, "--zinc-acetate-g", help="A user recipe instead: zinc acetate dihydrate mass [g]."),
    silicon_g: Optional[float] = typer.Option(None, "--silicon-g", help="A user recipe: Si mass [g]; default 0.5."),
    zno_wt_pct: Optional[float] = typer.Option(None, "--zno-wt-pct", help="A user composite by its ZnO content [wt %] instead."),
    protocol: str = typer.Option("first-cycle", help="first-cycle, rate-test, long-cycling (half cell); full-cell-first-cycles, full-cell-rate-test, full-cell-cycling (NCM811 full cell); or a protocol .toml file."),
    temperature_C: Optional[float] = typer.Option(None, "--temperature-C", help="Cell temperature (degC); default 60 (half cell), 25 (full cell)."),
    current_A_per_g: Optional[float] = typer.Option(None, "--current-A-per-g", help="Half cell: run every step at this specific current (A/g)."),
    c_rate: Optional[float] = typer.Option(None, "--c-rate", help="Full cell: run every step at this C-rate (1C = 200 mA/g NCM811)."),
    cycles: Optional[int] = typer.Option(None, "--cycles", help="Number of cycles of every block except formation: cycles per rate (rate tests), the long cycles (long-cycling, full-cell-cycling). Formation cycles stay as the protocol has them."),
    formation_cycles: Optional[int] = typer.Option(None, "--formation-cycles", help="Number of formation cycles (blocks marked formation; 0 leaves them out)."),
    thickness_um: Optional[float] = typer.Option(None, "--thickness-um", help="Half cell: electrode thickness (um); default 22. Give two of thickness, mass/loading, porosity: the third is derived (one alone keeps the paper's porosity)."),
    mass_mg: Optional[float] = typer.Option(None, "--mass-mg", help="Half cell: composite (Si-ZnO) mass of the electrode (mg); default 1.0."),
    loading_mg_per_cm2: Optional[float] = typer.Option(None, "--loading-mg-per-cm2", help="Half cell: composite loading (mg/cm2), instead of the mass."),
    porosity: Optional[float] = typer.Option(None, "--porosity", help="Half cell: pristine electrode porosity (0-1)."),
    np_ratio: Optional[float] = typer.Option(None, "--np-ratio", help="Full cell: N/P capacity ratio; default 1.1."),
    ncm_loading_mg_per_cm2: Optional[float] = typer.Option(None, "--ncm-loading-mg-per-cm2", help="Full cell: NCM811 loading (mg/cm2); default 10 (the paper's high loading: 15)."),
    lower_cutoff_V: Optional[float] = typer.Option(None, "--lower-cutoff-V", help="Lower cut-off (V); default 0.01 vs Li+/Li (half), 2.5 (full)."),
    upper_cutoff_V: Optional[float] = typer.Option(None, "--upper-cutoff-V", help="Upper cut-off (V); default 2.0 vs Li+/Li (half), 4.3 (full, at most 4.4)."),
    parameters: Optional[Path] = typer.Option(None, help="Parameter file (TOML) overriding the calibrated set."),
    mesh_points: int = typer.Option(DEFAULT_MESH_POINTS, help="Finite-volume cells through the Si electrode's thickness."),
    output: Optional[Path] = typer.Option(None, "--output", help="Time series file (.parquet or .csv); cycles (-cycles.csv), metadata (-metadata.json) and the PNG go beside it. Default: a new out/simulate-<date>-<time>.parquet."),
    force: bool = ForceOption,
    plot: bool = typer.Option(True, "--plot/--no-plot", help="Write a PNG of voltage vs capacity beside the output."),
    json_path: Optional[Path] = JsonOption,
):
    """Simulate one material and one protocol on the paper's half cell or NCM811 full cell (the protocol decides).

    Ctrl-C stops after the step in flight and writes what finished (completed false, reason "interrupted"), exit 130.
    """
    settings = SimulateSettings(material, zinc_acetate_g, silicon_g, zno_wt_pct, protocol, temperature_C, current_A_per_g,
                                c_rate, cycles, formation_cycles, thickness_um, mass_mg, loading_mg_per_cm2, porosity,
                                np_ratio, ncm_loading_mg_per_cm2, lower_cutoff_V, upper_cutoff_V, parameters, mesh_points)
    run_simulate(settings, output, force, plot, json_path)


@dataclass(frozen=True)
class SimulateSettings:
    """The options of `sizno simulate` that say what to run (the output options travel beside it)."""

    material: Optional[str]
    zinc_acetate_g: Optional[float]
    silicon_g: Optional[float]
    zno_wt_pct: Optional[float]
    protocol: str
    temperature_C: Optional[float]
    current_A_per_g: Optional[float]
    c_rate: Optional[float]
    cycles: Optional[int]
    formation_cycles: Optional[int]
    thickness_um: Optional[float]
    mass_mg: Optional[float]
    loading_mg_per_cm2: Optional[float]
    porosity: Optional[float]
    np_ratio: Optional[float]
    ncm_loading_mg_per_cm2: Optional[float]
    lower_cutoff_V: Optional[float]
    upper_cutoff_V: Optional[float]
    parameters: Optional[Path]
    mesh_points: int

    def check(self) -> None:
        if self.mesh_points < 5 or self.mesh_points > 1000:
            raise SiznoInputError("--mesh-points", f"got {self.mesh_points}", "5–1000")
        if self.temperature_C is not None and not (-40 < self.temperature_C < 150):
            raise SiznoInputError("--temperature-C", f"got {self.temperature_C}", "-40 to 150 degC")

    def load_protocol(self):
        """The protocol with the current, C-rate and cycle options applied; options of the other cell type refused."""
        from sizno.experiments import load_protocol

        proto = load_protocol(self.protocol)
        full = proto.kind == "full-cell"
        misplaced = [name for name, v, ok in (("--current-A-per-g", self.current_A_per_g, not full), ("--c-rate", self.c_rate, full),
                                              ("--thickness-um", self.thickness_um, not full), ("--mass-mg", self.mass_mg, not full),
                                              ("--loading-mg-per-cm2", self.loading_mg_per_cm2, not full),
                                              ("--porosity", self.porosity, not full), ("--np-ratio", self.np_ratio, full),
                                              ("--ncm-loading-mg-per-cm2", self.ncm_loading_mg_per_cm2, full))
                     if v is not None and not ok]
        if misplaced:
            raise SiznoInputError(misplaced[0], f"does not apply to a {proto.kind} protocol",
                                  "A/g, thickness and mass for half cells; C-rate, N/P and loading for full cells")
        if self.mass_mg is not None and not (self.mass_mg > 0):
            raise SiznoInputError("--mass-mg", f"must be positive, got {self.mass_mg}", "> 0 mg")
        if self.current_A_per_g is not None:
            proto = proto.with_current(self.current_A_per_g)
        if self.c_rate is not None:
            proto = proto.with_c_rate(self.c_rate)
        if self.cycles is not None or self.formation_cycles is not None:
            proto = proto.with_cycles(self.cycles, self.formation_cycles)
        return proto


def run_simulate(s: SimulateSettings, output: Optional[Path], force: bool, plot: bool, json_path: Optional[Path]) -> None:
    """`sizno simulate`: check, build the cell, run with a progress bar, write and report."""
    from sizno.materials.registry import resolve_material
    from sizno.models.parameters import load_parameter_set

    s.check()
    if output is not None and output.suffix not in (".parquet", ".csv"):
        raise SiznoInputError("--output", f"unsupported file type '{output.suffix}'", ".parquet or .csv")
    output = output_file(output, "simulate", ".parquet", force, companions=("-cycles.csv", "-metadata.json", ".png"))
    proto = s.load_protocol()
    full = proto.kind == "full-cell"
    composite = resolve_material(s.material, zinc_acetate_g=s.zinc_acetate_g, silicon_g=s.silicon_g, zno_wt_pct=s.zno_wt_pct)
    electrode = None
    if not full:
        from sizno.cell.electrode import resolve_electrode

        electrode = resolve_electrode(composite, s.thickness_um, s.loading_mg_per_cm2, s.mass_mg, s.porosity)
    pset = load_parameter_set(s.parameters)
    try:
        result = _run_simulation(s, composite, proto, electrode, pset)
    except RunInterrupted as exc:
        _write_interrupted(exc.result, "full cell" if full else "half cell", proto.name, output, json_path)
    paths = result.write(output)
    if plot and len(result.timeseries):
        from sizno.reproduce.plots import voltage_capacity_plot

        paths.append(voltage_capacity_plot(result, output.with_suffix(".png")))
    console.print(_cycles_table(result, composite.name, proto.name, full, paths))
    if electrode:
        err_console.print(f"electrode: {electrode.thickness_um:.4g} um, {electrode.composite_mass_mg:.4g} mg "
                          f"({electrode.loading_mg_per_cm2:.4g} mg/cm2), porosity {electrode.porosity:.3f}"
                          + (f"; derived: {electrode.derived}" if electrode.derived else ""), highlight=False)
    err_console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")
    write_json(json_path, {**result.summary(), **({"electrode": electrode.to_dict()} if electrode else {})})
    if not result.completed:
        raise SimulationFailed(result.stop_reason, completed_steps=result.metadata["steps_completed"])


def _run_simulation(s: SimulateSettings, composite, proto, electrode, pset):
    """The half-cell run (with the resolved electrode) or the full-cell run, with a progress bar over the steps."""
    from sizno.experiments import run_full_cell, run_half_cell

    with progress() as prog:
        task = prog.add_task(f"{composite.name}, {proto.name}: steps", total=proto.n_steps)
        if electrode is None:
            return run_full_cell(composite, proto, pset=pset, mesh_points=s.mesh_points, on_step=lambda: prog.advance(task),
                                 temperature_C=s.temperature_C, lower_cutoff_V=s.lower_cutoff_V,
                                 upper_cutoff_V=s.upper_cutoff_V, np_ratio=s.np_ratio,
                                 ncm_loading_mg_per_cm2=s.ncm_loading_mg_per_cm2)
        return run_half_cell(composite, proto, temperature_C=s.temperature_C, pset=pset, mesh_points=s.mesh_points,
                             on_step=lambda: prog.advance(task), lower_cutoff_V=s.lower_cutoff_V,
                             upper_cutoff_V=s.upper_cutoff_V, thickness_um=electrode.thickness_um,
                             composite_mass_mg=electrode.composite_mass_mg)


def _write_interrupted(run, cell: str, protocol_name: str, output: Path, json_path: Optional[Path]) -> NoReturn:
    """Ctrl-C: write what finished and exit 130 (or re-raise when nothing of this run finished)."""
    if run.metadata.get("cell") != cell or run.metadata.get("protocol") != protocol_name:
        raise KeyboardInterrupt from None  # stopped in a preparatory run (the anode's capacity): nothing of this run finished
    paths = run.write(output)
    write_json(json_path, run.summary(), quiet=True)
    kept = ", ".join(str(p) for p in [*paths, *([json_path] if json_path else [])])
    err_console.print(f"interrupted: stopped after {run.metadata['steps_completed']} of {run.metadata['steps_planned']} "
                      f"steps ({len(run.cycles)} cycles); what finished is in {kept}", highlight=False)
    raise typer.Exit(STOPPED_EXIT_CODE) from None


def _cycles_table(result, material: str, protocol_name: str, full: bool, paths: list):
    """Per cycle: setting, capacities and CE (long runs summarised, every cycle in the cycles file)."""
    from rich.table import Table

    first, second = ("charge", "discharge") if full else ("lithiation", "delithiation")
    t = Table(title=f"{material} — {protocol_name} at {result.metadata['temperature_C']:g} °C ({result.metadata['capacity_basis']})")
    for col in ("cycle", "block", "C-rate" if full else "current [A/g]", f"{first} [mAh/g]", f"{second} [mAh/g]", "CE [%]"):
        t.add_column(col, justify="right")
    rows = summarised_rows(len(result.cycles))
    for i in rows:
        if i < 0:
            t.add_row(*["…"] * 6)
            continue
        r = result.cycles.iloc[i]
        setting = r.c_rate if full else r.current_A_per_g
        t.add_row(str(r.cycle_index), str(r.block_label), f"{setting:g}", f"{r[first + '_capacity_mAh_per_g']:.0f}",
                  f"{r[second + '_capacity_mAh_per_g']:.0f}", f"{r.coulombic_efficiency_percent:.1f}")
    if len(rows) < len(result.cycles):
        t.caption = f"{len(result.cycles) - len(rows) + 1} cycles not shown; every cycle is in {paths[1]}"
    return t


def user_parameter_folder() -> Path:
    """Where `sizno calibrate` writes by default: $SIZNO_HOME/parameters, else the user's data folder
    ($XDG_DATA_HOME/sizno/parameters, ~/.local/share/sizno/parameters) — never the installed package."""
    import os

    if os.environ.get("SIZNO_HOME"):
        return Path(os.environ["SIZNO_HOME"]) / "parameters"
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "sizno" / "parameters"


@app.command()
def calibrate(
    output: Optional[Path] = typer.Option(None, "--output", help="The fitted set (TOML). Default: a new fitted-<date>-<time>.toml in the user's folder (~/.local/share/sizno/parameters, or $SIZNO_HOME/parameters); use it with `sizno simulate --parameters FILE`. The package's own set is replaced only when given here by path (with --force)."),
    force: bool = ForceOption,
    stage: Optional[list[str]] = typer.Option(None, help="Fit only this stage (repeatable): electrochemistry, swelling, ageing."),
    max_evaluations: int = typer.Option(60, help="Model evaluations allowed to each stage's least-squares fit."),
    mesh_points: int = typer.Option(DEFAULT_MESH_POINTS, help="Finite-volume cells (use the same as reproduce)."),
    json_path: Optional[Path] = JsonOption,
):
    """Fit the free parameters to the paper's calibration records (never validation), stage by stage."""
    import shutil
    from importlib import resources

    from rich.table import Table

    from sizno.fitting.calibrate import STAGE_NAMES, STAGES, calibrate as run_calibration, write_fitted
    from sizno.models.parameters import FITTED_SET

    chosen = tuple(stage or STAGE_NAMES)
    unknown = [s for s in chosen if s not in STAGE_NAMES]
    if unknown:
        raise SiznoInputError("--stage", f"unknown stage '{unknown[0]}'", ", ".join(STAGE_NAMES))
    if output is None:
        folder = user_parameter_folder()
        output = next(p for p in (folder / f"fitted-{timestamp()}{'' if i == 0 else f'-{i}'}.toml"
                                  for i in range(10_000)) if not p.exists())
    else:
        output = output_file(output, "fitted", ".toml", force)
    if output.suffix.lower() != ".toml":
        raise SiznoInputError("--output", f"'{output}' is not a .toml file", "a path ending in .toml")
    err_console.print("calibrating to: " + ", ".join(r for s in STAGES if s.name in chosen for r in s.records))
    # not compiled: the full cell's anode is sized from the anode's capacity (N/P), so each evaluation's
    # parameter values give a new mesh, and a compiled model would compile again (~2 min) every evaluation
    with progress() as prog:
        # no total: --max-evaluations bounds scipy's function evaluations, and each Jacobian adds one run per parameter
        task = prog.add_task("model runs", total=None)
        best = [float("inf")]

        def on_run(cost: float) -> None:
            best[0] = min(best[0], cost)
            prog.update(task, advance=1, description=f"model runs (best sum of squared residuals {best[0]:.3g})")

        results = run_calibration(chosen, mesh_points=mesh_points, max_evaluations=max_evaluations,
                                  on_evaluation=on_run)
    if not output.exists():  # a new file starts from the package's set: stages not rerun keep their values
        output.parent.mkdir(parents=True, exist_ok=True)
        package_set = resources.files("sizno.data").joinpath(FITTED_SET)
        if package_set.is_file():
            with package_set.open("rb") as src, open(output, "wb") as dst:
                shutil.copyfileobj(src, dst)
    write_fitted(results, output, mesh_points)
    t = Table(title="calibration")
    for col in ("stage", "parameter"):
        t.add_column(col)
    t.add_column("value", justify="right")
    t.add_column("1-sigma (rel.)", justify="right")
    r = Table(title="residuals (model - paper) / paper")
    r.add_column("record")
    r.add_column("residual", justify="right")
    for name, res in results.items():
        for k, v in res.values.items():
            t.add_row(name, k, f"{v:.4g}", f"{res.uncertainty_relative[k]:.2g}")
        for k, v in res.residuals.items():
            r.add_row(k, f"{100 * v:+.2f} %")
    console.print(t)
    console.print(r)
    err_console.print(f"wrote {output} (use: sizno simulate --parameters {output})", style="dim")
    write_json(json_path, {"output": str(output),
                           **{name: {"values": res.values, "residuals_relative": res.residuals,
                                     "uncertainty_relative": res.uncertainty_relative, "evaluations": res.n_evaluations}
                              for name, res in results.items()}})


@app.command()
def reproduce(
    out: Optional[Path] = typer.Option(None, "--out", help="Report folder (summary.json, figures, cycle tables). Default: a new out/reproduce-<date>-<time>; an existing folder with files needs --force."),
    force: bool = ForceOption,
    quick: bool = typer.Option(False, help="Coarse settings (mesh, cycles per rate, long runs): about a minute."),
    only: Optional[list[str]] = typer.Option(None, help="Run only this area (repeatable): half-cell, full-cell, structure, impedance, atomistic (not run by default)."),
    skip: Optional[list[str]] = typer.Option(None, help="Skip this area (repeatable)."),
    atomistic_cross_check: Optional[list[str]] = typer.Option(None, "--atomistic-cross-check", help="Second potential beside CHGNet in the atomistic area (repeatable: sevennet; 'none' for none). Default: sevennet in full runs, none with --quick."),
    json_path: Optional[Path] = JsonOption,
):
    """Run the paper's experiments on the built-in parameter sets; report to OUT/summary.json (rewritten after each area)."""
    import os

    # before numpy loads: the areas' small dense solves (GEIS, DRT) ran 3x faster on one BLAS thread than on
    # two (impedance 6.6 s vs 20.5 s, reproduce --quick 43 s vs 57 s on 2 cores); OPENBLAS_NUM_THREADS overrides
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from sizno.reproduce import reproduce as run_reproduce
    from sizno.reproduce.runner import AREAS

    for name in (only or []) + (skip or []):
        if name not in AREAS:
            raise SiznoInputError("--only/--skip", f"unknown area '{name}'", ", ".join(AREAS))
    out = output_folder(out, "reproduce", force)
    if not quick:  # measured: the first full run on a machine +21 % CPU (the compile), every later run -49 %
        from sizno.experiments import engine

        engine.compile_long_runs()
    summary = run_reproduce(out, quick=quick, only=only, skip=skip, console=console,
                            atomistic_cross_check=atomistic_cross_check or None)
    write_json(json_path, summary)


@app.command()
def report(
    out_dir: Path = typer.Argument(Path("out"), help="A folder written by `sizno reproduce` (summary.json and figures)."),
    readme: Optional[Path] = typer.Option(None, help="Also regenerate this README's 'What the report says today' block."),
    json_path: Optional[Path] = JsonOption,
):
    """Rebuild OUT_DIR/report.html (one self-contained page) from OUT_DIR/summary.json and its figures."""
    from sizno.reproduce.html_report import build_report, load_summary
    from sizno.reproduce.readme_status import update_readme
    from sizno.reproduce.standing import standing, standing_table

    summary = load_summary(out_dir)
    result = build_report(out_dir, summary)
    st = standing(summary["records"])
    console.print(standing_table(st))
    console.print(f"wrote {result.path}")
    if readme is not None:
        changed = update_readme(readme, summary)
        console.print(f"{'updated' if changed else 'unchanged'}: {readme} (What the report says today)")
    write_json(json_path, {"report": str(result.path), "standing": st, "missing_figures": result.missing_figures})
    if result.missing_figures:
        err_console.print(f"report written without {len(result.missing_figures)} missing figure(s): "
                          f"{', '.join(result.missing_figures)}", markup=False)
        raise typer.Exit(1)


def _click_root():
    import typer.main

    return typer.main.get_command(app)


def main() -> None:
    """Entry point: bad input → one line on stderr, exit code 2, no traceback; Ctrl-C → one line, exit 130."""
    argv = sys.argv[1:]
    try:
        message = renamed_option_error(argv, _click_root()) if may_use_old_option(argv) else None
        if message:
            raise SiznoInputError(*message.split(": ", 1))
        app()  # usage errors: Typer prints them and exits 2
    except SiznoInputError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(2)
    except SimulationFailed as exc:
        err_console.print(f"simulation stopped: {exc}", markup=False, highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
