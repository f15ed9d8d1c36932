"""Speed of reading + metrics on a 1-million-row cycler file (issue 6: < 5 s and < 2 GB), and of
reading 100,000-row files in three testers' layouts (issue 18: <= 1 s each: BDF CSV, Arbin CSV,
Maccor text with a 'Test (Sec)' clock).

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
from timing import timings
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


def make_tester_files(folder: Path, rows: int = 100_000) -> dict[str, Path]:
    """The same 100,000-row test written as BDF CSV, an Arbin CSV export and a Maccor text export."""
    bdf = make_file(folder, rows)
    d = pd.read_csv(bdf)
    out = {"BDF CSV": bdf}
    arbin = pd.DataFrame({
        "Data_Point": np.arange(rows), "Test_Time": d["test_time_second"], "DateTime": 1.5e9 + d["test_time_second"],
        "Step_Time": d["step_time_second"] if "step_time_second" in d else d["test_time_second"],
        "Step_Index": d["step_index"], "Cycle_Index": d["cycle_count"], "Current": d["current_ampere"],
        "Voltage": d["voltage_volt"], "Charge_Capacity": d["charging_capacity_ah"],
        "Discharge_Capacity": d["discharging_capacity_ah"]})
    out["Arbin CSV"] = folder / "arbin.csv"
    arbin.to_csv(out["Arbin CSV"], index=False)
    step = d["step_index"].to_numpy()
    cap = np.where(d["current_ampere"] > 0, d["charging_capacity_ah"], d["discharging_capacity_ah"])
    state = np.where(d["current_ampere"] > 0, "C", "D")
    maccor = folder / "maccor.052"
    with maccor.open("w", encoding="latin-1") as fh:
        fh.write("Today's Date 10/10/2019  Date of Test:\t10/10/2019\t Filename:\tbench.052 Procedure: bench.000\tComment/Barcode: \n")
        fh.write("Rec#\tCyc#\tStep\tTest (Sec)\tStep (Sec)\tAmp-hr\tWatt-hr\tAmps\tVolts\tState\tES\tDPt Time\n")
        body = pd.DataFrame({"a": np.arange(1, rows + 1), "b": d["cycle_count"], "c": step, "t": d["test_time_second"],
                             "st": d["test_time_second"], "q": cap, "e": 3.7 * cap, "i": d["current_ampere"].abs(),
                             "v": d["voltage_volt"], "s": state, "es": 1, "dt": "10/10/2019 12:00:00"})
        body.to_csv(fh, sep="\t", header=False, index=False, float_format="%.10g")
    out["Maccor text (Test (Sec))"] = maccor
    return out


def bench_100k() -> bool:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        files = make_tester_files(Path(tmp))
        for name, p in files.items():
            read(p)  # warm-up (imports)
            wall, cpu, d = timings(lambda: read(p), 5)
            ok &= cpu <= 1.0
            print(f"read 100,000-row {name:<26} median {wall:.3f} s wall, {cpu:.3f} s CPU  ({d.meta['tester']}; target <= 1 s)")
    return ok


def main() -> None:
    ok_100k = bench_100k()
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
        ok = statistics.median(t_total) < 5.0 and peak_mb < 2048 and ok_100k
        print("PASS" if ok else "OVER TARGET")
        sys.exit(0)


if __name__ == "__main__":
    main()
