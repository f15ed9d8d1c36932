import math

import numpy as np
import pytest

pytest.importorskip("ase")

from sizno.atomistic import diffusion  # noqa: E402
from sizno.lab import transport  # noqa: E402
from sizno.atomistic.calculators import get_factory, parse_settings  # noqa: E402
from sizno.atomistic.neb import run_neb  # noqa: E402
from sizno.atomistic.relax import relax  # noqa: E402
from sizno.atomistic.workflows import interface_energy_eV_per_A2  # noqa: E402
from sizno.errors import SiznoInputError  # noqa: E402


def _au_on_al(shift_frac):
    from ase.build import add_adsorbate, fcc100
    from ase.constraints import FixAtoms

    s = fcc100("Al", (2, 2, 3), vacuum=6.0)
    add_adsorbate(s, "Au", 1.7, "hollow")
    s.set_constraint(FixAtoms(mask=[a.tag > 1 for a in s]))
    s.positions[-1, 0] += s.cell[0, 0] * shift_frac
    return s


def test_emt_symmetric_hop_known_barrier():
    """Au hollow → hollow on Al(100): symmetric path, saddle at the bridge, EMT barrier 0.374 eV (ASE tutorial)."""
    f = get_factory("emt")
    a = relax(_au_on_al(0.0), f, fmax=0.02).atoms
    b = relax(_au_on_al(0.5), f, fmax=0.02).atoms
    r = run_neb(a, b, f, n_images=3, fmax=0.02)
    assert r.converged
    assert r.barrier_eV == pytest.approx(r.reverse_barrier_eV, abs=0.01)
    assert r.barrier_eV == pytest.approx(0.374, abs=0.02)
    assert int(np.argmax(r.energies_eV)) == 2
    r2 = run_neb(a, b, f, n_images=3, fmax=0.02)  # from the disk cache
    assert r2.cached and r2.barrier_eV == pytest.approx(r.barrier_eV)


def test_emt_periodic_path_barrier_is_the_hop_barrier():
    """Au from a hollow to its own image one 2x2 cell on (5.7 A) on Al(100): it passes one hollow in between,
    the ends are the same site (equal energy), and the barrier is the single-hop barrier (0.374 eV)."""
    from sizno.atomistic.neb import periodic_neb

    f = get_factory("emt")
    a = relax(_au_on_al(0.0), f, fmax=0.02).atoms
    r = periodic_neb(a, f, a.cell.array[0], n_images=5, fmax=0.02, steps=400)
    assert r.converged
    assert r.hop_length_A == pytest.approx(a.cell.array[0, 0], abs=1e-6)
    assert r.reaction_energy_eV == pytest.approx(0.0, abs=1e-6)
    assert r.barrier_eV == pytest.approx(0.374, abs=0.03)
    # the middle image sits in the hollow half-way: an intermediate minimum at the start's energy
    assert r.energies_eV[3] == pytest.approx(0.0, abs=0.03)


def test_neb_rejects_same_site_and_unknown_calculator():
    f = get_factory("emt")
    a = _au_on_al(0.0)
    with pytest.raises(SiznoInputError):
        run_neb(a, a.copy(), f)
    with pytest.raises(SiznoInputError):
        get_factory("nosuchcalc")
    with pytest.raises(SiznoInputError):
        relax(__import__("ase.build", fromlist=["bulk"]).bulk("Si"), f)  # EMT has no Si
    assert parse_settings(["xc=PBE", "ecut=520", "spin=false"]) == {"xc": "PBE", "ecut": 520, "spin": False}


def test_interface_energy_sign_and_area_scaling():
    """EMT Cu(111)/Cu(111) joined: binding → negative; doubling the area doubles the energies, not E/area."""
    from ase.build import fcc111

    f = get_factory("emt")
    out = []
    for size in ((1, 1), (2, 1)):
        lo = fcc111("Cu", (size[0], size[1], 3), a=3.61, vacuum=8.0)
        hi = lo.copy()
        hi.positions[:, 2] += 3 * 2.084
        both = lo.copy()
        both.extend(hi)
        cell = lo.cell.array.copy()
        cell[2, 2] += 3 * 2.084
        for x in (lo, hi, both):
            x.set_cell(cell)
            x.calc = f.new()
        area = np.linalg.norm(np.cross(cell[0], cell[1]))
        out.append((interface_energy_eV_per_A2(both.get_potential_energy(), lo.get_potential_energy(),
                                               hi.get_potential_energy(), area), area))
    (g1, a1), (g2, a2) = out
    assert g1 < 0
    assert a2 == pytest.approx(2 * a1)
    assert g2 == pytest.approx(g1, rel=1e-6)


