"""`sizno fit`: fit the half-cell model's free parameters to a user's cycler file.

The same mechanism as `sizno calibrate` (one mechanism, not two): this module only builds a
:class:`sizno.fitting.core.FitProblem` — a map from a ParameterSet to weighted residuals — and
hands it to :func:`sizno.fitting.core.fit` (scipy trust-region least squares in log/linear scaled
coordinates within the parameter bounds, 1-sigma uncertainties from the Jacobian).

What happens, in order:

1. **Read** the file with :func:`sizno.io.read` (any supported tester, BDF columns, positive
   current charges the cell). Half cell: the tester's *discharge* lithiates the working
   electrode, *charge* delithiates it (:func:`sizno.io.metrics.half_cell_mapping`).
2. **Infer the protocol** from the file: every step from the file's first cycle up to the last
   selected cycle becomes a :class:`~sizno.experiments.protocols.Step` — lithiate/delithiate at
   the step's constant current (median |I| of its CC part) as a specific current on the user's
   composite mass and current basis (so the model's current in A equals the measured one), or a
   rest of the measured duration. The voltage window is the lowest lithiation end voltage and
   the highest delithiation end voltage in the file (or ``--lower/upper-cutoff-V``); a step that
   ended within ``cutoff_tolerance_V`` of the window is voltage-terminated in the model (with a
   time cap of 2 × its measured duration), any other step is time-terminated at its measured
   duration (capacity-limited cycling). Constant-voltage tails are not modelled: the model runs
   the CC part, the residuals use the CC part, and a note says how much charge the tail held.
   The model always starts from the pristine electrode, so earlier cycles are simulated even
   when only later ones are fitted.
3. **Residuals**, both kinds by default (``target``):
   * *curves*: each selected CC step's voltage, model and measured, interpolated on a common
     normalised-capacity grid (``grid_points`` points on 0.02…0.98 of each curve's own step
     capacity, the ends left out because of the IR jumps there); residual
     (V_model − V_meas) / (voltage_tolerance · √grid_points), so a step whose RMS error equals
     ``voltage_tolerance_mV`` contributes 1 to the sum of squares;
   * *capacities*: per selected cycle, lithiation and delithiation capacity (the file's from
     :func:`sizno.io.metrics.compute_metrics`, i.e. the tester's counters when it has them),
     residual (Q_model / Q_meas − 1) / capacity_tolerance.
   A model run that stops early leaves the missing residuals non-finite; the core counts them
   as far off.
4. **Uncertainties**: 1-sigma relative, from (JᵀJ)⁻¹·s² at the optimum (core); then the same
   formula with a central-difference Jacobian over a wide step (±0.05 in log10), because the
   core's 1e-3 step sees the solver's noise where a parameter barely matters and then reports a
   far too small 1-sigma; a parameter whose two estimates disagree (> 2x), whose 1-sigma is
   above 100 %, or that sits at a bound is listed as *poorly determined*; optionally a
   residual bootstrap (``bootstrap=N``): N refits, from the optimum, to the best model's
   observables plus the optimum's residuals resampled in circular blocks within each step's
   curve (and among the capacity residuals).
5. **Output**: a parameter TOML with ``[values]`` (every free parameter: the fitted ones and
   the values the others were held at) and ``[fit]`` metadata, read by
   ``sizno simulate --parameters FILE`` through :func:`sizno.models.parameters.load_parameter_set`.

Why not PyBOP. PyBOP 26.3 (the PyBaMM team's optimisation package) would install next to
pybamm 26.10.1.1 on Python 3.11 without changing pybamm, but it pins ``numpy < 2.4`` (this
environment has numpy 2.4.6, so it would downgrade numpy under every other area) and brings
pints, SALib, cma, multiprocess, dill and threadpoolctl. It fits PyBaMM models to time series
driven by a current input; sizno's runs are PyBaMM *Experiments* with voltage-terminated steps
whose per-cycle results are extracted by :mod:`sizno.experiments.runner`, and the issue asks for
one fitting mechanism shared with `sizno calibrate`. PyBOP's gain here would be its optimiser
zoo (CMA-ES, PSO, …) and samplers, which a 1–4-parameter bounded least-squares problem with a
Jacobian-based covariance does not need. So: not used, not a dependency.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from sizno.errors import SiznoInputError
from sizno.experiments.protocols import Block, Protocol, Step
from sizno.experiments.runner import run_half_cell
from sizno.fitting.core import FitProblem, FitResult, fit
from sizno.io.table import CyclerData
from sizno.models.parameters import ParameterSet, load_parameter_set
from sizno.results import RunResult

TARGETS = ("both", "curves", "capacities")
COUNTERS = ("li", "li-in")
DEFAULT_MESH_POINTS = 20
GRID_LO, GRID_HI = 0.02, 0.98


# ------------------------------------------------------------------------ input helpers

def parse_cycles(spec: str | list[int] | None) -> list[int] | None:
    """'1-3', '1,2,5', '2', '1-3,7' → sorted cycle numbers (file numbering); None → None."""
    if spec is None:
        return None
    if isinstance(spec, (list, tuple)):
        return sorted({int(c) for c in spec})
    out: set[int] = set()
    for tok in str(spec).split(","):
        tok = tok.strip()
        if not tok:
            continue
        m = re.fullmatch(r"(\d+)\s*(?:-|\.\.)\s*(\d+)", tok)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if b < a:
                raise SiznoInputError("--fit-cycles", f"range '{tok}' runs backwards", "e.g. 1-3, 1,2,5 or 2")
            out.update(range(a, b + 1))
        elif tok.isdigit():
            out.add(int(tok))
        else:
            raise SiznoInputError("--fit-cycles", f"'{tok}' is not a cycle number or range", "e.g. 1-3, 1,2,5 or 2")
    if not out:
        raise SiznoInputError("--fit-cycles", "no cycle given", "e.g. 1-3, 1,2,5 or 2")
    return sorted(out)


def free_parameter_names(pset: ParameterSet | None = None) -> list[str]:
    """The free parameters a half-cell fit can free (see :func:`half_cell_parameter_names`)."""
    pset = pset or load_parameter_set()
    return [n for n in pset.fitted_names() if n in half_cell_parameter_names()]


@functools.lru_cache(maxsize=1)
def half_cell_parameter_names() -> frozenset[str]:
    """Names of the parameters the half-cell model's measured outputs depend on, read from the model itself:
    its equations (rhs, algebraic, initial and boundary conditions, events) and its voltage. A cathode
    parameter (the half cell has none) or one only an unmeasured output reads (the electrode thickness)
    is not among them, so a fit to a cycler file never frees it."""
    import pybamm

    from sizno.models.half_cell import DenseCompositeAnode

    m = DenseCompositeAnode()
    exprs = [*m.rhs.values(), *m.algebraic.values(), *m.initial_conditions.values(),
             *(v for d in m.boundary_conditions.values() for v, _ in d.values()), *(e.expression for e in m.events),
             *(m.variables[k] for k in ("Voltage [V]", "Voltage vs Li-In [V]", "Battery voltage [V]") if k in m.variables)]
    return frozenset(s.name for e in exprs for s in e.pre_order() if isinstance(s, (pybamm.Parameter, pybamm.FunctionParameter)))


def resolve_parameter_names(requested: list[str] | None, pset: ParameterSet) -> list[str]:
    """Full names, or case-insensitive fragments that match exactly one free parameter of the half cell.
    Default: every free parameter the half cell's voltage and capacity depend on."""
    free = free_parameter_names(pset)
    other = [n for n in pset.fitted_names() if n not in free]
    if not requested:
        return list(free)
    out: list[str] = []
    for r in requested:
        if r in free:
            hit = [r]
        else:
            hit = [n for n in free if r.strip().lower() in n.lower()]
        if not hit:
            elsewhere = [n for n in other if r == n or r.strip().lower() in n.lower()]
            if len(elsewhere) == 1:
                raise SiznoInputError("--parameters", f"'{elsewhere[0]}' is not a parameter of the half cell's voltage or "
                                      "capacity (a full-cell/cathode parameter, or one only the electrode thickness reads)",
                                      "; ".join(free))
        if len(hit) != 1:
            why = "matches none of" if not hit else f"is ambiguous ({len(hit)} matches) among"
            raise SiznoInputError("--parameters", f"'{r}' {why} the half cell's free parameters", "; ".join(free))
        if hit[0] not in out:
            out.append(hit[0])
    return out


