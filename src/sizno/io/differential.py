"""Differential curves of a cycler time series: dQ/dV by voltage binning, dV/dQ on capacity bins."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sizno.errors import SiznoInputError
from sizno.io.halfcell import half_cell_mapping
from sizno.io.table import CyclerData, row_increments
from sizno.units import MILLI_PER_UNIT, Ah_to_mAh


def _gauss(y: np.ndarray, sigma: float) -> np.ndarray:
    if sigma <= 0:
        return y
    from scipy.ndimage import gaussian_filter1d

    return gaussian_filter1d(y, sigma, axis=-1, mode="constant")


def _spread_cdf(lo: np.ndarray, hi: np.ndarray, w: np.ndarray, edges: np.ndarray, bin_V: float) -> np.ndarray:
    """Charge passed below each edge when each interval's charge is spread evenly over [lo, hi].

    An interval's charge goes to the voltages it actually swept, so coarse sampling does not
    alias into a comb and a voltage reversal simply spreads its charge over the swept span.
    """
    width = np.maximum(hi - lo, 1e-6 * bin_V)
    s = w / width

    def ramp_sum(start: np.ndarray) -> np.ndarray:  # Σ s_k · max(0, e − start_k) at every edge e
        order = np.argsort(start)
        st, ss = start[order], s[order]
        c1 = np.r_[0.0, np.cumsum(ss)]
        c2 = np.r_[0.0, np.cumsum(ss * st)]
        k = np.searchsorted(st, edges, side="right")
        return edges * c1[k] - c2[k]

    return ramp_sum(lo) - ramp_sum(lo + width)


def dqdv_curves(data: CyclerData, cycles: list[int], *, bin_V: float = 0.005, sigma_bins: float = 2.0,
                electrode: str = "half", mass_g: float | None = None, area_cm2: float | None = None) -> pd.DataFrame:
    """dQ/dV by voltage binning for the given cycles (long table: cycle, direction, voltage, dQ/dV)."""
    if not (bin_V > 0):
        raise SiznoInputError("--dqdv-bin-mV", f"must be positive, got {bin_V * MILLI_PER_UNIT}", "> 0")
    mapping = half_cell_mapping(electrode)
    df = data.data
    cyc = df["cycle_count"].to_numpy()
    sel = np.isin(cyc, cycles)
    if not sel.any():
        return pd.DataFrame(columns=["cycle_index", "direction", "voltage_V", "dq_dv_mAh_per_V"])
    v = df["voltage_volt"].to_numpy(dtype=float)
    first = np.r_[True, cyc[1:] != cyc[:-1]]
    vprev = np.r_[v[0], v[:-1]]
    rows = []
    for direction, col in (("charge", "charging_capacity_ah"), ("discharge", "discharging_capacity_ah")):
        dq = Ah_to_mAh(row_increments(df[col].to_numpy(dtype=float), first))
        m = sel & (dq > 0)
        if not m.any():
            continue
        half = "delithiation" if mapping["delithiation"] == direction else "lithiation"
        for c in np.unique(cyc[m]):
            mc = m & (cyc == c)
            lo = np.minimum(v[mc], vprev[mc])
            hi = np.maximum(v[mc], vprev[mc])
            vlo = np.floor(lo.min() / bin_V) * bin_V - 4 * sigma_bins * bin_V
            vhi = hi.max() + 4 * sigma_bins * bin_V
            nb = int(np.ceil((vhi - vlo) / bin_V)) + 1
            edges = vlo + np.arange(nb + 1) * bin_V
            y = _gauss(np.diff(_spread_cdf(lo, hi, dq[mc], edges, bin_V)) / bin_V, sigma_bins)
            centres = edges[:-1] + 0.5 * bin_V
            nz = np.flatnonzero(y > 1e-12 * max(y.max(), 1e-300))
            a, b = (nz[0], nz[-1]) if nz.size else (0, -1)
            rows.append(pd.DataFrame({"cycle_index": int(c), "direction": half, "voltage_V": centres[a:b + 1],
                                      "dq_dv_mAh_per_V": y[a:b + 1]}))
    res = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["cycle_index", "direction", "voltage_V", "dq_dv_mAh_per_V"])
    if mass_g:
        res["dq_dv_mAh_per_V_per_g"] = res["dq_dv_mAh_per_V"] / mass_g
    if area_cm2:
        res["dq_dv_mAh_per_V_per_cm2"] = res["dq_dv_mAh_per_V"] / area_cm2
    return res


def dvdq_curves(data: CyclerData, cycles: list[int], *, n_bins: int = 200, sigma_bins: float = 2.0,
                electrode: str = "half", mass_g: float | None = None) -> pd.DataFrame:
    """dV/dQ per half cycle on equal capacity bins (V/mAh; and V per mAh/g with a mass)."""
    mapping = half_cell_mapping(electrode)
    df = data.data
    cyc = df["cycle_count"].to_numpy()
    v = df["voltage_volt"].to_numpy(dtype=float)
    first = np.r_[True, cyc[1:] != cyc[:-1]]
    parts = []
    for direction, col in (("charge", "charging_capacity_ah"), ("discharge", "discharging_capacity_ah")):
        dq = Ah_to_mAh(row_increments(df[col].to_numpy(dtype=float), first))
        for c in cycles:
            m = (cyc == c) & (dq > 0)
            if m.sum() < 5:
                continue
            q = np.cumsum(dq[m])
            qt = q[-1]
            b = np.minimum((q / qt * n_bins).astype(int), n_bins - 1)
            w = dq[m]
            vs = np.bincount(b, weights=v[m] * w, minlength=n_bins)
            ws = np.bincount(b, weights=w, minlength=n_bins)
            cnt = np.bincount(b, minlength=n_bins)
            qc = (np.arange(n_bins) + 0.5) / n_bins * qt
            # sparse data: interpolate between the recorded points; dense data: average each bin
            vb = np.interp(qc, q, v[m])
            dense = cnt >= 3
            vb[dense] = vs[dense] / ws[dense]
            dvdq = _gauss(np.gradient(vb, qc), sigma_bins)
            half = "delithiation" if mapping["delithiation"] == direction else "lithiation"
            p = pd.DataFrame({"cycle_index": int(c), "direction": half, "capacity_mAh": qc, "voltage_V": vb, "dv_dq_V_per_mAh": dvdq})
            if mass_g:
                p["capacity_mAh_per_g"] = qc / mass_g
                p["dv_dq_V_per_mAh_per_g"] = dvdq * mass_g
            parts.append(p)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
