"""The study engine: points -> Dask (a LocalCluster or a scheduler's address) -> the store.

The driver alone writes the store: workers get plain task dicts and return plain results, so a
cluster of any size runs a study unchanged. Points already done are never resubmitted.
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from sizno.errors import SiznoInputError
from sizno.lab.study.design import IRREVERSIBLE, TEXT_VARIABLES, Design, point_key
from sizno.lab.study.evaluate import evaluate_chunk, make_tasks
from sizno.lab.study.store import Store

CONNECT_TIMEOUT_S = 10
_ADDRESS = re.compile(r"^(tcp|tls|inproc|ucx|ws|wss)://[^\s]+$|^[A-Za-z0-9_.\-\[\]:]+:\d+$")


def default_store(design: Design, command: str) -> Path:
    """out/study/<name>.duckdb (or <name>-<command>.duckdb for commands other than run)."""
    stem = design.study.name if command == "run" else f"{design.study.name}-{command}"
    return Path("out/study") / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', stem)}.duckdb"


def cycle_columns(cell: str) -> list[tuple[str, str]]:
    if cell.startswith("analytic:"):
        return []
    from sizno.results.run import FULL_CELL_CYCLE_COLUMNS, HALF_CELL_CYCLE_COLUMNS

    cols = [*(HALF_CELL_CYCLE_COLUMNS if cell == "half-cell" else FULL_CELL_CYCLE_COLUMNS), IRREVERSIBLE]
    text = ("block_label", "steps_not_run")
    return [(c, "INTEGER" if c in ("cycle_index", "block_index") else "VARCHAR" if c in text else "DOUBLE")
            for c in cols]


def variable_columns(design: Design, extra: list[str] = ()) -> list[tuple[str, str]]:
    names = [*design.fixed, *(v.name for v in design.variable), *extra]
    seen: list[str] = []
    for n in names:
        if n not in seen:
            seen.append(n)
    return [(n, "VARCHAR" if n in TEXT_VARIABLES else "DOUBLE") for n in seen]


@dataclass
class Cluster:
    """A Dask client on a LocalCluster (default) or on a scheduler's address."""

    scheduler: str | None = None
    workers: int | None = None
    client: Any = None
    cluster: Any = None
    description: str = ""

    def __enter__(self) -> "Cluster":
        from distributed import Client, LocalCluster

        for name in ("distributed", "distributed.worker", "distributed.scheduler", "distributed.nanny", "tornado"):
            logging.getLogger(name).setLevel(logging.ERROR)
        if self.scheduler:
            if not _ADDRESS.match(self.scheduler):
                raise SiznoInputError("--scheduler", f"'{self.scheduler}' is not a scheduler address", "tcp://HOST:PORT")
            try:
                self.client = Client(self.scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise SiznoInputError("--scheduler", f"cannot reach {self.scheduler} ({str(exc).splitlines()[0][:120]})",
                                      "the address of a running Dask scheduler, tcp://HOST:PORT") from None
            self.description = self.scheduler
        else:
            n = self.workers or os.cpu_count() or 1
            if n < 1:
                raise SiznoInputError("--workers", f"got {n}", "an integer >= 1")
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                        silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
            self.description = f"local ({n} worker{'s' * (n > 1)})"
        return self

    @property
    def n_threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


class _Progress:
    """Points done / failed / running and the time left, on stderr."""

    def __init__(self, total: int, label: str, show: bool):
        self.show = show and total > 0
        self.total = total
        self.done = self.failed = 0
        if self.show:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            from sizno.clitools import err_console

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("done {task.fields[done]} · failed {task.fields[failed]} · running {task.fields[running]}"),
                                TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(), console=err_console,
                                transient=True)
            self.task = self.bar.add_task(label, total=total, done=0, failed=0, running=0)

    def __enter__(self):
        if self.show:
            self.bar.__enter__()
        return self

    def update(self, running: int) -> None:
        if self.show:
            self.bar.update(self.task, completed=self.done + self.failed, done=self.done, failed=self.failed, running=running)

    def __exit__(self, *exc):
        if self.show:
            self.bar.__exit__(*exc)


