"""The activation-timing analysis's two measures, on curves whose answers are known."""

import math

import numpy as np
import pytest

from sizno.fitting.activation_timing import activation_cycle, largest_rise_percent


def test_activation_cycle_is_the_first_cycle_past_the_share():
    a = np.array([0.85, 0.85, 0.86, 0.89, 0.93, 1.0])
    assert activation_cycle(a, 0.05) == 5.0  # 0.93 > 0.85 + 0.05 at the fifth cycle
    assert math.isnan(activation_cycle(np.full(10, 0.85)))


def test_largest_rise_is_against_the_lowest_earlier_cycle():
    q = np.array([2000.0, 1900.0, 1800.0, 1980.0, 1700.0])
    assert largest_rise_percent(q) == pytest.approx(10.0)  # 1800 -> 1980
    assert largest_rise_percent(np.linspace(2000, 1500, 50)) == 0.0
