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
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sizno.data import read_toml, read_user_toml
from sizno.errors import SiznoInputError
from sizno.io.columns import (
    BDF_COLUMNS,
    ColumnChoice,
    map_columns,
    normalise_name,
    parse_duration_seconds,
    require,
    split_header,
    to_float,
    unit_factor,
)
from sizno.io.detect import Detected, detect_format
from sizno.io.table import CyclerData, finalize, normalise_step_labels
from sizno.io.text import LABELS, decode_text, sniff_encoding

_SPECS: dict[str, dict[str, Any]] = {}


def tester_spec(tester: str) -> dict[str, Any]:
    if tester not in _SPECS:
        _SPECS[tester] = read_toml(f"io/{tester}.toml")
    return _SPECS[tester]


def _meta(path: Path, det: Detected, spec: dict[str, Any] | None = None) -> dict[str, Any]:
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


def _assemble(raw: pd.DataFrame, chosen: dict[str, ColumnChoice]) -> tuple[pd.DataFrame, pd.Series | None]:
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


# ---------------------------------------------------------------- text tables

def _read_text(path: Path) -> str:
    """The file as text, encoding detected (UTF-8 with/without BOM, UTF-16, Windows-1252/Latin-1)."""
    return decode_text(path.read_bytes())[0]


def _sep_of(line: str) -> str:
    counts = {s: line.count(s) for s in ("\t", ";", ",")}
    return max(counts, key=counts.get)  # type: ignore[arg-type]


def _csv_from_text(text: str, header_line: int, sep: str, *, decimal: str = ".", src: str) -> pd.DataFrame:
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, skiprows=header_line, header=0, decimal=decimal,
                         skip_blank_lines=False, low_memory=False, on_bad_lines="warn", index_col=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise SiznoInputError(src, f"cannot parse the table ({exc})", "a delimited text export") from None
    df = df.dropna(how="all")
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _from_table(raw: pd.DataFrame, path: Path, det: Detected, tester: str, *, extra_meta: dict | None = None) -> CyclerData:
    spec = tester_spec(tester)
    meta = _meta(path, det, spec)
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
    df, labels = _assemble(raw, chosen)
    _sign_from_labels(df, labels, meta)
    _split_unsigned(df, raw, chosen, labels)
    meta["columns_used"] = {k: v.header for k, v in chosen.items()}
    return finalize(df, meta, step_labels=labels)


# ---------------------------------------------------------------- BDF

def read_bdf(path: Path, det: Detected) -> CyclerData:
    if det.format == "parquet":
        raw = pd.read_parquet(path)
    else:
        try:
            import pyarrow.csv as pacsv

            with path.open("rb") as fh:
                if sniff_encoding(fh.read(65536)) not in ("utf-8", "utf-8-sig"):
                    raise ValueError("not UTF-8: pandas reads it")
            raw = pacsv.read_csv(path).to_pandas()
        except Exception:  # noqa: BLE001 - fall back to pandas' tolerant parser
            raw = _csv_from_text(_read_text(path), 0, ",", src=str(path))
    return _from_table(raw, path, det, "bdf")


# ---------------------------------------------------------------- Neware

def read_neware_csv(path: Path, det: Detected) -> CyclerData:
    text = _read_text(path)
    lines = text.splitlines()
    if len(lines) > 3 and lines[1].startswith(",") and lines[2].startswith(",,"):
        return _read_neware_hierarchical(text, path, det)
    hdr = next((i for i, l in enumerate(lines[:50]) if "Voltage" in l and ("Current" in l)), 0)
    raw = _csv_from_text(text, hdr, _sep_of(lines[hdr]), src=str(path))
    return _from_table(raw, path, det, "neware")


