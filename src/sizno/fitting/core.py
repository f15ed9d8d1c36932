"""One fitting mechanism for `sizno calibrate` (paper values) and `sizno fit` (user data).

A FitProblem maps a ParameterSet to a vector of weighted residuals; `fit` solves it with
scipy's trust-region least squares in scaled (log for positive rate/transport parameters)
coordinates within the parameter set's bounds and returns values, residuals and 1-sigma
uncertainties from the Jacobian at the optimum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy.optimize import least_squares

from sizno.errors import SiznoInputError
from sizno.models.parameters import ParameterSet


@dataclass
class FitProblem:
    names: list[str]
    residuals: Callable[[ParameterSet], np.ndarray]
    labels: list[str]
    log_scale: dict[str, bool] = field(default_factory=dict)


@dataclass
class FitResult:
    values: dict[str, float]
    residuals: dict[str, float]
    uncertainty_relative: dict[str, float]
    cost: float
    n_evaluations: int
    success: bool
    message: str


FD_STEP = 1e-3  # finite-difference step in the scaled coordinates (decades for log parameters)


def _bounds(pset: ParameterSet, name: str) -> tuple[float, float]:
    b = pset.entries[name].bounds
    if b is None:
        raise SiznoInputError(name, "has no bounds in the parameter set; cannot be fitted")
    return b


def middle_of_bounds(bounds: tuple[float, float], log: bool) -> float:
    """The centre of a parameter's fit range: geometric for log-scaled, arithmetic otherwise."""
    lo, hi = bounds
    return (lo * hi) ** 0.5 if log else 0.5 * (lo + hi)


def free_parameter_values(pset: ParameterSet, overrides: dict[str, float] | None = None) -> dict[str, float]:
    """A value for every free parameter: `overrides`, else its value in `pset`, else the middle of its bounds.

    The complete set a synthetic study (or a fit's start) needs, even before any calibration.
    """
    out = {}
    for n in pset.fitted_names():
        v = (overrides or {}).get(n, pset.entries[n].value)
        out[n] = float(v) if v is not None else middle_of_bounds(_bounds(pset, n), _bounds(pset, n)[0] > 0)
    return out


def fit(problem: FitProblem, pset: ParameterSet, x0: dict[str, float] | None = None,
        max_evaluations: int = 60, on_evaluation: Callable[[float], None] | None = None) -> FitResult:
    """Least-squares fit of `problem.names` within their bounds, starting at x0 (or mid-bounds)."""
    names = problem.names
    logs = [problem.log_scale.get(n, _bounds(pset, n)[0] > 0) for n in names]

    def to_u(n, v, lg):
        return np.log10(v) if lg else v

    def from_u(n, u, lg):
        return 10**u if lg else u

    lo = np.array([to_u(n, _bounds(pset, n)[0], lg) for n, lg in zip(names, logs)])
    hi = np.array([to_u(n, _bounds(pset, n)[1], lg) for n, lg in zip(names, logs)])
    start = []
    for n, lg, a, b in zip(names, logs, lo, hi):
        v = (x0 or {}).get(n, pset.entries[n].value)
        if v is None:
            v = middle_of_bounds(_bounds(pset, n), lg)
        start.append(np.clip(to_u(n, v, lg), a, b))
    cache: dict[tuple, np.ndarray] = {}

    def fun(u):
        key = tuple(np.round(u, 12))
        if key not in cache:
            vals = {n: from_u(n, ui, lg) for n, ui, lg in zip(names, u, logs)}
            r = np.asarray(problem.residuals(pset.with_values(vals)), dtype=float)
            r = np.where(np.isfinite(r), r, 10.0)  # a failed run counts as far off
            cache[key] = r
            if on_evaluation:
                on_evaluation(float(np.sum(r**2)))
        return cache[key].copy()  # scipy may change the array it is given in place

    def jac(u):
        """Forward differences with an ABSOLUTE step in the scaled coordinates (1e-3 decade for log
        parameters), stepping back where the forward step leaves the bounds. scipy's `diff_step` is
        relative to u, so at u = 0 (a log parameter at 1.0) its step vanished under the cache's rounding,
        the Jacobian came out zero and the fit stopped there at once ('gtol')."""
        f0 = fun(u)
        J = np.empty((len(f0), len(u)))
        for j in range(len(u)):
            h = FD_STEP if u[j] + FD_STEP <= hi[j] else -FD_STEP
            du = np.array(u, dtype=float)
            du[j] += h
            J[:, j] = (fun(du) - f0) / h
        return J

    sol = least_squares(fun, np.array(start), jac=jac, bounds=(lo, hi), x_scale=1.0,
                        max_nfev=max_evaluations, method="trf")
    values = {n: float(from_u(n, ui, lg)) for n, ui, lg in zip(names, sol.x, logs)}
    # 1-sigma from (J^T J)^-1 s^2 in scaled coordinates; relative for log parameters
    J = sol.jac
    dof = max(1, len(sol.fun) - len(names))
    s2 = float(np.sum(sol.fun**2)) / dof
    try:
        cov = np.linalg.pinv(J.T @ J) * s2
        sig = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        sig = np.full(len(names), np.nan)
    unc = {}
    for n, si_, lg, v in zip(names, sig, logs, sol.x):
        # more than a decade (log) or 100 % (linear) of 1-sigma: the data do not identify it
        if (lg and si_ > 1.0) or (not lg and (not v or si_ / abs(v) > 1.0)):
            unc[n] = float("inf")
        else:
            unc[n] = float(10**si_ - 1) if lg else float(si_ / abs(v))
    return FitResult(
        values=values,
        residuals={lab: float(r) for lab, r in zip(problem.labels, sol.fun)},
        uncertainty_relative=unc,
        cost=float(sol.cost),
        n_evaluations=len(cache),  # model runs, the Jacobian's included (scipy's nfev leaves those out)
        success=bool(sol.success),
        message=str(sol.message),
    )
