"""Slab and heterostructure builders: Si(111), polar oxide (0001)/(111) slabs, Si/oxide interfaces.

Geometry: every surface here is a hexagonal lattice. The 1x1 cell has a1 = a (1, 0, 0) and
a2 = a (1/2, sqrt(3)/2, 0); stacking sites A = (0, 0), B = (1/3, 1/3), C = (2/3, 2/3) in fractional
coordinates of (a1, a2). A hexagonal supercell (m, n) has v1 = m a1 + n a2, v2 = -n a1 + (m + n) a2,
length a sqrt(m^2 + mn + n^2). Two hexagonal supercells of equal length coincide after one rotation,
so a heterostructure is built by mapping the oxide's fractional coordinates into the Si cell (the
oxide is the strained slab; ase.build.stack refuses 60 vs 120 degree cells, this does not need it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sizno.data import read_toml
from sizno.errors import SiznoInputError

SITES = {"A": (0.0, 0.0), "B": (1 / 3, 1 / 3), "C": (2 / 3, 2 / 3)}
SI_H_BOND_A = 1.48
RECONSTRUCTIONS = {  # name → native supercell (m, n) of the 1x1 cell
    "1x1": (1, 0),
    "2x2-adatom": (2, 0),
    "sqrt3-adatom": (1, 1),
    "2x1-pandey": None,  # rectangular; built by its own function
}


def crystals() -> dict:
    """The bulk crystals the builders use (data/atomistic/crystals.toml), with the lattices of Si and ZnO
    from data/structure/structures.toml: the one crystal-structure source of XRD and atomistics."""
    data = read_toml("atomistic/crystals.toml")
    xrd = read_toml("structure/structures.toml")
    data["Si"].update(a_A=xrd["Si"]["lattice_A"]["a"], source=xrd["Si"]["source"])
    zno = xrd["ZnO"]
    u = next(s["frac"][2] for s in zno["sites"] if s["species"] == "O")  # O's z over Zn's at 0: wurtzite u
    data["oxides"]["ZnO"].update(a_A=zno["lattice_A"]["a"], c_A=zno["lattice_A"]["c"], u=u, source=zno["source"])
    return data


def oxide_names() -> list[str]:
    return sorted(crystals()["oxides"])


def _hex_cell(a: float, c: float) -> np.ndarray:
    return np.array([[a, 0, 0], [a / 2, a * math.sqrt(3) / 2, 0], [0, 0, c]])


def supercell_matrix(m: int, n: int) -> np.ndarray:
    return np.array([[m, n, 0], [-n, m + n, 0], [0, 0, 1]])


def hex_length(m: int, n: int) -> float:
    """|m a1 + n a2| / a for the 60-degree basis."""
    return math.sqrt(m * m + m * n + n * n)


def _layered_slab(a: float, period: float, layers: list[tuple[str, str, float]], n_units: int,
                  vacuum_A: float):
    """Stack `n_units` repeat units of `layers` (element, site, z fraction) on a 1x1 hexagonal cell."""
    from ase import Atoms

    syms, pos = [], []
    cell = _hex_cell(a, 1.0)
    for u in range(n_units):
        for el, site, zf in layers:
            fx, fy = SITES[site]
            xy = fx * cell[0] + fy * cell[1]
            syms.append(el)
            pos.append([xy[0], xy[1], (u + zf) * period])
    atoms = Atoms(syms, positions=pos, pbc=[True, True, True])
    return _set_vacuum(atoms, _hex_cell(a, 1.0), vacuum_A)


def _set_vacuum(atoms, cell2d: np.ndarray, vacuum_A: float):
    z = atoms.positions[:, 2]
    height = float(z.max() - z.min())
    atoms.positions[:, 2] += vacuum_A / 2 - z.min()
    cell = np.array(cell2d, float).copy()
    cell[2] = [0, 0, height + vacuum_A]
    atoms.set_cell(cell, scale_atoms=False)
    atoms.pbc = [True, True, True]
    return atoms


def _fix_below(atoms, z_max: float):
    from ase.constraints import FixAtoms

    atoms.set_constraint(FixAtoms(indices=[i for i, z in enumerate(atoms.positions[:, 2]) if z < z_max]))
    return atoms


@dataclass
class SlabInfo:
    """What a builder made: for reports and tests."""

    kind: str
    n_atoms: int
    area_A2: float
    n_fixed: int
    top_z_A: float
    note: str = ""


def slab_area_A2(atoms) -> float:
    c = atoms.cell.array
    return float(np.linalg.norm(np.cross(c[0], c[1])))


def n_fixed(atoms) -> int:
    n = 0
    for c in atoms.constraints:
        idx = getattr(c, "index", None)
        if idx is not None:
            n += len(np.atleast_1d(idx))
    return n


# ------------------------------------------------------------------------------------ Si(111)

def si111_slab(reconstruction: str = "2x2-adatom", bilayers: int = 4, fixed_bilayers: int = 1,
               size: tuple[int, int] = (1, 1), vacuum_A: float = 15.0, a_A: float | None = None,
               passivate_bottom: bool = True):
    """Si(111) slab: `bilayers` Si bilayers, bottom H-passivated and fixed, top reconstructed.

    reconstruction: '1x1' (ideal, sits on a symmetry saddle: rattle before relaxing), '2x2-adatom'
    (T4 adatom + rest atom, the building block of the 7x7 DAS), 'sqrt3-adatom' (T4 adatom on every
    sqrt3 x sqrt3 R30 cell), '2x1-pandey' (pi-bonded chains, rectangular cell). `size` repeats the
    reconstruction's own cell. The fixed bottom is `fixed_bilayers` bilayers plus the H layer.
    """
    if reconstruction not in RECONSTRUCTIONS:
        raise SiznoInputError("reconstruction", f"unknown '{reconstruction}'", ", ".join(RECONSTRUCTIONS))
    if bilayers < fixed_bilayers + 1 or fixed_bilayers < 0:
        raise SiznoInputError("bilayers", f"{bilayers} bilayers cannot keep {fixed_bilayers} fixed and a free top",
                              f"bilayers >= fixed_bilayers + 1 = {fixed_bilayers + 1}")
    if vacuum_A < 6:
        raise SiznoInputError("vacuum_A", f"{vacuum_A} A is too thin for a slab", ">= 6 A (15-20 A advised)")
    a = a_A or crystals()["Si"]["a_A"]
    if reconstruction == "2x1-pandey":
        return _pandey(a, bilayers, fixed_bilayers, size, vacuum_A, passivate_bottom)
    a_s = a / math.sqrt(2)
    d_bl = a / math.sqrt(3)          # bilayer period
    d_in = a * math.sqrt(3) / 12     # spacing inside a bilayer
    order = "ABC"
    layers = []
    for i in range(bilayers):
        layers.append(("Si", order[i % 3], i * d_bl))
        layers.append(("Si", order[(i + 1) % 3], i * d_bl + d_in))
    if passivate_bottom:
        layers.insert(0, ("H", "A", -SI_H_BOND_A))
    from ase import Atoms
    from ase.build import make_supercell

    cell2 = _hex_cell(a_s, 1.0)
    syms = [el for el, _, _ in layers]
    pos = [[*(SITES[s][0] * cell2[0] + SITES[s][1] * cell2[1])[:2], z] for _, s, z in layers]
    slab = _set_vacuum(Atoms(syms, positions=pos, pbc=True), cell2, vacuum_A)
    m, n = RECONSTRUCTIONS[reconstruction]
    slab = make_supercell(slab, supercell_matrix(m, n))
    top_z = slab.positions[:, 2].max()
    if reconstruction in ("2x2-adatom", "sqrt3-adatom"):
        # T4: above a second-layer atom (the lower atom of the top bilayer, site order[bilayers-1])
        fx, fy = SITES[order[(bilayers - 1) % 3]]
        xy = fx * _hex_cell(a_s, 1)[0] + fy * _hex_cell(a_s, 1)[1]
        slab.append("Si")
        slab.positions[-1] = [xy[0], xy[1], top_z + 1.25]
        slab.wrap()
    slab = slab.repeat((size[0], size[1], 1))
    z0 = slab.positions[:, 2].min() + (SI_H_BOND_A if passivate_bottom else 0)
    _fix_below(slab, z0 + fixed_bilayers * d_bl - 0.3 if fixed_bilayers else -1e9)
    slab.info["sizno"] = {"kind": f"Si(111)-{reconstruction}", "bilayers": bilayers, "fixed_bilayers": fixed_bilayers,
                          "a_A": a, "vacuum_A": vacuum_A}
    return slab


def _pandey(a, bilayers, fixed_bilayers, size, vacuum_A, passivate_bottom):
    """Si(111)-2x1 Pandey pi-bonded chain: rectangular cell (sqrt3 a_s across, a_s along the chains).

    Built from the ideal slab in the rectangular 2x1 cell by rebuilding the top bilayer as two zigzag
    chains along y: a lower 4-fold chain bonded to the bilayer below and an upper 3-fold (pi-bonded)
    chain, which makes the 5- and 7-membered rings of Pandey's model. A starting geometry: relax it
    and check it keeps its chains (`chain_intact`).
    """
    from ase import Atoms

    a_s = a / math.sqrt(2)
    d_bl, d_in = a / math.sqrt(3), a * math.sqrt(3) / 12
    lx, ly = a_s * math.sqrt(3), a_s
    # the rectangular cell holds 2 lattice points of the 1x1 lattice: (0,0) and (lx/2, ly/2);
    # site offsets of B and C (hollows) along x: a_s/sqrt(3) and 2 a_s/sqrt(3)
    off = {"A": 0.0, "B": a_s / math.sqrt(3), "C": 2 * a_s / math.sqrt(3)}
    syms, pos = [], []

    def put(el, site, z):
        for px, py in ((0.0, 0.0), (lx / 2, ly / 2)):
            syms.append(el)
            pos.append([(px + off[site]) % lx, py, z])

    order = "ABC"
    if passivate_bottom:
        put("H", "A", -SI_H_BOND_A)
    for i in range(bilayers - 1):
        put("Si", order[i % 3], i * d_bl)
        put("Si", order[(i + 1) % 3], i * d_bl + d_in)
    # top bilayer rebuilt as chains; the atoms below it (upper atoms of the previous bilayer) sit at
    # x0 and x0 + lx/2 (y = 0 and ly/2) and each needs one bond up
    i = bilayers - 1
    x0 = off[order[i % 3]]
    zb = i * d_bl
    bond = 2.35
    dx = math.sqrt(bond**2 - (ly / 2) ** 2)       # zigzag half-width for a 2.35 A chain bond
    # lower chain: between the two anchor columns, tilted bonds down to them
    xl = x0 + lx / 4
    lower = [(xl - dx / 2, 0.0, zb + 0.9), (xl + dx / 2, ly / 2, zb + 0.9)]
    # upper chain: displaced by ~lx/2 - dx across, ~1.0 A higher: each upper atom bonds to one lower atom
    xu = xl + lx / 2 - 0.55
    upper = [(xu - dx / 2, 0.0, zb + 1.75), (xu + dx / 2, ly / 2, zb + 1.75)]
    for x, y, z in lower + upper:
        syms.append("Si")
        pos.append([x % lx, y, z])
    atoms = Atoms(syms, positions=pos, pbc=True)
    cell2 = np.array([[lx, 0, 0], [0, ly, 0], [0, 0, 1.0]])
    atoms = _set_vacuum(atoms, cell2, vacuum_A)
    atoms = atoms.repeat((size[0], size[1], 1))
    z0 = atoms.positions[:, 2].min() + (SI_H_BOND_A if passivate_bottom else 0)
    _fix_below(atoms, z0 + fixed_bilayers * d_bl - 0.3 if fixed_bilayers else -1e9)
    atoms.info["sizno"] = {"kind": "Si(111)-2x1-pandey", "bilayers": bilayers, "fixed_bilayers": fixed_bilayers,
                           "a_A": a, "vacuum_A": vacuum_A}
    return atoms


def top_layer_indices(atoms, depth_A: float = 1.0, element: str | None = None) -> list[int]:
    z = atoms.positions[:, 2]
    mask = z > z.max() - depth_A
    if element:
        mask &= np.array(atoms.get_chemical_symbols()) == element
    return [int(i) for i in np.flatnonzero(mask)]


def surface_coordination(atoms, indices, cutoff_A: float = 2.7) -> list[int]:
    """Neighbour counts (periodic) of the given atoms: a check that a reconstruction stays put."""
    from ase.neighborlist import neighbor_list

    i, _ = neighbor_list("ij", atoms, cutoff_A)
    counts = np.bincount(i, minlength=len(atoms))
    return [int(counts[k]) for k in indices]


# ------------------------------------------------------------------------------------ oxides

def oxide_slab(oxide: str = "ZnO", units: int = 2, bottom: str | None = None, size: tuple[int, int] = (1, 1),
               vacuum_A: float = 15.0, fixed_units: int = 0):
    """Polar oxide slab, (0001) for wurtzite, (111) for rocksalt, on the hexagonal 1x1 cell x `size`.

    Both polar faces exist: `bottom` picks which element terminates the bottom face (the face that
    touches Si in an interface); the top face is the other one. ZnO: bottom 'O' = (000-1) face down,
    bottom 'Zn' = (0001) face down.
    """
    data = crystals()["oxides"]
    if oxide not in data:
        raise SiznoInputError("oxide", f"unknown oxide '{oxide}'", ", ".join(sorted(data)))
    d = data[oxide]
    if units < 1 + fixed_units:
        raise SiznoInputError("units", f"{units} repeat units cannot keep {fixed_units} fixed", f">= {fixed_units + 1}")
    faces = list(d["faces"])
    bottom = bottom or faces[0]
    if bottom not in faces:
        raise SiznoInputError("termination", f"'{bottom}' is not a face of {oxide}", ", ".join(faces))
    if d["structure"] == "wurtzite":
        a, c, u = d["a_A"], d["c_A"], d["u"]
        s = 0.5 - u
        layers = [("O", "B", 0.0), (d["cation"], "A", s), ("O", "A", 0.5), (d["cation"], "B", 0.5 + s)]
        slab = _layered_slab(a, c, layers, units, vacuum_A)
        per_unit = c
    elif d["structure"] == "rocksalt":
        a = d["a_A"] / math.sqrt(2)
        cat = d["cation"]
        layers = [(cat, "A", 0), ("O", "B", 1 / 6), (cat, "C", 2 / 6), ("O", "A", 3 / 6), (cat, "B", 4 / 6), ("O", "C", 5 / 6)]
        per_unit = d["a_A"] * math.sqrt(3)
        slab = _layered_slab(a, per_unit, layers, units, vacuum_A)
    else:  # pragma: no cover
        raise SiznoInputError("oxide", f"structure '{d['structure']}' not supported", "wurtzite, rocksalt")
    if bottom != faces[0]:  # flip: the other polar face down
        slab.positions[:, 2] = slab.positions[:, 2].max() + slab.positions[:, 2].min() - slab.positions[:, 2]
    slab = slab.repeat((size[0], size[1], 1))
    if fixed_units:
        _fix_below(slab, slab.positions[:, 2].min() + fixed_units * per_unit - 0.3)
    slab.info["sizno"] = {"kind": f"{oxide}{d['surface']}", "bottom_face": bottom, "top_face": [f for f in faces if f != bottom][0],
                          "a_surf_A": a, "vacuum_A": vacuum_A, "source": d["source"]}
    return slab


def oxide_surface_constant(oxide: str) -> float:
    d = crystals()["oxides"][oxide]
    return d["a_A"] if d["structure"] == "wurtzite" else d["a_A"] / math.sqrt(2)


# ------------------------------------------------------------------------------------ matching

@dataclass
class Match:
    si_mn: tuple[int, int]
    oxide_mn: tuple[int, int]
    strain: float          # oxide in-plane strain (L_si / L_ox - 1), applied to the oxide
    rotation_deg: float    # oxide lattice rotation relative to Si
    n_si_cells: int        # number of Si 1x1 cells
    n_oxide_cells: int
    length_A: float

    def as_dict(self) -> dict:
        return {"si_supercell": list(self.si_mn), "oxide_supercell": list(self.oxide_mn),
                "oxide_strain_percent": 100 * self.strain, "rotation_deg": self.rotation_deg,
                "si_1x1_cells": self.n_si_cells, "oxide_1x1_cells": self.n_oxide_cells, "cell_length_A": self.length_A,
                "strained_slab": "oxide"}


def find_matches(oxide: str = "ZnO", max_strain: float = 0.03, max_cells: int = 40, a_si_A: float | None = None,
                 require_multiple_of: tuple[int, int] | None = None) -> list[Match]:
    """Coincidence supercells of Si(111) and the oxide surface with |strain| <= max_strain, smallest first.

    `require_multiple_of`: the Si supercell must contain this reconstruction cell (e.g. (1, 1) for sqrt3).
    """
    if not (0 < max_strain < 0.2):
        raise SiznoInputError("max_strain", f"{max_strain}", "0 < max_strain < 0.2 (fraction)")
    a_si = (a_si_A or crystals()["Si"]["a_A"]) / math.sqrt(2)
    a_ox = oxide_surface_constant(oxide)
    out = []
    rng = range(0, 9)
    for m1 in rng:
        for n1 in rng:
            if m1 == 0 and n1 == 0 or n1 > m1:
                continue
            cells1 = m1 * m1 + m1 * n1 + n1 * n1
            if cells1 > max_cells:
                continue
            if require_multiple_of is not None and not _contains(m1, n1, *require_multiple_of):
                continue
            L1 = a_si * hex_length(m1, n1)
            for m2 in rng:
                for n2 in rng:
                    if m2 == 0 and n2 == 0 or n2 > m2:
                        continue
                    L2 = a_ox * hex_length(m2, n2)
                    strain = L1 / L2 - 1
                    if abs(strain) <= max_strain:
                        rot = math.degrees(math.atan2(n1 * math.sqrt(3) / 2, m1 + n1 / 2) - math.atan2(n2 * math.sqrt(3) / 2, m2 + n2 / 2))
                        out.append(Match((m1, n1), (m2, n2), strain, rot, cells1, m2 * m2 + m2 * n2 + n2 * n2, L1))
    out.sort(key=lambda mt: (mt.n_si_cells * 2 + mt.n_oxide_cells, abs(mt.strain)))
    return out


def _contains(m, n, p, q) -> bool:
    """Is the (m, n) hexagonal supercell lattice a sublattice of the (p, q) one?"""
    P = supercell_matrix(p, q)[:2, :2].astype(float)
    M = supercell_matrix(m, n)[:2, :2].astype(float)
    X = M @ np.linalg.inv(P)
    return bool(np.allclose(X, np.round(X), atol=1e-8))


REGISTRIES = ("top", "hollow")


def build_interface(oxide: str = "ZnO", termination: str | None = None, registry: str = "top",
                    match: Match | None = None, si_reconstruction: str = "1x1", si_bilayers: int = 3,
                    oxide_units: int = 2, gap_A: float = 2.0, vacuum_A: float = 15.0, max_strain: float = 0.03):
    """Si(111) slab (bottom, unstrained, H-passivated and fixed) + strained oxide slab on top.

    termination: the oxide face that touches Si (ZnO: 'O' or 'Zn'). registry: 'top' puts an interface
    oxide atom above a Si top atom, 'hollow' above the H3 hollow. Returns (interface, si_slab, oxide_slab),
    the two slabs in exactly the interface's cell and positions (for E_tot - E_A - E_B).
    """
    if registry not in REGISTRIES:
        raise SiznoInputError("registry", f"unknown '{registry}'", ", ".join(REGISTRIES))
    if gap_A <= 0.8:
        raise SiznoInputError("gap_A", f"{gap_A} A would overlap atoms", "> 0.8 A (about 1.6-2.5)")
    from ase.build import make_supercell

    faces = crystals()["oxides"].get(oxide, {}).get("faces")
    if faces is None:
        raise SiznoInputError("oxide", f"unknown oxide '{oxide}'", ", ".join(oxide_names()))
    termination = termination or faces[0]
    recon_cell = RECONSTRUCTIONS.get(si_reconstruction)
    if si_reconstruction == "2x1-pandey" or si_reconstruction not in RECONSTRUCTIONS:
        raise SiznoInputError("si_reconstruction", f"'{si_reconstruction}' has no hexagonal cell for an interface",
                              "1x1, sqrt3-adatom, 2x2-adatom")
    if match is None:
        ms = find_matches(oxide, max_strain, require_multiple_of=recon_cell)
        if not ms:
            raise SiznoInputError("max_strain", f"no coincidence cell within {100 * max_strain:.1f} %", "a larger max_strain")
        match = ms[0]
    si = si111_slab(si_reconstruction, bilayers=si_bilayers, vacuum_A=vacuum_A)
    # express the Si supercell relative to the reconstruction cell
    P = supercell_matrix(*recon_cell)[:2, :2].astype(float)
    M = supercell_matrix(*match.si_mn)[:2, :2].astype(float)
    X = np.round(M @ np.linalg.inv(P)).astype(int)
    Xf = np.eye(3, dtype=int)
    Xf[:2, :2] = X
    si = make_supercell(si, Xf)
    ox = oxide_slab(oxide, units=oxide_units, bottom=termination, vacuum_A=vacuum_A)
    ox = make_supercell(ox, supercell_matrix(*match.oxide_mn))
    # map oxide fractional in-plane coordinates into the Si cell (strains the oxide)
    frac = ox.get_scaled_positions(wrap=True)
    z_ox = ox.positions[:, 2] - ox.positions[:, 2].min()
    cell_si = si.cell.array
    xy = frac[:, 0:1] * cell_si[0] + frac[:, 1:2] * cell_si[1]
    z_si_top = si.positions[:, 2].max()
    # registry: shift the oxide laterally so its lowest atom lies above a Si top atom (+ hollow shift)
    low = int(np.argmin(ox.positions[:, 2]))
    top = int(np.argmax(si.positions[:, 2]))
    shift = si.positions[top, :2] - xy[low, :2]
    if registry == "hollow":
        a_s = crystals()["Si"]["a_A"] / math.sqrt(2)
        c1 = _hex_cell(a_s, 1)
        shift = shift + (c1[0] + c1[1])[:2] / 3
    from ase import Atoms

    ox_mapped = Atoms(ox.get_chemical_symbols(), positions=np.column_stack([xy[:, 0] + shift[0], xy[:, 1] + shift[1],
                                                                              z_ox + z_si_top + gap_A]), cell=si.cell, pbc=True)
    ox_mapped.wrap(pbc=[True, True, False])  # in-plane only: the Si cell's c is still the Si slab's
    iface = si.copy()
    iface.extend(ox_mapped)
    cell = iface.cell.array.copy()
    cell[2] = [0, 0, iface.positions[:, 2].max() - iface.positions[:, 2].min() + vacuum_A]
    for obj in (iface, si, ox_mapped):
        obj.set_cell(cell, scale_atoms=False)
    from ase.constraints import FixAtoms

    fixed = list(si.constraints[0].index) if si.constraints else []
    iface.set_constraint(FixAtoms(indices=fixed))
    si.set_constraint(FixAtoms(indices=fixed))
    info = {"kind": f"Si(111)-{si_reconstruction}/{oxide}", "termination": termination, "registry": registry,
            "match": match.as_dict(), "gap_A": gap_A, "vacuum_A": vacuum_A, "n_si": len(si), "n_oxide": len(ox_mapped)}
    iface.info["sizno"] = info
    si.info["sizno"] = {**si.info.get("sizno", {}), "part_of": info["kind"]}
    ox_mapped.info["sizno"] = {"kind": f"{oxide} slab strained to the interface cell", "strain_percent": 100 * match.strain}
    return iface, si, ox_mapped
