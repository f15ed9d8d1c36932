"""The knee of a capacity-fade curve: where a fade accelerates, not where a rise ends."""

import numpy as np
import pandas as pd

from sizno.results import RunResult
from sizno.results.observables import knee_cycle


def _run(q: np.ndarray) -> RunResult:
    cycles = pd.DataFrame({"cycle_index": np.arange(1, len(q) + 1), "block_index": 0, "block_label": "long",
                           "current_A_per_g": 0.8, "lithiation_capacity_mAh_per_g": q, "delithiation_capacity_mAh_per_g": q})
    return RunResult(timeseries=pd.DataFrame(), cycles=cycles, metadata={"cell": "half cell"})


def test_a_slow_fade_that_turns_fast_has_its_knee_there():
    k = np.arange(1, 201)
    q = 2000 - 0.5 * k - 8.0 * np.maximum(k - 120, 0)
    assert abs(knee_cycle(_run(q)) - 120) <= 2


def test_the_end_of_a_rise_is_not_a_knee():
    k = np.arange(1, 201)
    q = 1400 + 0.1 * np.minimum(k, 130) - 1.2 * np.maximum(k - 130, 0)
    assert np.isnan(knee_cycle(_run(q)))


def test_a_steady_fade_has_no_knee():
    k = np.arange(1, 201)
    assert np.isnan(knee_cycle(_run(2000 - 2.0 * k)))


def test_a_fade_a_rise_then_a_fade_is_not_a_knee():
    """Residual c-Si activating mid-test (the model's long cycling): down, up ~10 %, then an ordinary fade."""
    k = np.arange(1, 201)
    dip = 1500 - 3.0 * np.minimum(k, 60)
    rise = 150 * np.clip((k - 60) / 40, 0, 1)
    q = dip + rise - 2.4 * np.maximum(k - 100, 0)
    assert np.isnan(knee_cycle(_run(q)))


def test_a_knee_after_a_rise_is_found_after_its_peak():
    k = np.arange(1, 201)
    q = 1500 + 100 * np.clip((k - 10) / 20, 0, 1) - 0.5 * np.maximum(k - 30, 0) - 8.0 * np.maximum(k - 130, 0)
    assert abs(knee_cycle(_run(q)) - 130) <= 2
