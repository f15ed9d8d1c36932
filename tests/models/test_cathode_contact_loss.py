"""Cathode ageing: NCM811 loses contact with the electrolyte in proportion to the volume change it sweeps."""

import numpy as np
import pytest

from sizno.cell import paper_full_cell
from sizno.experiments.protocols import c_rate_test
from sizno.experiments.runner import build_simulation
from sizno.materials import named_material
from sizno.models.parameters import load_parameter_set

ANODE_CAPACITY = 2200.0  # mAh/g for N/P: fixed so the tests need no half-cell run
K = "NCM811 contact loss per volumetric strain [-]"
BETA = "NCM811 volumetric strain per Li content [-]"


def _solve(values: dict[str, float], cycles: int = 2):
    cell = paper_full_cell(named_material("si-zno4"), anode_capacity_mAh_per_g=ANODE_CAPACITY)
    pset = load_parameter_set().with_values(values)
    return build_simulation(cell, c_rate_test([0.5], cycles), pset=pset, mesh_points=12).solve()


@pytest.fixture(scope="module")
def losing():
    return _solve({K: 0.05})


@pytest.fixture(scope="module")
def losing_larger_swing():
    return _solve({K: 0.05, BETA: 2 * load_parameter_set().value(BETA)})


def _share_after_each_cycle(sol) -> list[float]:
    return [float(c["Average NCM811 share in contact [-]"].entries[-1]) for c in sol.cycles]


def test_the_default_keeps_every_particle_in_contact():
    assert load_parameter_set().value(K) == 0.0
    sol = _solve({}, cycles=1)
    assert np.allclose(sol["NCM811 share in contact [-]"].entries, 1.0)


def test_contact_share_falls_cycle_by_cycle_and_more_with_a_larger_swing(losing, losing_larger_swing):
    share = _share_after_each_cycle(losing)
    assert 1.0 > share[0] > share[1] > 0.9
    assert np.all(np.diff(losing["Average NCM811 share in contact [-]"].entries) <= 1e-12)  # never recovers
    # the loss per cycle is k x the swept strain: about twice the strain, about twice the loss
    lost, lost_2x = 1 - share[-1], 1 - _share_after_each_cycle(losing_larger_swing)[-1]
    assert 1.7 < lost_2x / lost < 2.1


def test_lithium_is_conserved_with_the_stranded_particles(losing):
    total = losing["Total lithium [mol]"].entries
    stranded = losing["Lithium stranded in cathode [mol]"].entries
    assert stranded[-1] > 1e-4 * total[0]  # Li really left with the lost particles
    assert np.ptp(total) / total[0] < 1e-6


def test_charge_passed_equals_lithium_moved_into_the_cathode(losing):
    F = 96485.33212
    cath = losing["Lithium in cathode [mol]"].entries - losing["Cathode double-layer charge [mol]"].entries
    q = losing["Discharge capacity [A.h]"].entries * 3600 / F
    assert (cath - cath[0]) == pytest.approx(q - q[0], rel=1e-5, abs=1e-12)


def test_lost_contact_costs_capacity(losing):
    fresh = _solve({}, cycles=2)

    def discharge_Ah(sol):
        return abs(float(np.ptp(sol.cycles[-1].steps[-1]["Discharge capacity [A.h]"].entries)))

    assert discharge_Ah(losing) < discharge_Ah(fresh)
