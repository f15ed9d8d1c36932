"""A study on a real Dask cluster by address equals a local run; SIGKILL then resume."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from studyhelp import env, sizno, tiny_design

from sizno.lab.study.store import Store

pytestmark = pytest.mark.slow

DASK = shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _values(store: Path) -> pd.DataFrame:
    df = Store(store).query(
        "SELECT p.zno_wt_pct, c.* EXCLUDE (point_id) FROM points p JOIN cycles c USING (point_id) ORDER BY 1, cycle_index")
    return df.reset_index(drop=True)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("local")
    r = sizno("study", "run", tiny_design(folder, points=5), "--store", folder / "local.duckdb", "--workers", 2)
    assert r.returncode == 0, r.stderr
    return folder / "local.duckdb"


@pytest.mark.skipif(DASK is None, reason="the dask command is not installed")
def test_a_study_by_scheduler_address_equals_the_local_run(local_run, tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([DASK, "worker", address, "--nthreads", "1", "--nworkers", "1",
                                           "--no-dashboard", "--memory-limit", "0"],
                                          env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(address, timeout="60s") as c:  # wait for both workers
            c.wait_for_workers(2, timeout=120)
        r = sizno("study", "run", tiny_design(tmp_path, points=5), "--store", tmp_path / "remote.duckdb",
                  "--scheduler", address)
        assert r.returncode == 0, r.stderr
        assert address in r.stdout
        workers = Store(tmp_path / "remote.duckdb").query("SELECT DISTINCT worker FROM points")["worker"]
        assert len(workers) == 2  # both worker processes computed points
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    pd.testing.assert_frame_equal(_values(tmp_path / "remote.duckdb"), _values(local_run), rtol=1e-9)


def test_sigkill_then_resume_computes_each_point_once_with_the_same_values(local_run, tmp_path):
    # enough points that the kill lands mid-study: with the model built once per process a point takes
    # ~0.2 s, and 5 points finished between two polls. 41 points over 0-20 wt % hold the local run's 5
    n_points = 41
    design = tiny_design(tmp_path, points=n_points)
    store = tmp_path / "killed.duckdb"
    cmd = [sys.executable, "-m", "sizno.cli", "study", "run", str(design), "--store", str(store), "--workers", "1"]
    proc = subprocess.Popen(cmd, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        done = 0
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
            if store.exists():
                try:
                    done = Store(store).counts().get("done", 0)
                except Exception:
                    continue
                if done >= 2:
                    break
        assert proc.poll() is None, "the study finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its LocalCluster's workers (started by this test)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    before = Store(store).query("SELECT point_id, status, finished_at FROM points ORDER BY point_id")
    kept = before[before.status == "done"]
    assert 2 <= len(kept) < n_points
    r = sizno("study", "run", design, "--store", store, "--workers", 1)
    assert r.returncode == 0, r.stderr
    after = Store(store).query("SELECT point_id, status, attempts, run_id, finished_at FROM points ORDER BY point_id")
    assert (after.status == "done").all() and (after.attempts == 1).all()  # every point computed exactly once
    again = after.set_index("point_id").loc[kept.point_id]
    assert (again.run_id == 1).all() and (again.finished_at.values == kept.finished_at.values).all()
    assert (after.set_index("point_id").drop(kept.point_id).run_id == 2).all()
    per_point = Store(store).query("SELECT point_id, count(*) AS n FROM cycles GROUP BY point_id")
    assert len(per_point) == n_points and (per_point.n == 1).all()
    resumed = _values(store)
    resumed = resumed[resumed.zno_wt_pct.isin(_values(local_run).zno_wt_pct)].reset_index(drop=True)
    pd.testing.assert_frame_equal(resumed, _values(local_run), rtol=1e-9)
