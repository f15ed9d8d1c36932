"""Plots (matplotlib, Agg backend, PNG): patterns with reference sticks, stacked ex-situ
patterns (Fig. 1b / Fig. 3a analogues), indexing results."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

_COLORS = {
    "Si": "#1f77b4",
    "c-Si": "#1f77b4",
    "a-Si": "#6baed6",
    "ZnO": "#d62728",
    "Zn": "#7f7f7f",
    "LiZn": "#9467bd",
    "Li2O": "#8c564b",
    "a-LixSi": "#2ca02c",
    "Li13Si4": "#2ca02c",
    "Li15Si4": "#17becf",
}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: str | Path) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(p, dpi=130, bbox_inches="tight")
    _plt().close(fig)
    return p


def plot_pattern(pattern, path: str | Path, sticks: bool = True, title: str | None = None) -> Path:
    """One pattern, its phase components, and reference sticks (relative intensities)."""
    plt = _plt()
    fig, (ax, axs) = plt.subplots(2, 1, figsize=(7.5, 5.2), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    x = pattern.two_theta_deg
    ax.plot(x, pattern.intensity, color="k", lw=1.0, label="total")
    if len(pattern.components) > 1:
        for name, y in pattern.components.items():
            ax.plot(x, y, lw=0.8, color=_COLORS.get(name), alpha=0.8, label=name)
    ax.set_ylabel("intensity [a.u., max 100]")
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(title or pattern.label or "XRD pattern")
    if sticks:
        for i, (name, refs) in enumerate(pattern.reflections.items()):
            for r in refs:
                axs.vlines(r.two_theta_deg, i, i + 0.9 * r.intensity_rel / 100, color=_COLORS.get(name, "k"), lw=1)
        axs.set_yticks(np.arange(len(pattern.reflections)) + 0.4)
        axs.set_yticklabels(list(pattern.reflections), fontsize=8)
    axs.set_xlabel(f"2θ [deg] (λ = {pattern.wavelength_A:.5f} Å)")
    return _save(fig, path)


def plot_stack(patterns: Sequence, path: str | Path, title: str = "", annotate: Sequence[tuple[float, str]] = ()) -> Path:
    """Patterns stacked bottom to top with their labels (ex-situ style)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.0, 1.4 + 1.5 * len(patterns)))
    for i, p in enumerate(patterns):
        off = 110 * i
        ax.plot(p.two_theta_deg, p.intensity + off, lw=1.0, color=f"C{i}")
        ax.text(p.two_theta_deg[-1], off + 15, p.label, ha="right", fontsize=9, color=f"C{i}")
    for tt, text in annotate:
        ax.axvline(tt, color="0.6", lw=0.6, ls=":")
        ax.text(tt, 110 * len(patterns) + 5, text, rotation=90, fontsize=7, ha="center", va="bottom")
    ax.set_yticks([])
    ax.set_xlabel("2θ [deg] (Cu Kα)" if abs(patterns[0].wavelength_A - 1.54184) < 1e-4 else "2θ [deg]")
    ax.set_ylabel("intensity [a.u.], offset")
    ax.set_title(title, pad=60 if annotate else 6)
    return _save(fig, path)


def plot_index(x: np.ndarray, y: np.ndarray, result, path: str | Path, title: str = "indexed pattern") -> Path:
    """Measured pattern, its background, found peaks and the planes of the present phases."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(x, y, lw=0.8, color="k", label="measured")
    ax.plot(x, result.background, lw=0.8, color="0.5", ls="--", label="background (SNIP)")
    top = float(np.max(y))
    for pk in result.peaks:
        ax.plot(pk.two_theta_deg, np.interp(pk.two_theta_deg, x, y), "v", color="r", ms=4)
    for m in result.phases:
        if m.status not in ("present", "not required"):
            continue
        for d in m.matched:
            ax.annotate(
                f"{m.phase} {d['hkl']}",
                (d["peak_two_theta_deg"], np.interp(d["peak_two_theta_deg"], x, y)),
                xytext=(0, 8),
                textcoords="offset points",
                rotation=90,
                fontsize=6,
                ha="center",
                color=_COLORS.get(m.phase, "k"),
            )
    ax.set_ylim(top=top * 1.35)
    ax.set_xlabel(f"2θ [deg] (λ = {result.wavelength_A:.5f} Å)")
    ax.set_ylabel("intensity")
    ax.set_title(title + ": " + (", ".join(result.present) or "no phase"))
    ax.legend(fontsize=8, frameon=False)
    return _save(fig, path)
