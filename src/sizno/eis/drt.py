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
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Literal, Sequence

import numpy as np
from scipy.linalg import LinAlgError, cholesky, eigh, solve_triangular
from scipy.optimize import nnls

from sizno.eis.kk import KKResult, lin_kk
from sizno.eis.spectrum import ImpedanceSpectrum
from sizno.eis.windows import TauWindow, assign_process, default_windows
from sizno.errors import SiznoInputError


@dataclass(frozen=True)
class DRTSettings:
    """How a DRT is computed. Defaults: 10 bins/decade, tau range one decade beyond 1/(2 pi f) each side,
    2nd-difference penalty, mGCV over lambda in [1e-8, 1e2] (GSVD for the unconstrained scores, then an NNLS
    descent in `nnls_step_decades` steps; `lambda_points` sets the grid of the "scan" search), R_inf and L columns, 1/|Z| weights,
    Lin-KK check first, peaks kept when their resistance is >= 1 % of the polarisation resistance."""

    points_per_decade: int = 10
    extend_decades: float = 1.0
    tau_min_s: float | None = None
    tau_max_s: float | None = None
    order: int = 2
    method: Literal["mgcv", "gcv", "fixed"] = "mgcv"
    lambda_value: float | None = None
    lambda_min: float = 1e-8
    lambda_max: float = 1e2
    lambda_points: int = 21
    rho: float | None = None
    gcv_solution: Literal["nnls", "ridge"] = "nnls"
    lambda_search: Literal["svd", "scan"] = "svd"
    nnls_step_decades: float = 1.0
    zero_boundary: bool = True
    series_resistance: bool = True
    inductance: bool = True
    weighting: Literal["modulus", "unit"] = "modulus"
    kk_check: bool = True
    peak_min_fraction: float = 0.01
    uncertainty: bool = True

    def checked(self) -> "DRTSettings":
        if self.order not in (0, 1, 2):
            raise SiznoInputError("order", f"{self.order}", "0, 1 or 2")
        if self.method not in ("mgcv", "gcv", "fixed"):
            raise SiznoInputError("method", f"unknown '{self.method}'", "mgcv, gcv, fixed")
        if self.method == "fixed" and not (self.lambda_value and self.lambda_value > 0):
            raise SiznoInputError("lambda", "method 'fixed' needs a lambda value > 0", "> 0")
        if not (2 <= self.points_per_decade <= 40):
            raise SiznoInputError("points_per_decade", f"{self.points_per_decade}", "2..40")
        if not (0 < self.lambda_min < self.lambda_max) or self.lambda_points < 3:
            raise SiznoInputError("lambda grid", f"[{self.lambda_min}, {self.lambda_max}] x {self.lambda_points}", "0 < min < max, >= 3 points")
        if self.lambda_search not in ("svd", "scan"):
            raise SiznoInputError("lambda_search", f"unknown '{self.lambda_search}'", "svd, scan")
        if self.weighting not in ("modulus", "unit"):
            raise SiznoInputError("weighting", f"unknown '{self.weighting}'", "modulus, unit")
        return self


# --------------------------------------------------------------------------- kernel
def _f_re(x: np.ndarray) -> np.ndarray:
    """Antiderivative of 1/(1+e^(2x)) dx."""
    return -0.5 * np.logaddexp(0.0, -2.0 * x)


def _f_im(x: np.ndarray) -> np.ndarray:
    """Antiderivative of -e^x/(1+e^(2x)) dx."""
    return -np.arctan(np.exp(np.clip(x, -700, 700)))


def _difference_matrix(m: int, order: int, zero_boundary: bool) -> np.ndarray:
    """order-th differences of gamma; with `zero_boundary`, gamma is taken as 0 beyond the grid, so a
    spike in an edge bin (which trades off against R_inf or a tail) costs as much as one inside."""
    if order == 0:
        return np.eye(m)
    e = np.eye(m)
    if zero_boundary:
        e = np.vstack([np.zeros((order, m)), e, np.zeros((order, m))])
    return np.diff(e, n=order, axis=0)


