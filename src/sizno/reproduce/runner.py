"""`sizno reproduce`: the areas of the paper, each adding records and figures to out/."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Sequence

from rich.console import Console

from sizno.errors import SiznoInputError
from sizno.reproduce.areas import paper_areas
from sizno.reproduce.html_report import build_report, enrich
from sizno.reproduce.provenance import provenance
from sizno.reproduce.records import Record
from sizno.reproduce.report import records_table, write_summary
from sizno.reproduce.standing import standing, standing_table

AREAS = tuple(paper_areas())
# atomistics (CHGNet NEBs, ~10 min on 2 cores) runs only when asked for: --only atomistic
DEFAULT_AREAS = ("composition", "half-cell", "full-cell", "structure", "impedance")


def reproduce(out_dir: Path, quick: bool = False, only: list[str] | None = None, skip: list[str] | None = None,
              console: Console | None = None, atomistic_cross_check: Sequence[str] | None = None) -> dict:
    """Run the chosen areas; write out_dir/summary.json, the figures and out_dir/report.html; return the summary.
    `atomistic_cross_check`: second potentials beside CHGNet in the atomistic area (None: its default)."""
    console = console or Console()
    registry = paper_areas(atomistic_cross_check)
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
            output = registry[area].run(out_dir, quick, console)
        except ModuleNotFoundError as exc:
            console.print(f"{area}: skipped ({exc})", style="yellow", markup=False)
            continue
        except KeyboardInterrupt:
            path = summary(completed=False, stop_reason=f"interrupted during {area}")
            raise KeyboardInterrupt(f"stopped during {area}; {path} holds the {len(timings)} areas that finished") from None
        recs = output.records
        records += recs
        rows += [enrich(dict(r.as_dict(), area=area)) for r in recs]
        figures += output.figures
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
