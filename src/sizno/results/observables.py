"""Quantities the paper reports, read off a RunResult (capacities per gram of composite)."""

from __future__ import annotations

from sizno.results.run import RunResult


def first_cycle(result: RunResult) -> dict[str, float]:
    """First lithiation/delithiation capacity [mAh/g] and ICE [%] (NaN if the cycle never ran)."""
    if result.cycles.empty:
        return {"discharge_mAh_g": float("nan"), "charge_mAh_g": float("nan"), "ice_percent": float("nan")}
    row = result.cycles.iloc[0]
    li = float(row["lithiation_capacity_mAh_per_g"])
    de = float(row["delithiation_capacity_mAh_per_g"])
    return {"discharge_mAh_g": li, "charge_mAh_g": de, "ice_percent": 100 * de / li if li > 0 else float("nan")}


def rate_capacity(result: RunResult, current_A_per_g: float, occurrence: int = 0) -> float:
    """Delithiation capacity of the last cycle of the `occurrence`-th block run at that current."""
    blocks = result.cycles.loc[(result.cycles["current_A_per_g"] - current_A_per_g).abs() < 1e-9, "block_index"]
    ids = sorted(blocks.unique())
    if len(ids) <= occurrence:
        return float("nan")
    return float(result.last_cycle_of_block(ids[occurrence])["delithiation_capacity_mAh_per_g"])


def step_curves(result: RunResult, cycle: int):
    """Per step of `cycle`: (step_count, step_type, capacity since the step's start [mAh/g composite], potential [V])."""
    ts = result.timeseries
    seg = ts[ts["cycle_count"] == cycle]
    mass_g = result.metadata["composite_mass_mg"] / 1000
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
