"""Climbing-image NEB (ase.mep) with one calculator per image on one loaded model."""

from __future__ import annotations

import contextlib
import io
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from sizno.atomistic import cache
from sizno.atomistic.calculators import CalculatorFactory
from sizno.errors import SiznoInputError

MIN_HOP_A = 0.5  # endpoints closer than this (moving atom) are the same site


@dataclass
class NEBResult:
    barrier_eV: float                 # max(E) - E(initial)
    reverse_barrier_eV: float         # max(E) - E(final)
    reaction_energy_eV: float         # E(final) - E(initial)
    energies_eV: list[float]          # relative to the initial image
    path_A: list[float]               # cumulative path length (all atoms, mic)
    hop_length_A: float               # displacement of the moving atom, initial → final
    moving_atom: int
    n_images: int
    converged: bool
    fmax_eV_per_A: float
    steps: int
    seconds: float
    calculator: str
    images: list = field(repr=False, default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cached: bool = False

    def as_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k != "images"}
        return d


def _moving_atom(a, b) -> tuple[int, float]:
    from ase.geometry import find_mic

    dr, dist = find_mic(b.positions - a.positions, a.cell, a.pbc)
    i = int(np.argmax(dist))
    return i, float(dist[i])


def _moving_atom_raw(a, b) -> tuple[int, float]:
    dist = np.linalg.norm(b.positions - a.positions, axis=1)
    i = int(np.argmax(dist))
    return i, float(dist[i])


def periodic_neb(site, factory: CalculatorFactory, shift, **kw) -> NEBResult:
    """NEB from a relaxed site (moving atom last) to its own periodic image `shift` away (a lattice vector).

    The two ends are the same site, so the barrier is the highest saddle a Li atom must pass to move one
    cell on: the long-range migration barrier along `shift`, whatever intermediate sites it passes."""
    final = site.copy()
    final.positions[-1] = final.positions[-1] + np.asarray(shift, float)
    final.set_constraint(site.constraints)
    # the straight start (IDPP between identical ends would only aim at the start's own distances; a route
    # through the intermediate sites, workflows.route_barrier, is the way round atoms in the path)
    kw.setdefault("idpp", False)
    return run_neb(site, final, factory, mic=False, **kw)


def _suppress():
    return contextlib.redirect_stdout(io.StringIO())


def idpp_path(neb, steps: int = 200, fmax: float = 0.05) -> None:
    """IDPP refinement of the interior images as they are (ase.mep.idpp_interpolate, minimum-image
    distances). ASE's NEB.interpolate(method="idpp") would first reset the images to the minimum-image
    straight line, wrong for a hop to another cell's copy of a site; this keeps the start given."""
    from ase.mep.neb import idpp_interpolate

    with _suppress():
        idpp_interpolate(neb, traj=None, log=None, mic=True, steps=steps, fmax=fmax)


def min_distance_along(images, moving: int | None = None) -> float:
    """Smallest distance [A] between the moving atom (default: the last) and any other atom over the
    interior images (minimum image): how close a path runs Li into the host."""
    from ase.geometry import find_mic

    out = np.inf
    for im in images[1:-1]:
        i = len(im) - 1 if moving is None else moving
        others = np.delete(np.arange(len(im)), i)
        _, d = find_mic(im.positions[others] - im.positions[i], im.cell, im.pbc)
        out = min(out, float(d.min()))
    return out


def run_neb(initial, final, factory: CalculatorFactory, n_images: int = 5, climb: bool = True, fmax: float = 0.05,
            steps: int = 300, k: float = 0.1, on_step: Callable[[int, float, list[float]], None] | None = None,
            use_cache: bool = True, mic: bool = True, idpp: bool = True) -> NEBResult:
    """NEB between two relaxed endpoints (same atoms, same order). `n_images` counts interior images.

    mic=True interpolates along the shortest periodic displacement; mic=False takes final - initial as
    it is (a path to a periodic image of the initial site: see periodic_neb).
    idpp=True refines the straight start by image-dependent pair potentials (IDPP: each image's
    interatomic distances interpolated between the ends), so the moving atom goes round atoms, not
    into them; the target distances use minimum images, which holds for either kind of path.

    Each image gets its own calculator from `factory` (one shared model), so every force call is
    needed (allow_shared_calculator made ~4x the calls). Endpoints that are the same site raise.
    """
    mover, hop = _check_endpoints(initial, final, n_images, mic)
    factory.check_elements(initial.get_chemical_symbols())
    key = cache.key("neb", {"a": cache.atoms_fingerprint(initial), "b": cache.atoms_fingerprint(final),
                            "calc": factory.identity(), "n": n_images, "climb": climb, "fmax": fmax, "steps": steps, "k": k,
                            "stages": "plain to 3 fmax, then climbing", "mic": mic,
                            "start": "idpp-mic" if idpp else "linear"})
    if use_cache:
        hit = cache.load(key)
        if hit is not None:
            meta, images = hit
            return NEBResult(images=images, cached=True, **meta)
    t0 = time.perf_counter()
    images, neb = _start_band(initial, final, factory, n_images, k, mic, idpp)
    with _suppress():
        e0 = float(images[0].get_potential_energy())
        e1 = float(images[-1].get_potential_energy())
    with _suppress():
        ok, done = _optimise(neb, images, e0, climb, fmax, steps, on_step)
        energies = [float(im.get_potential_energy()) for im in images]
        f = neb.get_forces()
    fm = float(np.sqrt((f**2).sum(axis=1)).max())
    converged = ok or fm <= fmax
    emax = max(energies)
    res = NEBResult(barrier_eV=emax - e0, reverse_barrier_eV=emax - e1, reaction_energy_eV=e1 - e0,
                    energies_eV=[e - e0 for e in energies], path_A=_path_length_A(images), hop_length_A=hop,
                    moving_atom=mover, n_images=n_images, converged=converged, fmax_eV_per_A=fm, steps=done,
                    seconds=time.perf_counter() - t0, calculator=factory.label, images=[im.copy() for im in images],
                    warnings=_path_warnings(energies, e0, e1, converged, fm, done, n_images))
    for im in res.images:
        im.calc = None
    if use_cache:
        cache.store(key, {k: v for k, v in res.as_dict().items() if k != "cached"}, res.images)
    return res


