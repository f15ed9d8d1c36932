"""End-to-end studies: Si(111) Li barrier, interface energies of the heterojunctions, interface Li barriers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from sizno.atomistic import builders
from sizno.atomistic.calculators import CalculatorFactory
from sizno.atomistic.neb import NEBResult, run_neb
from sizno.atomistic.paths import hop_end, pick_hop, relax_sites, site_route, surface_candidates, void_candidates
from sizno.atomistic.relax import relax

EV_PER_A2_TO_J_PER_M2 = 16.0217663


@dataclass
class Settings:
    """Sizes and tolerances. quick: smallest sensible cells; full: thicker slabs, more images."""

    quick: bool = True

    @property
    def si_bilayers(self): return 3 if self.quick else 4
    @property
    def oxide_units(self): return 2 if self.quick else 3
    @property
    def fmax(self): return 0.1 if self.quick else 0.05
    @property
    def relax_steps(self): return 150 if self.quick else 400
    @property
    def neb_images(self): return 5 if self.quick else 7
    @property
    def neb_steps(self): return 300 if self.quick else 500
    @property
    def periodic_images(self): return 7 if self.quick else 9
    @property
    def grid(self): return 4 if self.quick else 5
    @property
    def n_sites(self): return 5 if self.quick else 7
    @property
    def vacuum_A(self): return 12.0 if self.quick else 20.0

    def as_dict(self):
        return {k: getattr(self, k) for k in ("quick", "si_bilayers", "oxide_units", "fmax", "relax_steps", "neb_images",
                                              "periodic_images", "neb_steps", "grid", "n_sites", "vacuum_A")}


Progress = Callable[[str], None]


def _noop(msg: str) -> None:
    pass


def lattice_directions(cell, quick: bool) -> list[np.ndarray]:
    """In-plane lattice vectors a Li atom can move one cell along: a1 (quick) or a1, a2, a2 - a1 (full).
    For the hexagonal cells here these are the three shortest, 120 degrees apart."""
    c = np.asarray(cell)[:2]
    dirs = [c[0]] if quick else [c[0], c[1], c[1] - c[0]]
    return [np.array(d, float) for d in dirs]


def periodic_barrier(site_atoms, factory: CalculatorFactory, s: Settings, on_neb_step=None) -> NEBResult:
    """Long-range migration barrier: NEB from a site to its periodic image one cell on, lowest over directions."""
    from sizno.atomistic.neb import periodic_neb

    best = None
    for d in lattice_directions(site_atoms.cell.array, s.quick):
        r = periodic_neb(site_atoms, factory, d, n_images=s.periodic_images, fmax=s.fmax, steps=s.neb_steps,
                         on_step=on_neb_step)
        if best is None or r.barrier_eV < best.barrier_eV:
            best = r
    return best


def si111_barrier(factory: CalculatorFactory, s: Settings, reconstruction: str = "2x2-adatom",
                  progress: Progress = _noop, on_neb_step=None) -> tuple[NEBResult, dict]:
    """Long-range Li migration on reconstructed Si(111): the lowest adsorption site to its own periodic
    image one cell on (see periodic_barrier); the highest saddle on the way is the barrier."""
    slab = builders.si111_slab(reconstruction, bilayers=s.si_bilayers, vacuum_A=s.vacuum_A)
    slab.rattle(0.02, seed=7)  # off the symmetry saddle
    progress(f"relax Si(111)-{reconstruction} ({len(slab)} atoms)")
    r = relax(slab, factory, fmax=s.fmax, steps=s.relax_steps)
    top = builders.top_layer_indices(slab, 1.5)
    info = {"slab_atoms": len(slab), "reconstruction": reconstruction, "slab_relax_converged": r.converged,
            "top_coordination_before": builders.surface_coordination(slab, top),
            "top_coordination_after": builders.surface_coordination(r.atoms, top)}
    info["reconstruction_kept"] = info["top_coordination_before"] == info["top_coordination_after"]
    pts = surface_candidates(r.atoms, n=s.grid + 1, k=s.n_sites)
    sites = relax_sites(r.atoms, pts, factory, s.fmax, s.relax_steps,
                        on_site=lambda i, n: progress(f"Li site {i}/{n} on Si(111)"))
    if not sites:
        pick_hop(sites, r.atoms, "Si(111) sites")  # raises: no site
    info["sites_found"] = len(sites)
    info["site_energies_eV"] = [st.energy_eV - sites[0].energy_eV for st in sites]
    progress("NEB on Si(111): the lowest site to its image one cell on")
    neb = periodic_barrier(sites[0].atoms, factory, s, on_neb_step=on_neb_step)
    lower = _lower_site_on_path(neb, sites[0], r.atoms, factory, s, None)
    info["start_site_refined"] = lower is not None
    if lower is not None:
        progress("a lower Li site on the path: NEB on Si(111) again from it")
        neb = periodic_barrier(lower.atoms, factory, s, on_neb_step=on_neb_step)
    return neb, info


@dataclass
class Heterojunction:
    termination: str
    registry: str
    interface_energy_eV_per_A2: float
    area_A2: float
    E_tot_eV: float
    E_si_eV: float
    E_oxide_eV: float
    converged: bool
    n_atoms: int
    atoms: object

    def as_dict(self):
        d = {k: v for k, v in self.__dict__.items() if k != "atoms"}
        d["interface_energy_J_per_m2"] = self.interface_energy_eV_per_A2 * EV_PER_A2_TO_J_PER_M2
        return d


def interface_energy_eV_per_A2(E_tot_eV: float, E_a_eV: float, E_b_eV: float, area_A2: float) -> float:
    """The paper's definition: (E_tot - E_slabA - E_slabB) / area [eV/Å^2]; negative = binding."""
    return (E_tot_eV - E_a_eV - E_b_eV) / area_A2


