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
and the same for every quantity. With the activation energies freed, the calibrated point with all of
them at the low and at the high end of their ranges are starts too.

The full-cell quantities also free the composite cathode's literature parameters within their sourced
ranges (`CATHODE_FACTORS`, parameters/sensitivity-ranges.toml): they touch only the full cell's two
calibration records, so the half cells' records are reused while only cathode values change. With
`activation_energies`, a full-cell quantity (25 °C) also frees the activation energies that
`temperature_reach` moves, within their sourced ranges and with each parameter's 60 °C value held: the
search's coordinate for a fitted parameter is then its value at the calibration temperature (written
as the 25 °C value at its calibrated activation energy, so its fit bounds keep their meaning), and the
half cells, all at 60 °C, do not see the activation energies at all (their records are reused).

Each full-cell quantity runs the rate test that `sizno reproduce` runs for that cell, up to the
quantity's rate (later rates cannot change it), so at the calibrated point it is the number reproduce
reports on the same mesh. The loading ratio (`LoadingRatio`) is the full cell's capacity at one rate at
the 15 mg/cm² loading over the normal loading's, each from its reproduce rate test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from sizno.cell.half_cell import paper_half_cell
from sizno.experiments.protocols import Protocol, c_rate_test, load_protocol, rate_test
from sizno.experiments.runner import (NO_CURVES, QUICK_MESH_POINTS, anode_reversible_capacity_mAh_per_g, run_full_cell,
                                      run_half_cell)
from sizno.fitting import calibrate as cal
from sizno.fitting.core import FitProblem, fit
from sizno.fitting.sensitivity import EA_SUFFIX, Factor, literature_ranges, sobol_sample
from sizno.fitting.temperature_reach import activation_energy_factors, with_activation_energies
from sizno.materials import named_material
from sizno.data import read_toml
from sizno.models.parameters import ParameterEntry, ParameterSet, load_parameter_set
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
NOT_IN_A_FULL_CELL = ("Li-In exchange current density [A.m-2] | Ea [eV]",)  # the half cell's counter electrode


@dataclass(frozen=True)
class Quantity:
    """A predicted capacity: half cell at `rate` A/g, or full cell (`cell` "full", 25 °C) at `rate` C."""

    material: str
    temperature_C: float
    rate: float
    direction: int  # the side of the miss: 1 = the model is below the paper, -1 = above
    cell: str = "half"  # "half" or "full"
    ncm_loading_mg_per_cm2: float | None = None  # a full cell's NCM811 loading; None: the cell's default

    @property
    def full_cell(self) -> bool:
        return self.cell == "full"


@dataclass(frozen=True)
class Ordering:
    """The paper's 5 A/g ordering as a number: `best`'s capacity over the largest of `others` at `rate` A/g
    (above 1: `best` ranks first). Its push scale is RATIO_SCALE, far beyond the claim (> 1)."""

    best: str
    others: tuple[str, ...]
    temperature_C: float
    rate: float
    direction: int = 1


@dataclass(frozen=True)
class LoadingRatio:
    """The full cell's capacity at `c_rate` C with `ncm_loading_mg_per_cm2` of NCM811 over the default loading's
    (each the reproduce rate test, 25 °C). Pushed down on LOADING_RATIO_SCALE, towards zero, a bound it cannot pass."""

    material: str
    c_rate: float
    ncm_loading_mg_per_cm2: float
    direction: int = -1
    temperature_C: float = 25.0
    full_cell: bool = True


RATIO_SCALE = 2.0  # the ordering's push: (1 - ratio / 2), no optimum at the paper's threshold of 1
LOADING_RATIO_SCALE = 1.0  # the loading ratio's push: ratio / 1 (a loading-independent cell), towards 0

