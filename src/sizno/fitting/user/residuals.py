"""Residuals of a user fit: model and file on one scale (voltage curves on a normalised-capacity grid, capacities).

*curves*: each selected CC step's voltage, model and measured, on ``grid_points`` points of
0.02…0.98 of the step's own capacity; residual (V_model − V_meas) / (voltage_tolerance · √grid_points),
so a step whose RMS error equals the tolerance contributes 1 to the sum of squares.
*capacities*: per selected cycle, (Q_model / Q_meas − 1) / capacity_tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.interpolate import PchipInterpolator

from sizno.errors import SiznoInputError
from sizno.experiments.runner import DEFAULT_MESH_POINTS, run_half_cell
from sizno.fitting.core import FitProblem
from sizno.fitting.user.protocol import FitData
from sizno.models.parameters import ParameterSet
from sizno.results import RunResult

TARGETS = ("both", "curves", "capacities")
GRID_LO, GRID_HI = 0.02, 0.98
DIRECTIONS = ("lithiation", "delithiation")


def _curve_on_grid(q: np.ndarray, V: np.ndarray, grid: np.ndarray, smooth: bool = False) -> np.ndarray:
    """V on the normalised-capacity grid: linear (measured, dense) or monotone cubic (model, sparse).

    The model's output points move with the parameters; linear interpolation between sparse
    points turns that into jitter of the residuals (tenths of a mV) that spoils finite-difference
    Jacobians. A monotone cubic (PCHIP) through the same points is smooth to O(h^4).
    """
    if q.size < 2:
        return np.full(grid.shape, np.nan)
    q = np.maximum.accumulate(np.asarray(q, dtype=float))
    V = np.asarray(V, dtype=float)
    if not q[-1] > q[0]:
        return np.full(grid.shape, np.nan)
    u = (q - q[0]) / (q[-1] - q[0])
    if smooth:
        keep = np.r_[True, np.diff(u) > 1e-12]
        if keep.sum() >= 3:
            return PchipInterpolator(u[keep], V[keep], extrapolate=True)(grid)
    return np.interp(grid, u, V)


def model_steps(result: RunResult, counter: str = "li") -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Model step index → (charge passed in the step [Ah], voltage on the file's reference)."""
    ts = result.timeseries
    if ts is None or not len(ts):
        return {}
    q = ts["lithiated_charge_ah"].to_numpy(dtype=float)
    V = ts["voltage_volt"].to_numpy(dtype=float)  # vs Li+/Li; a file vs Li–In was shifted to it
    k = ts["step_count"].to_numpy()
    out = {}
    b = np.flatnonzero(np.r_[True, k[1:] != k[:-1], True])
    for a, e in zip(b[:-1], b[1:]):
        out[int(k[a])] = (np.abs(q[a:e] - q[a]), V[a:e])
    return out


def model_cycles_by_data_cycle(data: FitData, result: RunResult) -> dict:
    """The model's per-cycle rows keyed by the file's cycle number."""
    cy = result.cycles
    if cy is None or not len(cy):
        return {}
    return {data.cycle_map.get(int(r["cycle_index"])): r for _, r in cy.iterrows()}


@dataclass
class UserFitProblem:
    """Observables of the model and of the file, on one scale; residual = model − measured."""

    data: FitData
    material: str
    names: list[str]
    pset: ParameterSet
    mesh_points: int = DEFAULT_MESH_POINTS
    target: str = "both"
    grid_points: int = 40
    voltage_tolerance_mV: float = 10.0
    capacity_tolerance_percent: float = 1.0
    last_result: RunResult | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.target not in TARGETS:
            raise SiznoInputError("--target", f"unknown target '{self.target}'", ", ".join(TARGETS))
        for n, v in (("--voltage-tolerance-mV", self.voltage_tolerance_mV), ("--capacity-tolerance-percent", self.capacity_tolerance_percent)):
            if not (v > 0):
                raise SiznoInputError(n, f"must be positive, got {v}", "> 0")
        if self.grid_points < 5:
            raise SiznoInputError("--grid-points", f"got {self.grid_points}", ">= 5")
        self.grid = np.linspace(GRID_LO, GRID_HI, self.grid_points)
        self._vscale = self.voltage_tolerance_mV * 1e-3 * np.sqrt(self.grid_points)
        self._qscale = self.capacity_tolerance_percent / 100
        self.labels: list[str] = []
        self.blocks: list[tuple[str, slice]] = []  # (what, slice) for the report and the bootstrap
        meas = []
        if self.target in ("both", "curves"):
            for s in self.data.fitted_steps:
                i0 = len(self.labels)
                self.labels += [f"cycle {s.data_cycle} {s.action} step {s.index}: V at q/Q={u:.3f}" for u in self.grid]
                meas.append(_curve_on_grid(s.q_Ah, s.V, self.grid) / self._vscale)
                self.blocks.append((f"curve:{s.index}", slice(i0, len(self.labels))))
        if self.target in ("both", "capacities"):
            i0 = len(self.labels)
            for c, d in self._measured_capacities():
                self.labels.append(f"cycle {c} {d} capacity")
                meas.append(np.array([1.0 / self._qscale]))
            self.blocks.append(("capacities", slice(i0, len(self.labels))))
        self.measured = np.concatenate(meas) if meas else np.zeros(0)

    def _measured_capacities(self) -> list[tuple[int, str]]:
        """(cycle, direction) of every selected cycle's measured capacity above zero, in residual order."""
        return [(c, d) for c in self.data.cycles for d in DIRECTIONS if self.data.capacities_mAh.get(c, {}).get(d, 0.0) > 0]

    def run(self, pset: ParameterSet) -> RunResult:
        kw = dict(self.data.cell_overrides)
        res = run_half_cell(self.material, self.data.protocol, temperature_C=self.data.temperature_C, pset=pset,
                            mesh_points=self.mesh_points, **kw)
        self.last_result = res
        return res

    def observables(self, result: RunResult) -> np.ndarray:
        out = []
        if self.target in ("both", "curves"):
            ms = model_steps(result, self.data.counter)
            for s in self.data.fitted_steps:
                q, V = ms.get(s.index, (np.zeros(0), np.zeros(0)))
                out.append(_curve_on_grid(q, V, self.grid, smooth=True) / self._vscale)
        if self.target in ("both", "capacities"):
            by_data = model_cycles_by_data_cycle(self.data, result)
            for c, d in self._measured_capacities():
                r = by_data.get(c)
                qmod = float(r[f"{d}_capacity_mAh"]) if r is not None else np.nan
                out.append(np.array([qmod / self.data.capacities_mAh[c][d] / self._qscale]))
        return np.concatenate(out) if out else np.zeros(0)

    def fit_problem(self, measured: np.ndarray | None = None) -> FitProblem:
        target = self.measured if measured is None else measured

        def residuals(pset: ParameterSet) -> np.ndarray:
            return self.observables(self.run(pset)) - target

        return FitProblem(names=list(self.names), residuals=residuals, labels=list(self.labels))


