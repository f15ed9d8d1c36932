"""Speed of reading + metrics on a 1-million-row cycler file (issue 6: < 5 s and < 2 GB).

Writes a synthetic 1,000,000-row BDF CSV (250 cycles = 500 half cycles at 2,000
points per half cycle) to a temporary folder, then times `read` + `compute_metrics` several
times and prints the medians and the peak resident memory. Run: .venv/bin/python benchmarks/bench_io.py
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sizno.io import from_dataframe, read
from sizno.io.metrics import compute_metrics

ROWS = 1_000_000
REPEATS = 3


def make_file(folder: Path, rows: int = ROWS) -> Path:
    per_half = 2000
    n_half = rows // per_half
    k = np.arange(rows)
    half = k // per_half
    frac = (k % per_half) / (per_half - 1)
    lith = half % 2 == 0
    t = k * 3.6  # 3.6 s sampling
    v = np.where(lith, 0.9 - 0.85 * frac, 0.05 + 0.85 * frac) + 0.002 * np.sin(k)
    i = np.where(lith, -1e-3, 0.95e-3)
    df = pd.DataFrame({
        "test_time_second": t, "voltage_volt": v, "current_ampere": i,
        "cycle_count": half // 2 + 1, "step_index": half % 2 + 1,
    })
    cd = from_dataframe(df)  # adds per-cycle capacity counters, like a tester file
    p = folder / "million.bdf.csv"
    cd.to_bdf(p)
    assert n_half * per_half == rows
    return p


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        p = make_file(Path(tmp))
        size_mb = p.stat().st_size / 1e6
        t_read, t_metrics, t_total = [], [], []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            d = read(p)
            t1 = time.perf_counter()
            m = compute_metrics(d, mass_mg=1.0, mass_basis="paper-si")
            t2 = time.perf_counter()
            t_read.append(t1 - t0)
            t_metrics.append(t2 - t1)
            t_total.append(t2 - t0)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(f"file: {len(d.data):,} rows, {size_mb:.0f} MB BDF CSV, {len(m.cycles)} cycles")
        print(f"read     median {statistics.median(t_read):.2f} s  (runs: {', '.join(f'{x:.2f}' for x in t_read)})")
        print(f"metrics  median {statistics.median(t_metrics):.2f} s  (runs: {', '.join(f'{x:.2f}' for x in t_metrics)})")
        print(f"total    median {statistics.median(t_total):.2f} s  (target < 5 s)")
        print(f"peak RSS {peak_mb:.0f} MB (target < 2048 MB; includes writing the file)")
        ok = statistics.median(t_total) < 5.0 and peak_mb < 2048
        print("PASS" if ok else "OVER TARGET")
        sys.exit(0)


if __name__ == "__main__":
    main()
