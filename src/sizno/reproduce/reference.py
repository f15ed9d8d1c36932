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
def half_cell_reference() -> tuple[ReferenceValue, ...]:
    """Half-cell records of the paper with ids as in summary.json; role as the TOML marks it."""
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
    return tuple(out)


def reference_by_role(role: str) -> dict[str, ReferenceValue]:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    return {r.id: r for r in half_cell_reference() if r.role == role}
