"""The percolation-knee analysis's measures and bound, on numbers whose answers are known."""

import math

import numpy as np
import pytest

from sizno.fitting.percolation_knee import (PARAMETER, fade_rate, literature_range, steepening_bound,
                                            threshold_needed_for_doubling)
from sizno.models.parameters import load_parameter_set


def test_fade_rate_is_minus_the_slope_over_the_window():
    q = np.r_[np.linspace(2000, 1900, 100), np.linspace(1897, 1600, 100)]  # 1.01 then 3 mAh/g per cycle
    assert fade_rate(q, 1, 100) == pytest.approx(100 / 99)
    assert fade_rate(q, 101, 200) == pytest.approx(3.0)
    assert math.isnan(fade_rate(q, 200, 200))


def test_bound_doubling_needs_the_threshold_near_the_later_share():
    # the conductance's fall per unit share, t/(p - p_c), doubles from p1 to p2 exactly at p_c = 2 p2 - p1
    p1, p2 = 0.99, 0.89
    pc = threshold_needed_for_doubling(p1, p2)
    assert pc == pytest.approx(0.79)
    assert steepening_bound(p1, p2, pc) == pytest.approx(2.0)
    assert steepening_bound(p1, p2, 0.31) < 1.2  # the literature range's top: no doubling


def test_nominal_threshold_lies_in_its_literature_range():
    lo, hi = literature_range()
    assert lo <= load_parameter_set().value(PARAMETER) <= hi
