"""Peak indexing of a measured powder pattern against the phase library.

Steps, in order:

1. read a two-column file (2θ [deg], intensity), comma / semicolon / whitespace separated,
   ``#`` comments and one optional text header line allowed;
2. background: SNIP peak clipping (Ryan et al., Nucl. Instrum. Methods B 34 (1988) 396) on the
   square root of the counts, clipping window ``background_window_deg``;
3. peaks: Savitzky–Golay smoothing, ``scipy.signal.find_peaks`` with a prominence above
   ``min_snr`` × noise (robust MAD of the residual) and ``min_rel_height`` × the tallest peak;
   position refined by a parabola through the top three points; FWHM from ``peak_widths``;
4. matching: a peak is explained by a reflection of a phase when |2θ_obs − 2θ_ref| ≤ tol, with
   tol = max(``tolerance_deg``, FWHM/2) (a broad hump cannot locate its reflection better than
   its half width). For each phase: *coverage* = intensity-weighted share of the phase's lines
   that should be visible (expected height above the detection limit, scaled from its matched
   peaks) and were found; *explained* = share of the total peak height the phase explains.
   score = coverage × explained^½. Phases with coverage ≥ ``min_coverage`` and at least one peak
   are candidates, ranked by score. A candidate whose matched peaks are all explained by
   higher-ranked candidates is marked "not required"; peaks with candidates from more than one
   phase are listed as ambiguous (e.g. 41.1° = Li13Si4 (321)/(061) = LiZn (220)).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from sizno.errors import SiznoInputError
from sizno.structure.structures import phase_keys, resolve_phase
from sizno.structure.xrd import DEFAULT_WAVELENGTH, Reflection, reflections, wavelength_A

_SPLIT = re.compile(r"[,;\s]+")


def read_pattern(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Two columns (2θ [deg], intensity) from a text/CSV file; sorted by 2θ."""
    p = Path(path)
    if not p.is_file():
        raise SiznoInputError(str(path), "file not found", "an existing two-column text/CSV file")
    try:
        text = p.read_text(errors="strict")
    except UnicodeDecodeError:
        raise SiznoInputError(str(path), "not a text file", "a two-column text/CSV file (2θ, intensity)") from None
    rows: list[tuple[float, float]] = []
    header_seen = False
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [s for s in _SPLIT.split(line) if s]
        try:
            values = [float(s) for s in parts]
        except ValueError:
            if not rows and not header_seen:
                header_seen = True  # one header line is allowed before the data
                continue
            raise SiznoInputError(
                f"{path} line {lineno}", f"text in a numeric column: {raw.strip()[:60]!r}", "two numbers per line"
            ) from None
        if len(values) < 2:
            raise SiznoInputError(f"{path} line {lineno}", "only one column", "two columns: 2θ [deg], intensity")
        rows.append((values[0], values[1]))
    if not rows:
        raise SiznoInputError(str(path), "no data rows", "two columns: 2θ [deg], intensity")
    arr = np.asarray(rows, dtype=float)
    return check_pattern(arr[:, 0], arr[:, 1])