# ------------------------------------------------------------------------ the measured side

@dataclass
class MeasuredStep:
    """One step of the file as the model will run it (index = its place in the protocol, from 1)."""

    index: int
    data_cycle: int
    model_cycle: int
    action: str  # lithiate | delithiate | rest
    current_A: float
    duration_s: float
    end_V: float
    capacity_Ah: float
    voltage_terminated: bool
    selected: bool
    q_Ah: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    V: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))

    def summary(self) -> dict[str, Any]:
        return {"step": self.index, "cycle": self.data_cycle, "action": self.action,
                "current_mA": 1e3 * self.current_A, "duration_h": self.duration_s / 3600,
                "end_V": self.end_V, "capacity_mAh": 1e3 * self.capacity_Ah,
                "terminated_by": ("voltage" if self.voltage_terminated else "time") if self.action != "rest" else "time",
                "fitted": self.selected and self.action != "rest"}


@dataclass
class FitData:
    """A user's file turned into a protocol and the measured observables to fit."""

    source: str
    protocol: Protocol
    steps: list[MeasuredStep]
    cycles: list[int]  # selected data cycles
    cycle_map: dict[int, int]  # model cycle (1…) → data cycle
    capacities_mAh: dict[int, dict[str, float]]  # data cycle → lithiation/delithiation
    cell_overrides: dict[str, Any]
    temperature_C: float | None
    counter: str
    notes: list[str] = field(default_factory=list)

    @property
    def fitted_steps(self) -> list[MeasuredStep]:
        return [s for s in self.steps if s.selected and s.action != "rest" and len(s.V) >= 3]


