"""Equivalent-circuit fit: R0 [+ L] + n x (R‖CPE) [+ diffusion], seeded from DRT peaks, with uncertainties.

Parameters are fitted as log R0, log L, and per arc (log R, log tau, n) with tau = (R Q)^(1/n), so the
DRT peak (tau, R) is a direct seed and n starts at 0.9; diffusion elements are a semi-infinite Warburg
(log sigma) or finite-length diffusion with a transmissive ("Ws") or reflective ("Wo") boundary
(log R_d, log tau_d). scipy.optimize.least_squares (trust-region reflective, bounds 0.3 <= n <= 1) on
the relative residual (Z_model - Z)/|Z|, real and imaginary parts stacked. Standard errors come from
the Jacobian at the optimum, cov = s^2 (J'J)^-1 with s^2 = sum(residual^2)/(2N - p), and are carried to
linear parameters (and to Q) by first-order propagation.

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
from sizno.eis.drt import DRTResult, drt
from sizno.eis.spectrum import ImpedanceSpectrum
from sizno.errors import SiznoInputError

Diffusion = Literal["none", "warburg", "finite_transmissive", "finite_reflective"]


@dataclass(frozen=True)
class CircuitParameter:
    name: str
    value: float
    std: float | None
    unit: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "std": self.std, "unit": self.unit}


@dataclass(frozen=True)
class CircuitFit:
    circuit: str
    parameters: tuple[CircuitParameter, ...]
    z_fit_ohm: np.ndarray
    rms_residual: float
    success: bool
    message: str
    seeded_from: str

    def value(self, name: str) -> float:
        return next(p.value for p in self.parameters if p.name == name)

    def std(self, name: str) -> float | None:
        return next(p.std for p in self.parameters if p.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "circuit": self.circuit,
            "parameters": [p.to_dict() for p in self.parameters],
            "rms_residual": self.rms_residual,
            "success": self.success,
            "message": self.message,
            "seeded_from": self.seeded_from,
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


def fit_circuit(
    spectrum: ImpedanceSpectrum,
    *,
    n_arcs: int | None = None,
    diffusion: Diffusion = "none",
    inductance: bool = False,
    drt_result: DRTResult | None = None,
) -> CircuitFit:
    """Fit R0 [+ L] + n_arcs x (R‖CPE) [+ diffusion]. Seeds: the DRT's R_inf and its n_arcs largest peaks
    (computed here when `drt_result` is not given); n_arcs defaults to the number of DRT peaks (max 5)."""
    if diffusion not in ("none", "warburg", "finite_transmissive", "finite_reflective"):
        raise SiznoInputError("diffusion", f"unknown '{diffusion}'", "none, warburg, finite_transmissive, finite_reflective")
    res = drt_result if drt_result is not None else drt(spectrum)
    peaks = sorted(res.peaks, key=lambda p: -p.resistance_ohm)
    if diffusion != "none":
        # a diffusion tail shows in the DRT as peaks beyond the lowest measured frequency: not arcs
        peaks = [p for p in peaks if p.in_measured_range]
    if n_arcs is None:
        n_arcs = max(1, min(len(peaks), 5))
    if n_arcs < 0 or n_arcs > 8:
        raise SiznoInputError("n_arcs", f"{n_arcs}", "0..8")
    w = spectrum.omega_rad_s
    z = spectrum.z_ohm
    mod = np.abs(z)
    seeds = sorted(peaks[:n_arcs], key=lambda p: p.tau_s)
    # too few DRT peaks: spread the missing arcs over the measured tau range
    extra = n_arcs - len(seeds)
    r_rest = max(res.r_pol_ohm, float(np.ptp(z.real)), 1e-6) / max(n_arcs, 1)
    arc_seeds = [(p.resistance_ohm, p.tau_s) for p in seeds]
    for t in np.logspace(np.log10(1 / w.max()), np.log10(1 / w.min()), extra + 2)[1:-1]:
        arc_seeds.append((r_rest, float(t)))
    arc_seeds.sort(key=lambda a: a[1])

    theta0, lo, hi, names = [], [], [], []
    r0 = max(res.r_inf_ohm, 1e-3 * float(np.min(z.real[z.real > 0])) if np.any(z.real > 0) else 1e-6, 1e-9)
    theta0.append(np.log(r0)); lo.append(-np.inf); hi.append(np.inf); names.append("R0")
    if inductance:
        theta0.append(np.log(max(res.inductance_H, 1e-9))); lo.append(-np.inf); hi.append(np.inf); names.append("L")
    for k, (r, t) in enumerate(arc_seeds, start=1):
        theta0 += [np.log(max(r, 1e-9)), np.log(t), 0.9]
        lo += [-np.inf, -np.inf, 0.3]
        hi += [np.inf, np.inf, 1.0]
        names += [f"R{k}", f"tau{k}", f"n{k}"]
    if diffusion == "warburg":
        sigma0 = max(abs(z.imag[-1]) * np.sqrt(w[-1]) * 0.5, 1e-6)
        theta0.append(np.log(sigma0)); lo.append(-np.inf); hi.append(np.inf); names.append("sigma_W")
    elif diffusion in ("finite_transmissive", "finite_reflective"):
        theta0 += [np.log(max(abs(z.imag[-1]), 1e-6)), np.log(10 / w[-1])]
        lo += [-np.inf, -np.inf]; hi += [np.inf, np.inf]; names += ["R_d", "tau_d"]
    theta0 = np.array(theta0, dtype=float)

    def resid(theta):
        zm = _model(theta, w, n_arcs, diffusion, inductance)
        return np.concatenate([(zm.real - z.real) / mod, (zm.imag - z.imag) / mod])

    sol = least_squares(resid, theta0, bounds=(np.array(lo), np.array(hi)), method="trf", x_scale="jac", max_nfev=4000)
    th = sol.x
    r = sol.fun
    dof = max(r.size - th.size, 1)
    s2 = float(r @ r) / dof
    try:
        cov = s2 * np.linalg.inv(sol.jac.T @ sol.jac)
        std_t = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        cov, std_t = None, np.full(th.size, np.nan)

    params: list[CircuitParameter] = []
    for i, name in enumerate(names):
        if name.startswith("n") and name[1:].isdigit():
            params.append(CircuitParameter(name, float(th[i]), float(std_t[i]), ""))
        else:
            v = float(np.exp(th[i]))
            unit = "ohm" if name.startswith("R") else "s" if name.startswith("tau") else "H" if name == "L" else "ohm s^-1/2"
            params.append(CircuitParameter(name + ("_ohm" if unit == "ohm" else "_s" if unit == "s" else "_H" if unit == "H" else ""), v, float(v * std_t[i]), unit))
    # derived CPE coefficients Q = tau^n / R
    base = 1 + int(inductance)
    for k in range(n_arcs):
        iR, it, i_n = base + 3 * k, base + 3 * k + 1, base + 3 * k + 2
        logq = th[i_n] * th[it] - th[iR]
        q = float(np.exp(logq))
        qstd = None
        if cov is not None:
            g = np.zeros(th.size)
            g[iR], g[it], g[i_n] = -1.0, th[i_n], th[it]
            qstd = float(q * np.sqrt(max(g @ cov @ g, 0.0)))
        params.append(CircuitParameter(f"Q{k + 1}", q, qstd, "F s^(n-1)"))
    zfit = _model(th, w, n_arcs, diffusion, inductance)
    parts = ["R0"] + (["L"] if inductance else []) + [f"(R{k + 1}‖CPE{k + 1})" for k in range(n_arcs)]
    parts += {"none": [], "warburg": ["W"], "finite_transmissive": ["Ws"], "finite_reflective": ["Wo"]}[diffusion]
    return CircuitFit(
        circuit=" + ".join(parts),
        parameters=tuple(params),
        z_fit_ohm=zfit,
        rms_residual=float(np.sqrt(np.mean(r**2))),
        success=bool(sol.success),
        message=str(sol.message),
        seeded_from=f"DRT (lambda {res.lambda_:.3g}, {len(res.peaks)} peaks)",
    )
