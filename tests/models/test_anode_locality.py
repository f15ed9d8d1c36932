"""The anode's discretised equations: which states each node's equation reaches (the Jacobian's pattern),
and the OCP fits in the form the solver evaluates."""

from __future__ import annotations

import casadi
import numpy as np
import pybamm
import pytest
from pybamm.input.parameters.lithium_ion.Chen2020_composite import (
    silicon_ocp_delithiation_Mark2016,
    silicon_ocp_lithiation_Mark2016,
)

from sizno.cell import paper_half_cell
from sizno.experiments.protocols import rate_test
from sizno.experiments.runner import build_simulation
from sizno.materials import named_material
from sizno.models.anode.thermodynamics import (
    SI_OCP_DELITHIATION_COEFFICIENTS,
    SI_OCP_LITHIATION_COEFFICIENTS,
    horner,
)

MESH = 8
# states whose equations hold no transport: each node's row reaches only that node's own states
LOCAL_STATES = ("Hysteresis state", "Filtered mobile lithium", "Isolated Si sites", "Isolated lithium",
                "Front stress relief", "Amorphous fraction", "ZnO conversion", "LiZn fraction", "Trapped lithium")


def _jacobian_pattern() -> tuple[np.ndarray, dict[int, tuple[str, int]]]:
    sim = build_simulation(paper_half_cell(named_material("si-zno4")), rate_test([0.8], 1), mesh_points=MESH)
    sim.build()
    model = sim.built_model
    y = casadi.MX.sym("y", model.len_rhs_and_alg)
    rhs = model.concatenated_rhs.to_casadi(casadi.MX.sym("t"), y, inputs={})
    rows, cols = (np.asarray(a) for a in casadi.jacobian_sparsity(rhs, y).get_triplet())
    where = {}
    for var, slices in model.y_slices.items():
        for sl in slices:
            for i in range(sl.start, sl.stop):
                where[i] = (var.name, i - sl.start)
    return np.stack([rows, cols], axis=1), where


def test_ageing_hysteresis_and_reaction_rows_are_local():
    """Only the mobile Li carries the flux's divergence: the hysteresis, its filter, the cracking and the stress
    relief follow the filtered local rate, so their rows do not reach the neighbours' states (they did when
    they followed dc/dt, and the Jacobian was twice as dense)."""
    pattern, where = _jacobian_pattern()
    reached: dict[tuple[str, int], set[int]] = {}
    for r, c in pattern:
        reached.setdefault(where[r], set()).add(where[c][1] if where[c][0] != "SEI thickness [nm]" else -1)
    for (name, node), nodes in reached.items():
        if name.startswith(LOCAL_STATES):
            assert nodes - {-1} <= {node}, f"{name}[{node}] reaches nodes {sorted(nodes)}"
    mobile = [nodes for (name, node), nodes in reached.items() if name.startswith("Mobile lithium") and 0 < node < MESH - 1]
    assert mobile and all(len(n - {-1}) == 3 for n in mobile)  # the flux: a node and its two neighbours


@pytest.mark.parametrize("ours, pybamms", [(SI_OCP_LITHIATION_COEFFICIENTS, silicon_ocp_lithiation_Mark2016),
                                           (SI_OCP_DELITHIATION_COEFFICIENTS, silicon_ocp_delithiation_Mark2016)])
def test_ocp_polynomials_are_pybamms_fits(ours, pybamms):
    z = np.linspace(0.01, 0.99, 41)
    theirs = pybamms(pybamm.Vector(z)).evaluate().ravel()
    if pybamms is silicon_ocp_lithiation_Mark2016:
        theirs = theirs - 1e-4 * (1 / z + 1 / (z - 1))  # its end-member tails, which the anode adds itself
    np.testing.assert_allclose(horner(z, ours), theirs, rtol=0, atol=1e-12)
