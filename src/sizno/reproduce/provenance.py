"""Provenance of a reproduce run: sizno version, git commit, hashes of the parameter files, date."""

from __future__ import annotations

import datetime as _dt
import hashlib
import subprocess
from pathlib import Path

# the parameter sets a reproduce run reads (fitted values, literature values, the cathode) and the
# paper's numbers it compares with; hashed so that a report names the exact inputs
PARAMETER_FILES = ("parameters/dense-anode.toml", "parameters/fitted.toml", "parameters/ncm811.toml",
                   "cells/half-cell.toml", "cells/full-cell.toml", "reference/paper-values.toml")


def _data_dir() -> Path:
    import sizno.data

    return Path(sizno.data.__file__).parent


def parameter_hashes() -> dict[str, str]:
    """sha256 (first 16 hex digits) of each parameter file that exists."""
    out = {}
    for rel in PARAMETER_FILES:
        path = _data_dir() / rel
        if path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return out


def git_commit() -> str:
    """HEAD of the checkout sizno runs from, '+dirty' when it has uncommitted changes; 'unknown' outside git."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return head + ("+dirty" if dirty else "")


def sizno_version() -> str:
    try:
        from importlib.metadata import version

        return version("sizno")
    except Exception:  # pragma: no cover - not installed as a distribution
        return "unknown"


def provenance(quick: bool, seconds_by_area: dict[str, float] | None = None) -> dict:
    """Everything the report's provenance block shows; taken when a run starts (the code and parameters
    that ran), its `seconds_by_area` filled in as the areas finish."""
    return {
        "sizno_version": sizno_version(),
        "git_commit": git_commit(),
        "parameter_files_sha256": parameter_hashes(),
        "date_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "settings": "quick" if quick else "full",
        "seconds_by_area": {k: round(float(v), 2) for k, v in (seconds_by_area or {}).items()},
    }
