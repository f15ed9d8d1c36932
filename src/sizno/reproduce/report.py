"""The report: summary.json, a table on the console, and figures (PNG)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from rich.table import Table  # noqa: E402

from sizno.reproduce.half_cell import MATERIALS_60C, HalfCellCampaign  # noqa: E402
from sizno.reproduce.records import Record  # noqa: E402
from sizno.reproduce.reference import paper_reference  # noqa: E402
from sizno.reproduce.plots import finish_figure  # noqa: E402
from sizno.results.observables import dq_dv, step_curves  # noqa: E402

LABEL = {"si": "Si", "si-zno2": "Si–ZnO2", "si-zno4": "Si–ZnO4", "si-zno8": "Si–ZnO8"}


def write_summary(records: list[Record], out_dir: Path, extra: dict | None = None) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "summary.json"
    payload = {"records": [r.as_dict() for r in records]}
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
        style = ""
        if r.relative_error is not None:
            bad = abs(r.relative_error) > (0.05 if r.role == "calibration" else 0.20)
            style = "red" if bad else "green"
        t.add_row(r.id, r.unit or "", "—" if r.paper is None else f"{r.paper:g}", "—" if r.model is None else f"{r.model:.4g}",
                  err, r.role, style=style)
    return t


def figure_first_cycle(c: HalfCellCampaign, out_dir: Path) -> Path:
    ref = {r.id: r.value for r in paper_reference()}
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for m, color in (("si", "tab:gray"), ("si-zno4", "tab:red")):
        for _, step, q, v in step_curves(c.runs[(m, 60.0)], 1):
            ls = "-" if step == "lithiation" else "--"
            ax.plot(q, v, ls, color=color, label=f"{LABEL[m]} {step} (model)")
    for key, lab in (("discharge_mAh_g", "paper lithiation"), ("charge_mAh_g", "paper delithiation")):
        v = ref.get(f"half_cell.first_cycle.si_zno4.{key}")
        if v:
            ax.axvline(v, color="tab:red", lw=0.8, alpha=0.6, ls=":")
            ax.text(v, 1.9, f"{lab}\n{v:g}", fontsize=7, ha="right", color="tab:red")
    ax.set_ylim(0, 2.05)
    return finish_figure(fig, ax, out_dir / "first_cycle.png", "specific capacity [mAh/g composite]",
                         "potential vs Li+/Li [V]", "First cycle at 0.1 A/g, 60 °C (cf. paper Fig. 2a)", 7)


def figure_rate(c: HalfCellCampaign, out_dir: Path) -> Path:
    ref = [r for r in paper_reference() if r.id.startswith("half_cell.rate.")]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    colors = {"si": "tab:gray", "si-zno2": "tab:blue", "si-zno4": "tab:red", "si-zno8": "tab:green"}
    for m in MATERIALS_60C:
        cyc = c.runs[(m, 60.0)].cycles
        ax.plot(cyc["cycle_index"], cyc["delithiation_capacity_mAh_per_g"], "o-", ms=3, color=colors[m], label=LABEL[m])
        for r in ref:
            if r.id.split(".")[2] == m.replace("-", "_"):
                rate = float(".".join(r.id.split(".")[3:]))
                rows = cyc[(cyc["current_A_per_g"] - rate).abs() < 1e-9]
                if len(rows):
                    x = rows.loc[rows["block_index"] == rows["block_index"].min(), "cycle_index"].iloc[-1]
                    ax.plot(x, r.value, marker="*" if r.role == "calibration" else "D", ms=10, mfc="none",
                            color=colors[m], ls="none")
    return finish_figure(fig, ax, out_dir / "rate_capability.png", "cycle", "delithiation capacity [mAh/g composite]",
                         "Rate test 0.1→5→0.1 A/g, 60 °C (★ calibration, ◇ validation)")


def figure_dqdv(c: HalfCellCampaign, out_dir: Path) -> Path:
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for m, color in (("si", "tab:gray"), ("si-zno4", "tab:red")):
        for _, step, q, volts in step_curves(c.runs[(m, 60.0)], 1):
            v, d = dq_dv(volts, q, 0.01)
            ax.plot(v, (-1 if step == "lithiation" else 1) * d, color=color, label=f"{LABEL[m]} {step}")
    ax.set_xlim(0, 1.2)
    return finish_figure(fig, ax, out_dir / "dqdv_first_cycle.png", "potential vs Li+/Li [V]",
                         "dQ/dV [mAh/g/V] (lithiation < 0)", "dQ/dV of the first cycle, 0.1 A/g, 60 °C")


def half_cell_figures(c: HalfCellCampaign, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return [figure_first_cycle(c, out_dir), figure_rate(c, out_dir), figure_dqdv(c, out_dir)]
