"""DRT: synthetic spectra with known ground truth (issue 3, Tests)."""

import numpy as np
import pytest

from sizno.data import read_toml
from sizno.eis import DRTSettings, ImpedanceSpectrum, drt
from sizno.eis.drt import DRTKernel
from sizno.eis.elements import log_frequencies, synthetic_spectrum
from sizno.eis.series import drt_series
from sizno.eis.windows import TauWindow, assign_process, default_windows

TRUTH = [(3e-6, 20.0), (3e-4, 40.0), (3e-2, 80.0)]
R0 = 10.0
R_TOTAL = R0 + sum(r for _, r in TRUTH)


def _spectrum(n=None, seed=0, noise=0.01):
    arcs = [(r, t) if n is None else (r, t, n) for t, r in TRUTH]
    # 1 MHz – 0.1 Hz, 10 points per decade
    return synthetic_spectrum(R0, arcs, frequency_Hz=log_frequencies(1e6, 0.1, 10), noise=noise, seed=seed)


def _check_recovery(result):
    matched = set()
    for tau, r in TRUTH:
        hits = [p for p in result.peaks if abs(np.log(p.tau_s / tau)) < np.log(1.5) and abs(p.resistance_ohm - r) < 0.15 * r]
        assert hits, f"no peak within x1.5 in tau and 15% in R of ({tau}, {r}): {result.peaks}"
        matched |= {id(p) for p in hits}
    spurious = [p for p in result.peaks if id(p) not in matched and p.resistance_ohm > 0.05 * R_TOTAL]
    assert not spurious, spurious


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_three_rc_recovered(seed):
    res = drt(_spectrum(seed=seed))
    _check_recovery(res)
    assert [p.process for p in sorted(res.peaks, key=lambda p: -p.resistance_ohm)[:3]] == ["charge_transfer", "sei", "electrolyte"]
    assert res.r_inf_ohm == pytest.approx(R0, rel=0.1)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_three_zarc_n09_recovered(seed):
    _check_recovery(drt(_spectrum(n=0.9, seed=seed)))


def test_lambda_chosen_by_mgcv_and_reported():
    res = drt(_spectrum(n=0.9))
    s = res.settings
    assert s.lambda_min < res.lambda_ < s.lambda_max and not res.lambda_at_grid_edge
    assert res.lambda_ == pytest.approx(res.lambda_grid[np.nanargmin(res.lambda_score)], rel=1.0)  # refined near the grid minimum
    assert res.to_dict()["lambda"] == res.lambda_
    gcv = drt(_spectrum(n=0.9), DRTSettings(method="gcv"))
    assert gcv.lambda_method == "gcv"
    fixed = drt(_spectrum(n=0.9), DRTSettings(method="fixed", lambda_value=1e-2))
    assert fixed.lambda_ == 1e-2


def test_kernel_is_exact_for_a_bin():
    """A gamma that is constant over one bin gives the analytic impedance of that distribution."""
    f = log_frequencies(1e4, 1.0, 10)
    k = DRTKernel(f, DRTSettings(points_per_decade=10))
    j = k.n_gamma // 2
    lo, hi = np.log(k.tau_edges_s[j]), np.log(k.tau_edges_s[j + 1])
    w = 2 * np.pi * f
    u = np.linspace(lo, hi, 20001)
    num = np.trapezoid(1.0 / (1.0 + 1j * w[:, None] * np.exp(u)[None, :]), u, axis=1)
    np.testing.assert_allclose(k.a_re[:, j] + 1j * k.a_im[:, j], num, rtol=1e-6, atol=1e-9)


def test_noise_free_spectrum_polarisation_resistance_conserved():
    res = drt(_spectrum(n=0.8, noise=0.0))
    assert res.r_inf_ohm + res.r_pol_ohm == pytest.approx(R_TOTAL, rel=0.02)
    assert res.fit_rms_residual < 0.005
    assert res.kk.valid


def test_inductance_column():
    f = log_frequencies(1e6, 0.1, 10)
    s = synthetic_spectrum(R0, [(r, t, 0.9) for t, r in TRUTH], frequency_Hz=f, inductance_H=2e-7, noise=0.002)
    res = drt(s)
    assert res.inductance_H == pytest.approx(2e-7, rel=0.2)
    no_l = drt(s, DRTSettings(inductance=False))
    assert no_l.fit_rms_residual > 2 * res.fit_rms_residual


def test_uncertainty_band_and_peak_errors():
    res = drt(_spectrum(n=0.9))
    assert res.gamma_std_ohm is not None and np.all(res.gamma_std_ohm >= 0)
    for p in res.peaks:
        assert p.resistance_std_ohm is not None and 0 <= p.resistance_std_ohm < p.resistance_ohm


def test_paper_windows_are_the_default():
    ref = read_toml("reference/paper-values.toml")["drt"]["tau_s"]
    ws = {w.process: (w.tau_min_s, w.tau_max_s) for w in default_windows()}
    for proc in ("electrolyte", "sei", "charge_transfer"):
        assert list(ws[proc]) == pytest.approx(ref[proc])
    assert assign_process(5e-2) == "charge_transfer"
    assert assign_process(3e-5) == "unassigned"
    assert assign_process(3e-5, tolerance_decades=0.6) in ("electrolyte", "sei")
    custom = [TauWindow("fast", 1e-7, 1e-4), TauWindow("slow", 1e-4, 1.0)]
    res = drt(_spectrum(), windows=custom)
    assert sorted({p.process for p in res.peaks if p.resistance_ohm > 10}) == ["fast", "slow"]


def test_series_reuses_kernel_and_tracks_trends():
    f = log_frequencies(1e6, 0.1, 10)
    spectra = []
    for i in range(6):
        arcs = [(20.0, 3e-6, 0.9), (40.0 * (1 - 0.08 * i), 3e-4, 0.9), (80.0 * (1 + 0.1 * i), 3e-2, 0.9)]
        spectra.append(synthetic_spectrum(R0, arcs, frequency_Hz=f, noise=0.005, seed=i))
    ser = drt_series(spectra, state=np.linspace(0, 1, 6), state_label="state of charge")
    assert ser.kernels_built == 1
    tau, state, g = ser.gamma_map()
    assert g.shape == (6, tau.size) and state[-1] == 1.0
    tr = ser.trends()
    assert tr["sei"] == "falling" and tr["charge_transfer"] == "rising" and tr["electrolyte"] == "flat"
    assert len(ser.to_list()) == 6


def test_kk_failure_is_reported_on_the_result():
    s = _spectrum(n=0.9)
    bad = ImpedanceSpectrum.from_arrays(s.frequency_Hz, s.z_ohm.real + 1.3j * s.z_ohm.imag)
    res = drt(bad)
    assert not res.kk.valid
    assert any("Kramers" in n for n in res.notes)