def test_arrhenius_link():
    D = diffusion.arrhenius_D_m2_per_s(0.5, 300.0, 3.0)
    assert D == pytest.approx(1e13 * 9e-20 / 2 * math.exp(-0.5 / (diffusion.KB_EV_PER_K * 300)))
    assert diffusion.conductivity_ratio(0.5, 0.5, 333.0, 3.0, 3.0) == pytest.approx(1.0)
    # 0.1 eV lower barrier at 333 K: ~ 32x faster
    assert diffusion.conductivity_ratio(0.4, 0.5, 333.15, 3.0, 3.0) == pytest.approx(math.exp(0.1 / (diffusion.KB_EV_PER_K * 333.15)))


def test_cross_check_choice():
    from sizno.reproduce.atomistic import cross_check_calculators

    assert cross_check_calculators(quick=True) == []
    assert cross_check_calculators(quick=False) == ["sevennet"]
    assert cross_check_calculators(quick=False, requested=["none"]) == []
    assert cross_check_calculators(quick=True, requested=["sevennet", " emt"]) == ["sevennet", "emt"]


def test_reproduce_takes_the_cross_check_as_an_option(monkeypatch, tmp_path):
    """`sizno reproduce --atomistic-cross-check NAME` (repeatable) reaches the runner by name; no environment variable."""
    from typer.testing import CliRunner

    import sizno.reproduce as rep
    from sizno.cli import app

    seen = {}
    monkeypatch.setattr(rep, "reproduce", lambda out, **kw: seen.update(kw) or {})
    monkeypatch.setenv("SIZNO_ATOMISTIC_CROSS_CHECK", "ignored")
    args = ["reproduce", "--out", str(tmp_path / "r"), "--only", "atomistic"]
    assert CliRunner().invoke(app, [*args, "--atomistic-cross-check", "sevennet", "--atomistic-cross-check", "emt"]).exit_code == 0
    assert seen["atomistic_cross_check"] == ["sevennet", "emt"]
    assert CliRunner().invoke(app, [*args, "--force"]).exit_code == 0
    assert seen["atomistic_cross_check"] is None


def test_torch_threads_override(monkeypatch):
    from sizno.atomistic.calculators import torch_threads

    monkeypatch.setenv("SIZNO_TORCH_THREADS", "1")
    assert torch_threads() == 1
    monkeypatch.delenv("SIZNO_TORCH_THREADS")
    assert 1 <= torch_threads() <= 2


def test_predict_capacity_one_temperature(monkeypatch):
    """D, the conductivity ratio, the scaled network conductivity and the simulated half cell all use one
    temperature: the one passed, or the half cell's own (60 °C) when none is."""
    seen = []

    def fake_run(material, protocol, temperature_C=None, pset=None, **kw):
        seen.append(temperature_C)
        return "res"

    monkeypatch.setattr(transport, "run_half_cell", fake_run)
    monkeypatch.setattr(transport, "rate_capacity", lambda res, rate: 123.0)
    assert transport.half_cell_temperature_C() == pytest.approx(60.0)
    for T_C in (None, 25.0):
        out = transport.predict_capacity(0.4, 0.5, 3.0, 3.0, temperature_C=T_C)
        want = 60.0 if T_C is None else T_C
        T_K = 273.15 + want
        assert out["temperature_C"] == pytest.approx(want)
        assert out["temperature_K"] == pytest.approx(T_K)
        assert out["D_m2_per_s"] == pytest.approx(diffusion.arrhenius_D_m2_per_s(0.4, T_K, 3.0))
        assert out["conductivity_ratio_vs_ZnO"] == pytest.approx(math.exp(0.1 / (diffusion.KB_EV_PER_K * T_K)))
        if out["capacity_mAh_g"] is None:  # continuum model not calibrated in this checkout
            continue
        assert seen[-1] == pytest.approx(want)
        # the scaled parameter set gives the same ratio at the run temperature
        from sizno.models.parameters import load_parameter_set

        base = load_parameter_set().at_temperature(T_K)[transport.NETWORK_PARAMETER]
        assert out["network_conductivity_S_per_m"] / base == pytest.approx(out["conductivity_ratio_vs_ZnO"], rel=1e-9)