@dataclass
class DRTKernel:
    """Everything that depends only on the frequency grid and the settings."""

    frequency_Hz: np.ndarray
    settings: DRTSettings
    tau_edges_s: np.ndarray = field(init=False)
    tau_s: np.ndarray = field(init=False)
    dlntau: float = field(init=False)
    a_re: np.ndarray = field(init=False)  # (n, P): gamma bins, [R_inf], [L * w_max]
    a_im: np.ndarray = field(init=False)
    d_full: np.ndarray = field(init=False)  # (rows, P), zero for R_inf/L columns
    n_gamma: int = field(init=False)
    col_rinf: int | None = field(init=False)
    col_l: int | None = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings.checked()
        f = np.asarray(self.frequency_Hz, dtype=float)
        self.frequency_Hz = f
        w = 2 * np.pi * f
        lo = s.tau_min_s or 1.0 / w.max() / 10**s.extend_decades
        hi = s.tau_max_s or 1.0 / w.min() * 10**s.extend_decades
        if not (0 < lo < hi):
            raise SiznoInputError("tau range", f"[{lo}, {hi}] s", "0 < tau_min < tau_max")
        n_bins = max(int(np.ceil(np.log10(hi / lo) * s.points_per_decade)), 5)
        edges = np.exp(np.linspace(np.log(lo), np.log(hi), n_bins + 1))
        self.tau_edges_s = edges
        self.tau_s = np.sqrt(edges[1:] * edges[:-1])
        self.dlntau = float(np.log(edges[1] / edges[0]))
        x = np.log(w)[:, None] + np.log(edges)[None, :]
        gre = np.diff(_f_re(x), axis=1)
        gim = np.diff(_f_im(x), axis=1)
        cols_re, cols_im = [gre], [gim]
        self.n_gamma = n_bins
        p = n_bins
        self.col_rinf = self.col_l = None
        if s.series_resistance:
            cols_re.append(np.ones((f.size, 1)))
            cols_im.append(np.zeros((f.size, 1)))
            self.col_rinf = p
            p += 1
        if s.inductance:
            cols_re.append(np.zeros((f.size, 1)))
            cols_im.append((w / w.max())[:, None])  # coefficient = L * w_max [ohm]
            self.col_l = p
            p += 1
        self.a_re = np.hstack(cols_re)
        self.a_im = np.hstack(cols_im)
        d = _difference_matrix(n_bins, s.order, s.zero_boundary)
        self.d_full = np.hstack([d, np.zeros((d.shape[0], p - n_bins))])

    @property
    def n_columns(self) -> int:
        return self.a_re.shape[1]

    def matches(self, frequency_Hz: np.ndarray) -> bool:
        f = np.asarray(frequency_Hz)
        return f.shape == self.frequency_Hz.shape and bool(np.allclose(f, self.frequency_Hz, rtol=1e-9, atol=0))

    def model(self, x_ohm: np.ndarray) -> np.ndarray:
        """Impedance [ohm] of a solution vector in physical units (gamma [ohm], R_inf [ohm], L*w_max [ohm])."""
        return self.a_re @ x_ohm + 1j * (self.a_im @ x_ohm)


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class DRTPeak:
    tau_s: float
    resistance_ohm: float
    gamma_peak_ohm: float
    process: str
    tau_lo_s: float
    tau_hi_s: float
    resistance_std_ohm: float | None = None
    in_measured_range: bool = True

    @property
    def frequency_Hz(self) -> float:
        return 1.0 / (2 * np.pi * self.tau_s)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tau_s": self.tau_s,
            "resistance_ohm": self.resistance_ohm,
            "process": self.process,
            "frequency_Hz": self.frequency_Hz,
            "gamma_peak_ohm": self.gamma_peak_ohm,
            "tau_range_s": [self.tau_lo_s, self.tau_hi_s],
            "resistance_std_ohm": self.resistance_std_ohm,
            "in_measured_range": self.in_measured_range,
        }


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


# --------------------------------------------------------------------------- solver
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


