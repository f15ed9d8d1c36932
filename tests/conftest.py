import os

import numpy as np
import pytest

os.environ.setdefault("PYBAMM_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MPLBACKEND", "Agg")
# the tests run uncompiled model functions (a command's `engine.compile_long_runs` leaves a set value alone):
# no test waits on a C compile or depends on gcc
os.environ.setdefault("SIZNO_COMPILE_MODELS", "0")


# XRD patterns as measured (tests/structure and the virtual ex-situ XRD in tests/lab)
@pytest.fixture()
def rng():
    return np.random.default_rng(20260)


def _measured(pattern, rng, counts=1000.0, background=20.0):
    """A pattern as a diffractometer would give it: counts, a sloping background, Poisson noise."""
    x = pattern.two_theta_deg
    y = pattern.intensity * counts / 100.0 + background * (1.0 + 30.0 / x)
    return x, rng.poisson(np.clip(y, 0, None)).astype(float)


@pytest.fixture()
def measured():
    return _measured
