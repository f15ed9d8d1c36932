"""Per-cycle metrics of a cycler time series, in the half-cell language of the working electrode.

Definitions (all stated in the output's ``settings`` too):

* **Half-cell mapping** (:func:`half_cell_mapping`): with ``electrode="half"`` (Si–ZnO working
  electrode against Li or Li–In) the tester's *discharge* (current < 0, voltage falling) is the
  **lithiation** of the working electrode and *charge* is its **delithiation**; with
  ``electrode="full-negative"`` (Si–ZnO is the negative electrode of a full cell) *charge* is the
  lithiation.
* **Capacities** per cycle come from the tester's own counters when the file has them (so they
  agree with the tester), else from coulomb counting (trapezoidal ∫I dt). Both are computed and
  the ``capacity_check`` says where they disagree by more than ``tolerance_percent``.
* **Coulombic efficiency** = delithiation / lithiation capacity of the same cycle (for a full
  cell with a Si negative this is discharge / charge). **ICE** = that of the first complete cycle.
* **Retention** = delithiation (reversible) capacity / that of the reference cycle.
* **Average voltage** of a half cycle = ∫V dQ / Q; **energy** = ∫V dQ (mWh);
  **voltage hysteresis** = average charge voltage − average discharge voltage.
* **Specific values**: per gram of ``mass_mg × active_fraction`` where ``mass_basis="active"``
  means fraction 1 and ``mass_basis="paper-si"`` means 0.8 (the paper sets the current from
  0.8 × the Si–ZnO composite mass, "the mass of silicon in it"); per cm² with ``area_cm2``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import pandas as pd

from sizno.errors import SiznoInputError
from sizno.io.differential import dqdv_curves, dvdq_curves
from sizno.io.halfcell import ELECTRODES, half_cell_mapping
from sizno.io.table import CyclerData, coulomb_increments, from_dataframe, row_increments
from sizno.results.cycle_formulas import PERCENT, coulombic_efficiency_percent, mean_voltage_V
from sizno.units import MILLI_PER_UNIT, SECONDS_PER_HOUR, UNIT_PER_MILLI, A_to_mA, Ah_to_mAh, Wh_to_mWh, g_to_mg, mg_to_g

MASS_BASES = {"active": 1.0, "paper-si": 0.8}
__all__ = ["ELECTRODES", "MASS_BASES", "Metrics", "compute_metrics", "dqdv_curves", "dvdq_curves", "half_cell_mapping",
           "rate_table"]
COMPLETE_FRACTION = 1e-3  # a half cycle counts (the cycle is complete) above this fraction of the largest one's charge
DVDQ_METHOD = ("voltage on 200 equal capacity bins per half cycle (bin average where a bin holds ≥ 3 points, "
               "else interpolated; capacity only grows, so voltage reversals cannot fold it), central "
               "differences, Gaussian smoothing σ = 2 bins")


@dataclass
class Metrics:
    cycles: pd.DataFrame
    summary: dict[str, Any]
    settings: dict[str, Any]
    capacity_check: dict[str, Any]
    rate_table: pd.DataFrame | None
    dqdv: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def records(df: pd.DataFrame | None) -> list[dict[str, Any]]:
            if df is None:
                return []
            return [{k: (None if (isinstance(v, float) and not np.isfinite(v)) else v) for k, v in r.items()}
                    for r in df.to_dict(orient="records")]

        dq = {}
        if len(self.dqdv):
            for (c, d), g in self.dqdv.groupby(["cycle_index", "direction"], sort=True):
                dq.setdefault(str(int(c)), {})[d] = {k: g[k].round(6).tolist() for k in g.columns if k not in ("cycle_index", "direction")}
        return {
            "summary": self.summary,
            "settings": self.settings,
            "capacity_check": self.capacity_check,
            "cycles": records(self.cycles),
            "rate_capability": records(self.rate_table),
            "dqdv": dq,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class _CycleSums:
    """Per-cycle integrals of a BDF time series (index k = the k-th cycle of `cycle_index`)."""

    cycle_index: np.ndarray
    charge_Ah: np.ndarray  # tester counters
    discharge_Ah: np.ndarray
    charge_Wh: np.ndarray  # ∫V dQ
    discharge_Wh: np.ndarray
    charge_coulomb_Ah: np.ndarray  # coulomb counting
    discharge_coulomb_Ah: np.ndarray
    charge_current_mA: np.ndarray  # median |I| of the charge / discharge rows
    discharge_current_mA: np.ndarray


def compute_metrics(
    data: CyclerData | pd.DataFrame,
    *,
    mass_mg: float | None = None,
    mass_basis: str = "active",
    active_fraction: float | None = None,
    area_cm2: float | None = None,
    electrode: str = "half",
    reference_cycle: int | None = None,
    tolerance_percent: float = 1.0,
    dqdv_bin_V: float = 0.005,
    dqdv_sigma_bins: float = 2.0,
    dqdv_cycles: Iterable[int] | str | None = None,
) -> Metrics:
    """Per-cycle capacities, CE, energies, voltages, retention, dQ/dV and the rate table (module docstring)."""
    if isinstance(data, pd.DataFrame):
        data = from_dataframe(data)
    mapping = half_cell_mapping(electrode)
    frac, mass_g = _specific_mass(mass_mg, mass_basis, active_fraction, area_cm2)
    sums = _cycle_sums(data)
    out = _cycle_table(sums, mapping, mass_g, area_cm2)
    notes: list[str] = list(data.notes)
    ref = _add_retention(out, reference_cycle, data.source, notes)
    check = _capacity_check(data, out, tolerance_percent)  # tester counters vs coulomb counting
    if check.get("disagreeing_cycles"):
        notes.append(check["statement"])
    notes += _voltage_notes(data, electrode)
    dq_cycles = _pick_cycles(dqdv_cycles, out)
    dqdv = dqdv_curves(data, dq_cycles, bin_V=dqdv_bin_V, sigma_bins=dqdv_sigma_bins, electrode=electrode,
                       mass_g=mass_g, area_cm2=area_cm2)
    rate = rate_table(out, mass_g=mass_g, area_cm2=area_cm2, electrode=electrode)
    summary = _summary(data, out, ref, mass_g)
    settings = {
        "half_cell_mapping": mapping["statement"],
        "electrode": electrode,
        "coulombic_efficiency": "delithiation / lithiation capacity of the same cycle, %",
        "retention": f"delithiation capacity / that of cycle {ref}, %" if ref is not None else None,
        **_mass_settings(mass_mg, mass_basis, frac, mass_g, area_cm2),
        "capacity_source": data.meta.get("capacity_source"),
        "capacity_semantics_in_file": data.meta.get("capacity_semantics"),
        "dqdv": _dqdv_settings(dqdv_bin_V, dqdv_sigma_bins, dq_cycles),
        "dvdq": {"method": DVDQ_METHOD},
        "average_voltage": "∫V dQ / Q per half cycle",
        "tolerance_percent": tolerance_percent,
    }
    if data.meta.get("file_mass_g") and mass_mg is None:
        notes.append(f"the file states an active mass of {g_to_mg(data.meta['file_mass_g']):.4g} mg; "
                     "specific capacities need --mass-mg (not taken from the file silently)")
    return Metrics(out, summary, settings, check, rate, dqdv, notes)


def _specific_mass(mass_mg: float | None, mass_basis: str, active_fraction: float | None,
                   area_cm2: float | None) -> tuple[float, float | None]:
    """(active fraction, the mass [g] specific values are per, or None); bad input raises, naming the option."""
    if mass_basis not in MASS_BASES:
        raise SiznoInputError("--mass-basis", f"unknown basis '{mass_basis}'", ", ".join(MASS_BASES))
    frac = float(active_fraction) if active_fraction is not None else MASS_BASES[mass_basis]
    for name, v in (("--mass-mg", mass_mg), ("--area-cm2", area_cm2), ("active fraction", frac)):
        if v is not None and not (np.isfinite(v) and v > 0):
            raise SiznoInputError(name, f"must be a positive number, got {v}", "> 0")
    return frac, (mg_to_g(mass_mg) * frac if mass_mg is not None else None)


def _cycle_sums(data: CyclerData) -> _CycleSums:
    """Capacities (tester counters and coulomb counting), energies and currents summed per cycle."""
    df = data.data
    t = df["test_time_second"].to_numpy(dtype=float)
    v = df["voltage_volt"].to_numpy(dtype=float)
    i = df["current_ampere"].to_numpy(dtype=float)
    cyc = df["cycle_count"].to_numpy()
    first = np.r_[True, cyc[1:] != cyc[:-1]]
    dq_c = row_increments(df["charging_capacity_ah"].to_numpy(dtype=float), first)
    dq_d = row_increments(df["discharging_capacity_ah"].to_numpy(dtype=float), first)
    sc = df["step_count"].to_numpy() if "step_count" in df.columns else None
    stt = df["step_time_second"].to_numpy(dtype=float) if "step_time_second" in df.columns else None
    cc_c, cc_d = coulomb_increments(t, i, step_count=sc, step_time=stt)
    if not (dq_c.sum() > 0 or dq_d.sum() > 0):
        raise SiznoInputError(data.source, "no charge passed: current is zero throughout and the capacity columns are empty "
                              "(a current rounded to 0.00 in the export?)", "a file with at least one charge or discharge")
    vmid = 0.5 * (v + np.r_[v[0], v[:-1]])
    codes, uniq = pd.factorize(cyc, sort=True)
    n = len(uniq)

    def per(w: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=w, minlength=n)

    st = df["step_type"].astype(str).to_numpy()
    ai = A_to_mA(np.abs(i))

    def median_current(step_type: str) -> np.ndarray:
        return pd.Series(np.where(st == step_type, ai, np.nan)).groupby(codes).median().reindex(range(n)).to_numpy()

    return _CycleSums(uniq, per(dq_c), per(dq_d), per(dq_c * vmid), per(dq_d * vmid), per(cc_c), per(cc_d),
                      median_current("charge"), median_current("discharge"))


def _cycle_table(s: _CycleSums, mapping: dict[str, str], mass_g: float | None, area_cm2: float | None) -> pd.DataFrame:
    """One row per cycle: capacities, CE, energies, voltages, currents; per gram and per cm² when given."""
    Qc, Qd = s.charge_Ah, s.discharge_Ah
    avg_c, avg_d = mean_voltage_V(s.charge_Wh, Qc), mean_voltage_V(s.discharge_Wh, Qd)
    thr = COMPLETE_FRACTION * max(float(np.max(Qc, initial=0)), float(np.max(Qd, initial=0)))
    lith_is_dis = mapping["lithiation"] == "discharge"
    Ql, Qdl = (Qd, Qc) if lith_is_dis else (Qc, Qd)
    complete = (Ql > thr) & (Qdl > thr)
    out = pd.DataFrame({"cycle_index": s.cycle_index.astype(int)})
    out["charge_capacity_mAh"] = Ah_to_mAh(Qc)
    out["discharge_capacity_mAh"] = Ah_to_mAh(Qd)
    out["lithiation_capacity_mAh"] = Ah_to_mAh(Ql)
    out["delithiation_capacity_mAh"] = Ah_to_mAh(Qdl)
    out["coulombic_efficiency_percent"] = np.where(complete, coulombic_efficiency_percent(Qdl, Ql), np.nan)
    out["complete"] = complete
    out["charge_energy_mWh"] = Wh_to_mWh(s.charge_Wh)
    out["discharge_energy_mWh"] = Wh_to_mWh(s.discharge_Wh)
    out["average_charge_voltage_V"] = avg_c
    out["average_discharge_voltage_V"] = avg_d
    out["average_lithiation_voltage_V"] = avg_d if lith_is_dis else avg_c
    out["average_delithiation_voltage_V"] = avg_c if lith_is_dis else avg_d
    out["voltage_hysteresis_V"] = np.where(complete, avg_c - avg_d, np.nan)
    out["charge_current_mA"] = s.charge_current_mA
    out["discharge_current_mA"] = s.discharge_current_mA
    out["charge_capacity_coulomb_mAh"] = Ah_to_mAh(s.charge_coulomb_Ah)
    out["discharge_capacity_coulomb_mAh"] = Ah_to_mAh(s.discharge_coulomb_Ah)
    if mass_g:
        _add_per_gram(out, s, mass_g)
    if area_cm2:
        for k in ("lithiation_capacity", "delithiation_capacity", "charge_capacity", "discharge_capacity"):
            out[f"{k}_mAh_per_cm2"] = out[f"{k}_mAh"] / area_cm2
        out["charge_current_mA_per_cm2"] = s.charge_current_mA / area_cm2
        out["discharge_current_mA_per_cm2"] = s.discharge_current_mA / area_cm2
    return out


def _add_per_gram(out: pd.DataFrame, s: _CycleSums, mass_g: float) -> None:
    for k in ("charge_capacity", "discharge_capacity", "lithiation_capacity", "delithiation_capacity"):
        out[f"{k}_mAh_per_g"] = out[f"{k}_mAh"] / mass_g
    out["charge_energy_mWh_per_g"] = out["charge_energy_mWh"] / mass_g
    out["discharge_energy_mWh_per_g"] = out["discharge_energy_mWh"] / mass_g
    out["charge_current_mA_per_g"] = s.charge_current_mA / mass_g
    out["discharge_current_mA_per_g"] = s.discharge_current_mA / mass_g


def _add_retention(out: pd.DataFrame, reference_cycle: int | None, src: str, notes: list[str]) -> int | None:
    """Adds retention_percent (delithiation capacity / that of the reference cycle); returns that cycle."""
    comp_cycles = out.loc[out["complete"], "cycle_index"].tolist()
    if not comp_cycles:
        notes.append("no complete cycle (both a lithiation and a delithiation): coulombic efficiency, ICE and retention are undefined")
    ref = reference_cycle if reference_cycle is not None else (comp_cycles[0] if comp_cycles else None)
    if ref is None:
        out["retention_percent"] = np.nan
        return None
    if ref not in set(out["cycle_index"]):
        raise SiznoInputError("--reference-cycle", f"cycle {ref} is not in {src}",
                              f"{int(out['cycle_index'].min())}…{int(out['cycle_index'].max())}")
    qref = float(out.loc[out["cycle_index"] == ref, "delithiation_capacity_mAh"].iloc[0])
    out["retention_percent"] = PERCENT * out["delithiation_capacity_mAh"] / qref if qref > 0 else np.nan
    return ref


def _voltage_notes(data: CyclerData, electrode: str) -> list[str]:
    """A note when a 'half cell' runs mostly above 2.5 V under current (a full cell, by the look of it)."""
    v = data.data["voltage_volt"].to_numpy(dtype=float)
    i = data.data["current_ampere"].to_numpy(dtype=float)
    loaded = v[np.abs(i) > 0]
    vhigh = float(np.percentile(loaded, 90)) if loaded.size else float("nan")
    if electrode == "half" and vhigh > 2.5:
        return [f"under current the voltage is mostly above 2.5 V (90th percentile {vhigh:.2f} V): this does not look "
                "like a Si-based electrode against Li/Li–In; "
                "if it is a full cell with a Si negative, use --electrode full-negative"]
    return []


def _summary(data: CyclerData, out: pd.DataFrame, ref: int | None, mass_g: float | None) -> dict[str, Any]:
    """The run in a few numbers: cycles, ICE and first capacities, retention, the file's own mass/area."""
    comp_cycles = out.loc[out["complete"], "cycle_index"].tolist()
    first_c = out.loc[out["complete"]].iloc[0] if comp_cycles else None
    uniq = out["cycle_index"].to_numpy()

    def first(col: str, cast=float):
        return cast(first_c[col]) if first_c is not None else None

    summary = {
        "file": data.source,
        "tester": data.meta.get("tester"),
        "format": data.meta.get("format"),
        "rows": int(len(data.data)),
        "cycles": int(len(out)),
        "complete_cycles": int(len(comp_cycles)),
        "first_cycle_index": int(uniq[0]),
        "last_cycle_index": int(uniq[-1]),
        "ice_percent": first("coulombic_efficiency_percent"),
        "ice_cycle_index": first("cycle_index", int),
        "first_lithiation_capacity_mAh": first("lithiation_capacity_mAh"),
        "first_delithiation_capacity_mAh": first("delithiation_capacity_mAh"),
        "reference_cycle_index": ref,
        "last_complete_cycle_index": int(comp_cycles[-1]) if comp_cycles else None,
        "last_retention_percent": (float(out.loc[out["cycle_index"] == comp_cycles[-1], "retention_percent"].iloc[0])
                                   if ref is not None and comp_cycles else None),
        "capacity_source": data.meta.get("capacity_source"),
    }
    if mass_g and first_c is not None:
        summary["first_lithiation_capacity_mAh_per_g"] = float(first_c["lithiation_capacity_mAh_per_g"])
        summary["first_delithiation_capacity_mAh_per_g"] = float(first_c["delithiation_capacity_mAh_per_g"])
    for k in ("file_mass_g", "file_area_cm2"):
        if data.meta.get(k):
            summary[k] = data.meta[k]
    return summary


