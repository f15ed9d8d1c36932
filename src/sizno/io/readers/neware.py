"""Neware: the BTSDA CSV exports (flat, and the cycle/step/record hierarchy) and .ndax/.nda through NewareNDA."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from sizno.errors import SiznoInputError
from sizno.io.columns import map_columns, normalise_name, require, split_header, to_float, unit_factor
from sizno.io.detect import Detected
from sizno.io.readers.tables import assemble, csv_from_text, from_table, read_text, reader_meta, separator_of, tester_spec
from sizno.io.table import CyclerData, finalize, normalise_step_labels


def read_neware_csv(path: Path, det: Detected) -> CyclerData:
    text = read_text(path)
    lines = text.splitlines()
    if len(lines) > 3 and lines[1].startswith(",") and lines[2].startswith(",,"):
        return _read_neware_hierarchical(text, path, det)
    hdr = next((i for i, l in enumerate(lines[:50]) if "Voltage" in l and ("Current" in l)), 0)
    raw = csv_from_text(text, hdr, separator_of(lines[hdr]), src=str(path))
    return from_table(raw, path, det, "neware")


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
    df, labels = assemble(rec.reset_index(drop=True), chosen_rec)
    meta = reader_meta(path, det, spec)
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
    meta = reader_meta(path, det, tester_spec("neware"))
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
