"""The `sizno` command line: thin, calls the packages, never holds physics."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from sizno.clitools import JsonOption, command_group, console, err_console, write_json
from sizno.errors import SiznoInputError, SimulationFailed

app = command_group("sizno", "A virtual laboratory for Si-composite anodes in all-solid-state lithium batteries.")

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
    from sizno.materials import composite_from_recipe, named_material

    if precursor not in ("dihydrate", "anhydrous"):
        raise SiznoInputError("--precursor", f"unknown form '{precursor}'", "dihydrate, anhydrous")
    comp = named_material(material) if material else composite_from_recipe("custom", zinc_acetate_g, silicon_g, precursor)  # type: ignore[arg-type]
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


def _progress():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console, transient=True)


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
    cycles: Optional[int] = typer.Option(None, help="Repeat count of every protocol block (cycles per rate, long cycles)."),
    thickness_um: Optional[float] = typer.Option(None, "--thickness-um", help="Half cell: electrode thickness (um); default 22. Give two of thickness, mass/loading, porosity: the third is derived (one alone keeps the paper's porosity)."),
    composite_mass_mg: Optional[float] = typer.Option(None, "--mass-mg", "--composite-mass-mg", help="Half cell: composite mass (mg); default 1.0."),
    loading_mg_per_cm2: Optional[float] = typer.Option(None, "--loading-mg-per-cm2", help="Half cell: composite loading (mg/cm2), instead of the mass."),
    porosity: Optional[float] = typer.Option(None, "--porosity", help="Half cell: pristine electrode porosity (0-1)."),
    np_ratio: Optional[float] = typer.Option(None, "--np-ratio", help="Full cell: N/P capacity ratio; default 1.1."),
    ncm_loading_mg_per_cm2: Optional[float] = typer.Option(None, "--ncm-loading-mg-per-cm2", help="Full cell: NCM811 loading (mg/cm2); default 10 (the paper's high loading: 15)."),
    lower_cutoff_V: Optional[float] = typer.Option(None, "--lower-cutoff-V", help="Lower cut-off (V); default 0.01 vs Li+/Li (half), 2.5 (full)."),
    upper_cutoff_V: Optional[float] = typer.Option(None, "--upper-cutoff-V", help="Upper cut-off (V); default 2.0 vs Li+/Li (half), 4.3 (full, at most 4.4)."),
    parameters: Optional[Path] = typer.Option(None, help="Parameter file (TOML) overriding the calibrated set."),
    mesh_points: int = typer.Option(20, help="Finite-volume cells through the Si electrode's thickness."),
    output: Path = typer.Option(Path("out/simulate.parquet"), help="Time series (.parquet or .csv); cycles and metadata beside it."),
    plot: bool = typer.Option(True, help="Write a PNG of voltage vs capacity beside the output."),
    json_path: Optional[Path] = JsonOption,
):
    """Simulate one material and one protocol on the paper's half cell or NCM811 full cell (the protocol decides)."""
    from sizno.experiments import load_protocol, run_full_cell, run_half_cell
    from sizno.materials.registry import resolve_material
    from sizno.models.parameters import load_parameter_set

    if mesh_points < 5 or mesh_points > 1000:
        raise SiznoInputError("--mesh-points", f"got {mesh_points}", "5–1000")
    if temperature_C is not None and not (-40 < temperature_C < 150):
        raise SiznoInputError("--temperature-C", f"got {temperature_C}", "-40 to 150 degC")
    proto = load_protocol(protocol)
    full = proto.kind == "full-cell"
    misplaced = [name for name, v, ok in (("--current-A-per-g", current_A_per_g, not full), ("--c-rate", c_rate, full),
                                          ("--thickness-um", thickness_um, not full), ("--composite-mass-mg", composite_mass_mg, not full),
                                          ("--loading-mg-per-cm2", loading_mg_per_cm2, not full), ("--porosity", porosity, not full),
                                          ("--np-ratio", np_ratio, full), ("--ncm-loading-mg-per-cm2", ncm_loading_mg_per_cm2, full))
                 if v is not None and not ok]
    if misplaced:
        raise SiznoInputError(misplaced[0], f"does not apply to a {proto.kind} protocol",
                              "A/g, thickness and mass for half cells; C-rate, N/P and loading for full cells")
    if current_A_per_g is not None:
        proto = proto.with_current(current_A_per_g)
    if c_rate is not None:
        proto = proto.with_c_rate(c_rate)
    if cycles is not None:
        proto = proto.with_repeat(cycles)
    composite = resolve_material(material, zinc_acetate_g=zinc_acetate_g, silicon_g=silicon_g, zno_wt_pct=zno_wt_pct)
    material = composite.name
    electrode = None
    if not full:
        from sizno.cell.electrode import resolve_electrode

        electrode = resolve_electrode(composite, thickness_um, loading_mg_per_cm2, composite_mass_mg, porosity)
        thickness_um, composite_mass_mg = electrode.thickness_um, electrode.composite_mass_mg
    pset = load_parameter_set(parameters)
    with _progress() as prog:
        task = prog.add_task(f"{material}, {proto.name}", total=proto.n_steps)
        common = dict(pset=pset, mesh_points=mesh_points, on_step=lambda: prog.advance(task),
                      temperature_C=temperature_C, lower_cutoff_V=lower_cutoff_V, upper_cutoff_V=upper_cutoff_V)
        if full:
            result = run_full_cell(composite, proto, np_ratio=np_ratio, ncm_loading_mg_per_cm2=ncm_loading_mg_per_cm2, **common)
        else:
            result = run_half_cell(composite, proto, thickness_um=thickness_um, composite_mass_mg=composite_mass_mg, **common)
    paths = result.write(output)
    if plot and len(result.timeseries):
        from sizno.reproduce.plots import voltage_capacity_plot

        paths.append(voltage_capacity_plot(result, output.with_suffix(".png")))
    first, second = ("charge", "discharge") if full else ("lithiation", "delithiation")
    t = Table(title=f"{material} — {proto.name} at {result.metadata['temperature_C']:g} °C ({result.metadata['capacity_basis']})")
    for col in ("cycle", "C-rate" if full else "A/g", f"{first} [mAh/g]", f"{second} [mAh/g]", "CE [%]"):
        t.add_column(col, justify="right")
    for _, r in result.cycles.iterrows():
        setting = r.c_rate if full else r.current_A_per_g
        t.add_row(str(r.cycle_index), f"{setting:g}", f"{r[first + '_capacity_mAh_per_g']:.0f}",
                  f"{r[second + '_capacity_mAh_per_g']:.0f}", f"{r.coulombic_efficiency_percent:.1f}")
    console.print(t)
    if electrode:
        err_console.print(f"electrode: {electrode.thickness_um:.4g} um, {electrode.composite_mass_mg:.4g} mg "
                          f"({electrode.loading_mg_per_cm2:.4g} mg/cm2), porosity {electrode.porosity:.3f}"
                          + (f"; derived: {electrode.derived}" if electrode.derived else ""), highlight=False)
    err_console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")
    write_json(json_path, {**result.summary(), **({"electrode": electrode.to_dict()} if electrode else {})})
    if not result.completed:
        raise SimulationFailed(result.stop_reason, completed_steps=result.metadata["steps_completed"])


