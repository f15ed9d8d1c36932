"""Arbin: .res (an Access database, through access-parser) and the CSV export (Excel: `excel.py`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sizno.errors import SiznoInputError
from sizno.io.detect import Detected
from sizno.io.readers.tables import csv_from_text, from_table, read_text, separator_of
from sizno.io.table import CyclerData


def read_arbin_res(path: Path, det: Detected) -> CyclerData:
    try:
        from access_parser import AccessParser  # Apache-2.0, optional extra
    except ImportError:
        raise SiznoInputError(str(path), "reading Arbin .res needs the optional package access-parser (Apache-2.0)",
                              "pip install 'sizno[lab]', or export the test to CSV/Excel from Arbin MITS Pro/DataWatcher") from None
    try:
        db = AccessParser(str(path))
        table = db.parse_table("Channel_Normal_Table")
        glob = db.parse_table("Global_Table") if "Global_Table" in db.catalog else {}
    except Exception as exc:  # noqa: BLE001
        raise SiznoInputError(str(path), f"cannot read the Access database ({type(exc).__name__}: {exc}): truncated or corrupt .res",
                              "a complete .res file, or a CSV/Excel export") from None
    raw = pd.DataFrame(table)
    if raw.empty:
        raise SiznoInputError(str(path), "Channel_Normal_Table is empty", "a .res file with data")
    if "Data_Point" in raw:
        raw = raw.sort_values(["Test_ID", "Data_Point"] if "Test_ID" in raw else "Data_Point", kind="stable")
    extra: dict[str, Any] = {}
    if glob:
        g = pd.DataFrame(glob)
        if "MASS" in g and float(g["MASS"].iloc[0] or 0) > 0:
            extra["file_mass_g"] = float(g["MASS"].iloc[0])
        for k in ("Test_Name", "Schedule_File_Name", "Software_Version"):
            if k in g:
                extra[k.lower()] = str(g[k].iloc[0])
    return from_table(raw.reset_index(drop=True), path, det, "arbin", extra_meta=extra)


def read_arbin_csv(path: Path, det: Detected) -> CyclerData:
    text = read_text(path)
    lines = text.splitlines()
    hdr = next((i for i, l in enumerate(lines[:50]) if "Data_Point" in l or "Test_Time" in l), 0)
    raw = csv_from_text(text, hdr, separator_of(lines[hdr]), src=str(path))
    return from_table(raw, path, det, "arbin")
