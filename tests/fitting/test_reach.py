"""The calibration-held reach: zero penalty inside the band, a push that never aims at the paper's value."""

import numpy as np
import pytest

from sizno.fitting import calibrate as cal
from sizno.fitting import reach as rc
from sizno.models.parameters import load_parameter_set


def _fake(monkeypatch, rel_error: float, q: float):
    stage = cal.stage("electrochemistry")
    targets = {t.id: t.value for t in cal.calibration_targets(stage.records)}
    fake_stage = cal.CalibrationStage(stage.name, stage.parameters, stage.records,
                                      lambda pset, mesh: {k: v * (1 + rel_error) for k, v in targets.items()})
    monkeypatch.setattr(cal, "stage", lambda name: fake_stage)
    monkeypatch.setattr(rc, "quantity_value", lambda quantity, pset, mesh: q)


def test_penalty_is_nil_inside_the_band_and_grows_outside(monkeypatch):
    pset = load_parameter_set()
    _fake(monkeypatch, 0.01, 100.0)
    inside = rc.reach_problem("half_cell.rate.si.5.0", 1, 8).residuals(pset)
    _fake(monkeypatch, 0.10, 100.0)
    outside = rc.reach_problem("half_cell.rate.si.5.0", 1, 8).residuals(pset)
    assert np.all(inside[:-1] < 1e-3)
    assert np.all(outside[:-1] > 0.5 * rc.PENALTY_WEIGHT)


def test_the_push_falls_as_the_quantity_rises_and_does_not_know_the_paper(monkeypatch):
    pset = load_parameter_set()
    pushes = []
    for q in (100.0, 560.0, 1000.0):
        _fake(monkeypatch, 0.0, q)
        pushes.append(rc.reach_problem("half_cell.rate.si.5.0", 1, 8).residuals(pset)[-1])
    assert pushes[0] > pushes[1] > pushes[2] > 0  # no minimum at the paper's 560
    _fake(monkeypatch, 0.0, 1000.0)
    assert rc.reach_problem("half_cell.rate.si.5.0", -1, 8).residuals(pset)[-1] == pytest.approx(1000.0 / 3600, rel=0.3)


def test_unknown_quantity():
    with pytest.raises(ValueError, match="quantity"):
        rc.reach("half_cell.rate.si.0.8")


def _stand_in(monkeypatch, optimum: dict[str, float]):
    """A cheap stand-in model: every record is met everywhere; the quantity falls with the log-distance
    from `optimum`. Records each evaluated parameter set."""
    stage = cal.stage("electrochemistry")
    targets = {t.id: t.value for t in cal.calibration_targets(stage.records)}
    seen = []

    def quantity(quantity, pset, mesh):
        seen.append({n: pset.value(n) for n in stage.parameters})
        d = sum((np.log10(pset.value(n)) - np.log10(v)) ** 2 for n, v in optimum.items())
        return 1000.0 / (1.0 + d)

    fake_stage = cal.CalibrationStage(stage.name, stage.parameters, stage.records, lambda pset, mesh: dict(targets))
    monkeypatch.setattr(cal, "stage", lambda name: fake_stage)
    monkeypatch.setattr(rc, "quantity_value", quantity)
    return seen


def test_multi_start_returns_the_best_start_and_every_start_stays_in_bounds(monkeypatch):
    pset = load_parameter_set()
    name = "Network ionic conductivity [S.m-1]"
    seen = _stand_in(monkeypatch, {name: 500.0})
    starts = [{"origin": "far", "values": {name: 2e-3}}, {"origin": "near", "values": {name: 300.0}}]
    res = rc.reach("half_cell.rate.si.5.0", max_evaluations=4, starts=starts)
    ends = {e["origin"]: e["reached"] for e in res["starts"]}
    assert res["reached"] == max(ends.values())
    assert res["best_start"] == max(ends, key=ends.get)
    assert len(res["starts"]) == 2 and res["model_runs"] == sum(e["model_runs"] for e in res["starts"])
    for values in seen:
        for n, v in values.items():
            lo, hi = pset.entries[n].bounds
            assert lo <= v <= hi * (1 + 1e-9), n


