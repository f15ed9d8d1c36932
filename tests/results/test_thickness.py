"""The thickness law: pore filling on growth, cavities on shrinking, refilled on re-lithiation."""

import numpy as np
import pytest

from sizno.results.thickness import ThicknessTracker


def _tracker(beta=0.0, solid0=0.4):
    return ThicknessTracker(np.full(4, 5e-6), solid0=solid0, beta=beta)  # 20 um electrode


def test_growth_goes_into_thickness_except_the_filled_voids():
    solid = np.full((4, 1), 1.2)  # +0.8 of pristine volume
    assert _tracker(beta=0.0).thickness_um(solid)[-1] == pytest.approx(20 * 1.8)
    assert _tracker(beta=0.25).thickness_um(solid)[-1] == pytest.approx(20 * 1.6)
    # the voids (1 - solid0 = 0.6) cap what can be filled
    assert _tracker(beta=1.0).thickness_um(solid)[-1] == pytest.approx(20 * (1 + 0.8 - 0.6))


def test_shrinking_leaves_cavities_and_relithiation_returns_to_the_same_thickness():
    tr = _tracker()
    lith = tr.thickness_um(np.full((4, 1), 1.2))[-1]
    delith = tr.thickness_um(np.full((4, 1), 0.6))[-1]
    assert delith == pytest.approx(lith * (0.6 / 1.2) ** (1 / 3))
    assert 20 < delith < lith
    assert tr.thickness_um(np.full((4, 1), 1.2))[-1] == pytest.approx(lith)  # one full cycle later


def test_history_carries_across_calls_and_within_a_call():
    tr = _tracker()
    series = np.array([[0.4, 1.0, 0.7, 1.0, 1.1]] * 4)
    t = tr.thickness_um(series)
    assert t[0] == pytest.approx(20)
    assert t[1] == pytest.approx(t[3])
    assert t[2] < t[1] < t[4]
    assert tr.thickness_um(np.full((4, 1), 0.7))[-1] == pytest.approx(20 * 1.7 * (0.7 / 1.1) ** (1 / 3))
