"""The full cells' retention records along the cathode's contact-loss coefficient (a bound, never a fit).

NCM811 loses contact with the electrolyte in proportion to the volumetric strain its particles sweep
(`sizno.models.cathode`); no measured rate was found, so the coefficient's default is zero and its range
(sensitivity-ranges.toml) is an assumption. This analysis runs the paper's two full-cell cycling tests
(normal loading: 200 cycles at 0.5C; 15 mg/cm²: 100 cycles at 0.5C) on a grid across that range, every
other value at its calibrated value, and reports where each retention record's paper value falls on the
grid (linear interpolation) and the other record's retention there: whether one coefficient reaches both.
The paper's values are set beside the model's, never used to choose a value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from sizno.data import read_toml
from sizno.experiments.protocols import load_protocol
from sizno.experiments.runner import DEFAULT_MESH_POINTS, NO_CURVES, anode_reversible_capacity_mAh_per_g, run_full_cell
from sizno.materials import named_material
from sizno.models.parameters import load_parameter_set
from sizno.reproduce.reference import paper_reference
from sizno.results.observables import retention_percent

PARAMETER = "NCM811 contact loss per volumetric strain [-]"
GRID_POINTS = 6
HIGH_LOADING_MG_PER_CM2 = 15.0  # the paper's high-loading cell (Fig. 6e-f)
HIGH_LOADING_CYCLES = 100
RECORDS = {"full_cell.cycling.retention_percent": None,  # normal loading, the protocol's 200 cycles
           "full_cell.high_loading.retention_percent": HIGH_LOADING_MG_PER_CM2}


def literature_range() -> tuple[float, float]:
    """(low, high) of the coefficient's range (sensitivity-ranges.toml)."""
    lo, hi = read_toml("parameters/sensitivity-ranges.toml")[PARAMETER]["range"]
    return float(lo), float(hi)


def crossing(grid: list[float], values: list[float], target: float) -> float | None:
    """The first grid value where `values` (falling along `grid`) pass `target`, linearly interpolated; None if never."""
    for (k0, v0), (k1, v1) in zip(zip(grid, values), zip(grid[1:], values[1:])):
        if (v0 - target) * (v1 - target) <= 0 and v0 != v1:
            return k0 + (target - v0) * (k1 - k0) / (v1 - v0)
    return None


def retentions(k: float, mesh_points: int, anode_capacity_mAh_per_g: float) -> dict[str, float]:
    """Both full cells' retention [%] at contact-loss coefficient `k`."""
    pset = load_parameter_set().with_values({PARAMETER: k})
    long_full = load_protocol("full-cell-cycling")
    out = {}
    for rid, loading in RECORDS.items():
        protocol = long_full if loading is None else long_full.with_cycles(HIGH_LOADING_CYCLES)
        extra = {} if loading is None else {"ncm_loading_mg_per_cm2": loading}
        run = run_full_cell("si-zno4", protocol, pset=pset, mesh_points=mesh_points, timeseries_cycles=NO_CURVES,
                            anode_capacity_mAh_per_g=anode_capacity_mAh_per_g, **extra)
        out[rid] = retention_percent(run)
    return out


def planned_runs() -> int:
    return GRID_POINTS * len(RECORDS)


def contact_reach(mesh_points: int = DEFAULT_MESH_POINTS, on_run: Callable[[], None] | None = None) -> dict:
    """Retention of both full cells across the coefficient's range; where each paper value falls."""
    lo, hi = literature_range()
    grid = [float(k) for k in np.linspace(lo, hi, GRID_POINTS)]
    capacity = anode_reversible_capacity_mAh_per_g(named_material("si-zno4"))
    points = []
    for k in grid:
        points.append({"coefficient": k, "retention_percent": retentions(k, mesh_points, capacity)})
        if on_run:
            for _ in RECORDS:
                on_run()
    paper = {r.id: r.value for r in paper_reference()}
    records = {}
    for rid in RECORDS:
        values = [p["retention_percent"][rid] for p in points]
        k = crossing(grid, values, paper[rid])
        others = {o: float(np.interp(k, grid, [p["retention_percent"][o] for p in points]))
                  for o in RECORDS if o != rid} if k is not None else {}
        records[rid] = {"paper (validation, not used)": paper[rid], "at_zero": values[0], "at_range_high": values[-1],
                        "coefficient_reaching_paper": k, "other_record_there": others}
    return {
        "parameter": PARAMETER, "range": [lo, hi], "range_is": "assumption (no measured rate; ncm811.toml)",
        "grid": grid, "points": points, "records": records, "mesh_points": mesh_points,
        "method": "full-cell cycling tests (0.5C; 200 cycles normal loading, 100 cycles at 15 mg/cm2) at each grid "
                  "value, every other parameter at its calibrated value; a paper value is located on the grid, "
                  "never used to set the coefficient",
    }


def contact_reach_figure(result: dict, path: Path) -> Path:
    """Retention of both cells along the coefficient, the paper's values as dashed lines."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    for i, (rid, rec) in enumerate(result["records"].items()):
        ax.plot(result["grid"], [p["retention_percent"][rid] for p in result["points"]], "o-", color=f"C{i}", label=rid)
        ax.axhline(rec["paper (validation, not used)"], ls="--", color=f"C{i}", lw=1, label=f"paper (validation): {rid}")
    ax.set_xlabel(result["parameter"])
    ax.set_ylabel("retention [%]")
    ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path
