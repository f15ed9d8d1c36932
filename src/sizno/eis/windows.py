"""Time-constant windows that name DRT peaks after processes (default: the paper's, data/eis/tau_windows.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from sizno.errors import SiznoInputError

UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class TauWindow:
    process: str
    tau_min_s: float
    tau_max_s: float
    label: str = ""

    def contains(self, tau_s: float) -> bool:
        return self.tau_min_s <= tau_s < self.tau_max_s

    def distance_decades(self, tau_s: float) -> float:
        lt = np.log10(tau_s)
        lo, hi = np.log10(self.tau_min_s), np.log10(self.tau_max_s)
        return float(max(lo - lt, lt - hi, 0.0))


def windows_from_dict(data: dict[str, Any], source: str = "windows") -> tuple[TauWindow, ...]:
    """Parse the TOML layout: [[window]] process, tau_min_s, tau_max_s, label (optional)."""
    rows = data.get("window")
    if not isinstance(rows, list) or not rows:
        raise SiznoInputError(source, "no [[window]] tables", "[[window]] with process, tau_min_s, tau_max_s")
    out = []
    for i, row in enumerate(rows):
        try:
            w = TauWindow(str(row["process"]), float(row["tau_min_s"]), float(row["tau_max_s"]), str(row.get("label", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise SiznoInputError(f"{source}: window {i + 1}", f"missing or bad field ({exc})", "process, tau_min_s, tau_max_s") from None
        if not (0 < w.tau_min_s < w.tau_max_s) or not np.isfinite(w.tau_max_s):
            raise SiznoInputError(f"{source}: window '{w.process}'", f"tau range [{w.tau_min_s}, {w.tau_max_s}) is not increasing and positive", "0 < tau_min_s < tau_max_s")
        out.append(w)
    return check_windows(out, source)


def check_windows(windows: Iterable[TauWindow], source: str = "windows") -> tuple[TauWindow, ...]:
    ws = tuple(sorted(windows, key=lambda w: w.tau_min_s))
    for a, b in zip(ws, ws[1:]):
        if b.tau_min_s < a.tau_max_s * (1 - 1e-12):
            raise SiznoInputError(source, f"windows '{a.process}' and '{b.process}' overlap", "non-overlapping tau windows")
    return ws


@lru_cache(maxsize=1)
def default_windows() -> tuple[TauWindow, ...]:
    """The paper's windows (electrolyte 1e-6–1e-5 s, SEI 1e-4–1e-3 s, charge transfer 1e-3–1e-1 s)."""
    from sizno.data import read_toml

    return windows_from_dict(read_toml("eis/tau_windows.toml"), "data/eis/tau_windows.toml")


def load_windows(path: str | Path) -> tuple[TauWindow, ...]:
    from sizno.data import read_user_toml

    return windows_from_dict(read_user_toml(path), str(path))


def assign_process(tau_s: float, windows: Iterable[TauWindow] | None = None, tolerance_decades: float = 0.0) -> str:
    """Name of the window holding tau_s; else the nearest within `tolerance_decades`; else 'unassigned'."""
    ws = default_windows() if windows is None else tuple(windows)
    for w in ws:
        if w.contains(tau_s):
            return w.process
    if tolerance_decades > 0 and ws:
        d = [w.distance_decades(tau_s) for w in ws]
        i = int(np.argmin(d))
        if d[i] <= tolerance_decades:
            return ws[i].process
    return UNASSIGNED
