"""Parallel sheet populations: they share the potential, split the current, and reduce to one column without spread."""

import math

import numpy as np
import pybamm
import pytest

from sizno.cell import paper_half_cell
from sizno.experiments import rate_test, run_half_cell
from sizno.experiments.runner import build_simulation
from sizno.materials import named_material
from sizno.models.anode.populations import SHEET_POPULATIONS, population_multipliers
from sizno.models.parameters import load_parameter_set
from sizno.results.observables import rate_capacity

SPREAD = "Sheet population transport spread [-]"


def _with_spread(value: float):
    pset = load_parameter_set()
    return pset.with_values({SPREAD: value})


def test_multipliers_are_log_symmetric_about_one_with_the_stated_width():
    """Equal-probability quantiles of a log-logistic law: median 1, increasing, ln-symmetric."""
    w = 2.0
    values = [float(pybamm.ParameterValues({SPREAD: w}).process_symbol(m).evaluate()) for m in population_multipliers(5)]
    assert values[2] == pytest.approx(1.0)
    assert np.all(np.diff(values) > 0)
    assert math.log(values[0]) == pytest.approx(-math.log(values[-1]))
    # the quantile at p = 0.9 of a logistic law with standard deviation w
    assert math.log(values[-1]) == pytest.approx(w * math.sqrt(3) / math.pi * math.log(0.9 / 0.1))


def test_without_spread_the_populations_are_one_column():
    """Spread -> 0: every population is the same column, so the capacities are the single-column ones."""
    protocol = rate_test([0.1, 5.0], 1)
    narrow = run_half_cell("si", protocol, pset=_with_spread(1e-4), mesh_points=12)
    from sizno.models.half_cell import DenseCompositeAnode
    from sizno.experiments import engine

    single = engine.cell_model
    try:
        engine.cell_model = lambda full_cell: DenseCompositeAnode(populations=1)
        one = run_half_cell("si", protocol, pset=_with_spread(1e-4), mesh_points=12)
    finally:
        engine.cell_model = single
    for a in (0.1, 5.0):
        assert rate_capacity(narrow, a) == pytest.approx(rate_capacity(one, a), rel=1e-3)


def test_populations_share_the_potential_and_carry_the_cell_current():
    """The column currents average to the cell current; the well-connected column carries more at high rate."""
    cell = paper_half_cell(named_material("si-zno4"))
    sim = build_simulation(cell, rate_test([2.0], 1), pset=_with_spread(2.0), mesh_points=12, stop=1)
    sol = sim.solve()
    I = sol["Current [A]"].entries
    cols = [sol[f"Population lithiating current (population {k + 1}) [A]"].entries for k in range(SHEET_POPULATIONS)]
    np.testing.assert_allclose(sum(cols) / SHEET_POPULATIONS, I, rtol=1e-6, atol=1e-12)
    end = -1
    assert cols[-1][end] > cols[0][end]  # the best-connected column takes the larger share late in the step
    pots = [sol[f"Working electrode potential (population {k + 1}) [V]"].entries for k in range(SHEET_POPULATIONS)]
    for p in pots[1:]:
        np.testing.assert_allclose(p, pots[0], atol=1e-4)  # 0.1 mV: the constraint holds to the solver tolerance on the currents
