"""The Si sheets' contact network percolates: it stops conducting below a threshold share in contact.

Unit level: the smoothed percolation law against its exact limits. Model level: pure Si, with no
other electron path, collapses once its share of sheets in contact falls below the threshold, while
Si–ZnO4's Zn/LiZn + Li2O network conducts in parallel and keeps it cycling.
"""

import numpy as np
import pybamm
import pytest

from sizno.experiments.protocols import load_protocol
from sizno.experiments.runner import run_half_cell
from sizno.models.anode.percolation import THRESHOLD_SMOOTHING, network_conductance_factor
from sizno.models.parameters import load_parameter_set
from sizno.results.observables import capacity_by_cycle


def factor(p: float, p_c: float, t: float) -> float:
    return float(network_conductance_factor(pybamm.Scalar(p), pybamm.Scalar(p_c), pybamm.Scalar(t)).evaluate())


def test_vanishes_below_the_threshold_and_is_the_power_law_above():
    p_c, t = 0.25, 2.0
    for p in (0.0, 0.1, 0.2):  # below: nothing conducts (the old (share)^1.5 gave 0.009–0.09 here)
        assert factor(p, p_c, t) < 1e-6
    for p in (0.5, 0.8, 0.95):  # far above: the exact ((p - p_c)/(1 - p_c))^t
        assert factor(p, p_c, t) == pytest.approx(((p - p_c) / (1 - p_c)) ** t, rel=1e-3)
    assert factor(1.0, p_c, t) == pytest.approx(1.0, rel=1e-4)  # all sheets in contact: the intact network


def test_reduces_to_the_old_bruggeman_form_without_a_threshold():
    for p in (0.3, 0.6, 0.9, 1.0):
        assert factor(p, 0.0, 1.5) == pytest.approx(p**1.5, rel=1e-3)


def test_smooth_and_monotone_across_the_threshold():
    p_c, t = 0.25, 2.0
    p = np.linspace(p_c - 5 * THRESHOLD_SMOOTHING, p_c + 5 * THRESHOLD_SMOOTHING, 201)
    g = np.array([factor(x, p_c, t) for x in p])
    slope = np.diff(g) / np.diff(p)
    assert np.all(slope > 0)  # rises with the share in contact, no flat step or reversal
    assert np.max(np.abs(np.diff(slope))) < 0.05 * np.max(slope)  # no corner: the slope changes gradually


def _capacities(material: str, threshold: float, exponent: float) -> np.ndarray:
    # cracking raised 50x so the share in contact falls from ~0.9 by a few % per cycle; four cycles at 0.8 A/g
    pset = load_parameter_set().with_values({"Cracking rate per volumetric strain [-]": 0.03,
                                             "Si sheet contact percolation threshold [-]": threshold,
                                             "Percolation conductivity exponent [-]": exponent})
    run = run_half_cell(material, load_protocol("long-cycling").with_cycles(4), pset=pset, mesh_points=8)
    return capacity_by_cycle(run)


def test_pure_si_collapses_below_the_threshold_si_zno4_does_not():
    """Threshold 0.8 (beyond its literature range, to reach it in a few cycles) against the old form's
    limit (no threshold, exponent 1.5): pure Si stops cycling as its share in contact (~0.9 after the
    formation cycle) crosses the threshold; Si–ZnO4's network carries its electrons in parallel."""
    si, si_old = _capacities("si", 0.8, 2.0), _capacities("si", 0.0, 1.5)
    assert si[0] < 0.6 * si_old[0]  # near the threshold the network already conducts poorly
    assert si[2] < 0.05 * si_old[2]  # below it, nothing: pure Si has no other path
    zno4, zno4_old = _capacities("si-zno4", 0.8, 2.0), _capacities("si-zno4", 0.0, 1.5)
    assert np.allclose(zno4[:3], zno4_old[:3], rtol=0.03)
