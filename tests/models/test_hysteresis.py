"""The a-Si hysteresis (filtered local-rate form): branch order and relaxation in both directions."""

import numpy as np

from sizno.cell import paper_half_cell
from sizno.experiments.protocols import rate_test
from sizno.experiments.runner import build_simulation
from sizno.materials import named_material


def test_hysteresis_relaxes_both_ways_and_delithiation_branch_lies_above():
    cell = paper_half_cell(named_material("si-zno4"))
    sol = build_simulation(cell, rate_test([0.2], 2), mesh_points=10).solve()
    lith, delith = sol.cycles[1].steps[0], sol.cycles[1].steps[1]  # the second cycle: no c-Si plateau
    h_lith_end = lith["Hysteresis state [-]"].entries[:, -1]
    h_delith_end = delith["Hysteresis state [-]"].entries[:, -1]
    assert np.all(h_lith_end < -0.9)  # relaxed to the lithiation branch everywhere
    assert np.all(h_delith_end > 0.9)  # and back to the delithiation branch
    # open-circuit potential at the same filling: delithiation above lithiation
    z_l, U_l = lith["Amorphous Li filling [-]"].entries[0], lith["Open-circuit potential [V]"].entries[0]
    z_d, U_d = delith["Amorphous Li filling [-]"].entries[0], delith["Open-circuit potential [V]"].entries[0]
    grid = np.linspace(0.3, 0.7, 9)
    U_l_at = np.interp(grid, z_l[::-1] if z_l[0] > z_l[-1] else z_l, U_l[::-1] if z_l[0] > z_l[-1] else U_l)
    order = np.argsort(z_d)
    U_d_at = np.interp(grid, z_d[order], U_d[order])
    assert np.all(U_d_at > U_l_at + 0.05)
