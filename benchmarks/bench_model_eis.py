"""Speed of the model impedance (issue 3): one model spectrum at 60 frequencies, and a 20-state GEIS series.

* one spectrum: linearisation at one state (casadi Jacobians) + the frequency sweep (dense solves);
  the discretised model is built once (set-up time reported separately);
* a 20-state series: the CC lithiation at 0.2 A/g solved by PyBaMM once, then 20 spectra (each
  with its DRT, as `sizno eis simulate --series 20` does for one step).

BLAS pinned to one thread. Prints medians; it is not a test. Uses the default parameter set
(needs parameters/fitted.toml); `--dev-values` uses in-bounds development values instead.

    python benchmarks/bench_model_eis.py [--mesh-points 30] [--repeat 5] [--dev-values]
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse
import statistics
import time

import numpy as np

from sizno.lab.geis import GEISSimulator
from sizno.lab.model_spectrum import default_frequencies_Hz
from sizno.models.parameters import load_parameter_set

DEV = {"LixSi ionic conductivity, lithiated [S.m-1]": 0.01, "Network ionic conductivity [S.m-1]": 1.0,
       "Trap sites per activated Si [-]": 0.2, "c-Si amorphisation rate constant [s-1]": 1e-4}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mesh-points", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--material", default="si-zno4")
    ap.add_argument("--dev-values", action="store_true")
    a = ap.parse_args()
    pset = load_parameter_set().with_values(DEV) if a.dev_values else None
    f60 = np.logspace(6, np.log10(0.1), 60)

    t0 = time.perf_counter()
    sim = GEISSimulator(a.material, pset=pset, mesh_points=a.mesh_points)
    t_setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    st = sim.step_solution("lithiation", 1)
    t_run = time.perf_counter() - t0
    y = sim.lin.state_from_solution(st, 0.5 * (st.t[0] + st.t[-1]))
    I = float(np.mean(st["Current [A]"].entries))

    one = []
    for _ in range(max(a.repeat, 3) * 4):
        t0 = time.perf_counter()
        sim.lin.impedance(sim.lin.operating_point(y, I), f60)
        one.append(time.perf_counter() - t0)
    series, series_drt = [], []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        ser = sim.series("lithiation", 20, 1, default_frequencies_Hz(1e6, 0.1, 10))
        t1 = time.perf_counter()
        ser.drt()
        series.append(t1 - t0)
        series_drt.append(time.perf_counter() - t0)
    n = sim.lin.n_states
    print(f"{a.material}, mesh {a.mesh_points} ({n} states): model build {t_setup:.2f} s, CC lithiation solve {t_run:.2f} s (once)")
    print(f"one model spectrum, 60 frequencies: median {1e3 * statistics.median(one):.1f} ms")
    print(f"20-state GEIS series (71 frequencies): spectra {statistics.median(series):.2f} s, spectra + DRT {statistics.median(series_drt):.2f} s (median of {a.repeat})")


if __name__ == "__main__":
    main()
