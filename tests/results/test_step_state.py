"""RunResult.step_state: the model's state at the start/end of a step (time series or cycle table)."""

import pandas as pd
import pytest

from sizno.errors import SiznoInputError
from sizno.results import RunResult
from sizno.results.run import HALF_CELL_CYCLE_COLUMNS


def _result(keep_timeseries: bool = True) -> RunResult:
    ts = pd.DataFrame({
        "test_time_second": [0.0, 1.0, 2.0, 3.0, 4.0],
        "cycle_count": [1, 1, 1, 1, 1],
        "step_count": [1, 1, 2, 2, 2],
        "step_type": ["lithiation", "lithiation", "delithiation", "delithiation", "delithiation"],
        "amorphous_fraction": [0.0, 0.5, 0.5, 0.55, 0.6],
    })
    row = dict.fromkeys(HALF_CELL_CYCLE_COLUMNS, 0.0) | {"cycle_index": 1, "amorphous_fraction": 0.6}
    cycles = pd.DataFrame([row], columns=list(HALF_CELL_CYCLE_COLUMNS))
    return RunResult(timeseries=ts if keep_timeseries else pd.DataFrame(), cycles=cycles)


def test_start_and_end_of_a_step_from_the_time_series():
    r = _result()
    assert r.step_state(1, "lithiation", "start")["amorphous_fraction"] == 0.0
    assert r.step_state(1, "lithiation")["amorphous_fraction"] == 0.5
    end = r.step_state(1, "delithiation")
    assert end["amorphous_fraction"] == 0.6 and end["test_time_second"] == 4.0 and "step_type" not in end


def test_cycle_table_when_the_series_was_not_kept():
    r = _result(keep_timeseries=False)
    assert r.step_state(1, "delithiation")["amorphous_fraction"] == 0.6  # the cycle's closing step
    with pytest.raises(SiznoInputError):
        r.step_state(1, "lithiation")  # not the closing step: no state kept


@pytest.mark.parametrize("args", [(2, "lithiation"), (1, "rest"), (1, "lithiation", "middle")])
def test_bad_requests(args):
    with pytest.raises(SiznoInputError):
        _result().step_state(*args)
