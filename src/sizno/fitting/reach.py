"""How far a prediction can go while every calibration record stays within its tolerance.

The profiles (`sensitivity.profiles`) follow one sloppy parameter at a time. This analysis asks the
question the fidelity issue's "done when" asks, over all the electrochemistry stage's parameters at
once: the largest (or smallest) value of one predicted quantity over their fit bounds, subject to every
record of that stage staying within the calibration tolerance (5 %). It is a bounded least-squares
problem with a smooth penalty that is zero inside the tolerance band and a term that pushes the
quantity towards a scale it cannot pass (the composition's theoretical capacity, or for a full cell
pushed down, zero), never towards the paper's value: the paper's number is only set beside the answer.
Nothing found here is written to a parameter file; a parameter set that met a validation record this
way would be fitted to it.

Multi-start (`starts` > 1): the calibrated point, then the points of a scrambled Sobol' sample of the
fit bounds (log-uniform where the fit works in log10) with the smallest calibration penalty. The
penalty is what every search must bring to zero first, so the screen spends one stage observation per
candidate to pick the candidates nearest the band, spread over the whole box; the sample is seeded
and the same for every quantity.

The full-cell quantities also free the composite cathode's literature parameters within their sourced
ranges (`CATHODE_FACTORS`, parameters/sensitivity-ranges.toml): they touch only the full cell's two
calibration records, so the half cells' records are reused while only cathode values change.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from sizno.experiments.protocols import c_rate_test, rate_test
from sizno.experiments.runner import NO_CURVES, QUICK_MESH_POINTS, run_full_cell, run_half_cell
from sizno.fitting import calibrate as cal
from sizno.fitting.core import FitProblem, fit
from sizno.fitting.sensitivity import Factor, literature_ranges, sobol_sample
from sizno.materials import named_material
from sizno.data import read_toml
from sizno.models.parameters import ParameterSet, load_parameter_set
from sizno.reproduce.reference import paper_reference
from sizno.results.observables import rate_capacity

TOLERANCE = 0.05  # the calibration's own: records within 5 %
PENALTY_SHARPNESS = 20.0  # softplus k: the penalty rises within ~5 % of the band's edge
PENALTY_WEIGHT = 10.0
SCREEN_CANDIDATES_PER_START = 16  # Sobol' candidates screened per extra start (one stage observation each)
FULL_CELL_SCALE_ID = "full_cell.first_cycle.discharge_mAh_g"  # a calibration record: the 0.1C ceiling of a rate
# the cathode's literature parameters a full-cell quantity also frees, within their sourced ranges
CATHODE_FACTORS = ("NCM811 Li diffusivity [m2.s-1]", "NCM811 exchange current density [A.m-2]",
                   "NCM811 particle radius [m]", "Cathode ionic Bruggeman exponent [-]")
CATHODE_SET = "parameters/ncm811.toml"


@dataclass(frozen=True)
class Quantity:
    """A predicted capacity: half cell at `rate` A/g, or full cell at `rate` C (NCM811 loading in mg/cm²)."""

    material: str
    temperature_C: float
    rate: float
    direction: int  # the side of the miss: 1 = the model is below the paper, -1 = above
    ncm_loading_mg_per_cm2: float | None = None  # set: a full cell

    @property
    def full_cell(self) -> bool:
        return self.ncm_loading_mg_per_cm2 is not None


@dataclass(frozen=True)
class Ordering:
    """The paper's 5 A/g ordering as a number: `best`'s capacity over the largest of `others` at `rate` A/g
    (above 1: `best` ranks first). Its push scale is RATIO_SCALE, far beyond the claim (> 1)."""

    best: str
    others: tuple[str, ...]
    temperature_C: float
    rate: float
    direction: int = 1


RATIO_SCALE = 2.0  # the ordering's push: (1 - ratio / 2), no optimum at the paper's threshold of 1

QUANTITIES: dict[str, Quantity | Ordering] = {
    "half_cell.rate.si.5.0": Quantity("si", 60.0, 5.0, 1),
    "half_cell.room_temperature.si_zno4.4.0": Quantity("si-zno4", 25.0, 4.0, 1),
    # the reproduce protocol of the 15 mg/cm² cell: 0.1, 0.2, 0.5, 1C, three cycles each, at 25 °C
    "full_cell.high_loading.0.5": Quantity("si-zno4", 25.0, 0.5, -1, 15.0),
    "full_cell.high_loading.1.0": Quantity("si-zno4", 25.0, 1.0, -1, 15.0),
    "half_cell.rate_ordering.5.0": Ordering("si-zno4", ("si-zno2", "si-zno8"), 60.0, 5.0),
}
HIGH_LOADING_C_RATES = (0.1, 0.2, 0.5, 1.0)


def reach_parameters(quantity: str) -> tuple[str, ...]:
    """The parameters a search frees: the electrochemistry stage's, plus the cathode's for a full cell."""
    names = tuple(cal.stage("electrochemistry").parameters)
    q = QUANTITIES[quantity]
    return names + CATHODE_FACTORS if isinstance(q, Quantity) and q.full_cell else names


def with_range_bounds(pset: ParameterSet, names: tuple[str, ...]) -> ParameterSet:
    """A copy whose literature parameters among `names` carry their sourced range as bounds."""
    ranges = literature_ranges(pset)
    entries = dict(pset.entries)
    for n in names:
        if entries[n].bounds is None:
            f = ranges[n]
            entries[n] = entries[n].model_copy(update={"bounds": (f.low, f.high)})
    return pset.model_copy(update={"entries": entries})


def _log_scales(pset: ParameterSet, names: tuple[str, ...]) -> dict[str, bool]:
    """Log coordinates where the fit bounds are positive, or as the literature range says."""
    ranges = literature_ranges(pset)
    return {n: ranges[n].log if n in ranges and not pset.entries[n].fitted else pset.entries[n].bounds[0] > 0
            for n in names}


_HALF_CELL_CACHE: dict[tuple, dict[str, float]] = {}
_HALF_CELL_CACHE_SIZE = 64


def _anode_key(pset: ParameterSet, mesh_points: int) -> tuple:
    """Every parameter but the cathode's (which no half cell reads), as a hashable key."""
    cathode = set(read_toml(CATHODE_SET)) - {"reference_temperature_K"}
    return (mesh_points,) + tuple((k, e.value, e.activation_energy_eV) for k, e in sorted(pset.entries.items())
                                  if k not in cathode)


