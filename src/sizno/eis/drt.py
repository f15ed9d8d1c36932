"""Distribution of relaxation times (DRT) by Tikhonov regularisation with non-negativity, on scipy.

Model:  Z(w) = R_inf + j w L + integral gamma(ln tau) / (1 + j w tau) d ln tau,
with gamma [ohm per unit ln tau] piecewise constant on a logarithmic tau grid. Each bin's kernel
is integrated exactly (real part: -1/2 ln(1 + e^(-2x)), imaginary part: -arctan(e^x), x = ln(w tau)),
so the resistance of a bin is gamma * d ln tau without quadrature error.

Solve:  min || W (A x - Z) ||^2 + lambda || D gamma ||^2,  x = (gamma, R_inf, L) >= 0,
with real and imaginary rows stacked, W = 1/|Z| (proportional-error weighting), D the 0th/1st/2nd
difference operator, x scaled by max|Z| so lambda is dimensionless and comparable across spectra.
Each problem is one `scipy.optimize.nnls` on the augmented matrix [W A; sqrt(lambda) D].

lambda: generalised cross-validation, GCV or modified GCV (mGCV, rho = 1.3 for >= 100 stacked rows,
else 2). Default ("svd"): one generalised eigen-decomposition of (A'A, D'D) (the GSVD of kernel and
penalty, P x P) gives the unconstrained score for every lambda of a fine log grid (8 per decade over
1e-8..1e2) at once; from its minimum a descent along whole decades on the scores of the non-negative
solutions (degrees of freedom tr[(A'A + lambda D'D)^-1 A'A], residual of the NNLS solution) and one
solve at the parabola's vertex find the NNLS minimum: 3-10 NNLS solves in all, same peaks as the
former scan ("scan": the NNLS scores over a window of a 2-per-decade grid, kept for comparison).
The chosen lambda, the lambdas solved and their scores, and whether the minimum sat on the range's
edge are reported. BLAS runs on one thread inside (threadpoolctl): these matrices are too small for
threads to help, and on a loaded machine extra threads made one DRT 10x slower.

With the inductance column on, R_inf is held at or above Re Z where the data cross the real axis
(the inductance could otherwise trade R_inf against the fastest bins); the result says so.

The kernel depends only on the frequency grid and the settings; `DRTKernel` is built once and
reused for every spectrum of a series measured on the same grid.

Modules: `drt_kernel` (settings, kernel), `drt_lambda` (the regularised solve, lambda by (m)GCV),
`drt_peaks` (peaks and their processes); this one runs them on a spectrum and holds the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from sizno.eis.drt_kernel import DRTKernel, DRTSettings
from sizno.eis.drt_lambda import LambdaChoice, _choose_lambda, _choose_lambda_svd, _dof, _nnls_tikhonov
from sizno.eis.drt_peaks import DRTPeak, drt_peaks
from sizno.eis.kk import KKResult, lin_kk
from sizno.eis.spectrum import ImpedanceSpectrum
from sizno.eis.windows import TauWindow, default_windows
from sizno.errors import SiznoInputError

__all__ = ["DRTKernel", "DRTPeak", "DRTResult", "DRTSettings", "drt", "one_blas_thread", "real_axis_crossing"]


@dataclass(frozen=True)
class DRTResult:
    spectrum: ImpedanceSpectrum
    tau_s: np.ndarray
    tau_edges_s: np.ndarray
    gamma_ohm: np.ndarray
    gamma_std_ohm: np.ndarray | None
    r_inf_ohm: float
    inductance_H: float
    lambda_: float
    lambda_method: str
    lambda_grid: np.ndarray
    lambda_score: np.ndarray
    lambda_at_grid_edge: bool
    z_fit_ohm: np.ndarray
    peaks: tuple[DRTPeak, ...]
    kk: KKResult | None
    settings: DRTSettings
    notes: tuple[str, ...] = ()

    @property
    def r_pol_ohm(self) -> float:
        """Polarisation resistance: the area under gamma."""
        return float(np.sum(self.gamma_ohm) * np.log(self.tau_edges_s[1] / self.tau_edges_s[0]))

    @property
    def fit_residual_real(self) -> np.ndarray:
        z = self.spectrum.z_ohm
        return (z.real - self.z_fit_ohm.real) / np.abs(z)

    @property
    def fit_residual_imag(self) -> np.ndarray:
        z = self.spectrum.z_ohm
        return (z.imag - self.z_fit_ohm.imag) / np.abs(z)

    @property
    def fit_rms_residual(self) -> float:
        return float(np.sqrt(np.mean(np.concatenate([self.fit_residual_real, self.fit_residual_imag]) ** 2)))

    def resistance_by_process(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for p in self.peaks:
            out[p.process] = out.get(p.process, 0.0) + p.resistance_ohm
        return out

    def to_dict(self, curves: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.spectrum.name,
            "lambda": self.lambda_,
            "lambda_method": self.lambda_method,
            "lambda_at_grid_edge": self.lambda_at_grid_edge,
            "r_inf_ohm": self.r_inf_ohm,
            "inductance_H": self.inductance_H,
            "r_pol_ohm": self.r_pol_ohm,
            "fit_rms_residual": self.fit_rms_residual,
            "peaks": [p.to_dict() for p in self.peaks],
            "resistance_by_process_ohm": self.resistance_by_process(),
            "kramers_kronig": self.kk.summary() if self.kk is not None else None,
            "notes": list(self.spectrum.notes) + list(self.notes),
            "metadata": {k: v for k, v in self.spectrum.metadata.items() if isinstance(v, (str, int, float, bool))},
        }
        if curves:
            d["tau_s"] = self.tau_s.tolist()
            d["gamma_ohm"] = self.gamma_ohm.tolist()
            if self.gamma_std_ohm is not None:
                d["gamma_std_ohm"] = self.gamma_std_ohm.tolist()
        return d


def _weighted_system(kernel: DRTKernel, spectrum: ImpedanceSpectrum) -> tuple[np.ndarray, np.ndarray, float]:
    z = spectrum.z_ohm
    scale = float(np.max(np.abs(z)))
    if kernel.settings.weighting == "modulus":
        wgt = 1.0 / np.abs(z)
    else:
        wgt = np.full(z.size, 1.0 / scale)
    aw = np.vstack([kernel.a_re * wgt[:, None], kernel.a_im * wgt[:, None]]) * scale
    b = np.concatenate([z.real * wgt, z.imag * wgt])
    return aw, b, scale


def real_axis_crossing(spectrum: ImpedanceSpectrum) -> tuple[float, float] | None:
    """(Re Z [ohm], f [Hz]) where the spectrum passes from inductive (Im Z >= 0) to capacitive (Im Z < 0) in its
    high-frequency half (the last such passage, so noise around the axis does not stop it early), linearly
    interpolated; None when it never does."""
    z = spectrum.z_ohm
    f = spectrum.frequency_Hz
    if z.size < 2:
        return None
    k = np.flatnonzero((z.imag[:-1] >= 0) & (z.imag[1:] < 0))
    k = k[k < z.size // 2]  # high-frequency half: a low-frequency inductive loop is not the series crossing
    if k.size == 0:
        return None
    i = int(k[-1])
    y0, y1 = z.imag[i], z.imag[i + 1]
    t = y0 / (y0 - y1) if y0 != y1 else 0.0
    return float(z.real[i] + t * (z.real[i + 1] - z.real[i])), float(f[i] * (f[i + 1] / f[i]) ** t)


_CONTROLLER = None


def one_blas_thread():
    """Context manager: BLAS limited to one thread. The DRT's matrices (~160 x 100) are far too small for
    threads to help; with two or more BLAS threads on a loaded machine one DRT took 10x longer."""
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()  # after numpy and scipy.linalg are loaded: sees both BLAS
    return _CONTROLLER.limit(limits=1, user_api="blas")


def drt(
    spectrum: ImpedanceSpectrum,
    settings: DRTSettings | None = None,
    *,
    kernel: DRTKernel | None = None,
    windows: Sequence[TauWindow] | None = None,
    tolerance_decades: float = 0.0,
) -> DRTResult:
    """DRT of one spectrum (measured or simulated). Pass `kernel` to reuse one across a series.
    Runs with BLAS limited to one thread (threadpoolctl)."""
    with one_blas_thread():
        return _drt(spectrum, settings, kernel=kernel, windows=windows, tolerance_decades=tolerance_decades)


def _drt(
    spectrum: ImpedanceSpectrum,
    settings: DRTSettings | None = None,
    *,
    kernel: DRTKernel | None = None,
    windows: Sequence[TauWindow] | None = None,
    tolerance_decades: float = 0.0,
) -> DRTResult:
    settings, kernel = _checked(spectrum, settings, kernel)
    notes: list[str] = []
    kk = lin_kk(spectrum) if settings.kk_check else None
    if kk is not None and not kk.valid:
        notes.append("Kramers–Kronig check failed: the DRT of this spectrum may show artefacts. " + kk.verdict())
    aw, b, scale = _weighted_system(kernel, spectrum)
    b, r_floor = _hold_r_inf(spectrum, kernel, aw, b, scale, notes)
    lam, grid, scores, edge, x = _solve(aw, b, kernel.d_full, settings, notes)
    gamma_std, cov = _uncertainty(aw, b, kernel.d_full, x, lam, kernel.n_gamma, scale) if settings.uncertainty else (None, None)
    if r_floor:
        x = x.copy()
        x[kernel.col_rinf] += r_floor / scale
    x_ohm = x * scale
    gamma = x_ohm[: kernel.n_gamma]
    ws = default_windows() if windows is None else tuple(windows)
    return DRTResult(
        spectrum=spectrum,
        tau_s=kernel.tau_s,
        tau_edges_s=kernel.tau_edges_s,
        gamma_ohm=gamma,
        gamma_std_ohm=gamma_std,
        r_inf_ohm=float(x_ohm[kernel.col_rinf]) if kernel.col_rinf is not None else 0.0,
        inductance_H=float(x_ohm[kernel.col_l] / (2 * np.pi * kernel.frequency_Hz.max())) if kernel.col_l is not None else 0.0,
        lambda_=lam,
        lambda_method=settings.method,
        lambda_grid=grid,
        lambda_score=scores,
        lambda_at_grid_edge=bool(edge),
        z_fit_ohm=kernel.model(x_ohm),
        peaks=drt_peaks(kernel, gamma, cov, scale, settings.peak_min_fraction, ws, tolerance_decades),
        kk=kk,
        settings=settings,
        notes=tuple(notes),
    )


def _checked(spectrum: ImpedanceSpectrum, settings: DRTSettings | None,
             kernel: DRTKernel | None) -> tuple[DRTSettings, DRTKernel]:
    """The settings checked, and a kernel for this spectrum's grid (the one given when it fits)."""
    if not isinstance(spectrum, ImpedanceSpectrum):
        raise SiznoInputError("spectrum", f"got {type(spectrum).__name__}", "sizno.eis.ImpedanceSpectrum (use ImpedanceSpectrum.from_arrays)")
    settings = (settings or (kernel.settings if kernel else DRTSettings())).checked()
    if kernel is None or not kernel.matches(spectrum.frequency_Hz) or kernel.settings != settings:
        kernel = DRTKernel(spectrum.frequency_Hz, settings)
    return settings, kernel


