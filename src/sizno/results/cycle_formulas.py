"""The per-cycle formulas shared by the simulator's cycle table and the measured-data metrics.

`sizno.experiments.runner` (capacities read off the model's charge counter, one number per step as
the steps arrive) and `sizno.io.metrics` (capacities from a tester's counters, vectorised over a
BDF time series) both report capacities per gram, coulombic efficiency and mean voltage; both call
these, so the definitions live in one place. Each works on a float or a numpy array.
"""

from __future__ import annotations

import numpy as np

from sizno.units import Ah_to_mAh, T

PERCENT = 100.0


def capacity_mAh_per_g(capacity_Ah: T, mass_g: float) -> T:
    """Specific capacity [mAh/g] of a capacity [Ah] per gram of the stated mass."""
    return Ah_to_mAh(capacity_Ah) / mass_g


def coulombic_efficiency_percent(out_Ah: T, in_Ah: T) -> T:
    """Capacity out / capacity in of the same cycle [%]; NaN where nothing went in."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ce = np.where(np.asarray(in_Ah) > 0, PERCENT * np.asarray(out_Ah) / np.asarray(in_Ah), np.nan)
    return float(ce) if ce.ndim == 0 else ce


def mean_voltage_V(energy_Wh: T, capacity_Ah: T) -> T:
    """Mean voltage of a half cycle, ∫V dQ / Q [V]; NaN where no charge passed."""
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.where(np.asarray(capacity_Ah) > 0, np.asarray(energy_Wh) / np.asarray(capacity_Ah), np.nan)
    return float(v) if v.ndim == 0 else v