def _finite_or_nan(f, err: np.ndarray) -> float:
    return float(f(err)) if np.isfinite(err).any() else float("nan")


def _step_report(problem: UserFitProblem, result: RunResult) -> list[dict[str, Any]]:
    """Per fitted step: measured and model capacity, voltage errors on the grid (mV)."""
    ms = model_steps(result, problem.data.counter)
    steps = []
    for s in problem.data.fitted_steps:
        q, V = ms.get(s.index, (np.zeros(0), np.zeros(0)))
        err = _curve_on_grid(q, V, problem.grid, smooth=True) - _curve_on_grid(s.q_Ah, s.V, problem.grid)
        qmod = float(q[-1]) if q.size else float("nan")
        steps.append({
            "step": s.index, "cycle": s.data_cycle, "action": s.action, "current_mA": 1e3 * s.current_A,
            "measured_capacity_mAh": 1e3 * s.capacity_Ah, "model_capacity_mAh": 1e3 * qmod,
            "capacity_error_percent": 100 * (qmod / s.capacity_Ah - 1) if s.capacity_Ah > 0 else float("nan"),
            "voltage_rms_mV": _finite_or_nan(lambda e: 1e3 * np.sqrt(np.nanmean(e**2)), err),
            "voltage_max_abs_mV": _finite_or_nan(lambda e: 1e3 * np.nanmax(np.abs(e)), err),
            "voltage_mean_mV": _finite_or_nan(lambda e: 1e3 * np.nanmean(e), err),
        })
    return steps


def _percent_ratio(num: float, den: float) -> float:
    """100 · num / den, NaN where den is missing or not positive."""
    return 100 * num / den if den and den > 0 else float("nan")


def _cycle_report(data: FitData, result: RunResult) -> list[dict[str, Any]]:
    """Per selected cycle: measured and model capacities, their errors and coulombic efficiencies."""
    by_data = model_cycles_by_data_cycle(data, result)
    cycles = []
    for c in data.cycles:
        r = by_data.get(c)
        row: dict[str, Any] = {"cycle": c}
        for d in DIRECTIONS:
            qm = data.capacities_mAh.get(c, {}).get(d, float("nan"))
            qmod = float(r[f"{d}_capacity_mAh"]) if r is not None else float("nan")
            row[f"measured_{d}_mAh"] = qm
            row[f"model_{d}_mAh"] = qmod
            row[f"{d}_error_percent"] = 100 * (qmod / qm - 1) if qm and qm > 0 else float("nan")
        row["measured_ce_percent"] = _percent_ratio(row["measured_delithiation_mAh"], row["measured_lithiation_mAh"])
        row["model_ce_percent"] = _percent_ratio(row["model_delithiation_mAh"], row["model_lithiation_mAh"])
        cycles.append(row)
    return cycles


def residual_report(problem: UserFitProblem, result: RunResult) -> dict[str, Any]:
    """Per fitted step: capacities and voltage errors on the grid; per cycle: capacity errors."""
    steps = _step_report(problem, result)
    rms = [s["voltage_rms_mV"] for s in steps if np.isfinite(s["voltage_rms_mV"])]
    return {
        "steps": steps,
        "cycles": _cycle_report(problem.data, result),
        "voltage_rms_mV": float(np.sqrt(np.mean(np.square(rms)))) if rms else None,
        "model_completed": result.completed,
        "model_stop_reason": result.stop_reason,
        "weights": {"voltage_tolerance_mV": problem.voltage_tolerance_mV,
                    "capacity_tolerance_percent": problem.capacity_tolerance_percent,
                    "grid": f"{problem.grid_points} points on {GRID_LO}–{GRID_HI} of each step's own capacity"},
    }
