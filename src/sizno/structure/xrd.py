"""Powder XRD of the composite's phases: reflections (pymatgen), broadened profiles, mixtures.

Model, stated once:

* Reflections (2θ, d, |F|²·Lorentz-polarisation) come from pymatgen's ``XRDCalculator`` for the
  stored crystal structures (neutral-atom scattering factors, no Debye–Waller factor).
* Each reflection is a unit-area pseudo-Voigt (mixing ``eta``) whose FWHM combines an instrument
  width and the Scherrer size width β = K λ / (L cos θ) in quadrature (K = 0.9).
* Amorphous phases (a-Si, a-LixSi) are the same reflections with a coherence length of a few
  atomic shells (1.2 nm for a-Si, 5 nm for the poorly ordered LixSi): broad humps at the
  positions of the crystalline reference's strongest reflections, with the integrated intensity
  of the crystal conserved. For a-Si this puts humps at ≈28° and ≈52° (Cu Kα), where measured
  a-Si patterns have them.
* Mixtures: the diffracted power of phase i per unit volume is Σ|F|²LP / V_cell²; it is weighted
  by the phase's volume fraction (mass fraction / crystallographic density). Absorption is taken
  as common to all phases (it cancels in relative intensities; microabsorption is ignored).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping

import numpy as np

from sizno.errors import SiznoInputError
from sizno.structure.structures import crystal_structure, resolve_phase

DEFAULT_WAVELENGTH = "CuKa"
DEFAULT_TWO_THETA_RANGE_DEG = (10.0, 80.0)  # the paper's scan range (Experimental section)
DEFAULT_STEP_DEG = 0.02
DEFAULT_INSTRUMENT_FWHM_DEG = 0.08
DEFAULT_ETA = 0.5
SCHERRER_K = 0.9

# X-ray tube lines [Å]: the names pymatgen's XRDCalculator understands (Kα = weighted Kα1/Kα2).
_WAVELENGTHS_A = {
    "CuKa": 1.54184,
    "CuKa1": 1.54056,
    "CuKa2": 1.54439,
    "CuKb1": 1.39222,
    "MoKa": 0.71073,
    "MoKa1": 0.70930,
    "MoKa2": 0.71359,
    "MoKb1": 0.63229,
    "CrKa": 2.29100,
    "CrKa1": 2.28970,
    "CrKa2": 2.29361,
    "CrKb1": 2.08487,
    "FeKa": 1.93735,
    "FeKa1": 1.93604,
    "FeKa2": 1.93998,
    "FeKb1": 1.75661,
    "CoKa": 1.79026,
    "CoKa1": 1.78896,
    "CoKa2": 1.79285,
    "CoKb1": 1.63079,
    "AgKa": 0.560885,
    "AgKa1": 0.559421,
    "AgKa2": 0.563813,
    "AgKb1": 0.497082,
}


def wavelength_A(wavelength: float | str = DEFAULT_WAVELENGTH) -> float:
    """Wavelength [Å] from a tube-line name ('CuKa', 'MoKa1', ...) or a number in Å."""
    if isinstance(wavelength, str):
        w = wavelength.strip()
        names = {k.lower(): v for k, v in _WAVELENGTHS_A.items()}
        if w.lower() in names:
            return names[w.lower()]
        try:
            wavelength = float(w)
        except ValueError:
            raise SiznoInputError(
                "wavelength", f"unknown line '{wavelength}'", "a number in Å > 0 or " + ", ".join(_WAVELENGTHS_A)
            ) from None
    try:
        value = float(wavelength)
    except (TypeError, ValueError):
        raise SiznoInputError("wavelength", f"not a number: {wavelength!r}", "> 0 Å") from None
    if not math.isfinite(value) or value <= 0:
        raise SiznoInputError("wavelength", f"must be a positive finite number of Å, got {value}", "> 0 Å")
    return value


def check_two_theta_range(two_theta_range_deg: tuple[float, float]) -> tuple[float, float]:
    """Validate a 2θ window: 0 < min < max ≤ 180°."""
    lo, hi = (float(v) for v in two_theta_range_deg)
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo <= 0 or hi > 180 or lo >= hi:
        raise SiznoInputError("two_theta_range_deg", f"got ({lo}, {hi})", "0 < min < max <= 180 degrees")
    return lo, hi


def bragg_two_theta_deg(d_spacing_nm: float, wavelength: float | str = DEFAULT_WAVELENGTH) -> float:
    """2θ [deg] of a lattice spacing d [nm] by Bragg's law; NaN when λ > 2d (no reflection)."""
    lam_nm = wavelength_A(wavelength) / 10.0
    s = lam_nm / (2.0 * d_spacing_nm)
    return float("nan") if s > 1 else math.degrees(2.0 * math.asin(s))