HIGH_LOADING_MG_PER_CM2 = 15.0
QUANTITIES: dict[str, Quantity | Ordering | LoadingRatio] = {
    "half_cell.rate.si.5.0": Quantity("si", 60.0, 5.0, 1),
    "half_cell.room_temperature.si_zno4.4.0": Quantity("si-zno4", 25.0, 4.0, 1),
    # the reproduce protocol of the 15 mg/cm² cell: 0.1, 0.2, 0.5, 1C, three cycles each, at 25 °C
    "full_cell.high_loading.0.5": Quantity("si-zno4", 25.0, 0.5, -1, "full", HIGH_LOADING_MG_PER_CM2),
    "full_cell.high_loading.1.0": Quantity("si-zno4", 25.0, 1.0, -1, "full", HIGH_LOADING_MG_PER_CM2),
    "half_cell.rate_ordering.5.0": Ordering("si-zno4", ("si-zno2", "si-zno8"), 60.0, 5.0),
    # the pure-Si full cell's reproduce protocol (full-cell-rate-test: 0.1 ... 2C, three cycles each), 25 °C
    "full_cell.rate.si.2.0": Quantity("si", 25.0, 2.0, 1, "full"),
    # the 1C capacity at 15 mg/cm² over the normal loading's (paper 55 / 126), pushed down
    "full_cell.loading_ratio.1.0": LoadingRatio("si-zno4", 1.0, HIGH_LOADING_MG_PER_CM2),
}
HIGH_LOADING_C_RATES = (0.1, 0.2, 0.5, 1.0)
RATE_TEST_PROTOCOL = "full-cell-rate-test"  # reproduce's full-cell rate test at the normal loading


def full_cell_rate_protocol(ncm_loading_mg_per_cm2: float | None, up_to_c_rate: float) -> Protocol:
    """The rate test `sizno reproduce` runs on this cell (three cycles per rate), up to the first block at
    `up_to_c_rate` [C]: the 15 mg/cm² cell's 0.1–1C, or the normal cell's full-cell-rate-test."""
    if ncm_loading_mg_per_cm2 == HIGH_LOADING_MG_PER_CM2:
        return c_rate_test(list(HIGH_LOADING_C_RATES), cal.CALIBRATION_CYCLES_PER_RATE)
    rate = load_protocol(RATE_TEST_PROTOCOL)
    rates = [b.steps[0].c_rate for b in rate.blocks]
    if up_to_c_rate not in rates:
        raise ValueError(f"up_to_c_rate must be one of {rates}")
    return rate.model_copy(update={"blocks": rate.blocks[:rates.index(up_to_c_rate) + 1]})


def reach_parameters(quantity: str, activation_energies: bool = False) -> tuple[str, ...]:
    """The parameters a search frees: the electrochemistry stage's, plus the cathode's for a full cell, plus
    (`activation_energies`, a full cell only) the activation energies `temperature_reach` moves ("... | Ea [eV]")."""
    names = tuple(cal.stage("electrochemistry").parameters)
    q = QUANTITIES[quantity]
    if not getattr(q, "full_cell", False):
        return names
    energies = (tuple(f.name for f in activation_energy_factors() if f.name not in NOT_IN_A_FULL_CELL)
                if activation_energies else ())
    return names + CATHODE_FACTORS + energies


def search_space(pset: ParameterSet, names: tuple[str, ...]) -> ParameterSet:
    """`pset` with the bounds a search over `names` needs: a literature parameter its sourced range, and each
    activation energy a stand-in entry named as its factor ("Name [unit] | Ea [eV]": value its Ea, bounds its
    range), which `resolved` turns back into the parameter's activation energy."""
    bounded = with_range_bounds(pset, tuple(n for n in names if not n.endswith(EA_SUFFIX)))
    energies = [n for n in names if n.endswith(EA_SUFFIX)]
    if not energies:
        return bounded
    ranges = literature_ranges(pset)
    entries = dict(bounded.entries)
    for n in energies:
        f = ranges[n]
        entries[n] = ParameterEntry(value=pset.entries[f.parameter].activation_energy_eV or 0.0,
                                    source=f.source, bounds=(f.low, f.high))
    return bounded.model_copy(update={"entries": entries})


def resolved(pset: ParameterSet) -> ParameterSet:
    """A search point as the model's parameter set: each stand-in activation energy set on its parameter with the
    parameter's 60 °C value held (`temperature_reach.with_activation_energies`); unchanged without stand-ins."""
    energies = {n.removesuffix(EA_SUFFIX): e.value for n, e in pset.entries.items() if n.endswith(EA_SUFFIX)}
    if not energies:
        return pset
    plain = pset.model_copy(update={"entries": {n: e for n, e in pset.entries.items() if not n.endswith(EA_SUFFIX)}})
    return with_activation_energies(plain, energies)


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
    """Log coordinates where the fit bounds are positive, or as the literature range says (activation energies:
    linear)."""
    ranges = literature_ranges(pset)
    return {n: ranges[n].log if n in ranges and not pset.entries[n].fitted else pset.entries[n].bounds[0] > 0
            for n in names}


