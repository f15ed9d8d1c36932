"""`sizno analyze FILE...`: tester files → metrics table, plots, JSON, BDF copies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Optional

import typer
from rich.table import Table

from sizno.clitools import ForceOption, JsonOption, PlotOption, console, err_console, output_folder, write_json
from sizno.errors import SiznoInputError


def _fmt(x: Any, nd: int = 4) -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    if f != f:
        return "–"
    return f"{f:.{nd}g}"


def _table(res, stem: str, max_rows: int = 14) -> Table:
    cy = res.cycles
    per_g = "delithiation_capacity_mAh_per_g" in cy
    t = Table(title=f"{stem}: per cycle (average voltages and hysteresis in V)")
    cols = [("cycle", "cycle_index")]
    if per_g:
        cols += [("lith mAh/g", "lithiation_capacity_mAh_per_g"), ("delith mAh/g", "delithiation_capacity_mAh_per_g")]
    else:
        cols += [("lith mAh", "lithiation_capacity_mAh"), ("delith mAh", "delithiation_capacity_mAh")]
    cols += [("CE %", "coulombic_efficiency_percent"), ("ret. %", "retention_percent"),
             ("V lith", "average_lithiation_voltage_V"), ("V delith", "average_delithiation_voltage_V"),
             ("hyst V", "voltage_hysteresis_V")]
    for name, _ in cols:
        t.add_column(name, justify="right")
    rows = list(range(len(cy)))
    if len(rows) > max_rows:
        rows = rows[: max_rows - 4] + [-1] + rows[-3:]
    for r in rows:
        if r == -1:
            t.add_row(*["…"] * len(cols))
            continue
        t.add_row(*[str(int(cy.iloc[r][k])) if k == "cycle_index" else _fmt(cy.iloc[r][k], 3 if k.endswith("_V") else 4)
                    for _, k in cols])
    return t


@dataclass(frozen=True)
class AnalyzeSettings:
    """How `sizno analyze` reads each file and computes its metrics (its options about the analysis)."""

    mass_mg: Optional[float]
    mass_basis: str
    area_cm2: Optional[float]
    electrode: str
    reference_cycle: Optional[int]
    mapping: Optional[Path]
    dqdv_bin_mv: float
    dqdv_smooth_bins: float
    dqdv_cycles: Optional[str]
    tolerance_percent: float


@dataclass(frozen=True)
class AnalyzeOutputs:
    """What `sizno analyze` writes beside the tables: plots and BDF copies into `folder`."""

    folder: Optional[Path]
    plot: bool
    bdf: bool
    bdf_parquet: bool


def analyze(
    files: List[Path] = typer.Argument(..., help="Tester files: LAND .xlsx/.csv, Neware .ndax/.csv, BioLogic .mpt, "
                                                "Arbin .res/.csv/.xlsx, Maccor .txt, BDF .csv/.parquet, generic CSV (with --mapping)."),
    mass_mg: Optional[float] = typer.Option(None, help="Electrode material mass [mg] for per-gram values."),
    mass_basis: str = typer.Option("active", help="What the mass means: 'active' (per g of it) or 'paper-si' "
                                                   "(per g of 0.8 × mass: the paper's Si share of the Si–ZnO composite)."),
    area_cm2: Optional[float] = typer.Option(None, help="Electrode area [cm²] for per-area values (8 mm disc: 0.503)."),
    electrode: str = typer.Option("half", help="'half': Si working electrode vs Li/Li–In (discharge = lithiation); "
                                                "'full-negative': Si negative in a full cell (charge = lithiation)."),
    reference_cycle: Optional[int] = typer.Option(None, help="Cycle for retention (default: first complete cycle)."),
    mapping: Optional[Path] = typer.Option(None, help="Column mapping TOML for a generic CSV/Excel file."),
    dqdv_bin_mv: float = typer.Option(5.0, "--dqdv-bin-mV", help="dQ/dV voltage bin width [mV]."),
    dqdv_smooth_bins: float = typer.Option(2.0, help="dQ/dV Gaussian smoothing σ in bins (0 = none)."),
    dqdv_cycles: Optional[str] = typer.Option(None, help="Cycles for dQ/dV, e.g. '1,2,last' or 'all' (default: first two and last complete)."),
    tolerance_percent: float = typer.Option(1.0, help="Flag cycles where coulomb counting and the tester differ by more [%]."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for the PNG plots and BDF copies. Default: a new out/analyze-<date>-<time>; an existing folder with files needs --force."),
    force: bool = ForceOption,
    plot: bool = PlotOption,
    bdf: bool = typer.Option(False, "--bdf", help="Also write each file's tidy table to the --out folder as BDF (<name>.bdf.csv, or .parquet with --bdf-parquet)."),
    bdf_parquet: bool = typer.Option(False, "--bdf-parquet", help="Write the BDF copy as Parquet."),
    json_path: Optional[Path] = JsonOption,
):
    """Read cycler files and report per-cycle capacity, CE, ICE, retention, average voltages, energy, hysteresis, dQ/dV."""
    settings = AnalyzeSettings(mass_mg, mass_basis, area_cm2, electrode, reference_cycle, mapping, dqdv_bin_mv,
                               dqdv_smooth_bins, dqdv_cycles, tolerance_percent)
    outputs = AnalyzeOutputs(output_folder(out, "analyze", force) if (plot or bdf) else None, plot, bdf, bdf_parquet)
    results: list[dict[str, Any]] = []
    failed: list[dict[str, str]] = []
    for f in files:
        try:
            data, res = _read_and_measure(f, settings)
        except SiznoInputError as exc:
            if len(files) == 1:
                raise
            failed.append({"file": str(f), "error": str(exc)})
            err_console.print(f"failed: {exc}", markup=False, highlight=False)
            continue
        _print_file(f, data, res)
        results.append(_write_extras(f, data, res, outputs))
    _finish(files, results, failed, json_path)


def _read_and_measure(f: Path, s: AnalyzeSettings):
    """(the file as a CyclerData, its metrics)."""
    from sizno.io.metrics import compute_metrics
    from sizno.io.readers import read

    data = read(f, mapping=s.mapping, mapping_only_for_generic=True)
    res = compute_metrics(data, mass_mg=s.mass_mg, mass_basis=s.mass_basis, area_cm2=s.area_cm2, electrode=s.electrode,
                          reference_cycle=s.reference_cycle, tolerance_percent=s.tolerance_percent,
                          dqdv_bin_V=s.dqdv_bin_mv * 1e-3, dqdv_sigma_bins=s.dqdv_smooth_bins, dqdv_cycles=s.dqdv_cycles)
    return data, res


def _rate_table(rate_table) -> Table:
    """Rate capability: blocks of cycles at one current."""
    rt = Table(title="rate capability (blocks of cycles at one current)")
    heads = {"block": "block", "first_cycle_index": "first", "last_cycle_index": "last",
             "delithiation_current_mA": "I delith mA", "mean_delithiation_capacity_mAh": "delith mAh",
             "delithiation_current_mA_per_g": "mA/g", "mean_delithiation_capacity_mAh_per_g": "delith mAh/g",
             "mean_coulombic_efficiency_percent": "CE %"}
    keys = [k for k in heads if k in rate_table]
    for k in keys:
        rt.add_column(heads[k], justify="right")
    for _, r in rate_table.iterrows():
        rt.add_row(*[_fmt(r[k]) for k in keys])
    return rt


def _print_file(f: Path, data, res) -> None:
    """One file's per-cycle table, ICE and retention, capacity check, notes and rate table."""
    console.print(f"{f}: {data.meta.get('tester')} {data.meta.get('format')} "
                  f"({data.meta.get('detected_by')}); {len(data.data)} rows", highlight=False, style="bold")
    console.print(_table(res, f.name))
    s = res.summary
    if s.get("ice_percent") is None:
        console.print("ICE and retention: none (the file holds no complete cycle: a lithiation and a delithiation)",
                      highlight=False)
    else:
        console.print(f"ICE {_fmt(s['ice_percent'])}% (cycle {s['ice_cycle_index']}); retention of the last complete cycle "
                      f"({s['last_complete_cycle_index']}) "
                      f"{_fmt(s['last_retention_percent'])}% vs cycle {s['reference_cycle_index']}", highlight=False)
    console.print(f"capacity: {res.capacity_check.get('statement')}", highlight=False)
    console.print(f"mapping: {res.settings['half_cell_mapping']}", highlight=False, style="dim")
    for n in res.notes:
        if n != res.capacity_check.get("statement"):
            console.print(f"note: {n}", highlight=False, markup=False)
    if res.rate_table is not None:
        console.print(_rate_table(res.rate_table))


