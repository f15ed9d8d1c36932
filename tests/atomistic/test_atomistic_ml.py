import numpy as np
import pytest

pytest.importorskip("chgnet")

from sizno.atomistic.calculators import get_factory  # noqa: E402


def test_chgnet_loads_offline_and_gives_finite_forces():
    from sizno.atomistic import builders

    f = get_factory("chgnet").load()
    s = builders.si111_slab("2x2-adatom", bilayers=3)
    s.append("Li")
    s.positions[-1] = s.positions[:, 2].argmax() * 0 + s.positions[s.positions[:, 2].argmax()] + [1.5, 0.5, 1.0]
    s.calc = f.new()
    e = s.get_potential_energy()
    forces = s.get_forces()
    assert np.isfinite(e) and np.isfinite(forces).all()
    assert "CHGNet" in f.label
    # a second calculator shares the loaded model but not its results
    c2 = f.new()
    assert c2 is not s.calc and c2.model is s.calc.model


def test_sevennet_loads_offline_and_gives_finite_forces(monkeypatch):
    """The cross-check potential: 7net-0 weights ship inside the sevenn wheel; no network is touched."""
    pytest.importorskip("sevenn")
    import socket

    def _no_network(*a, **k):
        raise OSError("network use in an offline test")

    monkeypatch.setattr(socket.socket, "connect", _no_network)
    from sizno.atomistic import builders

    f = get_factory("sevennet").load()
    s = builders.si111_slab("2x2-adatom", bilayers=3)
    s.append("Li")
    s.positions[-1] = s.positions[s.positions[:, 2].argmax()] + [1.5, 0.5, 1.0]
    s.calc = f.new()
    assert np.isfinite(s.get_potential_energy()) and np.isfinite(s.get_forces()).all()
    assert "SevenNet 7net-0" in f.label
    assert f.new() is not s.calc
