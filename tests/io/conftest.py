from pathlib import Path

import numpy as np
import pandas as pd
import pytest

HERE = Path(__file__).parent
DATA = HERE.parent / "data"  # real tester files kept in the repository (sources and licences: PROVENANCE.md)


@pytest.fixture
def shared():
    """The folder of real tester files (tests/data); always present, so no reader test skips."""
    return DATA


def synthetic_cycles(n_per_half: int = 61) -> pd.DataFrame:
    """Two cycles, hand-computable: lithiation at -1 mA for 1 h (V 1.0→0.0 linear), delithiation at
    +0.8 mA for 1 h (V 0.2→1.0 linear); cycle 2 the same with 0.9 mA and 0.81 mA.
    No capacity columns: capacities are coulomb-counted."""
    rows = []
    t0 = 0.0
    for cyc, (i_l, i_d) in enumerate(((1e-3, 0.8e-3), (0.9e-3, 0.81e-3)), start=1):
        for step, (cur, v0, v1) in enumerate(((-i_l, 1.0, 0.0), (i_d, 0.2, 1.0)), start=1):
            tt = np.linspace(0.0, 3600.0, n_per_half)
            for k, ts in enumerate(tt):
                rows.append((t0 + ts, v0 + (v1 - v0) * ts / 3600.0, cur, cyc, step + 2 * (cyc - 1)))
            t0 += 3600.0  # instantaneous step change: the boundary interval has dt = 0
    return pd.DataFrame(rows, columns=["test_time_second", "voltage_volt", "current_ampere", "cycle_count", "step_index"])


@pytest.fixture
def synth():
    return synthetic_cycles
