"""Plots shared by simulate and the report."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sizno.results import RunResult  # noqa: E402


def voltage_capacity_plot(result: RunResult, path: Path, max_cycles: int = 12) -> Path:
    """Potential vs specific capacity, one line per step, for up to `max_cycles` cycles."""
    ts = result.timeseries
    mass_g = result.metadata["composite_mass_mg"] / 1000
    cycles = sorted(ts["cycle_count"].unique())
    pick = cycles if len(cycles) <= max_cycles else cycles[:: max(1, len(cycles) // max_cycles)]
    fig, ax = plt.subplots(figsize=(6, 4.2))
    cmap = plt.get_cmap("viridis")
    for i, c in enumerate(pick):
        seg = ts[ts["cycle_count"] == c]
        for step, s in seg.groupby("step_count"):
            q = np.abs(s["lithiated_charge_ah"].to_numpy() - s["lithiated_charge_ah"].to_numpy()[0]) * 1000 / mass_g
            ax.plot(q, s["voltage_volt"], color=cmap(i / max(1, len(pick) - 1)), lw=1,
                    label=f"cycle {c}" if step == seg["step_count"].min() else None)
    ax.set_xlabel("specific capacity [mAh/g composite]")
    ax.set_ylabel("potential vs Li+/Li [V]")
    ax.set_title(f"{result.metadata['material']} — {result.metadata['protocol']}, {result.metadata['temperature_C']:g} °C")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path