def _as_cycler_data(data: CyclerData | pd.DataFrame | str | Path, mapping: str | Path | None) -> CyclerData:
    if isinstance(data, CyclerData):
        return data
    if isinstance(data, pd.DataFrame):
        from sizno.io import from_dataframe

        return from_dataframe(data)
    from sizno.io import read

    return read(data, mapping=mapping, mapping_only_for_generic=True)


def prepare_fit_data(
    data: CyclerData | pd.DataFrame | str | Path,
    *,
    mass_mg: float,
    cycles: str | list[int] | None = None,
    temperature_C: float | None = None,
    counter: str = "li",
    current_basis_factor: float | None = None,
    lower_cutoff_V: float | None = None,
    upper_cutoff_V: float | None = None,
    cutoff_tolerance_V: float = 0.01,
    thickness_um: float | None = None,
    electrode_diameter_mm: float | None = None,
    mapping: str | Path | None = None,
) -> FitData:
    """Read the file, pick cycles, infer the protocol and the cell overrides, measure observables."""
    from sizno.cell.half_cell import paper_half_cell
    from sizno.io.metrics import compute_metrics
    from sizno.materials import named_material

    if not (mass_mg is not None and np.isfinite(mass_mg) and mass_mg > 0):
        raise SiznoInputError("--mass-mg", f"must be a positive number, got {mass_mg}", "composite mass of the electrode in mg, > 0")
    if counter not in COUNTERS:
        raise SiznoInputError("--counter", f"unknown counter electrode '{counter}'", ", ".join(COUNTERS))
    cd = _as_cycler_data(data, mapping)
    src = cd.source
    notes: list[str] = []
    df = cd.data
    cyc = df["cycle_count"].to_numpy()
    st = df["step_type"].astype(str).to_numpy()
    # the file's cycles, in order, and which of them are complete (both directions)
    active = st != "rest"
    all_cycles = list(pd.unique(cyc))
    complete = [c for c in all_cycles if {"charge", "discharge"} <= set(st[(cyc == c) & active])]
    selected = parse_cycles(cycles)
    if selected is None:
        if not complete:
            raise SiznoInputError(src, "has no complete cycle (a lithiation and a delithiation)", "a file with at least one complete cycle")
        selected = [int(complete[0])]
        notes.append(f"no --fit-cycles given: fitting the first complete cycle ({selected[0]})")
    missing = [c for c in selected if c not in set(int(x) for x in all_cycles)]
    if missing:
        raise SiznoInputError("--fit-cycles", f"cycle(s) {missing} not in {src}", f"{int(all_cycles[0])}…{int(all_cycles[-1])}")
    last = max(selected)
    first = int(all_cycles[0])
    if first < min(selected):
        notes.append(f"the model starts from the pristine electrode, so cycles {first}–{min(selected) - 1} are simulated too "
                     "(not fitted)")

    # temperature: the user's, else the file's ambient column, else the cell default
    if temperature_C is None and "ambient_temperature_celsius" in df.columns:
        tcol = pd.to_numeric(df["ambient_temperature_celsius"], errors="coerce").to_numpy(dtype=float)
        if np.isfinite(tcol).any():
            temperature_C = float(np.nanmedian(tcol))
            notes.append(f"temperature from the file's ambient column: {temperature_C:.1f} °C")
    if temperature_C is None:
        notes.append("no --temperature-C: the paper's 60 °C is assumed")

    # the rows to simulate, and their steps (a new step wherever cycle or step number changes)
    keep = np.isin(cyc, [c for c in all_cycles if int(c) <= last])
    sub = df.loc[keep].reset_index(drop=True)
    t = sub["test_time_second"].to_numpy(dtype=float)
    V = sub["voltage_volt"].to_numpy(dtype=float)
    I = sub["current_ampere"].to_numpy(dtype=float)
    c_sub = sub["cycle_count"].to_numpy()
    s_sub = sub["step_count"].to_numpy() if "step_count" in sub.columns else np.zeros(len(sub), dtype=int)
    typ = sub["step_type"].astype(str).to_numpy()
    qc = sub["charging_capacity_ah"].to_numpy(dtype=float)
    qd = sub["discharging_capacity_ah"].to_numpy(dtype=float)
    change = np.r_[True, (c_sub[1:] != c_sub[:-1]) | (s_sub[1:] != s_sub[:-1])]
    starts = np.flatnonzero(change)
    ends = np.r_[starts[1:], len(sub)]
    li_in = 0.0
    if counter == "li-in":
        from sizno.materials import load_phases

        li_in = float(load_phases().counter_electrodes["LiIn"].potential_V_vs_Li)
        notes.append(f"voltages are vs Li–In: the model's window is the file's + {li_in:.3f} V (vs Li+/Li)")

    raw_steps = []
    for a, b in zip(starts, ends):
        kind = typ[a]
        dt = float(t[b - 1] - (t[a - 1] if a > 0 else t[a]))
        if kind == "rest" or not np.any(np.abs(I[a:b]) > 0):
            raw_steps.append(dict(kind="rest", a=a, b=b, dt=dt, cycle=int(c_sub[a])))
            continue
        action = "lithiate" if kind == "discharge" else "delithiate"  # half cell
        ai = np.abs(I[a:b])
        icc = float(np.median(ai[ai > 0.5 * ai.max()]))
        cc = np.flatnonzero(ai >= 0.9 * icc)
        b_cc = a + int(cc[-1]) + 1 if cc.size else b
        col = qd if action == "lithiate" else qc
        base = col[a - 1] if a > 0 and c_sub[a - 1] == c_sub[a] else 0.0
        q_all = np.maximum.accumulate(np.clip(col[a:b] - base, 0.0, None))
        q = q_all[: b_cc - a]
        cap = float(q_all[-1]) if q_all.size else 0.0
        if cap > 0 and q.size and (cap - q[-1]) > 0.02 * cap:
            notes.append(f"cycle {int(c_sub[a])} {action} step: a constant-voltage (or falling-current) tail holds "
                         f"{100 * (cap - q[-1]) / cap:.1f} % of its charge; the model runs the CC part only")
        dt_cc = float(t[b_cc - 1] - (t[a - 1] if a > 0 else t[a]))
        raw_steps.append(dict(kind=action, a=a, b=b_cc, dt=dt_cc, cycle=int(c_sub[a]), I=icc, q=q, V=V[a:b_cc] + li_in,
                              endV=float(V[b_cc - 1] + li_in), cap=float(q[-1]) if q.size else 0.0))
    # the voltage window (vs Li+/Li)
    lith_end = [s["endV"] for s in raw_steps if s["kind"] == "lithiate"]
    delith_end = [s["endV"] for s in raw_steps if s["kind"] == "delithiate"]
    if not lith_end:
        raise SiznoInputError(src, f"no lithiation (tester discharge) step in cycles {first}–{last}",
                              "a half-cell file whose discharge lithiates the working electrode")
    lo = lower_cutoff_V + li_in if lower_cutoff_V is not None else round(min(lith_end), 4)
    hi = upper_cutoff_V + li_in if upper_cutoff_V is not None else round(max(delith_end), 4) if delith_end else 2.0
    if lower_cutoff_V is None or upper_cutoff_V is None:
        notes.append(f"voltage window from the file: {lo:.3f}–{hi:.3f} V vs Li+/Li")
    if not lo < hi:
        raise SiznoInputError("voltage window", f"lower {lo:.3f} V is not below upper {hi:.3f} V", "lower < upper")

    overrides: dict[str, Any] = {"composite_mass_mg": float(mass_mg), "lower_cutoff_V": lo, "upper_cutoff_V": hi,
                                 "current_basis_factor": current_basis_factor, "thickness_um": thickness_um,
                                 "electrode_diameter_mm": electrode_diameter_mm}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    # the cell's current basis (to express currents per gram; the model's current in A stays the measured one)
    cell = paper_half_cell(named_material("si"), **overrides)
    basis_g = cell.current_basis_factor * cell.composite_mass_g

    blocks: list[Block] = []
    steps: list[MeasuredStep] = []
    cycle_map: dict[int, int] = {}
    cur_cycle, cur_steps = None, []
    sel = set(selected)
    for s in raw_steps:
        if s["cycle"] != cur_cycle:
            if cur_steps:
                blocks.append(Block(label=f"cycle {cur_cycle}", repeat=1, steps=cur_steps))
            cur_cycle, cur_steps = s["cycle"], []
            cycle_map[len(blocks) + 1] = s["cycle"]
        idx = len(steps) + 1
        if s["kind"] == "rest":
            if s["dt"] <= 0:
                continue
            step = Step(action="rest", duration_h=s["dt"] / 3600)
            ms = MeasuredStep(idx, s["cycle"], len(blocks) + 1, "rest", 0.0, s["dt"], float(V[s["b"] - 1] + li_in), 0.0, False,
                              s["cycle"] in sel)
        else:
            a_per_g = s["I"] / basis_g
            if not (0 < a_per_g <= 100):
                raise SiznoInputError("--mass-mg", f"the file's current {1e3 * s['I']:.4g} mA is {a_per_g:.4g} A/g on "
                                      f"{cell.current_basis_factor:g} × {mass_mg:g} mg", "a mass giving 0–100 A/g")
            lim = lo if s["kind"] == "lithiate" else hi
            vterm = abs(s["endV"] - lim) <= cutoff_tolerance_V
            dur = max(s["dt"], 1.0)
            step = Step(action=s["kind"], current_A_per_g=a_per_g, duration_h=(2.0 * dur if vterm else dur) / 3600)
            ms = MeasuredStep(idx, s["cycle"], len(blocks) + 1, s["kind"], s["I"], s["dt"], s["endV"], s["cap"], vterm,
                              s["cycle"] in sel, q_Ah=s["q"], V=s["V"])
        cur_steps.append(step)
        steps.append(ms)
    if cur_steps:
        blocks.append(Block(label=f"cycle {cur_cycle}", repeat=1, steps=cur_steps))
    protocol = Protocol(name=f"from {Path(src).name}", description=f"inferred from {src}, cycles {first}–{last}",
                        source=src, blocks=blocks)
    if not any(s.selected and s.action != "rest" and len(s.V) >= 3 for s in steps):
        raise SiznoInputError(src, f"cycles {selected} have no charge or discharge step with at least 3 points", "")

    m = compute_metrics(cd, mass_mg=mass_mg)
    caps = {}
    for _, r in m.cycles.iterrows():
        c = int(r["cycle_index"])
        if c in sel:
            caps[c] = {"lithiation": float(r["lithiation_capacity_mAh"]), "delithiation": float(r["delithiation_capacity_mAh"])}
    return FitData(source=src, protocol=protocol, steps=steps, cycles=list(selected), cycle_map=cycle_map,
                   capacities_mAh=caps, cell_overrides=overrides, temperature_C=temperature_C, counter=counter,
                   notes=list(cd.notes) + notes)


