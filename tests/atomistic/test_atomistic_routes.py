"""Routes through sites (long-range migration as a chain of NEBs) and IDPP starts that go round atoms."""

import numpy as np
import pytest

pytest.importorskip("ase")

from sizno.atomistic.calculators import get_factory  # noqa: E402
from sizno.atomistic.paths import Site, hop_end, site_route  # noqa: E402
from sizno.atomistic.relax import relax  # noqa: E402
from sizno.errors import SiznoInputError  # noqa: E402


def test_site_route_passes_the_other_sites_and_adds_up_to_the_shift():
    cell = np.diag([6.0, 6.0, 20.0])
    pbc = [True, True, False]
    pos = [np.array([1.0, 1.0, 5.0]), np.array([4.0, 1.2, 5.0])]
    for shift in (cell[0], cell[1], -cell[0]):
        route = site_route(pos, cell, pbc, shift)
        assert np.allclose(sum(d for *_, d in route), shift)
        assert route[0][0] == 0 and route[-1][1] == 0
        assert all(i != j for i, j, _ in route)  # never a hop to a site's own copy
        for (i, j, d) in route:
            # each hop lands on a copy of its target site
            frac = np.linalg.solve(cell.T, pos[i] + d - pos[j])
            assert np.allclose(frac, np.rint(frac))
    # along x: 0 -> 1 (3 A) -> 0's copy (3 A), the two short hops, not one 6 A jump
    route = site_route(pos, cell, pbc, cell[0])
    assert [(i, j) for i, j, _ in route] == [(0, 1), (1, 0)]
    assert max(np.linalg.norm(d) for *_, d in route) < 3.1
    with pytest.raises(SiznoInputError, match="no route"):
        site_route(pos[:1], cell, pbc, cell[0])


def _obstacle_case():
    """Li from A to B in a box with a fixed atom 0.3 A off the straight line half-way between them."""
    from ase import Atoms
    from ase.constraints import FixAtoms

    host = Atoms("Si2", positions=[[5.0, 5.3, 5.0], [5.0, 9.0, 5.0]], cell=[10, 10, 10], pbc=True)
    a = host.copy()
    a.append("Li")
    a.positions[-1] = [2.5, 5.0, 5.0]
    b = a.copy()
    b.positions[-1] = [7.5, 5.0, 5.0]
    for x in (a, b):
        x.set_constraint(FixAtoms(indices=[0, 1]))
    return a, b


def test_idpp_start_goes_round_an_atom_the_straight_line_hits():
    from ase.mep import NEB

    from sizno.atomistic.neb import idpp_path, min_distance_along

    a, b = _obstacle_case()
    images = [a.copy() for _ in range(6)] + [b.copy()]
    for im in images:
        im.set_constraint(a.constraints)
    for j, im in enumerate(images[1:-1], start=1):
        im.positions = a.positions + (b.positions - a.positions) * j / 6
    straight = min_distance_along(images)
    assert straight < 0.5
    idpp_path(NEB(images, method="improvedtangent"))
    assert min_distance_along(images) > 1.5  # round the atom, not through it
    assert np.allclose(images[1].positions[:2], a.positions[:2])  # fixed atoms stay


def _au_on_al100(shift_frac):
    """Au at a hollow of Al(100) 2x2, moved `shift_frac` of the cell along x (0.5: the next hollow; EMT)."""
    from ase.build import add_adsorbate, fcc100
    from ase.constraints import FixAtoms

    s = fcc100("Al", (2, 2, 3), vacuum=6.0)
    add_adsorbate(s, "Au", 1.7, "hollow")
    s.set_constraint(FixAtoms(mask=[t > 1 for t in s.get_tags()]))
    s.positions[-1, 0] += s.cell[0, 0] * shift_frac
    return s


def test_emt_route_barrier_is_a_saddle_above_both_ends():
    """Au from a hollow of Al(100) to its own copy one 2x2 cell on, through the hollow between (EMT): two
    NEBs joined; the barrier is the highest saddle on the way, above both (equal) ends and the site between,
    and is the single-hop barrier (0.374 eV, ASE tutorial)."""
    from sizno.atomistic.workflows import Settings, route_barrier

    class Tight(Settings):
        @property
        def fmax(self):
            return 0.02

    f = get_factory("emt")
    sites = []
    for x in (0.0, 0.5):
        r = relax(_au_on_al100(x), f, fmax=0.02)
        sites.append(Site(r.atoms, r.energy_eV, r.atoms.positions[-1].copy(), r.converged))
    host = sites[0].atoms
    res, route = route_barrier(sites, host, f, Tight(quick=True))
    assert res.converged
    assert [(r["from_site"], r["to_site"]) for r in route] == [(0, 1), (1, 0)]
    assert res.reaction_energy_eV == pytest.approx(0.0, abs=1e-3)
    assert res.hop_length_A == pytest.approx(np.linalg.norm(host.cell.array[0]), abs=1e-6)
    e = np.asarray(res.energies_eV)
    imax = int(np.argmax(e))
    assert 0 < imax < len(e) - 1
    assert e[imax] > max(e[0], e[-1]) + 0.05  # a saddle above both ends
    assert res.barrier_eV == pytest.approx(0.374, abs=0.03)
    assert res.barrier_eV == pytest.approx(max(r["saddle_eV"] for r in route), abs=1e-6)
    assert res.barrier_eV > max(r["from_site_eV"] for r in route) + 0.05  # not just the higher site
    assert not any("at a site" in w for w in res.warnings)
    # the moving atom ends one cell on, continuous across the joined segments
    li = np.array([im.positions[-1] for im in res.images])
    assert np.allclose(li[-1] - li[0], host.cell.array[0], atol=0.05)
    assert np.linalg.norm(np.diff(li, axis=0), axis=1).max() < 1.5


