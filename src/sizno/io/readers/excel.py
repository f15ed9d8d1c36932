"""Excel workbooks (LAND, Arbin, Neware or BDF tables): find the data sheet(s) and their header row."""

from __future__ import annotations

import re
from importlib.util import find_spec
from pathlib import Path

import pandas as pd

from sizno.errors import SiznoInputError
from sizno.io.columns import normalise_name, split_header
from sizno.io.detect import Detected
from sizno.io.readers.tables import find_header_row, from_table
from sizno.io.table import CyclerData


def _excel_sheet_kind(header: list[str]) -> str | None:
    """Which tester's data sheet a header row is, from column names only the tester writes; None: not a data sheet."""
    names = {normalise_name(split_header(h)[0]) for h in header} | {normalise_name(h) for h in header}
    norm = " ".join(sorted(names))
    if "datapoint" in names or ({"chargecapacity", "dischargecapacity"} <= names and ({"cycleindex", "stepindex"} & names)):
        return "arbin"
    if "chgcap" in norm or "dchgcap" in norm:
        return "neware"
    if any(re.match(r"^\s*test time / |^\s*test_time_second\s*$", str(h), re.I) for h in header):
        return "bdf"
    if {"record", "testtime"} & names or "specap" in norm or "capacity" in names:
        return "land"
    return None


def _excel_engine(path: Path, det: Detected) -> str | None:
    """pandas' engine for the workbook; a missing optional package raises, saying what to install."""
    if det.format == "xls":
        if find_spec("xlrd") is None:
            raise SiznoInputError(str(path), "legacy Excel .xls needs the optional package xlrd",
                                  "pip install xlrd, or save the workbook as .xlsx / export CSV")
        return None
    if find_spec("openpyxl") is None:
        raise SiznoInputError(str(path), "Excel .xlsx needs the optional package openpyxl",
                              "pip install 'sizno[lab]', or export CSV")
    return "openpyxl"


def read_excel_any(path: Path, det: Detected, tester_hint: str | None = None) -> CyclerData:
    """Excel workbook from LAND or Arbin (or a BDF/Neware table): find the data sheet(s) and header row."""
    engine = _excel_engine(path, det)
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine=engine)
    except Exception as exc:  # noqa: BLE001
        raise SiznoInputError(str(path), f"cannot open the workbook ({type(exc).__name__}: {exc}): truncated or corrupt",
                              "a complete .xlsx/.xls") from None
    frames: list[pd.DataFrame] = []
    tester = tester_hint
    skipped_rows = 0
    candidates: list[tuple[str, str, int, list[str]]] = []
    for name, sh in sheets.items():
        if sh.empty:
            continue
        hdr = find_header_row(sh, ("voltage", "current"))
        if hdr is None:
            continue
        header = [str(v).strip() for v in sh.iloc[hdr].tolist()]
        kind = _excel_sheet_kind(header)
        # info/summary sheets have voltage and current limits too, but no data-sheet signature or no time column
        if kind is None or "time" not in " ".join(normalise_name(h) for h in header):
            continue
        candidates.append((str(name), kind, hdr, header))
    if candidates and tester is None:
        # the tester whose signature the most data sheets carry (Arbin: Data_Point / Charge_Capacity + Cycle_Index)
        kinds = [c[1] for c in candidates]
        tester = max(dict.fromkeys(kinds), key=kinds.count)
    for name, kind, hdr, header in candidates:
        if kind != tester:
            continue
        sh = sheets[name] if name in sheets else next(v for k, v in sheets.items() if str(k) == name)
        body = sh.iloc[hdr + 1:].copy()
        body.columns = header
        body = body.dropna(how="all")
        frames.append(body)
        skipped_rows += hdr
    if not frames:
        raise SiznoInputError(str(path), f"no sheet with a time/voltage/current header in sheets {list(sheets)[:6]}",
                              "a LAND or Arbin Excel export of the record/channel data")
    raw = pd.concat(frames, ignore_index=True)
    d = Detected(tester or "land", det.format, det.reason + f"; data sheet header says {tester}")
    cd = from_table(raw, path, d, tester or "land")
    if skipped_rows:
        cd.notes.append(f"skipped {skipped_rows} row(s) above the column header in the workbook")
    return cd
