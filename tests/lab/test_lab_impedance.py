"""Model impedance (linearised half-cell model + parallel capacitances) and simulated GEIS."""

import json

import numpy as np
import pytest
from scipy.linalg import expm
from typer.testing import CliRunner

from sizno.lab.geis import GEISSimulator
from sizno.lab.capacitances import load_capacitances
from sizno.lab.model_spectrum import default_frequencies_Hz
from sizno.models.parameters import fitted_values, load_parameter_set

# Until `sizno calibrate` has written parameters/fitted.toml, the fitted entries have no value; the
# tests then use development values inside the calibration bounds (never used by shipped code).
_DEV = {"LixSi ionic conductivity, lithiated [S.m-1]": 0.01, "Network ionic conductivity [S.m-1]": 1.0,
        "Trap sites per activated Si [-]": 0.2, "c-Si amorphisation rate constant [s-1]": 1e-4}


def _pset():
    base = load_parameter_set()
    return base if set(base.fitted_names()) <= set(fitted_values()) else base.with_values(_DEV)


MESH = 15
F = default_frequencies_Hz()  # 1 MHz – 0.1 Hz, 10 per decade


@pytest.fixture(scope="module")
def zno4():
    return GEISSimulator("si-zno4", pset=_pset(), mesh_points=MESH)


@pytest.fixture(scope="module")
def mid(zno4):
    return zno4.at_state_of_charge(0.5, "lithiation", 1, F)


def _linear_step(op, t):
    """Step response of the linearised model: -D - C ∫0^t e^{Jτ} dτ B (block-matrix exponential)."""
    n = op.J.shape[0]
    M = np.zeros((n + 1, n + 1))
    M[:n, :n], M[:n, n] = op.J, op.B
    return -op.D - (op.C_interface + op.C_rest) @ expm(M * t)[:n, n]


def test_model_voltage_matches_pybamm_solution(zno4, mid):
    st = zno4.step_solution("lithiation", 1)
    t = mid.metadata["time_s"]
    assert mid.point.voltage_V == pytest.approx(np.interp(t, st.t, st["Voltage [V]"].entries), abs=2e-4)


def test_high_frequency_limits(zno4, mid):
    op, r = mid.point, mid.point.resistances_ohm
    # model alone: instantaneous resistance = sum of the model's own resistances = jump of the nonlinear V
    z_inf = zno4.lin.model_impedance(op, [1e9])[0]
    parts = r["charge_transfer"] + r["sei"] + r["electrode_ohmic"] + r["pellet"] + r["counter_electrode"]
    assert z_inf.real == pytest.approx(parts, rel=1e-6) and abs(z_inf.imag) < 1e-6 * parts
    dI = 1e-4 * op.current_A
    jump = -(zno4.lin.voltage(op.y, op.current_A + dI) - zno4.lin.voltage(op.y, op.current_A)) / dI
    assert jump == pytest.approx(parts, rel=1e-3)
    # with the capacitances: every capacitor shorted -> electrode ohmic only
    assert abs(zno4.lin.impedance(op, [1e14]).z_ohm[0] - r["electrode_ohmic"]) < 1e-3 * parts
    # between the SEI and the interface arcs: the ohmic resistance (pellet + electrode + SEI)
    tau = mid.time_constants_s()
    f_mid = 1 / (2 * np.pi * np.sqrt(tau["sei"] * tau["counter_electrode"]))
    z = zno4.lin.impedance(op, [f_mid]).z_ohm[0]
    assert z.real == pytest.approx(op.ohmic_resistance_ohm + r["sei"], rel=0.05)


def test_low_frequency_limit_is_the_model_and_matches_a_current_step(zno4, mid):
    op = mid.point
    # capacitors open at low frequency: the spectrum becomes the model's own small-signal impedance
    f_lo = np.array([1e-3, 1e-4])
    z_full = zno4.lin.impedance(op, f_lo).z_ohm
    z_model = zno4.lin.model_impedance(op, f_lo)
    assert np.max(np.abs(z_full - z_model) / np.abs(z_model)) < 1e-3
    # a small current step on the NONLINEAR model (drift of the unperturbed run subtracted) gives the
    # step response of the linearisation, up to the lowest measured frequencies (0.1 Hz <-> 1.6 s)
    ts = np.array([1e-4, 1e-2, 1.0, 10.0])
    r_step = zno4.lin.step_response(op.y, op.current_A, 1e-3 * op.current_A, ts)
    r_lin = np.array([_linear_step(op, t) for t in ts])
    assert np.allclose(r_step, r_lin, rtol=5e-3)
    # DC resistance seen by a 1.6 s step vs Re Z at 0.1 Hz: same plateau (diffusion barely started)
    t01 = 1 / (2 * np.pi * 0.1)
    r01 = zno4.lin.step_response(op.y, op.current_A, 1e-3 * op.current_A, np.array([t01]))[0]
    assert zno4.lin.model_impedance(op, [0.1])[0].real == pytest.approx(r01, rel=0.02)


