"""GPAW as sizno's DFT calculator: settings presets (no GPAW needed) and a tiny single point (skipped without GPAW)."""

import numpy as np
import pytest

from sizno.atomistic import dft
from sizno.atomistic.calculators import get_factory
from sizno.errors import SiznoInputError


def test_presets_state_every_setting_the_output_needs():
    d = dft.describe({})
    assert d["xc"] == "PBE" and d["mode"] == "lcao" and d["basis"] == "dzp"
    assert d["kpts"] == [2, 2, 1] and d["smearing"].startswith("Fermi-Dirac")
    assert set(d["convergence"]) == {"energy_eV_per_electron", "density"}
    pw = dft.describe({"preset": "pw", "ecut_eV": 350})
    assert pw["mode"] == "pw" and pw["cutoff_eV"] == 350 and "basis" not in pw
    assert dft.resolve({"kpts": "3x3x1"})["kpts"] == (3, 3, 1)
    assert dft.resolve({"kpts": 4})["kpts"] == (4, 4, 1)


@pytest.mark.parametrize("settings, field", [({"preset": "fast"}, "preset"), ({"kpts": "2x2"}, "kpts"),
                                              ({"h_A": 1.0}, "h_A"), ({"mode": "fd"}, "mode"),
                                              ({"nbands": 10}, "--calc-setting")])
def test_bad_settings_name_the_field(settings, field):
    with pytest.raises(SiznoInputError) as e:
        get_factory("gpaw", settings)
    assert e.value.field == field


def test_missing_gpaw_is_one_clear_error(monkeypatch):
    monkeypatch.setattr(dft, "gpaw_missing", lambda: "GPAW is not installed (gpaw)")
    with pytest.raises(SiznoInputError, match="GPAW is not installed"):
        get_factory("gpaw", {"preset": "test"}).new()


def test_setup_path_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GPAW_SETUP_PATH", f"{tmp_path}:/no/such/folder")
    assert dft.setup_paths() == [str(tmp_path)]


_why = dft.gpaw_missing()


@pytest.mark.skipif(_why is not None, reason=f"GPAW path not testable here: {_why}")
def test_gpaw_single_point_on_li2_through_the_factory():
    """Li2 with 3.5 A vacuum, the 'test' preset (szp, h 0.3 A, Gamma): finite energy, equal and opposite forces,
    SCF progress reported, the settings in the label; the dimer binds (E(Li2) < E(Li2 stretched to 4 A))."""
    from ase import Atoms

    its = []
    f = get_factory("gpaw", {"preset": "test"})
    f.on_scf = lambda it, s: its.append(it)
    f.check_elements(["Li"])
    a = Atoms("Li2", positions=[[0, 0, 0], [0, 0, 2.7]], pbc=False)
    a.center(vacuum=3.5)
    a.calc = f.new()
    e = a.get_potential_energy()
    forces = a.get_forces()
    assert np.isfinite(e) and np.isfinite(forces).all()
    assert np.allclose(forces[0], -forces[1], atol=0.05)
    assert its and its[-1] >= 2
    assert "PBE" in f.label and "szp" in f.label
    b = Atoms("Li2", positions=[[0, 0, 0], [0, 0, 4.0]], pbc=False)
    b.center(vacuum=3.5)
    b.calc = f.new()
    assert e < b.get_potential_energy()
