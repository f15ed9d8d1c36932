"""Helpers of the study tests: run the CLI in a subprocess, write tiny designs (imported by the tests)."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")


def env() -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = SRC + os.pathsep + e.get("PYTHONPATH", "")
    e.setdefault("PYBAMM_DISABLE_TELEMETRY", "true")
    e.setdefault("MPLBACKEND", "Agg")
    return e


def sizno(*args, cwd=None, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sizno.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env=env())


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


TINY = """
[study]
name = "{name}"
cell = "half-cell"
protocol = "first-cycle"
mesh_points = 8
[sampler]
method = "grid"
[[variable]]
name = "zno_wt_pct"
range = [0, 20]
points = {points}
{extra}
[outputs]
timeseries_cycles = [1]
[outputs.records]
reversible_mAh_per_g = {{ column = "delithiation_capacity_mAh_per_g", cycle = 1 }}
first_cycle_loss_mAh_per_g = {{ column = "irreversible_capacity_mAh_per_g", cycle = 1 }}
"""


def tiny_design(folder: Path, name="tiny", points=3, extra="", file="design.toml") -> Path:
    """A half-cell first-cycle design at mesh 8 over ZnO wt % (about 1-3 s a point)."""
    p = Path(folder) / file
    p.write_text(TINY.format(name=name, points=points, extra=extra))
    return p