def bragg_d_spacing_nm(two_theta_deg: float, wavelength: float | str = DEFAULT_WAVELENGTH) -> float:
    """Lattice spacing d [nm] of a reflection at 2θ [deg]."""
    if not (0 < two_theta_deg <= 180):
        raise SiznoInputError("two_theta_deg", f"got {two_theta_deg}", "0 < 2θ <= 180 degrees")
    return wavelength_A(wavelength) / 10.0 / (2.0 * math.sin(math.radians(two_theta_deg) / 2.0))


def three_index(hkl: tuple[int, ...]) -> tuple[int, int, int]:
    """(h, k, i, l) Miller–Bravais → (h, k, l); 3-tuples pass through."""
    if len(hkl) == 4:
        return (int(hkl[0]), int(hkl[1]), int(hkl[3]))
    return tuple(int(v) for v in hkl)  # type: ignore[return-value]


def hkl_label(hkl: tuple[int, ...]) -> str:
    """'111' for single digits, '1 0 -1' style otherwise (negative or two-digit indices)."""
    h = three_index(hkl)
    if all(0 <= v <= 9 for v in h):
        return "".join(str(v) for v in h)
    return " ".join(str(v) for v in h)


@dataclass(frozen=True)
class Reflection:
    """One powder line: its planes, 2θ, d and intensity (relative and per unit volume)."""

    phase: str
    hkls: tuple[tuple[int, int, int], ...]
    multiplicities: tuple[int, ...]
    two_theta_deg: float
    d_spacing_nm: float
    intensity_rel: float  # strongest line of the phase in the computed window = 100
    intensity_per_volume: float  # Σ|F|²·LP / V_cell² [electrons² Å⁻⁶], comparable across phases

    @property
    def label(self) -> str:
        return "/".join(f"({hkl_label(h)})" for h in self.hkls)

    def to_dict(self) -> dict:
        return {
            "phase": self.phase,
            "hkl": [hkl_label(h) for h in self.hkls],
            "multiplicity": list(self.multiplicities),
            "two_theta_deg": self.two_theta_deg,
            "d_spacing_nm": self.d_spacing_nm,
            "intensity_rel": self.intensity_rel,
        }


@lru_cache(maxsize=None)
def _point_group_rotations(key: str) -> tuple[np.ndarray, ...]:
    """Fractional rotation matrices of the phase's point group (for Miller-index equivalents)."""
    from sizno.structure.structures import _symmetry_ops, structure_records

    rot, _ = _symmetry_ops(structure_records()[key].space_group_number)
    uniq = {r.tobytes(): np.asarray(r, dtype=int) for r in rot}
    return tuple(uniq.values())


def canonical_hkl(key: str, hkl: tuple[int, int, int]) -> tuple[int, int, int]:
    """The conventional representative of a plane family: non-negative indices where the
    symmetry allows, then the largest tuple ((110) rather than (2-10) in ZnO, (311) in Si)."""
    h = np.asarray(hkl, dtype=int)
    eq = {tuple(int(v) for v in h @ r) for r in _point_group_rotations(key)}
    return max(eq, key=lambda t: (all(v >= 0 for v in t), t))