_HALF_CELL_CACHE: dict[tuple, dict[str, float]] = {}
_HALF_CELL_CACHE_SIZE = 64


@lru_cache(maxsize=1)
def _half_cell_temperature_K() -> float:
    return paper_half_cell(named_material("si-zno4")).temperature_K


def _anode_key(pset: ParameterSet, mesh_points: int) -> tuple:
    """Every parameter but the cathode's (which no half cell reads) at the half cells' temperature (60 °C; the
    model reads values only through `at_temperature`), to 12 digits, as a hashable key: a change of activation
    energy that holds the 60 °C values reuses the half cells."""
    cathode = set(read_toml(CATHODE_SET)) - {"reference_temperature_K"}
    values = pset.at_temperature(_half_cell_temperature_K())
    return (mesh_points,) + tuple((k, float(f"{v:.12g}")) for k, v in sorted(values.items()) if k not in cathode)


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


def full_cell_rate_capacities(material: str, ncm_loading_mg_per_cm2: float | None, up_to_c_rate: float,
                              pset: ParameterSet, mesh_points: int,
                              anode_capacity_mAh_per_g: float | None = None) -> dict[float, float]:
    """The full cell's capacity [mAh/g NCM811] at each C-rate of its reproduce rate test up to `up_to_c_rate`;
    the anode sized (N/P) with its simulated half-cell capacity under `pset` unless given."""
    overrides = {} if ncm_loading_mg_per_cm2 is None else {"ncm_loading_mg_per_cm2": ncm_loading_mg_per_cm2}
    if anode_capacity_mAh_per_g is not None:
        overrides["anode_capacity_mAh_per_g"] = anode_capacity_mAh_per_g
    protocol = full_cell_rate_protocol(ncm_loading_mg_per_cm2, up_to_c_rate)
    run = run_full_cell(material, protocol, pset=pset, mesh_points=mesh_points, timeseries_cycles=NO_CURVES,
                        **overrides)
    return {c: rate_capacity(run, c) for c in dict.fromkeys(b.steps[0].c_rate for b in protocol.blocks)}


def loading_ratio_capacities(q: LoadingRatio, pset: ParameterSet, mesh_points: int,
                             normal_up_to_c_rate: float | None = None) -> dict[str, dict[float, float]]:
    """Both cells' rate capacities for a loading ratio: the high loading's up to `q.c_rate`, the normal's up to
    `normal_up_to_c_rate` (default `q.c_rate`); one anode sizing for both, as reproduce does."""
    cap = anode_reversible_capacity_mAh_per_g(named_material(q.material), pset)
    return {"high": full_cell_rate_capacities(q.material, q.ncm_loading_mg_per_cm2, q.c_rate, pset, mesh_points, cap),
            "normal": full_cell_rate_capacities(q.material, None, normal_up_to_c_rate or q.c_rate, pset, mesh_points,
                                                cap)}


def quantity_value(quantity: str, pset: ParameterSet, mesh_points: int) -> float:
    """The predicted quantity [mAh/g; the ordering, the loading ratio: a ratio] (the reproduce protocol's three
    cycles per rate)."""
    q = QUANTITIES[quantity]
    if isinstance(q, Ordering):
        def capacity(material: str) -> float:
            return _half_cell_rate_capacity(material, q.temperature_C, q.rate, pset, mesh_points)

        return capacity(q.best) / max(capacity(m) for m in q.others)
    if isinstance(q, LoadingRatio):
        caps = loading_ratio_capacities(q, pset, mesh_points)
        return caps["high"][q.c_rate] / caps["normal"][q.c_rate]
    if q.full_cell:
        return full_cell_rate_capacities(q.material, q.ncm_loading_mg_per_cm2, q.rate, pset, mesh_points)[q.rate]
    return _half_cell_rate_capacity(q.material, q.temperature_C, q.rate, pset, mesh_points)


LOADING_RECORDS_UP_TO_C_RATE = 2.0  # the normal cell's records reported beside a loading ratio: up to 2C


