"""How much pure Si can give at 5 A/g anywhere in the parameter box, given only its own calibration records.

The reach (`sizno.fitting.reach`) is a local search: from a few starts it follows the calibration's
valley over the fitted parameters and stops where scipy does. This analysis is global and a
relaxation. It samples every fitted parameter within its fit bounds and every literature value of
`data/parameters/sensitivity-ranges.toml` within its range (a scrambled Sobol' sample; log-uniform
where the range is), runs pure Si's rate test (the calibration protocol, three cycles per rate, 60 °C)
and keeps the samples that meet pure Si's two calibration records within 5 % (its ICE and its
0.8 A/g capacity). The samples that meet its 0.8 A/g record and give the most at 5 A/g are then run on
every calibration record of the electrochemistry stage, to show what their 5 A/g costs elsewhere. Si–ZnO4's eight records are not asked for: the feasible set is larger than the
calibration's, so its largest 5 A/g capacity bounds the calibrated model's from above (as far as the
sample resolves it). The envelope over the whole sample (the largest 5 A/g capacity in bins of the
0.8 A/g capacity) shows how the two move together: a single transport length makes the 5 A/g capacity
collapse once the 0.8 A/g one has fallen from the low-rate plateau.

The paper's value (~560 mAh/g) is only set beside the answer.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Callable

import numpy as np

from sizno.data import read_toml
from sizno.experiments.protocols import rate_test
from sizno.experiments.runner import NO_CURVES, QUICK_MESH_POINTS, run_half_cell
from sizno.fitting import calibrate as cal
from sizno.fitting.reach import CATHODE_SET
from sizno.fitting.sensitivity import Factor, sensitivity_factors, sobol_sample, with_factors
from sizno.models.parameters import ParameterSet, load_parameter_set
from sizno.reproduce.reference import paper_reference
from sizno.results.observables import first_cycle, rate_capacity

MATERIAL = "si"
TEMPERATURE_C = 60.0
HIGH_RATE_A_PER_G = 5.0
RECORDS = {"half_cell.first_cycle.si.ice_percent": "ice", "half_cell.rate.si.0.8": 0.8}  # pure Si's calibration
QUANTITY = "half_cell.rate.si.5.0"
TOLERANCE = 0.05
ENVELOPE_BINS = 24
CHECKED_SAMPLES = 8  # the samples with pure Si's 0.8 A/g record met and the most at 5 A/g, run on the whole calibration


def envelope_factors(pset: ParameterSet) -> list[Factor]:
    """Every factor of the sensitivity analysis that sets a value a half cell reads: not the cathode's (parameters
    of `CATHODE_SET`), and no activation energy (at one temperature a value's range spans what it could do)."""
    cathode = set(read_toml(CATHODE_SET))
    return [f for f in sensitivity_factors(pset) if not f.is_activation_energy and f.parameter not in cathode]


def pure_si_observables(pset: ParameterSet, mesh_points: int = QUICK_MESH_POINTS) -> dict[str, float]:
    """Pure Si's ICE [%], 0.8 A/g and 5 A/g capacities [mAh/g] from one calibration-protocol rate test."""
    try:
        run = run_half_cell(MATERIAL, rate_test(list(cal.CALIBRATION_RATES_A_PER_G), cal.CALIBRATION_CYCLES_PER_RATE),
                            temperature_C=TEMPERATURE_C, pset=pset, mesh_points=mesh_points, timeseries_cycles=NO_CURVES)
        return {"ice_percent": first_cycle(run)["ice_percent"], "q_0.8": rate_capacity(run, 0.8),
                "q_5.0": rate_capacity(run, HIGH_RATE_A_PER_G)}
    except Exception:  # a corner the model cannot run: no number, counted as failed
        return {"ice_percent": float("nan"), "q_0.8": float("nan"), "q_5.0": float("nan")}


def _relative_errors(obs: dict[str, float], targets: dict[str, float]) -> dict[str, float]:
    return {"half_cell.first_cycle.si.ice_percent": obs["ice_percent"] / targets["half_cell.first_cycle.si.ice_percent"] - 1,
            "half_cell.rate.si.0.8": obs["q_0.8"] / targets["half_cell.rate.si.0.8"] - 1}


def binned_envelope(rows: list[dict], x: str, y: str, bins: int = ENVELOPE_BINS) -> list[dict]:
    """The largest `y` in each of `bins` equal bins of `x` from 0 to the largest `x` (every row counted once):
    [{f"{x}_low", f"{x}_high", "samples", f"largest_{y}"}]."""
    edges = np.linspace(0.0, max([r[x] for r in rows], default=1.0) * 1.0001, bins + 1)
    envelope = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = [r[y] for r in rows if lo <= r[x] < hi]
        envelope.append({f"{x}_low": float(lo), f"{x}_high": float(hi), "samples": len(inside),
                         f"largest_{y}": float(max(inside)) if inside else None})
    return envelope


def whole_calibration(pset: ParameterSet, factors: list[Factor], row: dict, mesh_points: int) -> dict:
    """Every electrochemistry-stage calibration record's relative error at a sample (`row["values"]`), and the worst
    (a record whose run failed, NaN, counts as the worst)."""
    from sizno.fitting.reach import calibration_relative

    rel = calibration_relative(with_factors(pset, factors, np.array([row["values"][f.name] for f in factors])),
                               mesh_points)
    worst = max(rel, key=lambda k: abs(rel[k]) if np.isfinite(rel[k]) else np.inf)
    return {"sample": row["sample"], "calibration_relative": rel, "worst_record": worst, "worst_relative": rel[worst]}


def rate_envelope(samples: int = 256, seed: int = 0, mesh_points: int = QUICK_MESH_POINTS,
                  pset: ParameterSet | None = None, checked: int = CHECKED_SAMPLES,
                  on_sample: Callable[[], None] | None = None) -> dict:
    """The Sobol' sample's observables, the samples that meet pure Si's records, the envelope, and the whole
    calibration at the `checked` samples that meet pure Si's 0.8 A/g record with the most at 5 A/g."""
    if samples < 2:
        raise ValueError("samples must be >= 2")
    pset = pset or load_parameter_set()
    factors = envelope_factors(pset)
    targets = {t.id: t.value for t in cal.calibration_targets(tuple(RECORDS))}
    rows = [{"sample": "calibrated", "values": {f.name: pset.value(f.name) for f in factors},
             **pure_si_observables(pset, mesh_points)}]
    if on_sample:
        on_sample()
    for k, values in enumerate(sobol_sample(factors, samples, seed)):
        rows.append({"sample": k, "values": {f.name: float(v) for f, v in zip(factors, values)},
                     **pure_si_observables(with_factors(pset, factors, values), mesh_points)})
        if on_sample:
            on_sample()
    for r in rows:
        rel = _relative_errors(r, targets)
        r["relative_errors"] = rel
        r["meets_pure_si_records"] = bool(all(np.isfinite(v) and abs(v) <= TOLERANCE for v in rel.values()))
    sampled = [r for r in rows if r["sample"] != "calibrated"]
    feasible = [r for r in sampled if r["meets_pure_si_records"]]
    ok = [r for r in sampled if np.isfinite(r["q_0.8"]) and np.isfinite(r["q_5.0"])]
    envelope = binned_envelope(ok, "q_0.8", "q_5.0")
    best = max(feasible, key=lambda r: r["q_5.0"]) if feasible else None
    rate_met = [r for r in ok if abs(r["relative_errors"]["half_cell.rate.si.0.8"]) <= TOLERANCE]
    whole = []
    for r in sorted(rate_met, key=lambda r: -r["q_5.0"])[:checked]:
        whole.append({"q_5.0": r["q_5.0"], **whole_calibration(pset, factors, r, mesh_points)})
        if on_sample:
            on_sample()
    paper = {r.id: r.value for r in paper_reference()}
    return {
        "quantity": QUANTITY, "records": list(RECORDS), "targets": targets, "tolerance": TOLERANCE,
        "samples": samples, "seed": seed, "mesh_points": mesh_points,
        "factors": [asdict(f) for f in factors],
        "calibrated": rows[0],
        "failed_samples": len(sampled) - len(ok),
        "feasible_samples": len(feasible),
        "largest_feasible_q_5.0": best["q_5.0"] if best else None,
        "largest_feasible_sample": best,
        "largest_q_5.0_any_sample": float(max(r["q_5.0"] for r in ok)) if ok else None,
        "envelope": envelope,
        "whole_calibration_at_best_rate_met": whole,
        "paper (validation, not used)": paper.get(QUANTITY),
        "rows": rows,
        "method": f"scrambled Sobol' sample (seed {seed}) of every fitted parameter within its fit bounds and every "
                  "literature value within its sensitivity range; pure Si's rate test at 60 °C (calibration protocol, "
                  "three cycles per rate); feasible = pure Si's ICE and 0.8 A/g records within 5 % (Si–ZnO4's records "
                  "not asked for: a relaxation, so its largest 5 A/g capacity bounds the calibrated model's from above "
                  "as far as the sample resolves it)",
    }


def rate_envelope_figure(result: dict, path: Path) -> Path:
    """5 A/g against 0.8 A/g capacity for every sample; the records' band; the envelope; the paper's point."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in result["rows"] if r["sample"] != "calibrated" and np.isfinite(r["q_0.8"])]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    ax.scatter([r["q_0.8"] for r in rows], [r["q_5.0"] for r in rows], s=8,
               c=["C2" if r["meets_pure_si_records"] else "0.6" for r in rows], label="samples (green: ICE and 0.8 A/g within 5 %)")
    env = [e for e in result["envelope"] if e["largest_q_5.0"] is not None]
    ax.step([e["q_0.8_high"] for e in env], [e["largest_q_5.0"] for e in env], where="pre", color="C0", lw=1,
            label="largest in each bin")
    target = result["targets"]["half_cell.rate.si.0.8"]
    ax.axvspan(target * (1 - result["tolerance"]), target * (1 + result["tolerance"]), color="C2", alpha=0.15)
    cal_row = result["calibrated"]
    ax.plot(cal_row["q_0.8"], cal_row["q_5.0"], "o", color="C0", label="calibrated model")
    if result["paper (validation, not used)"] is not None:
        ax.plot(target, result["paper (validation, not used)"], "x", color="k", ms=9, label="paper (5 A/g: validation)")
    ax.set_xlabel("pure Si, 0.8 A/g [mAh/g] (calibration record)")
    ax.set_ylabel("pure Si, 5 A/g [mAh/g]")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path
