"""Build once, run many: a cell model discretised once per process, stepped through a protocol's steps.

Every number in the model's parameter values enters as a PyBaMM input parameter, except those the
mesh is made from (electrode thicknesses, particle radius): changing what a calibration, a fit, a
sweep or a prediction band varies passes new inputs to the same discretised model and the same
solver (its CasADi functions, compiled to C once per structure and cached on disk by PyBaMM).
Models are cached per process and thread, keyed by their structure: the cell model, the mesh, the
mesh-making values, the parameter names and the variables the solver returns.

Each protocol step is one `solver.step` from the previous step's last state: the step's current
and its voltage cut-off are inputs too. The cut-off is one event, "Voltage cut-off [experiment]",
`d (V - V_cut) + (1 - d^2)`: d = +1 stops a step when V falls to V_cut, d = -1 when it rises to it,
d = 0 (a rest) never.
"""

from __future__ import annotations

import numbers
import os
import shutil
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pybamm

from sizno.models.anode import states
from sizno.models.full_cell import FullCellModel
from sizno.models.anode.populations import SHEET_POPULATIONS
from sizno.models.half_cell import HalfCellModel
from sizno.models.solver import idaklu_solver

CURRENT_INPUT = "Current function [A]"
CUTOFF_INPUT = "Step cut-off voltage [V]"
DIRECTION_INPUT = "Step cut-off direction [-]"
CUTOFF_EVENT = "Voltage cut-off [experiment]"
# the engine's tolerances: with the filtered hysteresis, a looser rtol costs fewer steps, not more
# (README "Speed"): rtol 3e-6 takes ~14 % fewer steps than 1e-6. 1e-5 (25 % fewer) left the user-fit
# round trip a residual of 0.0105 at the truth (test limit 0.01; 0.0027 at 3e-6); atol 1e-7 smeared
# pure Si's first-lithiation dip (a few mV) to 0.2 mV
RTOL, ATOL = 3e-6, 1e-8
# absolute tolerances per state where ATOL is far below what the state's size needs (prefix of the state's
# name, so that the tagged states of sheet populations match too). ATOL 1e-8 suits the Li amounts (0..1,
# the Li balance is tested to 1e-6); the hysteresis state h (-1..1) mixes two OCP branches ~0.3 V apart,
# so 1e-4 in h is 0.03 mV, and IDA spent its steps resolving h to 1e-8 as it crosses zero after each
# current reversal; the filtered lithiation rate (c - c_f) / tau (tau 10 s) is ~1e-4-1e-3 per s, so 1e-5 in
# the filtered mobile Li c_f is 1e-6 per s in the rate, 1e-3-1e-2 of it (c_f holds no Li: the balance
# does not see it). 1e-8 there took 6 % more steps (2026-11-30).
# Measured (benchmarks/solver_options.py, rate test, mesh 12): 451 -> 367 steps per half cycle, every
# capacity the same to 0.1 mAh/g
STATE_ATOL: dict[str, float] = {"Hysteresis state": 1e-4, "Filtered mobile lithium": 1e-5}
# IDAKLU options beyond PyBaMM's defaults (issue 14's solver levers, measured in benchmarks/solver_options.py).
# Newton iterations per step: 4, SUNDIALS IDA's own default (IDASetMaxNonlinIters), where PyBaMM sets 40: an
# iteration that has not converged in 4 is better cut (a shorter step with a fresh Jacobian) than pushed on.
# Measured 2026-11-30 (rate tests of Si–ZnO4 and Si, mesh 12, one core, median of 5): CPU 3.95 -> 3.66 s (3: 3.53,
# 5: 3.75), capacities moved < 0.001 %
SOLVER_OPTIONS: dict[str, object] = {"max_nonlinear_iterations": 4}
# SIZNO_COMPILE_MODELS=1: the solver's CasADi functions compiled to C (PyBaMM's "compile" option; gcc,
# ~20-40 s CPU once per model structure, then cached on disk by PyBaMM): ~1.8x faster per solver step.
# =0: never. Unset: only where a command asks for it (`compile_long_runs`) and gcc is on the PATH;
# when a compile fails, PyBaMM keeps the uncompiled functions (same results, slower; its warning is
# below the ERROR level sizno logs PyBaMM at)
COMPILE_ENV = "SIZNO_COMPILE_MODELS"
CACHE_SIZE = 8  # built models kept per thread (a half and a full cell at two meshes, with room)
# the counter a test reads: how many models this process has discretised (a second run with other
# parameter values must not add one)
BUILD_COUNT = {"n": 0}


