"""Where the model stands: one count of the records, used by the console, summary.json, the HTML
report and the README.

A calibration record (fitted to) is *within* when its relative error is at most 5 %; a validation
record (a prediction, never fitted) when it is at most 20 %. Where the paper states a range rather
than a number (the DRT time-constant windows, or a record's own ``paper_range``), within means
inside the range, and "off by" is the distance to the nearer end relative to that end. Only records
with a paper number count (n); a record whose model value is missing (the model could not compute
it) counts in n and is not within. Records are plain dicts, the shape of summary.json's ``records``.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

CALIBRATION_TOLERANCE = 0.05
VALIDATION_TOLERANCE = 0.20
TOLERANCE = {"calibration": CALIBRATION_TOLERANCE, "validation": VALIDATION_TOLERANCE}

# The report's sections in the order of the paper's story (the order); key, title, figures
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("composition", "Composition from the recipe", "Experimental section; Fig. 1"),
    ("first-cycle", "First cycle", "Fig. 2a"),
    ("rate", "Rate capability (60 °C and 25 °C)", "Fig. 2b, S4, S6"),
    ("long-cycling", "Long cycling", "Fig. 2c"),
    ("thickness", "Electrode thickness", "Fig. 4a–c, S12"),
    ("impedance", "Impedance and DRT", "Fig. 4g–l, S13, S14"),
    ("structure", "Structure: XRD, d-spacings, Raman", "Fig. 1b, 1g–h, 3a–j"),
    ("atomistics", "Atomistics", "Fig. 5"),
    ("full-cells", "Full cells", "Fig. 6"),
    ("other", "Other records", ""),
)
SECTION_TITLES = {key: title for key, title, _ in SECTIONS}

# record id prefix -> (report section, reproduce area); first match wins
_PREFIXES: tuple[tuple[str, str, str], ...] = (
    ("composition.", "composition", "composition"),
    ("half_cell.first_cycle.", "first-cycle", "half-cell"),
    ("half_cell.rate", "rate", "half-cell"),  # .rate. and .rate_ordering.
    ("half_cell.room_temperature.", "rate", "half-cell"),
    ("half_cell.cycling.", "long-cycling", "full-cell"),
    ("thickness.", "thickness", "full-cell"),
    ("full_cell.", "full-cells", "full-cell"),
    ("drt.", "impedance", "impedance"),
    ("eis.", "impedance", "impedance"),
    ("xrd.", "structure", "structure"),
    ("dspacing.", "structure", "structure"),
    ("raman.", "structure", "structure"),
    ("dft.", "atomistics", "atomistic"),
)

# where in the paper a record without its own reference entry stands: id prefix -> paper-values.toml table
_WHERE_TABLES = (("half_cell.rate_ordering", "rate_capability_ordering"), ("composition.", "recipe"),
                 ("xrd.", "xrd"), ("dspacing.", "hrtem_d_spacing_nm"), ("raman.", "raman_cm1"),
                 ("drt.", "drt"), ("dft.", "dft"))


def section_of(record_id: str) -> str:
    """The report section a record belongs to (``other`` when no prefix matches)."""
    for prefix, section, _ in _PREFIXES:
        if record_id.startswith(prefix):
            return section
    return "other"


def area_of(record_id: str) -> str:
    """The reproduce area that produces a record (for summaries written before records carried it)."""
    for prefix, _, area in _PREFIXES:
        if record_id.startswith(prefix):
            return area
    return "other"


@lru_cache(maxsize=1)
def _where_by_id() -> dict[str, str]:
    from sizno.reproduce.reference import paper_reference

    return {r.id: r.where for r in paper_reference()}


@lru_cache(maxsize=1)
def _where_tables() -> dict[str, str]:
    from sizno.data import read_toml

    raw = read_toml("reference/paper-values.toml")
    return {table: str(raw.get(table, {}).get("where", "")) for _, table in _WHERE_TABLES}


def where_of(record_id: str) -> str:
    """Where in the paper the number stands ('' when the record has no paper number of its own)."""
    where = _where_by_id().get(record_id)
    if where:
        return where
    for prefix, table in _WHERE_TABLES:
        if record_id.startswith(prefix):
            return _where_tables().get(table, "")
    return ""


@lru_cache(maxsize=1)
def _tau_windows() -> dict[str, tuple[float, float]]:
    from sizno.data import read_toml

    windows = read_toml("reference/paper-values.toml").get("drt", {}).get("tau_s", {})
    return {k: (float(v[0]), float(v[1])) for k, v in windows.items()}


def paper_range(record: dict) -> tuple[float, float] | None:
    """The paper's range for a record that has one (its own ``paper_range``, or the DRT τ windows)."""
    own = record.get("paper_range")
    if isinstance(own, (list, tuple)) and len(own) == 2:
        return float(own[0]), float(own[1])
    m = re.fullmatch(r"drt\.[^.]+\.[^.]+\.(\w+)\.tau_s", record.get("id", ""))
    return _tau_windows().get(m[1]) if m else None


