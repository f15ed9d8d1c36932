"""Impedance of circuit elements [ohm] at angular frequency omega [rad/s], physical sign (capacitive: Im < 0).

Used by the equivalent-circuit fit and by the synthetic spectra with known ground truth.
"""

from __future__ import annotations

import numpy as np

from sizno.eis.spectrum import ImpedanceSpectrum


def z_rc(omega, r_ohm: float, tau_s: float) -> np.ndarray:
    """R in parallel with C, tau = R C."""
    return r_ohm / (1 + 1j * np.asarray(omega) * tau_s)


def z_zarc(omega, r_ohm: float, tau_s: float, n: float) -> np.ndarray:
    """R in parallel with a CPE (Q, n), written through tau = (R Q)^(1/n)."""
    return r_ohm / (1 + (1j * np.asarray(omega) * tau_s) ** n)


def q_from_tau(r_ohm: float, tau_s: float, n: float) -> float:
    """CPE coefficient Q [F s^(n-1)] of an R‖CPE with time constant tau."""
    return tau_s**n / r_ohm


def z_warburg_semi_infinite(omega, sigma_ohm_sqrt_s: float) -> np.ndarray:
    """Semi-infinite Warburg, Z = sigma (1 - j) / sqrt(omega)."""
    w = np.asarray(omega, dtype=float)
    return sigma_ohm_sqrt_s * (1 - 1j) / np.sqrt(w)


def z_finite_length_transmissive(omega, r_ohm: float, tau_s: float) -> np.ndarray:
    """Finite-length diffusion with a transmissive boundary ("Ws"): R tanh(sqrt(jwt))/sqrt(jwt); DC limit R."""
    s = np.sqrt(1j * np.asarray(omega) * tau_s)
    return r_ohm * np.tanh(s) / s


def z_finite_space_reflective(omega, r_ohm: float, tau_s: float) -> np.ndarray:
    """Finite-space diffusion with a blocking boundary ("Wo"): R coth(sqrt(jwt))/sqrt(jwt); capacitive at DC."""
    s = np.sqrt(1j * np.asarray(omega) * tau_s)
    return r_ohm / (s * np.tanh(s))


def log_frequencies(f_max_Hz: float = 1e6, f_min_Hz: float = 0.1, points_per_decade: int = 10) -> np.ndarray:
    """Log-spaced frequencies from f_max down to f_min, both included."""
    decades = np.log10(f_max_Hz / f_min_Hz)
    n = int(round(decades * points_per_decade)) + 1
    return np.logspace(np.log10(f_max_Hz), np.log10(f_min_Hz), n)


def synthetic_spectrum(
    r0_ohm: float = 10.0,
    arcs: list[tuple[float, float] | tuple[float, float, float]] = ((20.0, 3e-6), (40.0, 3e-4), (80.0, 3e-2)),
    *,
    frequency_Hz=None,
    noise: float = 0.0,
    seed: int | None = 0,
    inductance_H: float = 0.0,
    warburg_sigma: float = 0.0,
) -> ImpedanceSpectrum:
    """R0 + sum of R‖C (R, tau) or R‖CPE (R, tau, n) [+ L, + semi-infinite Warburg], with noise.

    Noise: proportional, Z + noise |Z| (e1 + j e2) with e1, e2 ~ N(0, 1): a standard deviation of
    `noise` x |Z| on the real and on the imaginary part (the usual proportional error model).
    """
    f = log_frequencies() if frequency_Hz is None else np.asarray(frequency_Hz, dtype=float)
    w = 2 * np.pi * f
    z = np.full(f.shape, r0_ohm, dtype=complex) + 1j * w * inductance_H
    for arc in arcs:
        if len(arc) == 2:
            z = z + z_rc(w, arc[0], arc[1])
        else:
            z = z + z_zarc(w, arc[0], arc[1], arc[2])
    if warburg_sigma:
        z = z + z_warburg_semi_infinite(w, warburg_sigma)
    if noise:
        rng = np.random.default_rng(seed)
        z = z + noise * np.abs(z) * (rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size))
    return ImpedanceSpectrum.from_arrays(
        f, z, metadata={"name": "synthetic", "source": "synthetic", "truth": {"r0_ohm": r0_ohm, "arcs": [list(a) for a in arcs]}}
    )
