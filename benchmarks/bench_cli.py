"""Start-up and quick-report speed of the command line (issue 19 targets).

  1. `sizno --help` and every command's `--help`: median wall time of 5 fresh processes each;
     target <= 0.3 s (heavy packages load inside the commands, area commands load on demand);
  2. `sizno reproduce --quick` (the default areas) into a new folder: wall time; target <= 60 s.

Run: .venv/bin/python benchmarks/bench_cli.py [--repeats 5] [--skip-reproduce] [--reproduce-repeats 1]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZNO = [sys.executable, "-m", "sizno.cli"]


LAST_CPU = [0.0]


def wall(args: list[str], **kw) -> float:
    """Wall time [s] of one fresh `sizno ARGS` process; its CPU time (user + sys) goes to LAST_CPU[0]."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run([*SIZNO, *args], capture_output=True, text=True, **kw)
    dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    LAST_CPU[0] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if r.returncode != 0:
        raise SystemExit(f"sizno {' '.join(args)} failed ({r.returncode}): {r.stderr[-2000:]}")
    return dt


def command_paths() -> list[list[str]]:
    """Every command of the CLI (group/sub-command paths), from the click tree."""
    import typer.main

    from sizno.cli import app

    out: list[list[str]] = [[]]

    def walk(cmd, path):
        for name in cmd.list_commands(None):
            sub = cmd.get_command(None, name)
            if hasattr(sub, "commands"):
                walk(sub, [*path, name])
            else:
                out.append([*path, name])

    walk(typer.main.get_command(app), [])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip-reproduce", action="store_true")
    ap.add_argument("--reproduce-repeats", type=int, default=1)
    a = ap.parse_args()

    wall(["--help"])  # warm the file cache once (bytecode, packages)
    medians, cpu = {}, {}
    for path in command_paths():
        walls, cpus = [], []
        for _ in range(a.repeats):
            walls.append(wall([*path, "--help"]))
            cpus.append(LAST_CPU[0])
        medians[" ".join(path) or "(root)"] = statistics.median(walls)
        cpu[" ".join(path) or "(root)"] = statistics.median(cpus)
    root = medians["(root)"]
    worst = max(medians, key=medians.get)
    print(f"sizno --help: median {root:.3f} s wall, {cpu['(root)']:.3f} s CPU, of {a.repeats} fresh processes (target <= 0.3 s)")
    print(f"slowest command --help: sizno {worst} --help {medians[worst]:.3f} s; all {len(medians)} medians (wall, CPU):")
    for k, v in sorted(medians.items(), key=lambda kv: -kv[1]):
        print(f"  {v:.3f} s  {cpu[k]:.3f} s  {k}")
    if a.skip_reproduce:
        return
    times, cpus = [], []
    for _ in range(a.reproduce_repeats):
        with tempfile.TemporaryDirectory() as tmp:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            times.append(wall(["reproduce", "--quick", "--out", str(Path(tmp) / "report")]))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            seconds = __import__("json").loads((Path(tmp) / "report" / "summary.json").read_text())["seconds"]
    print(f"sizno reproduce --quick: {statistics.median(times):.1f} s wall, {statistics.median(cpus):.1f} s CPU "
          f"(median of {len(times)}; target <= 60 s wall; on a loaded machine compare the CPU time)")
    print("  last run by area [s wall]: " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))


if __name__ == "__main__":
    main()
