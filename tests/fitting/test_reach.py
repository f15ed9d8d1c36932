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