def _hold_r_inf(spectrum: ImpedanceSpectrum, kernel: DRTKernel, aw: np.ndarray, b: np.ndarray, scale: float,
                notes: list[str]) -> tuple[np.ndarray, float]:
    """With an inductance column, R_inf held at or above the real-axis crossing: (b with the floor taken out, floor [ohm])."""
    if not (kernel.settings.inductance and kernel.col_rinf is not None):
        return b, 0.0
    cross = real_axis_crossing(spectrum)
    if cross is None or not cross[0] > 0:
        return b, 0.0
    # the inductance column can trade R_inf against the fastest bins; R_inf is held at or above the
    # crossing, where the inductive and the capacitive parts cancel: x_rinf = floor + x', x' >= 0
    r_floor = cross[0]
    notes.append(f"R∞ held at or above the real-axis crossing ({r_floor:.4g} Ω at {cross[1]:.3g} Hz) so the inductance "
                 "cannot absorb it")
    return b - aw[:, kernel.col_rinf] * (r_floor / scale), r_floor


def _solve(aw: np.ndarray, b: np.ndarray, d: np.ndarray, settings: DRTSettings, notes: list[str]) -> LambdaChoice:
    """The regularised solution at the fixed lambda, or at the one (m)GCV chooses."""
    if settings.method == "fixed":
        lam = float(settings.lambda_value)
        return lam, np.array([lam]), np.array([np.nan]), False, _nnls_tikhonov(aw, b, d, lam)
    chooser = _choose_lambda_svd if settings.lambda_search == "svd" else _choose_lambda
    lam, grid, scores, edge, x = chooser(aw, b, d, settings)
    if edge:
        notes.append(f"{settings.method.upper()} minimum at the edge of the lambda grid ({lam:.3g}); widen lambda_min/lambda_max")
    return lam, grid, scores, edge, x


def _uncertainty(aw: np.ndarray, b: np.ndarray, d: np.ndarray, x: np.ndarray, lam: float, n_gamma: int,
                 scale: float) -> tuple[np.ndarray, np.ndarray]:
    """(standard deviation of gamma [ohm], covariance of the scaled solution) on the active set, from the
    residual variance and the regularised normal matrix."""
    q = aw.T @ aw
    active = x > 0
    dof, inv = _dof(q, d.T @ d, lam, active)
    resid = aw @ x - b
    sigma2 = float(resid @ resid) / max(b.size - dof, 1.0)
    std = np.zeros(x.size)
    cov_full = np.zeros((x.size, x.size))
    if inv is not None:
        qs = q[np.ix_(active, active)]
        cov = sigma2 * inv @ qs @ inv
        std[active] = np.sqrt(np.clip(np.diag(cov), 0, None))
        cov_full[np.ix_(active, active)] = cov
    return std[:n_gamma] * scale, cov_full
