import numpy as np

from sizno.eis.elements import log_frequencies, synthetic_spectrum
from sizno.eis.kk import lin_kk
from sizno.eis.spectrum import ImpedanceSpectrum


def _valid(seed=0, noise=0.01):
    return synthetic_spectrum(10, [(20, 3e-6, 0.9), (40, 3e-4, 0.9), (80, 3e-2, 0.9)], frequency_Hz=log_frequencies(1e6, 0.1, 10), noise=noise, seed=seed)


def test_valid_spectra_pass():
    for seed in range(3):
        k = lin_kk(_valid(seed))
        assert k.valid, k.verdict()
        assert 0.005 < k.rms_residual < 0.015  # residuals at the noise level
    assert lin_kk(_valid(noise=0.0)).rms_residual < 1e-3


def test_ideal_rc_spectrum_passes():
    s = synthetic_spectrum(10, [(20, 3e-6), (40, 3e-4), (80, 3e-2)], frequency_Hz=log_frequencies(1e6, 0.1, 10), noise=0.01)
    assert lin_kk(s).valid


def test_spectrum_made_invalid_on_purpose_is_flagged():
    s = _valid()
    # imaginary part inflated by 30 % alone: no causal impedance has this real/imaginary pair
    bad = ImpedanceSpectrum.from_arrays(s.frequency_Hz, s.z_ohm.real + 1.3j * s.z_ohm.imag)
    k = lin_kk(bad)
    assert not k.valid and k.rms_residual > 0.03
    # drift: the real part grows during the (low-frequency, slow) end of the sweep by 20 % of R_pol
    frac = np.linspace(0, 1, s.n)
    drift = ImpedanceSpectrum.from_arrays(s.frequency_Hz, s.z_ohm + 0.2 * 140 * frac**3)
    assert not lin_kk(drift).valid