def heterojunctions(factory: CalculatorFactory, s: Settings, oxide: str = "ZnO", terminations=None, registries=None,
                    progress: Progress = _noop) -> list[Heterojunction]:
    """Relax each termination x registry; interface energy against separately relaxed slabs in the same cell."""
    faces = builders.crystals()["oxides"][oxide]["faces"]
    terminations = terminations or faces
    registries = registries or list(builders.REGISTRIES)
    out = []
    for t in terminations:
        _, si, ox = builders.build_interface(oxide, t, "top", si_bilayers=s.si_bilayers, oxide_units=s.oxide_units,
                                             vacuum_A=s.vacuum_A)
        si.rattle(0.02, seed=3)
        progress(f"relax Si slab and {oxide} slab ({t} face)")
        rs = relax(si, factory, fmax=s.fmax, steps=s.relax_steps)
        ro = relax(ox, factory, fmax=s.fmax, steps=s.relax_steps)
        for reg in registries:
            iface, _, _ = builders.build_interface(oxide, t, reg, si_bilayers=s.si_bilayers, oxide_units=s.oxide_units,
                                                   vacuum_A=s.vacuum_A)
            iface.rattle(0.02, seed=5)
            progress(f"relax Si(111)/{oxide} {t}-face {reg} ({len(iface)} atoms)")
            ri = relax(iface, factory, fmax=s.fmax, steps=s.relax_steps)
            area = builders.slab_area_A2(iface)
            g = interface_energy_eV_per_A2(ri.energy_eV, rs.energy_eV, ro.energy_eV, area)
            out.append(Heterojunction(t, reg, g, area, ri.energy_eV, rs.energy_eV, ro.energy_eV,
                                      ri.converged and rs.converged and ro.converged, len(iface), ri.atoms))
    out.sort(key=lambda h: h.interface_energy_eV_per_A2)
    return out


def _is_oxide_atom(sym: str) -> bool:
    return sym not in ("Si", "H", "Li")


def atomic_layers(z, gap_A: float = 1.2) -> list[tuple[float, float]]:
    """Group heights into layers: sorted z split wherever two neighbours are more than gap_A apart.

    For wurtzite (0001) this gives the cation-anion double layers (~0.6 A thick, ~2.6 A apart)."""
    zs = np.sort(np.asarray(z, float))
    if zs.size == 0:
        return []
    out, lo = [], zs[0]
    for a, b in zip(zs[:-1], zs[1:]):
        if b - a > gap_A:
            out.append((float(lo), float(a)))
            lo = b
    out.append((float(lo), float(zs[-1])))
    return out


