"""The sensitivity analysis: its factors are valid data, it varies what it says, and Morris ranks a
known function correctly through the same code path (no model runs: a stand-in for the predictions)."""

import math

import numpy as np
import pytest

from sizno.fitting import sensitivity as sens
from sizno.models.parameters import load_parameter_set


def test_factors_cover_the_fitted_parameters_and_literature_ranges():
    pset = load_parameter_set()
    factors = sens.sensitivity_factors(pset)
    names = [f.name for f in factors]
    assert len(names) == len(set(names))
    assert set(sens.FITTED_FACTORS) <= set(names)
    for f in factors:
        assert f.parameter in pset.entries
        assert f.low < f.high and (f.low > 0 or not f.log)
        assert len(f.source) > 10
        if not f.is_activation_energy and f.name in sens.FITTED_FACTORS:
            assert f.low <= pset.value(f.name) <= f.high  # the calibrated value lies inside the range
    assert any(f.is_activation_energy for f in factors)


def test_with_factors_sets_values_and_activation_energies():
    pset = load_parameter_set()
    ea = sens.Factor("LixSi ionic conductivity, lithiated [S.m-1] | Ea [eV]", 0.3, 0.6, False, "test range")
    val = sens.Factor("Interface contact depth [m]", 3e-7, 3e-6, True, "test range")
    changed = sens.with_factors(pset, [ea, val], np.array([0.3, 2e-6]))
    assert changed.entries["LixSi ionic conductivity, lithiated [S.m-1]"].activation_energy_eV == 0.3
    assert changed.value("Interface contact depth [m]") == 2e-6
    hot_old = pset.at_temperature(333.15)["LixSi ionic conductivity, lithiated [S.m-1]"]
    hot_new = changed.at_temperature(333.15)["LixSi ionic conductivity, lithiated [S.m-1]"]
    assert hot_new < hot_old  # a lower Ea raises the 60 °C value less from the same 25 °C value
    assert val.from_unit(0.5) == pytest.approx(math.sqrt(3e-7 * 3e-6))


def test_morris_ranks_a_known_function(monkeypatch):
    """Only two factors matter (one strongly): Morris must put them first and the rest near zero."""
    strong, weak = "Interface contact depth [m]", "Hysteresis decay rate [-]"

    def fake(pset, mesh_points=0):
        y = 1000 * math.log10(pset.value(strong) / 1e-7) + 50 * math.log10(pset.value(weak))
        return {k: y for k in sens.OUTPUTS}

    monkeypatch.setattr(sens, "predicted_quantities", fake)
    res = sens.morris(trajectories=4, seed=1)
    mu = res["analysis"][sens.OUTPUTS[0]]["mu_star"]
    ranked = sorted(mu, key=lambda k: -mu[k])
    assert ranked[:2] == [strong, weak]
    assert all(mu[k] < 1e-9 for k in ranked[2:])
    assert res["analysis"][sens.OUTPUTS[0]]["failed_samples"] == 0


def test_profile_refits_the_other_parameters_along_a_sloppy_direction(monkeypatch):
    """Two parameters that only their product pins (as i0 and the network conductivity nearly are): along
    the profile of one, the refit moves the other inversely and the calibration stays met at every value."""
    from sizno.fitting import calibrate
    from sizno.fitting.core import FitProblem

    a, b = "Interface exchange current density [A.m-2]", "Network ionic conductivity [S.m-1]"
    product = load_parameter_set().value(a) * load_parameter_set().value(b)  # the calibrated set meets it

    def problem(name, mesh_points):
        def residuals(pset):
            return np.array([math.log10(pset.value(a) * pset.value(b) / product)])
        return FitProblem(names=[a, b], residuals=residuals, labels=["record"])

    monkeypatch.setattr(calibrate, "calibration_problem", problem)
    monkeypatch.setattr(sens, "predicted_quantities", lambda pset, mesh_points=0: {k: pset.value(b) for k in sens.OUTPUTS})
    res = sens.profile(a, (2.0, 20.0))
    assert [p["value"] for p in res["points"]][1:] == [2.0, 20.0]
    for p in res["points"]:
        assert p["worst_calibration_residual"] < 1e-3
        assert p["value"] * p["refitted"][b] == pytest.approx(product, rel=1e-2)
        assert p["predictions"][sens.OUTPUTS[0]] == pytest.approx(p["refitted"][b])
    assert res["points"][0]["calibrated_value"] and not res["points"][1]["calibrated_value"]
    assert res["points"][0]["evaluations"] == 1  # the calibrated set is evaluated as it is, not refitted


def test_sensitivity_cli_profile_writes_json_figure_and_table(tmp_path, monkeypatch, capsys):
    """`sizno sensitivity --analysis profile`: the profile JSON and figure in --out, the table on screen,
    the payload in --json; a bad --analysis is a one-line error with exit code 2."""
    import json

    from typer.testing import CliRunner

    from sizno.cli import app

    def fake_profiles(on_point=None):
        pts = [{"value": v, "calibrated_value": v == 6.15, "refitted": {}, "residuals_relative": {},
                "worst_calibration_residual": 0.01 * v, "fit_converged": True, "evaluations": 1,
                "predictions": {k: 100.0 * v for k in sens.OUTPUTS}} for v in (6.15, 20.0)]
        for _ in pts:
            if on_point:
                on_point()
        return {"profiles": [{"parameter": "Interface exchange current density [A.m-2]", "stage": "electrochemistry",
                              "mesh_points": 12, "method": "fake", "points": pts, "wall_s": 0.0}],
                "outputs": list(sens.OUTPUTS)}

    monkeypatch.setattr(sens, "profiles", fake_profiles)
    out = tmp_path / "sens"
    r = CliRunner().invoke(app, ["sensitivity", "--analysis", "profile", "--out", str(out), "--json", str(tmp_path / "s.json")])
    assert r.exit_code == 0, r.output
    assert (out / "profile.json").exists() and (out / "profile.png").stat().st_size > 1000
    assert "6.15 (calibrated)" in r.output and "profiles" in r.output
    payload = json.loads((tmp_path / "s.json").read_text())
    assert payload["profile"]["profiles"][0]["points"][1]["predictions"][sens.OUTPUTS[0]] == 2000.0
    from sizno import cli

    monkeypatch.setattr("sys.argv", ["sizno", "sensitivity", "--analysis", "sobol", "--out", str(tmp_path / "x")])
    with pytest.raises(SystemExit) as e:
        cli.main()
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "--analysis" in err and "Traceback" not in err
