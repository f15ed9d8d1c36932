"""Parallel sheet populations: they share the potential, split the current, and reduce to one column without spread."""

import math

import numpy as np
import pybamm
import pytest

from sizno.cell import paper_half_cell
from sizno.experiments import engine, rate_test, run_half_cell
from sizno.experiments.runner import build_simulation
from sizno.materials import named_material
from sizno.models.anode.populations import population_multipliers
from sizno.models.half_cell import HalfCellModel
from sizno.models.parameters import load_parameter_set
from sizno.results.observables import rate_capacity

SPREAD = "Sheet population transport spread [-]"
THREE = 3


def _with_spread(value: float):
    return load_parameter_set().with_values({SPREAD: value})


def test_multipliers_are_log_symmetric_about_one_with_the_stated_width():
    """Equal-probability quantiles of a log-logistic law: median 1, increasing, ln-symmetric."""
    w = 2.0
    values = [float(pybamm.ParameterValues({SPREAD: w}).process_symbol(m).evaluate()) for m in population_multipliers(5)]
    assert values[2] == pytest.approx(1.0)
    assert np.all(np.diff(values) > 0)
    assert math.log(values[0]) == pytest.approx(-math.log(values[-1]))
    # the quantile at p = 0.9 of a logistic law with standard deviation w
    assert math.log(values[-1]) == pytest.approx(w * math.sqrt(3) / math.pi * math.log(0.9 / 0.1))


def test_without_spread_the_populations_are_one_column(monkeypatch):
    """Spread -> 0: every population is the same column, so the capacities are the one-column ones."""
    protocol = rate_test([0.1, 5.0], 1)
    one = run_half_cell("si", protocol, pset=_with_spread(1e-4), mesh_points=12)
    monkeypatch.setattr(engine, "cell_model", lambda full_cell, populations=THREE: HalfCellModel(populations=THREE))
    three = run_half_cell("si", protocol, pset=_with_spread(1e-4), mesh_points=12)
    for a in (0.1, 5.0):
        assert rate_capacity(three, a) == pytest.approx(rate_capacity(one, a), rel=1e-3)


def test_populations_share_the_potential_and_carry_the_cell_current():
    """The column currents average to the cell current; the well-connected column carries more at high rate."""
    cell = paper_half_cell(named_material("si-zno4"))
    sim = build_simulation(cell, rate_test([2.0], 1), pset=_with_spread(2.0), mesh_points=12, stop=1, populations=THREE)
    sol = sim.solve()
    I = sol["Current [A]"].entries
    cols = [sol[f"Population lithiating current (population {k + 1}) [A]"].entries for k in range(THREE)]
    np.testing.assert_allclose(sum(cols) / THREE, I, rtol=1e-6, atol=1e-12)
    assert cols[-1][-1] > cols[0][-1]  # the best-connected column takes the larger share late in the step
    pots = [sol[f"Working electrode potential (population {k + 1}) [V]"].entries for k in range(THREE)]
    for p in pots[1:]:
        # the constraint holds to IDA's Newton convergence test: within 0.05 mV but for one step at ~11 s, as the
        # columns' hysteresis switches (0.0999 mV on 2026-11-30 before the filtered-Li state, 0.15 mV after)
        np.testing.assert_allclose(p, pots[0], atol=3e-4)
        assert np.median(np.abs(p - pots[0])) < 1e-5


def test_lithium_is_conserved_across_populations():
    """Li in all columns and their SEI = charge passed / F, as for one column."""
    from sizno.units import FARADAY_C_PER_MOL
    cell = paper_half_cell(named_material("si-zno4"))
    sim = build_simulation(cell, rate_test([0.8], 1), pset=_with_spread(2.0), mesh_points=12, stop=2, populations=THREE)
    sol = sim.solve()
    li = sol["Lithium stored [mol]"].entries
    q_C = sol["Charge passed [A.h]"].entries * 3600
    assert (li[-1] - li[0]) == pytest.approx(q_C[-1] / FARADAY_C_PER_MOL, rel=1e-5)
