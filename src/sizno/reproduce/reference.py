"""The paper's stated values (data/reference/paper-values.toml) as records with their roles."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sizno.data import read_toml

ROLES = ("calibration", "validation", "fact")


@dataclass(frozen=True)
class ReferenceValue:
    """One number the paper states, under the id sizno reports it as."""

    id: str
    quantity: str
    unit: str
    value: float
    role: str
    where: str


def _material_key(name: str) -> str:
    return name.lower().replace("–", "_").replace("-", "_")


@lru_cache(maxsize=1)
def paper_reference() -> tuple[ReferenceValue, ...]:
    """The paper's records with ids as in summary.json; role as the TOML marks it."""
    raw = read_toml("reference/paper-values.toml")
    out: list[ReferenceValue] = []
    for mat, entry in raw["half_cell_first_cycle"].items():
        for key, unit, q in [
            ("discharge_mAh_g", "mAh/g", "first lithiation capacity at 0.1 A/g, per g composite"),
            ("charge_mAh_g", "mAh/g", "first delithiation capacity at 0.1 A/g, per g composite"),
            ("ice_percent", "%", "initial coulombic efficiency at 0.1 A/g"),
        ]:
            if key in entry:
                out.append(ReferenceValue(f"half_cell.first_cycle.{mat}.{key}", q, unit, float(entry[key]),
                                          entry["role"], entry["where"]))
    for entry in raw["rate_capability"]:
        mat = _material_key(entry["material"])
        value = entry.get("reversible_mAh_g", entry.get("reversible_mAh_g_approx"))
        out.append(ReferenceValue(
            f"half_cell.rate.{mat}.{float(entry['current_A_g']):.1f}",
            f"reversible (delithiation) capacity, last cycle at {entry['current_A_g']} A/g, per g composite, 60 °C",
            "mAh/g", float(value), entry["role"], entry["where"]))
    rt = raw["half_cell_room_temperature"]
    out.append(ReferenceValue(
        f"half_cell.room_temperature.{_material_key(rt['material'])}.{float(rt['current_A_g']):.1f}",
        f"reversible capacity at {rt['current_A_g']} A/g, 25 °C, per g composite", "mAh/g",
        float(rt["reversible_mAh_g"]), rt["role"], rt["where"]))
    out.extend(_ageing_and_full_cell(raw))
    return tuple(out)


def _ageing_and_full_cell(raw: dict) -> list[ReferenceValue]:
    """Records of the full-cell and ageing issue; roles as the TOML marks them (per value where it
    comments one value of a table differently: the delithiated thickness is validation)."""
    out: list[ReferenceValue] = []
    cyc = raw["half_cell_cycling"]["si_zno4"]
    out.append(ReferenceValue("half_cell.cycling.si_zno4.retention_percent",
                              f"capacity retention after {cyc['cycles']} cycles at {cyc['current_A_g']} A/g, 60 °C "
                              "(against the first 0.8 A/g cycle after one 0.1 A/g formation cycle)",
                              "%", float(cyc["retention_percent"]), cyc["role"], cyc["where"]))
    si = raw["half_cell_cycling"]["si"]
    out.append(ReferenceValue("half_cell.cycling.si.knee_cycle",
                              "cycle after which pure Si's capacity decays fast (knee), 0.8 A/g", "cycle",
                              120.0, si["role"], si["where"]))
    th = raw["thickness"]["si_zno4"]
    out.append(ReferenceValue("thickness.si_zno4.lithiated_um", "Si–ZnO4 electrode thickness after the first lithiation",
                              "um", float(th["lithiated_um"]), "calibration", th["where"]))
    out.append(ReferenceValue("thickness.si_zno4.delithiated_um", "Si–ZnO4 electrode thickness after the first delithiation",
                              "um", float(th["delithiated_um"]), "validation", th["where"]))
    tsi = raw["thickness"]["si"]
    out.append(ReferenceValue("thickness.si.volume_expansion_percent",
                              "pure Si's volume growth on the first lithiation ('the pure Si growth value' the Si–ZnO4 electrode's "
                              "86.4 % falls short of: the Si itself, not an electrode, in the paper's reading)", "%",
                              float(tsi["volume_expansion_percent"]), tsi["role"], tsi["where"]))
    fc = raw["full_cell_first_cycle"]
    out.append(ReferenceValue("full_cell.first_cycle.discharge_mAh_g", "full cell first discharge at 0.1C, per g NCM811, 25 °C",
                              "mAh/g", float(fc["discharge_mAh_g"]), fc["role"], fc["where"]))
    out.append(ReferenceValue("full_cell.first_cycle.ice_percent", "full cell initial coulombic efficiency at 0.1C",
                              "%", float(fc["ice_percent"]), fc["role"], fc["where"]))
    for entry in raw["full_cell_rate"]:
        mat = _material_key(entry["anode"])
        for c, v in zip(entry["c_rate"], entry["discharge_mAh_g"]):
            out.append(ReferenceValue(f"full_cell.rate.{mat}.{float(c):.1f}",
                                      f"full cell discharge capacity, last cycle at {c}C, per g NCM811, 25 °C",
                                      "mAh/g", float(v), entry["role"], entry["where"]))
    fcc = raw["full_cell_cycling"]
    out.append(ReferenceValue("full_cell.cycling.retention_percent",
                              f"full cell retention after {fcc['cycles']} cycles at {fcc['c_rate']}C (against the first "
                              f"{fcc['c_rate']}C cycle)", "%", float(fcc["retention_percent"]), fcc["role"], fcc["where"]))
    hl = raw["full_cell_high_loading"]
    for c, v in zip(hl["c_rate"], hl["discharge_mAh_g"]):
        out.append(ReferenceValue(f"full_cell.high_loading.{float(c):.1f}",
                                  f"full cell, {hl['ncm_loading_mg_cm2']} mg/cm2 NCM811: discharge capacity, last cycle at {c}C",
                                  "mAh/g", float(v), hl["role"], hl["where"]))
    out.append(ReferenceValue("full_cell.high_loading.retention_percent",
                              f"full cell, {hl['ncm_loading_mg_cm2']} mg/cm2: retention after {hl['cycles']} cycles at "
                              f"{hl['cycling_c_rate']}C", "%", float(hl["retention_percent"]), hl["role"], hl["where"]))
    return out


def reference_by_role(role: str) -> dict[str, ReferenceValue]:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    return {r.id: r for r in paper_reference() if r.role == role}