def _mass_settings(mass_mg: float | None, mass_basis: str, frac: float, mass_g: float | None,
                   area_cm2: float | None) -> dict[str, Any]:
    return {"mass_mg": mass_mg, "mass_basis": mass_basis, "active_fraction": frac, "specific_mass_g": mass_g,
            "area_cm2": area_cm2}


def _dqdv_settings(bin_V: float, sigma_bins: float, cycles: list[int]) -> dict[str, Any]:
    return {"method": "each interval's charge spread evenly over the voltage span it swept, summed per bin / bin width (no division by dV: "
                      "voltage reversals and noise cannot blow it up), then Gaussian smoothing; area under a curve = "
                      "that half cycle's capacity; values ≥ 0 for both directions",
            "bin_width_V": bin_V, "gaussian_sigma_bins": sigma_bins,
            "gaussian_sigma_V": bin_V * sigma_bins, "cycles": cycles}


def _capacity_check(data: CyclerData, out: pd.DataFrame, tol: float) -> dict[str, Any]:
    res: dict[str, Any] = {"tolerance_percent": tol, "capacity_source": data.meta.get("capacity_source")}
    if data.meta.get("capacity_source") != "tester":
        res["statement"] = "the file has no capacity columns: capacities are coulomb-counted"
        return res
    rows = []
    for d in ("charge", "discharge"):
        tq = out[f"{d}_capacity_mAh"].to_numpy()
        cq = out[f"{d}_capacity_coulomb_mAh"].to_numpy()
        big = max(float(np.max(tq, initial=0)), 1e-12)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(tq > 1e-3 * big, 100.0 * (cq - tq) / tq, np.nan)
        out[f"{d}_coulomb_vs_tester_percent"] = rel
        for c, r, a, b in zip(out["cycle_index"], rel, tq, cq):
            if np.isfinite(r) and abs(r) > tol:
                rows.append({"cycle_index": int(c), "direction": d, "tester_mAh": float(a), "coulomb_mAh": float(b),
                             "difference_percent": float(r)})
    allrel = np.abs(out[["charge_coulomb_vs_tester_percent", "discharge_coulomb_vs_tester_percent"]].to_numpy())
    res["max_abs_difference_percent"] = float(np.nanmax(allrel)) if np.isfinite(allrel).any() else None
    res["median_abs_difference_percent"] = float(np.nanmedian(allrel)) if np.isfinite(allrel).any() else None
    res["disagreeing_cycles"] = rows
    if rows:
        ratios = [r["coulomb_mAh"] / r["tester_mAh"] for r in rows if r["tester_mAh"] > 0]
        med = float(np.median(ratios)) if ratios else float("nan")
        hint = ""
        for f, what in ((MILLI_PER_UNIT, "current in mA labelled as A, or capacity in Ah labelled mAh"),
                        (UNIT_PER_MILLI, "current in A labelled as mA, or capacity in mAh labelled Ah"),
                        (SECONDS_PER_HOUR, "capacity in As/C labelled as Ah"),
                        (1 / SECONDS_PER_HOUR, "time in hours labelled as seconds")):
            if np.isfinite(med) and med > 0 and abs(np.log10(med / f)) < 0.05:
                hint = f" (coulomb/tester ≈ {med:.4g}: mixed units? {what})"
        res["statement"] = (f"coulomb counting and the tester's capacity disagree by more than {tol:g}% in {len(rows)} "
                            f"half cycle(s) (largest {max(abs(r['difference_percent']) for r in rows):.2f}% in cycle "
                            f"{max(rows, key=lambda r: abs(r['difference_percent']))['cycle_index']}){hint}; "
                            "the reported capacities are the tester's")
    else:
        res["statement"] = f"coulomb counting agrees with the tester's capacity within {tol:g}% in every half cycle"
    totals = data.meta.get("tester_cycle_totals")
    if totals:
        diffs = []
        for _, r in out.iterrows():
            tt = totals.get(int(r["cycle_index"]))
            if not tt:
                continue
            for d, key in (("charge", "charging_capacity_ah"), ("discharge", "discharging_capacity_ah")):
                a = Ah_to_mAh(tt[key])
                b = r[f"{d}_capacity_mAh"]
                if a > 0:
                    diffs.append(abs(b - a) / a * 100.0)
        res["cycle_layer_vs_records_max_difference_percent"] = float(max(diffs)) if diffs else None
    return res


