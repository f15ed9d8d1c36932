"""Equivalent-circuit fit: R0 [+ L] + n x (R‖CPE) [+ diffusion], seeded from DRT peaks, with uncertainties.

Parameters are fitted as log R0, log L, and per arc (log R, log tau, n) with tau = (R Q)^(1/n), so the
DRT peak (tau, R) is a direct seed and n starts at 0.9; diffusion elements are a semi-infinite Warburg
(log sigma) or finite-length diffusion with a transmissive ("Ws") or reflective ("Wo") boundary
(log R_d, log tau_d). scipy.optimize.least_squares (trust-region reflective, bounds 0.3 <= n <= 1) on
the relative residual (Z_model - Z)/|Z|, real and imaginary parts stacked. Standard errors come from
the Jacobian at the optimum, cov = s^2 (J'J)^-1 with s^2 = sum(residual^2)/(2N - p), and are carried to
linear parameters (and to Q) by first-order propagation.

Physical by construction: every resistance > 0 (log parameters); R0 <= Re Z at the highest frequency (or
at the real-axis crossing when the data are inductive there); every arc's time constant within
`tau_margin_decades` (default 1) of the measured band 1/(2 pi f_max) .. 1/(2 pi f_min); a Warburg element
asked for but not shown by the data (no diffusion tail at the lowest frequencies, or fitted to nothing)
is dropped and the fit says so. A parameter that ends on one of these bounds, or that the data cannot
fix (a direction of the Jacobian with no weight), is reported as not identified with an infinite standard
error, never NaN or 0. The fit starts from the DRT's R_inf and peaks and says which arcs it kept.

impedance.py (MIT) fits the same circuits, but with sizno's numpy 2.4.6 its last release (1.7.1) fails
in `linKK` (NameError: name 'np' is not defined; its issue #296, fixed but unreleased; checked in a
throwaway venv), so sizno does not depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy.optimize import least_squares

from sizno.eis import elements as el
from sizno.eis.drt import DRTResult, drt, one_blas_thread, real_axis_crossing
from sizno.eis.spectrum import ImpedanceSpectrum
from sizno.errors import SiznoInputError

Diffusion = Literal["none", "warburg", "finite_transmissive", "finite_reflective"]


@dataclass(frozen=True)
class CircuitParameter:
    name: str
    value: float
    std: float | None
    unit: str
    identified: bool = True
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = {"name": self.name, "value": self.value, "std": self.std if self.identified else None, "unit": self.unit,
             "identified": self.identified}
        if self.note:
            d["note"] = self.note
        return d


@dataclass(frozen=True)
class CircuitFit:
    circuit: str
    parameters: tuple[CircuitParameter, ...]
    z_fit_ohm: np.ndarray
    rms_residual: float
    success: bool
    message: str
    seeded_from: str
    notes: tuple[str, ...] = ()

    def value(self, name: str) -> float:
        return next(p.value for p in self.parameters if p.name == name)

    def std(self, name: str) -> float | None:
        return next(p.std for p in self.parameters if p.name == name)

    def parameter(self, name: str) -> CircuitParameter:
        return next(p for p in self.parameters if p.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "circuit": self.circuit,
            "parameters": [p.to_dict() for p in self.parameters],
            "rms_residual": self.rms_residual,
            "success": self.success,
            "message": self.message,
            "seeded_from": self.seeded_from,
            "notes": list(self.notes),
        }


def _model(theta: np.ndarray, w: np.ndarray, n_arcs: int, diffusion: str, inductance: bool) -> np.ndarray:
    i = 0
    z = np.full(w.shape, np.exp(theta[i]), dtype=complex)
    i += 1
    if inductance:
        z = z + 1j * w * np.exp(theta[i])
        i += 1
    for _ in range(n_arcs):
        z = z + el.z_zarc(w, np.exp(theta[i]), np.exp(theta[i + 1]), theta[i + 2])
        i += 3
    if diffusion == "warburg":
        z = z + el.z_warburg_semi_infinite(w, np.exp(theta[i]))
    elif diffusion == "finite_transmissive":
        z = z + el.z_finite_length_transmissive(w, np.exp(theta[i]), np.exp(theta[i + 1]))
    elif diffusion == "finite_reflective":
        z = z + el.z_finite_space_reflective(w, np.exp(theta[i]), np.exp(theta[i + 1]))
    return z


def has_diffusion_tail(spectrum: ImpedanceSpectrum) -> bool:
    """True when -Im Z still rises as the frequency falls over the lowest half decade (a diffusion tail);
    False when the spectrum turns back toward the real axis there (an arc closing)."""
    f = spectrum.frequency_Hz
    mi = -spectrum.z_ohm.imag
    low = f <= f[-1] * 10**0.5
    if low.sum() < 3:
        low = np.zeros(f.size, dtype=bool)
        low[-3:] = True
    seg = mi[low]
    scale = float(np.max(np.abs(mi))) or 1.0
    slope = np.polyfit(np.log10(f[low]), seg, 1)[0]  # d(-Im Z)/d log10 f: negative when -Im Z grows as f falls
    return bool(slope < -0.02 * scale and seg[-1] > 0.05 * scale)


def _covariance(jac: np.ndarray, s2: float, free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Covariance of the free parameters from the SVD of their Jacobian columns; parameters that load on a
    direction the data do not fix (singular value < 1e-8 of the largest) are flagged unidentified."""
    p = jac.shape[1]
    cov = np.full((p, p), np.nan)
    ident = np.zeros(p, dtype=bool)
    idx = np.flatnonzero(free)
    if idx.size == 0:
        return cov, ident
    u, sv, vt = np.linalg.svd(jac[:, idx], full_matrices=False)
    good = sv > 1e-8 * sv[0] if sv.size and sv[0] > 0 else np.zeros(sv.size, dtype=bool)
    bad_dirs = vt[~good]
    loads = np.max(np.abs(bad_dirs), axis=0) if bad_dirs.size else np.zeros(idx.size)
    inv = (vt[good].T / sv[good] ** 2) @ vt[good]
    c = s2 * inv
    cov[np.ix_(idx, idx)] = c
    ident[idx] = loads < 0.1
    return cov, ident