def channel_geometry(host) -> dict:
    """Heights that define the interface channel and the first open level of the oxide above it.

    channel: between the Si top and the middle of the oxide's first (interface) double layer.
    oxide's first interstitial level: between the top of the first oxide double layer and the bottom
    of the second one (in wurtzite ZnO the empty C columns: octahedral sites)."""
    syms = np.array(host.get_chemical_symbols())
    z = host.positions[:, 2]
    ox = np.array([_is_oxide_atom(x) for x in syms])
    si_top = float(z[syms == "Si"].max())
    layers = atomic_layers(z[ox])
    if len(layers) < 2:
        from sizno.errors import SiznoInputError

        raise SiznoInputError("across path", f"the oxide has {len(layers)} atomic double layer(s); the first open "
                              "site inside it needs two", "a thicker oxide (oxide units >= 2)")
    (l1_lo, l1_hi), (l2_lo, _) = layers[0], layers[1]
    return {"si_top_z_A": si_top, "oxide_bottom_z_A": l1_lo, "gap_A": l1_lo - si_top,
            "oxide_layer1_z_A": [l1_lo, l1_hi], "oxide_layer2_bottom_z_A": l2_lo,
            "channel_z_A": [si_top - 1.0, 0.5 * (l1_lo + l1_hi)],
            "oxide_interstitial_z_A": [l1_hi + 0.2, l2_lo - 0.2]}


def _pick_interface_ends(a, chan, inside, host, info, require_across: bool):
    """b: nearest distinct channel site to a; c: nearest oxide site to a (None if none and not required)."""
    from ase.geometry import find_mic

    from sizno.errors import SiznoInputError

    def dist(st):
        return find_mic(st.li_position - a.li_position, host.cell, host.pbc)[1]

    others = [st for st in chan if st is not a and dist(st) > 0.5]
    if not others:
        raise SiznoInputError("interface channel sites", "only one distinct Li site found: the NEB endpoints would "
                              "coincide", "a finer site grid (--grid) or a larger cell")
    b = min(others, key=dist)
    c = min(inside, key=dist) if inside else None
    if c is None:
        err = SiznoInputError("across path", "Li found no open site inside the oxide (all relaxed back to the interface)",
                              "a thicker oxide or finer grid")
        if require_across:
            raise err
        info["across_error"] = str(err)
    for name, end in (("along", b), ("across", c)):
        if end is None:
            continue
        d, _ = find_mic(end.li_position - a.li_position, host.cell, host.pbc)
        info[f"{name}_hop_vertical_A"] = float(d[2])
        info[f"{name}_hop_lateral_A"] = float(np.hypot(d[0], d[1]))
    info["channel_site_z_A"] = float(a.li_position[2])
    if c is not None:
        info["oxide_site_z_A"] = float(c.li_position[2])
        info["oxide_site_minus_channel_site_eV"] = float(c.energy_eV - a.energy_eV)
    return b, c


def _interface_site_sets(host, factory: CalculatorFactory, s: Settings, progress: Progress = _noop):
    """Relaxed Li sites: (channel sites lowest first, oxide first-interstitial sites, geometry and site counts)."""
    g = channel_geometry(host)
    c_lo, c_hi = g["channel_z_A"]
    pts = void_candidates(host, g["si_top_z_A"] - 0.3, g["oxide_bottom_z_A"] + 0.3, n=s.grid + 1, k=s.n_sites)
    sites = relax_sites(host, pts, factory, s.fmax, s.relax_steps,
                        on_site=lambda i, n: progress(f"Li site {i}/{n} in the interface channel"))
    chan = [st for st in sites if c_lo <= st.li_position[2] <= c_hi]
    if not chan:
        pick_hop(chan, host, "interface channel sites")  # raises: no site
    i_lo, i_hi = g["oxide_interstitial_z_A"]
    # a fine lateral grid: the open columns are narrow (the search itself is geometry only, cheap)
    inner = void_candidates(host, i_lo, i_hi, n=max(6, s.grid + 1), k=s.n_sites)
    inner_sites = relax_sites(host, inner, factory, s.fmax, s.relax_steps,
                              on_site=lambda i, n: progress(f"Li site {i}/{n} inside the oxide"))
    # beyond the channel: Li has passed the oxide's first double layer and stays below the second
    inside = [st for st in inner_sites if g["oxide_layer1_z_A"][1] < st.li_position[2] < g["oxide_layer2_bottom_z_A"]]
    return chan, inside, {**g, "channel_sites_found": len(chan), "oxide_sites_found": len(inside)}