def off_by(record: dict) -> float | None:
    """How far off a record with a paper number is, as a fraction (0.1 = 10 %): |relative error|, or for
    a range the distance to its nearer end over that end (0 inside); inf when the model has no value;
    None when the record has no paper number."""
    if record.get("paper") is None and paper_range(record) is None:
        return None
    model = record.get("model")
    rng = paper_range(record)
    if rng is not None:
        if model is None or not math.isfinite(float(model)):
            return math.inf
        lo, hi = rng
        m = float(model)
        return (lo - m) / abs(lo) if m < lo else ((m - hi) / abs(hi) if m > hi else 0.0)
    err = record.get("relative_error")
    if err is None or not math.isfinite(float(err)):
        return math.inf
    return abs(float(err))


def is_within(record: dict) -> bool | None:
    """True/False for a calibration or validation record with a paper number; None when it does not count."""
    tol = TOLERANCE.get(record.get("role", ""))
    off = off_by(record)
    if tol is None or off is None:
        return None
    if paper_range(record) is not None:
        return off == 0.0
    return off <= tol + 1e-12


def _count(records: list[dict], role: str) -> dict:
    flags = [is_within(r) for r in records if r.get("role") == role]
    flags = [f for f in flags if f is not None]
    return {"within": sum(flags), "n": len(flags), "tolerance": TOLERANCE[role]}


def _brief(r: dict) -> dict:
    keys = ("id", "quantity", "unit", "paper", "model", "relative_error", "role")
    out = {k: r.get(k) for k in keys}
    out["section"] = r.get("section") or section_of(r["id"])
    rng = paper_range(r)
    if rng is not None:
        out["paper_range"] = list(rng)
    off = off_by(r)
    out["off_by"] = None if off is None or not math.isfinite(off) else off
    return out


def _off_key(r: dict) -> float:
    off = off_by(r)
    return -1.0 if off is None else off


def standing(records: list[dict]) -> dict:
    """Counts over all records and per area, the three worst validation records and every record
    the model does not reproduce (a counted record outside its tolerance, worst first)."""
    areas: dict[str, list[dict]] = {}
    for r in records:
        areas.setdefault(r.get("area") or area_of(r["id"]), []).append(r)
    off = sorted((r for r in records if is_within(r) is False), key=_off_key, reverse=True)
    validation_off = [r for r in off if r.get("role") == "validation"]
    return {
        "calibration": _count(records, "calibration"),
        "validation": _count(records, "validation"),
        "worst_validation": [_brief(r) for r in validation_off[:3]],
        "not_reproduced": [_brief(r) for r in off],
        "by_area": {a: {"calibration": _count(rs, "calibration"), "validation": _count(rs, "validation")}
                    for a, rs in areas.items()},
    }


def k_of_n(count: dict) -> str:
    """'7 of 25' ('none' when nothing counts)."""
    return f"{count['within']} of {count['n']}" if count["n"] else "none"


def standing_table(st: dict):
    """A rich table: per area, calibration within 5 % and validation within 20 % (k of n), and all."""
    from rich.table import Table

    t = Table(title="where the model stands")
    t.add_column("area")
    t.add_column(f"calibration within {100 * CALIBRATION_TOLERANCE:g} %", justify="right")
    t.add_column(f"validation within {100 * VALIDATION_TOLERANCE:g} %", justify="right")
    for area, c in st["by_area"].items():
        t.add_row(area, k_of_n(c["calibration"]), k_of_n(c["validation"]))
    t.add_row("all", k_of_n(st["calibration"]), k_of_n(st["validation"]), style="bold")
    return t


def describe_error(r: dict) -> str:
    """'+12.3 %', 'inside the paper's range', '500x below the paper's range' or 'no model value'."""
    rng = paper_range(r)
    model = r.get("model")
    if rng is not None:
        if model is None or not math.isfinite(float(model)):
            return "no model value"
        m, (lo, hi) = float(model), rng
        if lo <= m <= hi:
            return "inside the paper's range"
        if m <= 0:
            return "below the paper's range"
        factor = lo / m if m < lo else m / hi
        text = f"{factor:.0f}" if factor >= 10 else f"{factor:.2g}"
        return f"{text}x {'below' if m < lo else 'above'} the paper's range"
    err = r.get("relative_error")
    if err is None or not math.isfinite(float(err)):
        return "no model value"
    return f"{100 * float(err):+.1f} %"
