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


def voltage_capacity_plot(result: RunResult, path: Path, max_cycles: int = 12,
                          marks: list[tuple[float, str]] | None = None) -> Path:
    """Potential vs specific capacity, one line per step, for up to `max_cycles` cycles; `marks`:
    (capacity [mAh/g], label) of the paper drawn as dotted vertical lines."""
    cycles = sorted(result.timeseries["cycle_count"].unique())
    pick = cycles if len(cycles) <= max_cycles else cycles[:: max(1, len(cycles) // max_cycles)]
    fig, ax = plt.subplots(figsize=(6, 4.2))
    cmap = plt.get_cmap("viridis")
    for i, c in enumerate(pick):
        for j, (_, _, q, v) in enumerate(step_curves(result, c)):
            ax.plot(q, v, color=cmap(i / max(1, len(pick) - 1)), lw=1, label=f"cycle {c}" if j == 0 else None)
    for value, label in marks or []:
        ax.axvline(value, color="k", ls=":", lw=1, label=label)
    meta = result.metadata
    full = meta.get("cell") == "full cell"
    return finish_figure(fig, ax, path, f"specific capacity [mAh/g, {meta['capacity_basis']}]",
                         "cell voltage [V]" if full else "potential vs Li+/Li [V]",
                         f"{meta['material']} — {meta['protocol']}, {meta['temperature_C']:g} °C", 7, legend_ncol=2)


# ---------------------------------------------------------------------------- report figures
MATERIAL_LABEL = {"si": "Si", "si-zno2": "Si–ZnO2", "si-zno4": "Si–ZnO4", "si-zno8": "Si–ZnO8"}
MATERIAL_COLOR = {"si": "tab:gray", "si-zno2": "tab:blue", "si-zno4": "tab:red", "si-zno8": "tab:green"}


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def figure_first_cycle_temperatures(runs: dict[tuple[str, float], RunResult], path: Path,
                                    paper_mAh_g: dict[str, float]) -> Path:
    """First lithiation (solid) and delithiation (dashed) at 0.1 A/g, 60 °C beside 25 °C, for Si and
    Si–ZnO4; the paper's Si–ZnO4 capacities at 60 °C (`paper_mAh_g`: 'lithiation', 'delithiation') as lines."""
    temps = sorted({t for (_, t) in runs}, reverse=True)
    fig, axes = plt.subplots(1, len(temps), figsize=(5.2 * len(temps), 4.2), sharey=True, squeeze=False)
    for ax, temp in zip(axes[0], temps):
        for m in ("si", "si-zno4"):
            if (m, temp) not in runs:
                continue
            for _, step, q, v in step_curves(runs[(m, temp)], 1):
                ax.plot(q, v, "-" if step == "lithiation" else "--", color=MATERIAL_COLOR[m],
                        label=f"{MATERIAL_LABEL[m]} {step} (model)")
        if temp == 60.0:
            for step, value in paper_mAh_g.items():
                ax.axvline(value, color=MATERIAL_COLOR["si-zno4"], lw=0.8, ls=":")
                ax.text(value, 1.95, f"paper {step}\n{value:g}", fontsize=7, ha="right", va="top",
                        color=MATERIAL_COLOR["si-zno4"])
        ax.set_ylim(0, 2.05)
        ax.set_xlabel("specific capacity [mAh/g composite]")
        ax.set_title(f"first cycle, 0.1 A/g, {temp:g} °C")
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel("potential vs Li+/Li [V]")
    return _save(fig, path)


def figure_rate_vs_current(runs: dict[tuple[str, float], RunResult], path: Path,
                           paper: list[tuple[str, float, float, float, str]]) -> Path:
    """Reversible capacity vs specific current (log axis), one panel per temperature (60 °C, then 25 °C).

    `paper`: (material, temperature_C, current_A_per_g, capacity_mAh_per_g, role) marked ★ (calibration)
    or ◆ (validation) in the material's colour; the model's value is the last cycle at each current
    on the way up (the first block run at that current)."""
    from sizno.results.observables import rate_capacity

    temps = sorted({t for (_, t) in runs}, reverse=True)
    fig, axes = plt.subplots(1, len(temps), figsize=(5.4 * len(temps), 4.2), sharey=True, squeeze=False)
    for ax, temp in zip(axes[0], temps):
        for (m, t), run in runs.items():
            if t != temp:
                continue
            currents = sorted({float(c) for c in run.cycles["current_A_per_g"].dropna()})
            ax.plot(currents, [rate_capacity(run, c) for c in currents], "o-", ms=4, color=MATERIAL_COLOR[m],
                    label=f"{MATERIAL_LABEL[m]} model")
        labelled: set[tuple[str, str]] = set()
        for m, t, current, value, role in paper:
            if t == temp:
                ax.plot(current, value, ls="none", marker="*" if role == "calibration" else "D", ms=11 if role == "calibration" else 8,
                        mfc="none", mew=1.5, color=MATERIAL_COLOR[m],
                        label=None if (m, role) in labelled else f"{MATERIAL_LABEL[m]} paper ({role})")
                labelled.add((m, role))
        ax.set_xscale("log")
        ax.set_xlabel("specific current [A/g composite]")
        ax.set_title(f"rate capability, {temp:g} °C")
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=7, ncol=2)
    axes[0][0].set_ylabel("delithiation capacity [mAh/g composite]")
    return _save(fig, path)


def robust_limit(values, keep_isolated: bool = False) -> float:
    """Largest |value| held by at least two neighbouring points: a one-point spike (a voltage plateau
    binned into one dQ/dV bin) does not set an axis limit; a real peak, two bins wide or more, does."""
    import numpy as np

    a = np.abs(np.asarray(values, dtype=float))
    a = np.where(np.isfinite(a), a, 0.0)
    if a.size == 0:
        return 1.0
    if a.size < 3 or keep_isolated:
        return float(a.max()) or 1.0
    left = np.concatenate([[0.0], a[:-1]])
    right = np.concatenate([a[1:], [0.0]])
    supported = np.minimum(a, np.maximum(left, right))
    return float(supported.max()) or float(a.max()) or 1.0


def figure_dqdv(runs: dict[str, RunResult], path: Path, voltage_window_V: tuple[float, float] = (0.0, 1.2),
                bin_width_V: float = 0.01) -> Path:
    """dQ/dV of the first cycle: delithiation above (dashed, light shade), lithiation below (solid,
    dark shade, drawn < 0), each panel with its own axis set by the highest peak at least two bins
    wide, so neither one spike nor the lithiation plateau flattens the delithiation peaks; clipped
    points are marked at the edge with their value."""
    import numpy as np
    from matplotlib.colors import to_rgb

    from sizno.results.observables import dq_dv

    fig, (ax_de, ax_li) = plt.subplots(2, 1, figsize=(6.4, 5.6), sharex=True)
    curves: dict[str, list] = {"delithiation": [], "lithiation": []}
    for label, run in runs.items():
        base = np.array(to_rgb(MATERIAL_COLOR.get(run.metadata.get("material", ""), "tab:purple")))
        for _, step, q, volts in step_curves(run, 1):
            v, d = dq_dv(volts, q, bin_width_V)
            inside = (v >= voltage_window_V[0]) & (v <= voltage_window_V[1])
            if step in curves and inside.any():
                curves[step].append((label, v[inside], d[inside], base))
    for step, ax in (("delithiation", ax_de), ("lithiation", ax_li)):
        sign = -1.0 if step == "lithiation" else 1.0
        limit = 1.15 * max([robust_limit(d) for _, _, d, _ in curves[step]] or [1.0])
        for label, v, d, base in curves[step]:
            color = base * 0.7 if step == "lithiation" else 1 - 0.6 * (1 - base)
            ax.plot(v, sign * d, "-" if step == "lithiation" else "--", lw=1.5, color=color, label=f"{label} {step}")
            for x, y in zip(v, d):
                if y > limit:
                    ax.plot(x, sign * 0.96 * limit, marker="v" if sign < 0 else "^", color=color, ms=6, ls="none")
                    ax.annotate(f"{label}: {sign * y:.2g} (clipped)", (x, sign * 0.96 * limit), fontsize=6,
                                xytext=(5, 2 if sign < 0 else -8), textcoords="offset points")
        ax.set_ylim(*sorted((0.0, sign * limit)))
        ax.set_ylabel(f"dQ/dV, {step}\n[mAh/g/V]")
        ax.legend(fontsize=7)
    ax_de.set_xlim(*voltage_window_V)
    ax_de.set_title("dQ/dV of the first cycle, 0.1 A/g, 60 °C")
    ax_li.set_xlabel("potential vs Li+/Li [V]")
    return _save(fig, path)


def figure_long_cycling(half: dict[str, RunResult], full: dict[str, RunResult], path: Path,
                        half_end_points: list[tuple[str, float, float]], half_knee: tuple[float, str] | None,
                        full_end_points: list[tuple[str, float, float]]) -> Path:
    """Long cycling, half cells (left: capacity per g composite) and full cells (right: retention
    against the first cycle of the cycling block), coulombic efficiency below each.

    Cycle numbers count the cycling block (the formation cycles before it are left out), as the
    paper's retention does. End points: (label, cycle, value) marked ★; `half_knee`: (cycle, text)
    drawn as a dotted vertical line (pure Si's rapid decay)."""
    import numpy as np

    from sizno.results.observables import capacity_by_cycle

    fig, axes = plt.subplots(2, 2, figsize=(11, 6.2), sharex="col", gridspec_kw={"height_ratios": [3, 1]})
    for col, (runs, normalise) in enumerate(((half, False), (full, True))):
        ax, ax_ce = axes[0][col], axes[1][col]
        for i, (label, run) in enumerate(runs.items()):
            q = capacity_by_cycle(run)
            cyc = run.cycles
            block = sorted(cyc["block_index"].unique())[-1]
            ce = cyc.loc[cyc["block_index"] == block, "coulombic_efficiency_percent"].to_numpy(dtype=float)
            n = np.arange(1, q.size + 1)
            y = 100 * q / q[0] if normalise and q.size and q[0] > 0 else q
            color = MATERIAL_COLOR.get(run.metadata.get("material", ""), f"C{i}") if not normalise else f"C{i + 2}"
            ax.plot(n, y, "-", lw=1.3, color=color, label=f"model: {label}")
            ax_ce.plot(n[: ce.size], ce, "-", lw=1, color=color)
        for j, (label, cycle, value) in enumerate(half_end_points if col == 0 else full_end_points):
            ax.plot(cycle, value, "*", ms=13, mfc="none", mew=1.5, color=MATERIAL_COLOR["si-zno4"] if col == 0 else f"C{j + 2}",
                    ls="none", label=f"paper: {label}")
        if col == 0 and half_knee:
            ax.axvline(half_knee[0], color=MATERIAL_COLOR["si"], ls=":", lw=1.2, label=f"paper: {half_knee[1]}")
        ax.legend(fontsize=7)
        ax_ce.set_ylim(90, 101)
        ax_ce.set_ylabel("CE [%]")
        ax_ce.set_xlabel("cycle of the cycling block")
    axes[0][0].set_ylabel("delithiation capacity [mAh/g composite]")
    axes[0][0].set_title("half cells: 0.8 A/g, 60 °C")
    axes[0][1].set_ylabel("retention [% of the first 0.5C cycle]")
    axes[0][1].set_title("full cells: 0.5C, 25 °C")
    return _save(fig, path)


def figure_composition(summaries: list[dict], path: Path, paper_wt_percent: dict[str, float]) -> Path:
    """ZnO content from the recipe (every Zn of the acetate as ZnO; dihydrate solid, anhydrous hatched)
    beside the paper's Si–ZnO4 values (`paper_wt_percent`: label -> wt%, marked as lines), and the
    theoretical capacity each composition implies (Si alloying, ZnO conversion, Zn ⇄ LiZn)."""
    import numpy as np

    names = [s["material"] for s in summaries]
    x = np.arange(len(names))
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10.5, 4.0))
    colors = [MATERIAL_COLOR.get(n, "tab:purple") for n in names]
    ax.bar(x - 0.2, [s["zno_wt_percent"] for s in summaries], 0.4, color=colors, label="dihydrate acetate (the recipe)")
    ax.bar(x + 0.2, [s["zno_wt_percent_if_anhydrous"] for s in summaries], 0.4, color=colors, alpha=0.45, hatch="//",
           label="if the acetate were anhydrous")
    i4 = names.index("si-zno4") if "si-zno4" in names else None
    for j, (label, value) in enumerate(paper_wt_percent.items()):
        if i4 is not None:
            ax.plot([i4 - 0.45, i4 + 0.45], [value, value], ls=("-", "--", ":")[j % 3], color="k", lw=1.2,
                    label=f"paper Si–ZnO4, {label}: {value:g} wt%")
    ax.set_xticks(x, [MATERIAL_LABEL.get(n, n) for n in names])
    ax.set_ylabel("ZnO [wt% of Si + ZnO]")
    ax.set_title("ZnO content from the recipe")
    ax.legend(fontsize=7)
    bottom = np.zeros(len(names))
    for key, label, color in (("si_alloying_mAh_g", "Si alloying", "0.55"),
                              ("zno_conversion_irreversible_mAh_g", "ZnO → Zn + Li2O (irreversible)", "tab:orange"),
                              ("zn_lizn_reversible_mAh_g", "Zn ⇄ LiZn", "tab:cyan")):
        values = np.array([s[key] for s in summaries], dtype=float)
        ax2.bar(x, values, 0.6, bottom=bottom, color=color, label=label)
        bottom += values
    ax2.set_xticks(x, [MATERIAL_LABEL.get(n, n) for n in names])
    ax2.set_ylim(min(bottom) * 0.8, max(bottom) * 1.03)
    ax2.set_ylabel("theoretical capacity [mAh/g composite]")
    ax2.set_title("first-lithiation capacity the composition implies")
    ax2.legend(fontsize=7, loc="lower right")
    return _save(fig, path)
