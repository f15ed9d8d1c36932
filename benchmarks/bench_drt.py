"""Speed of sizno's DRT (issues 3 and 18, Speed): one DRT at 81 frequencies, the real spectra in
tests/data/eis, and a 50-spectrum contour map.

Targets (issue 18): one DRT with lambda by mGCV <= 5 ms (must: <= 15 ms) with the default threading on
every spectrum, real ones included; the 50-spectrum map <= 1 s; >= 30x faster than pyimpspec's TR-RBF
on the same data, with the same peaks. BLAS threads are left at their default: sizno's DRT limits BLAS
to one thread inside itself (threadpoolctl). Wall and CPU medians are both printed: on a loaded
machine the wall time includes waiting for a core.

Cross-check: pyimpspec (GPL-3.0) is never a dependency of sizno. It runs in a throwaway venv on the
side, in a subprocess, on the same data:

    python benchmarks/bench_drt.py                        # uses /tmp/sizno-bench-pyimpspec if present
    python benchmarks/bench_drt.py --install              # creates it: pyimpspec==5.1.3 kvxopt==1.3.3.3
    python benchmarks/bench_drt.py --pyimpspec-python /path/to/venv/bin/python
    python benchmarks/bench_drt.py --no-cross-check

Prints medians and ratios; it is not a test.
"""

from __future__ import annotations

import os

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from timing import timings

from sizno.eis import DRTSettings, drt
from sizno.eis.elements import log_frequencies, synthetic_spectrum
from sizno.eis.series import drt_series

VENV = Path("/tmp/sizno-bench-pyimpspec")
PINS = ["pyimpspec==5.1.3", "kvxopt==1.3.3.3"]
TRUTH = [(20.0, 3e-6, 0.9), (40.0, 3e-4, 0.9), (80.0, 3e-2, 0.9)]

PYIMPSPEC_SCRIPT = r"""
import json, sys, time
import numpy as np
import pyimpspec
from pyimpspec.analysis.drt.tr_rbf import calculate_drt_tr_rbf
d = np.load(sys.argv[1])
ds = pyimpspec.DataSet(frequencies=d["f"], impedances=d["z"])
times, cpus = [], []
res = None
for i in range(int(sys.argv[2]) + 1):
    t, c = time.perf_counter(), time.process_time()
    res = calculate_drt_tr_rbf(ds, cross_validation="mgcv", num_procs=1)
    if i:  # first call is warm-up
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
tau, gam = res.get_peaks()
print(json.dumps({"version": __import__("importlib.metadata").metadata.version("pyimpspec"),
                  "median_s": float(np.median(times)), "cpu_s": float(np.median(cpus)), "lambda": float(res.lambda_value),
                  "peak_tau_s": [float(x) for x in tau], "peak_gamma": [float(x) for x in gam]}))
"""


