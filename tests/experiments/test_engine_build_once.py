"""Build once, run many: a second run with other parameter values discretises nothing, and its answers
are a fresh build's (to solver tolerance)."""

from __future__ import annotations

import numpy as np
import pybamm

from sizno.cell import paper_half_cell
from sizno.experiments import engine
from sizno.experiments.protocols import rate_test
from sizno.experiments.runner import build_simulation, run_half_cell
from sizno.materials import named_material
from sizno.models.parameters import load_parameter_set

MESH = 10
PROTOCOL = rate_test([0.5, 2.0], cycles_per_rate=1)
CHANGED = {"LixSi ionic conductivity, lithiated [S.m-1]": 0.5, "Interface exchange current density [A.m-2]": 2.0}


def _changed_set():
    pset = load_parameter_set()
    return pset.with_values({k: f * pset.value(k) for k, f in CHANGED.items()})


def _counting_discretisations(monkeypatch) -> dict:
    calls = {"n": 0}
    real = pybamm.Discretisation.process_model

    def counted(self, *args, **kwargs):
        calls["n"] += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pybamm.Discretisation, "process_model", counted)
    return calls


def test_a_second_run_with_other_parameter_values_discretises_nothing(monkeypatch):
    engine.clear_cache()
    calls = _counting_discretisations(monkeypatch)
    first = run_half_cell("si-zno4", PROTOCOL, mesh_points=MESH)
    assert calls["n"] == 1
    built = engine.BUILD_COUNT["n"]
    second = run_half_cell("si-zno4", PROTOCOL, pset=_changed_set(), mesh_points=MESH)
    assert calls["n"] == 1 and engine.BUILD_COUNT["n"] == built  # nothing built, nothing discretised
    # the changed values reached the model: the 2 A/g capacity moved
    assert first.completed and second.completed
    col = "delithiation_capacity_mAh_per_g"
    assert abs(second.cycles[col].iloc[1] - first.cycles[col].iloc[1]) > 10


def test_the_reused_model_gives_a_fresh_builds_answers():
    engine.clear_cache()
    run_half_cell("si-zno4", PROTOCOL, mesh_points=MESH)  # builds the model with the default values
    pset = _changed_set()
    reused = run_half_cell("si-zno4", PROTOCOL, pset=pset, mesh_points=MESH)
    engine.clear_cache()
    fresh = run_half_cell("si-zno4", PROTOCOL, pset=pset, mesh_points=MESH)
    cols = ["lithiation_capacity_mAh_per_g", "delithiation_capacity_mAh_per_g", "delithiation_mean_voltage_V"]
    np.testing.assert_allclose(reused.cycles[cols].to_numpy(), fresh.cycles[cols].to_numpy(), rtol=1e-12)
    # and PyBaMM's own experiment path, parameters baked in (tolerance 1e-6 there, 1e-5 here)
    sol = build_simulation(paper_half_cell(named_material("si-zno4")), PROTOCOL, pset, mesh_points=MESH).solve()
    q = [st["Charge passed [A.h]"].entries for c in sol.cycles for st in c.steps]
    cap_pybamm = np.array([abs(x[-1] - x[0]) for x in q])
    cap_engine = reused.cycles[["lithiation_capacity_mAh", "delithiation_capacity_mAh"]].to_numpy().ravel() / 1000
    np.testing.assert_allclose(cap_engine, cap_pybamm, rtol=1e-3)
