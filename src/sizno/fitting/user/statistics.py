"""Uncertainties of a user fit beyond the core's Jacobian 1-sigma: a wide-step central Jacobian,
a verdict on poorly determined parameters, and a residual block bootstrap."""

from __future__ import annotations

from typing import Callable

import numpy as np

from sizno.fitting.core import FitResult, fit
from sizno.fitting.user.residuals import UserFitProblem
from sizno.models.parameters import ParameterSet

FAILED_RESIDUAL = 10.0  # a non-finite residual (a run that stopped early) counts as this far off, as in the core


def _is_log(pset: ParameterSet, name: str) -> bool:
    """Positive lower bound: the parameter is fitted in log10, as the core does."""
    return pset.entries[name].bounds[0] > 0


def _central_column(problem: UserFitProblem, pset: ParameterSet, values: dict[str, float], name: str, r0: np.ndarray,
                    step: float, on_evaluation: Callable[[float], None] | None) -> np.ndarray:
    """d(residuals)/d(scaled parameter) by central differences, clipped to the bounds."""
    lo, hi = pset.entries[name].bounds
    lg = lo > 0
    u = np.log10(values[name]) if lg else values[name]
    a, b = (np.log10(lo), np.log10(hi)) if lg else (lo, hi)
    up, dn = min(u + step, b), max(u - step, a)
    rs = []
    for uu in (up, dn):
        v = 10**uu if lg else uu
        r = problem.observables(problem.run(pset.with_values({**values, name: v}))) - problem.measured
        r = np.where(np.isfinite(r), r, FAILED_RESIDUAL)
        if on_evaluation:
            on_evaluation(float(np.sum(r**2)))
        rs.append(r)
    return (rs[0] - rs[1]) / (up - dn) if up > dn else np.zeros_like(r0)


def central_uncertainty(problem: UserFitProblem, pset: ParameterSet, values: dict[str, float], r0: np.ndarray,
                        step_log10: float = 0.05, step_linear: float = 0.02,
                        on_evaluation: Callable[[float], None] | None = None) -> dict[str, float]:
    """1-sigma relative uncertainties as the core computes them, (JᵀJ)⁻¹·s², but with a central-difference
    Jacobian over a wide step (±0.05 in log10, ±2 % of the bounds' span for linear parameters).

    The core's Jacobian comes from steps of 1e-3 in scaled coordinates; where a parameter barely
    moves the model, solver noise at that scale inflates the Jacobian and makes the 1-sigma look
    far too small. Comparing the two flags such parameters.
    """
    names = list(values)
    cols = []
    for n in names:
        lo, hi = pset.entries[n].bounds
        step = step_log10 if lo > 0 else step_linear * (hi - lo)
        cols.append(_central_column(problem, pset, values, n, r0, step, on_evaluation))
    J = np.column_stack(cols)
    r0 = np.where(np.isfinite(r0), r0, FAILED_RESIDUAL)
    s2 = float(np.sum(r0**2)) / max(1, len(r0) - len(names))
    sig = np.sqrt(np.clip(np.diag(np.linalg.pinv(J.T @ J) * s2), 0, None))
    out = {}
    for n, si in zip(names, sig):
        out[n] = float(10**si - 1) if _is_log(pset, n) else (float(si / abs(values[n])) if values[n] else float("nan"))
    return out


def poorly_determined(pset: ParameterSet, res: FitResult, central: dict[str, float] | None) -> dict[str, str]:
    """Name → note for each fitted parameter the data leave loose: at a bound, 1-sigma above 100 %, the two
    Jacobians' 1-sigma disagreeing (> 2x, above 5 %), or no finite uncertainty."""
    out = {}
    for n in res.values:
        a = res.uncertainty_relative.get(n, float("nan"))
        b = (central or {}).get(n, a)
        lo, hi = pset.entries[n].bounds
        wide = (np.isfinite(a) and a > 1.0) or (np.isfinite(b) and b > 1.0)
        disagree = np.isfinite(a) and np.isfinite(b) and max(a, b) > 2 * max(min(a, b), 1e-12) and max(a, b) > 0.05
        at_bound = np.isclose(res.values[n], lo, rtol=1e-3) or np.isclose(res.values[n], hi, rtol=1e-3)
        if wide or disagree or at_bound or not (np.isfinite(a) and np.isfinite(b)):
            why = ("at a bound" if at_bound else "1-sigma above 100 %" if wide else
                   "the Jacobian's 1-sigma changes with its step (fine step: noise, not sensitivity)" if disagree else
                   "no finite uncertainty")
            out[n] = (f"'{n}' is poorly determined by these data ({why}): Jacobian 1-sigma {100 * a:.3g} %, "
                      f"wide-step 1-sigma {100 * b:.3g} %; treat its value as a guess")
    return out


def _block_resample(r: np.ndarray, rng: np.random.Generator, block: int) -> np.ndarray:
    n = r.size
    if n == 0:
        return r
    block = max(1, min(block, n))
    out = np.empty(n)
    k = 0
    while k < n:
        s = int(rng.integers(0, n))
        take = min(block, n - k)
        out[k:k + take] = r[(s + np.arange(take)) % n]
        k += take
    return out


def bootstrap_fits(problem: UserFitProblem, pset: ParameterSet, best_values: dict[str, float], observed: np.ndarray,
                   r_best: np.ndarray, n: int, max_evaluations: int, seed: int,
                   on_evaluation: Callable[[float], None] | None = None) -> list[dict[str, float]]:
    """`n` short refits from the optimum to the best model's observables plus the optimum's residuals
    resampled in circular blocks within each step's curve (and singly among the capacity residuals)."""
    rng = np.random.default_rng(seed)
    blk = max(1, problem.grid_points // 5)
    samples = []
    for _ in range(n):
        rs = np.empty_like(r_best)
        for what, sl in problem.blocks:
            rs[sl] = _block_resample(r_best[sl], rng, blk if what.startswith("curve") else 1)
        b = fit(problem.fit_problem(observed - rs), pset, x0=best_values, max_evaluations=max(3, max_evaluations // 3),
                on_evaluation=on_evaluation)
        samples.append(b.values)
    return samples


def bootstrap_uncertainty(pset: ParameterSet, best_values: dict[str, float],
                          samples: list[dict[str, float]]) -> dict[str, float]:
    """1-sigma relative from the bootstrap samples: spread in log10 for log parameters, else relative."""
    unc = {}
    for n, best in best_values.items():
        v = np.array([s[n] for s in samples])
        lo_b = pset.entries[n].bounds[0]
        if lo_b is not None and lo_b > 0:
            unc[n] = float(10 ** np.std(np.log10(v), ddof=1) - 1) if len(v) > 1 else float("nan")
        else:
            unc[n] = float(np.std(v, ddof=1) / abs(best)) if len(v) > 1 and best else float("nan")
    return unc
