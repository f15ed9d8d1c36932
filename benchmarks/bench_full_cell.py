"""Speed and memory of the full cell with ageing (issue 7 targets), as medians over repeats.

  1. 200 full-cell cycles at 0.5C (NCM811 | LPSCl | Si–ZnO4, after two 0.1C formation cycles);
     target < 60 s on one core;
  2. PyBaMM's DFN with SEI (solvent-diffusion limited) and loss of active material (stress-driven,
     both electrodes) on its Chen2020 full cell, 200 CC cycles at 0.5C, same through-thickness
     cells: ratio ours / theirs, target < 1;
  3. peak memory (max RSS) of a 1,000-cycle run keeping only per-cycle summaries: target < 1 GB.

Run: .venv/bin/python benchmarks/bench_full_cell.py [--repeats N] [--mesh N] [--skip-memory]
Pin one core for the "one core" targets: taskset -c 0 .venv/bin/python benchmarks/...
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys

import pybamm

from timing import timings

from sizno.experiments import load_protocol, run_full_cell


def dfn_ageing(mesh: int, cycles: int = 200):
    model = pybamm.lithium_ion.DFN({"SEI": "solvent-diffusion limited",
                                    "loss of active material": "stress-driven"})
    pv = pybamm.ParameterValues("OKane2022")  # Chen2020 cell with SEI and LAM parameters
    exp = pybamm.Experiment([("Charge at 0.5C until 4.2 V", "Discharge at 0.5C until 2.5 V")] * cycles)
    sim = pybamm.Simulation(model, parameter_values=pv, experiment=exp, solver=pybamm.IDAKLUSolver(),
                            var_pts={"x_n": mesh, "x_s": mesh // 2, "x_p": mesh, "r_n": 10, "r_p": 10})
    return sim.solve()


def _peak_rss_mb() -> float:
    """This process's own peak resident memory [MB]. Linux carries getrusage's ru_maxrss over from the
    parent through fork and exec (a child started after a big run reports the parent's peak), so
    read the memory map's own high-water mark."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def memory_run(cycles: int, mesh: int) -> None:
    """Child process: a long run keeping only cycle summaries; prints its peak RSS [MB]."""
    proto = load_protocol("full-cell-cycling").with_repeat(cycles, block=-1)
    res = run_full_cell("si-zno4", proto, mesh_points=mesh, timeseries_cycles=set())
    peak_mb = _peak_rss_mb()
    print(f"{peak_mb:.0f} {len(res.cycles)} {res.completed}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--mesh", type=int, default=20)
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--memory-child", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        memory_run(args.memory_child, args.mesh)
        return
    proto = load_protocol("full-cell-cycling")
    w_ours, t_ours, r = timings(lambda: run_full_cell("si-zno4", proto, mesh_points=args.mesh,
                                                      timeseries_cycles={1, 2, 202}), args.repeats)
    print(f"full cell, 2 + 200 cycles at 0.5C, mesh {args.mesh}: median wall {w_ours:.1f} s, CPU {t_ours:.1f} s "
          f"(target < 60 s), {len(r.cycles)} cycles, completed={r.completed}")
    try:
        w_dfn, t_dfn, sol = timings(lambda: dfn_ageing(args.mesh), 1)
        print(f"PyBaMM DFN + SEI + LAM (OKane2022), 200 cycles at 0.5C, mesh {args.mesh}: wall {w_dfn:.1f} s, "
              f"CPU {t_dfn:.1f} s, {len(sol.cycles)} cycles")
        print(f"ratio ours / DFN, CPU: {t_ours / t_dfn:.2f} (target < 1)")
    except Exception as exc:  # report, don't hide
        print(f"DFN comparison failed: {type(exc).__name__}: {exc}")
    if not args.skip_memory:
        out = subprocess.run([sys.executable, __file__, "--memory-child", "1000", "--mesh", str(args.mesh)],
                             capture_output=True, text=True, check=False)
        line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr.strip()[-300:]
        print(f"1,000-cycle run (cycle summaries only): peak RSS, cycles, completed = {line} (target < 1024 MB)")


if __name__ == "__main__":
    main()
