import math

import numpy as np
import pytest

pytest.importorskip("ase")

from sizno.atomistic import builders  # noqa: E402
from sizno.errors import SiznoInputError  # noqa: E402


@pytest.mark.parametrize("recon,n", [("1x1", 9), ("sqrt3-adatom", 28), ("2x2-adatom", 37), ("2x1-pandey", 18)])
def test_si111_atom_counts_and_periodicity(recon, n):
    s = builders.si111_slab(recon, bilayers=4)
    assert len(s) == n
    assert s.pbc.all()
    assert builders.n_fixed(s) > 0
    # no two atoms closer than the Si-H bond
    from ase.neighborlist import neighbor_list

    assert neighbor_list("d", s, 3.0).min() > 1.45


def test_si111_size_repeats_area():
    a = builders.si111_slab("1x1", bilayers=3)
    b = builders.si111_slab("1x1", bilayers=3, size=(2, 3))
    assert len(b) == 6 * len(a)
    assert builders.slab_area_A2(b) == pytest.approx(6 * builders.slab_area_A2(a))
    a_s = 5.431 / math.sqrt(2)
    assert builders.slab_area_A2(a) == pytest.approx(a_s**2 * math.sqrt(3) / 2, rel=1e-6)


def test_too_thin_slab_and_unknown_reconstruction():
    with pytest.raises(SiznoInputError):
        builders.si111_slab("1x1", bilayers=1, fixed_bilayers=1)
    with pytest.raises(SiznoInputError):
        builders.si111_slab("7x7-das")


def test_zno_polar_faces():
    o = builders.oxide_slab("ZnO", units=2, bottom="O")
    z = o.positions[:, 2]
    sym = np.array(o.get_chemical_symbols())
    assert sym[np.argmin(z)] == "O" and sym[np.argmax(z)] == "Zn"
    z2 = builders.oxide_slab("ZnO", units=2, bottom="Zn")
    sym2 = np.array(z2.get_chemical_symbols())
    assert sym2[np.argmin(z2.positions[:, 2])] == "Zn"
    assert o.get_chemical_formula() == "O4Zn4"
    with pytest.raises(SiznoInputError):
        builders.oxide_slab("ZnO", bottom="Mg")
    with pytest.raises(SiznoInputError):
        builders.oxide_slab("UO2")


def test_supercell_match_sqrt3_on_2x2():
    m = builders.find_matches("ZnO", 0.03)[0]
    assert m.si_mn == (1, 1) and m.oxide_mn == (2, 0)
    assert 100 * m.strain == pytest.approx(2.34, abs=0.05)
    big = [x for x in builders.find_matches("ZnO", 0.02, max_cells=30) if x.si_mn in ((5, 0),)]
    assert big and abs(big[0].strain) < 0.02


def test_interface_cell_and_composition():
    iface, si, ox = builders.build_interface("ZnO", "O", "top", si_bilayers=3, oxide_units=2)
    assert len(iface) == len(si) + len(ox) == 53
    assert np.allclose(iface.cell.array, si.cell.array) and np.allclose(iface.cell.array, ox.cell.array)
    assert iface.info["sizno"]["match"]["strained_slab"] == "oxide"
    for reg in builders.REGISTRIES:
        a, _, _ = builders.build_interface("ZnO", "Zn", reg, si_bilayers=3, oxide_units=2)
        from ase.neighborlist import neighbor_list

        assert neighbor_list("d", a, 3.0).min() > 1.4