def fit_circuit(
    spectrum: ImpedanceSpectrum,
    *,
    n_arcs: int | None = None,
    diffusion: Diffusion = "none",
    inductance: bool = False,
    drt_result: DRTResult | None = None,
    tau_margin_decades: float = 1.0,
) -> CircuitFit:
    """Fit R0 [+ L] + n_arcs x (R‖CPE) [+ diffusion], kept physical (see the module docstring). Seeds: the
    DRT's R_inf and its n_arcs largest peaks inside the allowed time-constant band (computed here when
    `drt_result` is not given); n_arcs defaults to the number of such peaks (max 5)."""
    with one_blas_thread():
        return _fit_circuit(spectrum, n_arcs=n_arcs, diffusion=diffusion, inductance=inductance, drt_result=drt_result,
                            tau_margin_decades=tau_margin_decades)


def _fit_circuit(spectrum, *, n_arcs, diffusion, inductance, drt_result, tau_margin_decades) -> CircuitFit:
    if diffusion not in ("none", "warburg", "finite_transmissive", "finite_reflective"):
        raise SiznoInputError("diffusion", f"unknown '{diffusion}'", "none, warburg, finite_transmissive, finite_reflective")
    if not (0.0 <= tau_margin_decades <= 6.0):
        raise SiznoInputError("tau_margin_decades", f"{tau_margin_decades}", "0..6 decades")
    notes: list[str] = []
    if diffusion == "warburg" and not has_diffusion_tail(spectrum):
        notes.append("Warburg element dropped: the data show no diffusion tail (-Im Z falls toward the real axis over the "
                     "lowest half decade instead of rising)")
        diffusion = "none"
    res = drt_result if drt_result is not None else drt(spectrum)
    w = spectrum.omega_rad_s
    tau_band = (1.0 / w.max() / 10**tau_margin_decades, 1.0 / w.min() * 10**tau_margin_decades)
    n_arcs, arc_seeds = _arc_seeds(spectrum, res, n_arcs, diffusion, tau_band, notes)
    r0_hi, r0_src, cross = _r0_bound(spectrum, inductance)
    start = _start(spectrum, res, arc_seeds, r0_hi, inductance, diffusion, tau_band)
    sol, start, diffusion = _least_squares(spectrum, start, n_arcs, diffusion, inductance, notes)
    th, r = sol.x, sol.fun
    s2 = float(r @ r) / max(r.size - th.size, 1)
    span = start.hi - start.lo
    at_bound = (th - start.lo <= 1e-5 * np.maximum(span, 1.0)) | (start.hi - th <= 1e-5 * np.maximum(span, 1.0))
    at_bound &= np.isfinite(span)
    cov, ident = _covariance(sol.jac, s2, ~at_bound)
    std_t = np.sqrt(np.clip(np.diag(cov), 0, None))
    bound_words = {"R0": f"held at its bound R0 = {r0_src} ({r0_hi:.4g} Ω): no standard error",
                   "tau": f"allowed τ band ({tau_band[0]:.3g}–{tau_band[1]:.3g} s, the measured band ± {tau_margin_decades:g} decade)"}
    params = [_parameter(name, th[i], start.lo[i], start.hi[i], bool(at_bound[i]), bool(ident[i]), std_t[i], bound_words)
              for i, name in enumerate(start.names)]
    params += _cpe_coefficients(th, cov, params, n_arcs, inductance)
    for prm in params:
        if prm.name.startswith("Q"):
            continue
        if not prm.identified:
            notes.append(f"{prm.name} not identified: {prm.note}")
        elif prm.note:
            notes.append(f"{prm.name} {prm.note}")
    z = spectrum.z_ohm
    if cross is not None and not inductance and z.imag[0] > 0:
        notes.append(f"the data are inductive above {cross[1]:.3g} Hz: add a series inductance (--inductance) to fit them")
    parts = ["R0"] + (["L"] if inductance else []) + [f"(R{k + 1}‖CPE{k + 1})" for k in range(n_arcs)]
    parts += {"none": [], "warburg": ["W"], "finite_transmissive": ["Ws"], "finite_reflective": ["Wo"]}[diffusion]
    return CircuitFit(
        circuit=" + ".join(parts),
        parameters=tuple(params),
        z_fit_ohm=_model(th, w, n_arcs, diffusion, inductance),
        rms_residual=float(np.sqrt(np.mean(r**2))),
        success=bool(sol.success),
        message=str(sol.message),
        seeded_from=f"DRT (lambda {res.lambda_:.3g}, {len(res.peaks)} peaks)",
        notes=tuple(notes),
    )