@dataclass(frozen=True)
class StepSpec:
    """One protocol step as the engine runs it: model current [A], time limit [s], cut-off [V] and its direction."""

    current_A: float
    duration_s: float
    cutoff_V: float = 0.0
    direction: int = 0  # +1: stop when V falls to cutoff_V; -1: when it rises to it; 0: no cut-off


def step_specs(pybamm_steps: list) -> list[StepSpec]:
    """The engine's form of `sizno.experiments.protocols.pybamm_steps` (constant-current steps and rests)."""
    out = []
    for st in pybamm_steps:
        value = float(st.value) if isinstance(st.value, numbers.Number) else 0.0
        terms = [t for t in st.termination if isinstance(t, pybamm.step.VoltageTermination)]
        if not terms:
            out.append(StepSpec(value, float(st.duration)))
            continue
        t = terms[0]
        out.append(StepSpec(value, float(st.duration), float(t.value), 1 if t.operator == "<" else -1))
    return out


def _geometry_parameter_names(geometry: dict) -> set[str]:
    """Names of the parameters the geometry (hence the mesh) is made from."""
    names: set[str] = set()
    for dom in geometry.values():
        for bounds in dom.values():
            if isinstance(bounds, dict):
                for sym in bounds.values():
                    if isinstance(sym, pybamm.Symbol):
                        names |= {s.name for s in sym.pre_order() if isinstance(s, pybamm.Parameter)}
    return names


def cell_model(full_cell: bool, populations: int = SHEET_POPULATIONS) -> pybamm.BaseModel:
    """A fresh symbolic model of the full cell or of the half cell, its anode in `populations` sheet populations."""
    return FullCellModel(populations=populations) if full_cell else HalfCellModel(populations=populations)


class BuiltModel:
    """One discretised model and its solver; `step` runs one protocol step with given parameter inputs."""

    def __init__(self, full_cell: bool, values: pybamm.ParameterValues, var_pts: dict, input_names: tuple[str, ...],
                 output_variables: tuple[str, ...], first_step_s: float | None, compile: bool = False):
        model = cell_model(full_cell)
        d, v_cut = pybamm.InputParameter(DIRECTION_INPUT), pybamm.InputParameter(CUTOFF_INPUT)
        model.events.append(pybamm.Event(CUTOFF_EVENT, d * (model.variables["Voltage [V]"] - v_cut) + (1 - d * d)))
        model.variables.update({n: model.variables[_source_name(n)] for n in output_variables})
        symbolic = values.copy()
        symbolic.update({n: "[input]" for n in input_names})
        geometry = model.default_geometry
        symbolic.process_geometry(geometry)
        mesh = pybamm.Mesh(geometry, model.default_submesh_types, var_pts)
        disc = pybamm.Discretisation(mesh, model.default_spatial_methods, check_model=False)
        model = symbolic.process_model(model, inplace=True)
        self.model = disc.process_model(model, inplace=True)
        self.model.atol = state_atol(self.model)  # IDAKLU reads a model's own per-state atol
        self.anode_cell_widths_m = np.diff(mesh[states.DOMAIN].edges)  # the finite volumes through the anode
        BUILD_COUNT["n"] += 1
        self.input_names = input_names
        self.solver = idaklu_solver(list(output_variables) or None, first_step_s, rtol=RTOL, atol=ATOL, compile=compile,
                                    options=SOLVER_OPTIONS)

    def inputs(self, values: pybamm.ParameterValues, step: StepSpec) -> dict[str, float]:
        out = {n: float(values[n]) for n in self.input_names}
        out.update({CURRENT_INPUT: step.current_A, CUTOFF_INPUT: step.cutoff_V, DIRECTION_INPUT: float(step.direction)})
        return out

    def step(self, last: pybamm.Solution | None, step: StepSpec, values: pybamm.ParameterValues,
             dense: bool = False) -> pybamm.Solution | None:
        """The step's solution from `last`'s final state (None: the model's initial state); None when the
        step's cut-off is met at its start. Raises pybamm.SolverError when the solver fails.

        The outputs come on `output_times_s` (IDA's own interpolant between its steps), densely for a step
        whose curve is kept (`dense`), so a curve's resolution does not depend on how long IDA's steps are."""
        try:
            sol = self.solver.step(last, self.model, step.duration_s, t_eval=[0, step.duration_s],
                                   t_interp=output_times_s(step.duration_s, dense), save=False,
                                   inputs=self.inputs(values, step))
        except pybamm.SolverError as exc:
            if "non-positive at initial conditions" in str(exc) and CUTOFF_EVENT in str(exc):
                return None
            raise
        return sol