# ------------------------------------------------------------------------ the model side

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
            from scipy.interpolate import PchipInterpolator

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
            for c in self.data.cycles:
                for d in ("lithiation", "delithiation"):
                    qm = self.data.capacities_mAh.get(c, {}).get(d, 0.0)
                    if qm > 0:
                        self.labels.append(f"cycle {c} {d} capacity")
                        meas.append(np.array([1.0 / self._qscale]))
            self.blocks.append(("capacities", slice(i0, len(self.labels))))
        self.measured = np.concatenate(meas) if meas else np.zeros(0)

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
            cy = result.cycles
            by_data = {}
            if cy is not None and len(cy):
                for _, r in cy.iterrows():
                    dc = self.data.cycle_map.get(int(r["cycle_index"]))
                    by_data[dc] = r
            for c in self.data.cycles:
                for d in ("lithiation", "delithiation"):
                    qm = self.data.capacities_mAh.get(c, {}).get(d, 0.0)
                    if qm > 0:
                        r = by_data.get(c)
                        qmod = float(r[f"{d}_capacity_mAh"]) if r is not None else np.nan
                        out.append(np.array([qmod / qm / self._qscale]))
        return np.concatenate(out) if out else np.zeros(0)

    def fit_problem(self, measured: np.ndarray | None = None) -> FitProblem:
        target = self.measured if measured is None else measured

        def residuals(pset: ParameterSet) -> np.ndarray:
            return self.observables(self.run(pset)) - target

        return FitProblem(names=list(self.names), residuals=residuals, labels=list(self.labels))


