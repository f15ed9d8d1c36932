"""Mesh convergence of the records (issue 14: "the coarsest mesh whose capacities stay within 1 % of a fine one").

Runs the experiments behind the half-cell records and the calibration records at several anode meshes
(x_n cells, the exponential mesh of `sizno.models.anode.states`) and prints, per mesh and experiment,
the largest relative deviation from the finest mesh: over the records (scalars) and over every cycle's
reversible capacity (the curve). With --cathode, the full cell's cathode mesh (x_p = r_p points) is
varied at a fixed anode mesh the same way.

Results are cached in a JSON file (--cache) keyed by experiment and mesh, so the study can run in parts:
    taskset -c 1 nice -n 5 python benchmarks/mesh_convergence.py --meshes 8 10 12 16 20 40
    python benchmarks/mesh_convergence.py --cathode --anode-mesh 12 --meshes 4 6 8 10 20
    python benchmarks/mesh_convergence.py --stretch 3 --ref-stretch 2 --meshes 10 12 16 40
Experiments (--only NAME ...):
  rate.<material>.<T>C   the paper's rate test (27 cycles), Si–ZnO2/4/8 and Si at 60 °C, Si and Si–ZnO4 at 25 °C
  calibration.half       the calibration objective's 60 °C runs (Si–ZnO4 and Si, 8 rates x 3 cycles)
  calibration.swelling   Si–ZnO4's first cycle (lithiated thickness)
  full.first             the full cell's first cycle at 25 °C (calibration records)
  full.rate              the full cell's rate test (Si–ZnO4)
  long.half              Si–ZnO4, formation + 200 cycles at 0.8 A/g (the ageing record and its curve)
  long.full              the full cell, 2 + 200 cycles at 0.5C
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path
from typing import Callable

from sizno.experiments import engine, load_protocol, run_full_cell, run_half_cell
from sizno.experiments.runner import CATHODE_MESH_POINTS
from sizno.fitting import calibrate
from sizno.models.anode import states
from sizno.models.parameters import load_parameter_set
from sizno.results.observables import capacity_by_cycle, first_cycle, rate_capacity, retention_percent, reversible_column

# records below this [mAh/g] are compared in absolute terms (mAh/g), not relative: a capacity that is ~0 on
# every mesh (pure Si at 4 A/g, 25 °C) has no meaningful relative deviation
SMALL_mAh_per_g = 20.0
Outcome = dict[str, dict[str, float] | list[float]]  # {"records": {...}, "curve": [...]}


def _cpu_s() -> float:
    t = os.times()
    return t.user + t.system


def _rate_records(res) -> dict[str, float]:
    out = {f"first.{k}": v for k, v in first_cycle(res).items()}
    for r in sorted(set(res.cycles["current_A_per_g"].dropna())):
        out[f"rate.{r:g}"] = rate_capacity(res, r)
    return out


def _curve(res) -> list[float]:
    return [float(x) for x in res.cycles[reversible_column(res)]]


def _rate(material: str, temperature_C: float) -> Callable[[int, int], Outcome]:
    def run(mesh: int, cathode: int) -> Outcome:
        res = run_half_cell(material, load_protocol("rate-test"), temperature_C=temperature_C, mesh_points=mesh)
        return {"records": _rate_records(res), "curve": _curve(res)}
    return run


def _calibration_half(mesh: int, cathode: int) -> Outcome:
    return {"records": calibrate._half_cell_values(load_parameter_set(), mesh), "curve": []}


def _swelling(mesh: int, cathode: int) -> Outcome:
    return {"records": calibrate._swelling_values(load_parameter_set(), mesh), "curve": []}


def _full_first(mesh: int, cathode: int) -> Outcome:
    res = run_full_cell("si-zno4", load_protocol("full-cell-first-cycles").with_repeat(1), mesh_points=mesh,
                        cathode_mesh_points=cathode)
    return {"records": {f"first.{k}": v for k, v in first_cycle(res).items()}, "curve": _curve(res)}


def _full_rate(mesh: int, cathode: int) -> Outcome:
    res = run_full_cell("si-zno4", load_protocol("full-cell-rate-test"), mesh_points=mesh, cathode_mesh_points=cathode,
                        timeseries_cycles=set())
    recs = {f"rate.{r:g}C": rate_capacity(res, r) for r in sorted(set(res.cycles["c_rate"].dropna()))}
    return {"records": recs, "curve": _curve(res)}


def _long_half(mesh: int, cathode: int) -> Outcome:
    res = run_half_cell("si-zno4", load_protocol("long-cycling"), mesh_points=mesh)
    q = capacity_by_cycle(res)
    return {"records": {"retention_percent": retention_percent(res), "first_long_cycle_mAh_g": float(q[0]),
                        "completed": float(res.completed)}, "curve": _curve(res)}


def _long_full(mesh: int, cathode: int) -> Outcome:
    res = run_full_cell("si-zno4", load_protocol("full-cell-cycling"), mesh_points=mesh, cathode_mesh_points=cathode,
                        timeseries_cycles=set())
    q = capacity_by_cycle(res)
    return {"records": {"retention_percent": retention_percent(res), "first_long_cycle_mAh_g": float(q[0]),
                        "completed": float(res.completed)}, "curve": _curve(res)}


EXPERIMENTS: dict[str, Callable[[int, int], Outcome]] = {
    **{f"rate.{m}.60C": _rate(m, 60.0) for m in ("si-zno2", "si-zno4", "si-zno8", "si")},
    **{f"rate.{m}.25C": _rate(m, 25.0) for m in ("si-zno4", "si")},
    "calibration.half": _calibration_half,
    "calibration.swelling": _swelling,
    "full.first": _full_first,
    "full.rate": _full_rate,
    "long.half": _long_half,
    "long.full": _long_full,
}
HALF_CELL_ONLY = {n for n in EXPERIMENTS if not n.startswith("full") and n != "long.full"}


def deviation(value: float, ref: float) -> float:
    """Relative deviation [-] (absolute in mAh/g/100 for |ref| < SMALL_mAh_per_g, so 0.01 = 1 mAh/g)."""
    if math.isnan(value) and math.isnan(ref):
        return 0.0
    if math.isnan(value) or math.isnan(ref):
        return math.inf
    if abs(ref) < SMALL_mAh_per_g:
        return abs(value - ref) / 100.0
    return abs(value - ref) / abs(ref)


def max_deviation(out: Outcome, ref: Outcome) -> tuple[float, str, float]:
    """(largest record deviation, its record, largest curve deviation) of `out` from `ref`."""
    worst, name = 0.0, "-"
    for k, r in ref["records"].items():
        if k == "completed":
            continue
        d = deviation(out["records"].get(k, math.nan), r)
        if d > worst:
            worst, name = d, k
    n = min(len(out["curve"]), len(ref["curve"]))
    curve = max((deviation(a, b) for a, b in zip(out["curve"][:n], ref["curve"][:n])), default=0.0)
    if len(out["curve"]) != len(ref["curve"]):
        curve = math.inf
    return worst, name, curve


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--meshes", type=int, nargs="+", default=[8, 10, 12, 16, 20, 40],
                    help="anode meshes (with --cathode: cathode meshes); the largest is the reference")
    ap.add_argument("--cathode", action="store_true", help="vary the cathode mesh (full-cell experiments)")
    ap.add_argument("--anode-mesh", type=int, default=12, help="the anode mesh with --cathode")
    ap.add_argument("--only", nargs="+", default=None, help="experiments to run (default: all that apply)")
    ap.add_argument("--stretch", type=float, default=states.MESH_STRETCH, help="the anode mesh's exponential stretch")
    ap.add_argument("--ref-stretch", type=float, default=None, help="the reference mesh's stretch (default: --stretch)")
    ap.add_argument("--cache", type=Path, default=Path("out/mesh_convergence.json"))
    args = ap.parse_args()
    ref_stretch = args.stretch if args.ref_stretch is None else args.ref_stretch
    names = args.only or (sorted(n for n in EXPERIMENTS if n.startswith("full") or n == "long.full") if args.cathode
                          else sorted(HALF_CELL_ONLY) + ["full.first", "full.rate", "long.full"])
    cache = json.loads(args.cache.read_text()) if args.cache.exists() else {}
    meshes = sorted(set(args.meshes))
    ref_mesh = meshes[-1]

    def key(name: str, mesh: int) -> str:
        stretch = ref_stretch if mesh == ref_mesh else args.stretch
        return (f"{name}|anode {args.anode_mesh if args.cathode else mesh}|cathode {mesh if args.cathode else CATHODE_MESH_POINTS}"
                f"|stretch {stretch:g}")

    for name in names:
        for mesh in reversed(meshes):
            k = key(name, mesh)
            if k in cache:
                continue
            states.MESH_STRETCH = ref_stretch if mesh == ref_mesh else args.stretch
            engine.clear_cache()  # the engine's cache key does not hold the stretch
            anode, cathode = (args.anode_mesh, mesh) if args.cathode else (mesh, CATHODE_MESH_POINTS)
            c0 = _cpu_s()
            cache[k] = {**EXPERIMENTS[name](anode, cathode), "cpu_s": _cpu_s() - c0}
            print(f"  ran {k}: {cache[k]['cpu_s']:.1f} s CPU", flush=True)
            args.cache.parent.mkdir(parents=True, exist_ok=True)
            args.cache.write_text(json.dumps(cache, indent=1))

    what = ("cathode mesh (x_p = r_p), anode mesh " + str(args.anode_mesh) if args.cathode else "anode mesh (x_n cells)")
    what += f", stretch {args.stretch:g} (reference {ref_stretch:g})"
    print(f"\nlargest deviation from mesh {ref_mesh}, {what}: records / every cycle's capacity [%] (CPU s)")
    print(f"{'experiment':<22}" + "".join(f" | {m:>22}" for m in meshes[:-1]) + " | worst record at the coarsest")
    overall = {m: 0.0 for m in meshes[:-1]}
    for name in names:
        ref = cache[key(name, ref_mesh)]
        cells, worst_name = [], ""
        for m in meshes[:-1]:
            rec, rname, curve = max_deviation(cache[key(name, m)], ref)
            overall[m] = max(overall[m], rec, curve)
            cells.append(f"{100 * rec:6.2f} / {100 * curve:6.2f} ({cache[key(name, m)]['cpu_s']:4.0f})")
            worst_name = worst_name or rname
        print(f"{name:<22}" + "".join(f" | {c:>22}" for c in cells) + f" | {worst_name}")
    print(f"{'all':<22}" + "".join(f" | {100 * overall[m]:22.2f}" for m in meshes[:-1]))
    ok = [m for m in meshes[:-1] if overall[m] <= 0.01]
    print(f"coarsest mesh within 1 % on every record and curve: {min(ok) if ok else 'none'} "
          f"(the reference mesh {ref_mesh} took {sum(cache[key(n, ref_mesh)]['cpu_s'] for n in names):.0f} s CPU)")


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"wall {time.perf_counter() - t0:.0f} s")
