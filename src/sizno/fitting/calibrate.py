"""`sizno calibrate`: fit the free parameters to the paper's *calibration* records only."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Callable

import numpy as np
import tomli_w

from sizno.experiments.protocols import rate_test
from sizno.experiments.runner import DEFAULT_MESH_POINTS, run_half_cell
from sizno.fitting.core import FitProblem, FitResult, fit
from sizno.models.parameters import ParameterSet, load_parameter_set
from sizno.reproduce.reference import ReferenceValue, reference_by_role
from sizno.results.observables import first_cycle, rate_capacity

# The records this calibration uses: every one must carry role = "calibration" in the paper file.
# (Cycling retention and thickness are calibration records too; they belong to the ageing and
# swelling models of the full-cell issue and are not fitted here.)
CALIBRATION_IDS = (
    "half_cell.first_cycle.si_zno4.discharge_mAh_g",
    "half_cell.first_cycle.si_zno4.charge_mAh_g",
    "half_cell.first_cycle.si_zno4.ice_percent",
    "half_cell.first_cycle.si.ice_percent",
    "half_cell.rate.si_zno4.0.1",
    "half_cell.rate.si_zno4.0.8",
    "half_cell.rate.si.0.8",
)
CALIBRATION_RATES_A_PER_G = (0.1, 0.2, 0.5, 0.8)  # the rate test up to the last calibrated rate
CALIBRATION_CYCLES_PER_RATE = 2  # cycle 2 and 3 at a rate differ by < 0.1 % (CE ~ 100 %): halves the cost
MATERIAL_OF = {"si_zno4": "si-zno4", "si": "si"}


def calibration_targets() -> list[ReferenceValue]:
    """The calibration records used; raises if any of them is not marked `calibration`."""
    allowed = reference_by_role("calibration")
    missing = [i for i in CALIBRATION_IDS if i not in allowed]
    if missing:
        raise RuntimeError(f"not calibration records, refusing to fit to them: {missing}")
    return [allowed[i] for i in CALIBRATION_IDS]


def model_observable(record_id: str, results: dict) -> float:
    parts = record_id.split(".")
    mat = MATERIAL_OF[parts[2]]
    res = results[mat]
    if parts[1] == "first_cycle":
        return first_cycle(res)[parts[3]]
    if parts[1] == "rate":
        return rate_capacity(res, float(parts[3] + "." + parts[4]))
    raise KeyError(record_id)


def calibration_problem(mesh_points: int = DEFAULT_MESH_POINTS, cycles_per_rate: int = CALIBRATION_CYCLES_PER_RATE) -> FitProblem:
    targets = calibration_targets()
    protocol = rate_test(list(CALIBRATION_RATES_A_PER_G), cycles_per_rate)

    def residuals(pset: ParameterSet) -> np.ndarray:
        results = {m: run_half_cell(m, protocol, pset=pset, mesh_points=mesh_points) for m in ("si-zno4", "si")}
        return np.array([(model_observable(t.id, results) - t.value) / t.value for t in targets])

    pset = load_parameter_set()
    return FitProblem(names=pset.fitted_names(), residuals=residuals, labels=[t.id for t in targets])


def calibrate(mesh_points: int = DEFAULT_MESH_POINTS, max_evaluations: int = 60,
              on_evaluation: Callable[[float], None] | None = None) -> FitResult:
    problem = calibration_problem(mesh_points)
    return fit(problem, load_parameter_set(), max_evaluations=max_evaluations, on_evaluation=on_evaluation)


def write_fitted(result: FitResult, path: Path, mesh_points: int) -> None:
    """The fitted set as data, with the fit's residuals and provenance."""
    targets = {t.id: t for t in calibration_targets()}
    doc = {
        "about": {
            "written_by": "sizno calibrate",
            "date": _dt.date.today().isoformat(),
            "method": "scipy least_squares (trf), relative residuals, log-scaled positive parameters",
            "mesh_points": mesh_points,
            "evaluations": result.n_evaluations,
            "success": result.success,
            "records_used": list(targets),
            "note": "only records marked role = 'calibration' in paper-values.toml; validation records never enter",
        },
        "values": result.values,
        # inf = not identified by these records (a flat direction of the fit)
        "uncertainty_relative_1sigma": result.uncertainty_relative,
        "residuals_relative": result.residuals,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(doc))