# ------------------------------------------------------------------------ fit, report, bootstrap

@dataclass
class UserFitResult:
    fit: FitResult
    problem: UserFitProblem
    best: RunResult
    report: dict[str, Any]
    held: dict[str, float]
    uncertainty_bootstrap: dict[str, float] | None = None
    uncertainty_central: dict[str, float] | None = None
    poorly_determined: list[str] = field(default_factory=list)
    bootstrap_values: list[dict[str, float]] | None = None
    start: dict[str, float] = field(default_factory=dict)

    @property
    def values(self) -> dict[str, float]:
        return self.fit.values

    def to_dict(self) -> dict[str, Any]:
        d = self.problem.data
        return {
            "file": d.source,
            "material": self.problem.material,
            "cycles": d.cycles,
            "target": self.problem.target,
            "values": self.fit.values,
            "start": self.start,
            "held": self.held,
            "uncertainty_relative_1sigma": self.fit.uncertainty_relative,
            "uncertainty_relative_bootstrap": self.uncertainty_bootstrap,
            "uncertainty_relative_central": self.uncertainty_central,
            "poorly_determined": self.poorly_determined,
            "evaluations": self.fit.n_evaluations,
            "cost": self.fit.cost,
            "success": self.fit.success,
            "message": self.fit.message,
            "report": self.report,
            "protocol": [s.summary() for s in d.steps],
            "cell": d.cell_overrides,
            "temperature_C": d.temperature_C,
            "mesh_points": self.problem.mesh_points,
            "notes": d.notes,
        }


