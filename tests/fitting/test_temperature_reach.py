"""The temperature-reach analysis: the 60 °C values stay put, and the favourable corner is favourable."""

import pytest

from sizno.experiments.protocols import rate_test
from sizno.experiments.runner import run_half_cell
from sizno.fitting import temperature_reach as tr
from sizno.models.parameters import load_parameter_set
from sizno.results.observables import rate_capacity
from sizno.units import celsius_to_kelvin


def test_activation_energies_move_only_the_room_temperature_values():
    pset = load_parameter_set()
    factors = tr.activation_energy_factors(pset)
    assert factors, "the ranges file gives activation energies"
    low = tr.with_activation_energies(pset, {f.parameter: f.low for f in factors})
    hot, warm = celsius_to_kelvin(60.0), celsius_to_kelvin(25.0)
    before_hot, after_hot = pset.at_temperature(hot), low.at_temperature(hot)
    before_rt, after_rt = pset.at_temperature(warm), low.at_temperature(warm)
    for f in factors:
        assert after_hot[f.parameter] == pytest.approx(before_hot[f.parameter], rel=1e-12)
        assert low.entries[f.parameter].activation_energy_eV == f.low
        # a lower activation energy at a fixed 60 °C value is a larger value at 25 °C
        if f.low < pset.entries[f.parameter].activation_energy_eV:
            assert after_rt[f.parameter] > before_rt[f.parameter]
    untouched = set(pset.entries) - {f.parameter for f in factors}
    assert all(after_rt[k] == before_rt[k] for k in untouched)


def test_the_low_corner_does_not_lower_room_temperature_capacity():
    """The analysis calls the low-Ea corner the most favourable: check it on the 25 °C half cell."""
    pset = load_parameter_set()
    low = tr.with_activation_energies(pset, {f.parameter: f.low for f in tr.activation_energy_factors(pset)})
    protocol = rate_test([0.1, 0.8], 1)
    q = [rate_capacity(run_half_cell("si-zno4", protocol, temperature_C=25.0, pset=p, mesh_points=8), 0.8)
         for p in (pset, low)]
    assert q[1] > q[0] > 0


def test_verdicts_from_the_evaluations(monkeypatch):
    """The reached range spans every setting; a paper value far outside it is not reachable."""
    calls = []

    def fake(pset, mesh_points, on_run):
        ea = pset.entries["Interface exchange current density [A.m-2]"].activation_energy_eV
        calls.append(ea)
        return {q: 100.0 / ea for q in tr.QUANTITIES}

    monkeypatch.setattr(tr, "room_temperature_quantities", fake)
    res = tr.temperature_reach()
    assert len(calls) == 3 + len(tr.activation_energy_factors())
    rt = res["verdicts"]["half_cell.room_temperature.si_zno4.4.0"]
    assert rt["reached_min"] == pytest.approx(100 / 0.45) and rt["reached_max"] == pytest.approx(100 / 0.25)
    assert rt["paper"] == 880 and rt["paper_within_reach"] is False
    assert res["verdicts"]["full_cell.first_cycle.ice_percent"]["paper_within_reach"] is None  # calibration


def test_the_combined_reach_searches_the_fitted_parameters_at_the_low_corner(monkeypatch):
    """Both levers at once: every evaluation has each activation energy at its low end (60 °C values of the
    unfitted parameters held), the fitted parameters move, and the best end beats the corner's own value."""
    import numpy as np

    from sizno.fitting import calibrate as cal
    from sizno.fitting import reach as rc

    pset = load_parameter_set()
    factors = tr.activation_energy_factors(pset)
    stage = cal.stage("electrochemistry")
    targets = {t.id: t.value for t in cal.calibration_targets(stage.records)}
    name = "Network ionic conductivity [S.m-1]"
    seen = []

    def quantity(quantity, p, mesh):  # a stand-in model: every record met, the quantity peaks away from the start
        seen.append(p)
        return 1000.0 / (1.0 + (np.log10(p.value(name)) - np.log10(50 * pset.value(name))) ** 2)

    monkeypatch.setattr(cal, "stage", lambda n: cal.CalibrationStage(stage.name, stage.parameters, stage.records,
                                                                    lambda p, mesh: dict(targets)))
    monkeypatch.setattr(rc, "quantity_value", quantity)
    res = tr.combined_reach(max_evaluations=6)
    at_corner = [all(p.entries[f.parameter].activation_energy_eV == f.low for f in factors) for p in seen]
    assert len(seen) > 3 and at_corner.count(False) == 1  # the one run off the corner: the calibrated value itself
    assert res["activation_energies_eV"] == {f.parameter: f.low for f in factors}
    assert res["search"]["worst_calibration_residual"] == 0.0
    assert res["search"]["reached"] > res["corner_value"]
    assert res["paper (validation, not used)"] == 880
