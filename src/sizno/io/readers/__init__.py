"""One reader per tester format; all return :class:`~sizno.io.table.CyclerData` in BDF columns.

Formats and what each reader knows about them (the per-tester synonym tables and units live in
``sizno/data/io/<tester>.toml``):

========  ======================  ==========================================================
tester    formats                 capacity columns mean …
========  ======================  ==========================================================
LAND      .xlsx/.xls/.csv export  per step, unsigned (direction from current sign / state);
          (.cex: no open reader)
Neware    .ndax/.nda (NewareNDA,  per step (Chg. Cap. / DChg. Cap.); the hierarchical export's
          optional), .csv         single ``Capacity`` per step, unsigned
BioLogic  .mpt (own reader);      per half cycle (Q charge / Q discharge)
          .mpr: not read (GPL)
Arbin     .res (access-parser,    per cycle, or cumulative over the test in older software
          optional), .csv, .xlsx
Maccor    text export             per step and unsigned (Amp-hr), direction from State C/D
BDF       .csv, .parquet          per cycle (or as stated); units from the labels
generic   .csv + --mapping TOML   as the mapping says
========  ======================  ==========================================================

Each tester family has its own module here (`neware`, `arbin`, `excel`, `land`, `maccor`,
`biologic`, `bdf`, `generic`); `tables` holds what they share. `read` picks one from the file's content.
"""

from __future__ import annotations

from pathlib import Path

from sizno.data import read_user_toml
from sizno.errors import SiznoInputError
from sizno.io.detect import Detected, detect_format
from sizno.io.readers.arbin import read_arbin_csv, read_arbin_res
from sizno.io.readers.bdf import read_bdf
from sizno.io.readers.biologic import read_biologic
from sizno.io.readers.excel import read_excel_any
from sizno.io.readers.generic import read_generic, read_with_mapping
from sizno.io.readers.land import read_land
from sizno.io.readers.maccor import read_maccor
from sizno.io.readers.neware import read_neware_binary, read_neware_csv
from sizno.io.readers.tables import tester_spec
from sizno.io.table import CyclerData
from sizno.io.text import LABELS, sniff_encoding

__all__ = ["read", "read_arbin_csv", "read_arbin_res", "read_bdf", "read_biologic", "read_excel_any", "read_generic",
           "read_land", "read_maccor", "read_neware_binary", "read_neware_csv", "read_with_mapping", "tester_spec"]


def read(path: str | Path, *, mapping: str | Path | dict | None = None, tester: str | None = None,
         mapping_only_for_generic: bool = False) -> CyclerData:
    """Read any supported tester file into a tidy BDF table (tester and format detected from content).

    `mapping` (a TOML path or dict, see ``sizno/data/io/mappings/``) forces the generic reader;
    with ``mapping_only_for_generic`` it is used only for files no tester reader recognises.
    """
    p = Path(path)
    det = detect_format(p)
    if det.tester == "impedance":
        raise SiznoInputError(str(p), f"an impedance spectrum ({det.reason}), not cycling data",
                              "a cycling export with time, voltage and current; for spectra use `sizno drt FILE` or `sizno eis fit FILE`")
    cd = _read_detected(p, det, mapping=mapping, tester=tester, mapping_only_for_generic=mapping_only_for_generic)
    if det.format not in ("res", "ndax", "nda", "parquet", "xlsx", "xls", "mpr", "cex"):
        with p.open("rb") as fh:
            enc = sniff_encoding(fh.read(65536))
        cd.meta["text_encoding"] = LABELS[enc]
        if enc not in ("utf-8", "utf-8-sig"):
            cd.notes.append(f"text encoding detected: {LABELS[enc]}")
    return cd


def _read_detected(p: Path, det: Detected, *, mapping, tester, mapping_only_for_generic) -> CyclerData:
    if mapping is not None and (not mapping_only_for_generic or det.tester == "generic"):
        return read_with_mapping(p, det, mapping if isinstance(mapping, dict) else read_user_toml(mapping))
    if tester is not None and tester != det.tester and det.tester not in ("generic", "excel"):
        det = Detected(det.tester, det.format, det.reason + f" (overrides --tester {tester})")
    t = det.tester if det.tester not in ("generic", "excel") or tester is None else tester
    if det.tester == "excel":
        return read_excel_any(p, det, tester)
    if t == "biologic":
        return read_biologic(p, det)
    if t == "maccor":
        return read_maccor(p, det)
    if t == "arbin":
        return read_arbin_res(p, det) if det.format == "res" else read_arbin_csv(p, det)
    if t == "neware":
        return read_neware_binary(p, det) if det.format in ("ndax", "nda") else read_neware_csv(p, det)
    if t == "land":
        return read_land(p, det)
    if t == "bdf":
        return read_bdf(p, det)
    return read_generic(p, det, None)
