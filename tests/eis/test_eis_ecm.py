import pytest

from sizno.eis.ecm import fit_circuit
from sizno.eis.elements import log_frequencies, synthetic_spectrum

ARCS = [(20.0, 3e-6, 0.9), (40.0, 3e-4, 0.85), (80.0, 3e-2, 0.95)]


def test_fit_recovers_circuit_with_uncertainties():
    s = synthetic_spectrum(10.0, ARCS, frequency_Hz=log_frequencies(1e6, 0.1, 10), noise=0.01, seed=4)
    fit = fit_circuit(s, n_arcs=3)
    assert fit.success and fit.rms_residual < 0.015
    assert fit.value("R0_ohm") == pytest.approx(10.0, rel=0.05)
    for k, (r, tau, n) in enumerate(ARCS, start=1):
        assert fit.value(f"R{k}_ohm") == pytest.approx(r, rel=0.05)
        assert fit.value(f"tau{k}_s") == pytest.approx(tau, rel=0.1)
        assert fit.value(f"n{k}") == pytest.approx(n, abs=0.03)
        # the truth lies within 4 standard errors
        assert abs(fit.value(f"R{k}_ohm") - r) < 4 * fit.std(f"R{k}_ohm")
        assert fit.value(f"Q{k}") == pytest.approx(tau**n / r, rel=0.2)


def test_fit_with_warburg_tail():
    s = synthetic_spectrum(10.0, ARCS, frequency_Hz=log_frequencies(1e6, 0.1, 10), noise=0.01, warburg_sigma=30.0)
    fit = fit_circuit(s, n_arcs=3, diffusion="warburg")
    assert fit.circuit.endswith("+ W")
    assert fit.value("sigma_W") == pytest.approx(30.0, rel=0.1)
    assert fit.value("R3_ohm") == pytest.approx(80.0, rel=0.1)
