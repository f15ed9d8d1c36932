"""The tidy time series every reader produces: BDF machine-name columns, SI-ish BDF units.

Conventions (stated once, used everywhere in :mod:`sizno.io`):

* ``current_ampere`` > 0 charges the cell (raises the voltage between the tester's + and −
  leads); readers that get another convention flip it and say so in ``meta['notes']``.
* ``charging_capacity_ah`` / ``discharging_capacity_ah`` are the tester's own counters,
  re-based to *charge passed in that direction since the start of the cycle* (Ah, ≥ 0),
  whatever the tester meant (per step: Neware, Maccor, BioLogic; per cycle or over the whole
  test: Arbin). ``meta['capacity_semantics']`` records what the file meant. When a file has
  no capacity columns they are coulomb-counted from current and time and
  ``meta['capacity_source']`` says ``"coulomb counting"``.
* ``step_type`` is one of ``charge``, ``discharge``, ``rest`` (from the tester's labels when
  it has them, else from the sign of the step's median current).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sizno.errors import SiznoInputError
from sizno.io.columns import BDF_COLUMNS, FLOAT_COLUMNS, INT_COLUMNS, REQUIRED
from sizno.units import Ah_to_mAh, As_to_Ah

STEP_TYPES = ("charge", "discharge", "rest")
ZERO_CURRENT_FRACTION = 1e-3  # a (median) |I| below this fraction of the file's largest |I| counts as rest


@dataclass
class CyclerData:
    """A tidy cycler time series plus what is known about where it came from."""

    data: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return str(self.meta.get("source", "DataFrame"))

    @property
    def notes(self) -> list[str]:
        return self.meta.setdefault("notes", [])

    def to_bdf(self, path: str | Path, *, labels: bool = False) -> Path:
        """Write as BDF: ``.csv`` (machine names, or human labels with ``labels=True``) or ``.parquet``."""
        return write_bdf(self.data, path, labels=labels)


def write_bdf(df: pd.DataFrame, path: str | Path, *, labels: bool = False) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = [c for c in BDF_COLUMNS if c in df.columns]
    out = df[cols]
    if path.suffix.lower() == ".parquet":
        out.to_parquet(path, index=False)
    elif path.suffix.lower() in (".csv", ".txt"):
        if labels:
            out = out.rename(columns={c: BDF_COLUMNS[c][0] for c in cols})
        out.to_csv(path, index=False, float_format="%.10g")
    else:
        raise SiznoInputError(str(path), "unknown BDF output type", ".csv, .parquet")
    return path


def _robust_positive_scale(current: np.ndarray) -> float:
    a = np.abs(current[np.isfinite(current)])
    return float(np.max(a)) if a.size else 0.0


def derive_step_type(current: np.ndarray, step_count: np.ndarray) -> np.ndarray:
    """charge / discharge / rest per step from the sign of the step's median current."""
    scale = _robust_positive_scale(current)
    thresh = max(ZERO_CURRENT_FRACTION * scale, 1e-12)
    med = pd.Series(current).groupby(step_count).transform("median").to_numpy()
    out = np.full(current.shape, "rest", dtype=object)
    out[med > thresh] = "charge"
    out[med < -thresh] = "discharge"
    return out


def normalise_step_labels(labels: pd.Series) -> np.ndarray:
    """Vendor step labels ('CC_Chg', 'CC DChg', 'C', 'D', 'R', 'Rest', 'CCCV_Chg', …) → charge/discharge/rest/''."""
    codes, uniq = pd.factorize(labels.astype("string").fillna(""), sort=False)
    if len(uniq) < len(labels):  # a few distinct labels on many rows: classify each once
        per = normalise_step_labels(pd.Series(np.asarray(uniq, dtype=object), dtype="string"))
        out = np.full(len(labels), "", dtype=object)
        ok = codes >= 0
        out[ok] = per[codes[ok]]
        return out
    s = labels.astype("string").str.strip().str.lower().fillna("")
    out = np.full(len(s), "", dtype=object)
    dis = s.str.contains("dchg|dischar|dis_|^d$|ccd|cc_d|cv_d|cccv_d", regex=True).to_numpy(dtype=bool)
    chg = (~dis) & s.str.contains("chg|charg|^c$|ccc|cc_c|cv_c|cccv_c", regex=True).to_numpy(dtype=bool)
    rest = s.str.contains("rest|^r$|pause|ocv|wait|relax", regex=True).to_numpy(dtype=bool)
    out[dis] = "discharge"
    out[chg] = "charge"
    out[rest & ~dis & ~chg] = "rest"
    return out


