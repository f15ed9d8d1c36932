"""DFT training data with forces for fine-tuning CHGNet: every NEB image of CHGNet's three quick paths and
rattled copies of them, recomputed as DFT single points with the cross-check's settings.

Frames: (path, image, rattle); rattle 0 is the NEB image itself, rattle k >= 1 its k-th copy with every atom
displaced by a Gaussian of `rattle_A` per Cartesian component (numpy default_rng seeded by (seed, path, image,
k): the same frames on every run). The default 0.05 A lies below silicon's 300 K thermal rms displacement per
component, sqrt(B / 8 pi^2) = 0.077 A for the Debye-Waller factor B = 0.46 A^2 (Flensburg & Stewart, Phys. Rev.
B 60, 284 (1999)): the copies sample forces near the path, not far from it.

Order (so that a run stopped early holds the points that matter): the cross-check's barrier points (start,
saddle, end of each path), the other Si(111) images, then the other interface images (highest CHGNet energy
first, along and across alternating) each followed by two rattled Si(111) copies (a 54-atom point costs about
three 30-atom points), then the rattled interface copies (saddles first). Points run one by one through
`dft_points.SinglePoints` (resumable work folder); the data files are written again after every point.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from sizno.errors import SiznoInputError

DATA_JSON = "atomistic/dft_training.json"
DATA_XYZ = "atomistic/dft_training.extxyz"
PATHS = ("si111", "along", "across")
RATTLE_A_DEFAULT = 0.05
SEED_DEFAULT = 0


@dataclass(frozen=True)
class Frame:
    """One training structure: an NEB image (rattle 0) or its rattle-th displaced copy."""

    path: str
    image: int
    rattle: int = 0

    @property
    def group(self) -> str:
        """The NEB image a frame comes from (its rattled copies share it): the unit of the held-out split."""
        return f"{self.path}:{self.image}"


def frame_atoms(nebs: dict, f: Frame, rattle_A: float, seed: int):
    """The structure of a frame (no calculator, no constraints)."""
    a = nebs[f.path].images[f.image].copy()
    a.set_constraint()
    a.calc = None
    if f.rattle:
        rng = np.random.default_rng([seed, PATHS.index(f.path), f.image, f.rattle])
        a.positions = a.positions + rng.normal(0.0, rattle_A, size=a.positions.shape)
    return a


def _images(nebs: dict, path: str) -> list[int]:
    """The distinct images of a path (periodic paths: the end is the start one cell on, left out)."""
    from sizno.atomistic.crosscheck import pick_points

    return [i for _, i in pick_points(nebs[path], path, "profile")]


def plan(nebs: dict, paths=PATHS, rattle_copies: int = 2) -> list[Frame]:
    """The frames in the order they run (see the module text)."""
    from sizno.atomistic.crosscheck import pick_points

    paths = [p for p in paths if nebs.get(p) is not None]
    first = [Frame(p, i) for p in paths for _, i in pick_points(nebs[p], p, "barrier")]
    si = [Frame("si111", i) for i in _images(nebs, "si111")] if "si111" in paths else []
    iface = [p for p in paths if p != "si111"]
    by_e = {p: sorted(_images(nebs, p), key=lambda i: -nebs[p].energies_eV[i]) for p in iface}
    rest_if = [Frame(p, i) for k in range(max((len(v) for v in by_e.values()), default=0)) for p in iface
               if k < len(by_e[p]) for i in [by_e[p][k]]]
    si_rat = [Frame("si111", f.image, r) for r in range(1, rattle_copies + 1) for f in si]
    mixed: list[Frame] = []
    for k in range(max(len(rest_if), (len(si_rat) + 1) // 2)):
        mixed += rest_if[k:k + 1] + si_rat[2 * k:2 * k + 2]
    if_rat = [Frame(p, i, r) for r in range(1, rattle_copies + 1) for p in iface for i in by_e[p]]
    out: list[Frame] = []
    for f in first + si + mixed + if_rat:
        if f not in out:
            out.append(f)
    return out


def unique(nebs: dict, frames: list[Frame], rattle_A: float, seed: int) -> list[Frame]:
    """Frames without repeated geometries (the channel site starts both interface paths): the first one kept."""
    from sizno.atomistic.cache import atoms_fingerprint

    seen, out = set(), []
    for f in frames:
        key = json.dumps(atoms_fingerprint(frame_atoms(nebs, f, rattle_A, seed)))
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def run(nebs: dict, dft_settings: dict | None, folder: Path, work: Path | None = None, paths=PATHS,
        rattle_A: float = RATTLE_A_DEFAULT, rattle_copies: int = 2, seed: int = SEED_DEFAULT,
        max_points: int | None = None, progress: Callable[[str], None] = lambda m: None) -> tuple[Path, Path]:
    """DFT energies and forces for the planned frames; the data files are rewritten after each point."""
    from sizno.atomistic.dft_points import SinglePoints, default_work

    if not 0.0 <= rattle_A <= 0.3:
        raise SiznoInputError("--rattle-A", f"{rattle_A}", "0 to 0.3 A")
    if rattle_copies < 0:
        raise SiznoInputError("--rattle-copies", f"{rattle_copies}", "integers >= 0")
    frames = unique(nebs, plan(nebs, paths, rattle_copies), rattle_A, seed)[:max_points]
    sp = SinglePoints(dft_settings, work or default_work("dft_training"), forces=True, progress=progress)
    meta = {"rattle_A": rattle_A, "rattle_copies": rattle_copies, "seed": seed, "planned_frames": len(frames)}
    t0 = time.perf_counter()
    rows: list[tuple[Frame, object, dict]] = []
    out = write_data(rows, nebs, dft_settings, meta, folder, 0.0)
    for k, f in enumerate(frames, start=1):
        a = frame_atoms(nebs, f, rattle_A, seed)
        row = sp.point(a, f"DFT frame {k}/{len(frames)}: {f.path} image {f.image} rattle {f.rattle} ({len(a)} atoms)")
        rows.append((f, a, row))
        out = write_data(rows, nebs, dft_settings, meta, folder, time.perf_counter() - t0)
    return out


def write_data(rows: list, nebs: dict, dft_settings: dict | None, meta: dict, folder: Path,
               wall_s: float) -> tuple[Path, Path]:
    """JSON (settings, provenance, one row per frame without forces) and extxyz (structures with DFT energy and
    forces as ASE single-point results, frame keys in info)."""
    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.io import write

    from sizno.atomistic import dft
    from sizno.atomistic.dft_points import provenance

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    structures, table = [], []
    for f, a, row in rows:
        s = a.copy()
        e_chg = float(nebs[f.path].energies_eV[f.image]) if f.rattle == 0 else None
        info = {"path": f.path, "image": f.image, "rattle": f.rattle, "group": f.group, "fingerprint": row["fingerprint"],
                "wall_s": row["wall_s"], "cpu_s": row["cpu_s"]}
        s.info = dict(info, **({} if e_chg is None else {"E_chgnet_rel_eV": e_chg}))
        s.calc = SinglePointCalculator(s, energy=row["E_dft_eV"], forces=np.asarray(row["forces_eV_per_A"]))
        structures.append(s)
        table.append({**info, "n_atoms": row["n_atoms"], "E_dft_eV": row["E_dft_eV"], "E_chgnet_rel_eV": e_chg,
                      "scf_iterations": row.get("scf_iterations"),
                      "max_force_eV_per_A": float(np.abs(row["forces_eV_per_A"]).max())})
    data = {"what": ("DFT single points with forces (energies in eV, forces in eV/A) at the NEB images of CHGNet's "
                     "three quick paths and rattled copies: training and held-out data for fine-tuning CHGNet"),
            "dft": dft.describe(dft_settings), "dft_label": dft.label(dft_settings),
            "chgnet": {"calculator": nebs.get("calculator"), "settings": nebs.get("settings")},
            "frames": meta, "n_frames": len(table), "cpu_s_total": sum(r["cpu_s"] for r in table),
            "rows": table, "provenance": provenance(wall_s)}
    j, x = folder / Path(DATA_JSON).name, folder / Path(DATA_XYZ).name
    tmp = x.with_suffix(".tmp.extxyz")
    write(tmp, structures, format="extxyz")
    tmp.replace(x)
    j.write_text(json.dumps(data, indent=1))
    return j, x


def load(folder: Path | None = None) -> tuple[dict, list]:
    """(JSON, structures with DFT energy/forces) from a folder, else the copy shipped as package data."""
    from importlib import resources

    from ase.io import read

    if folder is not None:
        j, x = Path(folder) / Path(DATA_JSON).name, Path(folder) / Path(DATA_XYZ).name
        return json.loads(j.read_text()), read(x, index=":")
    ref = resources.files("sizno.data")
    with resources.as_file(ref.joinpath(DATA_XYZ)) as p:
        return json.loads(ref.joinpath(DATA_JSON).read_text()), read(p, index=":")