def _nnls_tikhonov(aw: np.ndarray, b: np.ndarray, d: np.ndarray, lam: float, q=None, r=None, atb=None) -> np.ndarray:
    """Non-negative Tikhonov solution. Solved in the compressed form min ||C x - g||, C'C = A'A + lam D'D,
    C'g = A'b (a square P x P NNLS, ~2x faster than the stacked one); the stacked form
    [A; sqrt(lam) D] is the fallback when the Cholesky factorisation fails."""
    if q is not None:
        m = q + lam * r
        try:
            c = cholesky(m, lower=False, check_finite=False)
            g = solve_triangular(c, atb, trans="T", check_finite=False)
            x, _ = nnls(c, g, maxiter=50 * c.shape[1])
            return x
        except (LinAlgError, RuntimeError):
            pass
    a_aug = np.vstack([aw, np.sqrt(lam) * d])
    b_aug = np.concatenate([b, np.zeros(d.shape[0])])
    x, _ = nnls(a_aug, b_aug, maxiter=50 * a_aug.shape[1])
    return x


def _dof(q: np.ndarray, r: np.ndarray, lam: float, active: np.ndarray) -> tuple[float, np.ndarray | None]:
    """Effective degrees of freedom tr(H) on the active set, and (Q_S + lam R_S)^-1."""
    idx = np.flatnonzero(active)
    if idx.size == 0:
        return 0.0, None
    qs = q[np.ix_(idx, idx)]
    ms = qs + lam * r[np.ix_(idx, idx)]
    try:
        inv = np.linalg.inv(ms)
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(ms)
    return float(np.trace(inv @ qs)), inv


def _scores(rss: np.ndarray, dof: np.ndarray, n: int, method: str, rho: float) -> np.ndarray:
    r = rho if method == "mgcv" else 1.0
    denom = (1.0 - r * np.asarray(dof) / n) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (np.asarray(rss) / n) / denom
    return np.where((r * np.asarray(dof) >= n) | (denom <= 1e-12), np.inf, out)