def install(venv: Path) -> Path | None:
    py = venv / "bin" / "python"
    try:
        subprocess.run(["python3.11", "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *PINS], check=True, timeout=900)
        return py
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, FileNotFoundError) as exc:
        print(f"cross-check: installing {' '.join(PINS)} into {venv} failed ({exc}); cross-check skipped")
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pyimpspec-python", type=Path, default=None)
    ap.add_argument("--install", action="store_true")
    ap.add_argument("--no-cross-check", action="store_true")
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args()

    f = log_frequencies(1e6, 1e-2, 10)
    assert f.size == 81
    spec = synthetic_spectrum(10.0, TRUTH, frequency_Hz=f, noise=0.01, seed=0)
    print(f"data: R0 + 3 R‖CPE (n = 0.9; tau 3e-6, 3e-4, 3e-2 s; R 20, 40, 80 ohm), {f.size} frequencies 1 MHz–10 mHz, 1 % noise")
    from threadpoolctl import threadpool_info

    print("BLAS threads by default: " + ", ".join(f"{i['internal_api']} {i['num_threads']}" for i in threadpool_info()
                                                 if i["user_api"] == "blas") + " (the DRT uses 1 inside)")

    def line(label, fn, target=None):
        wall, cpu, out = timings(fn, args.repeats)
        extra = f"  (goal <= 5 ms, must <= {target} ms)" if target else ""
        print(f"{label:<58}: median {1e3 * wall:7.2f} ms wall, {1e3 * cpu:7.2f} ms CPU{extra}")
        return wall, cpu

    drt(spec)  # warm-up
    line("one DRT, mGCV (GSVD + NNLS descent) + Lin-KK check", lambda: drt(spec), 15)[0]
    line("one DRT, mGCV (GSVD + NNLS descent), no KK check", lambda: drt(spec, DRTSettings(kk_check=False)), 15)
    line("one DRT, mGCV by the old NNLS scan, no KK check", lambda: drt(spec, DRTSettings(kk_check=False, lambda_search="scan")))
    res = drt(spec)
    print(f"  lambda = {res.lambda_:.3g}; peaks: " + ", ".join(f"tau {p.tau_s:.3g} s R {p.resistance_ohm:.3g} ohm ({p.process})" for p in res.peaks))
    real = Path(__file__).resolve().parents[1] / "tests" / "data" / "eis"
    real_spectra = []
    if real.is_dir():
        from sizno.eis.readers import read_spectrum

        for fpath in sorted(real.iterdir()):
            if fpath.name.startswith("LICENSE"):
                continue
            sp = read_spectrum(fpath)
            real_spectra.append((fpath.name, sp))
            drt(sp)
            line(f"real {fpath.name} ({sp.frequency_Hz.size} f), no KK", lambda: drt(sp, DRTSettings(kk_check=False)), 15)
            line(f"real {fpath.name}, with KK", lambda: drt(sp), 15)

    # 50 spectra along a lithiation-like series: SEI and charge-transfer resistances fall, electrolyte flat
    x = np.linspace(0, 1, 50)
    spectra = [
        synthetic_spectrum(10.0, [(20.0, 3e-6, 0.9), (40.0 * (1 - 0.5 * xi), 3e-4, 0.9), (80.0 * (1 - 0.6 * xi), 3e-2, 0.9)], frequency_Hz=f, noise=0.01, seed=i)
        for i, xi in enumerate(x)
    ]

    def series_map():
        s = drt_series(spectra, state=x, state_label="depth of lithiation")
        s.gamma_map()
        return s

    t_map, c_map, ser = timings(series_map, 3)
    print(f"50-spectrum map (kernel built {ser.kernels_built}x, KK on each): median {t_map:6.3f} s wall, {c_map:6.3f} s CPU  (target <= 1 s)")
    print("  trends: " + ", ".join(f"{k} {v}" for k, v in ser.trends().items()))

    if args.no_cross_check:
        print("cross-check: skipped (--no-cross-check)")
        return
    py = args.pyimpspec_python or (VENV / "bin" / "python")
    if not py.exists():
        if args.install:
            py = install(VENV)
        else:
            print(f"cross-check: skipped ({py} not found; run with --install to create {VENV} with {' '.join(PINS)})")
            return
    if py is None:
        return
    cases = [("synthetic 3 R‖CPE", spec)] + [(n, sp) for n, sp in real_spectra]
    for label, sp in cases:
        cross_check(py, label, sp, args.repeats)


def cross_check(py: Path, label: str, sp, repeats: int) -> None:
    """pyimpspec's TR-RBF (mGCV) on the same spectrum in its own venv: speed ratio (CPU medians of both, the
    one process each uses) and whether every sizno peak above 5 % of R_pol has a pyimpspec peak within x1.5."""
    res = drt(sp)
    _, t_sizno, _ = timings(lambda: drt(sp), repeats)
    with tempfile.TemporaryDirectory() as td:
        data = Path(td) / "spec.npz"
        script = Path(td) / "run_pyimpspec.py"
        np.savez(data, f=sp.frequency_Hz, z=sp.z_ohm)
        script.write_text(PYIMPSPEC_SCRIPT)
        p = subprocess.run([str(py), str(script), str(data), "5"], capture_output=True, text=True, env=dict(os.environ), timeout=900)
    if p.returncode != 0:
        print(f"cross-check {label}: pyimpspec failed ({p.stderr.strip().splitlines()[-1] if p.stderr.strip() else p.returncode}); skipped")
        return
    other = json.loads(p.stdout.strip().splitlines()[-1])
    ratio = other["cpu_s"] / t_sizno
    big = [q for q in res.peaks if q.resistance_ohm > 0.05 * res.r_pol_ohm]
    theirs = np.array(other["peak_tau_s"])
    agree = [bool(theirs.size) and np.min(np.abs(np.log10(theirs / q.tau_s))) <= np.log10(1.5) for q in big]
    print(f"cross-check {label}: pyimpspec {other['version']} TR-RBF {1e3 * other['cpu_s']:.1f} ms CPU, sizno (with KK) "
          f"{1e3 * t_sizno:.2f} ms CPU: {ratio:.0f}x (target >= 30x); sizno major peaks {len(big)}, each matched by pyimpspec "
          f"within x1.5: {all(agree)} (pyimpspec peaks at " + ", ".join(f"{x:.3g}" for x in theirs) + " s)")

if __name__ == "__main__":
    main()