def _rebase_capacity(values: np.ndarray, cycle: np.ndarray, allowed: np.ndarray | None = None,
                     name: str = "capacity", coulomb: np.ndarray | None = None) -> tuple[np.ndarray, list[str]]:
    """Tester counter (per step / per cycle / over the test; resets to ~0) → per-cycle running total.

    Each row's increment is its rise over the previous row; where the counter fell (a reset),
    the increment is the new value itself (the tester restarted from zero). `allowed` [Ah] is the
    most charge that can have passed in each row's interval (from |I| and the clocks): a first
    value or a restart value above it is not charge passed in this file but an offset (a counter
    cumulative from an earlier test, or restarted from a non-zero base); that row's increment is
    then the coulomb-counted one (`coulomb`, this counter's direction; else `allowed`). A rare forward
    jump (at most 1 % of the rows) above `allowed` is treated the same way; a counter that is too large on
    most rows is left alone (mislabelled units: the capacity check in the metrics flags it).
    Every repair is returned as a note.
    """
    v = np.nan_to_num(np.abs(values.astype(float)), nan=0.0)
    inc = np.empty_like(v)
    inc[0] = v[0]
    d = np.diff(v)
    tol = 1e-9 + 1e-6 * (np.max(v) if v.size else 0.0)
    reset = np.r_[True, d < -tol]
    inc[1:] = np.where(d >= -tol, np.maximum(d, 0.0), v[1:])
    notes: list[str] = []
    if allowed is not None and v.size:
        limit = 1.5 * allowed + tol + 1e-4 * (np.max(v) if v.size else 0.0)
        bad = reset & (inc > limit)
        if bad[0]:
            notes.append(
                f"{name} starts at {Ah_to_mAh(v[0]):.4g} mAh where at most {Ah_to_mAh(allowed[0]):.3g} mAh can have passed: the tester's "
                "counter carries an offset from before this file (cumulative from an earlier test?); the offset was removed, "
                "so the per-cycle values count this file's charge only")
        rest = np.flatnonzero(bad[1:]) + 1
        if rest.size:
            k = int(rest[0])
            notes.append(
                f"{name} restarts (data row {k}) at {Ah_to_mAh(v[k]):.4g} mAh where at most {Ah_to_mAh(allowed[k]):.3g} mAh can have "
                f"passed ({rest.size} such restart(s)): the counter restarted from a non-zero base; those rows were "
                "coulomb-counted instead (coulomb counting wins where the tester's column is inconsistent)")
        # forward jumps: a looser limit, since a tester's clock and counter are not sampled at quite the same instant
        jump = ~reset & (inc > 3.0 * allowed + tol + 0.01 * (np.max(v) if v.size else 0.0))
        n_j = int(jump.sum())
        if 0 < n_j <= max(3, 0.01 * v.size):
            k = int(np.flatnonzero(jump)[0])
            notes.append(
                f"{name} jumps by {Ah_to_mAh(inc[k]):.4g} mAh at data row {k} where at most {Ah_to_mAh(allowed[k]):.3g} mAh can have "
                f"passed ({n_j} such jump(s)): those rows were coulomb-counted instead (coulomb counting wins where the "
                "tester's column is inconsistent)")
            bad |= jump
        repl = coulomb if coulomb is not None else allowed
        inc[bad] = np.minimum(inc[bad], repl[bad])
    return _cumsum_by_cycle(inc, cycle), notes


def _interval_charge_limit(t: np.ndarray, cur: np.ndarray, step_time: np.ndarray | None) -> np.ndarray:
    """Most charge [Ah] that can have passed in each row's interval: max(|I| of both ends) × dt, and for a
    row that opens the file, |I| × its step clock (a file that starts inside a step)."""
    dt = np.diff(t, prepend=t[0])
    a = np.abs(cur)
    lim = As_to_Ah(np.maximum(a, np.r_[a[0], a[:-1]]) * np.maximum(dt, 0.0))
    if step_time is not None and step_time.size and np.isfinite(step_time[0]):
        lim[0] = As_to_Ah(a[0] * max(float(step_time[0]), 0.0))
    return lim


def _cumsum_by_cycle(inc: np.ndarray, cycle: np.ndarray) -> np.ndarray:
    total = np.cumsum(inc)
    starts = np.r_[True, cycle[1:] != cycle[:-1]]
    # subtract, for every row, the running total just before its cycle block began
    base = np.where(starts, total - inc, np.nan)
    base = pd.Series(base).ffill().to_numpy()
    return total - base


