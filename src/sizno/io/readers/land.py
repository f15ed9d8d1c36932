"""LAND: Excel and CSV exports of the record layer (.cex is closed: refused with what to do)."""

from __future__ import annotations

from pathlib import Path

from sizno.io.detect import Detected
from sizno.io.readers.excel import read_excel_any
from sizno.io.readers.tables import csv_from_text, from_table, read_text, refuse_format, separator_of
from sizno.io.table import CyclerData


def read_land(path: Path, det: Detected) -> CyclerData:
    refuse_format(path, det, "cex", "LAND .cex is a closed binary format with no open reader",
                  "export it from LANDdt/LAND BTS as Excel (.xlsx) or CSV (record layer with TestTime, Voltage, Current, Capacity) and read that")
    if det.format in ("xlsx", "xls"):
        return read_excel_any(path, det, "land")
    text = read_text(path)
    lines = text.splitlines()
    hdr = next((i for i, l in enumerate(lines[:60]) if "Voltage" in l and ("Current" in l or "Capacity" in l)), 0)
    raw = csv_from_text(text, hdr, separator_of(lines[hdr]), src=str(path))
    cd = from_table(raw, path, det, "land")
    if hdr:
        cd.notes.append(f"skipped {hdr} line(s) above the column header")
    return cd