def _stage_values(stage: cal.CalibrationStage, pset: ParameterSet, mesh_points: int) -> dict[str, float]:
    """The stage's model values; the half cells' are reused when only cathode parameters changed."""
    if stage.observe is not cal._electrochemistry_values:
        return stage.observe(pset, mesh_points)
    key = _anode_key(pset, mesh_points)
    if key not in _HALF_CELL_CACHE:
        if len(_HALF_CELL_CACHE) >= _HALF_CELL_CACHE_SIZE:
            _HALF_CELL_CACHE.pop(next(iter(_HALF_CELL_CACHE)))
        _HALF_CELL_CACHE[key] = cal._half_cell_values(pset, mesh_points)
    return {**_HALF_CELL_CACHE[key], **cal._full_cell_values(pset, mesh_points)}


def _softplus(x: np.ndarray, k: float = PENALTY_SHARPNESS) -> np.ndarray:
    return np.logaddexp(0.0, k * x) / k


def _half_cell_rate_capacity(material: str, temperature_C: float, rate: float, pset: ParameterSet,
                             mesh_points: int) -> float:
    """The half cell's capacity at `rate` A/g [mAh/g], after the calibration's lower rates (three cycles each)."""
    rates = [r for r in cal.CALIBRATION_RATES_A_PER_G if r < rate] + [rate]
    run = run_half_cell(material, rate_test(rates, cal.CALIBRATION_CYCLES_PER_RATE), temperature_C=temperature_C,
                        pset=pset, mesh_points=mesh_points, timeseries_cycles=NO_CURVES)
    return rate_capacity(run, rate)


