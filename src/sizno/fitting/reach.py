"""How far a prediction can go while every calibration record stays within its tolerance.

The profiles (`sensitivity.profiles`) follow one sloppy parameter at a time. This analysis asks the
question the fidelity issue's "done when" asks, over all the electrochemistry stage's parameters at
once: the largest (or smallest) value of one predicted quantity over their fit bounds, subject to every
record of that stage staying within the calibration tolerance (5 %). It is a bounded least-squares
problem with a smooth penalty that is zero inside the tolerance band and a term that pushes the
quantity towards a scale it cannot pass (the composition's theoretical capacity), never towards the
paper's value: the paper's number is only set beside the answer. Nothing found here is written to a
parameter file; a parameter set that met a validation record this way would be fitted to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from sizno.experiments.protocols import rate_test
from sizno.experiments.runner import NO_CURVES, QUICK_MESH_POINTS, run_half_cell
from sizno.fitting import calibrate as cal
from sizno.fitting.core import FitProblem, fit
from sizno.materials import named_material
from sizno.models.parameters import ParameterSet, load_parameter_set
from sizno.reproduce.reference import paper_reference
from sizno.results.observables import rate_capacity

TOLERANCE = 0.05  # the calibration's own: records within 5 %
PENALTY_SHARPNESS = 20.0  # softplus k: the penalty rises within ~5 % of the band's edge
PENALTY_WEIGHT = 10.0
QUANTITIES = {  # id -> (material, temperature_C, current_A_per_g)
    "half_cell.rate.si.5.0": ("si", 60.0, 5.0),
    "half_cell.room_temperature.si_zno4.4.0": ("si-zno4", 25.0, 4.0),
}


def _softplus(x: np.ndarray, k: float = PENALTY_SHARPNESS) -> np.ndarray:
    return np.logaddexp(0.0, k * x) / k


def quantity_value(quantity: str, pset: ParameterSet, mesh_points: int) -> float:
    """The predicted quantity [mAh/g] (the reproduce protocol's three cycles per rate)."""
    material, temperature_C, current = QUANTITIES[quantity]
    rates = [r for r in cal.CALIBRATION_RATES_A_PER_G if r < current] + [current]
    run = run_half_cell(material, rate_test(rates, cal.CALIBRATION_CYCLES_PER_RATE), temperature_C=temperature_C,
                        pset=pset, mesh_points=mesh_points, timeseries_cycles=NO_CURVES)
    return rate_capacity(run, current)


def reach_problem(quantity: str, direction: int, mesh_points: int) -> FitProblem:
    """Residuals: each calibration record's excess over the band (smooth, 0 inside), and the push."""
    stage = cal.stage("electrochemistry")
    targets = cal.calibration_targets(stage.records)
    material = QUANTITIES[quantity][0]
    scale = named_material(material).capacity_split_mAh_per_g()["total_mAh_g"]

    def residuals(pset: ParameterSet) -> np.ndarray:
        values = stage.observe(pset, mesh_points)
        rel = np.array([(values[t.id] - t.value) / t.value for t in targets])
        q = quantity_value(quantity, pset, mesh_points)
        excess = PENALTY_WEIGHT * _softplus(np.abs(rel) / TOLERANCE - 1.0)
        push = (1.0 - q / scale) if direction > 0 else q / scale
        return np.append(excess, push)

    return FitProblem(names=list(stage.parameters), residuals=residuals,
                      labels=[t.id for t in targets] + [f"push {quantity}"])


def reach(quantity: str = "half_cell.rate.si.5.0", direction: int = 1, mesh_points: int = QUICK_MESH_POINTS,
          max_evaluations: int = 30, on_evaluation: Callable[[float], None] | None = None) -> dict:
    """The largest (`direction` 1) or smallest (-1) value of `quantity` with the calibration held within 5 %."""
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of {sorted(QUANTITIES)}")
    pset = load_parameter_set()
    start = quantity_value(quantity, pset, mesh_points)
    res = fit(reach_problem(quantity, direction, mesh_points), pset, max_evaluations=max_evaluations,
              on_evaluation=on_evaluation)
    best = pset.with_values(res.values)
    records = cal.stage("electrochemistry").observe(best, mesh_points)
    targets = cal.calibration_targets(cal.stage("electrochemistry").records)
    residuals = {t.id: (records[t.id] - t.value) / t.value for t in targets}
    paper = {r.id: r.value for r in paper_reference()}
    return {
        "quantity": quantity, "direction": "maximum" if direction > 0 else "minimum", "mesh_points": mesh_points,
        "tolerance": TOLERANCE, "calibrated_value": start, "reached": quantity_value(quantity, best, mesh_points),
        "paper (validation, not used)": paper.get(quantity), "parameters": res.values,
        "calibration_residuals": residuals,
        "worst_calibration_residual": max(abs(v) for v in residuals.values()),
        "model_runs": res.n_evaluations, "converged": res.success,
        "method": "scipy least_squares over the electrochemistry stage's parameters within their fit bounds; "
                  "softplus penalty on each record beyond 5 %, push towards the composition's theoretical capacity",
    }


def reach_figure(result: dict, path: Path) -> Path:
    """Per quantity: the calibrated model, the value reached with the calibration held, the paper's."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(result["results"].items())
    fig, ax = plt.subplots(figsize=(6.5, 0.6 * len(rows) + 1.2))
    for i, (q, r) in enumerate(rows):
        ax.plot([r["calibrated_value"], r["reached"]], [i, i], "-", color="C0", lw=6, alpha=0.35)
        ax.plot(r["calibrated_value"], i, "o", color="C0", label="calibrated" if i == 0 else None)
        ax.plot(r["reached"], i, ">", color="C0", label="reached, calibration within 5 %" if i == 0 else None)
        if r["paper (validation, not used)"] is not None:
            ax.plot(r["paper (validation, not used)"], i, "x", color="k", ms=8, label="paper (validation)" if i == 0 else None)
    ax.set_yticks(range(len(rows)), [q for q, _ in rows], fontsize=7)
    ax.set_xlabel("capacity [mAh/g]")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path
