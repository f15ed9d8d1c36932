"""DFT single points, one after another, kept point by point in a work folder (a stopped run resumes).

Used by the cross-check (energies at CHGNet's NEB points) and by the training data for fine-tuning
(energies and forces). Points of the same cell share one GPAW calculator, so each starts from the
previous point's density; a geometry met twice is computed once (the key is a hash of structure and
settings). A point stored without forces is computed again when forces are asked for.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import time
from pathlib import Path
from typing import Callable

import numpy as np


def cpu_s() -> float:
    """CPU time of this process (user + system), s."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def default_work(name: str) -> Path:
    """$SIZNO_CACHE_DIR/<name>, else ~/.cache/sizno/<name>."""
    return Path(os.environ.get("SIZNO_CACHE_DIR", Path.home() / ".cache" / "sizno")) / name


class WorkDir:
    """A folder of finished single points, one JSON per structure+settings hash: a stopped run resumes where it stopped."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)

    def get(self, fingerprint: str) -> dict | None:
        p = self.path / f"{fingerprint}.json"
        return json.loads(p.read_text()) if p.is_file() else None

    def put(self, fingerprint: str, row: dict) -> None:
        p = self.path / f"{fingerprint}.json"
        tmp = p.with_suffix(".tmp")
        tmp.write_text(json.dumps(row, indent=1))
        tmp.replace(p)


def fingerprint(atoms, settings: dict) -> str:
    """Hash of the structure (positions to 1e-5 A) and the DFT settings."""
    from sizno.atomistic.cache import atoms_fingerprint

    blob = json.dumps({"a": atoms_fingerprint(atoms), "s": {k: str(v) for k, v in sorted(settings.items())}}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def provenance(total_wall_s: float) -> dict:
    """Date, commit, machine and the total wall time of a stored DFT run."""
    import datetime
    import platform
    import subprocess

    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                                cwd=Path(__file__).parent, timeout=10).stdout.strip() or None
    except Exception:  # pragma: no cover - not a git checkout
        commit = None
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "sizno_commit": commit, "host_cores": os.cpu_count(), "python": platform.python_version(),
            "machine_note": "2 cores shared with other jobs; DFT ran at nice 19: wall times include waiting, "
                            "cpu_s is this process's own CPU time",
            "total_wall_s": total_wall_s}


def scf_iterations(calc) -> int | None:
    for get in (lambda: calc.get_number_of_iterations(), lambda: calc.dft.scf_loop.niter):
        try:
            return int(get())
        except Exception:
            continue
    return None


class SinglePoints:
    """Runs and stores DFT single points with one settings dict; `point(atoms, where)` returns the stored row:
    E_dft_eV, n_atoms, wall_s, cpu_s, fingerprint, scf_iterations, and forces_eV_per_A when `forces`."""

    def __init__(self, settings: dict | None, work: Path, forces: bool = False,
                 progress: Callable[[str], None] = lambda m: None):
        self.settings = dict(settings or {})
        self.wd = WorkDir(work)
        self.forces = forces
        self.progress = progress
        self._calcs: dict = {}

    def stored(self, atoms) -> dict | None:
        """The finished row for this structure, or None (also when forces are asked for and the row has none)."""
        row = self.wd.get(fingerprint(atoms, self.settings))
        if row is not None and self.forces and "forces_eV_per_A" not in row:
            return None
        return row

    def _calculator(self, atoms):
        from sizno.atomistic import dft

        cell_key = (tuple(atoms.numbers), tuple(np.round(atoms.cell.array, 4).ravel()))
        if cell_key not in self._calcs:
            state: dict = {}
            self._calcs[cell_key] = (dft.make_calculator(self.settings, on_scf=lambda it, s, st=state: self.progress(
                f"{st['where']}: SCF iteration {it}, {time.perf_counter() - st['t0']:.0f} s")), state)
        return self._calcs[cell_key]

    def point(self, atoms, where: str) -> dict:
        """The row for `atoms`: from the work folder, else computed now and stored."""
        row = self.stored(atoms)
        if row is not None:
            return row
        calc, state = self._calculator(atoms)
        self.progress(f"{where}: starting")
        a = atoms.copy()
        a.set_constraint()
        a.calc = calc
        t0, c0 = time.perf_counter(), cpu_s()
        state.update(where=where, t0=t0)
        e = float(a.get_potential_energy())
        fp = fingerprint(atoms, self.settings)
        row = {"E_dft_eV": e, "n_atoms": len(a), "fingerprint": fp}
        if self.forces:
            row["forces_eV_per_A"] = np.asarray(a.get_forces(), dtype=float).round(6).tolist()
        row.update({"wall_s": time.perf_counter() - t0, "cpu_s": cpu_s() - c0, "scf_iterations": scf_iterations(calc)})
        self.wd.put(fp, row)
        return row
