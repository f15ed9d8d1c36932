"""Figures (matplotlib, Agg, PNG): Nyquist, Bode, DRT with its uncertainty band and the windows,
KK residuals, and for a series the state × log tau × gamma contour map and the resistance evolution."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from sizno.eis.drt import DRTResult
from sizno.eis.series import DRTSeries
from sizno.eis.windows import default_windows

_COLORS = {"electrolyte": "tab:blue", "sei": "tab:orange", "charge_transfer": "tab:green", "unassigned": "tab:gray", "r_inf": "black"}


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "spectrum"


def spectrum_figure(result: DRTResult, path: Path) -> Path:
    """Four panels: Nyquist (data + DRT fit), Bode, DRT (gamma vs tau, peaks, windows), KK residuals."""
    plt = _plt()
    s = result.spectrum
    fig, axs = plt.subplots(2, 2, figsize=(11, 8))
    ax = axs[0, 0]
    ax.plot(s.z_real_ohm, -s.z_imag_ohm, "o", ms=3, label="data")
    ax.plot(result.z_fit_ohm.real, -result.z_fit_ohm.imag, "-", lw=1, label="DRT model")
    ax.set_xlabel("Z' [ohm]")
    ax.set_ylabel("-Z'' [ohm]")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title("Nyquist")
    ax.legend(fontsize=8)
    ax = axs[0, 1]
    ax.loglog(s.frequency_Hz, s.modulus_ohm, "o", ms=3, color="tab:blue", label="|Z|")
    ax.loglog(s.frequency_Hz, np.abs(result.z_fit_ohm), "-", lw=1, color="tab:blue")
    ax.set_xlabel("f [Hz]")
    ax.set_ylabel("|Z| [ohm]", color="tab:blue")
    ax2 = ax.twinx()
    ax2.semilogx(s.frequency_Hz, -s.phase_deg, "s", ms=3, color="tab:red")
    ax2.semilogx(s.frequency_Hz, -np.degrees(np.angle(result.z_fit_ohm)), "-", lw=1, color="tab:red")
    ax2.set_ylabel("-phase [deg]", color="tab:red")
    ax.set_title("Bode")
    ax = axs[1, 0]
    for w in default_windows():
        ax.axvspan(w.tau_min_s, w.tau_max_s, color=_COLORS.get(w.process, "tab:gray"), alpha=0.08)
    ax.semilogx(result.tau_s, result.gamma_ohm, "k-", lw=1.2)
    if result.gamma_std_ohm is not None:
        ax.fill_between(result.tau_s, np.clip(result.gamma_ohm - 2 * result.gamma_std_ohm, 0, None), result.gamma_ohm + 2 * result.gamma_std_ohm, color="k", alpha=0.15, lw=0, label="±2σ")
    for p in result.peaks:
        ax.plot(p.tau_s, p.gamma_peak_ohm, "v", color=_COLORS.get(p.process, "tab:purple"))
        ax.annotate(f"{p.resistance_ohm:.3g} Ω\n{p.process}", (p.tau_s, p.gamma_peak_ohm), fontsize=7, ha="center", va="bottom", xytext=(0, 4), textcoords="offset points")
    ax.set_xlabel("τ [s]")
    ax.set_ylabel("γ [ohm]")
    ax.set_title(f"DRT (λ = {result.lambda_:.2g}, {result.lambda_method.upper()})")
    ax = axs[1, 1]
    if result.kk is not None:
        ax.semilogx(s.frequency_Hz, 100 * result.kk.residual_real, "o-", ms=3, lw=0.8, label="Δ real")
        ax.semilogx(s.frequency_Hz, 100 * result.kk.residual_imag, "s-", ms=3, lw=0.8, label="Δ imag")
        ax.set_title(f"Lin-KK residuals ({'pass' if result.kk.valid else 'FAIL'})")
    ax.semilogx(s.frequency_Hz, 100 * result.fit_residual_real, ":", lw=0.8, color="gray", label="DRT fit Δ real")
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xlabel("f [Hz]")
    ax.set_ylabel("(Z - Z_fit)/|Z| [%]")
    ax.legend(fontsize=8)
    fig.suptitle(s.name)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def contour_figure(series: DRTSeries, path: Path) -> Path:
    """State × log tau × gamma (as the paper's Fig. 4i/4l), and each assigned resistance vs state."""
    plt = _plt()
    tau, state, g = series.gamma_map()
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 5), gridspec_kw={"width_ratios": [1.3, 1]})
    if len(state) >= 2:
        cs = ax.contourf(np.log10(tau), state, g, levels=30, cmap="viridis")
        fig.colorbar(cs, ax=ax, label="γ [ohm]")
    else:
        ax.plot(np.log10(tau), g[0])
    for w in default_windows():
        for edge in (w.tau_min_s, w.tau_max_s):
            ax.axvline(np.log10(edge), color="w", lw=0.6, ls="--")
    ax.set_xlabel("log10 τ [s]")
    ax.set_ylabel(series.state_label)
    ax.set_title("DRT map")
    evo = series.resistance_evolution()
    for name, r in evo.items():
        if name == "r_pol" or not np.any(r > 0):
            continue
        ax2.plot(state, r, "o-", ms=3, label=name, color=_COLORS.get(name))
    ax2.set_xlabel(series.state_label)
    ax2.set_ylabel("R [ohm]")
    ax2.set_title("Assigned resistances")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def save_figures(results: Sequence[DRTResult], out_dir: Path, series: DRTSeries | None = None) -> list[Path]:
    out_dir = Path(out_dir)
    paths = []
    seen: dict[str, int] = {}
    for r in results:
        stem = _safe(r.spectrum.name)
        seen[stem] = seen.get(stem, 0) + 1
        if seen[stem] > 1:
            stem = f"{stem}_{seen[stem]}"
        paths.append(spectrum_figure(r, out_dir / f"{stem}_drt.png"))
    if series is not None and len(series) > 1:
        paths.append(contour_figure(series, out_dir / "series_drt_map.png"))
    return paths
