"""One DuckDB file per study: points, cycles, records, time-series files, runs.

Every point's results go in with one transaction (its cycle rows, records, time-series pointer
and its status together), so a kill at any moment leaves whole points or none. The file is
opened for each write and closed after, so plain DuckDB (or `sizno study query`) can read it
between writes while a study runs.
"""

from __future__ import annotations

import json
import math
import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from sizno.errors import SiznoInputError

SCHEMA_VERSION = "1"
LOCK_RETRY_S = 60.0  # another process holding the file: retry this long


def _q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def connect(path: Path, read_only: bool = False):
    """A DuckDB connection, waiting while another process holds the file's lock."""
    import duckdb

    deadline = time.monotonic() + LOCK_RETRY_S
    delay = 0.01
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(0.5, delay * 2)


class Store:
    """A study's store at `path` (a .duckdb file); time series under `<stem>_timeseries/`."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.ts_dir = self.path.with_name(self.path.stem + "_timeseries")
        self.meta_fp = ""  # the design fingerprint, once opened for a design

    # ------------------------------------------------------------------------------ create/open
    @classmethod
    def open(cls, path: Path | str, fingerprint: str, meta: dict[str, str], variables: list[tuple[str, str]],
             cycle_columns: list[tuple[str, str]], points: list[tuple[str, str, dict]]) -> "Store":
        """Open the store of this design (checked by `fingerprint`) or create it with its points
        [(key, source, values)] pending. A store of another design is refused, unchanged."""
        store = cls(path)
        if store.path.exists():
            existing = store.meta()
            if existing.get("fingerprint") != fingerprint:
                raise SiznoInputError("--store", f"{store.path} belongs to another design "
                                      f"('{existing.get('design_name', '?')}', {existing.get('command', '?')}, "
                                      f"fingerprint {existing.get('fingerprint', 'none')}, this one {fingerprint})",
                                      "the design and options it was made with, or a new store path")
            store.add_points(points)
            return store
        store.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = store.path.with_name(store.path.name + ".creating")
        tmp.unlink(missing_ok=True)
        con = connect(tmp)
        try:
            var_cols = "".join(f", {_q(n)} {t}" for n, t in variables)
            cyc_cols = ", ".join(f"{_q(n)} {t}" for n, t in cycle_columns)
            con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
            con.execute(f"""CREATE TABLE points (point_id INTEGER PRIMARY KEY, point_key VARCHAR UNIQUE NOT NULL,
                source VARCHAR NOT NULL, values_json VARCHAR NOT NULL{var_cols}, status VARCHAR NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0, run_id INTEGER, worker VARCHAR, submitted_at TIMESTAMP,
                finished_at TIMESTAMP, wall_s DOUBLE, solve_s DOUBLE, error VARCHAR, derived_json VARCHAR)""")
            con.execute(f"CREATE TABLE cycles (point_id INTEGER NOT NULL{', ' + cyc_cols if cyc_cols else ''}"
                        + (", PRIMARY KEY (point_id, cycle_index))" if cycle_columns else ")"))
            con.execute("CREATE TABLE records (point_id INTEGER NOT NULL, name VARCHAR NOT NULL, value DOUBLE, "
                        "PRIMARY KEY (point_id, name))")
            con.execute("CREATE TABLE timeseries (point_id INTEGER PRIMARY KEY, path VARCHAR NOT NULL, "
                        "cycles VARCHAR, n_rows BIGINT)")
            con.execute("CREATE TABLE runs (run_id INTEGER PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP, "
                        "scheduler VARCHAR, workers INTEGER, computed INTEGER, failed INTEGER, note VARCHAR)")
            all_meta = {**meta, "fingerprint": fingerprint, "schema_version": SCHEMA_VERSION,
                        "variables_json": json.dumps(variables), "created_at": _now().isoformat()}
            con.executemany("INSERT INTO meta VALUES (?, ?)", list(all_meta.items()))
        finally:
            con.close()
        os.replace(tmp, store.path)  # the store appears whole or not at all
        store.add_points(points)
        return store

    def meta(self) -> dict[str, str]:
        try:
            con = connect(self.path, read_only=True)
        except Exception as exc:
            raise SiznoInputError("--store", f"{self.path} is not a DuckDB file ({str(exc).splitlines()[0]})",
                                  "a store written by `sizno study`") from None
        try:
            return dict(con.execute("SELECT key, value FROM meta").fetchall())
        except Exception:
            raise SiznoInputError("--store", f"{self.path} is not a sizno study store (no meta table)",
                                  "a store written by `sizno study`") from None
        finally:
            con.close()

    @property
    def variables(self) -> list[tuple[str, str]]:
        return [tuple(x) for x in json.loads(self.meta()["variables_json"])]

    # ------------------------------------------------------------------------------ points
    def add_points(self, points: list[tuple[str, str, dict]]) -> list[int]:
        """Insert the points not yet stored (pending) in one transaction; their ids, in order."""
        names = [n for n, _ in self.variables] if points else []
        con = connect(self.path)
        try:
            con.execute("BEGIN TRANSACTION")
            have = dict(con.execute("SELECT point_key, point_id FROM points").fetchall())
            next_id = (con.execute("SELECT coalesce(max(point_id), 0) FROM points").fetchall()[0][0]) + 1
            rows, ids = [], []
            for key, source, values in points:
                if key in have:
                    ids.append(have[key])
                    continue
                have[key] = next_id
                ids.append(next_id)
                rows.append([next_id, key, source, json.dumps(values, sort_keys=True),
                             *[values.get(n) for n in names], "pending"])
                next_id += 1
            if rows:
                df = pd.DataFrame(rows, columns=["point_id", "point_key", "source", "values_json", *names, "status"])
                con.register("_new_points", df)
                cols = ", ".join(["point_id", "point_key", "source", "values_json", *map(_q, names), "status"])
                con.execute(f"INSERT INTO points ({cols}) SELECT {cols} FROM _new_points")
                con.unregister("_new_points")
            con.execute("COMMIT")
        finally:
            con.close()
        return ids

    def todo(self, ids: list[int] | None = None, retry_failed: bool = False) -> list[tuple[int, dict]]:
        """(point_id, values) of the points still to compute (pending; failed too with retry_failed)."""
        states = "('pending', 'failed')" if retry_failed else "('pending')"
        rows = self.query(f"SELECT point_id, values_json FROM points WHERE status IN {states} ORDER BY point_id")
        out = [(int(r.point_id), json.loads(r.values_json)) for r in rows.itertuples()]
        if ids is not None:
            wanted = set(ids)
            out = [x for x in out if x[0] in wanted]
        return out

    # ------------------------------------------------------------------------------ runs
    def start_run(self, scheduler: str, workers: int) -> int:
        con = connect(self.path)
        try:
            run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchall()[0][0]
            con.execute("INSERT INTO runs (run_id, started_at, scheduler, workers) VALUES (?, ?, ?, ?)",
                        [run_id, _now(), scheduler, workers])
        finally:
            con.close()
        return int(run_id)

    def finish_run(self, run_id: int, computed: int, failed: int, note: str = "") -> None:
        con = connect(self.path)
        try:
            con.execute("UPDATE runs SET finished_at = ?, computed = ?, failed = ?, note = ? WHERE run_id = ?",
                        [_now(), computed, failed, note, run_id])
        finally:
            con.close()

    # ------------------------------------------------------------------------------ results
    def write_result(self, point_id: int, result: dict[str, Any], run_id: int, submitted_at: datetime | None = None) -> None:
        """Store one point's results and status in one transaction (time series file first)."""
        self.write_results([(point_id, result)], run_id, submitted_at)

    def write_results(self, items: list[tuple[int, dict[str, Any]]], run_id: int,
                      submitted_at: datetime | None = None) -> None:
        """Store whole points (results and status) in one transaction; the time-series files are
        written first, each by rename, and only pointed to once the transaction commits."""
        ts_rows = {}
        for point_id, result in items:
            ts = result.get("timeseries")
            if ts is not None and len(ts):
                self.ts_dir.mkdir(parents=True, exist_ok=True)
                final = self.ts_dir / f"point_{point_id:06d}.parquet"
                tmp = final.with_suffix(".parquet.tmp")
                ts.to_parquet(tmp, index=False)
                os.replace(tmp, final)
                cycles = sorted(int(c) for c in pd.unique(ts["cycle_count"])) if "cycle_count" in ts else []
                ts_rows[point_id] = [point_id, str(final.relative_to(self.path.parent)), json.dumps(cycles), len(ts)]
        con = connect(self.path)
        try:
            con.execute("BEGIN TRANSACTION")
            ids = [pid for pid, _ in items]
            for table in ("cycles", "records", "timeseries"):
                con.execute(f"DELETE FROM {table} WHERE list_contains(?, point_id)", [ids])
            frames = []
            for pid, result in items:
                cyc = result.get("cycles")
                if cyc is not None and len(cyc):
                    df = cyc.copy()
                    df.insert(0, "point_id", pid)
                    frames.append(df)
            if frames:
                con.register("_new_cycles", pd.concat(frames, ignore_index=True))
                con.execute("INSERT INTO cycles BY NAME SELECT * FROM _new_cycles")
                con.unregister("_new_cycles")
            recs = [[pid, k, None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)]
                    for pid, result in items for k, v in result.get("records", {}).items()]
            if recs:
                con.register("_new_records", pd.DataFrame(recs, columns=["point_id", "name", "value"]).astype({"value": float}))
                con.execute("INSERT INTO records SELECT point_id, name, value FROM _new_records")
                con.unregister("_new_records")
            if ts_rows:
                con.executemany("INSERT INTO timeseries VALUES (?, ?, ?, ?)", list(ts_rows.values()))
            upd = pd.DataFrame([[pid, r["status"], r.get("worker"), _finite(r.get("wall_s")), _finite(r.get("solve_s")),
                                 r.get("error"), json.dumps(r.get("derived") or {}, sort_keys=True, default=float)]
                                for pid, r in items],
                               columns=["point_id", "status", "worker", "wall_s", "solve_s", "error", "derived_json"])
            upd = upd.astype({"wall_s": float, "solve_s": float, "worker": object, "error": object})
            con.register("_upd", upd)
            con.execute("""UPDATE points SET status = u.status, attempts = points.attempts + 1, run_id = ?,
                           worker = u.worker, submitted_at = ?, finished_at = ?, wall_s = u.wall_s, solve_s = u.solve_s,
                           error = u.error, derived_json = u.derived_json
                           FROM _upd u WHERE points.point_id = u.point_id""", [run_id, submitted_at, _now()])
            con.unregister("_upd")
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except Exception:
                pass
            raise
        finally:
            con.close()

    # ------------------------------------------------------------------------------ reading
    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run SQL read-only; a pandas DataFrame."""
        con = connect(self.path, read_only=True)
        try:
            return con.execute(sql, params or []).df()
        finally:
            con.close()

    def counts(self) -> dict[str, int]:
        df = self.query("SELECT status, count(*) AS n FROM points GROUP BY status")
        return {str(r.status): int(r.n) for r in df.itertuples()}

    def wide(self, where: str = "TRUE") -> pd.DataFrame:
        """Points with their design values and one column per record (done points)."""
        names = [n for n, _ in self.variables]
        pts = self.query(f"SELECT point_id, source, status, {', '.join(map(_q, names)) or 'NULL AS none'} "
                         f"FROM points WHERE {where} ORDER BY point_id")
        recs = self.query("SELECT point_id, name, value FROM records")
        if len(recs):
            pts = pts.merge(recs.pivot(index="point_id", columns="name", values="value").reset_index(),
                            on="point_id", how="left")
        return pts

    def export(self, out: Path, fmt: str, tables: Iterator[str] | list[str]) -> list[Path]:
        """Each table to OUT/<table>.<csv|parquet>."""
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        con = connect(self.path, read_only=True)
        try:
            for t in tables:
                p = out / f"{t}.{fmt}"
                opt = "(FORMAT parquet)" if fmt == "parquet" else "(FORMAT csv, HEADER)"
                con.execute(f"COPY (SELECT * FROM {t} ORDER BY 1) TO '{str(p).replace(chr(39), chr(39) * 2)}' {opt}")
                paths.append(p)
        finally:
            con.close()
        return paths


def _finite(x: Any) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


TABLES = ("points", "cycles", "records", "timeseries", "runs", "meta")