def _read_neware_hierarchical(text: str, path: Path, det: Detected) -> CyclerData:
    """BTSDA 'cycle / step / record' export: cycle rows, ',step' rows and ',,record' rows interleaved."""
    lines = text.splitlines()
    cyc_hdr = [h.strip() for h in lines[0].split(",")]
    step_hdr = [h.strip() for h in lines[1].split(",")][1:]
    rec_hdr = [h.strip() for h in lines[2].split(",")][2:]
    ncol = max(len(l.split(",")) for l in lines[:50]) + 2
    width = max(ncol, len(rec_hdr) + 2, len(cyc_hdr) + len(step_hdr))
    body = pd.read_csv(io.StringIO("\n".join(lines[3:])), header=None, names=list(range(width)), dtype=str,
                       keep_default_na=False, index_col=False)
    c0 = body[0].str.strip() != ""
    c1 = body[1].str.strip() != ""
    is_cycle = c0
    is_step = (~c0) & c1
    is_rec = (~c0) & (~c1)
    ncyc = len(cyc_hdr)
    # the first cycle row carries the first step row inline, after the cycle columns
    cycle_no = pd.to_numeric(body[0].where(is_cycle), errors="coerce").ffill()
    step_from_cycle = body.loc[is_cycle, ncyc].str.strip() != ""
    step_idx = pd.Series(np.nan, index=body.index, dtype=float)
    step_type = pd.Series(pd.NA, index=body.index, dtype="string")
    step_idx[is_step] = pd.to_numeric(body.loc[is_step, 1], errors="coerce")
    step_type[is_step] = body.loc[is_step, 3]
    inl = is_cycle.copy()
    inl[is_cycle] = step_from_cycle
    step_idx[inl] = pd.to_numeric(body.loc[inl, ncyc], errors="coerce")
    step_type[inl] = body.loc[inl, ncyc + 2]
    step_idx = step_idx.ffill()
    step_type = step_type.ffill()
    rec = body.loc[is_rec, list(range(2, 2 + len(rec_hdr)))]
    rec.columns = rec_hdr
    rec = rec.assign(**{"Cycle Index": cycle_no[is_rec].to_numpy(), "Step Index": step_idx[is_rec].to_numpy(),
                        "Step Type": step_type[is_rec].to_numpy()})
    # tester's own per-cycle totals, kept for the capacity check
    cyc_rows = body.loc[is_cycle, list(range(ncyc))]
    cyc_rows.columns = cyc_hdr
    chosen = map_columns(cyc_hdr, tester_spec("neware"), source=str(path))
    totals = {}
    if "charging_capacity_ah" in chosen and "discharging_capacity_ah" in chosen:
        c = to_float(cyc_rows[chosen["charging_capacity_ah"].header]) * chosen["charging_capacity_ah"].factor
        d = to_float(cyc_rows[chosen["discharging_capacity_ah"].header]) * chosen["discharging_capacity_ah"].factor
        for k, cc, dd in zip(pd.to_numeric(cyc_rows[cyc_hdr[0]], errors="coerce"), c, d):
            totals[int(k)] = {"charging_capacity_ah": float(cc), "discharging_capacity_ah": float(dd)}
    # the record layer has one unsigned 'Capacity' per step
    rec_spec_cols = [h for h in rec_hdr if normalise_name(split_header(h)[0]) == "capacity"]
    spec = tester_spec("neware")
    chosen_rec = map_columns(list(rec.columns), spec, source=str(path))
    require(chosen_rec, ("test_time_second", "voltage_volt", "current_ampere"), source=str(path), headers=list(rec.columns))
    df, labels = _assemble(rec.reset_index(drop=True), chosen_rec)
    meta = _meta(path, det, spec)
    meta["format"] = "csv (cycle/step/record export)"
    meta["capacity_semantics"] = "per step, unsigned 'Capacity' in the record layer; per-cycle totals in the cycle rows"
    meta["tester_cycle_totals"] = totals
    if rec_spec_cols:
        cap_hdr = rec_spec_cols[0]
        u = split_header(cap_hdr)[1]
        f = unit_factor("capacity", u, column=cap_hdr, source=str(path))
        v = np.abs(to_float(rec[cap_hdr].reset_index(drop=True)) * f)
        lab = normalise_step_labels(labels) if labels is not None else np.full(len(df), "")
        cur = df["current_ampere"].to_numpy()
        df["charging_capacity_ah"] = np.where((lab == "charge") | ((lab == "") & (cur > 0)), v, 0.0)
        df["discharging_capacity_ah"] = np.where((lab == "discharge") | ((lab == "") & (cur < 0)), v, 0.0)
    meta["columns_used"] = {k: v.header for k, v in chosen_rec.items()}
    return finalize(df, meta, step_labels=labels)


