"""Bad input: a clear error or a stated repair, never a silent wrong answer."""

import numpy as np
import pytest

from sizno.eis.elements import log_frequencies, synthetic_spectrum
from sizno.eis.spectrum import ImpedanceSpectrum
from sizno.errors import SiznoInputError


def _z(f):
    w = 2 * np.pi * f
    return 5 + 50 / (1 + 1j * w * 1e-3)


def test_simulated_spectrum_enters_as_arrays():
    f = log_frequencies(1e5, 0.1, 8)
    s = ImpedanceSpectrum.from_arrays(f, _z(f))
    assert s.n == f.size and np.all(np.diff(s.frequency_Hz) < 0)
    assert np.all(s.z_imag_ohm <= 0)


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda f, z: (f, np.where(np.arange(f.size) == 3, np.nan, z)), "NaN"),
        (lambda f, z: (f[:9], z[:9]), ">= 10"),
        (lambda f, z: (f, z.real + 0j), "imaginary part is zero"),
        (lambda f, z: (np.where(np.arange(f.size) == 0, -1.0, f), z), "non-positive"),
        (lambda f, z: (np.concatenate([f, f]), np.concatenate([z, z])), "several sweeps"),
    ],
)
def test_bad_input_rejected(mutate, match):
    f = log_frequencies(1e5, 0.1, 5)
    f2, z2 = mutate(f, _z(f))
    with pytest.raises(SiznoInputError, match=match):
        ImpedanceSpectrum.from_arrays(f2, z2)


def test_unsorted_and_duplicates_are_repaired_and_stated():
    f = log_frequencies(1e5, 0.1, 5)
    z = _z(f)
    rng = np.random.default_rng(1)
    order = rng.permutation(f.size)
    f2 = np.concatenate([f[order], f[:2]])
    z2 = np.concatenate([z[order], z[:2]])
    s = ImpedanceSpectrum.from_arrays(f2, z2)
    assert s.n == f.size
    np.testing.assert_allclose(s.z_ohm, z)
    assert any("sorted" in n for n in s.notes)
    assert any("dropped 2 duplicated" in n for n in s.notes)


def test_sign_convention_detected_and_stated():
    f = log_frequencies(1e5, 0.1, 5)
    z = _z(f)
    s = ImpedanceSpectrum.from_arrays(f, z_real_ohm=z.real, z_imag_ohm=-z.imag, imag_convention="auto")
    np.testing.assert_allclose(s.z_ohm, z)
    assert s.metadata["imag_convention_in"] == "-Z"
    assert any("-Im Z" in n for n in s.notes)


def test_synthetic_noise_is_proportional():
    s0 = synthetic_spectrum(noise=0.0)
    s1 = synthetic_spectrum(noise=0.01, seed=3)
    rel = (s1.z_ohm - s0.z_ohm) / np.abs(s0.z_ohm)
    assert 0.007 < np.std(rel.real) < 0.013
