"""CLI of the Structure area: ``sizno xrd pattern|index``, ``sizno dspacing``, ``sizno raman``.

Imported by ``sizno.cli`` at start-up for every command, so nothing heavy (pymatgen, scipy,
matplotlib) is imported here at module level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from sizno.clitools import ForceOption, JsonOption, PlotOption, command_group, console, output_file, output_folder, write_json
from sizno.errors import SiznoInputError

xrd_app = command_group("xrd", "Powder XRD: patterns of phases, mixtures and electrode states; indexing of a measured pattern.")


def _parse_fractions(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise SiznoInputError("--fractions", f"'{part}' is not phase=fraction", "e.g. c-Si=0.9,ZnO=0.1")
        k, v = part.split("=", 1)
        try:
            out[k.strip()] = float(v)
        except ValueError:
            raise SiznoInputError("--fractions", f"'{v}' is not a number", "phase=fraction, fraction >= 0") from None
    return out


def _wavelength(text: str):
    try:
        return float(text)
    except ValueError:
        return text


@xrd_app.command("pattern")
def xrd_pattern(
    phase: Optional[List[str]] = typer.Option(None, "--phase", help="A phase (repeatable, equal mass each): Si, ZnO, Zn, LiZn, Li2O, Li13Si4, Li15Si4, c-Si, a-Si, a-LixSi."),
    fractions: Optional[str] = typer.Option(None, help="Mass fractions, e.g. 'c-Si=0.9,ZnO=0.1' (normalised to 1)."),
    material: Optional[str] = typer.Option(None, help="A material (si, si-zno2, si-zno4, si-zno8, or zno_wt_pct=X / zinc_acetate_g=A,silicon_g=B) for a virtual ex-situ pattern."),
    state: str = typer.Option("pristine", help="Electrode state with --material, from the half-cell model: pristine, lithiated (end of lithiation), delithiated / cycled (end of delithiation)."),
    cycle: int = typer.Option(1, "--cycle", help="With --material: the number of the cycle whose end of lithiation/delithiation is shown (first-cycle protocol repeated)."),
    quick: bool = typer.Option(False, "--quick", help="With --material: coarse mesh for the model run (a few seconds)."),
    wavelength: str = typer.Option("CuKa", help="Tube line (CuKa, CuKa1, MoKa, ...) or a wavelength in Å."),
    two_theta_min: float = typer.Option(10.0, help="Lower end of the scan [deg]."),
    two_theta_max: float = typer.Option(80.0, help="Upper end of the scan [deg]."),
    step_deg: float = typer.Option(0.02, help="Step [deg]."),
    crystallite_nm: Optional[float] = typer.Option(None, help="Override the crystallite size of every phase [nm] (Scherrer)."),
    instrument_fwhm_deg: float = typer.Option(0.08, help="Instrument FWHM [deg]."),
    lines: int = typer.Option(10, help="How many of the strongest lines to list."),
    output: Optional[Path] = typer.Option(None, "--output", help="Write the pattern (2θ, total, components) as CSV to this file, and its PNG beside it (nothing is written without it)."),
    force: bool = ForceOption,
    plot: bool = typer.Option(True, "--plot/--no-plot", help="With --output: also write the PNG beside the CSV."),
    json_path: Optional[Path] = JsonOption,
):
    """Compute a powder pattern: one or more phases, a mixture, or a material in an electrode state."""
    if output is not None:
        if output.suffix.lower() != ".csv":
            raise SiznoInputError("--output", f"'{output}' is not a .csv file", "a path ending in .csv")
        output = output_file(output, "xrd-pattern", ".csv", force, companions=(".png",) if plot else ())
    source = PatternSource(tuple(phase) if phase else None, fractions, material, state, cycle, quick)
    scan = PatternScan(wavelength, two_theta_min, two_theta_max, step_deg, crystallite_nm, instrument_fwhm_deg)
    write_pattern(source, scan, lines, output, plot, json_path)


@dataclass(frozen=True)
class PatternSource:
    """What `sizno xrd pattern` draws: phases (equal mass), a mixture, or a material in an electrode state."""

    phase: Optional[tuple[str, ...]]
    fractions: Optional[str]
    material: Optional[str]
    state: str
    cycle: int
    quick: bool

    def mass_fractions(self):
        """(mass fractions, label, the model's electrode state or None); prints the model's phases."""
        chosen = sum(x is not None and x != [] for x in (self.phase, self.fractions, self.material))
        if chosen != 1:
            raise SiznoInputError("pattern", "give exactly one of --phase, --fractions, --material", "--phase Si | --fractions c-Si=0.9,ZnO=0.1 | --material si-zno4 --state lithiated")
        if self.material:
            from sizno.lab.exsitu import model_states

            model = model_states(self.material, (self.state,), self.cycle, self.quick)[self.state]
            _print_model_phases(model)
            return (model.mass_fractions, f"{self.material} {self.state}" + (f" (cycle {model.cycle})" if model.cycle > 1 else ""),
                    model)
        if self.fractions:
            return _parse_fractions(self.fractions), "mixture", None
        return {p: 1.0 for p in self.phase}, " + ".join(self.phase), None  # type: ignore[union-attr, arg-type]


@dataclass(frozen=True)
class PatternScan:
    """The scan and the peak shapes of `sizno xrd pattern`."""

    wavelength: str
    two_theta_min: float
    two_theta_max: float
    step_deg: float
    crystallite_nm: Optional[float]
    instrument_fwhm_deg: float

    def pattern(self, fractions: dict[str, float], label: str):
        from sizno.structure.xrd import mixture_pattern

        sizes = {k: self.crystallite_nm for k in fractions} if self.crystallite_nm is not None else None
        return mixture_pattern(fractions, wavelength=_wavelength(self.wavelength),
                               two_theta_range_deg=(self.two_theta_min, self.two_theta_max), step_deg=self.step_deg,
                               crystallite_nm=sizes, instrument_fwhm_deg=self.instrument_fwhm_deg, label=label)


def write_pattern(source: PatternSource, scan: PatternScan, lines: int, output: Optional[Path], plot: bool,
                  json_path: Optional[Path]) -> None:
    """Compute the pattern, print its phases and strongest lines, write CSV (+ PNG) and JSON."""
    fr, label, model = source.mass_fractions()
    pat = scan.pattern(fr, label)
    t = Table(title=f"XRD {label} (λ = {pat.wavelength_A:.5f} Å)")
    for c in ("phase", "mass frac.", "vol. frac.", "structure", "crystallite (nm)"):
        t.add_column(c)
    for k in pat.forms:
        f = pat.forms[k]
        t.add_row(k, f"{pat.mass_fractions[k]:.3f}", f"{pat.volume_fractions[k]:.3f}", f.structure, f"{f.crystallite_nm:g}" + (" (amorphous)" if f.amorphous else ""))
    console.print(t)
    t2 = Table(title="strongest lines")
    for c in ("phase", "hkl", "2θ (deg)", "d (nm)", "height"):
        t2.add_column(c, justify="right")
    for r in pat.strongest_lines(lines):
        t2.add_row(r["phase"], r["hkl"], f"{r['two_theta_deg']:.2f}", f"{r['d_spacing_nm']:.4f}", f"{r['height']:.1f}")
    console.print(t2)
    if output is not None:
        _write_pattern_files(pat, output, plot)
    out = pat.to_dict()
    if model is not None:
        out["model"] = model.to_dict()
    write_json(json_path, out)


def _write_pattern_files(pat, output: Path, plot: bool) -> None:
    """The pattern as CSV (2θ, total, one column per phase) and, with `plot`, its PNG beside it."""
    import numpy as np

    output.parent.mkdir(parents=True, exist_ok=True)
    cols = [pat.two_theta_deg, pat.intensity] + list(pat.components.values())
    np.savetxt(output, np.column_stack(cols), delimiter=",", fmt="%.6g", header=",".join(["two_theta_deg", "total"] + list(pat.components)), comments="")
    console.print(f"wrote {output}")
    if plot:
        from sizno.structure.plots import plot_pattern

        console.print(f"wrote {plot_pattern(pat, output.with_suffix('.png'))}")


def _print_model_phases(model) -> None:
    t = Table(title=f"{model.material} {model.state}: phases from the half-cell model ({model.source})")
    for c in ("phase", "mass frac.", "g per g composite"):
        t.add_column(c, justify="right")
    for k, v in model.mass_fractions.items():
        t.add_row(k, f"{v:.4f}", f"{model.grams_per_g_composite[k]:.4f}")
    console.print(t)
    am = "a-LixSi" if model.state == "lithiated" else "a-Si"
    console.print(f"x in amorphous Li_xSi ({am}): {model.x_li_per_si_amorphous:.3f} (trapped {model.x_li_per_si_trapped:.3f}); "
                  f"Li held: {1000 * model.li_total_mol_per_g_composite:.3f} mmol per g composite")


@xrd_app.command("index")
def xrd_index(
    file: Path = typer.Argument(..., help="Two-column text/CSV file: 2θ [deg], intensity."),
    tolerance_deg: float = typer.Option(0.3, help="Match tolerance [deg 2θ] (widened to FWHM/2 for broad peaks)."),
    wavelength: str = typer.Option("CuKa", help="Tube line or wavelength in Å used for the measurement."),
    phase: Optional[List[str]] = typer.Option(None, "--phase", help="Restrict the library to these phases (repeatable)."),
    background_window_deg: float = typer.Option(6.0, help="SNIP background clipping window [deg]."),
    min_snr: float = typer.Option(4.0, help="Minimum peak prominence in units of the local noise."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for the PNG of the indexed pattern (<file>-indexed.png). Default: a new out/xrd-index-<date>-<time>; an existing folder with files needs --force."),
    force: bool = ForceOption,
    plot: bool = PlotOption,
    json_path: Optional[Path] = JsonOption,
):
    """Index a measured pattern: background, peaks, and a ranked list of phases with their planes."""
    from sizno.structure.indexing import index_pattern, read_pattern

    if plot:
        out = output_folder(out, "xrd-index", force)

    x, y = read_pattern(file)
    res = index_pattern(
        x, y, wavelength=_wavelength(wavelength), tolerance_deg=tolerance_deg, phases=phase or None,
        background_window_deg=background_window_deg, min_snr=min_snr,
    )
    t = Table(title=f"phases in {file.name} ({len(res.peaks)} peaks, tolerance {tolerance_deg}°)")
    for c in ("phase", "status", "score", "coverage", "explained", "planes (peak 2θ)"):
        t.add_column(c)
    for m in res.phases:
        if m.score < 0.05 and m.status == "unlikely":
            continue
        planes = ", ".join(f"{d['hkl']} {d['peak_two_theta_deg']:.2f}" for d in m.matched[:8])
        t.add_row(m.phase, m.status, f"{m.score:.2f}", f"{m.coverage:.2f}", f"{m.explained:.2f}", planes)
    console.print(t)
    if res.ambiguous:
        console.print("ambiguous peaks:")
        for a in res.ambiguous:
            console.print(f"  {a['two_theta_deg']:.2f}°: " + " | ".join(a["candidates"][:6]))
    if res.unexplained:
        console.print("unexplained peaks (deg): " + ", ".join(f"{v:.2f}" for v in res.unexplained))
    if plot:
        from sizno.structure.plots import plot_index

        console.print(f"wrote {plot_index(x, y, res, out / f'{file.stem}-indexed.png', title=file.name)}")
    write_json(json_path, res.to_dict())


def dspacing(
    d_spacing_nm: Optional[float] = typer.Argument(None, help="Fringe spacing [nm], e.g. 0.22."),
    tolerance_nm: float = typer.Option(0.005, help="Tolerance [nm]."),
    min_intensity: float = typer.Option(0.0, help="Only planes with a powder intensity of at least this (0–100)."),
    phase: Optional[str] = typer.Option(None, help="Reverse lookup: the phase (with --hkl)."),
    hkl: Optional[str] = typer.Option(None, help="Reverse lookup: the plane, e.g. 321 or '1 0 -1'."),
    wavelength: str = typer.Option("CuKa", help="Wavelength for the 2θ of the reverse lookup."),
    json_path: Optional[Path] = JsonOption,
):
    """Which phase and plane give a lattice fringe of this spacing (or: d and 2θ of a plane)."""
    from sizno.structure.dspacing import lookup_d_spacing, plane_spacing

    if phase or hkl:
        if not (phase and hkl):
            raise SiznoInputError("--phase/--hkl", "the reverse lookup needs both", "--phase LiZn --hkl 331")
        ps = plane_spacing(phase, hkl, _wavelength(wavelength))
        tt = "no reflection (λ > 2d)" if math.isnan(ps.two_theta_deg) else f"{ps.two_theta_deg:.3f}°"
        console.print(
            f"{ps.phase} ({ps.hkl}): d = {ps.d_spacing_nm:.4f} nm, 2θ = {tt} at λ = {ps.wavelength_A:.5f} Å; "
            + (f"powder intensity {ps.intensity_rel:.1f}" if ps.allowed else "systematically absent (F = 0)")
        )
        write_json(json_path, ps.to_dict())
        return
    if d_spacing_nm is None:
        raise SiznoInputError("d_spacing_nm", "missing", "a spacing in nm, or --phase and --hkl")
    cands = lookup_d_spacing(d_spacing_nm, tolerance_nm, min_intensity_rel=min_intensity)
    t = Table(title=f"planes with d = {d_spacing_nm} ± {tolerance_nm} nm")
    for c in ("phase", "hkl", "d (nm)", "Δ (nm)", "powder intensity"):
        t.add_column(c, justify="right")
    for c in cands[:25]:
        t.add_row(c.phase, c.hkl, f"{c.d_spacing_nm:.4f}", f"{c.delta_nm:+.4f}", f"{c.intensity_rel:.1f}")
    console.print(t)
    if len(cands) > 25:
        console.print(f"... {len(cands) - 25} more (raise --min-intensity or lower --tolerance-nm)")
    if not cands:
        console.print("no plane within the tolerance")
    write_json(json_path, {"d_spacing_nm": d_spacing_nm, "tolerance_nm": tolerance_nm, "candidates": [c.to_dict() for c in cands]})


def raman(
    wavenumber_cm1: Optional[float] = typer.Argument(None, help="Measured band [cm-1]; leave out for the whole table."),
    tolerance_cm1: float = typer.Option(15.0, help="Tolerance [cm-1]."),
    json_path: Optional[Path] = JsonOption,
):
    """Which phase a Raman band belongs to (table with sources)."""
    from sizno.structure.raman import lookup_raman, raman_bands

    if wavenumber_cm1 is None:
        rows = [(b, None) for b in raman_bands()]
        title = "Raman bands"
    else:
        rows = lookup_raman(wavenumber_cm1, tolerance_cm1)
        title = f"Raman bands within {tolerance_cm1} cm-1 of {wavenumber_cm1} cm-1"
    t = Table(title=title)
    for c in ("phase", "mode", "ν (cm-1)", "Δ (cm-1)", "source"):
        t.add_column(c)
    for b, d in rows:
        t.add_row(b.phase, b.mode, f"{b.wavenumber_cm1:g}", "" if d is None else f"{d:+.1f}", b.source)
    console.print(t)
    if not rows:
        console.print("no band in the table within the tolerance")
    write_json(
        json_path,
        {"wavenumber_cm1": wavenumber_cm1, "tolerance_cm1": tolerance_cm1, "bands": [dict(b.to_dict(), delta_cm1=d) for b, d in rows]},
    )


def register(app: typer.Typer) -> None:
    """Mount the Structure commands on the main app."""
    app.add_typer(xrd_app, name="xrd")
    app.command("dspacing")(dspacing)
    app.command("raman")(raman)
