"""PNG figures for `sizno analyze`: voltage vs capacity, capacity and CE vs cycle, dQ/dV."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sizno.io.metrics import Metrics
from sizno.io.table import CyclerData


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _pick(cycles: list[int], k: int = 8) -> list[int]:
    if len(cycles) <= k:
        return cycles
    idx = np.unique(np.round(np.geomspace(1, len(cycles), k)).astype(int) - 1)
    return [cycles[j] for j in idx]


def _save(plt, fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _voltage_capacity(plt, data: CyclerData, m: Metrics, stem: str, scale: float, qunit: str, path: Path) -> Path:
    """Voltage vs capacity of up to 8 complete cycles (solid: discharge, dashed: charge)."""
    df = data.data
    cyc = df["cycle_count"].to_numpy()
    v = df["voltage_volt"].to_numpy()
    comp = m.cycles.loc[m.cycles["complete"], "cycle_index"].tolist() or m.cycles["cycle_index"].tolist()
    show = _pick(comp)
    cmap = plt.get_cmap("viridis")
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for k, c in enumerate(show):
        sel = cyc == c
        col = cmap(k / max(len(show) - 1, 1))
        for name, ls in (("discharging_capacity_ah", "-"), ("charging_capacity_ah", "--")):
            q = df[name].to_numpy()[sel]
            st = df["step_type"].astype(str).to_numpy()[sel]
            keep = st == ("discharge" if name.startswith("dis") else "charge")
            if keep.sum() > 1:
                ax.plot(q[keep] * scale, v[sel][keep], ls, color=col, lw=1.2, label=f"cycle {c}" if ls == "-" else None)
    ax.set_xlabel(f"capacity in the cycle [{qunit}]")
    ax.set_ylabel("voltage [V]")
    ax.set_title(f"{stem}: voltage vs capacity (solid: discharge, dashed: charge)", fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    return _save(plt, fig, path)


def _capacity_ce(plt, m: Metrics, stem: str, per_g: bool, qunit: str, path: Path) -> Path:
    """Capacities (left axis) and coulombic efficiency (right axis) per cycle."""
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    cy = m.cycles
    key = "_mAh_per_g" if per_g else "_mAh"
    ax.plot(cy["cycle_index"], cy[f"lithiation_capacity{key}"], "o", ms=3, label="lithiation")
    ax.plot(cy["cycle_index"], cy[f"delithiation_capacity{key}"], "s", ms=3, label="delithiation")
    ax.set_xlabel("cycle (as numbered in the file)")
    ax.set_ylabel(f"capacity [{qunit}]")
    ax2 = ax.twinx()
    ax2.plot(cy["cycle_index"], cy["coulombic_efficiency_percent"], "k.", ms=3, label="CE")
    ax2.set_ylabel("coulombic efficiency [%]")
    ce = cy["coulombic_efficiency_percent"].dropna()
    if len(ce):
        ax2.set_ylim(max(0.0, float(ce.min()) - 5), min(120.0, float(ce.max()) + 5))
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="lower left")
    ax.set_title(f"{stem}: capacity and coulombic efficiency", fontsize=9)
    return _save(plt, fig, path)


def _dqdv(plt, m: Metrics, stem: str, per_g: bool, path: Path) -> Path:
    """dQ/dV of the metrics' chosen cycles (lithiation drawn negative)."""
    cmap = plt.get_cmap("viridis")
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    dq = m.dqdv
    ycol = "dq_dv_mAh_per_V_per_g" if per_g and "dq_dv_mAh_per_V_per_g" in dq else "dq_dv_mAh_per_V"
    cycles = sorted(dq["cycle_index"].unique()) if len(dq) else []
    for k, c in enumerate(cycles):
        col = cmap(k / max(len(cycles) - 1, 1))
        for d, sign in (("lithiation", -1.0), ("delithiation", 1.0)):
            g = dq[(dq["cycle_index"] == c) & (dq["direction"] == d)]
            if len(g):
                ax.plot(g["voltage_V"], sign * g[ycol], color=col, lw=1.0, label=f"cycle {c}" if d == "lithiation" else None)
    ax.axhline(0, color="0.6", lw=0.5)
    s = m.settings["dqdv"]
    ax.set_xlabel("voltage [V]")
    ax.set_ylabel("dQ/dV [mAh V⁻¹ g⁻¹]" if ycol.endswith("_g") else "dQ/dV [mAh V⁻¹]")
    ax.set_title(f"{stem}: dQ/dV (lithiation < 0), {s['bin_width_V'] * 1e3:g} mV bins, σ = {s['gaussian_sigma_V'] * 1e3:g} mV",
                 fontsize=9)
    if cycles:
        ax.legend(fontsize=7)
    return _save(plt, fig, path)


def plot_all(data: CyclerData, m: Metrics, out_dir: str | Path, stem: str) -> list[Path]:
    """The three figures of `sizno analyze` into `out_dir`: voltage–capacity, capacity and CE, dQ/dV."""
    plt = _plt()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    mass_g = m.settings.get("specific_mass_g")
    scale, qunit = (1e3 / mass_g, "mAh g⁻¹") if mass_g else (1e3, "mAh")
    return [_voltage_capacity(plt, data, m, stem, scale, qunit, out / f"{stem}_voltage_capacity.png"),
            _capacity_ce(plt, m, stem, bool(mass_g), qunit, out / f"{stem}_capacity_ce.png"),
            _dqdv(plt, m, stem, bool(mass_g), out / f"{stem}_dqdv.png")]