def quantity_value(quantity: str, pset: ParameterSet, mesh_points: int) -> float:
    """The predicted quantity [mAh/g; the ordering: a ratio] (the reproduce protocol's three cycles per rate)."""
    q = QUANTITIES[quantity]
    if isinstance(q, Ordering):
        def capacity(material: str) -> float:
            return _half_cell_rate_capacity(material, q.temperature_C, q.rate, pset, mesh_points)

        return capacity(q.best) / max(capacity(m) for m in q.others)
    if q.full_cell:
        run = run_full_cell(q.material, c_rate_test(list(HIGH_LOADING_C_RATES), cal.CALIBRATION_CYCLES_PER_RATE),
                            pset=pset, mesh_points=mesh_points, timeseries_cycles=NO_CURVES,
                            ncm_loading_mg_per_cm2=q.ncm_loading_mg_per_cm2)
        return rate_capacity(run, q.rate)
    return _half_cell_rate_capacity(q.material, q.temperature_C, q.rate, pset, mesh_points)


def quantity_scale(quantity: str) -> float:
    """The push's scale [mAh/g]: the composition's theoretical capacity (half cell) or the full cell's
    calibrated first discharge at 0.1C (a calibration record, never the validation value)."""
    q = QUANTITIES[quantity]
    if isinstance(q, Ordering):
        return RATIO_SCALE
    if q.full_cell:
        return {t.id: t.value for t in cal.calibration_targets((FULL_CELL_SCALE_ID,))}[FULL_CELL_SCALE_ID]
    return named_material(q.material).capacity_split_mAh_per_g()["total_mAh_g"]


def calibration_relative(pset: ParameterSet, mesh_points: int) -> dict[str, float]:
    """Each electrochemistry-stage calibration record's relative error; NaN for all where the runs fail."""
    stage = cal.stage("electrochemistry")
    targets = cal.calibration_targets(stage.records)
    try:
        values = _stage_values(stage, pset, mesh_points)
    except Exception:  # a parameter set the model cannot run: far off, never a number
        return {t.id: float("nan") for t in targets}
    return {t.id: (values[t.id] - t.value) / t.value for t in targets}


def penalty(relative: np.ndarray) -> np.ndarray:
    """Smooth excess over the band: ~0 inside 5 %, ~PENALTY_WEIGHT x (|rel| / 5 % - 1) outside."""
    return PENALTY_WEIGHT * _softplus(np.abs(relative) / TOLERANCE - 1.0)


def reach_problem(quantity: str, direction: int, mesh_points: int,
                  trace: list[dict] | None = None) -> FitProblem:
    """Residuals: each calibration record's excess over the band (smooth, 0 inside), and the push.
    Every evaluation's quantity and worst record are appended to `trace` when given."""
    stage = cal.stage("electrochemistry")
    targets = cal.calibration_targets(stage.records)
    scale = quantity_scale(quantity)

    def residuals(pset: ParameterSet) -> np.ndarray:
        rel_by_id = calibration_relative(pset, mesh_points)
        rel = np.array([rel_by_id[t.id] for t in targets])
        try:
            q = quantity_value(quantity, pset, mesh_points)
        except Exception:
            q = float("nan")
        if trace is not None:
            trace.append({"quantity": q, "worst": float(np.max(np.abs(rel)))})
        push = (1.0 - q / scale) if direction > 0 else q / scale
        return np.append(penalty(rel), push)

    names = reach_parameters(quantity)
    return FitProblem(names=list(names), residuals=residuals, labels=[t.id for t in targets] + [f"push {quantity}"],
                      log_scale=_log_scales(with_range_bounds(load_parameter_set(), names), names))