def residual_report(problem: UserFitProblem, result: RunResult) -> dict[str, Any]:
    """Per fitted step: capacities and voltage errors on the grid; per cycle: capacity errors."""
    data = problem.data
    ms = model_steps(result, data.counter)
    steps = []
    for s in data.fitted_steps:
        q, V = ms.get(s.index, (np.zeros(0), np.zeros(0)))
        err = _curve_on_grid(q, V, problem.grid, smooth=True) - _curve_on_grid(s.q_Ah, s.V, problem.grid)
        qmod = float(q[-1]) if q.size else float("nan")
        steps.append({
            "step": s.index, "cycle": s.data_cycle, "action": s.action, "current_mA": 1e3 * s.current_A,
            "measured_capacity_mAh": 1e3 * s.capacity_Ah, "model_capacity_mAh": 1e3 * qmod,
            "capacity_error_percent": 100 * (qmod / s.capacity_Ah - 1) if s.capacity_Ah > 0 else float("nan"),
            "voltage_rms_mV": float(1e3 * np.sqrt(np.nanmean(err**2))) if np.isfinite(err).any() else float("nan"),
            "voltage_max_abs_mV": float(1e3 * np.nanmax(np.abs(err))) if np.isfinite(err).any() else float("nan"),
            "voltage_mean_mV": float(1e3 * np.nanmean(err)) if np.isfinite(err).any() else float("nan"),
        })
    cycles = []
    by_data = {data.cycle_map.get(int(r["cycle_index"])): r for _, r in result.cycles.iterrows()} if len(result.cycles) else {}
    for c in data.cycles:
        r = by_data.get(c)
        row = {"cycle": c}
        for d in ("lithiation", "delithiation"):
            qm = data.capacities_mAh.get(c, {}).get(d, float("nan"))
            qmod = float(r[f"{d}_capacity_mAh"]) if r is not None else float("nan")
            row[f"measured_{d}_mAh"] = qm
            row[f"model_{d}_mAh"] = qmod
            row[f"{d}_error_percent"] = 100 * (qmod / qm - 1) if qm and qm > 0 else float("nan")
        qm_l, qm_d = row["measured_lithiation_mAh"], row["measured_delithiation_mAh"]
        row["measured_ce_percent"] = 100 * qm_d / qm_l if qm_l and qm_l > 0 else float("nan")
        ml, md = row["model_lithiation_mAh"], row["model_delithiation_mAh"]
        row["model_ce_percent"] = 100 * md / ml if ml and ml > 0 else float("nan")
        cycles.append(row)
    rms = [s["voltage_rms_mV"] for s in steps if np.isfinite(s["voltage_rms_mV"])]
    return {
        "steps": steps,
        "cycles": cycles,
        "voltage_rms_mV": float(np.sqrt(np.mean(np.square(rms)))) if rms else None,
        "model_completed": result.completed,
        "model_stop_reason": result.stop_reason,
        "weights": {"voltage_tolerance_mV": problem.voltage_tolerance_mV,
                    "capacity_tolerance_percent": problem.capacity_tolerance_percent,
                    "grid": f"{problem.grid_points} points on {GRID_LO}–{GRID_HI} of each step's own capacity"},
    }


