"""`sizno reproduce`: the areas of the paper, each adding records and figures to out/."""

from __future__ import annotations

import importlib
import inspect
import time
from pathlib import Path
from typing import Callable

from rich.console import Console

from sizno.errors import SiznoInputError
from sizno.reproduce.records import Record

AREAS = ("composition", "half-cell", "full-cell", "structure", "impedance", "atomistic")
# atomistics (CHGNet NEBs, ~10 min on 2 cores) runs only when asked for: --only atomistic
DEFAULT_AREAS = ("composition", "half-cell", "full-cell", "structure", "impedance")


def _progress(console: Console):
    from sizno.clitools import err_console, progress

    # a bar on a terminal, a line every few seconds in a log (on stderr when the report goes to stdout)
    return progress(console if console.is_terminal else err_console)


def _composition(out_dir: Path, quick: bool, console: Console) -> tuple[list[Record], list[Path]]:
    from sizno.reproduce.composition import composition_figures, composition_records

    return composition_records(), composition_figures(out_dir)


def _half_cell(out_dir: Path, quick: bool, console: Console) -> tuple[list[Record], list[Path]]:
    from sizno.reproduce.half_cell import MATERIALS_25C, MATERIALS_60C, half_cell_records, run_campaign
    from sizno.reproduce.report import half_cell_figures
    from sizno.experiments.protocols import load_protocol

    n_runs = len(MATERIALS_60C) + len(MATERIALS_25C)
    p = load_protocol("rate-test")
    steps = (p.with_repeat(1) if quick else p).n_steps * n_runs
    with _progress(console) as prog:
        task = prog.add_task("half cells", total=steps)
        campaign = run_campaign(
            quick=quick,
            on_run=lambda label: prog.update(task, description=f"half cell: {label}"),
            on_step=lambda: prog.advance(task),
        )
    records = half_cell_records(campaign)
    for (m, t), r in campaign.runs.items():
        if not r.completed:
            console.print(f"{m} at {t:g} °C: {r.stop_reason}", style="yellow", markup=False)
        r.cycles.to_csv(out_dir / f"half_cell_{m}_{t:g}C_cycles.csv", index=False)
    return records, half_cell_figures(campaign, out_dir)


def _full_cell(out_dir: Path, quick: bool, console: Console) -> tuple[list[Record], list[Path]]:
    from sizno.reproduce.full_cell import full_cell_figures, full_cell_records, planned_steps, run_campaign

    with _progress(console) as prog:
        task = prog.add_task("full cells and ageing", total=planned_steps(quick))
        campaign = run_campaign(quick=quick, on_run=lambda label: prog.update(task, description=label),
                                on_step=lambda: prog.advance(task))
    for label, r in campaign.runs.items():
        if not r.completed:
            console.print(f"{label}: {r.stop_reason}", style="yellow", markup=False)
        r.cycles.to_csv(out_dir / f"{label.replace(' ', '_')}_cycles.csv", index=False)
    return full_cell_records(campaign), full_cell_figures(campaign, out_dir)


def _area_module(module: str) -> Callable:
    """An area that ships `reproduce_records([quick])` and `reproduce_figures(out_dir[, quick])`."""

    def run(out_dir: Path, quick: bool, console: Console) -> tuple[list[Record], list[Path]]:
        mod = importlib.import_module(module)

        def call(fn, *args):
            return fn(*args, quick=quick) if "quick" in inspect.signature(fn).parameters else fn(*args)

        keys = ("id", "quantity", "unit", "paper", "model", "role")
        with _progress(console) as prog:  # no step counts here: the elapsed time, as a line every few seconds in a log
            task = prog.add_task(f"{module.split('.')[1]}: records", total=None)
            recs = [Record(**{k: d.get(k) for k in keys}, note=d.get("note", ""), band=d.get("band"))
                    for d in call(mod.reproduce_records)]
            prog.update(task, description=f"{module.split('.')[1]}: figures")
            figs = call(mod.reproduce_figures, out_dir) if hasattr(mod, "reproduce_figures") else []
        return recs, list(figs)

    return run


_RUNNERS: dict[str, Callable] = {
    "composition": _composition,
    "half-cell": _half_cell,
    "full-cell": _full_cell,
    "structure": _area_module("sizno.structure.reproduce"),
    "impedance": _area_module("sizno.eis.reproduce"),
    "atomistic": _area_module("sizno.atomistic.reproduce"),
}


def reproduce(out_dir: Path, quick: bool = False, only: list[str] | None = None, skip: list[str] | None = None,
              console: Console | None = None) -> dict:
    """Run the chosen areas; write out_dir/summary.json, the figures and out_dir/report.html; return the summary."""
    from sizno.reproduce.html_report import build_report, enrich
    from sizno.reproduce.provenance import provenance
    from sizno.reproduce.report import records_table, write_summary
    from sizno.reproduce.standing import standing, standing_table

    console = console or Console()
    for name in (only or []) + (skip or []):
        if name not in AREAS:
            raise SiznoInputError("--only/--skip", f"unknown area '{name}'", ", ".join(AREAS))
    areas = [a for a in (AREAS if only else DEFAULT_AREAS) if (not only or a in only) and a not in (skip or [])]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    prov = provenance(quick)
    records: list[Record] = []
    rows: list[dict] = []
    figures: list[Path] = []
    timings = {}

    def summary(**state) -> Path:  # rewritten after each area: a stopped run keeps the areas that finished
        prov["seconds_by_area"] = {k: round(v, 2) for k, v in timings.items()}
        return write_summary(rows, out_dir, {"quick": quick, "areas": areas, "areas_done": list(timings),
                                             "seconds": timings, "figures": [str(f.name) for f in figures],
                                             "standing": standing(rows), "provenance": prov, **state})

    for area in areas:
        t0 = time.perf_counter()
        try:
            recs, figs = _RUNNERS[area](out_dir, quick, console)
        except ModuleNotFoundError as exc:
            console.print(f"{area}: skipped ({exc})", style="yellow", markup=False)
            continue
        except KeyboardInterrupt:
            path = summary(completed=False, stop_reason=f"interrupted during {area}")
            raise KeyboardInterrupt(f"stopped during {area}; {path} holds the {len(timings)} areas that finished") from None
        records += recs
        rows += [enrich(dict(r.as_dict(), area=area)) for r in recs]
        figures += figs
        timings[area] = time.perf_counter() - t0
        if area != areas[-1]:
            summary(completed=False, stop_reason="running")
            console.print(f"{area}: {len(recs)} records in {timings[area]:.0f} s (summary.json updated)", markup=False,
                          highlight=False)
    path = summary(completed=True, stop_reason="")
    st = standing(rows)
    console.print(records_table(records))
    console.print(standing_table(st))
    report = build_report(out_dir)
    for name in report.missing_figures:
        console.print(f"figure {name} is missing from {out_dir}/", style="yellow", markup=False)
    console.print(f"wrote {path} and {len(figures)} figures to {out_dir}/")
    console.print(f"open {report.path} first: the paper twin as one page")
    return {"records": rows, "standing": st, "path": str(path), "report": str(report.path)}
