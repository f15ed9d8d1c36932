"""Quantities the paper reports, read off a RunResult.

Capacities are per gram of composite for half cells and per gram of NCM811 for full cells. The
paper's words are kept: a half cell's "discharge" lithiates the Si, its "charge" delithiates it;
the reversible capacity is the delithiation (half cell) or the discharge (full cell).
"""

from __future__ import annotations

import numpy as np

from sizno.results.run import RunResult


def is_full_cell(result: RunResult) -> bool:
    return "c_rate" in result.cycles.columns


def reversible_column(result: RunResult) -> str:
    return "discharge_capacity_mAh_per_g" if is_full_cell(result) else "delithiation_capacity_mAh_per_g"


def first_cycle(result: RunResult) -> dict[str, float]:
    """The paper's first "discharge" and "charge" capacities [mAh/g] and ICE [%] (NaN if it never ran)."""
    if result.cycles.empty:
        return {"discharge_mAh_g": float("nan"), "charge_mAh_g": float("nan"), "ice_percent": float("nan")}
    row = result.cycles.iloc[0]
    if is_full_cell(result):
        first, second = float(row["charge_capacity_mAh_per_g"]), float(row["discharge_capacity_mAh_per_g"])
        return {"charge_mAh_g": first, "discharge_mAh_g": second,
                "ice_percent": 100 * second / first if first > 0 else float("nan")}
    li = float(row["lithiation_capacity_mAh_per_g"])
    de = float(row["delithiation_capacity_mAh_per_g"])
    return {"discharge_mAh_g": li, "charge_mAh_g": de, "ice_percent": 100 * de / li if li > 0 else float("nan")}


def rate_capacity(result: RunResult, setting: float, occurrence: int = 0) -> float:
    """Reversible capacity of the last cycle of the `occurrence`-th block run at `setting`
    (A/g for a half cell, C-rate for a full cell)."""
    column = "c_rate" if is_full_cell(result) else "current_A_per_g"
    blocks = result.cycles.loc[(result.cycles[column] - setting).abs() < 1e-9, "block_index"]
    ids = sorted(blocks.unique())
    if len(ids) <= occurrence:
        return float("nan")
    return float(result.last_cycle_of_block(ids[occurrence])[reversible_column(result)])


def capacity_by_cycle(result: RunResult, block: int = -1) -> np.ndarray:
    """Reversible capacity [mAh/g] of each cycle of a block (-1 = the last, e.g. after formation)."""
    cyc = result.cycles
    index = sorted(cyc["block_index"].unique())[block]
    return cyc.loc[cyc["block_index"] == index, reversible_column(result)].to_numpy(dtype=float)


def retention_percent(result: RunResult, block: int = -1) -> float:
    """Last cycle's reversible capacity over the block's first [%] (NaN if the block never started)."""
    q = capacity_by_cycle(result, block)
    return 100 * q[-1] / q[0] if len(q) and q[0] > 0 else float("nan")


RISE_TOLERANCE = 0.01  # a recovery above the running minimum by more than this share of the first capacity is a rise


def knee_cycle(result: RunResult, block: int = -1, steepening: float = 3.0) -> float:
    """Cycle (counted within the block, from 1) where capacity fade turns fast: the breakpoint of the
    best two-line (continuous) fit to capacity vs cycle, if the capacity was not rising before it and
    the second slope is at least `steepening` times the first; NaN when the fade stays steady (no
    knee). The end of a capacity rise (activation) followed by an ordinary fade is not a knee: where
    the curve rises (by more than RISE_TOLERANCE of its first capacity above its running minimum), the
    fade is sought only after the rise's peak, where the fit's first line is a fade, not the rise."""
    q = capacity_by_cycle(result, block)
    if len(q) < 10 or not np.all(np.isfinite(q)):
        return float("nan")
    start = _after_last_rise(q)
    k0 = _two_line_knee(q[start:], steepening)
    return float(start + k0) if k0 == k0 else float("nan")


def _after_last_rise(q: np.ndarray) -> int:
    """Index of the peak that ends the curve's last rise (0 when it never rises)."""
    start = 0
    while True:
        rest = q[start:]
        rising = np.flatnonzero(rest - np.minimum.accumulate(rest) > RISE_TOLERANCE * abs(q[0]))
        if not len(rising):
            return start
        start += rising[0] + int(np.argmax(rest[rising[0]:]))  # the highest point after the rise begins


def _two_line_knee(q: np.ndarray, steepening: float) -> float:
    """The knee of `q` by the two-line fit (cycles from 1), or NaN."""
    n = len(q)
    if n < 10:
        return float("nan")
    k = np.arange(1, n + 1, dtype=float)
    best = (np.inf, None, None)
    for b in range(4, n - 3):
        X = np.column_stack([np.ones(n), k, np.maximum(k - k[b], 0)])  # hinge at cycle b + 1
        coef, *_ = np.linalg.lstsq(X, q, rcond=None)
        sse = float(np.sum((X @ coef - q) ** 2))
        if sse < best[0]:
            best = (sse, b, coef)
    _, b, coef = best
    slope1, slope2 = coef[1], coef[1] + coef[2]
    fast = slope1 <= 0 and slope2 < 0 and abs(slope2) >= steepening * max(abs(slope1), 1e-9 * abs(q[0]))
    return float(k[b]) if fast else float("nan")


def step_curves(result: RunResult, cycle: int):
    """Per step of `cycle`: (step_count, step_type, capacity since the step's start [mAh/g], voltage [V])."""
    ts = result.timeseries
    seg = ts[ts["cycle_count"] == cycle]
    mass_g = result.metadata["capacity_mass_mg"] / 1000
    for step_count, s in seg.groupby("step_count"):
        q = s["lithiated_charge_ah"].to_numpy()
        yield step_count, s["step_type"].iloc[0], abs(q - q[0]) * 1000 / mass_g, s["voltage_volt"].to_numpy()


def dq_dv(voltage_V, capacity_mAh_per_g, bin_width_V: float = 0.01):
    """dQ/dV [mAh/g/V] on a voltage grid, by binning a monotonic-in-time segment.

    Capacity is interpolated at bin edges of the voltage range (the segment is sorted by voltage,
    so small reversals do not produce spikes); returns (bin centres [V], dQ/dV).
    """
    import numpy as np

    v = np.asarray(voltage_V, dtype=float)
    q = np.asarray(capacity_mAh_per_g, dtype=float)
    order = np.argsort(v, kind="stable")
    v, q = v[order], q[order]
    v, idx = np.unique(v, return_index=True)
    q = q[idx]
    if len(v) < 3:
        return np.array([]), np.array([])
    edges = np.arange(v[0], v[-1] + bin_width_V, bin_width_V)
    qe = np.interp(edges, v, q)
    return 0.5 * (edges[1:] + edges[:-1]), np.abs(np.diff(qe)) / bin_width_V