@dataclass
class Session:
    """A store and a cluster together: `evaluate(points)` computes what the store lacks."""

    design: Design
    store: Store
    cluster: Cluster
    retry_failed: bool = False
    progress: bool = True
    label: str = "points"
    run_id: int = 0
    computed: int = 0
    failed: int = 0
    started: float = field(default_factory=time.perf_counter)
    parameter_overrides: dict[str, float] = field(default_factory=dict)

    def evaluate(self, points: list[dict[str, Any]], source: str = "design",
                 on_result: Callable[[int, dict], None] | None = None) -> list[int]:
        """Store `points` (new ones pending), compute those not done, write each result as it
        arrives; the point ids in the order given."""
        from distributed import as_completed

        ids = self.store.add_points([(point_key(p), source, p) for p in points])
        todo = self.store.todo(ids, self.retry_failed)
        if not todo:
            return ids
        if not self.run_id:
            self.run_id = self.store.start_run(self.cluster.description, self.cluster.n_threads)
        tasks = make_tasks(self.design, [v for _, v in todo], self.parameter_overrides)
        client = self.cluster.client
        threads = self.cluster.n_threads
        # a model point is one task; cheap analytic points go several to a task (4 tasks per thread)
        chunk = max(1, len(todo) // (4 * threads)) if self.design.analytic else 1
        futures = {}
        submitted = datetime.now(timezone.utc).replace(tzinfo=None)
        for i in range(0, len(todo), chunk):
            pids = [pid for pid, _ in todo[i:i + chunk]]
            fut = client.submit(evaluate_chunk, tasks[i:i + chunk], pure=False,
                                key=f"sizno-{self.store.meta_fp}-{pids[0]}-{time.time_ns()}")
            futures[fut] = pids
        with _Progress(len(todo), self.label, self.progress) as bar:
            bar.update(min(threads, len(todo)))
            for batch in as_completed(futures).batches():
                items = []
                for fut in batch:
                    pids = futures.pop(fut)
                    try:
                        results = fut.result()
                    except Exception as exc:  # the worker died or the task could not run there
                        text = str(exc).splitlines()[0] if str(exc) else ""
                        results = [{"status": "failed", "error": f"{type(exc).__name__}: {text}", "records": {}}
                                   for _ in pids]
                    items.extend(zip(pids, results))
                    fut.release()
                self.store.write_results(items, self.run_id, submitted)
                for pid, res in items:
                    if res["status"] == "done":
                        bar.done += 1
                        self.computed += 1
                    else:
                        bar.failed += 1
                        self.failed += 1
                    if on_result:
                        on_result(pid, res)
                bar.update(min(threads, len(futures) * chunk))
        return ids

    def close(self, note: str = "") -> None:
        if self.run_id:
            self.store.finish_run(self.run_id, self.computed, self.failed, note)


def open_store(design: Design, store_path: Path, plan: dict, points: list[dict[str, Any]], source: str,
               extra_variables: list[str] = ()) -> Store:
    """The store of this design and plan (created with `points` pending if new)."""
    fp = design.fingerprint(plan)
    meta = {"design_name": design.study.name, "command": plan.get("command", "run"), "cell": design.study.cell,
            "design_json": design.model_dump_json(), "plan_json": __import__("json").dumps(plan, sort_keys=True)}
    store = Store.open(store_path, fp, meta, variable_columns(design, list(extra_variables)),
                       cycle_columns(design.study.cell), [(point_key(p), source, p) for p in points])
    store.meta_fp = fp
    return store


def check_store(design: Design, store_path: Path, plan: dict) -> None:
    """Refuse (before anything runs or is written) a store that belongs to another design."""
    if store_path.exists():
        fp = design.fingerprint(plan)
        meta = Store(store_path).meta()
        if meta.get("fingerprint") != fp:
            raise SiznoInputError("--store", f"{store_path} belongs to another design ('{meta.get('design_name', '?')}', "
                                  f"{meta.get('command', '?')}, fingerprint {meta.get('fingerprint', 'none')}, this one {fp})",
                                  "the design and options it was made with, or a new store path")


def run_design(design: Design, store_path: Path, scheduler: str | None = None, workers: int | None = None,
               retry_failed: bool = False, progress: bool = True) -> dict[str, Any]:
    """`sizno study run`: every design point, computing only what the store lacks."""
    plan = {"command": "run"}
    points = design.points()
    check_store(design, store_path, plan)
    t0 = time.perf_counter()
    if scheduler is None and store_path.exists() and not Store(store_path).todo(None, retry_failed):  # no cluster needed
        return {"store": str(store_path), "design": design.study.name, "points": len(points), "computed_now": 0,
                "failed_now": 0, "status": Store(store_path).counts(), "cluster": "none (nothing to compute)",
                "wall_s": time.perf_counter() - t0}
    with Cluster(scheduler, workers) as cluster:
        store = open_store(design, store_path, plan, points, "design")
        session = Session(design, store, cluster, retry_failed=retry_failed, progress=progress)
        try:
            session.evaluate(points)
        finally:
            session.close()
        description = cluster.description
    counts = store.counts()
    return {"store": str(store_path), "design": design.study.name, "points": len(points), "computed_now": session.computed,
            "failed_now": session.failed, "status": counts, "cluster": description,
            "wall_s": time.perf_counter() - t0}