def records_at(quantity: str, pset: ParameterSet, mesh_points: int) -> dict[str, float]:
    """The reproduce records a loading ratio trades against, at `pset`: the 15 mg/cm² cell's 0.5C and 1C and the
    normal cell's 1C, 1.5C and 2C [mAh/g NCM811]; {} for the other quantities."""
    q = QUANTITIES[quantity]
    if not isinstance(q, LoadingRatio):
        return {}
    try:
        caps = loading_ratio_capacities(q, pset, mesh_points, LOADING_RECORDS_UP_TO_C_RATE)
    except Exception:  # a parameter set the model cannot run: no records
        return {}
    return {**{f"full_cell.high_loading.{c:.1f}": caps["high"][c] for c in (0.5, 1.0)},
            **{f"full_cell.rate.{q.material.replace('-', '_')}.{c:.1f}": caps["normal"][c] for c in (1.0, 1.5, 2.0)}}


def quantity_scale(quantity: str) -> float:
    """The push's scale [mAh/g]: the composition's theoretical capacity (half cell) or the full cell's
    calibrated first discharge at 0.1C (a calibration record, never the validation value)."""
    q = QUANTITIES[quantity]
    if isinstance(q, Ordering):
        return RATIO_SCALE
    if isinstance(q, LoadingRatio):
        return LOADING_RATIO_SCALE
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


def reach_problem(quantity: str, direction: int, mesh_points: int, trace: list[dict] | None = None,
                  activation_energies: bool = False, trace_path: Path | None = None) -> FitProblem:
    """Residuals: each calibration record's excess over the band (smooth, 0 inside), and the push.
    Every evaluation's quantity and worst record are appended to `trace` when given, and with its point as one
    JSON line to `trace_path` (a long search's progress, readable before it ends)."""
    stage = cal.stage("electrochemistry")
    targets = cal.calibration_targets(stage.records)
    scale = quantity_scale(quantity)
    names = reach_parameters(quantity, activation_energies)

    def residuals(point: ParameterSet) -> np.ndarray:
        pset = resolved(point)
        rel_by_id = calibration_relative(pset, mesh_points)
        rel = np.array([rel_by_id[t.id] for t in targets])
        try:
            q = quantity_value(quantity, pset, mesh_points)
        except Exception:
            q = float("nan")
        row = {"quantity": q, "worst": float(np.max(np.abs(rel)))}
        if trace is not None:
            trace.append(row)
        if trace_path is not None:
            with open(trace_path, "a") as fh:
                fh.write(json.dumps({"search": quantity, **row, "values": {n: point.value(n) for n in names}},
                                    default=float) + "\n")
        push = (1.0 - q / scale) if direction > 0 else q / scale
        return np.append(penalty(rel), push)

    return FitProblem(names=list(names), residuals=residuals, labels=[t.id for t in targets] + [f"push {quantity}"],
                      log_scale=_log_scales(search_space(load_parameter_set(), names), names))


def screened_starts(starts: int, pset: ParameterSet | None = None, mesh_points: int = QUICK_MESH_POINTS,
                    candidates: int | None = None, seed: int = 0,
                    on_evaluation: Callable[[], None] | None = None,
                    names: tuple[str, ...] | None = None) -> list[dict]:
    """The calibrated point; where `names` hold activation energies, the calibrated point with all of them at the
    low and at the high end of their ranges (60 °C values held: the half cells' records unchanged; a local search
    moves them little from the calibrated point); then the `starts` - 1 Sobol' candidates of the bounds of `names`
    (default: the electrochemistry stage's; a literature parameter or an activation energy: its sourced range) with
    the smallest calibration penalty (SCREEN_CANDIDATES_PER_START per start unless `candidates`). Each: origin,
    values, worst calibration record (relative; not for the calibrated point), penalty."""
    if starts < 1:
        raise ValueError("starts must be >= 1")
    pset = pset or load_parameter_set()
    names = list(names or cal.stage("electrochemistry").parameters)
    space = search_space(pset, tuple(names))
    out = [{"origin": "calibrated", "values": {n: space.value(n) for n in names}}]
    energies = [n for n in names if n.endswith(EA_SUFFIX)]
    for end, pick in (("low", 0), ("high", 1)) if energies else ():
        values = {**out[0]["values"], **{n: space.entries[n].bounds[pick] for n in energies}}
        rel = np.array(list(calibration_relative(resolved(space.with_values(values)), mesh_points).values()))
        out.append({"origin": f"calibrated, every activation energy at its {end} end (60 °C values held)",
                    "values": values, "worst": float(np.max(np.abs(rel)))})
    if starts > 1:
        n = candidates or SCREEN_CANDIDATES_PER_START * (starts - 1)
        logs = _log_scales(space, tuple(names))
        factors = [Factor(nm, *space.entries[nm].bounds, logs[nm], "bounds") for nm in names]
        screened = []
        for k, row in enumerate(sobol_sample(factors, n, seed)):
            values = {f.name: float(v) for f, v in zip(factors, row)}
            rel = np.array(list(calibration_relative(resolved(space.with_values(values)), mesh_points).values()))
            cost = float(np.sum(penalty(rel) ** 2)) if np.all(np.isfinite(rel)) else float("inf")
            screened.append({"origin": f"Sobol' candidate {k} of {n} (seed {seed})", "values": values,
                             "worst": float(np.max(np.abs(rel))), "penalty": cost})
            if on_evaluation:
                on_evaluation()
        out += sorted(screened, key=lambda s: s["penalty"])[:starts - 1]
    return out