def test_hop_end_places_the_mover_on_the_landing_copy():
    a, b = _obstacle_case()
    d = np.array([15.0, 0.0, 0.0])  # b's copy one cell on in x
    e = hop_end(a, b, d)
    assert np.allclose(e.positions[-1], a.positions[-1] + d)
    assert np.allclose(e.positions[:-1], a.positions[:-1])


def test_idpp_route_in_the_si_zno_channel_keeps_li_off_the_atoms():
    """Geometry only (no potential): Li at the widest voids of the Si/ZnO interface channel, routed to the
    first one's copy one cell on; every hop's IDPP start keeps Li at least 1.5 A from every atom,
    where a straight start comes within 1 A (0.75 A here; 0.43 A straight to the copy one cell on)."""
    from ase.mep import NEB

    from sizno.atomistic import builders
    from sizno.atomistic.neb import idpp_path, min_distance_along
    from sizno.atomistic.paths import void_candidates
    from sizno.atomistic.workflows import channel_geometry

    host, _, _ = builders.build_interface("ZnO", "Zn", "hollow", si_bilayers=3, oxide_units=2, vacuum_A=12.0)
    g = channel_geometry(host)
    pts = void_candidates(host, g["si_top_z_A"] - 0.3, g["oxide_bottom_z_A"] + 0.3, n=5, k=4)
    sites = []
    for p in pts:
        a = host.copy()
        a.append("Li")
        a.positions[-1] = p
        a.set_constraint(host.constraints)
        sites.append(a)
    route = site_route(pts, host.cell.array, host.pbc, host.cell.array[0])
    assert len(route) >= 2
    straight = []
    for i, j, d in route:
        a, b = sites[i], hop_end(sites[i], sites[j], d)
        images = [a.copy() for _ in range(6)] + [b.copy()]
        for im in images:
            im.set_constraint(a.constraints)
        for k, im in enumerate(images[1:-1], start=1):
            im.positions = a.positions + (b.positions - a.positions) * k / 6
        straight.append(min_distance_along(images))
        idpp_path(NEB(images, method="improvedtangent"))
        assert min_distance_along(images) > 1.5
        assert np.allclose(images[3].positions[-1] - a.positions[-1], 0.5 * d, atol=1.5)  # still between the ends
    assert min(straight) < 1.0  # the straight start of some hop does run Li into an atom


def _seg(energies, x0, x1, converged=True):
    from ase import Atoms

    from sizno.atomistic.neb import NEBResult

    n = len(energies)
    ims = [Atoms("H", positions=[[x0 + (x1 - x0) * k / (n - 1), 0, 0]], cell=[20, 20, 20], pbc=True) for k in range(n)]
    return NEBResult(barrier_eV=max(energies), reverse_barrier_eV=max(energies) - energies[-1],
                     reaction_energy_eV=energies[-1], energies_eV=list(energies),
                     path_A=[abs(x1 - x0) * k / (n - 1) for k in range(n)], hop_length_A=abs(x1 - x0), moving_atom=0,
                     n_images=n - 2, converged=converged, fmax_eV_per_A=0.05 if converged else 1.0, steps=10,
                     seconds=1.0, calculator="test", images=ims)


def test_chain_warnings_stay_honest():
    """A route whose highest point is a site (no saddle above it), one with an image below both ends, and an
    unconverged hop: each is stated; a clean route states nothing. Energies join at the shared sites."""
    from sizno.atomistic.neb import chain_nebs

    clean = chain_nebs([_seg([0, 0.3, 0.1], 0, 2), _seg([0, 0.2, -0.1], 2, 4)], [0.0, 0.1], [4, 0, 0])
    assert clean.warnings == [] and clean.converged
    assert clean.barrier_eV == pytest.approx(0.3)
    assert clean.energies_eV == pytest.approx([0, 0.3, 0.1, 0.3, 0.0])
    assert clean.path_A == pytest.approx([0, 1, 2, 3, 4])
    at_site = chain_nebs([_seg([0, 0.2, 0.5], 0, 2), _seg([0, -0.1, -0.5], 2, 4)], [0.0, 0.5], [4, 0, 0])
    assert at_site.barrier_eV == pytest.approx(0.5)
    assert any("at a site" in w for w in at_site.warnings)
    below = chain_nebs([_seg([0, 0.3, -0.2], 0, 2), _seg([0, 0.4, 0.2], 2, 4)], [0.0, -0.2], [4, 0, 0])
    assert any("below both ends" in w for w in below.warnings)
    loose = chain_nebs([_seg([0, 0.3, 0.1], 0, 2, converged=False), _seg([0, 0.2, -0.1], 2, 4)], [0.0, 0.1], [4, 0, 0])
    assert not loose.converged and any("segment 1 NEB not converged" in w for w in loose.warnings)