@lru_cache(maxsize=256)
def _reflections_cached(key: str, lam_A: float, lo: float, hi: float) -> tuple[Reflection, ...]:
    from pymatgen.analysis.diffraction.xrd import XRDCalculator

    st = crystal_structure(key)
    pat = XRDCalculator(wavelength=lam_A).get_pattern(st, scaled=False, two_theta_range=(lo, hi))
    y = np.asarray(pat.y, dtype=float)
    if y.size == 0:
        return ()
    vol2 = st.volume**2
    ymax = float(y.max())
    out = []
    for tt, inten, fam, d in zip(pat.x, y, pat.hkls, pat.d_hkls):
        out.append(
            Reflection(
                phase=key,
                hkls=tuple(canonical_hkl(key, three_index(f["hkl"])) for f in fam),
                multiplicities=tuple(int(f["multiplicity"]) for f in fam),
                two_theta_deg=float(tt),
                d_spacing_nm=float(d) / 10.0,
                intensity_rel=100.0 * float(inten) / ymax,
                intensity_per_volume=float(inten) / vol2,
            )
        )
    return tuple(out)


def reflections(
    phase: str,
    wavelength: float | str = DEFAULT_WAVELENGTH,
    two_theta_range_deg: tuple[float, float] = DEFAULT_TWO_THETA_RANGE_DEG,
) -> tuple[Reflection, ...]:
    """Powder lines of a phase in a 2θ window (cached per phase, wavelength and window)."""
    lo, hi = check_two_theta_range(two_theta_range_deg)
    return _reflections_cached(resolve_phase(phase), wavelength_A(wavelength), lo, hi)


# --------------------------------------------------------------------------- phase forms


@dataclass(frozen=True)
class PhaseForm:
    """How a phase of the electrode appears in XRD: its structure and coherence length."""

    name: str
    structure: str
    crystallite_nm: float
    amorphous: bool
    note: str


# The phase names the electrochemical model reports, plus the bare structure names.
# Crystallite sizes are assumptions of this model (the paper gives none) and can be overridden.
PHASE_FORMS: dict[str, PhaseForm] = {
    "c-Si": PhaseForm("c-Si", "Si", 100.0, False, "micro-Si sheets (1–3 µm): size broadening negligible"),
    "a-Si": PhaseForm("a-Si", "Si", 1.2, True, "amorphous Si: diamond-lattice short-range order, ≈1.2 nm coherence"),
    "a-LixSi": PhaseForm(
        "a-LixSi", "Li13Si4", 5.0, True, "poorly ordered LixSi, Li13Si4-like order over ≈5 nm (the paper's broad peaks)"
    ),
    "ZnO": PhaseForm("ZnO", "ZnO", 20.0, False, "ZnO nanoparticles on the Si sheets (size assumed)"),
    "Zn": PhaseForm("Zn", "Zn", 10.0, False, "Zn nanodomains after delithiation (size assumed)"),
    "LiZn": PhaseForm("LiZn", "LiZn", 10.0, False, "LiZn nanodomains after lithiation (size assumed)"),
    "Li2O": PhaseForm("Li2O", "Li2O", 5.0, False, "Li2O matrix from ZnO conversion (size assumed)"),
    "Si": PhaseForm("Si", "Si", 100.0, False, "crystalline Si"),
    "Li13Si4": PhaseForm("Li13Si4", "Li13Si4", 100.0, False, "crystalline Li13Si4"),
    "Li15Si4": PhaseForm("Li15Si4", "Li15Si4", 100.0, False, "crystalline Li15Si4"),
}


def resolve_form(name: str, crystallite_nm: float | None = None) -> PhaseForm:
    """The XRD form of a phase name (model name like 'a-LixSi' or a structure name)."""
    form = PHASE_FORMS.get(name)
    if form is None:
        low = {k.lower(): v for k, v in PHASE_FORMS.items()}
        form = low.get(name.strip().lower())
    if form is None:
        raise SiznoInputError("phase", f"unknown phase '{name}'", ", ".join(PHASE_FORMS))
    if crystallite_nm is not None:
        if not (crystallite_nm > 0) or not math.isfinite(crystallite_nm):
            raise SiznoInputError("crystallite_nm", f"must be > 0, got {crystallite_nm}", "> 0 nm")
        form = PhaseForm(form.name, form.structure, float(crystallite_nm), form.amorphous, form.note)
    return form


