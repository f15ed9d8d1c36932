"""The DFT cross-check of the paper's three Li paths: CHGNet's NEB points recomputed as DFT single points.

For each path the points are the start site, CHGNet's saddle (its highest image) and, for a path to another
site (across), the end site; with ``points="profile"`` every NEB image. Energies are relative to the path's
start, so the "DFT barrier" is E_DFT(CHGNet saddle) - E_DFT(CHGNet start site): the DFT energy surface
sampled at CHGNet's geometries (not a DFT-relaxed path; a DFT NEB is `sizno atomistic neb --calculator gpaw`).
Results are kept point by point in a work folder, so a stopped run resumes where it stopped.

The stored result (package data ``data/atomistic/dft_crosscheck.json`` with the structures in
``dft_crosscheck_structures.extxyz``) lets ``reproduce --only atomistic`` put the DFT value beside CHGNet's
without running DFT.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Callable

import numpy as np

from sizno.errors import SiznoInputError

DATA_JSON = "atomistic/dft_crosscheck.json"
DATA_XYZ = "atomistic/dft_crosscheck_structures.extxyz"
PATHS = ("si111", "along", "across")
PAPER_KEYS = {"si111": "li_barrier_si111_eV", "along": "li_barrier_along_interface_channel_eV",
              "across": "li_barrier_across_interface_channel_eV"}
POINT_SETS = ("barrier", "saddle", "profile")  # saddle = barrier + the along route's intermediate sites


def chgnet_nebs(quick: bool = True, progress: Callable[[str], None] = lambda m: None) -> dict:
    """CHGNet's three paths (cached by the atomistic disk cache): {path: NEBResult}, with 'cells' (atom counts)
    and 'calculator' (label) and 'settings'."""
    from sizno.atomistic.calculators import get_factory
    from sizno.atomistic.workflows import Settings, interface_channel, si111_barrier

    s = Settings(quick=quick)
    f = get_factory("chgnet").load()
    si, _ = si111_barrier(f, s, progress=progress)
    ch = interface_channel("ZnO", f, s, progress=progress)
    return {"si111": si, "along": ch["along"], "across": ch["across"], "calculator": f.label, "settings": s.as_dict()}


def pick_points(neb, path: str, points: str = "saddle") -> list[tuple[str, int]]:
    """(role, image index) to recompute. 'barrier': start, saddle (the highest image), and the end for a path
    between two sites (across); 'saddle': these and, for 'along', the sites the route passes; 'profile': every
    image."""
    if points not in POINT_SETS:
        raise SiznoInputError("--points", f"'{points}'", ", ".join(POINT_SETS))
    n = len(neb.images)
    e = np.asarray(neb.energies_eV)
    isad = int(np.argmax(e))
    if points == "profile":
        idx = list(range(n - 1)) if path in ("si111", "along") else list(range(n))  # periodic ends coincide
        return [("start" if i == 0 else "saddle" if i == isad else "end" if i == n - 1 else f"image {i}", i) for i in idx]
    out = [("start", 0), ("saddle", isad)]
    if path == "across":
        out.append(("end", n - 1))
    if path == "along" and points == "saddle":  # the channel sites on the route (a chain joins one NEB per hop; each hop has n_per + 2 points)
        hops = _route_sites(neb)
        out += [(f"site {k}", i) for k, i in enumerate(hops, start=1) if i not in (0, isad)]
    return out


def _route_sites(neb) -> list[int]:
    """Indices of the intermediate sites of a chained route: images where the moving atom is at a local
    energy minimum of the profile between two hops (found from the energies: interior local minima)."""
    e = neb.energies_eV
    return [i for i in range(1, len(e) - 1) if e[i] < e[i - 1] and e[i] < e[i + 1]]


def _tasks(nebs: dict, points: str, paths) -> list[tuple[str, str, int]]:
    """(path, role, image) in the order they run: the points that decide the barriers first (Si(111) start and
    saddle, the channel site, the oxide site, the across saddle, the along saddle), then the rest."""
    tasks = [(p, role, i) for p in paths if nebs.get(p) is not None for role, i in pick_points(nebs[p], p, points)]
    rank = {"start": 0, "end": 1, "saddle": 2}
    return sorted(tasks, key=lambda t: (rank.get(t[1], 3), PATHS.index(t[0])))


def run(nebs: dict, dft_settings: dict | None = None, points: str = "saddle", work: Path | None = None,
        paths=PATHS, progress: Callable[[str], None] = lambda m: None) -> dict:
    """DFT single points at CHGNet's NEB points. Points of the same cell share one GPAW calculator (each
    starts from the previous point's density: only Li and its neighbours moved), and a geometry met twice
    (the channel site starts both interface paths) is computed once. Returns the cross-check dict."""
    from sizno.atomistic import dft
    from sizno.atomistic.dft_points import SinglePoints, default_work

    settings = dict(dft_settings or {})
    sp = SinglePoints(settings, work or default_work("dft_crosscheck"), progress=progress)
    tasks = _tasks(nebs, points, paths)
    done: dict[tuple[str, int], dict] = {}
    for k, (path, role, i) in enumerate(tasks, start=1):
        atoms = nebs[path].images[i]
        row = sp.point(atoms, f"DFT point {k}/{len(tasks)}: {path} {role} ({len(atoms)} atoms)")
        row = {key: v for key, v in row.items() if key != "forces_eV_per_A"}
        done[(path, i)] = {"role": role, "image": i, "E_chgnet_rel_eV": float(nebs[path].energies_eV[i]), **row}
    out_paths: dict = {}
    structures = []
    for path in paths:
        if nebs.get(path) is None:
            continue
        rows = [done[(path, i)] for _, i in pick_points(nebs[path], path, points)]
        e0 = rows[0]["E_dft_eV"]
        for r in rows:
            r["E_dft_rel_eV"] = r["E_dft_eV"] - e0
            s = nebs[path].images[r["image"]].copy()
            s.info = {"path": path, "role": r["role"], "image": r["image"], "E_dft_eV": r["E_dft_eV"],
                      "E_chgnet_rel_eV": r["E_chgnet_rel_eV"]}
            structures.append(s)
        out_paths[path] = summarize(path, rows, nebs[path])
    return {"paths": out_paths, "structures": structures, "dft": dft.describe(settings), "dft_label": dft.label(settings),
            "points": points}


def summarize(path: str, rows: list[dict], neb) -> dict:
    """Barriers and site energies, CHGNet against DFT, at the same geometries."""
    sad = next(r for r in rows if r["role"] == "saddle")
    d = {"points": rows, "n_atoms": rows[0]["n_atoms"],
         "barrier_chgnet_eV": float(neb.barrier_eV),
         "barrier_dft_eV": max(r["E_dft_rel_eV"] for r in rows),
         "saddle_dft_eV": sad["E_dft_rel_eV"], "saddle_chgnet_eV": sad["E_chgnet_rel_eV"],
         "wall_s": sum(r["wall_s"] for r in rows), "cpu_s": sum(r["cpu_s"] for r in rows)}
    d["barrier_difference_eV"] = d["barrier_dft_eV"] - d["barrier_chgnet_eV"]
    end = next((r for r in rows if r["role"] == "end"), None)
    if end is not None:
        d["site_energy_chgnet_eV"] = end["E_chgnet_rel_eV"]
        d["site_energy_dft_eV"] = end["E_dft_rel_eV"]
        d["site_energy_difference_eV"] = end["E_dft_rel_eV"] - end["E_chgnet_rel_eV"]
    sites = [r for r in rows if r["role"].startswith("site ")]
    if sites:
        d["route_sites"] = [{"role": r["role"], "chgnet_eV": r["E_chgnet_rel_eV"], "dft_eV": r["E_dft_rel_eV"]} for r in sites]
    return d


def ranking(values: dict) -> list[str]:
    """Paths ordered by barrier, lowest first."""
    return sorted((p for p in PATHS if values.get(p) is not None), key=lambda p: values[p])


def paper_ranking() -> list[str]:
    """The paper's order of the three barriers (data/reference/paper-values.toml, [dft])."""
    from sizno.data import read_toml

    p = read_toml("reference/paper-values.toml")["dft"]
    return ranking({k: p.get(v) for k, v in PAPER_KEYS.items()})