def test_an_end_off_the_calibration_is_never_the_answer(monkeypatch):
    _stand_in(monkeypatch, {"Network ionic conductivity [S.m-1]": 500.0})
    ids = cal.stage("electrochemistry").records
    monkeypatch.setattr(rc, "calibration_relative", lambda pset, mesh: {i: 0.2 for i in ids})
    res = rc.reach("half_cell.rate.si.5.0", max_evaluations=2, starts=[{"origin": "calibrated", "values": {}}])
    assert res["reached"] is None and res["reached_any_evaluation"] is None
    assert res["starts"][0]["worst_calibration_residual"] == pytest.approx(0.2)


def test_screened_starts_are_the_calibrated_point_then_the_lowest_penalties_within_bounds(monkeypatch):
    pset = load_parameter_set()
    stage = cal.stage("electrochemistry")
    name = "Interface exchange current density [A.m-2]"
    # the stand-in calibration is met best where the exchange current is small
    monkeypatch.setattr(rc, "calibration_relative", lambda p, mesh: {"record": np.log10(p.value(name)) / 10})
    starts = rc.screened_starts(3, pset, candidates=8, seed=1)
    assert starts[0]["origin"] == "calibrated" and starts[0]["values"][name] == pset.value(name)
    assert len(starts) == 3 and starts[1]["penalty"] <= starts[2]["penalty"]
    for s in starts[1:]:
        for n in stage.parameters:
            lo, hi = pset.entries[n].bounds
            assert lo <= s["values"][n] <= hi, n
    assert rc.screened_starts(3, pset, candidates=8, seed=1)[1]["values"] == starts[1]["values"]  # seeded
    with pytest.raises(ValueError, match="starts"):
        rc.screened_starts(0, pset)


def test_the_full_cell_is_pushed_down_from_its_own_scale(monkeypatch):
    pset = load_parameter_set()
    _fake(monkeypatch, 0.0, 100.0)
    r = rc.reach_problem("full_cell.high_loading.0.5", -1, 8).residuals(pset)
    assert r[-1] == pytest.approx(100.0 / rc.quantity_scale("full_cell.high_loading.0.5"))
    assert rc.QUANTITIES["full_cell.high_loading.0.5"].direction == -1


def test_the_figure_shows_a_quantity_no_start_reached_within_the_band(tmp_path):
    end = {"reached": 300.0, "worst_calibration_residual": 0.2}
    result = {"results": {"half_cell.rate.si.5.0": {"calibrated_value": 115.0, "reached": None, "direction": "maximum",
                                                    "paper (validation, not used)": 560.0, "starts": [end]}}}
    assert rc.reach_figure(result, tmp_path / "reach.png").stat().st_size > 0


def test_the_ordering_is_the_best_recipe_over_the_largest_other(monkeypatch):
    capacity = {"si-zno2": 1150.0, "si-zno4": 1120.0, "si-zno8": 900.0}
    monkeypatch.setattr(rc, "run_half_cell", lambda material, *a, **k: material)
    monkeypatch.setattr(rc, "rate_capacity", lambda run, rate: capacity[run])
    ratio = rc.quantity_value("half_cell.rate_ordering.5.0", load_parameter_set(), 8)
    assert ratio == pytest.approx(1120.0 / 1150.0)


def test_the_ordering_push_has_no_optimum_at_the_papers_threshold(monkeypatch):
    pset = load_parameter_set()
    pushes = []
    for ratio in (0.9, 1.0, 1.1):
        _fake(monkeypatch, 0.0, ratio)
        pushes.append(rc.reach_problem("half_cell.rate_ordering.5.0", 1, 8).residuals(pset)[-1])
    assert pushes[0] > pushes[1] > pushes[2] > 0
