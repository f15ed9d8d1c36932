"""Column headers → Battery Data Format (BDF) machine names, and units → SI factors.

Vendor headers carry their unit in many spellings: ``Current(mA)``, ``Current/mA``,
``I/mA``, ``Current / A``, ``Q charge/mA.h``, ``Capacity/uAh``. :func:`split_header`
separates name and unit, :func:`unit_factor` turns the unit into the factor to the BDF unit
of the target column, and :func:`map_columns` applies a tester's synonym table
(``sizno/data/io/<tester>.toml``) to a raw table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sizno.errors import SiznoInputError

# BDF machine name → (human label, quantity kind)
BDF_COLUMNS: dict[str, tuple[str, str]] = {
    "test_time_second": ("Test Time / s", "time"),
    "voltage_volt": ("Voltage / V", "voltage"),
    "current_ampere": ("Current / A", "current"),
    "unix_time_second": ("Unix Time / s", "time"),
    "cycle_count": ("Cycle Count / 1", "count"),
    "step_count": ("Step Count / 1", "count"),
    "step_index": ("Step Index / 1", "count"),
    "step_type": ("Step Type / 1", "label"),
    "step_time_second": ("Step Time / s", "time"),
    "charging_capacity_ah": ("Charging Capacity / Ah", "capacity"),
    "discharging_capacity_ah": ("Discharging Capacity / Ah", "capacity"),
    "charging_energy_wh": ("Charging Energy / Wh", "energy"),
    "discharging_energy_wh": ("Discharging Energy / Wh", "energy"),
    "power_watt": ("Power / W", "power"),
    "internal_resistance_ohm": ("Internal Resistance / Ohm", "resistance"),
    "ambient_temperature_celsius": ("Ambient Temperature / degC", "temperature"),
    "applied_pressure_pa": ("Applied Pressure / Pa", "pressure"),
}
REQUIRED = ("test_time_second", "voltage_volt", "current_ampere")
FLOAT_COLUMNS = tuple(k for k, (_, kind) in BDF_COLUMNS.items() if kind not in ("count", "label"))
INT_COLUMNS = ("cycle_count", "step_count", "step_index")

# unit spelling (normalised: lower case, µ→u, '.' and ' ' removed) → factor to the BDF unit
_UNITS: dict[str, dict[str, float]] = {
    "time": {"s": 1.0, "sec": 1.0, "second": 1.0, "seconds": 1.0, "ms": 1e-3, "min": 60.0,
             "h": 3600.0, "hr": 3600.0, "hour": 3600.0, "hours": 3600.0, "d": 86400.0},
    "voltage": {"v": 1.0, "mv": 1e-3, "uv": 1e-6},
    "current": {"a": 1.0, "ma": 1e-3, "ua": 1e-6, "na": 1e-9, "amps": 1.0},
    "capacity": {"ah": 1.0, "mah": 1e-3, "uah": 1e-6, "nah": 1e-9, "c": 1.0 / 3600.0,
                 "mc": 1e-3 / 3600.0, "amp-hr": 1.0, "amphr": 1.0},
    "energy": {"wh": 1.0, "mwh": 1e-3, "uwh": 1e-6, "kwh": 1e3, "j": 1.0 / 3600.0, "watt-hr": 1.0, "watthr": 1.0},
    "power": {"w": 1.0, "mw": 1e-3, "uw": 1e-6},
    "resistance": {"ohm": 1.0, "mohm": 1e-3, "mo": 1e-3, "kohm": 1e3, "ω": 1.0, "mω": 1e-3},
    "temperature": {"c": 1.0, "degc": 1.0, "°c": 1.0, "celsius": 1.0},
    "pressure": {"pa": 1.0, "kpa": 1e3, "mpa": 1e6, "bar": 1e5},
    "count": {"1": 1.0, "": 1.0},
    "label": {"1": 1.0, "": 1.0},
}

_PAREN = re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^()]*)\)\s*$")
_SLASH = re.compile(r"^(?P<name>.*\S)\s*/\s*(?P<unit>[^/]+?)\s*$")


def normalise_name(name: str) -> str:
    """Lower case, alphanumerics only: 'Chg. Cap.' → 'chgcap', '<Ewe>' → 'ewe'."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def normalise_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    u = str(unit).strip().lower().replace("µ", "u").replace("μ", "u").replace(" ", "")
    u = u.replace("a.h", "ah").replace("w.h", "wh")
    return u


