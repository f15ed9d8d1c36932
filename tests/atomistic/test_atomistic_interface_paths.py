"""The interface channel and the across path: geometry (cheap) and CHGNet endpoints (physics, ~1 min)."""

import numpy as np
import pytest

pytest.importorskip("ase")

from sizno.atomistic import builders  # noqa: E402
from sizno.atomistic.workflows import Settings, atomic_layers, channel_geometry  # noqa: E402
from sizno.errors import SiznoInputError  # noqa: E402


def _oxide_mask(a):
    return np.array([s not in ("Si", "H", "Li") for s in a.get_chemical_symbols()])


@pytest.mark.parametrize("term", ["O", "Zn"])
def test_interface_oxide_sits_whole_on_top_of_si(term):
    """Regression: the oxide used to be wrapped along z in the Si slab's short cell, half of it below the Si."""
    a, si, ox = builders.build_interface("ZnO", term, "top", si_bilayers=3, oxide_units=2, vacuum_A=12.0)
    z = a.positions[:, 2]
    sym = np.array(a.get_chemical_symbols())
    ox_z = z[_oxide_mask(a)]
    assert ox_z.min() > z[sym == "Si"].max() + 1.5
    # two wurtzite units = four cation-anion double layers, stacked c/2 apart
    layers = atomic_layers(ox_z)
    assert len(layers) == 4
    assert np.diff([lo for lo, _ in layers]) == pytest.approx([5.2042 / 2] * 3, abs=0.05)
    # the oxide slab alone is the same slab, in the same place
    assert np.allclose(np.sort(ox.positions[:, 2]), np.sort(ox_z))


def test_channel_geometry_levels():
    a, _, _ = builders.build_interface("ZnO", "O", "top", si_bilayers=3, oxide_units=2, vacuum_A=12.0)
    g = channel_geometry(a)
    assert g["gap_A"] == pytest.approx(2.0, abs=1e-6)  # the builder's gap
    lo, hi = g["channel_z_A"]
    i_lo, i_hi = g["oxide_interstitial_z_A"]
    assert lo < g["si_top_z_A"] < hi < g["oxide_layer1_z_A"][1] < i_lo < i_hi < g["oxide_layer2_bottom_z_A"]
    # a single double layer has no interstitial level above it: a clear error, not a wrong path
    keep = [i for i, zz in enumerate(a.positions[:, 2]) if not _oxide_mask(a)[i] or zz < g["oxide_layer1_z_A"][1] + 0.1]
    with pytest.raises(SiznoInputError, match="double layer"):
        channel_geometry(a[keep])


class _Tiny(Settings):
    """Quick sites with short relaxations: enough to see where Li settles, not for barriers."""

    @property
    def relax_steps(self):
        return 40

    @property
    def fmax(self):
        return 0.2


def test_across_endpoint_lies_beyond_the_channel_in_the_oxide():
    """CHGNet: the along hop stays in the interface plane, the across hop passes the oxide's first double layer."""
    pytest.importorskip("chgnet")
    from sizno.atomistic.calculators import get_factory
    from sizno.atomistic.workflows import interface_sites

    host, _, _ = builders.build_interface("ZnO", "O", "top", si_bilayers=3, oxide_units=2, vacuum_A=12.0)
    f = get_factory("chgnet").load()
    a, b, c, info = interface_sites(host, f, _Tiny(quick=True))
    lo, hi = info["channel_z_A"]
    for st in (a, b):
        assert lo <= st.li_position[2] <= hi
    # across: beyond the first oxide double layer, below the second, i.e. inside the oxide
    assert info["oxide_layer1_z_A"][1] < c.li_position[2] < info["oxide_layer2_bottom_z_A"]
    assert info["across_hop_vertical_A"] > 1.5
    # the channel site is the lowest one found there; the oxide site is beyond, on the oxide side
    assert a.energy_eV <= b.energy_eV
    assert c.li_position[2] - info["si_top_z_A"] > a.li_position[2] - info["si_top_z_A"] + 1.5
