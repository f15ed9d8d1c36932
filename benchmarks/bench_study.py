"""Speed of the study engine (issue 15 targets), as medians over repeats.

  1. per-point overhead (Dask scheduling + DuckDB store) of a study of rate-test points on one
     worker: (study wall time - the workers' own time per point) / points,   target < 5 % of one
     rate-test solve (timed here in-process, the same protocol and mesh)
  2. throughput of 2 workers over 1 on the same points (this 2-core machine),  target >= 1.7x
  3. the ZnO-fraction example of the README (src/sizno/data/studies/zno-fraction.toml), wall time

Cluster start-up is timed apart (it is paid once per command, not per point). Workers are warmed
(imports) before timing.

Run: .venv/bin/python benchmarks/bench_study.py [--points N] [--mesh N] [--repeats N] [--example]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from timing import timed

from sizno.experiments import load_protocol, run_half_cell
from sizno.lab.study.design import Design, validate
from sizno.lab.study.engine import Cluster, Session, open_store, run_design


def _design(points: int, mesh: int) -> Design:
    return validate(Design(**{
        "study": {"name": "bench", "cell": "half-cell", "protocol": "rate-test", "mesh_points": mesh},
        "fixed": {"cycles": 1},
        "variable": [{"name": "zno_wt_pct", "range": [2, 18], "points": points}],
        "outputs": {"records": {"rev_5A": {"column": "delithiation_capacity_mAh_per_g", "current_A_per_g": 5.0}}},
    }))


def _warm(client) -> None:
    def imp():
        import sizno.experiments.runner  # noqa: F401
        from sizno.lab.study.evaluate import evaluate_point  # noqa: F401
        return True

    client.run(imp)


def study_once(design: Design, workers: int, folder: Path) -> tuple[float, float, float]:
    """(cluster start [s], wall of the points [s], sum of the workers' own times [s])."""
    t0 = time.perf_counter()
    with Cluster(None, workers) as cluster:
        start = time.perf_counter() - t0
        _warm(cluster.client)
        path = folder / f"w{workers}-{time.time_ns()}.duckdb"
        store = open_store(design, path, {"command": "run"}, design.points(), "design")
        session = Session(design, store, cluster, progress=False)
        t1 = time.perf_counter()
        session.evaluate(design.points())
        wall = time.perf_counter() - t1
        session.close()
    worker_s = float(store.query("SELECT sum(wall_s) AS s FROM points")["s"][0])
    return start, wall, worker_s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=6)
    ap.add_argument("--mesh", type=int, default=12)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--example", action="store_true", help="also time the README's ZnO-fraction study")
    args = ap.parse_args()
    proto = load_protocol("rate-test").with_repeat(1)
    run_half_cell("si-zno4", proto, mesh_points=args.mesh)  # imports and caches warm
    solve, _ = timed(lambda: run_half_cell("si-zno4", proto, mesh_points=args.mesh), max(3, args.repeats))
    print(f"one rate-test solve (9 rates x 1 cycle, mesh {args.mesh}), in-process: median {solve:.2f} s")
    design = _design(args.points, args.mesh)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        one = [study_once(design, 1, folder) for _ in range(args.repeats)]
        two = [study_once(design, 2, folder) for _ in range(args.repeats)]
    start = statistics.median([o[0] for o in one + two])
    wall1 = statistics.median([o[1] for o in one])
    over = statistics.median([(o[1] - o[2]) / args.points for o in one])
    wall2 = statistics.median([o[1] for o in two])
    print(f"LocalCluster start: median {start:.2f} s (once per command)")
    print(f"per-point overhead (scheduling + store), 1 worker, {args.points} points: {over * 1000:.0f} ms = "
          f"{100 * over / solve:.1f} % of one solve (target < 5 %)")
    print(f"{args.points} points: 1 worker {wall1:.1f} s, 2 workers {wall2:.1f} s: throughput x{wall1 / wall2:.2f} "
          "(target >= 1.7 on 2 free cores)")
    if args.example:
        from sizno.lab.study.design import load_design

        path = Path(__file__).resolve().parents[1] / "src/sizno/data/studies/zno-fraction.toml"
        d = load_design(path)
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            s = run_design(d, Path(tmp) / "zno.duckdb", workers=2, progress=False)
            print(f"ZnO-fraction example, {s['points']} points on 2 workers: {time.perf_counter() - t0:.1f} s "
                  f"(status {s['status']})")


if __name__ == "__main__":
    main()
