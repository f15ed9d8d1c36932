"""The per-cycle formulas the runner's cycle table and io.metrics share, and the unit converters they use."""

import math

import numpy as np

from sizno.results.cycle_formulas import capacity_mAh_per_g, coulombic_efficiency_percent, mean_voltage_V
from sizno.units import A_to_mA, Ah_to_mAh, As_to_Ah, g_to_mg, m_to_um, mg_to_g


def test_scalars_give_floats_and_nan_where_nothing_passed():
    assert capacity_mAh_per_g(0.002, 0.5) == 4.0  # 2 mAh over 0.5 g
    ce = coulombic_efficiency_percent(0.9e-3, 1.2e-3)
    assert isinstance(ce, float) and math.isclose(ce, 75.0)
    assert math.isnan(coulombic_efficiency_percent(1.0, 0.0))
    v = mean_voltage_V(3.6e-3, 1e-3)  # 3.6 mWh over 1 mAh
    assert isinstance(v, float) and math.isclose(v, 3.6)
    assert math.isnan(mean_voltage_V(0.0, 0.0))


def test_arrays_elementwise():
    ce = coulombic_efficiency_percent(np.array([1.0, 2.0, 1.0]), np.array([2.0, 2.0, 0.0]))
    np.testing.assert_array_equal(ce[:2], [50.0, 100.0])
    assert np.isnan(ce[2])
    np.testing.assert_array_equal(mean_voltage_V(np.array([2.0, 0.0]), np.array([1.0, 0.0]))[:1], [2.0])


def test_converters():
    assert Ah_to_mAh(1.5) == 1500.0 and A_to_mA(0.002) == 2.0 and g_to_mg(0.25) == 250.0
    assert mg_to_g(250.0) == 0.25 and m_to_um(2e-5) == 20.0 and As_to_Ah(7200.0) == 2.0
    np.testing.assert_array_equal(Ah_to_mAh(np.array([1.0, 2.0])), [1000.0, 2000.0])