def central_uncertainty(problem: UserFitProblem, pset: ParameterSet, values: dict[str, float], r0: np.ndarray,
                        step_log10: float = 0.05, step_linear: float = 0.02,
                        on_evaluation: Callable[[float], None] | None = None) -> dict[str, float]:
    """1-sigma relative uncertainties as the core computes them, (JᵀJ)⁻¹·s², but with a central-difference
    Jacobian over a wide step (±0.05 in log10, ±2 % of the bounds' span for linear parameters).

    The core's Jacobian comes from steps of 1e-3 in scaled coordinates; where a parameter barely
    moves the model, solver noise at that scale inflates the Jacobian and makes the 1-sigma look
    far too small. Comparing the two flags such parameters.
    """
    names = list(values)
    cols = []
    for n in names:
        lo, hi = pset.entries[n].bounds
        lg = lo > 0
        u = np.log10(values[n]) if lg else values[n]
        h = step_log10 if lg else step_linear * (hi - lo)
        a, b = (np.log10(lo), np.log10(hi)) if lg else (lo, hi)
        up, dn = min(u + h, b), max(u - h, a)
        rs = []
        for uu in (up, dn):
            v = 10**uu if lg else uu
            r = problem.observables(problem.run(pset.with_values({**values, n: v}))) - problem.measured
            r = np.where(np.isfinite(r), r, 10.0)
            if on_evaluation:
                on_evaluation(float(np.sum(r**2)))
            rs.append(r)
        cols.append((rs[0] - rs[1]) / (up - dn) if up > dn else np.zeros_like(r0))
    J = np.column_stack(cols)
    r0 = np.where(np.isfinite(r0), r0, 10.0)
    s2 = float(np.sum(r0**2)) / max(1, len(r0) - len(names))
    sig = np.sqrt(np.clip(np.diag(np.linalg.pinv(J.T @ J) * s2), 0, None))
    out = {}
    for n, si in zip(names, sig):
        lg = pset.entries[n].bounds[0] > 0
        out[n] = float(10**si - 1) if lg else (float(si / abs(values[n])) if values[n] else float("nan"))
    return out


def _block_resample(r: np.ndarray, rng: np.random.Generator, block: int) -> np.ndarray:
    n = r.size
    if n == 0:
        return r
    block = max(1, min(block, n))
    out = np.empty(n)
    k = 0
    while k < n:
        s = int(rng.integers(0, n))
        take = min(block, n - k)
        out[k:k + take] = r[(s + np.arange(take)) % n]
        k += take
    return out


