"""Peaks of a DRT: regions between the minima of gamma, small ones merged, each assigned to a process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from sizno.eis.drt_kernel import DRTKernel
from sizno.eis.windows import TauWindow, assign_process


@dataclass(frozen=True)
class DRTPeak:
    tau_s: float
    resistance_ohm: float
    gamma_peak_ohm: float
    process: str
    tau_lo_s: float
    tau_hi_s: float
    resistance_std_ohm: float | None = None
    in_measured_range: bool = True

    @property
    def frequency_Hz(self) -> float:
        return 1.0 / (2 * np.pi * self.tau_s)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tau_s": self.tau_s,
            "resistance_ohm": self.resistance_ohm,
            "process": self.process,
            "frequency_Hz": self.frequency_Hz,
            "gamma_peak_ohm": self.gamma_peak_ohm,
            "tau_range_s": [self.tau_lo_s, self.tau_hi_s],
            "resistance_std_ohm": self.resistance_std_ohm,
            "in_measured_range": self.in_measured_range,
        }


def _find_peaks(gamma: np.ndarray, dlntau: float, min_fraction: float) -> list[tuple[int, int, int]]:
    """(index of maximum, start, stop) of each peak; regions split at the minima between maxima.
    Peaks below `min_fraction` of the total area merge into the neighbour across the shallower valley."""
    m = gamma.size
    total = float(np.sum(gamma)) * dlntau
    if total <= 0:
        return []
    thresh = 1e-3 * float(np.max(gamma))
    g = np.concatenate([[-np.inf], gamma, [-np.inf]])
    maxima = []
    j = 1
    while j <= m:
        if g[j] > thresh and g[j] > g[j - 1]:
            k = j
            while k + 1 <= m and g[k + 1] == g[j]:
                k += 1  # plateau
            if g[k + 1] < g[j]:
                maxima.append((j + k) // 2 - 1)
            j = k + 1
        else:
            j += 1
    if not maxima:
        return []
    bounds = [0]
    for a, c in zip(maxima, maxima[1:]):
        bounds.append(a + int(np.argmin(gamma[a : c + 1])))
    bounds.append(m)
    regions = [[mx, bounds[i], bounds[i + 1]] for i, mx in enumerate(maxima)]

    def area(rg):
        return float(np.sum(gamma[rg[1] : rg[2]])) * dlntau

    while len(regions) > 1:
        areas = [area(rg) for rg in regions]
        i = int(np.argmin(areas))
        if areas[i] >= min_fraction * total:
            break
        # neighbour across the higher (shallower) valley
        left_valley = gamma[regions[i][1]] if i > 0 else -np.inf
        right_valley = gamma[regions[i][2]] if i < len(regions) - 1 else -np.inf
        j = i - 1 if left_valley >= right_valley else i + 1
        a, b = sorted((i, j))
        keep = regions[a] if gamma[regions[a][0]] >= gamma[regions[b][0]] else regions[b]
        regions[a : b + 1] = [[keep[0], regions[a][1], regions[b][2]]]
    if len(regions) == 1 and area(regions[0]) < min_fraction * total:
        return []
    return [tuple(rg) for rg in regions]


def _peak_tau(tau: np.ndarray, gamma: np.ndarray, i: int) -> float:
    if 0 < i < gamma.size - 1 and np.all(gamma[i - 1 : i + 2] > 0):
        y = np.log(gamma[i - 1 : i + 2])
        den = y[0] - 2 * y[1] + y[2]
        if den < 0:
            off = 0.5 * (y[0] - y[2]) / den
            if abs(off) <= 1:
                return float(tau[i] * (tau[i + 1] / tau[i]) ** off)
    return float(tau[i])


def drt_peaks(kernel: DRTKernel, gamma: np.ndarray, cov: np.ndarray | None, scale: float, min_fraction: float,
              windows: Sequence[TauWindow], tolerance_decades: float) -> tuple[DRTPeak, ...]:
    """The peaks of `gamma` [ohm] on the kernel's grid; `cov`: the covariance of the scaled solution (None: no
    uncertainty), `scale` [ohm] its unit."""
    w_meas = 2 * np.pi * kernel.frequency_Hz
    tau_in = (1.0 / w_meas.max(), 1.0 / w_meas.min())
    peaks = []
    for imax, lo, hi in _find_peaks(gamma, kernel.dlntau, min_fraction):
        tau_pk = _peak_tau(kernel.tau_s, gamma, imax)
        r_std = None
        if cov is not None:
            sl = slice(lo, hi)
            r_std = float(np.sqrt(np.sum(cov[sl, sl])) * scale * kernel.dlntau)
        peaks.append(
            DRTPeak(
                tau_s=tau_pk,
                resistance_ohm=float(np.sum(gamma[lo:hi]) * kernel.dlntau),
                gamma_peak_ohm=float(gamma[imax]),
                process=assign_process(tau_pk, windows, tolerance_decades),
                tau_lo_s=float(kernel.tau_edges_s[lo]),
                tau_hi_s=float(kernel.tau_edges_s[hi]),
                resistance_std_ohm=r_std,
                in_measured_range=bool(tau_in[0] <= tau_pk <= tau_in[1]),
            )
        )
    return tuple(peaks)