def _check_endpoints(initial, final, n_images: int, mic: bool) -> tuple[int, float]:
    """(the moving atom, its hop length [A]); endpoints with other atoms, the same site or no image raise."""
    if len(initial) != len(final) or (initial.numbers != final.numbers).any():
        raise SiznoInputError("endpoints", "initial and final hold different atoms", "the same atoms in the same order")
    if n_images < 1:
        raise SiznoInputError("n_images", f"{n_images}", ">= 1 interior image")
    mover, hop = _moving_atom(initial, final) if mic else _moving_atom_raw(initial, final)
    if hop < MIN_HOP_A:
        raise SiznoInputError("endpoints", f"the endpoints are the same site (largest displacement {hop:.2f} A)",
                              f"endpoints at distinct sites, > {MIN_HOP_A} A apart")
    return mover, hop


def _start_band(initial, final, factory: CalculatorFactory, n_images: int, k: float, mic: bool, idpp: bool):
    """(images with a calculator each, the NEB on them) on the straight path, IDPP-refined if asked."""
    from ase.geometry import find_mic
    from ase.mep import NEB

    images = [initial.copy()] + [initial.copy() for _ in range(n_images)] + [final.copy()]
    for im in images:
        im.set_constraint(initial.constraints)
        with _suppress():
            im.calc = factory.new()
    # two stages: a plain NEB to 3 fmax, then the climbing image. Climbing from the start oscillated on
    # paths with an intermediate minimum (Si/ZnO along-channel hop: fmax 0.9 eV/A after 250 FIRE
    # steps; in two stages converged to 0.1 eV/A in ~45 steps)
    neb = NEB(images, climb=False, k=k, method="improvedtangent")
    # interpolate along the minimum-image displacement so hops across the cell boundary are short
    if mic:
        dr, _ = find_mic(final.positions - initial.positions, initial.cell, initial.pbc)
    else:
        dr = final.positions - initial.positions
    for j, im in enumerate(images[1:-1], start=1):
        im.positions = initial.positions + dr * j / (n_images + 1)
    if idpp:
        idpp_path(neb)
    return images, neb


