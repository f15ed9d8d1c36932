"""`sizno drt FILE|FOLDER` and the `sizno eis` sub-commands (simulate, kk, fit). Thin: reads, calls sizno.eis, prints."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from sizno.clitools import ForceOption, JsonOption, PlotOption, command_group, console, err_console, output_folder, write_json
from sizno.errors import SiznoInputError

eis_app = command_group("eis", "Impedance: model spectra (simulate), Kramers–Kronig check, equivalent-circuit fit (DRT: `sizno drt`).")

SPECTRUM_FIGURES = ("auto", "all", "none")


def _settings(method: str, lam: Optional[float], ppd: int, no_kk: bool):
    from sizno.eis.drt import DRTSettings

    if method not in ("mgcv", "gcv"):
        raise SiznoInputError("--method", f"unknown '{method}'", "mgcv, gcv")
    if lam is not None:
        if not (lam > 0):
            raise SiznoInputError("--lambda", f"{lam}", "> 0")
        return DRTSettings(method="fixed", lambda_value=lam, points_per_decade=ppd, kk_check=not no_kk).checked()
    return DRTSettings(method=method, points_per_decade=ppd, kk_check=not no_kk).checked()


def _limits(sweeps: Optional[str], max_spectra: int, max_points: int):
    from sizno.eis.readers import SweepLimits, parse_sweeps

    if max_spectra < 1:
        raise SiznoInputError("--max-spectra", f"{max_spectra}", ">= 1")
    if max_points < 10:
        raise SiznoInputError("--max-points", f"{max_points}", ">= 10")
    return SweepLimits(parse_sweeps(sweeps), max_spectra, max_points)


def _peak_table(result, title: str) -> Table:
    t = Table(title=title)
    for c, j in (("#", "right"), ("τ [s]", "right"), ("f [Hz]", "right"), ("R [Ω]", "right"), ("± [Ω]", "right"), ("process", "left")):
        t.add_column(c, justify=j)
    for i, p in enumerate(result.peaks, 1):
        std = f"{p.resistance_std_ohm:.2g}" if p.resistance_std_ohm is not None else ""
        proc = p.process + ("" if p.in_measured_range else " (τ outside measured range)")
        t.add_row(str(i), f"{p.tau_s:.3g}", f"{p.frequency_Hz:.3g}", f"{p.resistance_ohm:.4g}", std, proc)
    return t


def _print_result(result, verbose: bool = True) -> None:
    s = result.spectrum
    title = f"{s.name}: R∞ = {result.r_inf_ohm:.4g} Ω, R_pol = {result.r_pol_ohm:.4g} Ω, λ = {result.lambda_:.3g} ({result.lambda_method.upper()})"
    console.print(_peak_table(result, title))
    if verbose:
        for n in s.notes:
            err_console.print(f"  note: {n}", style="dim", markup=False, highlight=False)
    if result.kk is not None:
        err_console.print("  " + result.kk.verdict(), style="dim" if result.kk.valid else "bold yellow", markup=False, highlight=False)
    for n in result.notes:
        if n.startswith("R∞ held"):
            err_console.print(f"  note: {n}", style="dim", markup=False, highlight=False)
        elif not n.startswith("Kramers"):
            err_console.print(f"  warning: {n}", style="yellow", markup=False, highlight=False)


def drt_command(
    path: Path = typer.Argument(..., help="A spectrum file (CSV, CHI .txt, BioLogic .mpt, Gamry .DTA) or a folder of them (one series)."),
    json_path: Optional[Path] = JsonOption,
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for the PNG figures. Default: a new out/drt-<date>-<time>; an existing folder with files needs --force."),
    force: bool = ForceOption,
    plot: bool = PlotOption,
    spectrum_figures: str = typer.Option("auto", "--spectrum-figures", help="Figures of each spectrum: auto (if ≤ 10 spectra), all, none (a series always gets its map)."),
    method: str = typer.Option("mgcv", "--method", help="Regularisation choice: mgcv or gcv."),
    lam: Optional[float] = typer.Option(None, "--lambda", help="Fix λ instead of choosing it by (m)GCV."),
    points_per_decade: int = typer.Option(10, "--points-per-decade", help="τ grid density."),
    windows: Optional[Path] = typer.Option(None, "--windows", help="TOML of τ windows ([[window]] process, tau_min_s, tau_max_s); default: the paper's."),
    tolerance_decades: float = typer.Option(0.0, "--window-tolerance", help="Assign a peak outside every window to the nearest one within this many decades."),
    no_kk: bool = typer.Option(False, "--no-kk", help="Skip the Kramers–Kronig check."),
    no_inductance: bool = typer.Option(False, "--no-inductance", help="Drop the series-inductance column."),
    sweeps: Optional[str] = typer.Option(None, "--sweeps", help="Which sweeps of a multi-sweep file, 1-based: '1-10', '5', '3-'."),
    max_spectra: int = typer.Option(1000, "--max-spectra", help="Refuse more spectra than this per run (a file or folder with more: choose with --sweeps, or raise it)."),
    max_points: int = typer.Option(2000, "--max-points", help="Thin a sweep with more points than this to this many (said in the notes)."),
):
    """DRT of a spectrum or a series: table of peaks (τ, R, process), Nyquist/Bode/DRT/KK figures, contour map for a series."""
    from sizno.eis.plots import save_figures
    from sizno.eis.readers import read_spectra
    from sizno.eis.series import drt_series
    from sizno.eis.windows import load_windows

    if spectrum_figures not in SPECTRUM_FIGURES:
        raise SiznoInputError("--spectrum-figures", f"unknown '{spectrum_figures}'", ", ".join(SPECTRUM_FIGURES))
    if plot:
        out = output_folder(out, "drt", force)
    settings = _settings(method, lam, points_per_decade, no_kk)
    if no_inductance:
        from dataclasses import replace

        settings = replace(settings, inductance=False)
    ws = load_windows(windows) if windows is not None else None
    spectra = read_spectra(path, _limits(sweeps, max_spectra, max_points))
    if len(spectra) > 10:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("DRT"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console,
                      transient=True) as prog:
            task = prog.add_task("drt", total=len(spectra))
            series = drt_series(spectra, settings, windows=ws, tolerance_decades=tolerance_decades,
                                state_label="spectrum index (file order)", progress=lambda i: prog.advance(task))
    else:
        series = drt_series(spectra, settings, windows=ws, tolerance_decades=tolerance_decades, state_label="spectrum index (file order)")
    for r in series.results:
        _print_result(r, verbose=len(series) <= 10)
    if len(series) > 1:
        evo = series.resistance_evolution()
        trends = series.trends()
        t = Table(title=f"Series of {len(series)} spectra: resistance by process [Ω] (first → last)")
        for c in ("process", "first", "last", "min", "max", "trend"):
            t.add_column(c)
        for name, r in evo.items():
            t.add_row(name, f"{r[0]:.4g}", f"{r[-1]:.4g}", f"{r.min():.4g}", f"{r.max():.4g}", trends[name])
        console.print(t)
        for n in series.notes:
            err_console.print(f"note: {n}", style="dim", markup=False)
        n_bad = sum(1 for r in series.results if r.kk is not None and not r.kk.valid)
        if n_bad:
            err_console.print(f"warning: {n_bad} of {len(series)} spectra fail the Kramers–Kronig check", style="yellow", markup=False)
    if plot:
        each = spectrum_figures == "all" or (spectrum_figures == "auto" and len(series) <= 10) or (len(series) == 1 and spectrum_figures != "none")
        paths = save_figures(series.results if each else [], out, series if len(series) > 1 else None)
        for p in paths:
            err_console.print(f"wrote {p}", style="dim", markup=False)
    if json_path is not None:
        is_folder = Path(path).is_dir() or len(series) > 1
        # a file: one object; a folder (or a file with several sweeps): a list, one object per spectrum
        write_json(json_path, series.to_list() if is_folder else series.results[0].to_dict())


@eis_app.command("kk")
def kk_command(
    path: Path = typer.Argument(..., help="A spectrum file or folder."),
    json_path: Optional[Path] = JsonOption,
    capacitance: bool = typer.Option(False, "--capacitance", help="Add a series capacitance (blocking electrodes)."),
):
    """Kramers–Kronig (Lin-KK) validity check with its residuals."""
    from sizno.eis.kk import lin_kk
    from sizno.eis.readers import read_spectra

    rows = []
    t = Table(title="Lin-KK check")
    for c in ("spectrum", "M", "μ", "rms [%]", "max [%]", "verdict"):
        t.add_column(c)
    for s in read_spectra(path):
        k = lin_kk(s, capacitance=capacitance)
        t.add_row(s.name, str(k.n_rc), f"{k.mu:.2f}", f"{100 * k.rms_residual:.2f}", f"{100 * k.max_residual:.2f}", "valid" if k.valid else "INVALID")
        rows.append({"name": s.name, **k.summary(), "frequency_Hz": k.frequency_Hz.tolist(), "residual_real": k.residual_real.tolist(), "residual_imag": k.residual_imag.tolist()})
    console.print(t)
    write_json(json_path, rows if len(rows) > 1 else rows[0])


@eis_app.command("fit")
def fit_command(
    path: Path = typer.Argument(..., help="A spectrum file."),
    arcs: Optional[int] = typer.Option(None, "--arcs", help="Number of R‖CPE arcs (default: number of DRT peaks, ≤ 5)."),
    diffusion: str = typer.Option("none", "--diffusion", help="none, warburg, finite_transmissive, finite_reflective."),
    inductance: bool = typer.Option(False, "--inductance", help="Add a series inductance."),
    sweep: Optional[int] = typer.Option(None, "--sweep", help="Which sweep of a multi-sweep file to fit (1-based)."),
    tau_margin_decades: float = typer.Option(1.0, "--tau-margin-decades", help="How far [decades] an arc's time constant may lie outside the measured band."),
    json_path: Optional[Path] = JsonOption,
):
    """Equivalent-circuit fit R0 + n×(R‖CPE) [+ diffusion], seeded from the DRT, kept physical, with standard errors."""
    from sizno.eis.ecm import fit_circuit
    from sizno.eis.readers import read_spectrum

    if sweep is not None and sweep < 1:
        raise SiznoInputError("--sweep", f"{sweep}", ">= 1")
    s = read_spectrum(path, sweep=sweep)
    fit = fit_circuit(s, n_arcs=arcs, diffusion=diffusion, inductance=inductance, tau_margin_decades=tau_margin_decades)  # type: ignore[arg-type]
    t = Table(title=f"{s.name}: {fit.circuit}  (rms residual {100 * fit.rms_residual:.2f} %)")
    for c in ("parameter", "value", "± (1σ)", "unit"):
        t.add_column(c)
    for p in fit.parameters:
        if not p.identified:
            err = "not identified"
        elif p.std is None:
            err = "held at bound"
        else:
            err = f"{p.std:.2g}"
        t.add_row(p.name, f"{p.value:.4g}", err, p.unit)
    console.print(t)
    for n in fit.notes:
        err_console.print(f"  note: {n}", style="dim", markup=False, highlight=False)
    if not fit.success:
        err_console.print(f"warning: optimiser did not converge: {fit.message}", style="yellow", markup=False)
    write_json(json_path, fit.to_dict())


@eis_app.command("simulate")
def simulate_command(
    material: str = typer.Option("si-zno4", "--material", help="Composite name (e.g. si, si-zno4)."),
    state_of_charge: Optional[float] = typer.Option(None, "--state-of-charge", help="One spectrum at this lithiation degree (0..1) along the --step."),
    series: Optional[int] = typer.Option(None, "--series", help="N spectra along the lithiation and the delithiation (GEIS series) with their DRT."),
    step: str = typer.Option("lithiation", "--step", help="lithiation or delithiation (for --state-of-charge)."),
    cycle: int = typer.Option(1, "--cycle", help="Which cycle (K+1 for 'after K cycles')."),
    current_A_per_g: float = typer.Option(0.2, "--current-A-per-g", help="Specific current of the CC steps [A/g] (paper's GEIS: 0.2)."),
    f_max: float = typer.Option(1e6, "--f-max", help="Highest frequency [Hz]."),
    f_min: float = typer.Option(0.1, "--f-min", help="Lowest frequency [Hz]."),
    points_per_decade: int = typer.Option(10, "--points-per-decade", help="Frequencies per decade."),
    mesh_points: int = typer.Option(30, "--mesh-points", help="Finite-volume cells through the electrode."),
    temperature_C: Optional[float] = typer.Option(None, "--temperature-C", help="Cell temperature [°C] (default: the paper's 60 °C)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for figures (series only). Default: a new out/eis-simulate-<date>-<time>; an existing folder with files needs --force."),
    force: bool = ForceOption,
    plot: bool = typer.Option(True, "--plot/--no-plot", help="Write the DRT map figures for a series."),
    json_path: Optional[Path] = JsonOption,
):
    """Model impedance: linearised half-cell model + parallel capacitances, at one state or as a GEIS series."""
    from sizno.lab.geis import STEPS, GEISSimulator
    from sizno.lab.model_spectrum import default_frequencies_Hz

    if (state_of_charge is None) == (series is None):
        raise SiznoInputError("--state-of-charge / --series", "give exactly one", "--state-of-charge 0.5 or --series 10")
    if step not in STEPS:
        raise SiznoInputError("--step", f"'{step}'", "lithiation, delithiation")
    if cycle < 1:
        raise SiznoInputError("--cycle", f"{cycle}", ">= 1")
    if series is not None and not (1 <= series <= 200):
        raise SiznoInputError("--series", f"{series}", "1..200 states")
    f = default_frequencies_Hz(f_max, f_min, points_per_decade)
    if series is not None and plot:
        out = output_folder(out, "eis-simulate", force)
    sim = GEISSimulator(material, current_A_per_g=current_A_per_g, temperature_C=temperature_C, mesh_points=mesh_points)
    if state_of_charge is not None:
        ms = sim.at_state_of_charge(state_of_charge, step, cycle, f)
        r = ms.point.resistances_ohm
        taus = ms.time_constants_s()
        t = Table(title=f"{material}, {step} (cycle {cycle}) at lithiation degree {state_of_charge:g}: V = {ms.point.voltage_V:.4g} V, I = {1e3 * ms.point.current_A:.4g} mA")
        for c in ("part", "R [Ω]", "C [F]", "τ = RC [s]"):
            t.add_column(c)
        for part, (rk, ck) in {"pellet bulk": ("pellet_bulk", "pellet_geometric"), "pellet grain boundary": ("pellet_grain_boundary", "grain_boundary"),
                               "SEI": ("sei", "sei"), "charge transfer": ("charge_transfer", "double_layer"),
                               "counter electrode": ("counter_electrode", "counter_double_layer")}.items():
            t.add_row(part, f"{r[rk]:.4g}", f"{ms.capacitance_F[ck]:.3g}", f"{r[rk] * ms.capacitance_F[ck]:.3g}")
        t.add_row("electrode ohmic", f"{r['electrode_ohmic']:.4g}", "", "")
        console.print(t)
        z = ms.z_ohm
        err_console.print(f"  |Z| {abs(z[0]):.4g} Ω at {f[0]:.3g} Hz … {abs(z[-1]):.4g} Ω at {f[-1]:.3g} Hz; Re Z(f_min) = {z[-1].real:.4g} Ω", style="dim", markup=False)
        write_json(json_path, {"material": material, "step": step, "cycle": cycle, "state_of_charge": state_of_charge, **ms.to_dict(),
                               "time_constants_s": taus})
        return
    from sizno.eis.plots import contour_figure

    payload = []
    for st in STEPS:
        ser = sim.series(st, series, cycle, f)
        d = ser.drt()
        tr = d.trends()
        t = Table(title=f"{material}: {st} (cycle {cycle}) at {current_A_per_g:g} A/g, {len(ser)} states — DRT resistance by the paper's windows [Ω]")
        for c in ("progress [%]", "V [V]", "R∞", "electrolyte", "sei", "charge_transfer", "unassigned", "model R_ct"):
            t.add_column(c)
        for i, r in enumerate(d.results):
            bp = r.resistance_by_process()
            t.add_row(f"{100 * ser.progress[i]:.0f}", f"{ser.voltage_V[i]:.3f}", f"{r.r_inf_ohm:.4g}",
                      *(f"{bp.get(k, 0.0):.4g}" for k in ("electrolyte", "sei", "charge_transfer", "unassigned")),
                      f"{ser.spectra[i].point.resistances_ohm['charge_transfer']:.4g}")
        console.print(t)
        err_console.print("  trends: " + ", ".join(f"{k} {v}" for k, v in tr.items()), style="dim", markup=False)
        if plot:
            p = contour_figure(d, Path(out) / f"{material}_{st}_cycle{cycle}_drt_map.png")
            err_console.print(f"wrote {p}", style="dim", markup=False)
        payload.append({**ser.to_dict(), "drt": d.to_list(), "trends": tr})
    write_json(json_path, payload)


def register(app: typer.Typer) -> None:
    """Mount `sizno drt` and `sizno eis ...` on the main app."""
    app.command("drt")(drt_command)
    app.add_typer(eis_app, name="eis")
