"""Disk cache of relaxations and NEBs, keyed by a hash of structure, calculator and settings.

Location: $SIZNO_CACHE_DIR/atomistic, else ~/.cache/sizno/atomistic. Set SIZNO_NO_CACHE=1 to bypass.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

CACHE_VERSION = 1  # bump when what a cached task computes changes


def cache_dir() -> Path:
    base = os.environ.get("SIZNO_CACHE_DIR")
    root = Path(base) if base else Path.home() / ".cache" / "sizno"
    return root / "atomistic"


def enabled() -> bool:
    return os.environ.get("SIZNO_NO_CACHE", "") not in ("1", "true", "yes")


def atoms_fingerprint(atoms) -> dict:
    """Structure identity: numbers, positions (1e-5 Å), cell, pbc, fixed atoms."""
    fixed: list[int] = []
    for c in atoms.constraints:
        idx = getattr(c, "index", None)
        if idx is not None:
            fixed += [int(i) for i in np.atleast_1d(idx)]
    return {
        "numbers": atoms.numbers.tolist(),
        "positions": np.round(atoms.positions, 5).tolist(),
        "cell": np.round(atoms.cell.array, 5).tolist(),
        "pbc": atoms.pbc.tolist(),
        "fixed": sorted(fixed),
    }


def key(task: str, payload: Any) -> str:
    blob = json.dumps({"task": task, "v": CACHE_VERSION, "payload": payload}, sort_keys=True, default=str)
    return f"{task}-{hashlib.sha256(blob.encode()).hexdigest()[:24]}"


def load(k: str) -> tuple[dict, list] | None:
    """(metadata, list of Atoms) stored under key k, or None."""
    if not enabled():
        return None
    d = cache_dir() / k
    meta_p, xyz_p = d / "meta.json", d / "structures.extxyz"
    if not (meta_p.is_file() and xyz_p.is_file()):
        return None
    from ase.io import read

    try:
        return json.loads(meta_p.read_text()), read(xyz_p, index=":")
    except Exception:  # a half-written entry is recomputed
        return None


def store(k: str, meta: dict, images: list) -> None:
    if not enabled():
        return
    from ase.io import write

    d = cache_dir() / k
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / "structures.extxyz.tmp"
    write(tmp, [_plain(a) for a in images], format="extxyz")
    (d / "meta.json").write_text(json.dumps(meta, indent=1, default=float))
    tmp.replace(d / "structures.extxyz")


def _plain(atoms):
    """Copy without calculator, keeping constraints (extxyz writes the 'move_mask')."""
    a = atoms.copy()
    a.calc = None
    return a
