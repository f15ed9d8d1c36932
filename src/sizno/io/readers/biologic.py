"""BioLogic EC-Lab text exports (.mpt; .mpr is refused: every open reader is GPL-3)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sizno.errors import SiznoInputError
from sizno.io.detect import Detected
from sizno.io.readers.tables import csv_from_text, from_table, read_text, refuse_format
from sizno.io.table import CyclerData
from sizno.units import UNIT_PER_MICRO, UNIT_PER_MILLI

_MASS_UNIT_G = {"g": 1.0, "mg": UNIT_PER_MILLI, "ug": UNIT_PER_MICRO}  # EC-Lab's characteristic-mass units, in g


def read_biologic(path: Path, det: Detected) -> CyclerData:
    refuse_format(path, det, "mpr", "BioLogic .mpr is not read by sizno (every open .mpr reader found, galvani and yadg, is GPL-3)",
                  "export it from EC-Lab as text (.mpt: 'Export as text') and read the .mpt")
    text = read_text(path)
    lines = text.splitlines()
    meta_extra: dict[str, Any] = {}
    hdr = None
    if lines and lines[0].startswith("EC-Lab ASCII FILE"):
        m = re.search(r"Nb header lines\s*:\s*(\d+)", lines[1] if len(lines) > 1 else "")
        if m is None:
            raise SiznoInputError(str(path), "EC-Lab header without 'Nb header lines'", "an EC-Lab .mpt export")
        hdr = int(m.group(1)) - 1
        if hdr >= len(lines):
            raise SiznoInputError(str(path), f"truncated: header says {hdr + 1} lines, the file has {len(lines)}", "a complete .mpt")
        if len(lines) > 3:
            meta_extra["technique"] = lines[3].strip()
        for l in lines[:hdr]:
            mm = re.match(r"\s*Characteristic mass\s*:\s*([0-9.,Ee+-]+)\s*(\w+)", l)
            if mm:
                val = float(mm.group(1).replace(",", "."))
                unit = mm.group(2).lower()
                meta_extra["file_mass_g"] = val * _MASS_UNIT_G.get(unit, 1.0)
            ma = re.match(r"\s*Electrode surface area\s*:\s*([0-9.,Ee+-]+)", l)
            if ma:
                meta_extra["file_area_cm2"] = float(ma.group(1).replace(",", "."))
    else:
        hdr = next((i for i, l in enumerate(lines[:100]) if "time/s" in l), None)
        if hdr is None:
            raise SiznoInputError(str(path), "no 'time/s' column header", "an EC-Lab .mpt export")
    data_line = next((l for l in lines[hdr + 1:hdr + 5] if l.strip()), "")
    decimal = "," if ("," in data_line and "." not in data_line) else "."
    raw = csv_from_text(text, hdr, "\t", decimal=decimal, src=str(path))
    raw = raw.loc[:, [c for c in raw.columns if not c.startswith("Unnamed")]]
    if decimal == ",":
        meta_extra.setdefault("notes", [])
    cd = from_table(raw, path, det, "biologic", extra_meta=meta_extra)
    if decimal == ",":
        cd.notes.append("decimal comma detected and converted")
    return cd
