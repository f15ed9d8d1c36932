"""The report: summary.json, a table on the console, and figures (PNG)."""

from __future__ import annotations

import json
from pathlib import Path

from rich.table import Table

from sizno.reproduce.half_cell import HalfCellCampaign
from sizno.reproduce.plots import (
    MATERIAL_LABEL as LABEL, figure_dqdv, figure_first_cycle_temperatures, figure_rate_vs_current)
from sizno.reproduce.records import Record
from sizno.reproduce.reference import paper_reference
from sizno.reproduce.standing import is_within


def write_summary(records: list[Record] | list[dict], out_dir: Path, extra: dict | None = None) -> Path:
    """out_dir/summary.json: the records (Record or their dicts) and `extra` keys."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "summary.json"
    payload = {"records": [r if isinstance(r, dict) else r.as_dict() for r in records]}
    if extra:
        payload.update(extra)
    path.write_text(json.dumps(payload, indent=2, default=float))
    return path


def records_table(records: list[Record]) -> Table:
    t = Table(title="sizno reproduce: paper vs model")
    for col, j in (("id", "left"), ("unit", "left"), ("paper", "right"), ("model", "right"), ("rel. error", "right"), ("role", "left")):
        t.add_column(col, justify=j)
    for r in records:
        err = "" if r.relative_error is None else f"{100 * r.relative_error:+.1f} %"
        within = is_within(r.as_dict())
        style = "" if within is None else ("green" if within else "red")
        t.add_row(r.id, r.unit or "", "—" if r.paper is None else f"{r.paper:g}", "—" if r.model is None else f"{r.model:.4g}",
                  err, r.role, style=style)
    return t


def half_cell_figures(c: HalfCellCampaign, out_dir: Path) -> list[Path]:
    """First cycle 60 °C beside 25 °C, rate capability vs current (both temperatures), dQ/dV."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ref = {r.id: r for r in paper_reference()}
    first = {step: ref[f"half_cell.first_cycle.si_zno4.{key}"].value
             for step, key in (("lithiation", "discharge_mAh_g"), ("delithiation", "charge_mAh_g"))
             if f"half_cell.first_cycle.si_zno4.{key}" in ref}
    paper_rates = []
    for m, _ in c.runs:
        key = m.replace("-", "_")
        for r in ref.values():
            for prefix, temp in ((f"half_cell.rate.{key}.", 60.0), (f"half_cell.room_temperature.{key}.", 25.0)):
                if r.id.startswith(prefix):
                    paper_rates.append((m, temp, float(r.id[len(prefix):]), r.value, r.role))
    return [
        figure_first_cycle_temperatures(c.runs, out_dir / "first_cycle.png", first),
        figure_rate_vs_current(c.runs, out_dir / "rate_capability.png", sorted(set(paper_rates))),
        figure_dqdv({LABEL[m]: c.runs[(m, 60.0)] for m in ("si", "si-zno4") if (m, 60.0) in c.runs},
                    out_dir / "dqdv_first_cycle.png"),
    ]
