"""Speed of the Structure area (targets from the issue): prints medians, not a unit test.

* pattern of every phase and one mixture, cold caches (structures + reflections rebuilt): < 1 s
* indexing a 4,000-point measured pattern (warm library): < 1 s

Run: .venv/bin/python benchmarks/bench_structure.py [repeats]
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np


def _clear_caches() -> None:
    from sizno.structure import structures, xrd

    structures._build.cache_clear()
    xrd._reflections_cached.cache_clear()


def main(repeats: int = 5) -> None:
    t0 = time.perf_counter()
    import pymatgen.analysis.diffraction.xrd  # noqa: F401  (import time reported separately)

    from sizno.structure.indexing import index_pattern
    from sizno.structure.structures import phase_keys
    from sizno.structure.xrd import mixture_pattern, phase_pattern

    t_import = time.perf_counter() - t0

    def all_patterns() -> None:
        for p in phase_keys() + ["a-Si", "a-LixSi"]:
            phase_pattern(p)
        mixture_pattern({"c-Si": 0.1, "a-Si": 0.2, "a-LixSi": 0.4, "ZnO": 0.05, "Zn": 0.1, "LiZn": 0.1, "Li2O": 0.05})

    cold = []
    for _ in range(repeats):
        _clear_caches()
        t = time.perf_counter()
        all_patterns()
        cold.append(time.perf_counter() - t)
    warm = []
    for _ in range(repeats):
        t = time.perf_counter()
        all_patterns()
        warm.append(time.perf_counter() - t)

    rng = np.random.default_rng(0)
    pat = mixture_pattern({"c-Si": 0.8, "ZnO": 0.12, "Zn": 0.08}, step_deg=70 / 3999)
    x = pat.two_theta_deg
    y = rng.poisson(pat.intensity * 10 + 20 * (1 + 30 / x)).astype(float)
    assert x.size == 4000, x.size
    idx, idx_cold = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        res = index_pattern(x, y)
        idx.append(time.perf_counter() - t)
    for _ in range(repeats):
        _clear_caches()
        t = time.perf_counter()
        index_pattern(x, y)
        idx_cold.append(time.perf_counter() - t)

    print(f"import pymatgen + sizno.structure             {t_import:7.3f} s (once)")
    print(f"patterns of {len(phase_keys()) + 2} phases + mixture, cold caches  median {statistics.median(cold):7.3f} s  (target < 1 s)")
    print(f"patterns of {len(phase_keys()) + 2} phases + mixture, warm caches  median {statistics.median(warm):7.3f} s")
    print(f"indexing a {x.size}-point pattern, warm library median {statistics.median(idx):7.3f} s  (target < 1 s) → {res.present}")
    print(f"indexing a {x.size}-point pattern, cold library median {statistics.median(idx_cold):7.3f} s  (structures + reflections rebuilt)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
