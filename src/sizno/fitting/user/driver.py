"""The user fit itself: build the problem, fit, report, and the extra uncertainty estimates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from sizno.errors import SiznoInputError
from sizno.experiments.runner import DEFAULT_MESH_POINTS
from sizno.fitting.core import FitResult, fit
from sizno.fitting.user.parameters import held_values, resolve_parameter_names
from sizno.fitting.user.protocol import FitData
from sizno.fitting.user.residuals import UserFitProblem, residual_report
from sizno.fitting.user.statistics import bootstrap_fits, bootstrap_uncertainty, central_uncertainty, poorly_determined
from sizno.materials import named_material
from sizno.models.parameters import ParameterSet, load_parameter_set
from sizno.results import RunResult


@dataclass
class UserFitResult:
    fit: FitResult
    problem: UserFitProblem
    best: RunResult
    report: dict[str, Any]
    held: dict[str, float]
    uncertainty_bootstrap: dict[str, float] | None = None
    uncertainty_central: dict[str, float] | None = None
    poorly_determined: list[str] = field(default_factory=list)
    bootstrap_values: list[dict[str, float]] | None = None
    start: dict[str, float] = field(default_factory=dict)

    @property
    def values(self) -> dict[str, float]:
        return self.fit.values

    def to_dict(self) -> dict[str, Any]:
        d = self.problem.data
        return {
            "file": d.source,
            "material": self.problem.material,
            "cycles": d.cycles,
            "target": self.problem.target,
            "values": self.fit.values,
            "start": self.start,
            "held": self.held,
            "uncertainty_relative_1sigma": self.fit.uncertainty_relative,
            "uncertainty_relative_bootstrap": self.uncertainty_bootstrap,
            "uncertainty_relative_central": self.uncertainty_central,
            "poorly_determined": self.poorly_determined,
            "evaluations": self.fit.n_evaluations,
            "cost": self.fit.cost,
            "success": self.fit.success,
            "message": self.fit.message,
            "report": self.report,
            "protocol": [s.summary() for s in d.steps],
            "cell": d.cell_overrides,
            "temperature_C": d.temperature_C,
            "mesh_points": self.problem.mesh_points,
            "notes": d.notes,
        }


def _check_settings(material: str, mesh_points: int, max_evaluations: int) -> None:
    named_material(material)  # raises a SiznoInputError for an unknown material
    if not 5 <= mesh_points <= 200:
        raise SiznoInputError("--mesh-points", f"got {mesh_points}", "5–200")
    if max_evaluations < 1:
        raise SiznoInputError("--max-evaluations", f"got {max_evaluations}", ">= 1")


def _start_values(names: list[str], pset: ParameterSet, start: dict[str, float] | None) -> tuple[dict[str, float] | None, dict[str, float]]:
    """(the fit's x0: the user's start values of the fitted parameters, or None; the start each one really had)."""
    x0 = {n: float(start[n]) for n in names if start and n in start} or None
    used = {}
    for n in names:
        v = (x0 or {}).get(n, pset.entries[n].value)
        used[n] = float(v) if v is not None else float("nan")
    return x0, used


def fit_user_data(
    data: FitData,
    material: str,
    *,
    parameters: list[str] | None = None,
    pset: ParameterSet | None = None,
    start: dict[str, float] | None = None,
    mesh_points: int = DEFAULT_MESH_POINTS,
    target: str = "both",
    grid_points: int = 40,
    voltage_tolerance_mV: float = 10.0,
    capacity_tolerance_percent: float = 1.0,
    max_evaluations: int = 30,
    bootstrap: int = 0,
    check_jacobian: bool = True,
    seed: int = 0,
    on_evaluation: Callable[[float], None] | None = None,
) -> UserFitResult:
    """Fit `parameters` (default: every free parameter) of the model of `material` to `data`."""
    _check_settings(material, mesh_points, max_evaluations)
    pset = pset or load_parameter_set()
    names = resolve_parameter_names(parameters, pset)
    held = held_values(pset, names)
    problem = UserFitProblem(data, material, names, pset, mesh_points, target, grid_points, voltage_tolerance_mV,
                             capacity_tolerance_percent)
    x0, start_used = _start_values(names, pset, start)
    res = fit(problem.fit_problem(), pset, x0=x0, max_evaluations=max_evaluations, on_evaluation=on_evaluation)
    best = problem.run(pset.with_values(res.values))
    out = UserFitResult(fit=res, problem=problem, best=best, report=residual_report(problem, best), held=held, start=start_used)
    r_best = problem.observables(best) - problem.measured
    if check_jacobian:
        out.uncertainty_central = central_uncertainty(problem, pset, res.values, r_best, on_evaluation=on_evaluation)
    loose = poorly_determined(pset, res, out.uncertainty_central)
    out.poorly_determined = list(loose)
    problem.data.notes.extend(loose.values())
    if bootstrap > 0:
        samples = bootstrap_fits(problem, pset, res.values, problem.observables(best), r_best, bootstrap, max_evaluations,
                                 seed, on_evaluation)
        out.uncertainty_bootstrap = bootstrap_uncertainty(pset, res.values, samples)
        out.bootstrap_values = samples
    return out