def _arc_seeds(spectrum: ImpedanceSpectrum, res: DRTResult, n_arcs: int | None, diffusion: str,
               tau_band: tuple[float, float], notes: list[str]) -> tuple[int, list[tuple[float, float]]]:
    """(number of arcs, their (R [ohm], tau [s]) seeds by tau): the DRT's largest peaks inside the τ band, then
    arcs spread evenly over the measured band if more are asked for."""
    w, z = spectrum.omega_rad_s, spectrum.z_ohm
    all_peaks = sorted(res.peaks, key=lambda p: -p.resistance_ohm)
    peaks = [p for p in all_peaks if tau_band[0] <= p.tau_s <= tau_band[1]]
    if diffusion != "none":
        # a diffusion tail shows in the DRT as peaks beyond the lowest measured frequency: not arcs
        peaks = [p for p in peaks if p.in_measured_range]
    if n_arcs is None:
        n_arcs = max(1, min(len(peaks), 5))
    if n_arcs < 0 or n_arcs > 8:
        raise SiznoInputError("n_arcs", f"{n_arcs}", "0..8")
    seeds = sorted(peaks[:n_arcs], key=lambda p: p.tau_s)
    outside = [p for p in all_peaks if p not in peaks]
    kept = ", ".join(f"τ {p.tau_s:.3g} s R {p.resistance_ohm:.3g} Ω" for p in seeds) or "none"
    msg = f"started from the DRT (λ {res.lambda_:.3g}): R0 from R∞ {res.r_inf_ohm:.4g} Ω; arcs seeded from {len(seeds)} of its {len(all_peaks)} peak(s): {kept}"
    if outside:
        msg += f"; not used: {len(outside)} peak(s) outside the allowed τ band or taken as diffusion"
    notes.append(msg)
    extra = n_arcs - len(seeds)
    r_rest = max(res.r_pol_ohm, float(np.ptp(z.real)), 1e-6) / max(n_arcs, 1)
    arc_seeds = [(p.resistance_ohm, p.tau_s) for p in seeds]
    for t in np.logspace(np.log10(1 / w.max()), np.log10(1 / w.min()), extra + 2)[1:-1]:
        arc_seeds.append((r_rest, float(t)))
    if extra > 0:
        notes.append(f"{extra} arc(s) beyond the DRT's peaks seeded evenly over the measured τ range")
    arc_seeds.sort(key=lambda a: a[1])
    return n_arcs, arc_seeds


