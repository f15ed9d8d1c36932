"""The impedance spectrum every analysis in `sizno.eis` takes: frequencies [Hz], complex Z [ohm].

Convention inside sizno: Z = Z' + j Z'' with the physical sign, so a capacitive arc has Z'' < 0.
Files that store -Z'' (the "plotted" convention) are flipped on reading and the spectrum says so.

Bad input is never analysed silently: NaN/inf, non-positive frequencies, fewer than
`MIN_POINTS` points and all-zero imaginary parts raise `SiznoInputError`; unsorted or
duplicated frequencies are repaired (sorted high → low, duplicates dropped) and the repair is
recorded in `notes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from sizno.errors import SiznoInputError

MIN_POINTS = 10

ImagConvention = Literal["auto", "Z", "-Z"]


def detect_imag_convention(z_imag: np.ndarray) -> tuple[str, str]:
    """Guess whether an imaginary column holds Im Z or -Im Z.

    A battery/electrode spectrum is capacitive over most of its frequencies (Im Z < 0); an
    inductive tail at the highest frequencies is a minority. Returns ("Z" | "-Z", reason).
    """
    zi = np.asarray(z_imag, dtype=float)
    scale = np.max(np.abs(zi)) if zi.size else 0.0
    significant = zi[np.abs(zi) > 1e-3 * scale] if scale > 0 else zi[:0]
    if significant.size == 0:
        return "Z", "imaginary part is zero everywhere; no sign to detect"
    frac_neg = float(np.mean(significant < 0))
    if frac_neg >= 0.5:
        return "Z", f"{100 * frac_neg:.0f}% of imaginary values are negative: column holds Im Z (capacitive arcs below the axis)"
    return "-Z", f"{100 * (1 - frac_neg):.0f}% of imaginary values are positive: column holds -Im Z (capacitive arcs plotted above the axis); flipped"


@dataclass(frozen=True)
class ImpedanceSpectrum:
    """One impedance spectrum, frequencies sorted from high to low.

    frequency_Hz: strictly decreasing, > 0.
    z_ohm: complex impedance, physical sign (capacitive: Im < 0).
    metadata: free-form (source file, instrument, sign convention, units, state...).
    notes: every repair or detection made on the way in, human readable.
    """

    frequency_Hz: np.ndarray
    z_ohm: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_arrays(
        cls,
        frequency_Hz,
        z_ohm=None,
        *,
        z_real_ohm=None,
        z_imag_ohm=None,
        imag_convention: ImagConvention = "Z",
        metadata: dict[str, Any] | None = None,
        notes: tuple[str, ...] | list[str] = (),
        source: str = "spectrum",
    ) -> "ImpedanceSpectrum":
        """Validate and normalise arrays into a spectrum.

        Pass either complex `z_ohm` or `z_real_ohm` + `z_imag_ohm`. `imag_convention`:
        "Z" (imaginary values are Im Z; the default for simulated spectra), "-Z" (they are
        -Im Z) or "auto" (detect from the data, and say so in `notes`).
        """
        notes = list(notes)
        meta = dict(metadata or {})
        f = np.asarray(frequency_Hz, dtype=float).ravel()
        if z_ohm is not None:
            z = np.asarray(z_ohm, dtype=complex).ravel()
            zr, zi = z.real.copy(), z.imag.copy()
        else:
            if z_real_ohm is None or z_imag_ohm is None:
                raise SiznoInputError(source, "no impedance given", "complex z_ohm, or z_real_ohm and z_imag_ohm")
            zr = np.asarray(z_real_ohm, dtype=float).ravel()
            zi = np.asarray(z_imag_ohm, dtype=float).ravel()
        if not (f.size == zr.size == zi.size):
            raise SiznoInputError(source, f"frequency ({f.size}) and impedance ({zr.size}) lengths differ", "equal-length arrays")
        bad = ~(np.isfinite(f) & np.isfinite(zr) & np.isfinite(zi))
        if bad.any():
            rows = np.flatnonzero(bad)[:5].tolist()
            raise SiznoInputError(source, f"{int(bad.sum())} point(s) with NaN/inf (first at index {rows})", "finite numbers")
        if np.any(f <= 0):
            raise SiznoInputError(source, "non-positive frequency", "frequencies > 0 Hz")

        if imag_convention == "auto":
            conv, why = detect_imag_convention(zi)
            notes.append(f"sign convention: {why}")
        elif imag_convention in ("Z", "-Z"):
            conv = imag_convention
            notes.append("sign convention: imaginary values given as " + ("Im Z" if conv == "Z" else "-Im Z; flipped"))
        else:
            raise SiznoInputError("imag_convention", f"unknown value '{imag_convention}'", "auto, Z, -Z")
        if conv == "-Z":
            zi = -zi
        meta["imag_convention_in"] = conv

        # order: high -> low frequency, repairs stated
        order = np.argsort(-f, kind="stable")
        if not np.all(order == np.arange(f.size)):
            if np.all(order == np.arange(f.size)[::-1]):
                notes.append("frequencies were ascending; reordered high → low")
            else:
                notes.append("frequencies were not monotonic; sorted high → low")
        f, zr, zi = f[order], zr[order], zi[order]
        dup = np.concatenate([[False], np.isclose(f[1:], f[:-1], rtol=1e-9, atol=0.0)])
        if dup.any():
            n_dup = int(dup.sum())
            if n_dup > 0.25 * f.size:
                raise SiznoInputError(
                    source,
                    f"{n_dup} of {f.size} frequencies are duplicated; this looks like several sweeps in one table",
                    "one sweep per spectrum (split sweeps, or read the file as a series)",
                )
            notes.append(f"dropped {n_dup} duplicated frequenc{'y' if n_dup == 1 else 'ies'} (kept the first value of each)")
            keep = ~dup
            f, zr, zi = f[keep], zr[keep], zi[keep]
        if f.size < MIN_POINTS:
            raise SiznoInputError(source, f"only {f.size} valid frequencies", f">= {MIN_POINTS} points")
        zmag = np.hypot(zr, zi)
        if np.all(zi == 0) or np.max(np.abs(zi)) <= 1e-12 * max(np.max(zmag), 1e-300):
            raise SiznoInputError(source, "imaginary part is zero at every frequency (no relaxation to analyse)", "a spectrum with a reactive part")
        if np.any(zmag == 0):
            raise SiznoInputError(source, "|Z| = 0 at some frequency", "non-zero impedance")
        return cls(frequency_Hz=f, z_ohm=zr + 1j * zi, metadata=meta, notes=tuple(notes))

    # ------------------------------------------------------------------ views
    @property
    def n(self) -> int:
        return int(self.frequency_Hz.size)

    @property
    def omega_rad_s(self) -> np.ndarray:
        return 2 * np.pi * self.frequency_Hz

    @property
    def z_real_ohm(self) -> np.ndarray:
        return self.z_ohm.real

    @property
    def z_imag_ohm(self) -> np.ndarray:
        return self.z_ohm.imag

    @property
    def modulus_ohm(self) -> np.ndarray:
        return np.abs(self.z_ohm)

    @property
    def phase_deg(self) -> np.ndarray:
        return np.degrees(np.angle(self.z_ohm))

    @property
    def name(self) -> str:
        return str(self.metadata.get("name", self.metadata.get("source", "spectrum")))

    def with_metadata(self, **kw: Any) -> "ImpedanceSpectrum":
        return replace(self, metadata={**self.metadata, **kw})

    def same_grid(self, other: "ImpedanceSpectrum", rtol: float = 1e-6) -> bool:
        return self.n == other.n and bool(np.allclose(self.frequency_Hz, other.frequency_Hz, rtol=rtol, atol=0.0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "frequency_Hz": self.frequency_Hz.tolist(),
            "z_real_ohm": self.z_real_ohm.tolist(),
            "z_imag_ohm": self.z_imag_ohm.tolist(),
            "notes": list(self.notes),
        }
