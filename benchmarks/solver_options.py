"""Solver levers (issue 14): IDA's steps, CPU time and the records' moves for IDAKLU options and tolerances.

Each variant runs the same experiments (default: the rate test of Si–ZnO4 and Si at 60 °C) on a model built
for it (the engine caches by options, so the build is outside the timing: a first run builds); prints the
median CPU of `--repeats` solves, IDA's steps per half cycle (median) and the largest move of every cycle's
reversible capacity from the first variant (the engine's defaults).
    taskset -c 1 nice -n 5 python benchmarks/solver_options.py --variants base rtol1e-5 order3
"""

from __future__ import annotations

import argparse
import os
import statistics

import numpy as np

from sizno.experiments import engine, load_protocol, run_half_cell
from sizno.results.observables import reversible_column

VARIANTS: dict[str, tuple[float | None, dict]] = {  # name -> (rtol or None = the engine's, IDAKLU options)
    "base": (None, {}),
    "rtol1e-5": (1e-5, {}),
    "rtol1e-6": (1e-6, {}),
    "order3": (None, {"max_order_bdf": 3}),
    "order4": (None, {"max_order_bdf": 4}),
    "order2": (None, {"max_order_bdf": 2}),
    "suppress_alg": (None, {"suppress_algebraic_error": True}),
    "dense": (None, {"jacobian": "dense", "linear_solver": "SUNLinSol_Dense"}),
    "nlconv0.1": (None, {"nonlinear_convergence_coefficient": 0.1}),
    "nlconv1": (None, {"nonlinear_convergence_coefficient": 1.0}),
    "maxnl4": (None, {"max_nonlinear_iterations": 4}),
    "maxnl40": (None, {"max_nonlinear_iterations": 40}),  # PyBaMM's setting (the engine's before 2026-11-30)
    "maxnl3": (None, {"max_nonlinear_iterations": 3}),
    "no_calc_ic": (None, {"calc_ic": False}),
    "no_scaling": (None, {"linear_solution_scaling": False}),
    "maxnl5": (None, {"max_nonlinear_iterations": 5}),
    "dtinit1e-3": (None, {"dt_init": 1e-3}),
    "dtinit1e-5": (None, {"dt_init": 1e-5}),
}
# name -> per-state absolute tolerances (engine.STATE_ATOL); variants not named here use the engine's own
_ATOL = {"Hysteresis state": 1e-4, "Filtered mobile lithium": 1e-5}
STATE_ATOL_VARIANTS: dict[str, dict[str, float]] = {
    "atol_uniform": {},  # every state at engine.ATOL (the engine before 2026-11-30)
    "atol_h1e-3": {**_ATOL, "Hysteresis state": 1e-3},
    "atol_li1e-7": {**_ATOL, "Mobile lithium": 1e-7},
    "atol_cf1e-8": {**_ATOL, "Filtered mobile lithium": 1e-8},
    "atol_sei": {**_ATOL, "SEI thickness": 1e-4},
    "atol_relief": {**_ATOL, "Front stress relief": 1e-6},
    "atol_sites": {**_ATOL, "Amorphous fraction": 1e-7, "Isolated Si sites": 1e-7},
    "atol_zno": {**_ATOL, "ZnO conversion": 1e-7, "LiZn fraction": 1e-7},
    "atol_nonli": {**_ATOL, "SEI thickness": 1e-4, "Front stress relief": 1e-6, "Amorphous fraction": 1e-7,
                   "Isolated Si sites": 1e-7},
}
VARIANTS.update({name: (None, {}) for name in STATE_ATOL_VARIANTS})


def cpu_s() -> float:
    t = os.times()
    return t.user + t.system


def run(variant: str, materials: list[str], mesh: int, repeats: int) -> tuple[float, float, np.ndarray]:
    rtol, options = VARIANTS[variant]
    engine.RTOL = rtol or DEFAULT_RTOL
    engine.SOLVER_OPTIONS = {**DEFAULT_OPTIONS, **options}  # each variant changes the engine's options
    engine.STATE_ATOL = STATE_ATOL_VARIANTS.get(variant, DEFAULT_STATE_ATOL)
    engine.clear_cache()  # the per-state tolerances are set on the built model
    protocol = load_protocol("rate-test")
    for m in materials:  # builds
        run_half_cell(m, protocol.with_repeat(1), mesh_points=mesh)
    cpus, steps, caps = [], [], None
    for _ in range(repeats):
        c0 = cpu_s()
        results = [run_half_cell(m, protocol, mesh_points=mesh) for m in materials]
        cpus.append(cpu_s() - c0)
        steps = [r.metadata["solver_steps_per_half_cycle_median"] for r in results]
        caps = np.concatenate([r.cycles[reversible_column(r)].to_numpy(float) for r in results])
    return statistics.median(cpus), float(np.mean(steps)), caps


DEFAULT_RTOL = engine.RTOL
DEFAULT_OPTIONS = dict(engine.SOLVER_OPTIONS)
DEFAULT_STATE_ATOL = dict(engine.STATE_ATOL)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", nargs="+", default=["base", "rtol1e-5", "order3", "suppress_alg", "dense"])
    ap.add_argument("--materials", nargs="+", default=["si-zno4", "si"])
    ap.add_argument("--mesh", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    print(f"rate test, {', '.join(args.materials)}, mesh {args.mesh}, median of {args.repeats}; "
          f"moves: largest relative change of a cycle's reversible capacity from '{args.variants[0]}'")
    ref = None
    for v in args.variants:
        try:
            c, s, caps = run(v, args.materials, args.mesh, args.repeats)
        except Exception as exc:  # a variant the solver cannot run is a result too
            print(f"{v:<14} failed: {str(exc).splitlines()[0][:100]}", flush=True)
            continue
        ref = caps if ref is None else ref
        move = np.max(np.abs(caps - ref) / np.maximum(np.abs(ref), 20.0)) if len(caps) == len(ref) else np.inf
        print(f"{v:<14} CPU {c:6.2f} s | steps/half {s:5.0f} | largest move {100 * move:6.3f} %", flush=True)


if __name__ == "__main__":
    main()