def _optimise(neb, images, e0: float, climb: bool, fmax: float, steps: int,
              on_step: Callable[[int, float, list[float]], None] | None) -> tuple[bool, int]:
    """FIRE on the band: plain to 3 fmax (half the steps), then with the climbing image. (converged, steps taken)."""
    from ase.optimize import FIRE

    done = 0

    def _optimizer():
        opt = FIRE(neb, logfile=None)
        if on_step is not None:
            def _cb():
                f = neb.get_forces()
                fm = float(np.sqrt((f**2).sum(axis=1)).max())
                on_step(done + opt.nsteps, fm, [float(im.calc.results.get("energy", np.nan)) - e0 for im in images[1:-1]])
            opt.attach(_cb, interval=1)
        return opt

    if climb:
        opt = _optimizer()
        opt.run(fmax=3 * fmax, steps=steps // 2)
        done = opt.nsteps
        neb.climb = True
    opt = _optimizer()
    ok = bool(opt.run(fmax=fmax, steps=steps - done))
    done += opt.nsteps
    return ok, done


def _path_length_A(images) -> list[float]:
    """Cumulative path length [A] along the images (all atoms, minimum image)."""
    from ase.geometry import find_mic

    path = [0.0]
    for a, b in zip(images[:-1], images[1:]):
        d, _ = find_mic(b.positions - a.positions, a.cell, a.pbc)
        path.append(path[-1] + float(np.linalg.norm(d)))
    return path


def _path_warnings(energies: list[float], e0: float, e1: float, converged: bool, fm: float, done: int,
                   n_images: int) -> list[str]:
    """What makes the barrier doubtful: no convergence, the maximum at an end, no saddle, a lower site on the way.
    `e0`, `e1`: the endpoints' energies [eV]."""
    emax = max(energies)
    warnings = []
    if not converged:
        warnings.append(f"NEB not converged: fmax {fm:.3f} eV/A after {done} steps; the barrier is approximate")
    imax = int(np.argmax(energies))
    if imax in (0, len(energies) - 1):
        warnings.append("the highest energy is at an endpoint: the endpoints may not be minima (barrier = energy difference)")
    if abs(e1 - e0) > 0.5 * max(emax - e0, 1e-9) and emax - max(e0, e1) < 0.05:
        warnings.append("no distinct saddle above the higher endpoint")
    emin = min(energies[1:-1]) if n_images else e0
    if emin < min(e0, e1) - 0.05:
        warnings.append(f"an image lies {min(e0, e1) - emin:.2f} eV below both endpoints: the site search missed a "
                        "lower site on this path")
    return warnings


def write_neb(res: NEBResult, out_dir, stem: str) -> dict:
    """images → STEM_images.extxyz (energies in info), profile → STEM_profile.png; returns the paths."""
    from pathlib import Path

    from ase.io import write

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ims = []
    for im, e, s in zip(res.images, res.energies_eV, res.path_A):
        a = im.copy()
        a.info.update({"relative_energy_eV": e, "path_A": s})
        a.info.pop("sizno", None)
        ims.append(a)
    xyz = out / f"{stem}_images.extxyz"
    write(xyz, ims, format="extxyz")
    png = out / f"{stem}_profile.png"
    plot_profile(res, png, title=stem)
    return {"images_extxyz": str(xyz), "profile_png": str(png)}


def plot_profile(res: NEBResult, path, title: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    ax.plot(res.path_A, res.energies_eV, "o-", color="tab:blue")
    ax.set_xlabel("reaction coordinate [Å]")
    ax.set_ylabel("energy relative to initial [eV]")
    ax.set_title(f"{title}\nbarrier {res.barrier_eV:.2f} eV ({res.calculator.split(' (')[0]})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def chain_nebs(segments: list[NEBResult], start_energies_eV: list[float], net_shift) -> NEBResult:
    """One profile from consecutive NEBs along a route of sites (each segment's end is the next one's start,
    up to a lattice translation): energies relative to the first start, images joined (the moving atom, the
    last, carried on across cells). `start_energies_eV`: each segment's start energy (absolute).

    The barrier is the highest point over the route minus the start: for a route from a site to its own
    periodic image, the highest saddle a Li atom passes to move one cell on."""
    if not segments:
        raise SiznoInputError("route", "no NEB segment", "at least one hop")
    energies: list[float] = []
    path: list[float] = []
    images: list = []
    e_ref = start_energies_eV[0]
    seg_of: list[int] = []  # which segment each point belongs to (-1: a site joining two)
    carry = np.zeros(3)
    for k, (seg, e0) in enumerate(zip(segments, start_energies_eV)):
        abs_e = [e0 + e for e in seg.energies_eV]
        skip = 0 if k == 0 else 1
        base = path[-1] if path else 0.0
        if k > 0:  # the moving atom continues from where the previous segment left it
            carry = images[-1].positions[-1] - seg.images[0].positions[-1]
        for j, (e, s_, im) in enumerate(zip(abs_e, seg.path_A, seg.images)):
            if j < skip:
                continue
            energies.append(e - e_ref)
            path.append(base + s_)
            a = im.copy()
            a.positions[-1] = a.positions[-1] + carry
            images.append(a)
            seg_of.append(-1 if j in (0, len(abs_e) - 1) else k)
    warnings = []
    for k, seg in enumerate(segments):
        if not seg.converged:
            warnings.append(f"segment {k + 1} NEB not converged: fmax {seg.fmax_eV_per_A:.3f} eV/A after "
                            f"{seg.steps} steps; the barrier is approximate")
    imax = int(np.argmax(energies))
    emax = energies[imax]
    if seg_of[imax] == -1:
        warnings.append("the highest energy on the route is at a site, not at a saddle between two")
    interior = energies[1:-1]
    if interior and min(interior) < min(energies[0], energies[-1]) - 0.05:
        warnings.append(f"an image lies {min(energies[0], energies[-1]) - min(interior):.2f} eV below both ends: "
                        "the site search missed a lower site on this route")
    conv = all(s.converged for s in segments)
    return NEBResult(barrier_eV=emax - energies[0], reverse_barrier_eV=emax - energies[-1],
                     reaction_energy_eV=energies[-1] - energies[0], energies_eV=energies, path_A=path,
                     hop_length_A=float(np.linalg.norm(np.asarray(net_shift, float))), moving_atom=len(images[0]) - 1,
                     n_images=len(energies) - 2, converged=conv,
                     fmax_eV_per_A=max(s.fmax_eV_per_A for s in segments), steps=sum(s.steps for s in segments),
                     seconds=sum(s.seconds for s in segments), calculator=segments[0].calculator, images=images,
                     warnings=warnings, cached=all(s.cached for s in segments))
