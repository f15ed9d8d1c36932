"""The capacitances added in parallel to the linearised half-cell model (`sizno.lab.impedance`):
each a mechanism with a literature value and bounds, read from data/eis/capacitances.toml or a user's
TOML of the same layout. Plain data: runs no model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sizno.data import read_toml, read_user_toml
from sizno.errors import SiznoInputError

CAPACITANCE_FILE = "eis/capacitances.toml"


@dataclass(frozen=True)
class Capacitances:
    """The mechanisms behind the parallel capacitances added to the model (module docstring), SI units
    except where the name says otherwise. `bounds` holds each entry's literature range (by attribute)."""

    double_layer_F_per_m2: float  # per electrochemically active contact area
    counter_double_layer_F_per_m2: float
    sei_relative_permittivity: float
    electrolyte_relative_permittivity: float
    grain_size_um: float
    grain_boundary_thickness_nm: float
    grain_boundary_share: float
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    bounds: dict[str, tuple[float, float]] = field(default_factory=dict, compare=False)

    def with_(self, **kw) -> "Capacitances":
        from dataclasses import replace

        return replace(self, **kw)


_CAP_KEYS = {
    "Interface double-layer capacitance [F.m-2]": "double_layer_F_per_m2",
    "Counter electrode double-layer capacitance [F.m-2]": "counter_double_layer_F_per_m2",
    "SEI relative permittivity [-]": "sei_relative_permittivity",
    "Electrolyte relative permittivity [-]": "electrolyte_relative_permittivity",
    "LPSCl grain size [um]": "grain_size_um",
    "Grain-boundary thickness [nm]": "grain_boundary_thickness_nm",
    "Grain-boundary share of pellet resistance [-]": "grain_boundary_share",
}
_SEI_SIGMA_RANGE_KEY = "SEI ionic conductivity range at 25 degC [S.m-1]"
_POSITIVE = {"grain_size_um", "grain_boundary_thickness_nm"}


def load_capacitances(path: Path | str | None = None) -> Capacitances:
    """The default capacitances (data/eis/capacitances.toml) or a user's TOML of the same layout."""
    where = str(path or CAPACITANCE_FILE)
    raw = read_user_toml(path) if path else read_toml(CAPACITANCE_FILE)
    vals, src, bounds = {}, {}, {}
    for key, attr in _CAP_KEYS.items():
        if key not in raw:
            raise SiznoInputError(where, f"missing entry '{key}'", ", ".join(_CAP_KEYS))
        try:
            v = float(raw[key]["value"])
        except (KeyError, TypeError, ValueError):
            raise SiznoInputError(f"{key} value", f"{raw[key].get('value') if isinstance(raw[key], dict) else raw[key]!r}", "a number") from None
        ok = (v > 0) if attr in _POSITIVE else (v >= 0)
        if not ok or (attr == "grain_boundary_share" and v > 1):
            raise SiznoInputError(key, f"{v}", "> 0 (grain size, boundary thickness), >= 0 (others), share 0..1")
        vals[attr] = v
        src[key] = str(raw[key].get("source", ""))
        if "bounds" in raw[key]:
            lo, hi = (float(b) for b in raw[key]["bounds"])
            if not (0 <= lo <= hi):
                raise SiznoInputError(f"{key} bounds", f"[{lo}, {hi}]", "0 <= low <= high")
            bounds[attr] = (lo, hi)
    if _SEI_SIGMA_RANGE_KEY in raw and "bounds" in raw[_SEI_SIGMA_RANGE_KEY]:
        lo, hi = (float(b) for b in raw[_SEI_SIGMA_RANGE_KEY]["bounds"])
        if not (0 < lo <= hi):
            raise SiznoInputError(f"{_SEI_SIGMA_RANGE_KEY} bounds", f"[{lo}, {hi}]", "0 < low <= high")
        bounds["sei_conductivity_25C_S_per_m"] = (lo, hi)
        src[_SEI_SIGMA_RANGE_KEY] = str(raw[_SEI_SIGMA_RANGE_KEY].get("source", ""))
    return Capacitances(**vals, sources=src, bounds=bounds)
