"""Plots shared by simulate and the report."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sizno.results import RunResult  # noqa: E402
from sizno.results.observables import step_curves  # noqa: E402


def finish_figure(fig, ax, path: Path, xlabel: str, ylabel: str, title: str, legend_fontsize: float = 8,
                  legend_ncol: int = 1) -> Path:
    """Label, lay out, save (PNG, 130 dpi) and close a one-axis figure."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=legend_fontsize, ncol=legend_ncol)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def voltage_capacity_plot(result: RunResult, path: Path, max_cycles: int = 12) -> Path:
    """Potential vs specific capacity, one line per step, for up to `max_cycles` cycles."""
    cycles = sorted(result.timeseries["cycle_count"].unique())
    pick = cycles if len(cycles) <= max_cycles else cycles[:: max(1, len(cycles) // max_cycles)]
    fig, ax = plt.subplots(figsize=(6, 4.2))
    cmap = plt.get_cmap("viridis")
    for i, c in enumerate(pick):
        for j, (_, _, q, v) in enumerate(step_curves(result, c)):
            ax.plot(q, v, color=cmap(i / max(1, len(pick) - 1)), lw=1, label=f"cycle {c}" if j == 0 else None)
    meta = result.metadata
    full = meta.get("cell") == "full cell"
    return finish_figure(fig, ax, path, f"specific capacity [mAh/g, {meta['capacity_basis']}]",
                         "cell voltage [V]" if full else "potential vs Li+/Li [V]",
                         f"{meta['material']} — {meta['protocol']}, {meta['temperature_C']:g} °C", 7, legend_ncol=2)