@app.command()
def calibrate(
    output: Path = typer.Option(Path("src/sizno/data/parameters/fitted.toml"), help="Where to write the fitted set."),
    stage: Optional[list[str]] = typer.Option(None, help="Fit only this stage (repeatable): electrochemistry, swelling, ageing."),
    max_evaluations: int = typer.Option(60, help="Model evaluations allowed to each stage's least-squares fit."),
    mesh_points: int = typer.Option(20, help="Finite-volume cells (use the same as reproduce)."),
    json_path: Optional[Path] = JsonOption,
):
    """Fit the free parameters to the paper's calibration records (never validation), stage by stage."""
    from sizno.fitting.calibrate import STAGE_NAMES, STAGES, calibrate as run_calibration, write_fitted

    chosen = tuple(stage or STAGE_NAMES)
    unknown = [s for s in chosen if s not in STAGE_NAMES]
    if unknown:
        raise SiznoInputError("--stage", f"unknown stage '{unknown[0]}'", ", ".join(STAGE_NAMES))
    err_console.print("calibrating to: " + ", ".join(r for s in STAGES if s.name in chosen for r in s.records))
    with _progress() as prog:
        task = prog.add_task("model evaluations", total=max_evaluations * len(chosen))
        results = run_calibration(chosen, mesh_points=mesh_points, max_evaluations=max_evaluations,
                                  on_evaluation=lambda c: prog.advance(task))
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
    err_console.print(f"wrote {output}", style="dim")
    write_json(json_path, {name: {"values": res.values, "residuals_relative": res.residuals,
                                  "uncertainty_relative": res.uncertainty_relative, "evaluations": res.n_evaluations}
                           for name, res in results.items()})


@app.command()
def reproduce(
    out: Path = typer.Option(Path("out"), help="Report folder."),
    quick: bool = typer.Option(False, help="Coarse settings (mesh, one cycle per rate): under a minute."),
    only: Optional[list[str]] = typer.Option(None, help="Run only this area (repeatable): half-cell, full-cell, structure, impedance, atomistic (not run by default)."),
    skip: Optional[list[str]] = typer.Option(None, help="Skip this area (repeatable)."),
    json_path: Optional[Path] = JsonOption,
):
    """Run the paper's experiments on the built-in parameter sets; report to OUT/summary.json."""
    from sizno.reproduce import reproduce as run_reproduce

    summary = run_reproduce(out, quick=quick, only=only, skip=skip, console=console)
    write_json(json_path, summary)


def _mount_subapps() -> None:
    """Area CLIs live beside their packages; mount those that exist."""
    import importlib

    for module, name in [
                ("sizno.structure.cli", None),
        ("sizno.eis.cli", None),
        ("sizno.io.cli", None),
        ("sizno.atomistic.cli", None),
        ("sizno.fitting.cli", None),
        ("sizno.lab.study.cli", None),
    ]:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(module.rsplit(".", 1)[0]):
                continue
            raise
        mod.register(app)


_mount_subapps()


def main() -> None:
    """Entry point: bad input → one line on stderr, exit code 2, no traceback."""
    try:
        app()  # usage errors: Typer prints them and exits 2
    except SiznoInputError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(2)
    except SimulationFailed as exc:
        err_console.print(f"simulation stopped: {exc}", markup=False, highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