def fit_user_data(
    data: FitData,
    material: str,
    *,
    parameters: list[str] | None = None,
    pset: ParameterSet | None = None,
    start: dict[str, float] | None = None,
    mesh_points: int = DEFAULT_MESH_POINTS,
    target: str = "both",
    grid_points: int = 40,
    voltage_tolerance_mV: float = 10.0,
    capacity_tolerance_percent: float = 1.0,
    max_evaluations: int = 30,
    bootstrap: int = 0,
    check_jacobian: bool = True,
    seed: int = 0,
    on_evaluation: Callable[[float], None] | None = None,
) -> UserFitResult:
    """Fit `parameters` (default: every free parameter) of the model of `material` to `data`."""
    from sizno.materials import named_material

    named_material(material)  # raises a SiznoInputError for an unknown material
    if not 5 <= mesh_points <= 200:
        raise SiznoInputError("--mesh-points", f"got {mesh_points}", "5–200")
    if max_evaluations < 1:
        raise SiznoInputError("--max-evaluations", f"got {max_evaluations}", ">= 1")
    pset = pset or load_parameter_set()
    names = resolve_parameter_names(parameters, pset)
    held = {}
    for n in pset.fitted_names():
        if n in names:
            continue
        v = pset.entries[n].value
        if v is None:
            raise SiznoInputError("--parameters", f"'{n}' is held but has no value (no calibrated set: run `sizno calibrate`)",
                                  "fit it too, or pass --start FILE with its value")
        held[n] = float(v)
    problem = UserFitProblem(data, material, names, pset, mesh_points, target, grid_points, voltage_tolerance_mV,
                             capacity_tolerance_percent)
    x0 = {n: float(start[n]) for n in names if start and n in start} or None
    start_used = {}
    for n in names:
        v = (x0 or {}).get(n, pset.entries[n].value)
        start_used[n] = float(v) if v is not None else float("nan")
    res = fit(problem.fit_problem(), pset, x0=x0, max_evaluations=max_evaluations, on_evaluation=on_evaluation)
    best_pset = pset.with_values(res.values)
    best = problem.run(best_pset)
    report = residual_report(problem, best)
    out = UserFitResult(fit=res, problem=problem, best=best, report=report, held=held, start=start_used)
    r_best = problem.observables(best) - problem.measured
    if check_jacobian:
        out.uncertainty_central = central_uncertainty(problem, pset, res.values, r_best, on_evaluation=on_evaluation)
    for n in names:
        a = res.uncertainty_relative.get(n, float("nan"))
        b = (out.uncertainty_central or {}).get(n, a)
        lo, hi = pset.entries[n].bounds
        wide = (np.isfinite(a) and a > 1.0) or (np.isfinite(b) and b > 1.0)
        disagree = np.isfinite(a) and np.isfinite(b) and max(a, b) > 2 * max(min(a, b), 1e-12) and max(a, b) > 0.05
        at_bound = np.isclose(res.values[n], lo, rtol=1e-3) or np.isclose(res.values[n], hi, rtol=1e-3)
        if wide or disagree or at_bound or not (np.isfinite(a) and np.isfinite(b)):
            out.poorly_determined.append(n)
            why = ("at a bound" if at_bound else "1-sigma above 100 %" if wide else
                   "the Jacobian's 1-sigma changes with its step (fine step: noise, not sensitivity)" if disagree else
                   "no finite uncertainty")
            problem.data.notes.append(f"'{n}' is poorly determined by these data ({why}): Jacobian 1-sigma {100 * a:.3g} %, "
                                      f"wide-step 1-sigma {100 * b:.3g} %; treat its value as a guess")
    if bootstrap > 0:
        rng = np.random.default_rng(seed)
        obs = problem.observables(best)
        r0 = r_best
        blk = max(1, grid_points // 5)
        samples = []
        for _ in range(bootstrap):
            rs = np.empty_like(r0)
            for what, sl in problem.blocks:
                rs[sl] = _block_resample(r0[sl], rng, blk if what.startswith("curve") else 1)
            b = fit(problem.fit_problem(obs - rs), pset, x0=res.values, max_evaluations=max(3, max_evaluations // 3),
                    on_evaluation=on_evaluation)
            samples.append(b.values)
        unc = {}
        for n in names:
            v = np.array([s[n] for s in samples])
            lo_b = pset.entries[n].bounds[0]
            if lo_b is not None and lo_b > 0:
                unc[n] = float(10 ** np.std(np.log10(v), ddof=1) - 1) if len(v) > 1 else float("nan")
            else:
                unc[n] = float(np.std(v, ddof=1) / abs(res.values[n])) if len(v) > 1 and res.values[n] else float("nan")
        out.uncertainty_bootstrap = unc
        out.bootstrap_values = samples
    return out


# ------------------------------------------------------------------------ output

def _toml_clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _toml_clean(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, (list, tuple)):
        return [_toml_clean(v) for v in obj if v is not None]
    if isinstance(obj, (np.floating, np.integer, np.bool_)):
        return obj.item()
    return obj


def write_fitted_parameters(result: UserFitResult, path: str | Path) -> Path:
    """`[values]` (every free parameter) + `[fit]` metadata; `sizno simulate --parameters FILE` reads it."""
    import tomli_w

    d = result.problem.data
    p = result.problem
    values = {**result.held, **result.fit.values}
    fitmeta: dict[str, Any] = {
        "written_by": "sizno fit",
        "date": _dt.date.today().isoformat(),
        "file": d.source,
        "material": p.material,
        "cycles": d.cycles,
        "temperature_C": d.temperature_C if d.temperature_C is not None else "paper default (60)",
        "counter": d.counter,
        "cell": d.cell_overrides,
        "target": p.target,
        "mesh_points": p.mesh_points,
        "fitted": list(result.fit.values),
        "held": list(result.held),
        "method": "sizno.fitting.core.fit: scipy least_squares (trf), log-scaled positive parameters, within bounds",
        "evaluations": result.fit.n_evaluations,
        "cost": result.fit.cost,
        "success": result.fit.success,
        "message": result.fit.message,
        "voltage_rms_mV": result.report.get("voltage_rms_mV"),
        "start": result.start,
        "uncertainty_relative_1sigma": result.fit.uncertainty_relative,
        "residuals": {"steps": result.report["steps"], "cycles": result.report["cycles"]},
        "notes": d.notes,
    }
    if result.uncertainty_central is not None:
        fitmeta["uncertainty_relative_central"] = result.uncertainty_central
    fitmeta["poorly_determined"] = result.poorly_determined
    if result.uncertainty_bootstrap is not None:
        fitmeta["uncertainty_relative_bootstrap"] = result.uncertainty_bootstrap
        fitmeta["bootstrap_samples"] = len(result.bootstrap_values or [])
    doc = {"values": values, "fit": fitmeta}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(_toml_clean(doc)))
    return path
