"""The timing helpers of the benchmark scripts: medians over repeats."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def timings(fn: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """(median wall time [s], median CPU time of this process [s], the last call's result) of `repeats`
    calls of fn. The CPU time is what a single-threaded run costs on one core, whatever else runs."""
    walls, cpus, out = [], [], None
    for _ in range(max(1, repeats)):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), out


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    """(median wall time [s] of `repeats` calls of fn, the last call's result)."""
    wall, _, out = timings(fn, repeats)
    return wall, out