def screened_starts(starts: int, pset: ParameterSet | None = None, mesh_points: int = QUICK_MESH_POINTS,
                    candidates: int | None = None, seed: int = 0,
                    on_evaluation: Callable[[], None] | None = None,
                    names: tuple[str, ...] | None = None) -> list[dict]:
    """The calibrated point, then the `starts` - 1 Sobol' candidates of the bounds of `names` (default: the
    electrochemistry stage's; a literature parameter: its sourced range) with the smallest calibration
    penalty (SCREEN_CANDIDATES_PER_START per start unless `candidates`). Each: origin, values, worst
    calibration record (relative), penalty."""
    if starts < 1:
        raise ValueError("starts must be >= 1")
    pset = pset or load_parameter_set()
    names = list(names or cal.stage("electrochemistry").parameters)
    out = [{"origin": "calibrated", "values": {n: pset.value(n) for n in names}}]
    if starts > 1:
        n = candidates or SCREEN_CANDIDATES_PER_START * (starts - 1)
        bounded = with_range_bounds(pset, tuple(names))
        logs = _log_scales(bounded, tuple(names))
        factors = [Factor(nm, *bounded.entries[nm].bounds, logs[nm], "bounds") for nm in names]
        screened = []
        for k, row in enumerate(sobol_sample(factors, n, seed)):
            values = {f.name: float(v) for f, v in zip(factors, row)}
            rel = np.array(list(calibration_relative(pset.with_values(values), mesh_points).values()))
            cost = float(np.sum(penalty(rel) ** 2)) if np.all(np.isfinite(rel)) else float("inf")
            screened.append({"origin": f"Sobol' candidate {k} of {n} (seed {seed})", "values": values,
                             "worst": float(np.max(np.abs(rel))), "penalty": cost})
            if on_evaluation:
                on_evaluation()
        out += sorted(screened, key=lambda s: s["penalty"])[:starts - 1]
    return out


def _best_feasible_by_evaluation(trace: list[dict], direction: int) -> list[float | None]:
    """After each model evaluation, the best quantity seen so far with every record within 5 %."""
    best, out = None, []
    for t in trace:
        q = t["quantity"]
        if t["worst"] <= TOLERANCE and np.isfinite(q) and (best is None or direction * (q - best) > 0):
            best = q
        out.append(best)
    return out


