"""End-to-end studies: Si(111) Li barrier, interface energies of the heterojunctions, interface Li barriers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from sizno.atomistic import builders
from sizno.atomistic.calculators import CalculatorFactory
from sizno.atomistic.neb import NEBResult, run_neb
from sizno.atomistic.paths import pick_hop, relax_sites, surface_candidates, void_candidates
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
    def neb_images(self): return 3 if self.quick else 5
    @property
    def neb_steps(self): return 120 if self.quick else 400
    @property
    def grid(self): return 3 if self.quick else 5
    @property
    def n_sites(self): return 3 if self.quick else 5
    @property
    def vacuum_A(self): return 12.0 if self.quick else 20.0

    def as_dict(self):
        return {k: getattr(self, k) for k in ("quick", "si_bilayers", "oxide_units", "fmax", "relax_steps", "neb_images",
                                              "neb_steps", "grid", "n_sites", "vacuum_A")}


Progress = Callable[[str], None]


def _noop(msg: str) -> None:
    pass


def si111_barrier(factory: CalculatorFactory, s: Settings, reconstruction: str = "2x2-adatom",
                  progress: Progress = _noop, on_neb_step=None) -> tuple[NEBResult, dict]:
    """Li hop between neighbouring adsorption sites on reconstructed Si(111)."""
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
    a, b = pick_hop(sites, r.atoms, "Si(111) sites")
    info["sites_found"] = len(sites)
    progress("NEB on Si(111)")
    neb = run_neb(a.atoms, b.atoms, factory, n_images=s.neb_images, fmax=s.fmax, steps=s.neb_steps, on_step=on_neb_step)
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


def interface_barriers(host, factory: CalculatorFactory, s: Settings, progress: Progress = _noop,
                       on_neb_step=None) -> tuple[NEBResult, NEBResult, dict]:
    """Along the channel (in-plane, between interface sites) and across it (into the oxide's first open site)."""
    syms = np.array(host.get_chemical_symbols())
    z = host.positions[:, 2]
    ox = np.array([_is_oxide_atom(x) for x in syms])
    si_top = z[syms == "Si"].max()
    ox_bottom = z[ox].min()
    ox_z = np.sort(z[ox])
    info = {"si_top_z_A": si_top, "oxide_bottom_z_A": ox_bottom, "gap_A": ox_bottom - si_top}
    lo, hi = min(si_top, ox_bottom) - 0.3, max(si_top, ox_bottom) + 0.8
    pts = void_candidates(host, lo, hi, n=s.grid + 1, k=s.n_sites)
    sites = relax_sites(host, pts, factory, s.fmax, s.relax_steps,
                        on_site=lambda i, n: progress(f"Li site {i}/{n} in the interface channel"))
    # interface sites: Li stays within the channel's height range
    chan = [st for st in sites if lo - 0.7 <= st.li_position[2] <= hi + 0.7]
    a, b = pick_hop(chan, host, "interface channel sites")
    info["channel_sites_found"] = len(chan)
    progress("NEB along the interface channel")
    along = run_neb(a.atoms, b.atoms, factory, n_images=s.neb_images, fmax=s.fmax, steps=s.neb_steps, on_step=on_neb_step)
    # across: first open site inside the oxide, above its first cation-anion layer pair
    layer2 = ox_z[ox_z > ox_bottom + 1.2]
    z2 = layer2.min() if len(layer2) else ox_bottom + 2.5
    inner = void_candidates(host, ox_bottom + 0.9, z2 + 0.9, n=s.grid + 1, k=s.n_sites)
    inner_sites = relax_sites(host, inner, factory, s.fmax, s.relax_steps,
                              on_site=lambda i, n: progress(f"Li site {i}/{n} inside the oxide"))
    from ase.geometry import find_mic

    inside = [st for st in inner_sites if st.li_position[2] > hi + 0.3]
    if not inside:
        from sizno.errors import SiznoInputError

        raise SiznoInputError("across path", "Li found no open site inside the oxide (all relaxed back to the interface)",
                              "a thicker oxide or finer grid")
    c = min(inside, key=lambda st: find_mic(st.li_position - a.li_position, host.cell, host.pbc)[1])
    progress("NEB across the interface channel")
    across = run_neb(a.atoms, c.atoms, factory, n_images=s.neb_images, fmax=s.fmax, steps=s.neb_steps, on_step=on_neb_step)
    return along, across, info
