"""Raman band table of the composite's phases (with sources) and a lookup of a measured band.

Metallic Zn and LiZn have no observable first-order Raman band here (the paper detects no Zn,
LiZn or ZnO signal, Fig. 3b); they are absent from the table on purpose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from sizno.data import read_toml
from sizno.errors import SiznoInputError

RAMAN_TOML = "structure/raman.toml"


@dataclass(frozen=True)
class RamanBand:
    phase: str
    mode: str
    wavenumber_cm1: float
    width: str
    source: str
    note: str

    def to_dict(self) -> dict:
        return self.__dict__.copy()


@lru_cache(maxsize=1)
def raman_bands() -> tuple[RamanBand, ...]:
    """Every band in the table, sorted by wavenumber."""
    raw = read_toml(RAMAN_TOML)["band"]
    bands = []
    for b in raw:
        if len(b.get("source", "")) < 5:
            raise ValueError(f"Raman band {b} has no source")
        bands.append(RamanBand(b["phase"], b["mode"], float(b["wavenumber_cm1"]), b.get("width", ""), b["source"], b.get("note", "")))
    return tuple(sorted(bands, key=lambda b: b.wavenumber_cm1))


def lookup_raman(wavenumber_cm1: float, tolerance_cm1: float = 15.0) -> list[tuple[RamanBand, float]]:
    """Bands within ±tolerance of a measured band, closest first: [(band, measured − table)]."""
    if not (math.isfinite(wavenumber_cm1) and wavenumber_cm1 > 0):
        raise SiznoInputError("wavenumber_cm1", f"got {wavenumber_cm1}", "> 0 cm-1")
    if not (math.isfinite(tolerance_cm1) and tolerance_cm1 > 0):
        raise SiznoInputError("tolerance_cm1", f"got {tolerance_cm1}", "> 0 cm-1")
    hits = [(b, wavenumber_cm1 - b.wavenumber_cm1) for b in raman_bands() if abs(wavenumber_cm1 - b.wavenumber_cm1) <= tolerance_cm1]
    hits.sort(key=lambda t: abs(t[1]))
    return hits
