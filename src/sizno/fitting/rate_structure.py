"""The shape of a rate-capability curve: Tian et al.'s semi-empirical rate model fitted to the paper and to sizno.

Tian et al. (Nat. Commun. 10 (2019) 1933) write the specific capacity at rate R as

    Q(R) = Q_M [1 - (R tau)^n (1 - exp(-(R tau)^-n))],

R = I / Q(R) the real rate [1/h] (specific current over the capacity delivered at it), tau the
electrode's characteristic time [h] and n the exponent of the high-rate decay: n = 1/2 for a
diffusion-limited electrode, n = 1 for one limited by resistance, larger for a sharper drop. The
exponent is the shape of the curve whatever sets its position, so comparing the paper's n with the
model's says whether a miss at high rate is a matter of parameter values (same n, other tau) or of
structure (another n).

Only calibration records are fitted here: Si–ZnO4 at 0.1, 0.8 and 5 A/g (three points, three
unknowns) and pure Si at 0.8 A/g. Pure Si's 5 A/g capacity (a validation record) is then predicted
from the shape of Si–ZnO4's curve, for comparison only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from scipy.optimize import brentq, least_squares

from sizno.experiments.protocols import rate_test
from sizno.experiments.runner import NO_CURVES, QUICK_MESH_POINTS, run_half_cell
from sizno.models.parameters import ParameterSet, load_parameter_set
from sizno.reproduce.reference import paper_reference
from sizno.results.observables import rate_capacity
from sizno.units import MAH_PER_AH

MODEL_RATES_A_PER_G = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0)  # the paper's rate test, plus 0.4 and 3.2
TEMPERATURE_C = 60.0
EXPONENT_BOUNDS = (0.2, 20.0)
TAU_BOUNDS_H = (1e-4, 1e3)


@dataclass(frozen=True)
class RateCurve:
    """Tian et al.'s parameters: capacity at zero rate [mAh/g], characteristic time [h], exponent [-]."""

    capacity_mAh_per_g: float
    tau_h: float
    exponent: float

    def capacity_at(self, current_A_per_g: float) -> float:
        """Capacity [mAh/g] at a specific current, solving Q = f(I / Q) for Q."""
        def residual(q_mAh_g: float) -> float:
            return q_mAh_g - tian_capacity(current_A_per_g * MAH_PER_AH / q_mAh_g, self)
        lo = 1e-9 * self.capacity_mAh_per_g
        if residual(lo) >= 0:  # the rate at vanishing capacity still leaves none
            return 0.0
        return float(brentq(residual, lo, self.capacity_mAh_per_g))


def tian_capacity(rate_per_h, curve: RateCurve):
    """Q(R) [mAh/g] of Tian et al. 2019 at the real rate R [1/h]."""
    x = np.maximum(np.asarray(rate_per_h, dtype=float) * curve.tau_h, 1e-12) ** curve.exponent
    return curve.capacity_mAh_per_g * (1 - x * (1 - np.exp(-1 / x)))


def fit_rate_curve(currents_A_per_g, capacities_mAh_per_g, capacity_mAh_per_g: float | None = None,
                   exponent: float | None = None) -> RateCurve:
    """Least-squares fit (relative residuals) of Tian's curve to measured or simulated rate data.

    `capacity_mAh_per_g` or `exponent` given: held fixed, the rest fitted. Needs at least as many
    points as free parameters."""
    I = np.asarray(currents_A_per_g, dtype=float)
    Q = np.asarray(capacities_mAh_per_g, dtype=float)
    if I.shape != Q.shape or np.any(Q <= 0) or np.any(I <= 0):
        raise ValueError("currents and capacities must be positive and of equal length")
    free = ["capacity", "tau", "exponent"]
    if capacity_mAh_per_g is not None:
        free.remove("capacity")
    if exponent is not None:
        free.remove("exponent")
    if len(I) < len(free):
        raise ValueError(f"{len(I)} points cannot fix {len(free)} parameters ({', '.join(free)})")

    def unpack(u: np.ndarray) -> RateCurve:
        vals = dict(zip(free, u))
        return RateCurve(float(np.exp(vals["capacity"])) if "capacity" in vals else float(capacity_mAh_per_g),
                         float(np.exp(vals["tau"])), float(np.exp(vals["exponent"])) if "exponent" in vals else float(exponent))

    def residuals(u: np.ndarray) -> np.ndarray:
        curve = unpack(u)
        return tian_capacity(I * MAH_PER_AH / Q, curve) / Q - 1

    start = {"capacity": np.log(1.05 * Q.max()), "tau": np.log(Q[np.argmin(I)] / (I.max() * MAH_PER_AH)), "exponent": 0.0}
    lower = {"capacity": np.log(Q.max()), "tau": np.log(TAU_BOUNDS_H[0]), "exponent": np.log(EXPONENT_BOUNDS[0])}
    upper = {"capacity": np.log(10 * Q.max()), "tau": np.log(TAU_BOUNDS_H[1]), "exponent": np.log(EXPONENT_BOUNDS[1])}
    u0 = np.clip([start[k] for k in free], [lower[k] + 1e-9 for k in free], [upper[k] - 1e-9 for k in free])
    sol = least_squares(residuals, u0, bounds=([lower[k] for k in free], [upper[k] for k in free]), xtol=1e-12, ftol=1e-12)
    return unpack(sol.x)


def paper_rate_records() -> dict[str, dict[float, float]]:
    """The paper's calibration rate records at 60 °C: {material key: {current A/g: mAh/g}}."""
    out: dict[str, dict[float, float]] = {}
    for rec in paper_reference():
        if rec.role == "calibration" and rec.id.startswith("half_cell.rate."):
            _, _, material, current = rec.id.split(".", 3)
            out.setdefault(material, {})[float(current)] = rec.value
    return out


