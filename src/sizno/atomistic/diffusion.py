"""Hopping transport from a NEB barrier: D = (nu a^2 / (2 d)) exp(-Ea / kT), and the ratio of two such D.

Attempt frequency nu = 1e13 Hz (typical optical-phonon frequency), hop length a = the NEB's Li
displacement, d = 1 (transport along a 1-D interface channel). `sizno.lab.transport` turns the
ratio into the continuum model's network conductivity and a capacity.
"""

from __future__ import annotations

import math

from sizno.units import BOLTZMANN_EV_PER_K as KB_EV_PER_K

ATTEMPT_FREQUENCY_HZ = 1.0e13


def arrhenius_D_m2_per_s(barrier_eV: float, temperature_K: float, hop_length_A: float,
                         attempt_frequency_Hz: float = ATTEMPT_FREQUENCY_HZ, dimensionality: int = 1) -> float:
    """Hopping diffusion coefficient [m^2/s]."""
    a = hop_length_A * 1e-10
    return attempt_frequency_Hz * a * a / (2 * dimensionality) * math.exp(-barrier_eV / (KB_EV_PER_K * temperature_K))


def conductivity_ratio(barrier_eV: float, ref_barrier_eV: float, temperature_K: float,
                       hop_length_A: float, ref_hop_length_A: float) -> float:
    """D(barrier_eV, hop_length_A) / D(ref_barrier_eV, ref_hop_length_A) at temperature_K, same nu and d."""
    return (arrhenius_D_m2_per_s(barrier_eV, temperature_K, hop_length_A)
            / arrhenius_D_m2_per_s(ref_barrier_eV, temperature_K, ref_hop_length_A))
