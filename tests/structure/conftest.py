import numpy as np
import pytest

# the Structure area needs the optional extra `structure` (pymatgen, spglib)
pytest.importorskip("pymatgen")
pytest.importorskip("spglib")


@pytest.fixture(scope="session")
def paper():
    from sizno.data import read_toml

    return read_toml("reference/paper-values.toml")


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
