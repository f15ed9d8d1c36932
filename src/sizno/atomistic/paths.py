"""Li sites and the paper's three Li paths: on Si(111), along and across the Si/oxide interface channel.

Operational definitions (the paper shows its paths only as pictures, Fig. 5c,e,g):
- Si(111) surface: Li hops between the two lowest-energy distinct adsorption sites found by a site
  search on the reconstructed surface (hollow-like sites: most neighbours at 2.5 A contact).
- along the interface channel: Li in the Si/oxide gap hops in the interface plane between the two
  lowest distinct interface sites (the open space left between the Si top and the oxide's first layer).
- across the interface channel: Li leaves the lowest interface site perpendicular to the interface,
  through the oxide's first layer, into the nearest open site of the oxide (the first interstitial).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from sizno.atomistic.calculators import CalculatorFactory
from sizno.atomistic.relax import relax
from sizno.errors import SiznoInputError


@dataclass
class Site:
    atoms: object          # relaxed structure with Li (last atom)
    energy_eV: float
    li_position: np.ndarray
    converged: bool


def _grid(cell, n: int) -> np.ndarray:
    f = (np.arange(n) + 0.5) / n
    fx, fy = np.meshgrid(f, f)
    return np.outer(fx.ravel(), cell[0]) + np.outer(fy.ravel(), cell[1])


def _min_dist(atoms, point) -> tuple[float, int]:
    from ase.geometry import find_mic

    d, dist = find_mic(atoms.positions - point, atoms.cell, atoms.pbc)
    return float(dist.min()), int((dist < 3.2).sum())


def surface_candidates(slab, n: int = 4, contact_A: float = 2.5, k: int = 3) -> list[np.ndarray]:
    """Adsorption candidates: on an n x n lateral grid drop Li until it touches an atom at contact_A;
    rank by how many atoms lie within 3.2 A (hollows first); keep k distinct ones (> 1.5 A apart)."""
    cell = slab.cell.array
    ztop = slab.positions[:, 2].max()
    cands = []
    for xy in _grid(cell, n):
        z = ztop + 4.0
        while z > ztop - 2.0:
            d, _ = _min_dist(slab, np.array([xy[0], xy[1], z]))
            if d <= contact_A:
                break
            z -= 0.05
        p = np.array([xy[0], xy[1], z])
        _, nn = _min_dist(slab, p)
        cands.append((nn, z, p))
    cands.sort(key=lambda t: (-t[0], t[1]))
    return _distinct([c[2] for c in cands], slab, k)


def void_candidates(atoms, z_lo: float, z_hi: float, n: int = 6, k: int = 3) -> list[np.ndarray]:
    """Points of largest empty space (largest distance to any atom) between z_lo and z_hi."""
    cell = atoms.cell.array
    pts = []
    for z in np.linspace(z_lo, z_hi, 5):
        for xy in _grid(cell, n):
            p = np.array([xy[0], xy[1], z])
            pts.append((_min_dist(atoms, p)[0], p))
    pts.sort(key=lambda t: -t[0])
    return _distinct([p for _, p in pts], atoms, k)


def _distinct(points, atoms, k, min_sep: float = 1.5) -> list[np.ndarray]:
    from ase.geometry import find_mic

    out: list[np.ndarray] = []
    for p in points:
        if all(find_mic(p - q, atoms.cell, atoms.pbc)[1] > min_sep for q in out):
            out.append(p)
        if len(out) == k:
            break
    return out


def relax_sites(host, points, factory: CalculatorFactory, fmax: float, steps: int,
                on_site: Callable[[int, int], None] | None = None) -> list[Site]:
    """Put Li at each point, relax, drop duplicates (Li within 0.5 A); lowest energy first."""
    from ase.geometry import find_mic

    sites: list[Site] = []
    for j, p in enumerate(points):
        a = host.copy()
        a.append("Li")
        a.positions[-1] = p
        a.set_constraint(host.constraints)
        r = relax(a, factory, fmax=fmax, steps=steps)
        s = Site(r.atoms, r.energy_eV, r.atoms.positions[-1].copy(), r.converged)
        if all(find_mic(s.li_position - t.li_position, a.cell, a.pbc)[1] > 0.5 for t in sites):
            sites.append(s)
        if on_site:
            on_site(j + 1, len(points))
    sites.sort(key=lambda s: s.energy_eV)
    return sites


def pick_hop(sites: list[Site], host, what: str) -> tuple[Site, Site]:
    """Lowest site and its nearest distinct neighbour; if only one site, hop to its nearest periodic image."""
    from ase.geometry import find_mic

    if not sites:
        raise SiznoInputError(what, "no Li site found", "a larger site grid")
    a = sites[0]
    others = sites[1:]
    if others:
        b = min(others, key=lambda s: find_mic(s.li_position - a.li_position, host.cell, host.pbc)[1])
        return a, b
    raise SiznoInputError(what, "only one distinct Li site found: the NEB endpoints would coincide",
                          "a finer site grid (--grid) or a larger cell")


def site_route(positions, cell, pbc, shift, max_offset: int = 1) -> list[tuple[int, int, np.ndarray]]:
    """Route of hops between sites from site 0 to its own periodic image `shift` (a lattice vector) away.

    The sites and their periodic copies form a graph: an edge is a hop from site i to a copy of another
    site j in this or a neighbouring cell (a hop to a site's own copy is left out, so the route passes
    through the other sites, the way a Li atom would). The route is the one of least sum of squared hop
    lengths (short hops preferred): a list of (from site, to site, Li displacement [A]) whose
    displacements add up to `shift`. Raises if no such route exists (e.g. one site only)."""
    import heapq
    import itertools

    P = np.asarray(positions, float)
    C = np.asarray(cell, float)
    n = len(P)
    inv = np.linalg.inv(C)
    target = tuple(int(x) for x in np.rint(np.asarray(shift, float) @ inv))
    # copies in neighbouring cells along the periodic in-plane axes (a slab's z is never crossed)
    ranges = [range(-max_offset, max_offset + 1) if k < 2 and np.asarray(pbc)[k] else range(0, 1) for k in range(3)]
    edges: dict[int, list] = {i: [] for i in range(n)}
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            for m in itertools.product(*ranges):
                d = P[j] + np.asarray(m) @ C - P[i]
                edges[i].append((j, m, d))
    start = (0, 0, 0, 0)
    goal = (0, *target)
    best = {start: 0.0}
    prev: dict = {}
    heap = [(0.0, start)]
    lim = max(abs(x) for x in target) + 2
    while heap:
        cost, node = heapq.heappop(heap)
        if node == goal:
            break
        if cost > best.get(node, np.inf):
            continue
        i, off = node[0], node[1:]
        for j, m, d in edges[i]:
            o = tuple(a + b for a, b in zip(off, m))
            if max(abs(x) for x in o) > lim:
                continue
            nxt = (j, *o)
            c = cost + float(d @ d)
            if c < best.get(nxt, np.inf) - 1e-12:
                best[nxt] = c
                prev[nxt] = (node, i, j, d)
                heapq.heappush(heap, (c, nxt))
    if goal not in prev:
        raise SiznoInputError("site route", f"no route through the {n} site(s) to the periodic image "
                              f"{np.round(shift, 2).tolist()} A on", "more distinct sites (a finer --grid)")
    route = []
    node = goal
    while node != start:
        node, i, j, d = prev[node]
        route.append((i, j, d))
    return route[::-1]


def hop_end(initial, final, li_displacement):
    """`final` (relaxed, moving atom last) placed for a hop from `initial`: the moving atom at its position
    in `initial` + li_displacement (the copy of the site the hop lands on), every other atom at its periodic
    copy nearest to where it is in `initial`. For an NEB with mic=False between the two."""
    from ase.geometry import find_mic

    out = final.copy()
    d, _ = find_mic(final.positions[:-1] - initial.positions[:-1], initial.cell, initial.pbc)
    out.positions[:-1] = initial.positions[:-1] + d
    out.positions[-1] = initial.positions[-1] + np.asarray(li_displacement, float)
    out.set_constraint(initial.constraints)
    return out