def _choose_lambda(aw, b, d, settings: DRTSettings):
    """Global grid search of (m)GCV. Degrees of freedom tr[(Q + lam R)^-1 Q] for every lambda at once from
    one generalised eigen-decomposition Q v = nu R v (R made definite on the unpenalised R_inf/L columns
    by a tiny ridge, which gives them one degree of freedom each, as it should); the residual is that of
    the non-negative solution ("nnls", default) or of the unconstrained one ("ridge", fully vectorised)."""
    n = b.size
    rho = settings.rho if settings.rho is not None else (1.3 if n >= 100 else 2.0)
    q = aw.T @ aw
    r = d.T @ d
    atb = aw.T @ b
    grid = np.logspace(np.log10(settings.lambda_min), np.log10(settings.lambda_max), settings.lambda_points)
    free = np.diag(r) == 0
    r_eps = r.copy()
    r_eps[free, free] = 1e-9 * max(float(np.max(np.diag(q))), 1e-300)
    nu, v = eigh(q, r_eps, check_finite=False)
    nu = np.clip(nu, 0.0, None)

    def dof_of(lams):
        lams = np.atleast_1d(lams)
        return np.sum(nu[:, None] / (nu[:, None] + lams[None, :]), axis=0)

    def rss_of(lams):
        lams = np.atleast_1d(lams)
        if settings.gcv_solution == "ridge":
            coef = (v.T @ atb)[:, None] / (nu[:, None] + lams[None, :])
            fitted = (aw @ v) @ coef
            return np.sum((fitted - b[:, None]) ** 2, axis=0), None
        xs = [_nnls_tikhonov(aw, b, d, lam, q, r, atb) for lam in lams]
        return np.array([np.sum((aw @ x - b) ** 2) for x in xs]), xs

    if settings.gcv_solution == "ridge":
        rss, xs = rss_of(grid)
        scores = _scores(rss, dof_of(grid), n, settings.method, rho)
    else:
        # NNLS scores on a window of the global grid: the unconstrained (ridge) scores, vectorised over
        # the whole grid, place it (the NNLS minimum lies 0-2 decades below the ridge one on synthetic
        # spectra); the window grows while its minimum sits on its border.
        coef = (v.T @ atb)[:, None] / (nu[:, None] + grid[None, :])
        rss_r = np.sum(((aw @ v) @ coef - b[:, None]) ** 2, axis=0)
        i_r = int(np.argmin(_scores(rss_r, dof_of(grid), n, settings.method, rho)))
        scores = np.full(grid.size, np.nan)
        xs = [None] * grid.size
        lo_i, hi_i = max(i_r - 6, 0), min(i_r + 3, grid.size - 1)

        def fill(a, b_):
            idx = [k for k in range(a, b_ + 1) if np.isnan(scores[k])]
            if idx:
                rr, xx = rss_of(grid[idx])
                scores[idx] = _scores(rr, dof_of(grid[idx]), n, settings.method, rho)
                for k, xk in zip(idx, xx):
                    xs[k] = xk

        fill(lo_i, hi_i)
        while True:
            j = int(np.nanargmin(scores))
            if j == lo_i and lo_i > 0:
                lo_i = max(lo_i - 3, 0)
                fill(lo_i, hi_i)
            elif j == hi_i and hi_i < grid.size - 1:
                hi_i = min(hi_i + 3, grid.size - 1)
                fill(lo_i, hi_i)
            else:
                break
    i = int(np.nanargmin(scores))
    edge = i == 0 or i == grid.size - 1
    lam = float(grid[i])
    x = xs[i] if xs is not None else None
    best = scores[i]
    if not edge and np.isfinite(scores[i - 1]) and np.isfinite(scores[i + 1]):
        # refine: the two geometric midpoints beside the minimum, then a parabola in log lambda
        mids = np.sqrt(grid[[i - 1, i]] * grid[[i, i + 1]])
        rss_m, xs_m = rss_of(mids)
        s_m = _scores(rss_m, dof_of(mids), n, settings.method, rho)
        lx = np.log10(np.array([mids[0], lam, mids[1]]))
        ly = np.log(np.array([s_m[0], best, s_m[1]]))
        j = int(np.argmin(ly))
        if j != 1:
            lam, best = float(mids[j // 2]), float(s_m[j // 2])
            x = xs_m[j // 2] if xs_m is not None else None
        elif np.all(np.isfinite(ly)):
            c2 = ((ly[2] - ly[1]) / (lx[2] - lx[1]) - (ly[1] - ly[0]) / (lx[1] - lx[0])) / (lx[2] - lx[0])
            if c2 > 0:
                c1 = (ly[1] - ly[0]) / (lx[1] - lx[0]) - c2 * (lx[0] + lx[1])
                lvert = -c1 / (2 * c2)
                if lx[0] < lvert < lx[2]:
                    lam_ref = 10**lvert
                    rss_ref, xs_ref = rss_of(lam_ref)
                    s_ref = _scores(rss_ref, dof_of(lam_ref), n, settings.method, rho)[0]
                    if s_ref <= best:
                        lam, best = float(lam_ref), s_ref
                        x = xs_ref[0] if xs_ref is not None else None
        grid = np.concatenate([grid, mids])
        scores = np.concatenate([scores, s_m])
        order = np.argsort(grid)
        grid, scores = grid[order], scores[order]
    if x is None:
        x = _nnls_tikhonov(aw, b, d, lam, q, r, atb)
    return lam, grid, scores, edge, x


def _choose_lambda_svd(aw, b, d, settings: DRTSettings):
    """(m)GCV for every lambda at once from one generalised eigen-decomposition (the GSVD of the kernel and
    the penalty, P x P), for the unconstrained problem; then two NNLS solves: at that minimum and
    `nnls_decades_below` decades under it (the non-negative solution's minimum lies 0-2 decades below the
    unconstrained one) and onwards, a decade at a time, while the score of the NNLS solution falls; then one
    solve at the parabola's vertex. Typically 3-5 NNLS solves in all.

    Returns (lambda, the lambdas solved, their NNLS scores, minimum on the range's edge, solution)."""
    n = b.size
    rho = settings.rho if settings.rho is not None else (1.3 if n >= 100 else 2.0)
    q = aw.T @ aw
    r = d.T @ d
    atb = aw.T @ b
    free = np.diag(r) == 0
    r_eps = r.copy()
    r_eps[free, free] = 1e-9 * max(float(np.max(np.diag(q))), 1e-300)
    nu, v = eigh(q, r_eps, check_finite=False)
    nu = np.clip(nu, 0.0, None)
    decades = np.log10(settings.lambda_max / settings.lambda_min)
    grid = np.logspace(np.log10(settings.lambda_min), np.log10(settings.lambda_max), int(round(8 * decades)) + 1)
    beta = v.T @ atb
    av = aw @ v
    # ridge residual for all lambda: || av (beta / (nu + lam)) - b ||^2, expanded so no (2n x G) array is formed
    g = av.T @ av
    filt = beta[:, None] / (nu[:, None] + grid[None, :])
    rss = np.sum(filt * (g @ filt), axis=0) - 2.0 * (av.T @ b) @ filt + float(b @ b)
    rss = np.maximum(rss, 0.0)
    dof = np.sum(nu[:, None] / (nu[:, None] + grid[None, :]), axis=0)
    scores = _scores(rss, dof, n, settings.method, rho)
    i = int(np.argmin(scores))
    edge = i == 0 or i == grid.size - 1
    cand = [float(grid[i])]
    if settings.gcv_solution == "ridge":
        lam = cand[0]
        return lam, grid, scores, edge, _nnls_tikhonov(aw, b, d, lam, q, r, atb)
    lo_l, hi_l = np.log10(settings.lambda_min), np.log10(settings.lambda_max)
    step = max(settings.nnls_step_decades, 0.1)
    solved: dict[float, tuple[float, np.ndarray]] = {}

    def score_at(ll: float) -> float:
        ll = float(min(max(ll, lo_l), hi_l))
        key = round(ll, 9)
        if key not in solved:
            lam = 10**ll
            x = _nnls_tikhonov(aw, b, d, lam, q, r, atb)
            res = aw @ x - b
            sc = float(_scores(np.array([res @ res]), np.sum(nu / (nu + lam))[None], n, settings.method, rho)[0])
            solved[key] = (sc, x)
        return solved[key][0]

    # descend on the NNLS scores along a lattice of `step` decades from the unconstrained minimum: usually
    # 2-4 solves (the NNLS minimum lies near or a decade or two from the unconstrained one)
    cur = float(np.log10(grid[i]))
    s_cur = score_at(cur)
    direction = 0
    for dirn in (-1, 1):
        nxt = min(max(cur + dirn * step, lo_l), hi_l)
        if nxt != cur and score_at(nxt) < s_cur:
            direction = dirn
            break
    while direction:
        nxt = min(max(cur + direction * step, lo_l), hi_l)
        if nxt == cur:
            break
        s_n = score_at(nxt)
        if s_n >= s_cur:
            break
        cur, s_cur = nxt, s_n
    edge = cur <= lo_l + 1e-9 or cur >= hi_l - 1e-9
    # one more solve at the vertex of the parabola through the minimum and its two neighbours (log lambda)
    left, right = round(max(cur - step, lo_l), 9), round(min(cur + step, hi_l), 9)
    if not edge and left in solved and right in solved:
        ys = np.log([solved[left][0], s_cur, solved[right][0]])
        c2 = ys[0] - 2 * ys[1] + ys[2]
        if np.all(np.isfinite(ys)) and c2 > 0:
            off = 0.5 * (ys[0] - ys[2]) / c2 * step
            if abs(off) < step:
                if score_at(cur + off) < s_cur:
                    cur = cur + off
                    s_cur = solved[round(cur, 9)][0]
    key = round(min(max(cur, lo_l), hi_l), 9)
    lam_grid = np.array(sorted(10**k for k in solved))
    lam_score = np.array([solved[round(np.log10(l), 9)][0] if round(np.log10(l), 9) in solved else np.nan for l in lam_grid])
    return float(10**key), lam_grid, lam_score, bool(edge), solved[key][1]


def _find_peaks(gamma: np.ndarray, dlntau: float, min_fraction: float) -> list[tuple[int, int, int]]:
    """(index of maximum, start, stop) of each peak; regions split at the minima between maxima.
    Peaks below `min_fraction` of the total area merge into the neighbour across the shallower valley."""
    m = gamma.size
    total = float(np.sum(gamma)) * dlntau
    if total <= 0:
        return []
    thresh = 1e-3 * float(np.max(gamma))
    g = np.concatenate([[-np.inf], gamma, [-np.inf]])
    maxima = []
    j = 1
    while j <= m:
        if g[j] > thresh and g[j] > g[j - 1]:
            k = j
            while k + 1 <= m and g[k + 1] == g[j]:
                k += 1  # plateau
            if g[k + 1] < g[j]:
                maxima.append((j + k) // 2 - 1)
            j = k + 1
        else:
            j += 1
    if not maxima:
        return []
    bounds = [0]
    for a, c in zip(maxima, maxima[1:]):
        bounds.append(a + int(np.argmin(gamma[a : c + 1])))
    bounds.append(m)
    regions = [[mx, bounds[i], bounds[i + 1]] for i, mx in enumerate(maxima)]

    def area(rg):
        return float(np.sum(gamma[rg[1] : rg[2]])) * dlntau

    while len(regions) > 1:
        areas = [area(rg) for rg in regions]
        i = int(np.argmin(areas))
        if areas[i] >= min_fraction * total:
            break
        # neighbour across the higher (shallower) valley
        left_valley = gamma[regions[i][1]] if i > 0 else -np.inf
        right_valley = gamma[regions[i][2]] if i < len(regions) - 1 else -np.inf
        j = i - 1 if left_valley >= right_valley else i + 1
        a, b = sorted((i, j))
        keep = regions[a] if gamma[regions[a][0]] >= gamma[regions[b][0]] else regions[b]
        regions[a : b + 1] = [[keep[0], regions[a][1], regions[b][2]]]
    if len(regions) == 1 and area(regions[0]) < min_fraction * total:
        return []
    return [tuple(rg) for rg in regions]


def _peak_tau(tau: np.ndarray, gamma: np.ndarray, i: int) -> float:
    if 0 < i < gamma.size - 1 and np.all(gamma[i - 1 : i + 2] > 0):
        y = np.log(gamma[i - 1 : i + 2])
        den = y[0] - 2 * y[1] + y[2]
        if den < 0:
            off = 0.5 * (y[0] - y[2]) / den
            if abs(off) <= 1:
                return float(tau[i] * (tau[i + 1] / tau[i]) ** off)
    return float(tau[i])


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
    if not isinstance(spectrum, ImpedanceSpectrum):
        raise SiznoInputError("spectrum", f"got {type(spectrum).__name__}", "sizno.eis.ImpedanceSpectrum (use ImpedanceSpectrum.from_arrays)")
    settings = (settings or (kernel.settings if kernel else DRTSettings())).checked()
    notes: list[str] = []
    if kernel is None or not kernel.matches(spectrum.frequency_Hz) or kernel.settings != settings:
        kernel = DRTKernel(spectrum.frequency_Hz, settings)
    kk = lin_kk(spectrum) if settings.kk_check else None
    if kk is not None and not kk.valid:
        notes.append("Kramers–Kronig check failed: the DRT of this spectrum may show artefacts. " + kk.verdict())
    aw, b, scale = _weighted_system(kernel, spectrum)
    d = kernel.d_full
    r_floor = 0.0
    if settings.inductance and kernel.col_rinf is not None:
        cross = real_axis_crossing(spectrum)
        if cross is not None and cross[0] > 0:
            # the inductance column can trade R_inf against the fastest bins; R_inf is held at or above the
            # crossing, where the inductive and the capacitive parts cancel: x_rinf = floor + x', x' >= 0
            r_floor = cross[0]
            b = b - aw[:, kernel.col_rinf] * (r_floor / scale)
            notes.append(f"R∞ held at or above the real-axis crossing ({r_floor:.4g} Ω at {cross[1]:.3g} Hz) so the inductance "
                         "cannot absorb it")
    if settings.method == "fixed":
        lam = float(settings.lambda_value)
        x = _nnls_tikhonov(aw, b, d, lam)
        grid, scores, edge = np.array([lam]), np.array([np.nan]), False
    else:
        chooser = _choose_lambda_svd if settings.lambda_search == "svd" else _choose_lambda
        lam, grid, scores, edge, x = chooser(aw, b, d, settings)
        if edge:
            notes.append(f"{settings.method.upper()} minimum at the edge of the lambda grid ({lam:.3g}); widen lambda_min/lambda_max")

    gamma_std = None
    if settings.uncertainty:
        q = aw.T @ aw
        active = x > 0
        dof, inv = _dof(q, d.T @ d, lam, active)
        resid = aw @ x - b
        sigma2 = float(resid @ resid) / max(b.size - dof, 1.0)
        std = np.zeros(x.size)
        if inv is not None:
            qs = q[np.ix_(active, active)]
            cov = sigma2 * inv @ qs @ inv
            std[active] = np.sqrt(np.clip(np.diag(cov), 0, None))
            cov_full = np.zeros((x.size, x.size))
            cov_full[np.ix_(active, active)] = cov
        else:
            cov_full = np.zeros((x.size, x.size))
        gamma_std = std[: kernel.n_gamma] * scale
    if r_floor:
        b = b + aw[:, kernel.col_rinf] * (r_floor / scale)
        x = x.copy()
        x[kernel.col_rinf] += r_floor / scale
    x_ohm = x * scale
    gamma = x_ohm[: kernel.n_gamma]
    r_inf = float(x_ohm[kernel.col_rinf]) if kernel.col_rinf is not None else 0.0
    l_h = float(x_ohm[kernel.col_l] / (2 * np.pi * kernel.frequency_Hz.max())) if kernel.col_l is not None else 0.0
    z_fit = kernel.model(x_ohm)

    ws = default_windows() if windows is None else tuple(windows)
    w_meas = 2 * np.pi * kernel.frequency_Hz
    tau_in = (1.0 / w_meas.max(), 1.0 / w_meas.min())
    peaks = []
    for imax, lo, hi in _find_peaks(gamma, kernel.dlntau, settings.peak_min_fraction):
        tau_pk = _peak_tau(kernel.tau_s, gamma, imax)
        r_std = None
        if gamma_std is not None:
            sl = slice(lo, hi)
            r_std = float(np.sqrt(np.sum(cov_full[sl, sl])) * scale * kernel.dlntau)
        peaks.append(
            DRTPeak(
                tau_s=tau_pk,
                resistance_ohm=float(np.sum(gamma[lo:hi]) * kernel.dlntau),
                gamma_peak_ohm=float(gamma[imax]),
                process=assign_process(tau_pk, ws, tolerance_decades),
                tau_lo_s=float(kernel.tau_edges_s[lo]),
                tau_hi_s=float(kernel.tau_edges_s[hi]),
                resistance_std_ohm=r_std,
                in_measured_range=bool(tau_in[0] <= tau_pk <= tau_in[1]),
            )
        )
    return DRTResult(
        spectrum=spectrum,
        tau_s=kernel.tau_s,
        tau_edges_s=kernel.tau_edges_s,
        gamma_ohm=gamma,
        gamma_std_ohm=gamma_std,
        r_inf_ohm=r_inf,
        inductance_H=l_h,
        lambda_=lam,
        lambda_method=settings.method,
        lambda_grid=grid,
        lambda_score=scores,
        lambda_at_grid_edge=bool(edge),
        z_fit_ohm=z_fit,
        peaks=tuple(peaks),
        kk=kk,
        settings=settings,
        notes=tuple(notes),
    )
