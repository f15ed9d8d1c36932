"""The engine's per-state tolerances and dense output: looser only where a state's size allows, and a kept
curve's resolution independent of the solver's step lengths."""

from __future__ import annotations

import numpy as np
import pytest

from sizno.cell import paper_half_cell
from sizno.experiments import engine
from sizno.experiments.protocols import rate_test
from sizno.experiments.runner import build_simulation, run_protocol
from sizno.materials import named_material

MESH = 8
PROTOCOL = rate_test([0.8], cycles_per_rate=2)


def test_state_atol_loosens_only_the_named_states():
    sim = build_simulation(paper_half_cell(named_material("si-zno4")), PROTOCOL, mesh_points=MESH)
    sim.build()
    model = sim.built_model
    atol = engine.state_atol(model)
    assert atol.shape == (model.len_rhs_and_alg,)
    loosened = set()
    for variable, slices in model.y_slices.items():
        expected = next((v for p, v in engine.STATE_ATOL.items() if variable.name.startswith(p)), engine.ATOL)
        for sl in slices:
            assert np.all(atol[sl] == expected), variable.name
        if expected != engine.ATOL:
            loosened.add(variable.name)
    assert loosened == {"Hysteresis state [-]", "Filtered mobile lithium [-]"}
    assert engine.ATOL <= 1e-8  # the Li amounts keep the tolerance the Li balance (1e-6) needs


def test_output_times_cover_the_step_and_a_kept_curve_its_opening():
    for dense in (True, False):
        t = engine.output_times_s(3600.0, dense)
        assert t[0] == 0.0 and t[-1] == 3600.0 and np.all(np.diff(t) > 0)
    t = engine.output_times_s(3600.0, True)
    assert np.sum(t < 1.0) >= 10  # the opening transient (ms to s) is sampled
    assert len(t) >= engine.DENSE_POINTS_PER_STEP
    assert len(engine.output_times_s(3600.0, False)) == engine.SUMMARY_POINTS_PER_STEP < engine.DENSE_POINTS_PER_STEP


def test_kept_cycles_are_written_densely_and_the_capacities_do_not_depend_on_it():
    cell = paper_half_cell(named_material("si-zno4"))
    dense = run_protocol(cell, PROTOCOL, mesh_points=MESH)
    sparse = run_protocol(cell, PROTOCOL, mesh_points=MESH, timeseries_cycles={1})
    per_step = dense.timeseries.groupby("step_count").size()
    # each step stops at its cut-off, a share of its time limit: still a hundred points and more
    assert per_step.min() > 100
    assert set(sparse.timeseries["cycle_count"]) == {1}
    np.testing.assert_allclose(dense.cycles["delithiation_capacity_mAh_per_g"],
                               sparse.cycles["delithiation_capacity_mAh_per_g"], rtol=1e-9)
    # the energy is the model's own integral of V I dt (a state), whatever is kept of the curve
    for column in ("lithiation_mean_voltage_V", "delithiation_mean_voltage_V"):
        np.testing.assert_allclose(dense.cycles[column], sparse.cycles[column], rtol=1e-9)
    # and it is the area under the kept curve (trapezoids on ~300 points: within 3 mV; the last chord, across
    # the steep rise to the cut-off, lies above the curve)
    for (cycle, step_type), part in dense.timeseries.groupby(["cycle_count", "step_type"]):
        q = part["lithiated_charge_ah"].to_numpy()
        mean_V = abs(np.trapezoid(part["voltage_volt"].to_numpy(), q)) / abs(q[-1] - q[0])
        row = dense.cycles.set_index("cycle_index").loc[cycle]
        assert mean_V == pytest.approx(row[f"{step_type}_mean_voltage_V"], abs=3e-3)
