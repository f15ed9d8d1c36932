"""What every tester reader shares: the tester's column spec, the text-table parser, and the table →
BDF assembly (columns mapped by the spec, unsigned counters split by direction, sign from labels)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sizno.data import read_toml
from sizno.errors import SiznoInputError
from sizno.io.columns import (
    BDF_COLUMNS,
    ColumnChoice,
    map_columns,
    normalise_name,
    parse_duration_seconds,
    require,
    to_float,
    unit_factor,
)
from sizno.io.detect import Detected
from sizno.io.table import CyclerData, finalize, normalise_step_labels
from sizno.io.text import decode_text

_SPECS: dict[str, dict[str, Any]] = {}


def tester_spec(tester: str) -> dict[str, Any]:
    if tester not in _SPECS:
        _SPECS[tester] = read_toml(f"io/{tester}.toml")
    return _SPECS[tester]


def reader_meta(path: Path, det: Detected, spec: dict[str, Any] | None = None) -> dict[str, Any]:
    m: dict[str, Any] = {"source": str(path), "tester": det.tester, "format": det.format, "detected_by": det.reason, "notes": []}
    if spec:
        m["capacity_semantics"] = spec["tester"].get("capacity_semantics")
        m["tester_current_sign"] = spec["tester"].get("current_sign")
    return m


def _column_values(raw: pd.DataFrame, ch: ColumnChoice) -> np.ndarray:
    col = raw[ch.header]
    if isinstance(col, pd.DataFrame):  # duplicated header: take the first
        col = col.iloc[:, 0]
    if pd.api.types.is_timedelta64_dtype(col):
        return col.dt.total_seconds().to_numpy(dtype=float)
    if ch.unit == "hms" or (not pd.api.types.is_numeric_dtype(col)
                            and col.head(50).astype(str).str.contains(":", regex=False).any()):
        return parse_duration_seconds(col)  # h:m:s text carries its own unit
    if pd.api.types.is_timedelta64_dtype(col):
        return col.dt.total_seconds().to_numpy(dtype=float)
    return to_float(col) * ch.factor


def assemble(raw: pd.DataFrame, chosen: dict[str, ColumnChoice]) -> tuple[pd.DataFrame, pd.Series | None]:
    out: dict[str, Any] = {}
    for target, ch in chosen.items():
        if target in BDF_COLUMNS and target != "step_type":
            kind = BDF_COLUMNS[target][1]
            if kind == "count":
                out[target] = pd.to_numeric(raw[ch.header], errors="coerce").to_numpy()
            else:
                out[target] = _column_values(raw, ch)
    labels = raw[chosen["step_label"].header].astype("string") if "step_label" in chosen else None
    return pd.DataFrame(out), labels


def _split_unsigned(df: pd.DataFrame, raw: pd.DataFrame, chosen: dict[str, ColumnChoice], labels: pd.Series | None) -> None:
    """One unsigned per-step capacity/energy column → charging/discharging columns by direction."""
    if "capacity_unsigned" not in chosen and "energy_unsigned" not in chosen:
        return
    if labels is not None:
        lab = normalise_step_labels(labels)
        is_chg = lab == "charge"
        is_dis = lab == "discharge"
        unlabelled = lab == ""
        cur = df["current_ampere"].to_numpy()
        is_chg = is_chg | (unlabelled & (cur > 0))
        is_dis = is_dis | (unlabelled & (cur < 0))
    else:
        cur = df["current_ampere"].to_numpy()
        is_chg, is_dis = cur > 0, cur < 0
    for src, (c_t, d_t) in (("capacity_unsigned", ("charging_capacity_ah", "discharging_capacity_ah")),
                             ("energy_unsigned", ("charging_energy_wh", "discharging_energy_wh"))):
        if src in chosen:
            kind = "capacity" if src.startswith("capacity") else "energy"
            ch = chosen[src]
            f = unit_factor(kind, ch.unit, column=ch.header, source="") if ch.unit else 1.0
            v = np.abs(to_float(raw[ch.header]) * f)
            df[c_t] = np.where(is_chg, v, 0.0)
            df[d_t] = np.where(is_dis, v, 0.0)


def _sign_from_labels(df: pd.DataFrame, labels: pd.Series | None, meta: dict[str, Any]) -> None:
    """Unsigned current (never negative while discharge labels exist): give it the labels' sign."""
    if labels is None:
        return
    cur = df["current_ampere"].to_numpy()
    lab = normalise_step_labels(labels)
    if (lab == "discharge").any() and not (cur < 0).any():
        df["current_ampere"] = np.where(lab == "discharge", -np.abs(cur), np.where(lab == "charge", np.abs(cur), cur))
        meta["notes"].append("the file's current is unsigned: discharge rows were given negative current from the step labels")


def read_text(path: Path) -> str:
    """The file as text, encoding detected (UTF-8 with/without BOM, UTF-16, Windows-1252/Latin-1)."""
    return decode_text(path.read_bytes())[0]


def separator_of(line: str) -> str:
    counts = {s: line.count(s) for s in ("\t", ";", ",")}
    return max(counts, key=counts.get)  # type: ignore[arg-type]


def csv_from_text(text: str, header_line: int, sep: str, *, decimal: str = ".", src: str) -> pd.DataFrame:
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, skiprows=header_line, header=0, decimal=decimal,
                         skip_blank_lines=False, low_memory=False, on_bad_lines="warn", index_col=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise SiznoInputError(src, f"cannot parse the table ({exc})", "a delimited text export") from None
    df = df.dropna(how="all")
    df.columns = [str(c).strip() for c in df.columns]
    return df


def from_table(raw: pd.DataFrame, path: Path, det: Detected, tester: str, *, extra_meta: dict | None = None) -> CyclerData:
    spec = tester_spec(tester)
    meta = reader_meta(path, det, spec)
    if extra_meta:
        meta.update(extra_meta)
    headers = [str(c) for c in raw.columns]
    chosen = map_columns(headers, spec, source=str(path))
    if "test_time_second" not in chosen and "step_time_second" in chosen and "date" in chosen:
        ts = pd.to_datetime(raw[chosen["date"].header], errors="coerce")
        raw = raw.assign(__t=(ts - ts.iloc[0]).dt.total_seconds())
        chosen["test_time_second"] = ColumnChoice("test_time_second", "__t", "s", 1.0)
        meta["notes"].append("test time taken from the date/time column")
    if "capacity_unsigned" in chosen and "charging_capacity_ah" not in chosen:
        pass
    require(chosen, ("test_time_second", "voltage_volt", "current_ampere"), source=str(path), headers=headers)
    df, labels = assemble(raw, chosen)
    _sign_from_labels(df, labels, meta)
    _split_unsigned(df, raw, chosen, labels)
    meta["columns_used"] = {k: v.header for k, v in chosen.items()}
    return finalize(df, meta, step_labels=labels)


def find_header_row(frame: pd.DataFrame, must: tuple[str, ...], limit: int = 40) -> int | None:
    for i in range(min(limit, len(frame))):
        row = " ".join(normalise_name(v) for v in frame.iloc[i].astype(str).tolist())
        if all(m in row for m in must):
            return i
    return None


def refuse_format(path: Path, det: Detected, fmt: str, why: str, instead: str) -> None:
    """Raises, naming the file, when it is in `fmt`, a format sizno does not read (`why`; `instead`: what to export)."""
    if det.format == fmt:
        raise SiznoInputError(str(path), why, instead)
