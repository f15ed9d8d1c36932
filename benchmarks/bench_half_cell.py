"""Speed of the half-cell model (issue 2 targets), as medians over repeats.

  1. full rate test (0.1 → 5 → 0.1 A/g, 3 cycles each = 27 cycles) for Si–ZnO4;   target < 5 s
  2. 200 CC cycles at 0.8 A/g for Si–ZnO4;                                          target < 30 s
  3. PyBaMM's built-in DFN half cell (working electrode = positive, silicon OCP of
     Verbrugge 2016 in place of the NMC OCP, Xu2019 half-cell set otherwise) on the same rate test,
     same number of through-thickness cells: ratio ours / theirs, target <= 1.

Run: .venv/bin/python benchmarks/bench_half_cell.py [--repeats N] [--mesh N]
Pin one core for the "one core" targets: taskset -c 0 .venv/bin/python benchmarks/...
"""

from __future__ import annotations

import argparse

import pybamm

from timing import timings

from sizno.experiments import load_protocol, run_half_cell


def dfn_rate_test(mesh: int, mode: str = "legacy"):
    from pybamm.input.parameters.lithium_ion.Chen2020_composite import silicon_ocp_average_Mark2016

    model = pybamm.lithium_ion.DFN({"working electrode": "positive"})
    pv = pybamm.ParameterValues("Xu2019")  # PyBaMM's half-cell set (working electrode | Li metal)
    pv.update({"Positive electrode OCP [V]": silicon_ocp_average_Mark2016,
               "Lower voltage cut-off [V]": 0.01, "Upper voltage cut-off [V]": 2.0}, check_already_exists=False)
    cap_Ah = pv["Nominal cell capacity [A.h]"]
    # same C-rates as the Si–ZnO4 rate test (A/g x 0.8 / theoretical 3.36 Ah/g)
    steps = []
    for a_per_g in (0.1, 0.2, 0.5, 0.8, 1.0, 2.0, 4.0, 5.0, 0.1):
        c = a_per_g * 0.8 / 3.36
        for _ in range(3):
            # working electrode = "positive": discharging the cell lithiates the Si electrode
            steps.append((f"Discharge at {c * cap_Ah:.6g} A for 20 hours or until 0.01 V",
                          f"Charge at {c * cap_Ah:.6g} A for 20 hours or until 1.0 V"))
    exp = pybamm.Experiment(steps)
    sim = pybamm.Simulation(model, parameter_values=pv, experiment=exp,
                            var_pts={"x_n": mesh, "x_s": mesh // 2, "x_p": mesh, "r_n": 10, "r_p": 10}, solver=pybamm.IDAKLUSolver(),
                            experiment_model_mode=mode)
    return sim.solve()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--mesh", type=int, default=20)
    args = ap.parse_args()
    rate = load_protocol("rate-test")
    long = load_protocol("long-cycling")
    run_half_cell("si-zno4", load_protocol("first-cycle"), mesh_points=args.mesh)  # imports and caches warm
    w_rate, c_rate, r = timings(lambda: run_half_cell("si-zno4", rate, mesh_points=args.mesh), args.repeats)
    print(f"rate test, Si–ZnO4, {len(r.cycles)} cycles, mesh {args.mesh}: median wall {w_rate:.2f} s, "
          f"CPU {c_rate:.2f} s (target < 5 s on one core)")
    w_long, c_long, r2 = timings(lambda: run_half_cell("si-zno4", long, mesh_points=args.mesh), max(1, args.repeats - 2))
    print(f"200 cycles at 0.8 A/g, Si–ZnO4: median wall {w_long:.2f} s, CPU {c_long:.2f} s (target < 30 s), "
          f"completed={r2.completed}")
    for mode in ("legacy", "unified"):
        try:
            w_dfn, c_dfn, sol = timings(lambda: dfn_rate_test(args.mesh, mode), args.repeats)
            print(f"PyBaMM DFN half cell (Si OCP), same rate test, mesh {args.mesh}, {mode} experiment mode: median wall "
                  f"{w_dfn:.2f} s, CPU {c_dfn:.2f} s, {len(sol.cycles)} cycles, {len(sol.t)} solver points "
                  f"(ours: {r.timeseries.shape[0]})")
            print(f"  ratio ours / DFN ({mode}), CPU: {c_rate / c_dfn:.2f} (target <= 1)")
        except Exception as exc:  # report, don't hide
            print(f"DFN comparison ({mode}) failed: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main()