def check_pattern(two_theta_deg: Sequence[float], intensity: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Validate and sort a measured pattern."""
    x = np.asarray(two_theta_deg, dtype=float)
    y = np.asarray(intensity, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise SiznoInputError("pattern", "2θ and intensity differ in length", "two equal-length columns")
    if x.size < 20:
        raise SiznoInputError("pattern", f"only {x.size} points", ">= 20 points")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise SiznoInputError("pattern", "NaN or infinite values", "finite numbers")
    if x.min() <= 0 or x.max() > 180:
        raise SiznoInputError("two_theta_deg", f"values from {x.min():g} to {x.max():g}", "0 < 2θ <= 180 degrees")
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    if np.any(np.diff(x) <= 0):
        keep = np.concatenate([[True], np.diff(x) > 0])
        x, y = x[keep], y[keep]
    return x, y


def snip_background(y: np.ndarray, half_window_points: int) -> np.ndarray:
    """SNIP background: iteratively clip each point to the mean of its neighbours at ±p,
    p = 1 … half_window, on the LLS-like sqrt scale (keeps counting-noise statistics)."""
    v = np.sqrt(np.clip(y - y.min(), 0, None))
    n = v.size
    m = int(max(1, min(half_window_points, (n - 1) // 2)))
    for p in range(1, m + 1):
        mid = 0.5 * (v[: n - 2 * p] + v[2 * p :])
        v[p : n - p] = np.minimum(v[p : n - p], mid)
    return v**2 + y.min()


@dataclass
class Peak:
    two_theta_deg: float
    height: float  # above background
    fwhm_deg: float
    d_spacing_nm: float
    candidates: list[dict] = field(default_factory=list)  # {phase, hkl, two_theta_deg, delta_deg, intensity_rel}

    def to_dict(self) -> dict:
        return {
            "two_theta_deg": self.two_theta_deg,
            "height": self.height,
            "fwhm_deg": self.fwhm_deg,
            "d_spacing_nm": self.d_spacing_nm,
            "candidates": self.candidates,
        }


def find_peaks(
    two_theta_deg: np.ndarray,
    intensity: np.ndarray,
    background_window_deg: float = 6.0,
    min_snr: float = 4.0,
    min_rel_height: float = 0.02,
    wavelength: float | str = DEFAULT_WAVELENGTH,
) -> tuple[list[Peak], np.ndarray, float]:
    """Background-subtracted peaks; returns (peaks, background, noise level)."""
    from scipy.signal import find_peaks as _fp, peak_widths, savgol_filter

    x, y = check_pattern(two_theta_deg, intensity)
    step = float(np.median(np.diff(x)))
    lam = wavelength_A(wavelength)
    bg = snip_background(y, int(round(0.5 * background_window_deg / step)))
    net = y - bg
    win = max(5, int(round(0.12 / step)) | 1)
    win = min(win, (x.size - 1) | 1 if x.size % 2 == 0 else x.size)
    smooth = savgol_filter(net, win, 2) if win > 3 and win < x.size else net
    # local noise σ of the raw counts: rolling median of |first differences| over ~2°
    # (differences remove the slowly varying signal; |Δ| of two N(0, σ²) points has median 0.954 σ)
    from scipy.ndimage import median_filter

    nwin = max(5, int(round(2.0 / step)) | 1)
    dif = np.abs(np.diff(net, prepend=net[0]))
    local_noise = median_filter(dif, size=min(nwin, x.size), mode="nearest") / 0.954 + 1e-12
    noise = float(np.median(local_noise))
    tallest = float(smooth.max()) if smooth.size else 0.0
    idx, props = _fp(smooth, prominence=min_rel_height * tallest, distance=max(1, int(round(0.08 / step))))
    idx = idx[props["prominences"] >= min_snr * local_noise[idx]]
    if idx.size == 0:
        return [], bg, noise
    widths = peak_widths(smooth, idx, rel_height=0.5)[0] * step
    # one peak per line: drop a maximum within half the width of a taller neighbour
    keep = np.ones(idx.size, bool)
    for a in np.argsort(-smooth[idx]):
        if not keep[a]:
            continue
        close = np.abs(x[idx] - x[idx[a]]) < 0.5 * widths[a]
        close[a] = False
        keep &= ~(close & (smooth[idx] < smooth[idx[a]]))
    idx, widths = idx[keep], widths[keep]
    peaks = []
    for i, w in zip(idx, widths):
        x0 = x[i]
        if 0 < i < x.size - 1:
            y0, y1, y2 = smooth[i - 1], smooth[i], smooth[i + 1]
            den = y0 - 2 * y1 + y2
            if den < 0:
                x0 = x[i] + 0.5 * step * (y0 - y2) / den
        d_nm = lam / 10.0 / (2.0 * math.sin(math.radians(x0) / 2.0))
        peaks.append(Peak(float(x0), float(smooth[i]), float(w), float(d_nm)))
    return peaks, bg, noise


@dataclass
class PhaseMatch:
    phase: str
    score: float
    coverage: float
    explained: float
    status: str  # "present", "not required", "unlikely"
    matched: list[dict]  # {peak_two_theta_deg, hkl, ref_two_theta_deg, delta_deg}
    missing_strong_lines: list[dict]

    def to_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class IndexResult:
    peaks: list[Peak]
    phases: list[PhaseMatch]
    ambiguous: list[dict]
    unexplained: list[float]
    background: np.ndarray
    noise: float
    wavelength_A: float
    tolerance_deg: float

    @property
    def present(self) -> list[str]:
        return [p.phase for p in self.phases if p.status == "present"]

    def to_dict(self) -> dict:
        return {
            "wavelength_A": self.wavelength_A,
            "tolerance_deg": self.tolerance_deg,
            "present": self.present,
            "phases": [p.to_dict() for p in self.phases],
            "peaks": [p.to_dict() for p in self.peaks],
            "ambiguous_peaks": self.ambiguous,
            "unexplained_peaks_two_theta_deg": self.unexplained,
        }


def index_pattern(
    two_theta_deg: Sequence[float],
    intensity: Sequence[float],
    wavelength: float | str = DEFAULT_WAVELENGTH,
    tolerance_deg: float = 0.3,
    phases: Sequence[str] | None = None,
    min_coverage: float = 0.5,
    background_window_deg: float = 6.0,
    min_snr: float = 4.0,
    min_rel_height: float = 0.02,
) -> IndexResult:
    """Index a measured pattern: peaks, their candidate (phase, hkl), and a ranked phase list."""
    if not (tolerance_deg > 0 and math.isfinite(tolerance_deg)):
        raise SiznoInputError("tolerance_deg", f"got {tolerance_deg}", "> 0 degrees")
    if not (background_window_deg > 0):
        raise SiznoInputError("background_window_deg", f"got {background_window_deg}", "> 0 degrees")
    lam = wavelength_A(wavelength)
    x, y = check_pattern(two_theta_deg, intensity)
    peaks, bg, noise = find_peaks(x, y, background_window_deg, min_snr, min_rel_height, lam)
    keys = [resolve_phase(p) for p in phases] if phases else phase_keys()
    lo, hi = float(x.min()), float(x.max())
    # (detection limit for "should this line be visible": the median noise, not the local one)
    detect = max(min_snr * noise, min_rel_height * max((p.height for p in peaks), default=0.0))
    refl: dict[str, tuple[Reflection, ...]] = {k: reflections(k, lam, (max(lo, 0.5), min(hi, 179.5))) for k in keys}
    for pk in peaks:
        _add_candidates(pk, keys, refl, tolerance_deg)
    total_height = sum(p.height for p in peaks) or 1.0
    matches = [m for k in keys if (m := _match_phase(k, refl[k], peaks, detect, total_height, min_coverage)) is not None]
    matches.sort(key=lambda m: -m.score)
    _mark_not_required(matches)
    ambiguous, unexplained = _ambiguous_and_unexplained(peaks, matches)
    return IndexResult(peaks, matches, ambiguous, unexplained, bg, noise, lam, tolerance_deg)


def _add_candidates(pk: Peak, keys: list[str], refl: dict[str, tuple[Reflection, ...]], tolerance_deg: float) -> None:
    """Every (phase, hkl) within max(tolerance, FWHM/2) of the peak, likeliest first."""
    tol = max(tolerance_deg, 0.5 * pk.fwhm_deg)
    for k in keys:
        for r in refl[k]:
            delta = pk.two_theta_deg - r.two_theta_deg
            if abs(delta) <= tol and r.intensity_rel >= 1.0:
                pk.candidates.append(
                    {
                        "phase": k,
                        "hkl": r.label,
                        "two_theta_deg": r.two_theta_deg,
                        "delta_deg": delta,
                        "intensity_rel": r.intensity_rel,
                    }
                )
    pk.candidates.sort(key=lambda c: (-c["intensity_rel"] * math.exp(-abs(c["delta_deg"]) / tol)))


def _match_phase(k: str, refl: tuple[Reflection, ...], peaks: list[Peak], detect: float, total_height: float,
                 min_coverage: float) -> PhaseMatch | None:
    """How well phase `k` explains the peaks (coverage, explained share, score); None if none of its lines matched."""
    lines = [r for r in refl if r.intensity_rel >= 1.0]
    if not lines:
        return None
    best: dict[int, tuple[int, dict]] = {}  # reflection index → (peak index, candidate)
    for ip, pk in enumerate(peaks):
        for c in pk.candidates:
            if c["phase"] != k:
                continue
            ir = next(i for i, r in enumerate(lines) if r.label == c["hkl"] and r.two_theta_deg == c["two_theta_deg"])
            if ir not in best or abs(c["delta_deg"]) < abs(best[ir][1]["delta_deg"]):
                best[ir] = (ip, c)
    if not best:
        return None
    # scale: measured height per unit relative intensity, from the matched lines (robust median)
    ratios = [peaks[ip].height / lines[ir].intensity_rel for ir, (ip, _) in best.items()]
    scale = float(np.median(ratios))
    visible = [i for i, r in enumerate(lines) if r.intensity_rel * scale >= detect]
    if not visible:
        visible = list(best)
    w_vis = sum(lines[i].intensity_rel for i in visible)
    w_found = sum(lines[i].intensity_rel for i in visible if i in best)
    coverage = w_found / w_vis if w_vis > 0 else 0.0
    explained_peaks = {ip for ip, _ in best.values()}
    explained = sum(peaks[ip].height for ip in explained_peaks) / total_height
    matched = [
        {
            "peak_two_theta_deg": peaks[ip].two_theta_deg,
            "hkl": lines[ir].label,
            "ref_two_theta_deg": lines[ir].two_theta_deg,
            "delta_deg": c["delta_deg"],
            "intensity_rel": lines[ir].intensity_rel,
        }
        for ir, (ip, c) in sorted(best.items(), key=lambda t: lines[t[0]].two_theta_deg)
    ]
    missing = [
        {"hkl": lines[i].label, "two_theta_deg": lines[i].two_theta_deg, "intensity_rel": lines[i].intensity_rel}
        for i in visible
        if i not in best
    ]
    missing.sort(key=lambda m: -m["intensity_rel"])
    return PhaseMatch(
        phase=k,
        score=coverage * math.sqrt(explained),
        coverage=coverage,
        explained=explained,
        status="present" if coverage >= min_coverage else "unlikely",
        matched=matched,
        missing_strong_lines=missing[:5],
    )


def _mark_not_required(matches: list[PhaseMatch]) -> None:
    """Parsimony: a candidate whose peaks all belong to higher-ranked candidates is not required."""
    claimed: set[float] = set()
    for m in matches:
        if m.status != "present":
            continue
        own = {round(d["peak_two_theta_deg"], 6) for d in m.matched}
        if own and own <= claimed:
            m.status = "not required"
        claimed |= own


def _ambiguous_and_unexplained(peaks: list[Peak], matches: list[PhaseMatch]) -> tuple[list[dict], list[float]]:
    """Peaks with candidates from more than one phase found, and peaks no phase found explains."""
    present = {m.phase for m in matches if m.status in ("present", "not required")}
    ambiguous = []
    for pk in peaks:
        ph = sorted({c["phase"] for c in pk.candidates if c["phase"] in present})
        if len(ph) > 1:
            ambiguous.append(
                {
                    "two_theta_deg": pk.two_theta_deg,
                    "candidates": [f"{c['phase']} {c['hkl']}" for c in pk.candidates if c["phase"] in present],
                }
            )
    explained_any = {
        round(d["peak_two_theta_deg"], 6) for m in matches if m.status in ("present", "not required") for d in m.matched
    }
    unexplained = [pk.two_theta_deg for pk in peaks if round(pk.two_theta_deg, 6) not in explained_any]
    return ambiguous, unexplained


def index_file(path: str | Path, **kwargs) -> IndexResult:
    """``index_pattern`` on a two-column file."""
    x, y = read_pattern(path)
    return index_pattern(x, y, **kwargs)