def scherrer_fwhm_deg(
    two_theta_deg: np.ndarray | float, crystallite_nm: float, wavelength: float | str = DEFAULT_WAVELENGTH
) -> np.ndarray | float:
    """Scherrer size broadening β = K λ / (L cos θ), returned as FWHM in degrees 2θ."""
    lam_A = wavelength_A(wavelength)
    theta = np.radians(np.asarray(two_theta_deg, dtype=float) / 2.0)
    beta = SCHERRER_K * lam_A / (crystallite_nm * 10.0 * np.cos(theta))
    return np.degrees(beta)


def scherrer_crystallite_nm(two_theta_deg: float, fwhm_deg: float, wavelength: float | str = DEFAULT_WAVELENGTH) -> float:
    """Inverse Scherrer: coherence length [nm] from a (size-only) FWHM [deg]."""
    lam_A = wavelength_A(wavelength)
    return SCHERRER_K * lam_A / (math.radians(fwhm_deg) * math.cos(math.radians(two_theta_deg / 2.0))) / 10.0


def pseudo_voigt(x: np.ndarray, center: np.ndarray, fwhm: np.ndarray, eta: float) -> np.ndarray:
    """Unit-area pseudo-Voigt profiles; x (n,), center/fwhm (m,) → (m, n)."""
    dx = x[None, :] - center[:, None]
    w = fwhm[:, None]
    sigma = w / (2.0 * math.sqrt(2.0 * math.log(2.0)))
    gauss = np.exp(-0.5 * (dx / sigma) ** 2) / (sigma * math.sqrt(2.0 * math.pi))
    lor = (w / (2.0 * math.pi)) / (dx**2 + (w / 2.0) ** 2)
    return eta * lor + (1.0 - eta) * gauss


@dataclass
class XRDPattern:
    """A computed powder pattern: total and per-phase intensity on a 2θ grid (max of total = 100)."""

    two_theta_deg: np.ndarray
    intensity: np.ndarray
    components: dict[str, np.ndarray]
    mass_fractions: dict[str, float]
    volume_fractions: dict[str, float]
    wavelength_A: float
    reflections: dict[str, tuple[Reflection, ...]]
    forms: dict[str, PhaseForm]
    label: str = ""
    scale: dict[str, float] = field(default_factory=dict)  # component height per unit intensity_per_volume

    def intensity_at(self, two_theta_deg: float) -> float:
        return float(np.interp(two_theta_deg, self.two_theta_deg, self.intensity))

    def strongest_lines(self, n: int = 8) -> list[dict]:
        """The n lines with the largest peak height in this pattern, all phases together."""
        rows = []
        for name, refs in self.reflections.items():
            form = self.forms[name]
            for r in refs:
                rows.append(
                    {
                        "phase": name,
                        "structure": form.structure,
                        "hkl": r.label,
                        "two_theta_deg": r.two_theta_deg,
                        "d_spacing_nm": r.d_spacing_nm,
                        "height": float(np.interp(r.two_theta_deg, self.two_theta_deg, self.components[name])),
                    }
                )
        rows.sort(key=lambda r: -r["height"])
        return rows[:n]

    def to_dict(self, include_profile: bool = True) -> dict:
        out = {
            "label": self.label,
            "wavelength_A": self.wavelength_A,
            "mass_fractions": self.mass_fractions,
            "volume_fractions": self.volume_fractions,
            "phases": {
                k: {"structure": f.structure, "crystallite_nm": f.crystallite_nm, "amorphous": f.amorphous, "note": f.note}
                for k, f in self.forms.items()
            },
            "strongest_lines": self.strongest_lines(12),
        }
        if include_profile:
            out["two_theta_deg"] = self.two_theta_deg.tolist()
            out["intensity"] = self.intensity.tolist()
        return out


def _check_fractions(mass_fractions: Mapping[str, float]) -> dict[str, float]:
    if not mass_fractions:
        raise SiznoInputError("phase fractions", "empty", "phase=mass fraction pairs, e.g. c-Si=0.9,ZnO=0.1")
    clean: dict[str, float] = {}
    for k, v in mass_fractions.items():
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise SiznoInputError("phase fractions", f"{k}: not a number ({v!r})", ">= 0") from None
        if not math.isfinite(f) or f < 0:
            raise SiznoInputError("phase fractions", f"{k}: must be >= 0, got {f}", ">= 0")
        resolve_form(k)  # validates the name
        clean[k] = clean.get(k, 0.0) + f
    total = sum(clean.values())
    if total <= 0:
        raise SiznoInputError("phase fractions", "all zero", "at least one fraction > 0")
    return {k: v / total for k, v in clean.items()}