def continued_starts(result: dict, quantity: str, names: tuple[str, ...]) -> list[dict]:
    """Starts from a previous run's ends (`result`: a reach JSON as `sizno sensitivity --analysis reach` writes it,
    {"results": {quantity: {...}}}): each start's end point, best first (within 5 % and furthest along the push, then
    the nearest to the band). Raises ValueError naming what is missing: the quantity, or parameters (another set of
    free parameters, e.g. without --activation-energies)."""
    runs = result.get("results", {})
    if quantity not in runs:
        raise ValueError(f"holds no run of {quantity} (it holds: {', '.join(sorted(runs)) or 'none'})")
    run = runs[quantity]
    direction = 1 if run.get("direction") == "maximum" else -1
    ends = [e for e in run.get("starts", []) if e.get("parameters")]
    if not ends:
        raise ValueError(f"holds no end point of {quantity}")
    missing = sorted(set(names) - set(ends[0]["parameters"]))
    if missing:
        raise ValueError(f"its run of {quantity} did not free {missing[0]} (run it with the same options)")

    def rank(e: dict) -> tuple:
        feasible = e["worst_calibration_residual"] <= TOLERANCE
        return (not feasible, -direction * e["reached"] if feasible else e["worst_calibration_residual"])

    return [{"origin": f"continued from the end of '{e['origin']}' ({e['reached']:.4g}, worst record "
                       f"{100 * e['worst_calibration_residual']:.1f} %)",
             "values": {n: e["parameters"][n] for n in names}, "worst": e["worst_calibration_residual"]}
            for e in sorted(ends, key=rank)]


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
               pset: ParameterSet, on_evaluation: Callable[[float], None] | None = None,
               activation_energies: bool = False, trace_path: Path | None = None) -> dict:
    """One search from `start` (a `screened_starts` entry): its end point, worst record and convergence."""
    trace: list[dict] = []
    space = search_space(pset, reach_parameters(quantity, activation_energies))
    res = fit(reach_problem(quantity, direction, mesh_points, trace, activation_energies, trace_path), space,
              x0=start["values"], max_evaluations=max_evaluations, on_evaluation=on_evaluation)
    end = resolved(space.with_values(res.values))
    residuals = calibration_relative(end, mesh_points)
    best_seen = _best_feasible_by_evaluation(trace, direction)
    quarter = max(1, len(best_seen) // 4)
    before = best_seen[-quarter - 1] if len(best_seen) > quarter else None
    return {
        "origin": start["origin"], "start": start["values"], "start_worst_calibration_residual": start.get("worst"),
        "parameters": res.values, "reached": quantity_value(quantity, end, mesh_points),
        "calibration_residuals": residuals,
        "worst_calibration_residual": float(max(abs(v) for v in residuals.values())),
        "records_at_end": records_at(quantity, end, mesh_points),
        "best_feasible_seen": best_seen[-1] if best_seen else None,
        "best_feasible_last_quarter_gain": (best_seen[-1] - before if best_seen and None not in (best_seen[-1], before)
                                           else None),
        "best_feasible_by_evaluation": best_seen,
        "model_runs": res.n_evaluations, "converged": res.success, "message": res.message,
    }


def reach(quantity: str = "half_cell.rate.si.5.0", direction: int | None = None, mesh_points: int = QUICK_MESH_POINTS,
          max_evaluations: int = 30, starts: int | list[dict] = 1, seed: int = 0,
          on_evaluation: Callable[[float], None] | None = None, on_start: Callable[[dict], None] | None = None,
          activation_energies: bool = False, trace_path: Path | None = None) -> dict:
    """The largest (`direction` 1) or smallest (-1) value of `quantity` with the calibration held within 5 %,
    best over `starts` searches (a number, or `screened_starts`' list); `direction` defaults to the side of the miss.
    `activation_energies`: a full-cell quantity also frees the activation energies (60 °C values held)."""
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of {sorted(QUANTITIES)}")
    direction = QUANTITIES[quantity].direction if direction is None else direction
    names = reach_parameters(quantity, activation_energies)
    pset = load_parameter_set()
    points = starts if isinstance(starts, list) else screened_starts(starts, pset, mesh_points, seed=seed, names=names)
    ends = []
    for s in points:
        ends.append(reach_from(quantity, s, direction, mesh_points, max_evaluations, pset, on_evaluation,
                               activation_energies, trace_path))
        if on_start:
            on_start(ends[-1])
    feasible = [e for e in ends if e["worst_calibration_residual"] <= TOLERANCE]
    best = max(feasible, key=lambda e: direction * e["reached"]) if feasible else None
    seen = [e["best_feasible_seen"] for e in ends if e["best_feasible_seen"] is not None]
    paper = {r.id: r.value for r in paper_reference()}
    q = QUANTITIES[quantity]
    if isinstance(q, LoadingRatio):
        high, normal = f"full_cell.high_loading.{q.c_rate:.1f}", f"full_cell.rate.{q.material.replace('-', '_')}.{q.c_rate:.1f}"
        paper_value = paper[high] / paper[normal] if high in paper and normal in paper else None
    else:
        paper_value = paper.get(quantity)
    return {
        "quantity": quantity, "direction": "maximum" if direction > 0 else "minimum", "mesh_points": mesh_points,
        "tolerance": TOLERANCE, "calibrated_value": quantity_value(quantity, pset, mesh_points),
        "records_at_calibrated": records_at(quantity, pset, mesh_points),
        "reached": best["reached"] if best else None,
        "reached_any_evaluation": (max(seen) if direction > 0 else min(seen)) if seen else None,
        "paper (validation, not used)": paper_value,
        "best_start": best["origin"] if best else None,
        "parameters": best["parameters"] if best else None,
        "worst_calibration_residual": best["worst_calibration_residual"] if best else None,
        "records_at_reached": best["records_at_end"] if best else None,
        "model_runs": sum(e["model_runs"] for e in ends), "starts": ends,
        "free parameters": list(names), "activation_energies_free": any(n.endswith(EA_SUFFIX) for n in names),
        "max_evaluations": max_evaluations,
        "method": "scipy least_squares over the electrochemistry stage's parameters within their fit bounds (a full "
                  "cell: and the cathode's literature parameters within their sourced ranges; with "
                  "activation_energies_free: the activation energies within their sourced ranges, each parameter's "
                  "60 °C value held) from each "
                  f"start ({len(points)}: the calibrated point and the Sobol' candidates nearest the band, seed {seed}); "
                  "softplus penalty on each record beyond 5 %, push away from the model's value (theoretical capacity "
                  "or the full cell's calibrated 0.1C discharge up, zero down; ratios on their own scale); "
                  "'reached' = the best end point with every record within 5 %, "
                  "'reached_any_evaluation' = the best of every model evaluation with every record within 5 %",
    }


def reach_figure(result: dict, path: Path) -> Path:
    """Per quantity: the calibrated model, each start's end (every record within 5 % or not), the paper's."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ratios = [(q, r) for q, r in result["results"].items() if isinstance(QUANTITIES.get(q), (Ordering, LoadingRatio))]
    rows = [(q, r) for q, r in result["results"].items() if (q, r) not in ratios] or ratios  # capacities, else ratios
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
    ax.set_xlabel("ratio [-]" if rows is ratios else "capacity [mAh/g]")
    ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path