def _r0_bound(spectrum: ImpedanceSpectrum, inductance: bool) -> tuple[float, str, tuple[float, float] | None]:
    """(upper bound of R0 [ohm], where it comes from, the real-axis crossing or None): at most Re Z at the
    highest frequency, or at the real-axis crossing for inductive data."""
    z = spectrum.z_ohm
    r0_hi = float(z.real[0])
    r0_src = "Re Z at the highest frequency"
    cross = real_axis_crossing(spectrum)
    if (r0_hi <= 0 or z.imag[0] > 0) and cross is not None:
        r0_hi = cross[0] if r0_hi <= 0 or inductance else min(r0_hi, cross[0])
        r0_src = "Re Z where the data cross the real axis"
    if r0_hi <= 0:
        pos = z.real[z.real > 0]
        r0_hi = float(np.min(pos)) if pos.size else float(np.max(np.abs(z)))
        r0_src = "the smallest positive Re Z"
    return r0_hi, r0_src, cross


@dataclass
class _Start:
    """The fitted (log) parameters' names, start values and bounds."""

    names: list[str]
    theta0: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    def without(self, name: str) -> "_Start":
        keep = [i for i, nm in enumerate(self.names) if nm != name]
        return _Start([self.names[i] for i in keep], self.theta0[keep], self.lo[keep], self.hi[keep])


def _start(spectrum: ImpedanceSpectrum, res: DRTResult, arc_seeds: list[tuple[float, float]], r0_hi: float,
           inductance: bool, diffusion: str, tau_band: tuple[float, float]) -> _Start:
    """Start values (from the DRT) and bounds (kept physical) of R0 [, L], each arc's (R, tau, n) [, diffusion]."""
    w, z = spectrum.omega_rad_s, spectrum.z_ohm
    zmax = float(np.max(np.abs(z)))
    tau_lo, tau_hi = tau_band
    r0_lo = 1e-6 * r0_hi
    r_lo, r_hi = 1e-9 * zmax, 1e3 * zmax
    theta0, lo, hi, names = [], [], [], []

    def add(name, val, a, b):
        names.append(name)
        lo.append(a)
        hi.append(b)
        theta0.append(float(np.clip(val, a + 1e-9 * (b - a), b - 1e-9 * (b - a))))

    add("R0", np.log(max(res.r_inf_ohm, 0.5 * r0_hi)), np.log(r0_lo), np.log(r0_hi))
    if inductance:
        l0 = max(res.inductance_H, 1e-3 * zmax / w.max())
        add("L", np.log(l0), np.log(1e-6 * zmax / w.max() + 1e-18), np.log(1e3 * zmax / w.max()))
    for k, (r, t) in enumerate(arc_seeds, start=1):
        add(f"R{k}", np.log(max(r, r_lo * 10)), np.log(r_lo), np.log(r_hi))
        add(f"tau{k}", np.log(t), np.log(tau_lo), np.log(tau_hi))
        add(f"n{k}", 0.9, 0.3, 1.0)
    if diffusion == "warburg":
        sigma0 = max(abs(z.imag[-1]) * np.sqrt(w[-1]) * 0.5, 1e-6 * zmax)
        add("sigma_W", np.log(sigma0), np.log(1e-6 * zmax * np.sqrt(w.min())), np.log(1e3 * zmax * np.sqrt(w.max())))
    elif diffusion in ("finite_transmissive", "finite_reflective"):
        add("R_d", np.log(max(abs(z.imag[-1]), 1e-6 * zmax)), np.log(r_lo), np.log(r_hi))
        add("tau_d", np.log(min(max(10 / w[-1], tau_lo * 1.01), tau_hi * 0.99)), np.log(tau_lo), np.log(tau_hi))
    return _Start(names, np.array(theta0, dtype=float), np.array(lo), np.array(hi))


def _least_squares(spectrum: ImpedanceSpectrum, start: _Start, n_arcs: int, diffusion: str, inductance: bool,
                   notes: list[str]):
    """The bounded fit on the relative residual; a Warburg element that fits to nothing is dropped and the
    circuit refitted without it. Returns (scipy's result, the parameters fitted, the diffusion kept)."""
    w, z = spectrum.omega_rad_s, spectrum.z_ohm
    mod = np.abs(z)

    def resid(theta, diff=diffusion):
        zm = _model(theta, w, n_arcs, diff, inductance)
        return np.concatenate([(zm.real - z.real) / mod, (zm.imag - z.imag) / mod])

    sol = least_squares(resid, start.theta0, bounds=(start.lo, start.hi), method="trf", x_scale="jac", max_nfev=4000)
    if diffusion != "warburg":
        return sol, start, diffusion
    iw = start.names.index("sigma_W")
    zw = el.z_warburg_semi_infinite(w[-1:], np.exp(sol.x[iw]))
    if abs(zw[0]) < 0.01 * mod[-1] or sol.x[iw] <= start.lo[iw] + 1e-6:
        notes.append(f"Warburg element dropped: fitted to {np.exp(sol.x[iw]):.3g} Ω s^-1/2, under 1 % of |Z| at the lowest "
                     "frequency (no diffusion the data can show); refitted without it")
        keep = [i for i, nm in enumerate(start.names) if nm != "sigma_W"]
        start = start.without("sigma_W")
        sol = least_squares(lambda th_: resid(th_, "none"), sol.x[keep], bounds=(start.lo, start.hi), method="trf",
                            x_scale="jac", max_nfev=4000)
        diffusion = "none"
    return sol, start, diffusion


