"""The regularised DRT solve and the choice of lambda by (modified) generalised cross-validation.

Solve:  min || W (A x - Z) ||^2 + lambda || D gamma ||^2,  x >= 0, one `scipy.optimize.nnls` per lambda.
lambda: GCV or mGCV (rho = 1.3 for >= 100 stacked rows, else 2). "svd" (default): one generalised
eigen-decomposition of (A'A, D'D) gives the unconstrained score for every lambda of a fine grid at once,
then a descent on the scores of the non-negative solutions; "scan": NNLS scores over a window of a
coarser grid (kept for comparison). See `sizno.eis.drt` for the whole method.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import LinAlgError, cholesky, eigh, solve_triangular
from scipy.optimize import nnls

from sizno.eis.drt_kernel import DRTSettings

# (lambda, the lambdas scored, their scores, minimum on the range's edge, solution)
LambdaChoice = tuple[float, np.ndarray, np.ndarray, bool, np.ndarray]


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


@dataclass
class _Problem:
    """The weighted system (aw x = b, penalty d) with its normal equations and their generalised
    eigen-decomposition Q v = nu R v (R made definite on the unpenalised R_inf/L columns by a tiny ridge,
    which gives them one degree of freedom each, as it should)."""

    aw: np.ndarray
    b: np.ndarray
    d: np.ndarray
    settings: DRTSettings

    def __post_init__(self) -> None:
        self.n = self.b.size
        s = self.settings
        self.rho = s.rho if s.rho is not None else (1.3 if self.n >= 100 else 2.0)
        self.q = self.aw.T @ self.aw
        self.r = self.d.T @ self.d
        self.atb = self.aw.T @ self.b
        free = np.diag(self.r) == 0
        r_eps = self.r.copy()
        r_eps[free, free] = 1e-9 * max(float(np.max(np.diag(self.q))), 1e-300)
        nu, self.v = eigh(self.q, r_eps, check_finite=False)
        self.nu = np.clip(nu, 0.0, None)

    def solve(self, lam: float) -> np.ndarray:
        return _nnls_tikhonov(self.aw, self.b, self.d, lam, self.q, self.r, self.atb)

    def score(self, rss, dof) -> np.ndarray:
        return _scores(rss, dof, self.n, self.settings.method, self.rho)

    def dof(self, lams) -> np.ndarray:
        """tr[(Q + lam R)^-1 Q] for every lambda at once."""
        lams = np.atleast_1d(lams)
        return np.sum(self.nu[:, None] / (self.nu[:, None] + lams[None, :]), axis=0)

    def ridge_rss(self, lams) -> np.ndarray:
        """Residual of the unconstrained solution for every lambda at once."""
        lams = np.atleast_1d(lams)
        coef = (self.v.T @ self.atb)[:, None] / (self.nu[:, None] + lams[None, :])
        return np.sum(((self.aw @ self.v) @ coef - self.b[:, None]) ** 2, axis=0)

    def rss(self, lams) -> tuple[np.ndarray, list[np.ndarray] | None]:
        """Residuals of the solutions that settings.gcv_solution scores ("ridge" or "nnls"), and those solutions
        (None for ridge)."""
        lams = np.atleast_1d(lams)
        if self.settings.gcv_solution == "ridge":
            return self.ridge_rss(lams), None
        xs = [self.solve(lam) for lam in lams]
        return np.array([np.sum((self.aw @ x - self.b) ** 2) for x in xs]), xs


# --------------------------------------------------------------------------- "scan": grid search
def _choose_lambda(aw, b, d, settings: DRTSettings) -> LambdaChoice:
    """Global grid search of (m)GCV. Degrees of freedom for every lambda at once from the generalised
    eigen-decomposition (`_Problem`); the residual is that of the non-negative solution ("nnls", default)
    or of the unconstrained one ("ridge", fully vectorised)."""
    p = _Problem(aw, b, d, settings)
    grid = np.logspace(np.log10(settings.lambda_min), np.log10(settings.lambda_max), settings.lambda_points)
    if settings.gcv_solution == "ridge":
        rss, xs = p.rss(grid)
        scores = p.score(rss, p.dof(grid))
    else:
        scores, xs = _scan_window(p, grid)
    i = int(np.nanargmin(scores))
    edge = i == 0 or i == grid.size - 1
    lam = float(grid[i])
    x = xs[i] if xs is not None else None
    if not edge and np.isfinite(scores[i - 1]) and np.isfinite(scores[i + 1]):
        lam, x, grid, scores = _refine(p, grid, scores, i, x)
    if x is None:
        x = p.solve(lam)
    return lam, grid, scores, edge, x


def _scan_window(p: _Problem, grid: np.ndarray) -> tuple[np.ndarray, list]:
    """NNLS scores on a window of the global grid: the unconstrained (ridge) scores, vectorised over the
    whole grid, place it (the NNLS minimum lies 0-2 decades below the ridge one on synthetic spectra);
    the window grows while its minimum sits on its border. Unscored lambdas: NaN."""
    i_r = int(np.argmin(p.score(p.ridge_rss(grid), p.dof(grid))))
    scores = np.full(grid.size, np.nan)
    xs: list = [None] * grid.size
    lo_i, hi_i = max(i_r - 6, 0), min(i_r + 3, grid.size - 1)

    def fill(a: int, b_: int) -> None:
        idx = [k for k in range(a, b_ + 1) if np.isnan(scores[k])]
        if idx:
            rr, xx = p.rss(grid[idx])
            scores[idx] = p.score(rr, p.dof(grid[idx]))
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
    return scores, xs


def _refine(p: _Problem, grid: np.ndarray, scores: np.ndarray, i: int,
            x: np.ndarray | None) -> tuple[float, np.ndarray | None, np.ndarray, np.ndarray]:
    """The two geometric midpoints beside the grid's minimum i, then a parabola in log lambda.
    Returns (lambda, its solution or None, the grid and scores with the midpoints added)."""
    lam, best = float(grid[i]), scores[i]
    mids = np.sqrt(grid[[i - 1, i]] * grid[[i, i + 1]])
    rss_m, xs_m = p.rss(mids)
    s_m = p.score(rss_m, p.dof(mids))
    lx = np.log10(np.array([mids[0], lam, mids[1]]))
    ly = np.log(np.array([s_m[0], best, s_m[1]]))
    j = int(np.argmin(ly))
    if j != 1:
        lam = float(mids[j // 2])
        x = xs_m[j // 2] if xs_m is not None else None
    elif np.all(np.isfinite(ly)):
        lvert = _parabola_vertex(lx, ly)
        if lvert is not None:
            lam_ref = 10**lvert
            rss_ref, xs_ref = p.rss(lam_ref)
            s_ref = p.score(rss_ref, p.dof(lam_ref))[0]
            if s_ref <= best:
                lam = float(lam_ref)
                x = xs_ref[0] if xs_ref is not None else None
    grid = np.concatenate([grid, mids])
    scores = np.concatenate([scores, s_m])
    order = np.argsort(grid)
    return lam, x, grid[order], scores[order]


def _parabola_vertex(lx: np.ndarray, ly: np.ndarray) -> float | None:
    """Abscissa of the vertex of the parabola through three points, if it is a minimum between the outer two."""
    c2 = ((ly[2] - ly[1]) / (lx[2] - lx[1]) - (ly[1] - ly[0]) / (lx[1] - lx[0])) / (lx[2] - lx[0])
    if not c2 > 0:
        return None
    c1 = (ly[1] - ly[0]) / (lx[1] - lx[0]) - c2 * (lx[0] + lx[1])
    lvert = -c1 / (2 * c2)
    return lvert if lx[0] < lvert < lx[2] else None


# --------------------------------------------------------------------------- "svd": GSVD then NNLS descent
def _choose_lambda_svd(aw, b, d, settings: DRTSettings) -> LambdaChoice:
    """(m)GCV for every lambda at once from one generalised eigen-decomposition (the GSVD of the kernel and
    the penalty, P x P), for the unconstrained problem; then NNLS solves from that minimum, a step of
    `nnls_step_decades` at a time, while the score of the NNLS solution falls (the non-negative solution's
    minimum lies 0-2 decades below the unconstrained one); then one solve at the parabola's vertex.
    Typically 3-5 NNLS solves in all.

    Returns (lambda, the lambdas solved, their NNLS scores, minimum on the range's edge, solution)."""
    p = _Problem(aw, b, d, settings)
    grid, scores = _unconstrained_scores(p)
    i = int(np.argmin(scores))
    edge = i == 0 or i == grid.size - 1
    if settings.gcv_solution == "ridge":
        lam = float(grid[i])
        return lam, grid, scores, edge, p.solve(lam)
    nn = _NNLSScores(p)
    step = max(settings.nnls_step_decades, 0.1)
    # descend on the NNLS scores along a lattice of `step` decades from the unconstrained minimum: usually
    # 2-4 solves (the NNLS minimum lies near or a decade or two from the unconstrained one)
    cur, s_cur = nn.descend(float(np.log10(grid[i])), step)
    edge = cur <= nn.lo_l + 1e-9 or cur >= nn.hi_l - 1e-9
    if not edge:
        cur = nn.vertex(cur, s_cur, step)
    key = round(nn.clamp(cur), 9)
    lam_grid = np.array(sorted(10**k for k in nn.solved))
    lam_score = np.array([nn.solved[round(np.log10(l), 9)][0] if round(np.log10(l), 9) in nn.solved else np.nan
                          for l in lam_grid])
    return float(10**key), lam_grid, lam_score, bool(edge), nn.solved[key][1]


def _unconstrained_scores(p: _Problem) -> tuple[np.ndarray, np.ndarray]:
    """The (m)GCV score of the unconstrained solution on a grid of 8 lambdas per decade over the range."""
    s = p.settings
    decades = np.log10(s.lambda_max / s.lambda_min)
    grid = np.logspace(np.log10(s.lambda_min), np.log10(s.lambda_max), int(round(8 * decades)) + 1)
    beta = p.v.T @ p.atb
    av = p.aw @ p.v
    # ridge residual for all lambda: || av (beta / (nu + lam)) - b ||^2, expanded so no (2n x G) array is formed
    g = av.T @ av
    filt = beta[:, None] / (p.nu[:, None] + grid[None, :])
    rss = np.sum(filt * (g @ filt), axis=0) - 2.0 * (av.T @ p.b) @ filt + float(p.b @ p.b)
    rss = np.maximum(rss, 0.0)
    dof = np.sum(p.nu[:, None] / (p.nu[:, None] + grid[None, :]), axis=0)
    return grid, p.score(rss, dof)


class _NNLSScores:
    """Scores of the non-negative solutions by log10 lambda, each solved once (kept in `solved`, keyed by
    log10 lambda rounded to 1e-9, clamped to the lambda range)."""

    def __init__(self, p: _Problem):
        self.p = p
        self.lo_l, self.hi_l = np.log10(p.settings.lambda_min), np.log10(p.settings.lambda_max)
        self.solved: dict[float, tuple[float, np.ndarray]] = {}

    def clamp(self, ll: float) -> float:
        return min(max(ll, self.lo_l), self.hi_l)

    def at(self, ll: float) -> float:
        ll = float(self.clamp(ll))
        key = round(ll, 9)
        if key not in self.solved:
            lam = 10**ll
            x = self.p.solve(lam)
            res = self.p.aw @ x - self.p.b
            sc = float(self.p.score(np.array([res @ res]), np.sum(self.p.nu / (self.p.nu + lam))[None])[0])
            self.solved[key] = (sc, x)
        return self.solved[key][0]

    def descend(self, cur: float, step: float) -> tuple[float, float]:
        """From `cur`, steps of `step` decades downhill (the first step decides the direction): (where, score)."""
        s_cur = self.at(cur)
        direction = 0
        for dirn in (-1, 1):
            nxt = self.clamp(cur + dirn * step)
            if nxt != cur and self.at(nxt) < s_cur:
                direction = dirn
                break
        while direction:
            nxt = self.clamp(cur + direction * step)
            if nxt == cur:
                break
            s_n = self.at(nxt)
            if s_n >= s_cur:
                break
            cur, s_cur = nxt, s_n
        return cur, s_cur

    def vertex(self, cur: float, s_cur: float, step: float) -> float:
        """One more solve at the vertex of the parabola through the minimum and its two neighbours (log lambda);
        kept if its score is lower."""
        left, right = round(max(cur - step, self.lo_l), 9), round(min(cur + step, self.hi_l), 9)
        if left not in self.solved or right not in self.solved:
            return cur
        ys = np.log([self.solved[left][0], s_cur, self.solved[right][0]])
        c2 = ys[0] - 2 * ys[1] + ys[2]
        if np.all(np.isfinite(ys)) and c2 > 0:
            off = 0.5 * (ys[0] - ys[2]) / c2 * step
            if abs(off) < step and self.at(cur + off) < s_cur:
                return cur + off
        return cur