def _write_extras(f: Path, data, res, outputs: AnalyzeOutputs) -> dict[str, Any]:
    """The file's JSON item, after writing its plots and BDF copy where asked."""
    item = {"file": str(f), "tester": data.meta.get("tester"), "format": data.meta.get("format"),
            "detected_by": data.meta.get("detected_by"), **res.to_dict()}
    if outputs.plot and outputs.folder is not None:
        from sizno.io.plots import plot_all

        item["plots"] = [str(p) for p in plot_all(data, res, outputs.folder, f.name.replace(".", "_"))]
        console.print(f"plots: {', '.join(item['plots'])}", highlight=False, style="dim")
    if outputs.bdf and outputs.folder is not None:
        p = data.to_bdf(outputs.folder / (f.stem + (".bdf.parquet" if outputs.bdf_parquet else ".bdf.csv")))
        item["bdf"] = str(p)
        console.print(f"BDF: {p}", highlight=False, style="dim")
    return item


def _finish(files: List[Path], results: list[dict[str, Any]], failed: list[dict[str, str]], json_path: Optional[Path]) -> None:
    """Report failures, write the JSON (one file: its item; several: all), exit 1 (some failed) or 2 (all failed)."""
    if failed:
        err_console.print(f"{len(failed)} of {len(files)} file(s) failed: " + ", ".join(x["file"] for x in failed),
                          markup=False, highlight=False)
    if len(files) == 1 and results:
        payload: dict[str, Any] = {**results[0], "failed": failed}
    else:
        payload = {"files": results, "failed": failed,
                   "cycles": [{"file": r["file"], **c} for r in results for c in r["cycles"]]}
    write_json(json_path, payload)
    if failed:
        raise typer.Exit(2 if not results else 1)


def register(app: typer.Typer) -> None:
    app.command()(analyze)
