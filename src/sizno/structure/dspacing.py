"""d-spacing lookup: a lattice-fringe spacing (HRTEM, SAED) → candidate (phase, hkl), and the
reverse, (phase, hkl) → d and 2θ.

Only reflections with a non-zero structure factor are candidates (pymatgen's powder lines); the
powder intensity is reported beside each candidate because a fringe alone cannot tell a strong
plane of one phase from a weak plane of another — Li13Si4 has a plane within 0.005 nm of almost
any spacing between 0.2 and 0.45 nm.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from sizno.errors import SiznoInputError
from sizno.structure.structures import crystal_structure, phase_keys, resolve_phase
from sizno.structure.xrd import DEFAULT_WAVELENGTH, bragg_two_theta_deg, canonical_hkl, hkl_label, reflections, wavelength_A

# The table is built from Cu Kα powder lines between 5° and 150°: d from 0.080 to 1.77 nm.
_TABLE_RANGE_DEG = (5.0, 150.0)


def _table(phase: str):
    return reflections(phase, DEFAULT_WAVELENGTH, _TABLE_RANGE_DEG)


def d_range_nm() -> tuple[float, float]:
    lam = wavelength_A(DEFAULT_WAVELENGTH) / 10.0
    lo, hi = _TABLE_RANGE_DEG
    return lam / (2 * math.sin(math.radians(hi / 2))), lam / (2 * math.sin(math.radians(lo / 2)))


@dataclass(frozen=True)
class DCandidate:
    phase: str
    hkl: str
    d_spacing_nm: float
    delta_nm: float
    intensity_rel: float

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def lookup_d_spacing(
    d_spacing_nm: float,
    tolerance_nm: float = 0.005,
    phases: Sequence[str] | None = None,
    min_intensity_rel: float = 0.0,
) -> list[DCandidate]:
    """Planes whose spacing is within ``tolerance_nm`` of ``d_spacing_nm``, closest first."""
    if not (isinstance(d_spacing_nm, (int, float)) and math.isfinite(d_spacing_nm) and d_spacing_nm > 0):
        raise SiznoInputError("d_spacing_nm", f"got {d_spacing_nm}", "> 0 nm")
    if not (math.isfinite(tolerance_nm) and tolerance_nm > 0):
        raise SiznoInputError("tolerance_nm", f"got {tolerance_nm}", "> 0 nm")
    lo, hi = d_range_nm()
    if not (lo <= d_spacing_nm <= hi):
        raise SiznoInputError("d_spacing_nm", f"{d_spacing_nm} nm is outside the table", f"{lo:.3f}–{hi:.2f} nm")
    keys = [resolve_phase(p) for p in phases] if phases else phase_keys()
    out = []
    for k in keys:
        for r in _table(k):
            delta = r.d_spacing_nm - d_spacing_nm
            if abs(delta) <= tolerance_nm and r.intensity_rel >= min_intensity_rel:
                for h in r.hkls:
                    out.append(DCandidate(k, hkl_label(h), r.d_spacing_nm, delta, r.intensity_rel))
    out.sort(key=lambda c: (abs(c.delta_nm), -c.intensity_rel))
    return out


_HKL_SPLIT = re.compile(r"[,\s()]+")


def parse_hkl(text: str | Sequence[int]) -> tuple[int, int, int]:
    """'321', '3 2 1', '3,2,1', '(1 0 -1)', '1,0,-1,1' (Miller–Bravais, i dropped) → (h, k, l)."""
    if not isinstance(text, str):
        vals = [int(v) for v in text]
    else:
        t = text.strip()
        parts = [p for p in _HKL_SPLIT.split(t) if p]
        try:
            if len(parts) == 1 and re.fullmatch(r"-?\d(-?\d){2,3}", parts[0]):
                vals = [int(v) for v in re.findall(r"-?\d", parts[0])]
            else:
                vals = [int(p) for p in parts]
        except ValueError:
            raise SiznoInputError("hkl", f"cannot read '{text}'", "e.g. 321, '3 2 1', 1,0,-1,1") from None
    if len(vals) == 4:
        if vals[2] != -(vals[0] + vals[1]):
            raise SiznoInputError("hkl", f"{vals}: i must equal -(h+k)", "(h k i l) with i = -(h+k)")
        vals = [vals[0], vals[1], vals[3]]
    if len(vals) != 3 or all(v == 0 for v in vals):
        raise SiznoInputError("hkl", f"cannot read '{text}'", "three integers, not all zero")
    return (vals[0], vals[1], vals[2])


@dataclass(frozen=True)
class PlaneSpacing:
    phase: str
    hkl: str
    d_spacing_nm: float
    two_theta_deg: float  # NaN when λ > 2d
    wavelength_A: float
    intensity_rel: float  # 0 when the reflection is extinct (structure factor zero) or outside 5–150°
    allowed: bool

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def plane_spacing(phase: str, hkl: str | Sequence[int], wavelength: float | str = DEFAULT_WAVELENGTH) -> PlaneSpacing:
    """d [nm] and 2θ [deg] of a plane of a phase; says whether the reflection is allowed."""
    key = resolve_phase(phase)
    h = parse_hkl(hkl)
    st = crystal_structure(key)
    d_nm = float(st.lattice.d_hkl(h)) / 10.0
    lam = wavelength_A(wavelength)
    tt = bragg_two_theta_deg(d_nm, lam)
    canon = canonical_hkl(key, h)
    rel = 0.0
    for r in _table(key):
        if canon in r.hkls or (abs(r.d_spacing_nm - d_nm) < 1e-9 and canon in {canonical_hkl(key, x) for x in r.hkls}):
            rel = r.intensity_rel
            break
    allowed = rel > 0 or _structure_factor_nonzero(key, h)
    return PlaneSpacing(key, hkl_label(h), d_nm, tt, lam, rel, allowed)


def _structure_factor_nonzero(key: str, hkl: tuple[int, int, int]) -> bool:
    """|F(hkl)| > 0 with unit scattering factors (systematic absences and accidental zeros)."""
    st = crystal_structure(key)
    phase = 2j * np.pi * (st.frac_coords @ np.asarray(hkl, float))
    z = np.array([site.specie.Z for site in st], dtype=float)
    return bool(abs(np.sum(z * np.exp(phase))) > 1e-6 * z.sum())
