"""Any other table, read with a column mapping (TOML: which column is what, in which unit)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from sizno.data import read_user_toml
from sizno.errors import SiznoInputError
from sizno.io.columns import BDF_COLUMNS, normalise_name, parse_duration_seconds, to_float, unit_factor
from sizno.io.detect import Detected
from sizno.io.readers.tables import csv_from_text, find_header_row, read_text, separator_of
from sizno.io.table import CyclerData, finalize


def read_generic(path: Path, det: Detected, mapping: str | Path | dict | None) -> CyclerData:
    if mapping is None:
        text = read_text(path)
        lines = text.splitlines()
        hdr = next((i for i, l in enumerate(lines[:60]) if re.search(r"volt", l, re.I) and re.search(r"curr|amp", l, re.I)), None)
        shown = lines[hdr].strip()[:160] if hdr is not None else (lines[0][:120] if lines else "")
        raise SiznoInputError(
            str(path),
            f"not recognised as a LAND/Neware/Arbin/Maccor/BioLogic/BDF export (header: '{shown}'); "
            "a generic table needs a column mapping that names each column and its unit",
            "--mapping FILE.toml (example: sizno/data/io/mappings/cellpy-custom-example.toml)",
        )
    m = mapping if isinstance(mapping, dict) else read_user_toml(mapping)
    return read_with_mapping(path, det, m)


def read_with_mapping(path: Path, det: Detected, m: dict[str, Any]) -> CyclerData:
    src = str(path)
    fcfg = m.get("file", {})
    cols = m.get("columns", {})
    if not cols:
        raise SiznoInputError("--mapping", "has no [columns] table", "[columns] test_time_second = { column = ..., unit = ... }")
    if det.format in ("xlsx", "xls"):
        sheet = fcfg.get("sheet", 0)
        raw0 = pd.read_excel(path, sheet_name=sheet, header=None)
        hdr = int(fcfg.get("header_line", find_header_row(raw0, tuple(normalise_name(v["column"]) for v in cols.values())[:2]) or 0))
        raw = raw0.iloc[hdr + 1:].copy()
        raw.columns = [str(v).strip() for v in raw0.iloc[hdr]]
    else:
        text = read_text(path)
        lines = text.splitlines()
        if "header_line" in fcfg:
            hdr = int(fcfg["header_line"])
        elif "header_starts_with" in fcfg:
            hdr = next((i for i, l in enumerate(lines) if l.startswith(fcfg["header_starts_with"])), None)
            if hdr is None:
                raise SiznoInputError(src, f"no line starts with '{fcfg['header_starts_with']}' (mapping header_starts_with)",
                                      "a file matching the mapping")
        else:
            hdr = 0
        sep = fcfg.get("separator") or separator_of(lines[hdr])
        raw = csv_from_text(text, hdr, sep, decimal=fcfg.get("decimal", "."), src=src)
    headers = list(raw.columns)
    out: dict[str, Any] = {}
    labels = None
    missing = []
    for target, c in cols.items():
        col = c["column"] if isinstance(c, dict) else str(c)
        if col not in raw.columns:
            missing.append(f"{target} ← '{col}'")
            continue
        if target == "step_type":
            labels = raw[col].astype("string")
            continue
        if target not in BDF_COLUMNS:
            raise SiznoInputError("--mapping", f"unknown target column '{target}'", ", ".join(BDF_COLUMNS))
        kind = BDF_COLUMNS[target][1]
        unit = c.get("unit") if isinstance(c, dict) else None
        if kind in ("count", "label"):
            out[target] = pd.to_numeric(raw[col], errors="coerce").to_numpy()
        elif unit == "hms":
            out[target] = parse_duration_seconds(raw[col])
        else:
            out[target] = to_float(raw[col]) * unit_factor(kind, unit, column=col, source=src)
    if missing:
        raise SiznoInputError(src, f"missing column(s): {'; '.join(missing)}; the header has: {', '.join(map(str, headers[:12]))}",
                              "the columns the mapping names")
    meta_cfg = m.get("meta", {})
    meta = {"source": src, "tester": meta_cfg.get("tester", "generic"), "format": det.format, "detected_by": det.reason + "; column mapping",
            "notes": [], "capacity_semantics": meta_cfg.get("capacity_semantics", "as mapped (re-based by resets)")}
    df = pd.DataFrame(out)
    if str(meta_cfg.get("current_sign", "positive = charge")).startswith("negative"):
        df["current_ampere"] = -df["current_ampere"]
        meta["notes"].append("current sign flipped as the mapping says (file: negative = charge)")
    return finalize(df, meta, step_labels=labels)