# output times of a step, evenly over its time limit (a CC step stops at 20-70 % of it). A step whose curve is
# kept: 800 (~300-1000 points before its cut-off) plus points spaced geometrically from 1 ms for the opening
# transient. Any other step: 20, for its end state and the running maximum of its solid fraction (the
# thickness; within 1e-4 of 100 points over 200 cycles); its charge and energy are states, exact at its end.
# At IDA's own steps (~370 per half cycle) the solver evaluated every output variable at every step: a quarter
# of the rate test's CPU time (measured 2026-11-30: 1.28 -> 0.97 s); 100 points with the opening's 40 cost 5 %
# more than 20 over 200 cycles
DENSE_POINTS_PER_STEP = 800
SUMMARY_POINTS_PER_STEP = 20
OPENING_POINTS = 40


def output_times_s(duration_s: float, dense: bool = True) -> np.ndarray:
    """Output times [s] of a step of at most `duration_s` (the solver stops at its cut-off before)."""
    if not dense:
        return np.linspace(0.0, duration_s, SUMMARY_POINTS_PER_STEP)
    opening = np.geomspace(1e-3, max(duration_s, 2e-3), OPENING_POINTS)
    even = np.linspace(0.0, duration_s, DENSE_POINTS_PER_STEP)
    return np.unique(np.concatenate([even, opening[opening < duration_s]]))


def state_atol(model: pybamm.BaseModel) -> np.ndarray:
    """The discretised model's absolute tolerance per state: ATOL, or STATE_ATOL's value by name prefix."""
    atol = np.full(model.len_rhs_and_alg, ATOL)
    for variable, slices in model.y_slices.items():
        value = next((v for prefix, v in STATE_ATOL.items() if variable.name.startswith(prefix)), None)
        if value is not None:
            for sl in slices:
                atol[sl] = value
    return atol


def carry_on_state(sol: pybamm.Solution) -> pybamm.Solution:
    """`sol`'s final state at time 0, as the start of the next step. Each step starts its clock at 0: at
    a long run's test time (~1e6 s after 200 cycles) IDA cannot resolve the microsecond steps that a
    step's opening transient needs (t + h rounds to t), and it failed the first lithiation after
    195 cycles that a clock at 0 runs. Whatever event ended `sol`, the next step runs from it."""
    last = sol.last_state
    return pybamm.Solution([np.zeros(1)], last.all_ys, last.all_models, last.all_inputs, termination="final time")


def _source_name(name: str) -> str:
    return name.replace("[dimensionless]", "[-]")


_local = threading.local()


@lru_cache(maxsize=2)
def _geometry_names(full_cell: bool) -> frozenset[str]:
    return frozenset(_geometry_parameter_names(cell_model(full_cell).default_geometry))


def built_model(full_cell: bool, values: pybamm.ParameterValues, var_pts: dict, output_variables: tuple[str, ...],
                first_step_s: float | None = None) -> BuiltModel:
    """The cached model for this structure, built on first use (see the module doc for the key)."""
    geometry = _geometry_names(full_cell)
    input_names = tuple(sorted(n for n, v in values.items()
                               if n not in geometry and isinstance(v, numbers.Number) and n != CURRENT_INPUT))
    compile = compiling()
    key = (full_cell, tuple(sorted(var_pts.items())), states.MESH_STRETCH, tuple((n, float(values[n])) for n in sorted(geometry)),
           input_names, output_variables, first_step_s, compile, RTOL, ATOL, tuple(sorted(SOLVER_OPTIONS.items())))
    cache: OrderedDict = getattr(_local, "cache", None) or OrderedDict()
    _local.cache = cache
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    values = values.copy()
    values.update({CURRENT_INPUT: 0.0}, check_already_exists=False)
    built = BuiltModel(full_cell, values, var_pts, input_names + (CURRENT_INPUT,), output_variables, first_step_s, compile)
    cache[key] = built
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)
    return built


def compile_long_runs() -> None:
    """Compile the models' functions to C from now on (this process and the workers it starts), unless
    SIZNO_COMPILE_MODELS is set or gcc is not on the PATH: for commands that run the models long enough to
    repay the compile (measured in README "Speed")."""
    if not os.environ.get(COMPILE_ENV, "").strip() and _c_compiler_found():
        os.environ[COMPILE_ENV] = "1"


def compiling() -> bool:
    """Whether models built now get compiled functions (see COMPILE_ENV)."""
    return os.environ.get(COMPILE_ENV, "").strip() not in ("", "0")


@lru_cache(maxsize=1)
def _c_compiler_found() -> bool:
    return shutil.which("gcc") is not None  # PyBaMM's compiler


def clear_cache() -> None:
    """Forget this thread's built models (the next run builds afresh)."""
    _local.cache = OrderedDict()