def reach_from(quantity: str, start: dict, direction: int, mesh_points: int, max_evaluations: int,
               pset: ParameterSet, on_evaluation: Callable[[float], None] | None = None) -> dict:
    """One search from `start` (a `screened_starts` entry): its end point, worst record and convergence."""
    trace: list[dict] = []
    res = fit(reach_problem(quantity, direction, mesh_points, trace), with_range_bounds(pset, reach_parameters(quantity)),
              x0=start["values"], max_evaluations=max_evaluations, on_evaluation=on_evaluation)
    end = pset.with_values(res.values)
    residuals = calibration_relative(end, mesh_points)
    best_seen = _best_feasible_by_evaluation(trace, direction)
    quarter = max(1, len(best_seen) // 4)
    before = best_seen[-quarter - 1] if len(best_seen) > quarter else None
    return {
        "origin": start["origin"], "start": start["values"], "start_worst_calibration_residual": start.get("worst"),
        "parameters": res.values, "reached": quantity_value(quantity, end, mesh_points),
        "calibration_residuals": residuals,
        "worst_calibration_residual": float(max(abs(v) for v in residuals.values())),
        "best_feasible_seen": best_seen[-1] if best_seen else None,
        "best_feasible_last_quarter_gain": (best_seen[-1] - before if best_seen and None not in (best_seen[-1], before)
                                           else None),
        "best_feasible_by_evaluation": best_seen,
        "model_runs": res.n_evaluations, "converged": res.success, "message": res.message,
    }


def reach(quantity: str = "half_cell.rate.si.5.0", direction: int | None = None, mesh_points: int = QUICK_MESH_POINTS,
          max_evaluations: int = 30, starts: int | list[dict] = 1, seed: int = 0,
          on_evaluation: Callable[[float], None] | None = None, on_start: Callable[[dict], None] | None = None) -> dict:
    """The largest (`direction` 1) or smallest (-1) value of `quantity` with the calibration held within 5 %,
    best over `starts` searches (a number, or `screened_starts`' list); `direction` defaults to the side of the miss."""
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of {sorted(QUANTITIES)}")
    direction = QUANTITIES[quantity].direction if direction is None else direction
    pset = load_parameter_set()
    points = starts if isinstance(starts, list) else screened_starts(starts, pset, mesh_points, seed=seed,
                                                                     names=reach_parameters(quantity))
    ends = []
    for s in points:
        ends.append(reach_from(quantity, s, direction, mesh_points, max_evaluations, pset, on_evaluation))
        if on_start:
            on_start(ends[-1])
    feasible = [e for e in ends if e["worst_calibration_residual"] <= TOLERANCE]
    best = max(feasible, key=lambda e: direction * e["reached"]) if feasible else None
    seen = [e["best_feasible_seen"] for e in ends if e["best_feasible_seen"] is not None]
    paper = {r.id: r.value for r in paper_reference()}
    return {
        "quantity": quantity, "direction": "maximum" if direction > 0 else "minimum", "mesh_points": mesh_points,
        "tolerance": TOLERANCE, "calibrated_value": quantity_value(quantity, pset, mesh_points),
        "reached": best["reached"] if best else None,
        "reached_any_evaluation": (max(seen) if direction > 0 else min(seen)) if seen else None,
        "paper (validation, not used)": paper.get(quantity),
        "best_start": best["origin"] if best else None,
        "parameters": best["parameters"] if best else None,
        "worst_calibration_residual": best["worst_calibration_residual"] if best else None,
        "model_runs": sum(e["model_runs"] for e in ends), "starts": ends,
        "free parameters": list(reach_parameters(quantity)),
        "method": "scipy least_squares over the electrochemistry stage's parameters within their fit bounds (a full "
                  "cell: and the cathode's literature parameters within their sourced ranges) from each "
                  f"start ({len(points)}: the calibrated point and the Sobol' candidates nearest the band, seed {seed}); "
                  "softplus penalty on each record beyond 5 %, push away from the model's value (theoretical capacity "
                  "up, zero down); 'reached' = the best end point with every record within 5 %, "
                  "'reached_any_evaluation' = the best of every model evaluation with every record within 5 %",
    }


def reach_figure(result: dict, path: Path) -> Path:
    """Per quantity: the calibrated model, each start's end (every record within 5 % or not), the paper's."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [(q, r) for q, r in result["results"].items() if not isinstance(QUANTITIES.get(q), Ordering)]  # capacities
    fig, ax = plt.subplots(figsize=(9.0, 0.6 * len(rows) + 1.2))
    for i, (q, r) in enumerate(rows):
        if r["reached"] is not None:
            ax.plot([r["calibrated_value"], r["reached"]], [i, i], "-", color="C0", lw=6, alpha=0.35)
            ax.plot(r["reached"], i, ">" if r["direction"] == "maximum" else "<", color="C0",
                    label="reached, calibration within 5 %" if i == 0 else None)
        ax.plot(r["calibrated_value"], i, "o", color="C0", label="calibrated" if i == 0 else None)
        for e in r.get("starts", []):
            ok = e["worst_calibration_residual"] <= TOLERANCE
            ax.plot(e["reached"], i + 0.15, "|", color="C2" if ok else "C3", ms=8)
            ax.annotate(f"{100 * e['worst_calibration_residual']:.0f} %", (e["reached"], i + 0.2), fontsize=5,
                        color="C2" if ok else "C3", ha="center", va="bottom")
        if r["paper (validation, not used)"] is not None:
            ax.plot(r["paper (validation, not used)"], i, "x", color="k", ms=8, label="paper (validation)" if i == 0 else None)
    ax.plot([], [], "|", color="C2", label="a start's end, within 5 %")
    ax.plot([], [], "|", color="C3", label="a start's end, calibration off\n(worst record written above it)")
    ax.set_yticks(range(len(rows)), [q for q, _ in rows], fontsize=7)
    ax.set_ylim(-0.5, len(rows) - 0.3)
    ax.set_xlabel("capacity [mAh/g]")
    ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path