def read_neware_binary(path: Path, det: Detected) -> CyclerData:
    try:
        import NewareNDA  # BSD-3, optional extra
    except ImportError:
        raise SiznoInputError(
            str(path),
            f"reading Neware .{det.format} needs the optional package NewareNDA (BSD-3)",
            "pip install 'sizno[lab]', or export the test to CSV from Neware BTSDA",
        ) from None
    try:
        raw = NewareNDA.read(str(path))
    except Exception as exc:  # noqa: BLE001 - the library raises many kinds
        raise SiznoInputError(
            str(path),
            f"NewareNDA {getattr(NewareNDA, '__version__', '')} could not read this .{det.format} "
            f"({type(exc).__name__}: {exc}); the file is truncated/corrupt, or written by a BTS software "
            "version whose binary layout this reader does not know",
            "a complete file from a supported BTS version, or a CSV export",
        ) from None
    meta = _meta(path, det, tester_spec("neware"))
    meta["reader"] = f"NewareNDA {getattr(NewareNDA, '__version__', '?')}"
    if len(raw) == 0:
        raise SiznoInputError(str(path), "the file holds no records (truncated?)", "a complete .ndax")
    # 'Time' is the step clock; the test clock comes from the timestamps
    ts = pd.to_datetime(raw["Timestamp"], utc=True, errors="coerce") if "Timestamp" in raw else None
    step_t = raw["Time"].to_numpy(dtype=float)
    if ts is not None and ts.notna().all() and (ts.diff().dt.total_seconds().fillna(0) >= 0).all():
        t = (ts - ts.iloc[0]).dt.total_seconds().to_numpy(dtype=float)
        unix = (ts - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds().to_numpy(dtype=float)
    else:
        step_no = raw["Step"].to_numpy()
        newstep = np.r_[True, step_no[1:] != step_no[:-1]]
        dt = np.diff(step_t, prepend=0.0)
        dt[newstep] = np.maximum(step_t[newstep], 0.0)
        t = np.cumsum(dt)
        unix = None
        meta["notes"].append("timestamps not monotonic: test time accumulated from the step clock")
    cur_cols = [c for c in raw.columns if c.startswith("Current(")]
    cap_c = [c for c in raw.columns if c.startswith("Charge_Capacity(")]
    cap_d = [c for c in raw.columns if c.startswith("Discharge_Capacity(")]
    en_c = [c for c in raw.columns if c.startswith("Charge_Energy(")]
    en_d = [c for c in raw.columns if c.startswith("Discharge_Energy(")]
    if not cur_cols or not cap_c or not cap_d:
        raise SiznoInputError(str(path), f"unexpected NewareNDA columns {list(raw.columns)[:12]}", "a supported NewareNDA version")

    def conv(col: str, kind: str) -> np.ndarray:
        return raw[col].to_numpy(dtype=float) * unit_factor(kind, split_header(col)[1], column=col, source=str(path))

    df = pd.DataFrame({
        "test_time_second": t,
        "voltage_volt": raw["Voltage"].to_numpy(dtype=float),
        "current_ampere": conv(cur_cols[0], "current"),
        "cycle_count": raw["Cycle"].to_numpy(dtype=np.int64),
        "step_count": raw["Step"].to_numpy(dtype=np.int64),
        "step_index": raw["Step_Index"].to_numpy(dtype=np.int64),
        "step_time_second": step_t,
        "charging_capacity_ah": conv(cap_c[0], "capacity"),
        "discharging_capacity_ah": conv(cap_d[0], "capacity"),
    })
    if en_c and en_d:
        df["charging_energy_wh"] = conv(en_c[0], "energy")
        df["discharging_energy_wh"] = conv(en_d[0], "energy")
    if unix is not None:
        df["unix_time_second"] = unix
    return finalize(df, meta, step_labels=raw["Status"].astype("string"))


# ---------------------------------------------------------------- Arbin

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
    return _from_table(raw.reset_index(drop=True), path, det, "arbin", extra_meta=extra)


def _find_header_row(frame: pd.DataFrame, must: tuple[str, ...], limit: int = 40) -> int | None:
    for i in range(min(limit, len(frame))):
        row = " ".join(normalise_name(v) for v in frame.iloc[i].astype(str).tolist())
        if all(m in row for m in must):
            return i
    return None


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


def read_excel_any(path: Path, det: Detected, tester_hint: str | None = None) -> CyclerData:
    """Excel workbook from LAND or Arbin (or a BDF/Neware table): find the data sheet(s) and header row."""
    engine = None
    if det.format == "xls":
        try:
            import xlrd  # noqa: F401
        except ImportError:
            raise SiznoInputError(str(path), "legacy Excel .xls needs the optional package xlrd",
                                  "pip install xlrd, or save the workbook as .xlsx / export CSV") from None
    else:
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise SiznoInputError(str(path), "Excel .xlsx needs the optional package openpyxl",
                                  "pip install 'sizno[lab]', or export CSV") from None
        engine = "openpyxl"
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
        hdr = _find_header_row(sh, ("voltage", "current"))
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
    cd = _from_table(raw, path, d, tester or "land")
    if skipped_rows:
        cd.notes.append(f"skipped {skipped_rows} row(s) above the column header in the workbook")
    return cd


def read_arbin_csv(path: Path, det: Detected) -> CyclerData:
    text = _read_text(path)
    lines = text.splitlines()
    hdr = next((i for i, l in enumerate(lines[:50]) if "Data_Point" in l or "Test_Time" in l), 0)
    raw = _csv_from_text(text, hdr, _sep_of(lines[hdr]), src=str(path))
    return _from_table(raw, path, det, "arbin")


# ---------------------------------------------------------------- LAND

def read_land(path: Path, det: Detected) -> CyclerData:
    if det.format == "cex":
        raise SiznoInputError(
            str(path),
            "LAND .cex is a closed binary format with no open reader",
            "export it from LANDdt/LAND BTS as Excel (.xlsx) or CSV (record layer with TestTime, Voltage, Current, Capacity) and read that",
        )
    if det.format in ("xlsx", "xls"):
        return read_excel_any(path, det, "land")
    text = _read_text(path)
    lines = text.splitlines()
    hdr = next((i for i, l in enumerate(lines[:60]) if "Voltage" in l and ("Current" in l or "Capacity" in l)), 0)
    raw = _csv_from_text(text, hdr, _sep_of(lines[hdr]), src=str(path))
    cd = _from_table(raw, path, det, "land")
    if hdr:
        cd.notes.append(f"skipped {hdr} line(s) above the column header")
    return cd


# ---------------------------------------------------------------- Maccor

_MACCOR_CLOCK = re.compile(r"^\s*(Test|Step)\s*\((Sec|S|Min|Hr|Hrs|H)\)\s*$", re.I)

def read_maccor(path: Path, det: Detected) -> CyclerData:
    text = _read_text(path)
    lines = text[:200_000].splitlines()  # the header block and column names are at the top
    hdr = next((i for i, l in enumerate(lines[:80]) if l.startswith("Rec#") or "\tRec#" in l[:10] or l.startswith("Rec,")), None)
    if hdr is None:
        raise SiznoInputError(str(path), "no 'Rec#' column header in the first 80 lines", "a Maccor text export")
    sep = _sep_of(lines[hdr])
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
            f = {"sec": 1.0, "s": 1.0, "min": 60.0, "hr": 3600.0, "hrs": 3600.0, "h": 3600.0}[m.group(2).lower()]
            raw[target] = to_float(raw[c]) * f
            raw = raw.drop(columns=[c])
            clock_notes.append(f"'{c}' read as the {target[:-4].lower()} time (× {f:g} s)")
    raw.columns = [c.strip() for c in raw.columns]
    info = {l.split(":", 1)[0].strip(): l.split(":", 1)[1].strip() for l in lines[:hdr] if ":" in l}
    cd = _from_table(raw, path, det, "maccor", extra_meta={"header": {k: v.split("\t")[0] for k, v in list(info.items())[:6]}})
    cd.notes.extend(clock_notes)
    return cd


# ---------------------------------------------------------------- BioLogic

def read_biologic(path: Path, det: Detected) -> CyclerData:
    if det.format == "mpr":
        raise SiznoInputError(
            str(path),
            "BioLogic .mpr is not read by sizno (every open .mpr reader found, galvani and yadg, is GPL-3)",
            "export it from EC-Lab as text (.mpt: 'Export as text') and read the .mpt",
        )
    text = _read_text(path)
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
                meta_extra["file_mass_g"] = val * {"g": 1.0, "mg": 1e-3, "ug": 1e-6}.get(unit, 1.0)
            ma = re.match(r"\s*Electrode surface area\s*:\s*([0-9.,Ee+-]+)", l)
            if ma:
                meta_extra["file_area_cm2"] = float(ma.group(1).replace(",", "."))
    else:
        hdr = next((i for i, l in enumerate(lines[:100]) if "time/s" in l), None)
        if hdr is None:
            raise SiznoInputError(str(path), "no 'time/s' column header", "an EC-Lab .mpt export")
    data_line = next((l for l in lines[hdr + 1:hdr + 5] if l.strip()), "")
    decimal = "," if ("," in data_line and "." not in data_line) else "."
    raw = _csv_from_text(text, hdr, "\t", decimal=decimal, src=str(path))
    raw = raw.loc[:, [c for c in raw.columns if not c.startswith("Unnamed")]]
    if decimal == ",":
        meta_extra.setdefault("notes", [])
    cd = _from_table(raw, path, det, "biologic", extra_meta=meta_extra)
    if decimal == ",":
        cd.notes.append("decimal comma detected and converted")
    return cd


# ---------------------------------------------------------------- generic

def read_generic(path: Path, det: Detected, mapping: str | Path | dict | None) -> CyclerData:
    if mapping is None:
        text = _read_text(path)
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
        hdr = int(fcfg.get("header_line", _find_header_row(raw0, tuple(normalise_name(v["column"]) for v in cols.values())[:2]) or 0))
        raw = raw0.iloc[hdr + 1:].copy()
        raw.columns = [str(v).strip() for v in raw0.iloc[hdr]]
    else:
        text = _read_text(path)
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
        sep = fcfg.get("separator") or _sep_of(lines[hdr])
        raw = _csv_from_text(text, hdr, sep, decimal=fcfg.get("decimal", "."), src=src)
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


# ---------------------------------------------------------------- entry point

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