_UNIT_OF = {"R": ("ohm", "_ohm"), "tau": ("s", "_s"), "L": ("H", "_H"), "sigma_W": ("ohm s^-1/2", ""), "R_d": ("ohm", "_ohm"),
            "tau_d": ("s", "_s")}


def _parameter(name: str, th: float, lo: float, hi: float, at_bound: bool, ident: bool, std_t: float,
               bound_words: dict[str, str]) -> CircuitParameter:
    """One fitted parameter in linear units, with its standard error, or why it is not identified."""
    is_n = name.startswith("n") and name[1:].isdigit()
    why, held = _identification(name, is_n, th, lo, hi, at_bound, ident, std_t, bound_words)
    ok = not why
    std_v = None if held else float("inf")
    if is_n:
        return CircuitParameter(name, float(th), float(std_t) if ok and not held else std_v, "", ok, why or held)
    v = float(np.exp(th))
    key = "R" if (name.startswith("R") and name not in ("R_d",)) else "tau" if name.startswith("tau") and name != "tau_d" else name
    unit, suffix = _UNIT_OF.get(key, ("", ""))
    return CircuitParameter(name + suffix, v, float(v * std_t) if ok and not held else std_v, unit, ok, why or held)


def _identification(name: str, is_n: bool, th: float, lo: float, hi: float, at_bound: bool, ident: bool,
                    std_t: float, bound_words: dict[str, str]) -> tuple[str, str]:
    """(why the data do not fix the parameter, or ""; why it is held at a bound, or "")."""
    if at_bound:
        side = "lower" if th - lo <= hi - th else "upper"
        if is_n and side == "upper":
            return "", "at n = 1 (an ideal capacitor), the bound: held there, no standard error"
        if name == "R0" and side == "upper":
            return "", bound_words["R0"]
        if name == "R0":
            return "at its lower bound: the data never reach the real axis at high frequency, so R0 cannot be told from the first arc", ""
        if name.startswith("tau"):
            return f"at the {side} bound of the {bound_words['tau']}", ""
        return f"at its {side} bound", ""
    if not ident or not np.isfinite(std_t):
        return "the data do not fix it (no weight in the Jacobian)", ""
    if not is_n and std_t > np.log(10.0):
        ratio = np.expm1(std_t) if std_t < 700 else np.inf
        return (f"its standard error is {ratio:.3g}x its value" if np.isfinite(ratio) and ratio < 1e12
                else "its standard error exceeds its value by many orders of magnitude") + ": the data do not fix it", ""
    if is_n and std_t > 0.5:
        return f"its standard error ({std_t:.2g}) spans the whole 0.3–1 range: the data do not fix it", ""
    return "", ""


def _cpe_coefficients(th: np.ndarray, cov: np.ndarray, params: list[CircuitParameter], n_arcs: int,
                      inductance: bool) -> list[CircuitParameter]:
    """Each arc's CPE coefficient Q = tau^n / R, its standard error by first-order propagation."""
    out = []
    base = 1 + int(inductance)
    for k in range(n_arcs):
        iR, it, i_n = base + 3 * k, base + 3 * k + 1, base + 3 * k + 2
        logq = th[i_n] * th[it] - th[iR]
        q = float(np.exp(logq))
        ok = all(params[j].identified for j in (iR, it, i_n))
        qstd = float("inf")
        if ok:  # a parameter held at its bound counts as exact
            g = np.zeros(th.size)
            g[iR], g[it], g[i_n] = -1.0, th[i_n], th[it]
            qstd = float(q * np.sqrt(max(g @ np.nan_to_num(cov) @ g, 0.0)))
        out.append(CircuitParameter(f"Q{k + 1}", q, qstd, "F s^(n-1)", ok, "" if ok else "from a parameter that is not identified"))
    return out