def _pick_cycles(sel: Iterable[int] | str | None, out: pd.DataFrame) -> list[int]:
    allc = out["cycle_index"].tolist()
    comp = out.loc[out["complete"], "cycle_index"].tolist() or allc
    if sel is None:
        picks = comp[:2] + comp[-1:]
    elif isinstance(sel, str):
        if sel == "all":
            return allc
        picks = []
        for tok in sel.split(","):
            tok = tok.strip()
            if tok == "last":
                picks.append(allc[-1])
            elif tok == "first":
                picks.append(allc[0])
            elif tok:
                try:
                    picks.append(int(tok))
                except ValueError:
                    raise SiznoInputError("--dqdv-cycles", f"'{tok}' is not a cycle number", "e.g. 1,2,last or all") from None
    else:
        picks = [int(c) for c in sel]
    return sorted({c for c in picks if c in set(allc)})


def rate_table(out: pd.DataFrame, *, mass_g: float | None, area_cm2: float | None, electrode: str = "half",
               rel_tol: float = 0.05) -> pd.DataFrame | None:
    """Blocks of consecutive complete cycles run at the same currents; None unless the currents change."""
    mapping = half_cell_mapping(electrode)
    lith_col = f"{mapping['lithiation']}_current_mA"
    delith_col = f"{mapping['delithiation']}_current_mA"
    comp = out.loc[out["complete"]].reset_index(drop=True)
    if len(comp) < 2:
        return None
    block = np.zeros(len(comp), dtype=int)
    ref_l, ref_d = comp.loc[0, lith_col], comp.loc[0, delith_col]
    for k in range(1, len(comp)):
        l, d = comp.loc[k, lith_col], comp.loc[k, delith_col]
        same = all(np.isfinite(x) and np.isfinite(y) and abs(x - y) <= rel_tol * max(abs(y), 1e-12)
                   for x, y in ((l, ref_l), (d, ref_d)))
        block[k] = block[k - 1] + (0 if same else 1)
        if not same:
            ref_l, ref_d = l, d
    if block.max() == 0:
        return None
    comp["block"] = block
    g = comp.groupby("block")
    tab = pd.DataFrame({
        "block": g.size().index + 1,
        "first_cycle_index": g["cycle_index"].min().to_numpy(),
        "last_cycle_index": g["cycle_index"].max().to_numpy(),
        "cycles": g.size().to_numpy(),
        "lithiation_current_mA": g[lith_col].median().to_numpy(),
        "delithiation_current_mA": g[delith_col].median().to_numpy(),
        "mean_lithiation_capacity_mAh": g["lithiation_capacity_mAh"].mean().to_numpy(),
        "mean_delithiation_capacity_mAh": g["delithiation_capacity_mAh"].mean().to_numpy(),
        "last_delithiation_capacity_mAh": g["delithiation_capacity_mAh"].last().to_numpy(),
        "mean_coulombic_efficiency_percent": g["coulombic_efficiency_percent"].mean().to_numpy(),
    })
    if mass_g:
        tab["lithiation_current_mA_per_g"] = tab["lithiation_current_mA"] / mass_g
        tab["delithiation_current_mA_per_g"] = tab["delithiation_current_mA"] / mass_g
        tab["mean_delithiation_capacity_mAh_per_g"] = tab["mean_delithiation_capacity_mAh"] / mass_g
    if area_cm2:
        tab["delithiation_current_mA_per_cm2"] = tab["delithiation_current_mA"] / area_cm2
        tab["mean_delithiation_capacity_mAh_per_cm2"] = tab["mean_delithiation_capacity_mAh"] / area_cm2
    return tab
