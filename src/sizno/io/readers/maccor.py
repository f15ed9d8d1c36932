"""Maccor text exports: the 'Rec#' table, h:m:s or numeric clocks."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from sizno.errors import SiznoInputError
from sizno.io.columns import normalise_name, to_float
from sizno.io.detect import Detected
from sizno.io.readers.tables import from_table, read_text, separator_of
from sizno.io.table import CyclerData
from sizno.units import SECONDS_PER_HOUR, SECONDS_PER_MINUTE

_CLOCK_UNIT_S = {"sec": 1.0, "s": 1.0, "min": SECONDS_PER_MINUTE, "hr": SECONDS_PER_HOUR, "hrs": SECONDS_PER_HOUR,
                 "h": SECONDS_PER_HOUR}  # a numeric clock column's unit, in s
_MACCOR_CLOCK = re.compile(r"^\s*(Test|Step)\s*\((Sec|S|Min|Hr|Hrs|H)\)\s*$", re.I)


def read_maccor(path: Path, det: Detected) -> CyclerData:
    text = read_text(path)
    lines = text[:200_000].splitlines()  # the header block and column names are at the top
    hdr = next((i for i, l in enumerate(lines[:80]) if l.startswith("Rec#") or "\tRec#" in l[:10] or l.startswith("Rec,")), None)
    if hdr is None:
        raise SiznoInputError(str(path), "no 'Rec#' column header in the first 80 lines", "a Maccor text export")
    sep = separator_of(lines[hdr])
    header = [h.strip() for h in lines[hdr].split(sep)]
    has_clock = any(normalise_name(h) == "testtime" or (_MACCOR_CLOCK.match(h) and h.strip().lower().startswith("test"))
                    for h in header)
    keep = {"rec", "cyc", "step", "testtime", "steptime", "amphr", "watthr", "amps", "volts", "state"}
    if not has_clock:
        keep.add("dpttime")  # the wall clock is the time only when there is no test clock
    wanted = [h for h in header if normalise_name(h) in keep or _MACCOR_CLOCK.match(h)]
    try:
        raw = pd.read_csv(io.StringIO(text), sep=sep, skiprows=hdr, header=0, usecols=lambda c: c.strip() in wanted,
                          index_col=False, skipinitialspace=True, low_memory=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise SiznoInputError(str(path), f"cannot parse the Maccor table ({exc})", "a Maccor text export") from None
    raw.columns = [c.strip() for c in raw.columns]
    # newer exports: "Test (Sec)" / "Step (Min)" numeric clocks instead of the h:m:s "TestTime"/"StepTime"
    clock_notes = []
    for c in list(raw.columns):
        m = _MACCOR_CLOCK.match(c)
        if m:
            target = "TestTime" if m.group(1).lower() == "test" else "StepTime"
            if target in raw.columns:
                continue
            f = _CLOCK_UNIT_S[m.group(2).lower()]
            raw[target] = to_float(raw[c]) * f
            raw = raw.drop(columns=[c])
            clock_notes.append(f"'{c}' read as the {target[:-4].lower()} time (× {f:g} s)")
    raw.columns = [c.strip() for c in raw.columns]
    info = {l.split(":", 1)[0].strip(): l.split(":", 1)[1].strip() for l in lines[:hdr] if ":" in l}
    cd = from_table(raw, path, det, "maccor", extra_meta={"header": {k: v.split("\t")[0] for k, v in list(info.items())[:6]}})
    cd.notes.extend(clock_notes)
    return cd
