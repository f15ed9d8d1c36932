"""The DRT's settings and its kernel: everything that depends only on the frequency grid and the settings.

Each bin's kernel is integrated exactly (real part: -1/2 ln(1 + e^(-2x)), imaginary part: -arctan(e^x),
x = ln(w tau)), so the resistance of a bin is gamma * d ln tau without quadrature error. `DRTKernel` is
built once and reused for every spectrum of a series measured on the same grid (see `sizno.eis.drt`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

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