def row_increments(cum: np.ndarray, first_of_cycle: np.ndarray) -> np.ndarray:
    """Per-row rise of a per-cycle running counter (the first row of a cycle: its value), never negative."""
    inc = np.diff(cum, prepend=0.0)
    inc[first_of_cycle] = cum[first_of_cycle]
    return np.maximum(inc, 0.0)


def coulomb_increments(t: np.ndarray, i: np.ndarray, *, step_count: np.ndarray | None = None,
                       step_time: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Trapezoidal charge per interval [Ah], split by direction; interval k ends at row k.

    Across a step boundary the trapezoid would mix two steps' currents; where the file has a
    step clock, the first row of a step instead gets its own current × its step time (and so does
    the file's first row when the file starts inside a step).
    """
    dt = np.diff(t, prepend=t[0])
    imid = 0.5 * (i + np.r_[i[0], i[:-1]])
    dq = As_to_Ah(imid * dt)
    if step_count is not None and step_time is not None and np.isfinite(step_time).all():
        b = np.flatnonzero(np.r_[False, step_count[1:] != step_count[:-1]])
        dq[b] = As_to_Ah(i[b] * np.clip(step_time[b], 0.0, dt[b]))
    if step_time is not None and step_time.size and np.isfinite(step_time[0]) and step_time[0] > 0:
        dq[0] = As_to_Ah(i[0] * step_time[0])  # the file starts inside a step: its clock says for how long
    return np.where(dq > 0, dq, 0.0), np.where(dq < 0, -dq, 0.0)


def _derive_cycles(step_type: np.ndarray) -> np.ndarray:
    """Cycle 1 starts with the first non-rest step; a new cycle starts when that direction returns."""
    active = step_type != "rest"
    if not active.any():
        return np.ones(step_type.shape, dtype=np.int64)
    first = step_type[np.argmax(active)]
    prev = pd.Series(np.where(active, step_type, None)).ffill().shift(1).to_numpy()
    new = (step_type == first) & (prev != first) & (prev != None)  # noqa: E711
    return (1 + np.cumsum(new)).astype(np.int64)


def finalize(
    df: pd.DataFrame,
    meta: dict[str, Any],
    *,
    capacity_semantics: str | None = None,
    step_labels: pd.Series | None = None,
    check_sign: bool = True,
) -> CyclerData:
    """Validate and complete a table that already has BDF names and units.

    Repairs it makes are listed in ``meta['notes']``; input it cannot use raises
    :class:`SiznoInputError` naming the file.
    """
    src = str(meta.get("source", "DataFrame"))
    meta.setdefault("notes", [])
    notes: list[str] = meta["notes"]
    df = _numeric_table(df, src)
    df, step_labels = _drop_non_finite(df, step_labels, src, notes)  # 1. rows without time/voltage/current
    df, step_labels = _monotonic_time(df, step_labels, notes)  # 2. time must not go backwards
    cur = df["current_ampere"].to_numpy(dtype=float)
    _fill_blank_indices(df, notes)
    labels = normalise_step_labels(step_labels) if step_labels is not None else None
    st = _step_types(df, cur, labels)  # 3. steps and their types
    if check_sign:  # 4. sign convention: tester labels or capacity counters say which way charge went
        cur, st = _sign_convention(df, cur, st, labels, notes)
    df["step_type"] = pd.Categorical(st, categories=list(STEP_TYPES))
    _cycles_and_counts(df, st, notes)  # 5. cycles
    _capacity_counters(df, cur, meta, capacity_semantics)  # 6. capacity counters
    cols = [c for c in BDF_COLUMNS if c in df.columns]
    extra = [c for c in df.columns if c not in BDF_COLUMNS]
    meta.setdefault("rows", len(df))
    meta["rows"] = len(df)
    return CyclerData(df[cols + extra], meta)


def _numeric_table(df: pd.DataFrame, src: str) -> pd.DataFrame:
    """The required columns present, float columns as floats, at least one row."""
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise SiznoInputError(src, f"missing column(s) {', '.join(missing)}", ", ".join(REQUIRED))
    df = df.reset_index(drop=True)
    for c in FLOAT_COLUMNS:
        if c in df.columns:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    if len(df) == 0:
        raise SiznoInputError(src, "no data rows", "a file with at least one complete cycle")
    return df


def _drop_non_finite(df: pd.DataFrame, step_labels: pd.Series | None, src: str,
                     notes: list[str]) -> tuple[pd.DataFrame, pd.Series | None]:
    """Rows with non-finite time/voltage/current dropped (said how many); more than half of them raises."""
    req = df[list(REQUIRED)].to_numpy(dtype=float)
    bad = ~np.isfinite(req).all(axis=1)
    if not bad.any():
        return df, step_labels
    nbad = int(bad.sum())
    if nbad > 0.5 * len(df):
        raise SiznoInputError(src, f"{nbad} of {len(df)} rows have missing or non-finite time/voltage/current",
                              "numeric time, voltage and current")
    first = int(np.flatnonzero(bad)[0])
    notes.append(f"dropped {nbad} row(s) with missing or non-finite time/voltage/current (first at data row {first})")
    df = df.loc[~bad].reset_index(drop=True)
    if step_labels is not None:
        step_labels = step_labels.loc[~bad].reset_index(drop=True)
    return df, step_labels


def _monotonic_time(df: pd.DataFrame, step_labels: pd.Series | None,
                    notes: list[str]) -> tuple[pd.DataFrame, pd.Series | None]:
    """Restarts of the clock (> 1 s back) offset; sub-second backward steps re-sorted."""
    t = df["test_time_second"].to_numpy(dtype=float)
    dt = np.diff(t)
    back = dt < 0
    if not back.any():
        return df, step_labels
    jumps = np.flatnonzero(back)
    big = back & (-dt > 1.0)
    if big.any():
        # restarts (concatenated runs or a step clock): offset each restart
        offs = np.zeros_like(t)
        offs[1:] = np.cumsum(np.where(back, -dt, 0.0))
        df["test_time_second"] = t + offs
        notes.append(
            f"test time went backwards {len(jumps)} time(s) (first after data row {int(jumps[0])}); "
            "each restart was offset so time is monotonic (were runs concatenated?)"
        )
        return df, step_labels
    order = np.argsort(t, kind="stable")
    df = df.iloc[order].reset_index(drop=True)
    if step_labels is not None:
        step_labels = step_labels.iloc[order].reset_index(drop=True)
    notes.append(f"{len(jumps)} sub-second backward time step(s): rows re-sorted by time")
    return df, step_labels


def _step_types(df: pd.DataFrame, cur: np.ndarray, labels: np.ndarray | None) -> np.ndarray:
    """Adds step_count where missing (from step index, labels or current sign); returns each row's step type."""
    if "step_count" not in df.columns:
        if "step_index" in df.columns:
            si = df["step_index"].to_numpy()
            cyc = df["cycle_count"].to_numpy() if "cycle_count" in df.columns else np.zeros(len(df))
            change = np.r_[True, (si[1:] != si[:-1]) | (cyc[1:] != cyc[:-1])]
        elif labels is not None:
            change = np.r_[True, labels[1:] != labels[:-1]]
        else:
            sign = np.sign(np.where(np.abs(cur) > ZERO_CURRENT_FRACTION * _robust_positive_scale(cur), cur, 0.0))
            change = np.r_[True, sign[1:] != sign[:-1]]
        df["step_count"] = np.cumsum(change).astype(np.int64)
    derived = derive_step_type(cur, df["step_count"].to_numpy())
    if labels is not None and (labels != "").mean() > 0.5:
        return np.where(labels != "", labels, derived)
    return derived


def _sign_convention(df: pd.DataFrame, cur: np.ndarray, st: np.ndarray, labels: np.ndarray | None,
                     notes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Current flipped to the BDF convention (positive = charging) where the file has it the other way."""
    if not _looks_flipped(df, st if labels is not None else None):
        return cur, st
    df["current_ampere"] = -df["current_ampere"]
    cur = -cur
    if labels is None:
        st = derive_step_type(cur, df["step_count"].to_numpy())
    notes.append("current was positive while the cell discharged: sign flipped to the BDF convention (positive = charging)")
    return cur, st


def _cycles_and_counts(df: pd.DataFrame, st: np.ndarray, notes: list[str]) -> None:
    """cycle_count derived where missing; integer columns as int64 (blanks filled from the neighbours)."""
    if "cycle_count" not in df.columns:
        df["cycle_count"] = _derive_cycles(np.asarray(st, dtype=object))
        notes.append("the file has no cycle numbers: cycles were numbered from the current direction (cycle 1 = first non-rest step)")
    for c in INT_COLUMNS:
        if c in df.columns:
            col = pd.to_numeric(df[c], errors="coerce")
            if col.isna().any():
                col = col.ffill().bfill()
            df[c] = col.astype(np.int64)


def _capacity_counters(df: pd.DataFrame, cur: np.ndarray, meta: dict[str, Any], capacity_semantics: str | None) -> None:
    """The tester's counters re-based to charge per direction since the cycle began, or coulomb-counted."""
    notes: list[str] = meta["notes"]
    cyc = df["cycle_count"].to_numpy()
    t = df["test_time_second"].to_numpy(dtype=float)
    has_cap = "charging_capacity_ah" in df.columns and "discharging_capacity_ah" in df.columns
    if has_cap:
        chg = df["charging_capacity_ah"].to_numpy(dtype=float)
        dis = df["discharging_capacity_ah"].to_numpy(dtype=float)
        if np.nanmax(np.abs(np.r_[chg, dis, 0.0])) == 0.0 and np.any(cur != 0):
            has_cap = False
            notes.append("capacity columns are zero throughout: ignored, capacities coulomb-counted instead")
    if not has_cap:
        qc, qd = coulomb_increments(t, cur)
        df["charging_capacity_ah"] = _cumsum_by_cycle(qc, cyc)
        df["discharging_capacity_ah"] = _cumsum_by_cycle(qd, cyc)
        meta["capacity_source"] = "coulomb counting"
        meta.setdefault("capacity_semantics", "none in file")
        return
    stt = df["step_time_second"].to_numpy(dtype=float) if "step_time_second" in df.columns else None
    lim = _interval_charge_limit(t, cur, stt)
    cols_used = meta.get("columns_used", {})
    qc, qd = coulomb_increments(t, cur, step_time=stt)
    df["charging_capacity_ah"], n_c = _rebase_capacity(chg, cyc, lim, cols_used.get("charging_capacity_ah", "charging capacity"), qc)
    df["discharging_capacity_ah"], n_d = _rebase_capacity(dis, cyc, lim, cols_used.get("discharging_capacity_ah", "discharging capacity"), qd)
    notes.extend(n_c + n_d)
    if n_c or n_d:
        meta["capacity_offsets_removed"] = True
    meta["capacity_source"] = "tester"
    meta.setdefault("capacity_semantics", capacity_semantics or "unknown (re-based by resets)")


def _fill_blank_indices(df: pd.DataFrame, notes: list[str]) -> None:
    """Cycle/step index columns with blank cells: blank everywhere → dropped (derived instead); blank on
    some rows → the previous row's index (the next one's for leading blanks). Said in the notes."""
    for c, what in (("cycle_count", "cycle index"), ("step_index", "step index"), ("step_count", "step count")):
        if c not in df.columns:
            continue
        col = pd.to_numeric(df[c], errors="coerce")
        blank = col.isna().to_numpy()
        if not blank.any():
            df[c] = col
            continue
        if blank.all():
            del df[c]
            derived = "numbered from the current direction" if c == "cycle_count" else "found from changes of the current"
            notes.append(f"{what} is blank on every row: ignored, {what.split()[0]}s {derived}")
            continue
        first = int(np.flatnonzero(blank)[0])
        df[c] = col.ffill().bfill()
        notes.append(f"{what} is blank on {int(blank.sum())} of {len(col)} row(s) (first at data row {first}): "
                     "each took the index of the row before it")


def _looks_flipped(df: pd.DataFrame, labels: np.ndarray | None) -> bool:
    cur = df["current_ampere"].to_numpy(dtype=float)
    if labels is not None:
        ch = labels == "charge"
        di = labels == "discharge"
        if ch.any() and di.any():
            return float(np.median(cur[ch])) < 0 and float(np.median(cur[di])) > 0
    if "charging_capacity_ah" in df.columns and "discharging_capacity_ah" in df.columns:
        c = np.diff(np.nan_to_num(df["charging_capacity_ah"].to_numpy(dtype=float)), prepend=0.0)
        d = np.diff(np.nan_to_num(df["discharging_capacity_ah"].to_numpy(dtype=float)), prepend=0.0)
        up_c = c > 0
        up_d = d > 0
        if up_c.sum() > 3 and up_d.sum() > 3:
            return float(np.median(cur[up_c])) < 0 and float(np.median(cur[up_d])) > 0
    return False


def from_dataframe(df: pd.DataFrame, *, source: str = "DataFrame", meta: dict[str, Any] | None = None) -> CyclerData:
    """Accept a plain DataFrame with BDF machine-name columns (e.g. a simulated time series)."""
    m = {"source": source, "tester": "bdf", "format": "DataFrame", "notes": []}
    if meta:
        m.update(meta)
    d = df.copy()
    labels = None
    if "step_type" in d.columns:
        labels = d.pop("step_type").astype("string")
    return finalize(d, m, capacity_semantics="per cycle (BDF table)", step_labels=labels)
