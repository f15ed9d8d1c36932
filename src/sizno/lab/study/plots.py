"""Study figures: a record against one design variable (with its band), a heatmap against two,
sensitivity bars."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sizno.errors import SiznoInputError
from sizno.lab.study.store import Store


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _column(df: pd.DataFrame, name: str, field: str) -> None:
    if name not in df.columns:
        options = [c for c in df.columns if c not in ("point_id", "source", "status")]
        raise SiznoInputError(field, f"'{name}' is not in the store", ", ".join(map(str, options)))


def curve_table(store: Store, x: str, record: str, by: str | None = None) -> pd.DataFrame:
    """Per (by, x): the record's value; for an uncertainty store, nominal (draw 0) and the 95 % band."""
    df = store.wide("status = 'done'")
    for name, field in ((x, "--x"), (record, "--record")) + (((by, "--by"),) if by else ()):
        _column(df, name, field)
    keys = [c for c in (by, x) if c]
    if "draw" in df.columns:
        g = df.groupby(keys)[record]
        out = pd.DataFrame({"low": g.quantile(0.025), "high": g.quantile(0.975), "draws_ok": g.count()})
        nominal = df[df["draw"] == 0].set_index(keys)[record]
        out["value"] = nominal.reindex(out.index)
        return out.reset_index()
    return df.groupby(keys)[record].mean().rename("value").reset_index()


def line_plot(store: Store, x: str, record: str, output: Path, by: str | None = None,
              band_store: Store | None = None, title: str = "") -> tuple[Path, pd.DataFrame]:
    """The record against `x` (one line per value of `by`), shaded with the band where there is one."""
    plt = _plt()
    tab = curve_table(store, x, record, by)
    band = curve_table(band_store, x, record, by) if band_store is not None else (tab if "low" in tab else None)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    groups = [(None, tab)] if not by else list(tab.groupby(by))
    for key, g in groups:
        g = g.sort_values(x)
        label = f"{by} = {key:g}" if by and isinstance(key, (int, float)) else (f"{by} = {key}" if by else None)
        line, = ax.plot(g[x], g["value"], "o-", label=label)
        if band is not None:
            b = band if not by else band[band[by] == key]
            b = b.sort_values(x)
            ax.fill_between(b[x], b["low"], b["high"], color=line.get_color(), alpha=0.2, lw=0,
                            label="95 % band" if key == groups[0][0] else None)
    ax.set_xlabel(x)
    ax.set_ylabel(record)
    if title:
        ax.set_title(title, fontsize=9)
    if by or band is not None:
        ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=130)
    plt.close(fig)
    out = tab.merge(band, on=[c for c in (by, x) if c], suffixes=("", "_band")) if band is not None and band is not tab else tab
    return output, out


def heatmap(store: Store, x: str, y: str, record: str, output: Path) -> tuple[Path, pd.DataFrame]:
    """The record over two design variables (mean over the rest)."""
    plt = _plt()
    df = store.wide("status = 'done'")
    for name, field in ((x, "--x"), (y, "--y"), (record, "--record")):
        _column(df, name, field)
    grid = df.pivot_table(index=y, columns=x, values=record, aggfunc="mean")
    fig, ax = plt.subplots(figsize=(5.5, 4))
    if grid.shape[0] > 1 and grid.shape[1] > 1:
        m = ax.pcolormesh(grid.columns.to_numpy(float), grid.index.to_numpy(float), grid.to_numpy(), shading="nearest")
    else:
        m = ax.scatter(df[x], df[y], c=df[record])
    fig.colorbar(m, ax=ax, label=record)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=130)
    plt.close(fig)
    return output, grid


def sensitivity_bars(result: dict[str, Any], output: Path) -> Path:
    """One panel per record: S1 and ST (Sobol) or mu* (Morris) per variable, with confidence bars."""
    plt = _plt()
    recs = list(result["indices"])
    names = result["variables"]
    fig, axes = plt.subplots(1, max(1, len(recs)), figsize=(1.2 + 0.9 * len(names) * max(1, len(recs)), 3.6), squeeze=False)
    for ax, rec in zip(axes[0], recs):
        ix = result["indices"][rec]
        pos = np.arange(len(names))
        if result["method"] == "sobol":
            ax.bar(pos - 0.2, ix["S1"], 0.4, yerr=ix["S1_conf"], label="first order S1", capsize=2)
            ax.bar(pos + 0.2, ix["ST"], 0.4, yerr=ix["ST_conf"], label="total ST", capsize=2)
            ax.set_ylabel("Sobol index")
        else:
            ax.bar(pos, ix["mu_star"], 0.6, yerr=ix["mu_star_conf"], label="mu*", capsize=2)
            ax.set_ylabel("Morris mu*")
        ax.set_xticks(pos, [n if len(n) < 18 else n[:16] + "…" for n in names], rotation=30, ha="right", fontsize=7)
        ax.set_title(rec, fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=130)
    plt.close(fig)
    return output