def interface_sites(host, factory: CalculatorFactory, s: Settings, progress: Progress = _noop,
                    require_across: bool = True):
    """The endpoints of the paper's two interface paths (Fig. 5e,g): (channel site a, channel site b, oxide site c, info).

    a: the lowest Li site in the interface channel (between the Si top and the middle of the oxide's
    first double layer); b: the nearest distinct channel site (along: in the interface plane);
    c: the nearest open interstitial of the oxide's first interstitial level, beyond its first double
    layer (across: perpendicular to the channel; in ZnO the octahedral site of the empty C column).
    The oxide side is taken because it is the open one: with CHGNet on the quick Si/ZnO cell Li in the
    Si subsurface tetrahedral site lies ~0.7 eV above the oxide's first interstitial.
    With require_across=False a missing oxide site gives c = None and info["across_error"] instead of an error.
    """
    chan, inside, info = _interface_site_sets(host, factory, s, progress)
    a = chan[0]
    b, c = _pick_interface_ends(a, chan, inside, host, info, require_across)
    return a, b, c, info


def _lower_site_on_path(neb: NEBResult, a, host, factory: CalculatorFactory, s: Settings, z_range, ref=None):
    """If an interior NEB image lies > 0.05 eV below the start and below `ref` (a site; default the start),
    relax it: a site lower than `ref` within z_range, or None."""
    from sizno.atomistic.paths import Site

    ref = a if ref is None else ref
    interior = neb.energies_eV[1:-1]
    floor = min(0.0, ref.energy_eV - a.energy_eV) - 0.05
    if not interior or min(interior) > floor:
        return None
    im = neb.images[1 + int(np.argmin(interior))].copy()
    im.set_constraint(host.constraints)
    r = relax(im, factory, fmax=s.fmax, steps=s.relax_steps)
    st = Site(r.atoms, r.energy_eV, r.atoms.positions[-1].copy(), r.converged)
    if st.energy_eV < ref.energy_eV - 0.02 and (z_range is None or z_range[0] <= st.li_position[2] <= z_range[1]):
        return st
    return None


def route_barrier(sites, host, factory: CalculatorFactory, s: Settings, progress: Progress = _noop,
                  on_neb_step=None, what: str = "the channel") -> tuple[NEBResult, list[dict]]:
    """Long-range migration through a set of sites: from sites[0] (the lowest) to its own periodic image one
    cell on, routed through the other sites (paths.site_route: least sum of squared hops), one NEB per hop
    (IDPP start), joined into one profile (neb.chain_nebs). The barrier is the highest saddle on the route
    above the start; the lowest over the lattice directions tried (see lattice_directions)."""
    from sizno.atomistic.neb import chain_nebs

    best, best_route = None, None
    pos = [st.li_position for st in sites]
    for L in lattice_directions(host.cell.array, s.quick):
        route = site_route(pos, host.cell.array, host.pbc, L)
        segs, rows = [], []
        for k, (i, j, d) in enumerate(route):
            progress(f"NEB along {what}: hop {k + 1}/{len(route)} (site {i} -> site {j}, {np.linalg.norm(d):.2f} A)")
            fin = hop_end(sites[i].atoms, sites[j].atoms, d)
            r = run_neb(sites[i].atoms, fin, factory, n_images=s.neb_images, fmax=s.fmax, steps=s.neb_steps,
                        on_step=on_neb_step, mic=False)
            segs.append(r)
            rows.append({"from_site": i, "to_site": j, "hop_A": float(np.linalg.norm(d)),
                         "hop_lateral_A": float(np.hypot(d[0], d[1])), "hop_vertical_A": float(d[2]),
                         "from_site_eV": float(sites[i].energy_eV - sites[0].energy_eV),
                         "saddle_eV": float(sites[i].energy_eV - sites[0].energy_eV + max(r.energies_eV)),
                         "converged": r.converged, "fmax_eV_per_A": r.fmax_eV_per_A, "steps": r.steps})
        res = chain_nebs(segs, [sites[i].energy_eV for i, _, _ in route], L)
        if best is None or res.barrier_eV < best.barrier_eV:
            best, best_route = res, rows
    return best, best_route