def write_data(result: dict, nebs: dict, folder: Path, wall_s: float) -> tuple[Path, Path]:
    """The stored cross-check: JSON (settings, provenance, numbers) and the structures (extxyz)."""
    from ase.io import write

    from sizno.atomistic.dft_points import provenance

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = result["paths"]
    dft_b = {p: paths[p]["barrier_dft_eV"] for p in paths}
    chg_b = {p: paths[p]["barrier_chgnet_eV"] for p in paths}
    data = {
        "what": ("DFT single points at CHGNet's NEB points (start site, saddle, end site) of the paper's three Li "
                 "paths; barrier = E_DFT(CHGNet saddle) - E_DFT(CHGNet start site)"),
        "dft": result["dft"], "dft_label": result["dft_label"], "points": result["points"],
        "chgnet": {"calculator": nebs["calculator"], "settings": nebs["settings"]},
        "paths": {p: {k: v for k, v in d.items()} for p, d in paths.items()},
        "ranking_dft": ranking(dft_b), "ranking_chgnet": ranking(chg_b), "ranking_paper": paper_ranking(),
        "provenance": provenance(wall_s),
    }
    j = folder / Path(DATA_JSON).name
    x = folder / Path(DATA_XYZ).name
    j.write_text(json.dumps(data, indent=1))
    write(x, result["structures"], format="extxyz")
    return j, x


def load_stored() -> dict | None:
    """The cross-check shipped with the package, or None."""
    ref = resources.files("sizno.data").joinpath(DATA_JSON)
    if not ref.is_file():
        return None
    return json.loads(ref.read_text())


def load_stored_structures() -> list:
    from ase.io import read

    ref = resources.files("sizno.data").joinpath(DATA_XYZ)
    with resources.as_file(ref) as p:
        return read(p, index=":")


def note(path: str, stored: dict | None = None, chgnet_barrier_eV: float | None = None) -> str:
    """One phrase for a record's note: the stored DFT value beside CHGNet's, with its settings."""
    stored = stored if stored is not None else load_stored()
    if not stored or path not in stored.get("paths", {}):
        return ""
    d = stored["paths"][path]
    txt = (f"DFT check ({stored['dft_label']}, single points at CHGNet's start/saddle"
           f"{'/end' if 'site_energy_dft_eV' in d else ''}, {d['n_atoms']} atoms, stored "
           f"{stored['provenance']['date'][:10]}): {d['barrier_dft_eV']:.3f} eV against CHGNet's "
           f"{d['barrier_chgnet_eV']:.3f} eV at the same geometries")
    if "site_energy_dft_eV" in d:
        txt += (f", end site {d['site_energy_dft_eV']:+.3f} eV (DFT) vs {d['site_energy_chgnet_eV']:+.3f} eV (CHGNet)")
    if chgnet_barrier_eV is not None and abs(chgnet_barrier_eV - d["barrier_chgnet_eV"]) > 0.01:
        txt += (f"; NOTE this run's CHGNet barrier {chgnet_barrier_eV:.3f} eV differs from the path the check used "
                "(settings or code changed since)")
    return txt