def test_impedance_converges_with_mesh():
    f = default_frequencies_Hz(1e6, 0.1, 5)
    z = {}
    for n in (8, 16, 32):
        sim = GEISSimulator("si-zno4", pset=_pset(), mesh_points=n)
        z[n] = sim.at_state_of_charge(0.5, "lithiation", 1, f).z_ohm
    e1 = np.max(np.abs(z[8] - z[16]) / np.abs(z[32]))
    e2 = np.max(np.abs(z[16] - z[32]) / np.abs(z[32]))
    # converging at rate, or already converged below 0.1 % (the stretched mesh at 8 cells: both ~2e-4,
    # the solver's noise)
    assert e2 < 0.01 and (e2 < 0.7 * e1 or max(e1, e2) < 1e-3)


def test_capacitances_only_move_arcs(zno4, mid):
    op = mid.point
    lin10 = GEISSimulator("si-zno4", pset=_pset(), mesh_points=MESH,
                          capacitances=load_capacitances().with_(double_layer_F_per_m2=2.0)).lin
    z_lo = [lin.impedance(op, [1e-3]).z_ohm[0] for lin in (zno4.lin, lin10)]
    assert z_lo[0] == pytest.approx(z_lo[1], rel=1e-3)
    tc = [lin.impedance(op, F).time_constants_s()["charge_transfer"] for lin in (zno4.lin, lin10)]
    assert tc[1] / tc[0] == pytest.approx(10.0, rel=1e-6)


@pytest.mark.xfail(strict=True, reason="since the exchange current depends on the surface filling, the DRT "
                   "peak near tau_ct holds ~18 % less than the model's R_ct (24 vs 30 ohm): to investigate")
def test_simulated_geis_series_drt_recovers_the_model_charge_transfer(zno4):
    ser = zno4.series("lithiation", 3, 1, F)
    assert np.all(np.diff(ser.progress) > 0) and len(ser) == 3
    d = ser.drt()
    for spec, res in zip(ser.spectra, d.results):
        assert res.kk is None or res.kk.valid  # a linear model is Kramers–Kronig consistent
        tau_ct = spec.time_constants_s()["charge_transfer"]
        r_ct = spec.point.resistances_ohm["charge_transfer"]
        p = max((p for p in res.peaks if abs(np.log(p.tau_s / tau_ct)) < np.log(1.5)), key=lambda p: p.resistance_ohm)
        assert p.resistance_ohm == pytest.approx(r_ct, rel=0.15)
        assert res.r_inf_ohm == pytest.approx(spec.point.ohmic_resistance_ohm, rel=0.25)
    tau, state, g = d.gamma_map()
    assert g.shape == (3, tau.size) and np.all(np.isfinite(g))


@pytest.mark.xfail(strict=True, reason="known miss (issue 13): with the 1 um contact layer pure Si's interface is "
                   "fully active at 2 % lithiation (metallic LixSi in the layer), so its R_ct is below Si–ZnO4's")
def test_pure_si_has_higher_charge_transfer_resistance_at_start_of_lithiation(zno4):
    si = GEISSimulator("si", pset=_pset(), mesh_points=MESH)
    r_si = si.at_state_of_charge(0.02, "lithiation", 1, F).point.resistances_ohm["charge_transfer"]
    r_zn = zno4.at_state_of_charge(0.02, "lithiation", 1, F).point.resistances_ohm["charge_transfer"]
    assert r_si > r_zn > 0


def test_bad_state_is_rejected(zno4):
    from sizno.errors import SiznoInputError

    with pytest.raises(SiznoInputError):
        zno4.at_state_of_charge(1.5)
    with pytest.raises(SiznoInputError):
        zno4.lin.operating_point(np.zeros(3))
    with pytest.raises(SiznoInputError):
        zno4.lin.impedance(zno4.lin.operating_point(zno4.lin.initial_state()), [-1.0, 1.0])


def test_cli_simulate_state_and_series(tmp_path, monkeypatch):
    import sizno.models.build as build
    from sizno.cli import app

    monkeypatch.setattr(build, "load_parameter_set", _pset)
    runner = CliRunner()
    r = runner.invoke(app, ["eis", "simulate", "--material", "si-zno4", "--state-of-charge", "0.5", "--mesh-points", "10",
                            "--json", str(tmp_path / "one.json")])
    assert r.exit_code == 0, r.output
    d = json.loads((tmp_path / "one.json").read_text())
    assert len(d["frequency_Hz"]) == len(d["z_real_ohm"]) == 71 and d["resistances_ohm"]["charge_transfer"] > 0
    r = runner.invoke(app, ["eis", "simulate", "--material", "si-zno4", "--series", "3", "--mesh-points", "10",
                            "--points-per-decade", "6", "--no-plot", "--json", str(tmp_path / "s.json")])
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "s.json").read_text())
    assert [x["step"] for x in s] == ["lithiation", "delithiation"] and len(s[0]["drt"]) == 3
    r = runner.invoke(app, ["eis", "simulate", "--material", "si-zno4"])
    assert r.exit_code != 0
