"""The front's stress relief: it grows only while Li leaves the Si, and stays within [0, 1]."""

import numpy as np

from sizno.cell import paper_half_cell
from sizno.experiments.protocols import rate_test
from sizno.experiments.runner import build_simulation
from sizno.materials import named_material


def test_relief_grows_on_delithiation_only_and_stays_a_share():
    cell = paper_half_cell(named_material("si-zno4"))
    sol = build_simulation(cell, rate_test([0.4], 2), mesh_points=8).solve()
    for cycle in sol.cycles:
        lith, delith = cycle.steps[0], cycle.steps[1]
        r_lith = lith["Front stress relief [-]"].entries
        r_delith = delith["Front stress relief [-]"].entries
        grown = r_delith[:, -1] - r_delith[:, 0]
        assert np.all(grown >= -1e-9) and np.max(grown) > 1e-3
        # a lithiation (trapping included) never undoes relief, and adds next to nothing (the smooth
        # |rate|'s corner, and Li leaving a few cells as it spreads)
        changed = r_lith[:, -1] - r_lith[:, 0]
        assert np.all(changed >= -1e-9) and np.max(changed) < 1e-2 * np.max(grown)
        assert np.all((r_delith >= -1e-9) & (r_delith <= 1 + 1e-9))
