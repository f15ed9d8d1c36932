"""Which tester and file format is this? Decided from the bytes, the extension only breaks ties."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sizno.errors import SiznoInputError
from sizno.io.text import decode_text, sniff_encoding

KNOWN = ("land", "neware", "biologic", "arbin", "maccor", "bdf", "generic")


@dataclass(frozen=True)
class Detected:
    tester: str  # land, neware, biologic, arbin, maccor, bdf, generic
    format: str  # csv, xlsx, xls, mpt, mpr, ndax, nda, res, txt, parquet, cex
    reason: str


def _decode(head: bytes) -> str:
    return decode_text(head)[0]


def looks_binary(head: bytes) -> bool:
    if not head:
        return False
    if sniff_encoding(head).startswith("utf-16"):
        return False  # UTF-16 text (Windows instruments write it): zero bytes are not binary
    if b"\x00" in head[:4096]:
        return True
    sample = head[:4096]
    text = sum(32 <= b < 127 or b in (9, 10, 13) or b >= 128 for b in sample)
    return text / len(sample) < 0.85


def _looks_impedance(low: str) -> bool:
    """Frequency plus real/imaginary impedance (or |Z| and phase) columns: a spectrum, not cycling data."""
    has_f = "freq/hz" in low or "frequency" in low or "freq (hz)" in low or "zcurve" in low
    has_z = (("re(z)" in low or "z'" in low or "zreal" in low or "z_real" in low or "zre " in low or "zre/" in low
              or "zre(" in low) or ("|z|" in low and "phase" in low))
    # a cycling technique with impedance loops (EC-Lab GCPL + PEIS) still carries its cycling columns
    cycling = "ox/red" in low or "q charge" in low or "capacity" in low or "(q-qo)" in low
    return has_f and has_z and not cycling


def sniff_text(text: str, ext: str) -> Detected | None:
    first = text.lstrip("\ufeff").splitlines()[:60]
    joined = "\n".join(first)
    low = joined.lower()
    if first and first[0].startswith("EC-Lab ASCII FILE"):
        m = re.search(r"Nb header lines\s*:\s*(\d+)", joined)
        all_lines = text.lstrip("\ufeff").splitlines()
        col_line = all_lines[int(m.group(1)) - 1].lower() if m and int(m.group(1)) - 1 < len(all_lines) else low
        if _looks_impedance(col_line):
            return Detected("impedance", "mpt", "EC-Lab export of an impedance technique (freq/Hz, Re(Z)/Ohm)")
        return Detected("biologic", "mpt", "first line 'EC-Lab ASCII FILE'")
    if "mode\tox/red\t" in joined or ("time/s" in joined and ("ewe/v" in low or "<ewe>/v" in low)):
        return Detected("biologic", "mpt", "EC-Lab column names (time/s, Ewe/V) without the header block")
    if "rec#" in low and ("cyc#" in low or "amp-hr" in low):
        return Detected("maccor", "txt", "Maccor columns Rec#, Cyc#, Amp-hr")
    if "today's date" in low and "procedure" in low:
        return Detected("maccor", "txt", "Maccor header block (Today's Date, Procedure)")
    if _looks_impedance(low):
        return Detected("impedance", "txt", "impedance columns (frequency with Re/Im Z or |Z|/phase)")
    if "\nZCURVE\t" in text or re.search(r"^TAG\tEIS(POT|GALV)", text, re.M):
        return Detected("impedance", "dta", "Gamry impedance file (ZCURVE table)")
    if ("data_point" in low and ("test_time" in low or "charge_capacity" in low)) or (
            ("charge_capacity" in low or "charge capacity" in low) and ("cycle_index" in low or "cycle index" in low)
            and ("step_index" in low or "step index" in low) and "chg. cap" not in low):
        return Detected("arbin", "csv" if ext != ".xlsx" else "xlsx", "Arbin columns Data_Point, Test_Time, Charge_Capacity")
    if ("chg. cap." in low or "dchg. cap." in low or "datapoint" in low) and ("cycle index" in low or "step type" in low or "step index" in low):
        return Detected("neware", "csv", "Neware columns DataPoint / Chg. Cap. / Step Type")
    if ("testtime" in low or "record" in low) and ("voltage/v" in low) and ("capacity/mah" in low or "capacity/uah" in low or "capacity/ah" in low or "specap" in low):
        return Detected("land", "csv" if ext not in (".xlsx", ".xls") else ext[1:], "LAND columns Record, TestTime, Voltage/V, Capacity/mAh")
    if "test_time_second" in low or ("test time / " in low and "voltage / " in low and "current / " in low):
        return Detected("bdf", "csv", "Battery Data Format column names")
    return None


def detect_format(path: str | Path) -> Detected:
    p = Path(path)
    src = str(p)
    if not p.exists():
        raise SiznoInputError(src, "file not found", "an existing tester file")
    if p.is_dir():
        raise SiznoInputError(src, "is a folder", "a tester file")
    ext = p.suffix.lower()
    with p.open("rb") as fh:
        head = fh.read(65536)
    if not head:
        raise SiznoInputError(src, "file is empty", "a tester export with data rows")

    if head.startswith(b"BIO-LOGIC MODULAR FILE"):
        return Detected("biologic", "mpr", "magic 'BIO-LOGIC MODULAR FILE'")
    if head[4:19] in (b"Standard Jet DB", b"Standard ACE DB"):
        return Detected("arbin", "res", "MS Access database (Arbin .res)")
    if head.startswith(b"NEWARE"):
        return Detected("neware", "nda", "magic 'NEWARE'")
    if head.startswith(b"PAR1"):
        return Detected("bdf", "parquet", "Parquet magic 'PAR1'")
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(p) as z:
                names = z.namelist()
        except zipfile.BadZipFile:
            kind = "Neware .ndax" if ext == ".ndax" else "zip-based file (.xlsx/.ndax)"
            raise SiznoInputError(src, f"corrupt or truncated {kind}: the zip directory cannot be read", "a complete file") from None
        if any(n.startswith("xl/") for n in names):
            return Detected("excel", "xlsx", "zip with xl/ (Excel workbook); tester decided from its header")
        if any(n.lower().endswith(".ndc") for n in names) or ext == ".ndax":
            return Detected("neware", "ndax", "zip with Neware data.ndc")
        raise SiznoInputError(src, f"a zip archive that is neither an Excel workbook nor a Neware .ndax ({', '.join(names[:5])})",
                              "a tester file")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return Detected("excel", "xls", "OLE2 compound file (legacy Excel .xls)")
    if ext == ".cex" or (looks_binary(head) and ext in (".cex", ".lnd")):
        return Detected("land", "cex", "LAND binary .cex")
    if looks_binary(head):
        if ext == ".mpr":
            raise SiznoInputError(src, "not a BioLogic .mpr (magic 'BIO-LOGIC MODULAR FILE' missing): corrupt or another format",
                                  "an EC-Lab .mpr or .mpt")
        raise SiznoInputError(src, "binary file of unknown format", "LAND/Neware/Arbin/Maccor/BioLogic exports, BDF CSV/Parquet, generic CSV with --mapping")
    text = _decode(head)
    found = sniff_text(text, ext)
    if found is not None:
        return found
    return Detected("generic", "csv", "text table not recognised as any tester's export")