def interface_barriers(host, factory: CalculatorFactory, s: Settings, progress: Progress = _noop,
                       on_neb_step=None, require_across: bool = True) -> tuple[NEBResult, NEBResult | None, dict]:
    """NEBs along the interface channel and across it into the oxide (a → c); see interface_sites.

    along: long-range migration in the channel, from the lowest channel site a to its own periodic image
    one cell on, through the other channel sites (route_barrier: one NEB per hop, IDPP starts; the
    barrier is the highest saddle on the way). A single NEB straight to the periodic image ran Li into
    the interface atoms (a 9.7 eV "barrier" after 300 steps); the nearest-site hop used before ended at
    a site with no saddle above it. The site search is coarse: when the route passes a channel site
    lower than its start, that site is relaxed and becomes the start of both paths (once). With
    require_across=False an oxide without an open site gives across = None (reason in info)."""
    chan, inside, info = _interface_site_sets(host, factory, s, progress)
    a = chan[0]
    b, c = _pick_interface_ends(a, chan, inside, host, info, require_across)
    along, route = route_barrier(chan, host, factory, s, progress, on_neb_step)
    lower = _lower_site_on_path(along, a, host, factory, s, info["channel_z_A"])
    info["start_site_refined"] = lower is not None
    if lower is not None:
        progress("a lower channel site on the route: NEBs along the channel again from it")
        chan = [lower] + chan
        a = lower
        b, c = _pick_interface_ends(a, chan, inside, host, info, require_across)
        along, route = route_barrier(chan, host, factory, s, progress, on_neb_step)
    info["along_route"] = route
    info["along_shift_A"] = along.hop_length_A
    info["channel_site_energies_eV"] = [float(st.energy_eV - a.energy_eV) for st in chan]
    if c is None:
        return along, None, info
    progress("NEB across the interface channel")
    across = run_neb(a.atoms, c.atoms, factory, n_images=s.neb_images, fmax=s.fmax, steps=s.neb_steps, on_step=on_neb_step)
    # the oxide-site search is coarse too: an across path that passes an oxide site (beyond the first double
    # layer, below the second) lower than both ends ends there instead: it is the first open site on the way
    oxide_z = (info["oxide_layer1_z_A"][1], info["oxide_layer2_bottom_z_A"])
    lower = _lower_site_on_path(across, a, host, factory, s, oxide_z, ref=c)
    info["oxide_site_refined"] = lower is not None
    if lower is not None:
        progress("a lower oxide site on the across path: NEB across again, to it")
        c = lower
        _note_across_end(a, c, host, info)
        across = run_neb(a.atoms, c.atoms, factory, n_images=s.neb_images, fmax=s.fmax, steps=s.neb_steps,
                         on_step=on_neb_step)
    return along, across, info


def _note_across_end(a, c, host, info) -> None:
    from ase.geometry import find_mic

    d, _ = find_mic(c.li_position - a.li_position, host.cell, host.pbc)
    info["across_hop_vertical_A"] = float(d[2])
    info["across_hop_lateral_A"] = float(np.hypot(d[0], d[1]))
    info["oxide_site_z_A"] = float(c.li_position[2])
    info["oxide_site_minus_channel_site_eV"] = float(c.energy_eV - a.energy_eV)


def interface_channel(oxide: str, factory: CalculatorFactory, s: Settings, progress=lambda m: None,
                      on_neb_step=None, require_across: bool = True) -> dict:
    """The oxide's heterojunctions (every polar face x registry), the most stable one, and the Li barriers
    along and across its interface channel."""
    # every polar face x registry, quick or not (the paper's four heterojunctions for ZnO)
    hjs = heterojunctions(factory, s, oxide, registries=list(builders.REGISTRIES), progress=progress)
    best = hjs[0]
    along, across, info = interface_barriers(best.atoms, factory, s, progress=progress, on_neb_step=on_neb_step,
                                              require_across=require_across)
    return {"oxide": oxide, "heterojunctions": [h.as_dict() for h in hjs], "most_stable": best.as_dict(),
            "along": along, "across": across, "channel_info": info}