def mixture_pattern(
    mass_fractions: Mapping[str, float],
    wavelength: float | str = DEFAULT_WAVELENGTH,
    two_theta_range_deg: tuple[float, float] = DEFAULT_TWO_THETA_RANGE_DEG,
    step_deg: float = DEFAULT_STEP_DEG,
    crystallite_nm: Mapping[str, float] | None = None,
    instrument_fwhm_deg: float = DEFAULT_INSTRUMENT_FWHM_DEG,
    eta: float = DEFAULT_ETA,
    label: str = "",
) -> XRDPattern:
    """Powder pattern of a mixture given as {phase name: mass fraction} (normalised to 1).

    Phase names: the model's ('c-Si', 'a-Si', 'a-LixSi', 'ZnO', 'Zn', 'LiZn', 'Li2O') or a
    structure name ('Si', 'Li13Si4', 'Li15Si4', ...). ``crystallite_nm`` overrides sizes per name.
    """
    lam = wavelength_A(wavelength)
    lo, hi = check_two_theta_range(two_theta_range_deg)
    if not (step_deg > 0) or (hi - lo) / step_deg > 2_000_000:
        raise SiznoInputError("step_deg", f"got {step_deg}", f"> 0 and at most 2e6 points over {lo}–{hi}°")
    if not (instrument_fwhm_deg >= 0):
        raise SiznoInputError("instrument_fwhm_deg", f"got {instrument_fwhm_deg}", ">= 0 degrees")
    if not (0.0 <= eta <= 1.0):
        raise SiznoInputError("eta", f"got {eta}", "0..1")
    fractions = _check_fractions(mass_fractions)
    sizes = dict(crystallite_nm or {})
    forms = {k: resolve_form(k, sizes.get(k)) for k in fractions}

    # volume fractions from crystallographic densities
    dens = {k: crystal_structure(f.structure).density for k, f in forms.items()}
    vol = {k: fractions[k] / float(dens[k]) for k in fractions}
    vtot = sum(vol.values())
    vfrac = {k: v / vtot for k, v in vol.items()}

    x = np.arange(lo, hi + 0.5 * step_deg, step_deg)
    # lines just outside the window still leak their tails into it
    pad = 15.0
    comps: dict[str, np.ndarray] = {}
    refl_in: dict[str, tuple[Reflection, ...]] = {}
    for k, form in forms.items():
        refs = reflections(form.structure, lam, (max(lo - pad, 0.5), min(hi + pad, 179.5)))
        refl_in[k] = tuple(r for r in refs if lo <= r.two_theta_deg <= hi)
        if not refs or vfrac[k] == 0:
            comps[k] = np.zeros_like(x)
            continue
        c = np.array([r.two_theta_deg for r in refs])
        area = np.array([r.intensity_per_volume for r in refs]) * vfrac[k]
        fwhm = np.sqrt(instrument_fwhm_deg**2 + scherrer_fwhm_deg(c, form.crystallite_nm, lam) ** 2)
        fwhm = np.maximum(fwhm, 1e-3)
        comps[k] = area @ pseudo_voigt(x, c, fwhm, eta)
    total = np.sum(list(comps.values()), axis=0) if comps else np.zeros_like(x)
    peak = float(total.max()) if total.size else 0.0
    norm = 100.0 / peak if peak > 0 else 1.0
    comps = {k: v * norm for k, v in comps.items()}
    return XRDPattern(
        two_theta_deg=x,
        intensity=total * norm,
        components=comps,
        mass_fractions=fractions,
        volume_fractions=vfrac,
        wavelength_A=lam,
        reflections=refl_in,
        forms=forms,
        label=label,
        scale={k: norm * vfrac[k] for k in fractions},
    )


def phase_pattern(phase: str, **kwargs) -> XRDPattern:
    """Pattern of a single phase (see ``mixture_pattern`` for the options)."""
    kwargs.setdefault("label", phase)
    return mixture_pattern({phase: 1.0}, **kwargs)
