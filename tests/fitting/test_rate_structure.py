"""Tian et al.'s rate-curve model: the fit recovers known curves, and its limits are right."""

import numpy as np
import pytest

from sizno.fitting.rate_structure import RateCurve, fit_rate_curve, paper_rate_records, tian_capacity


def test_capacity_tends_to_q_m_at_low_rate_and_falls_monotonically():
    curve = RateCurve(2400.0, 0.2, 0.6)
    currents = np.geomspace(1e-4, 20, 40)
    q = np.array([curve.capacity_at(i) for i in currents])
    assert q[0] == pytest.approx(2400.0, rel=1e-3)
    assert np.all(np.diff(q) < 0)


def test_high_rate_decay_follows_the_exponent():
    """At R tau >> 1, Q -> Q_M (R tau)^-n / 2: the log slope against R is -n."""
    curve = RateCurve(1000.0, 1.0, 0.5)
    r = np.array([1e6, 1e8])
    q = tian_capacity(r, curve)
    assert np.log(q[1] / q[0]) / np.log(r[1] / r[0]) == pytest.approx(-0.5, abs=1e-3)
    assert q[0] == pytest.approx(1000.0 * 1e6**-0.5 / 2, rel=1e-3)


def test_the_fit_recovers_a_known_curve():
    truth = RateCurve(2300.0, 0.15, 0.7)
    currents = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0]
    q = [truth.capacity_at(i) for i in currents]
    fit = fit_rate_curve(currents, q)
    assert fit.capacity_mAh_per_g == pytest.approx(2300.0, rel=1e-4)
    assert fit.tau_h == pytest.approx(0.15, rel=1e-3)
    assert fit.exponent == pytest.approx(0.7, rel=1e-3)


def test_fixed_parameters_and_too_few_points():
    truth = RateCurve(2000.0, 0.3, 0.6)
    fit = fit_rate_curve([0.8], [truth.capacity_at(0.8)], capacity_mAh_per_g=2000.0, exponent=0.6)
    assert fit.tau_h == pytest.approx(0.3, rel=1e-4)
    with pytest.raises(ValueError, match="cannot fix"):
        fit_rate_curve([0.8, 5.0], [1500.0, 600.0])


def test_only_calibration_records_are_fitted():
    records = paper_rate_records()
    assert set(records["si_zno4"]) == {0.1, 0.8, 5.0}
    assert set(records["si"]) == {0.8}  # pure Si at 5 A/g is a validation record: never fitted