def model_rate_curve(material: str, pset: ParameterSet, mesh_points: int) -> dict[float, float]:
    """sizno's reversible capacity [mAh/g] at each of MODEL_RATES_A_PER_G, 60 °C, one cycle per rate."""
    run = run_half_cell(material, rate_test(list(MODEL_RATES_A_PER_G), 1), temperature_C=TEMPERATURE_C,
                        pset=pset, mesh_points=mesh_points, timeseries_cycles=NO_CURVES)
    return {a: rate_capacity(run, a) for a in MODEL_RATES_A_PER_G}


def _fit_positive(curve: dict[float, float], **fixed) -> dict | None:
    """Fit where the capacity is positive (a collapsed point carries no shape); None below three points."""
    pts = {a: q for a, q in curve.items() if q > 1.0}
    if len(pts) < 3 - len(fixed):
        return None
    fit = fit_rate_curve(list(pts), list(pts.values()), **fixed)
    misfit = [fit.capacity_at(a) / q - 1 for a, q in pts.items()]
    return {**asdict(fit), "worst_relative_misfit": float(max(misfit, key=abs))}


def rate_structure(pset: ParameterSet | None = None, mesh_points: int = QUICK_MESH_POINTS,
                   on_run: Callable[[], None] | None = None) -> dict:
    """Tian's curve fitted to the paper's calibration rate records and to the model's rate tests.

    Returns the fits, the model's curves and pure Si at 5 A/g predicted from the paper's own rate
    shape (Si–ZnO4's exponent, pure Si's 0.8 A/g record and the model's pure Si capacity at 0.1 A/g)."""
    pset = pset or load_parameter_set()
    paper = paper_rate_records()
    zno4 = paper["si_zno4"]
    paper_zno4 = fit_rate_curve(list(zno4), list(zno4.values()))
    model: dict[str, dict[float, float]] = {}
    for material in ("si-zno4", "si"):
        model[material] = model_rate_curve(material, pset, mesh_points)
        if on_run:
            on_run()
    q_si_low = model["si"][min(MODEL_RATES_A_PER_G)]
    si_08 = paper["si"][0.8]
    paper_si = fit_rate_curve([0.8], [si_08], capacity_mAh_per_g=q_si_low, exponent=paper_zno4.exponent)
    validation = {rec.id: rec.value for rec in paper_reference()}
    return {
        "method": "Tian et al., Nat. Commun. 10 (2019) 1933: Q = Q_M [1 - (R tau)^n (1 - exp(-(R tau)^-n))], "
                  "R = I / Q [1/h]; relative least squares",
        "temperature_C": TEMPERATURE_C,
        "mesh_points": mesh_points,
        "paper_calibration_records": {k: {str(a): q for a, q in v.items()} for k, v in paper.items()},
        "paper_si_zno4": asdict(paper_zno4),
        "model_curves": {k: {str(a): q for a, q in v.items()} for k, v in model.items()},
        "model_si_zno4": _fit_positive(model["si-zno4"]),
        "model_si": _fit_positive(model["si"]),
        "paper_shape_si": {
            **asdict(paper_si),
            "assumption": "pure Si shares Si–ZnO4's exponent n (same rate mechanism, other tau); Q_M = the model's "
                          "pure Si capacity at 0.1 A/g; tau from pure Si's 0.8 A/g calibration record",
            "predicted_5A_per_g_mAh_per_g": paper_si.capacity_at(5.0),
            "paper_5A_per_g_mAh_per_g (validation)": validation.get("half_cell.rate.si.5.0"),
            "model_5A_per_g_mAh_per_g": model["si"][5.0],
        },
    }


def rate_structure_figure(result: dict, path: Path) -> Path:
    """The model's rate curves and the paper's records, with the fitted Tian curves."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    grid = np.geomspace(0.05, 8, 60)
    styles = {"si-zno4": ("C0", "si_zno4", "paper_si_zno4", "model_si_zno4"), "si": ("C3", "si", "paper_shape_si", "model_si")}
    for material, (color, key, paper_fit, model_fit) in styles.items():
        m = result["model_curves"][material]
        ax.plot([float(a) for a in m], list(m.values()), "o--", color=color, mfc="none", label=f"sizno {material}")
        p = result["paper_calibration_records"].get(key, {})
        ax.plot([float(a) for a in p], list(p.values()), "s", color=color, label=f"paper {material} (calibration)")
        if result.get(paper_fit):
            c = RateCurve(*(result[paper_fit][k] for k in ("capacity_mAh_per_g", "tau_h", "exponent")))
            ax.plot(grid, [c.capacity_at(i) for i in grid], "-", color=color, alpha=0.6,
                    label=(f"Tian fit to paper, n = {c.exponent:.2f}" if material == "si-zno4"
                           else "paper's Si–ZnO4 shape through Si's record"))
        if result.get(model_fit):
            ax.text(0.06, 0.1 + 0.08 * (material == "si"), f"sizno {material}: n = {result[model_fit]['exponent']:.2f}",
                    transform=ax.transAxes, color=color)
    si5 = result["paper_shape_si"]["paper_5A_per_g_mAh_per_g (validation)"]
    if si5:
        ax.plot([5.0], [si5], "x", color="C3", ms=9, label="paper Si, 5 A/g (validation)")
    ax.set_xscale("log")
    ax.set_xlabel("specific current [A/g]")
    ax.set_ylabel("reversible capacity [mAh/g]")
    ax.set_title(f"Rate-curve shape, {result['temperature_C']:.0f} °C (Tian et al. 2019)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path
