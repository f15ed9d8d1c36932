"""The parameter file `sizno fit` writes: ``[values]`` (every free parameter) then ``[fit]`` metadata."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from sizno.fitting.parameter_file import ParameterFile, write_parameter_file
from sizno.fitting.user.driver import UserFitResult


def fit_metadata(result: UserFitResult) -> dict[str, Any]:
    """The ``[fit]`` table: what was fitted to what, how, and how well."""
    d = result.problem.data
    p = result.problem
    meta: dict[str, Any] = {
        "written_by": "sizno fit",
        "date": _dt.date.today().isoformat(),
        "file": d.source,
        "material": p.material,
        "cycles": d.cycles,
        "temperature_C": d.temperature_C if d.temperature_C is not None else "paper default (60)",
        "counter": d.counter,
        "cell": d.cell_overrides,
        "target": p.target,
        "mesh_points": p.mesh_points,
        "fitted": list(result.fit.values),
        "held": list(result.held),
        "method": "sizno.fitting.core.fit: scipy least_squares (trf), log-scaled positive parameters, within bounds",
        "evaluations": result.fit.n_evaluations,
        "cost": result.fit.cost,
        "success": result.fit.success,
        "message": result.fit.message,
        "voltage_rms_mV": result.report.get("voltage_rms_mV"),
        "start": result.start,
        "uncertainty_relative_1sigma": result.fit.uncertainty_relative,
        "residuals": {"steps": result.report["steps"], "cycles": result.report["cycles"]},
        "notes": d.notes,
    }
    if result.uncertainty_central is not None:
        meta["uncertainty_relative_central"] = result.uncertainty_central
    meta["poorly_determined"] = result.poorly_determined
    if result.uncertainty_bootstrap is not None:
        meta["uncertainty_relative_bootstrap"] = result.uncertainty_bootstrap
        meta["bootstrap_samples"] = len(result.bootstrap_values or [])
    return meta


def write_fitted_parameters(result: UserFitResult, path: str | Path) -> Path:
    """`[values]` (every free parameter) + `[fit]` metadata; `sizno simulate --parameters FILE` reads it."""
    values = {**result.held, **result.fit.values}
    return write_parameter_file(ParameterFile(values=values, provenance_table="fit", provenance=fit_metadata(result),
                                              provenance_first=False), path)