def split_header(header: str) -> tuple[str, str | None]:
    """'Current(mA)' → ('Current', 'mA'); 'Q charge/mA.h' → ('Q charge', 'mA.h'); 'Volts' → ('Volts', None)."""
    h = str(header).strip()
    m = _PAREN.match(h)
    if m and m.group("name"):
        return m.group("name").strip(), m.group("unit").strip()
    m = _SLASH.match(h)
    if m:
        return m.group("name").strip(), m.group("unit").strip()
    return h, None


def unit_factor(kind: str, unit: str | None, *, column: str, source: str) -> float:
    """Factor that converts a value in `unit` to the BDF unit of quantity `kind`."""
    u = normalise_unit(unit)
    if u is None:
        raise SiznoInputError(source, f"column '{column}' has no unit", "a unit in the header or in the column mapping")
    table = _UNITS[kind]
    if u in table:
        return table[u]
    raise SiznoInputError(source, f"column '{column}': unit '{unit}' is not a {kind} unit", ", ".join(sorted(k for k in table if k)))


@dataclass
class ColumnChoice:
    target: str
    header: str
    unit: str | None
    factor: float


def map_columns(headers: list[str], spec: dict[str, Any], *, source: str) -> dict[str, ColumnChoice]:
    """Pick, for each BDF target in `spec['columns']`, the first header whose name matches a synonym.

    `spec['columns'][target]` is a list of synonyms (compared after :func:`normalise_name`);
    `spec['default_units'][target]` is the unit to assume when the header has none.
    """
    by_name: dict[str, tuple[str, str | None]] = {}
    for h in headers:
        name, unit = split_header(h)
        by_name.setdefault(normalise_name(name), (h, unit))
        by_name.setdefault(normalise_name(h), (h, None))
    defaults = spec.get("default_units", {})
    chosen: dict[str, ColumnChoice] = {}
    for target, synonyms in spec.get("columns", {}).items():
        for syn in synonyms:
            hit = by_name.get(normalise_name(syn))
            if hit is None:
                continue
            header, unit = hit
            kind = BDF_COLUMNS[target][1] if target in BDF_COLUMNS else "label"
            unit = unit if unit is not None else defaults.get(target)
            if kind in ("count", "label"):
                factor = 1.0
            elif unit in ("hms",):
                factor = 1.0
            else:
                factor = unit_factor(kind, unit, column=header, source=source)
            chosen[target] = ColumnChoice(target, header, unit, factor)
            break
    return chosen


def require(chosen: dict[str, Any], targets: tuple[str, ...], *, source: str, headers: list[str]) -> None:
    missing = [t for t in targets if t not in chosen]
    if missing:
        shown = ", ".join(str(h) for h in headers[:12]) + (" …" if len(headers) > 12 else "")
        raise SiznoInputError(
            source,
            f"missing column(s) for {', '.join(missing)}; the header has: {shown}",
            "a file with time, voltage and current columns, or a --mapping TOML",
        )


_HMS = re.compile(r"^\s*(?:(?P<d>\d+)\s*d\s*)?(?P<h>\d+):(?P<m>\d+):(?P<s>\d+(?:\.\d*)?)\s*$")


def parse_duration_seconds(values: pd.Series) -> np.ndarray:
    """'00:01:00', '79:13:56', '2d 02:52:51.57', '3600.5' → seconds (vectorised)."""
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=float)
    s = values.astype("string").str.strip()
    parts = s.str.extract(r"^(?:(\d+)\s*d\s*)?(\d+):(\d+):(\d+(?:\.\d*)?)$")
    d = pd.to_numeric(parts[0], errors="coerce").fillna(0.0)
    h = pd.to_numeric(parts[1], errors="coerce")
    m = pd.to_numeric(parts[2], errors="coerce")
    sec = pd.to_numeric(parts[3], errors="coerce")
    out = (d * 86400.0 + h * 3600.0 + m * 60.0 + sec).to_numpy(dtype=float)
    plain = np.isnan(out)
    if plain.any():
        out[plain] = pd.to_numeric(s[plain], errors="coerce").to_numpy(dtype=float)
    return out


def to_float(values: pd.Series) -> np.ndarray:
    """Numbers, tolerating a decimal comma and thousands-free text; bad cells → NaN."""
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=float)
    s = values.astype("string").str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
