"""Issue 14's speed targets in one table (`make bench`): medians of CPU and wall time, solver steps per half cycle.

  rate test, Si–ZnO4, 27 cycles         built model reused (solver only) and built afresh (build + solve)
  200 cycles at 0.8 A/g, Si–ZnO4        (1 formation cycle + 200), built model reused
  calibration objective                  the 60 °C half-cell calibration records (Si–ZnO4 and Si rate tests
                                         to 5 A/g), and the whole electrochemistry stage (+ the full cell's
                                         first cycle at 25 °C), built models reused
  full cell, 2 + 200 cycles at 0.5C      built model reused
  PyBaMM DFN half cell, Si OCP           the same rate test, unified mode, made fair (benchmarks/dfn_reference.py),
                                         at our tolerances and at PyBaMM's defaults; solver only (second solve
                                         of the same Simulation) and build + solve; ratios ours / DFN;
                                         with --compile both models' functions are compiled to C

CPU time includes child processes (a compiler, with --compile). Pin one core for the targets:
    taskset -c 0 .venv/bin/python benchmarks/bench_speed.py [--repeats N] [--mesh N] [--compile] [--skip-long]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Callable

from dfn_reference import dfn_simulation, step_counts

from sizno.experiments import engine, load_protocol, run_full_cell, run_half_cell
from sizno.models.mesh import DEFAULT_MESH_POINTS


def cpu_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def measure(fn: Callable[[], object], repeats: int, before: Callable[[], None] | None = None) -> tuple[float, float, object]:
    """(median CPU [s], median wall [s], last result) of `repeats` calls; `before` runs untimed before each."""
    cpus, walls, out = [], [], None
    for _ in range(max(1, repeats)):
        if before:
            before()
        c0, w0 = cpu_s(), time.perf_counter()
        out = fn()
        cpus.append(cpu_s() - c0)
        walls.append(time.perf_counter() - w0)
    return statistics.median(cpus), statistics.median(walls), out


def _steps(result) -> str:
    return f"{result.metadata['solver_steps_per_half_cycle_median']:.0f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3, help="repeats of the short benchmarks (the long ones run once)")
    ap.add_argument("--mesh", type=int, default=DEFAULT_MESH_POINTS)
    ap.add_argument("--compile", action="store_true", help=f"compile the model functions to C ({engine.COMPILE_ENV}=1)")
    ap.add_argument("--skip-long", action="store_true", help="leave out the 200-cycle runs")
    args = ap.parse_args()
    if args.compile:
        os.environ[engine.COMPILE_ENV] = "1"
    mesh, rep = args.mesh, args.repeats
    rate = load_protocol("rate-test")
    rows: list[tuple[str, float, float, str, str]] = []  # name, CPU, wall, steps per half cycle, target

    def rate_run():
        return run_half_cell("si-zno4", rate, mesh_points=mesh)

    run_half_cell("si-zno4", load_protocol("first-cycle"), mesh_points=mesh)  # imports, caches, the built model
    c_rate, w_rate, r = measure(rate_run, rep)
    rows.append(("rate test, Si–ZnO4, 27 cycles (solver only)", c_rate, w_rate, _steps(r), "≤ 1.5 s (goal 0.5)"))
    c_cold, w_cold, _ = measure(rate_run, rep, before=engine.clear_cache)
    rows.append(("rate test, Si–ZnO4, 27 cycles (build + solve)", c_cold, w_cold, _steps(r), ""))
    if not args.skip_long:
        c, w, r2 = measure(lambda: run_half_cell("si-zno4", load_protocol("long-cycling"), mesh_points=mesh), 1)
        rows.append((f"200 cycles at 0.8 A/g, Si–ZnO4 (completed={r2.completed})", c, w, _steps(r2), "≤ 8 s (goal 3)"))

    from sizno.fitting.calibrate import _half_cell_values, calibration_problem
    from sizno.models.parameters import load_parameter_set

    pset = load_parameter_set()
    _half_cell_values(pset, mesh)  # builds the Si model too
    c, w, _ = measure(lambda: _half_cell_values(pset, mesh), max(1, rep - 2))
    rows.append(("calibration objective: 60 °C half-cell records", c, w, "–", "≤ 2 s (goal 0.5)"))
    stage = calibration_problem("electrochemistry", mesh)
    stage.residuals(pset)
    c, w, _ = measure(lambda: stage.residuals(pset), 1)
    rows.append(("calibration objective: electrochemistry stage (+ full cell)", c, w, "–", ""))

    if not args.skip_long:
        fc = load_protocol("full-cell-cycling")
        run_full_cell("si-zno4", load_protocol("full-cell-first-cycles").with_repeat(1), mesh_points=mesh)
        c, w, r3 = measure(lambda: run_full_cell("si-zno4", fc, mesh_points=mesh, timeseries_cycles={1, 2, 202}), 1)
        rows.append((f"full cell, 2 + 200 cycles at 0.5C (completed={r3.completed})", c, w, _steps(r3), "≤ 15 s (goal 5)"))

    ours = {"solver only": c_rate, "build + solve": c_cold}
    matched = (("our tolerances and solver options", (engine.RTOL, engine.ATOL), engine.SOLVER_OPTIONS),
               ("our tolerances", (engine.RTOL, engine.ATOL), {}), ("PyBaMM defaults", None, {}))
    for label, tol, opts in matched:
        sims = {}

        def build_and_solve():
            sims["sim"] = dfn_simulation(mesh, tol, args.compile, opts)
            return sims["sim"].solve()

        c_b, w_b, sol = measure(build_and_solve, rep)
        c_s, w_s, _ = measure(lambda: sims["sim"].solve(), rep)
        sc = step_counts(sol)
        tol_text = (f"rtol {tol[0]:g}, atol {tol[1]:g}" if tol else "rtol 1e-4, atol 1e-6") + (f", {opts}" if opts else "")
        steps = f"{sc.steps_per_half_cycle_median:.0f}"
        rows.append((f"PyBaMM DFN, same rate test, {tol_text} (solver only)", c_s, w_s, steps,
                     f"{sc.time_capped_steps}/{sc.half_cycles} steps on the time limit"))
        rows.append((f"PyBaMM DFN, same rate test, {tol_text} (build + solve)", c_b, w_b, steps, ""))
        rows.append((f"  ratio ours / DFN at {label}, CPU: solver only {ours['solver only'] / c_s:.2f}, "
                     f"build + solve {ours['build + solve'] / c_b:.2f}", float("nan"), float("nan"), "", "≤ 1 (goal 0.3)"))

    width = max(len(r[0]) for r in rows)
    print(f"mesh {mesh} | repeats {rep} | compiled model functions: {args.compile} | "
          f"engine tolerances rtol {engine.RTOL:g}, atol {engine.ATOL:g} | python {sys.version.split()[0]}")
    print(f"{'benchmark':<{width}} | {'CPU s':>7} | {'wall s':>7} | {'steps/half':>10} | target")
    for name, c, w, steps, target in rows:
        cw = "" if c != c else f"{c:7.2f}"
        ww = "" if w != w else f"{w:7.2f}"
        print(f"{name:<{width}} | {cw:>7} | {ww:>7} | {steps:>10} | {target}")


if __name__ == "__main__":
    main()
