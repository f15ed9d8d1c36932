"""Run a protocol on a half or full cell: cell + model + parameters + protocol -> RunResult."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import pybamm

from sizno.cell import FullCell, HalfCell, paper_full_cell, paper_half_cell
from sizno.errors import RunInterrupted
from sizno.experiments import engine, interrupt
from sizno.models.anode.populations import SHEET_POPULATIONS
from sizno.models.anode.transport import pristine_solid_fraction
from sizno.experiments.protocols import Protocol, load_protocol, pybamm_experiment, pybamm_steps
from sizno.materials import Composite, named_material
from sizno.models.build import full_cell_parameter_values, half_cell_parameter_values
from sizno.models.mesh import CATHODE_MESH_POINTS, DEFAULT_MESH_POINTS, QUICK_MESH_POINTS  # noqa: F401 (re-exported)
from sizno.models.parameters import ParameterSet, load_parameter_set
from sizno.models.solver import idaklu_solver
from sizno.results import RunResult
from sizno.results.cycle_formulas import capacity_mAh_per_g, coulombic_efficiency_percent, mean_voltage_V
from sizno.results.run import FULL_CELL_CYCLE_COLUMNS, HALF_CELL_CYCLE_COLUMNS
from sizno.results.states import STATE_COLUMNS
from sizno.results.thickness import ThicknessTracker
from sizno.units import Ah_to_mAh, g_to_mg, m_to_um

MAX_SKIPPED_STEPS = 60  # steps that could not run: beyond this many the run stops and says so
pybamm.set_logging_level("ERROR")
logging.getLogger("pybamm").setLevel(logging.ERROR)

Cell = HalfCell | FullCell

NO_CURVES: frozenset[int] = frozenset()  # `timeseries_cycles` of a run that needs only its cycle table


@dataclass(frozen=True)
class Bookkeeping:
    """What differs between a half and a full cell for the runner: the model, its parameter values and
    mesh, and how steps are named, counted and reported. Chosen once per run (`_books`)."""

    label: str  # "half cell" / "full cell"
    full_cell: bool  # which model the engine builds
    actions: tuple[str, str]  # names of a step with (positive, negative) model current
    efficiency: tuple[str, str]  # coulombic efficiency = capacity of [0] / capacity of [1]
    columns: tuple[str, ...]
    mass_g: Callable[[Cell], float]  # the mass capacities are given per gram of
    basis: str
    setting_column: str  # the cycle table's column of the step's set current
    bdf_current_sign: float  # model current -> BDF current (+ charges the cell)
    extra_outputs: dict[str, str]  # time-series column -> model variable, beyond the common ones
    derived_columns: Callable[[dict[str, np.ndarray], pybamm.ParameterValues], dict[str, np.ndarray]]
    parameter_values: Callable[[Cell, ParameterSet], pybamm.ParameterValues]
    anode: Callable[[Cell], HalfCell]  # the Si-composite electrode's cell
    design: Callable[[Cell], dict]  # the cell's design, for the run's metadata


def _var_pts(books: Bookkeeping, mesh_points: int, cathode_mesh_points: int = CATHODE_MESH_POINTS) -> dict[str, int]:
    return {"x_n": mesh_points, **({"x_p": cathode_mesh_points, "r_p": cathode_mesh_points} if books.full_cell else {})}


# columns that follow from the common ones and the parameter values, computed here rather than by the solver
# at every output point (each output variable is a function call per point)
def _half_cell_columns(part: dict[str, np.ndarray], values: pybamm.ParameterValues) -> dict[str, np.ndarray]:
    return {"voltage_vs_li_in_volt": part["voltage_volt"] - values["Li-In potential [V]"]}


def _full_cell_columns(part: dict[str, np.ndarray], values: pybamm.ParameterValues) -> dict[str, np.ndarray]:
    return {"discharge_capacity_ah": -part["lithiated_charge_ah"]}  # the model's "Discharge capacity [A.h]"


HALF_CELL_BOOKS = Bookkeeping(
    "half cell", False, ("lithiation", "delithiation"), ("delithiation", "lithiation"), HALF_CELL_CYCLE_COLUMNS,
    lambda cell: cell.composite_mass_g, "per gram of composite", "current_A_per_g", -1.0,
    {}, _half_cell_columns, half_cell_parameter_values, lambda cell: cell,
    lambda cell: {"composite_mass_mg": cell.composite_mass_mg, "thickness_um": cell.thickness_um,
                  "current_basis_factor": cell.current_basis_factor})
FULL_CELL_BOOKS = Bookkeeping(
    "full cell", True, ("discharge", "charge"), ("discharge", "charge"), FULL_CELL_CYCLE_COLUMNS,
    lambda cell: cell.ncm_mass_g, "per gram of NCM811", "c_rate", 1.0,
    {"cathode_potential_volt": "Cathode potential [V]", "anode_potential_volt": "Anode potential [V]"},
    _full_cell_columns, full_cell_parameter_values, lambda cell: cell.anode,
    lambda cell: {"ncm_loading_mg_per_cm2": cell.ncm_loading_mg_per_cm2, "ncm_mass_mg": g_to_mg(cell.ncm_mass_g),
                  "cathode_thickness_um": m_to_um(cell.cathode_thickness_m), "np_ratio": cell.np_ratio,
                  "anode_composite_mass_mg": cell.anode_composite_mass_mg, "anode_thickness_um": cell.anode.thickness_um,
                  "nominal_capacity_mAh_per_g": cell.nominal_capacity_mAh_per_g})


def _books(cell: Cell) -> Bookkeeping:
    return FULL_CELL_BOOKS if isinstance(cell, FullCell) else HALF_CELL_BOOKS


def solver_output_name(name: str) -> str:
    """The name a variable is computed under when the solver computes it as an output variable.

    PyBaMM names each output's CasADi function after the variable, and "[-]" turns into a run of
    underscores that CasADi rejects (PyBaMM 26.10): dimensionless outputs go by "[dimensionless]".
    """
    return name.replace("[-]", "[dimensionless]")


def build_simulation(cell: Cell, protocol: Protocol, pset: ParameterSet | None = None,
                     mesh_points: int = DEFAULT_MESH_POINTS, start: int = 0,
                     initial: pybamm.Solution | None = None, stop: int | None = None,
                     cathode_mesh_points: int = CATHODE_MESH_POINTS,
                     output_variables: list[str] | None = None,
                     first_step_s: float | None = None,
                     populations: int = SHEET_POPULATIONS) -> pybamm.Simulation:
    """Steps `start` to `stop` of the protocol, starting from the final state of `initial` if given.
    `populations`: the anode's sheet populations (1: one column, as the linearised impedance uses).

    `output_variables`: the solver computes only these as it goes and keeps no states (read them
    from the solution by `solver_output_name`); None keeps every state, so any variable can be read.
    """
    books = _books(cell)
    model = engine.cell_model(books.full_cell, populations)
    values = books.parameter_values(cell, pset)
    var_pts = _var_pts(books, mesh_points, cathode_mesh_points)
    if initial is not None:
        model.set_initial_conditions_from(initial)
    if output_variables:
        model.variables.update({solver_output_name(n): model.variables[n] for n in output_variables})
        output_variables = [solver_output_name(n) for n in output_variables]
    return pybamm.Simulation(model, parameter_values=values, experiment=pybamm_experiment(protocol, cell, start, stop),
                             var_pts=var_pts, solver=idaklu_solver(output_variables, first_step_s),
                             # one model for all steps (the step current and cut-off are inputs), not
                             # one per distinct current: the rate test builds 1 model instead of 16
                             experiment_model_mode="unified",
                             discretisation_kwargs={"check_model": False})  # checked in the tests


def run_half_cell(
    material: str | Composite,
    protocol: Protocol,
    temperature_C: float | None = None,
    pset: ParameterSet | None = None,
    mesh_points: int = DEFAULT_MESH_POINTS,
    on_step: Callable[[], None] | None = None,
    timeseries_cycles: set[int] | frozenset[int] | None = None,
    **cell_overrides,
) -> RunResult:
    """Simulate `protocol` on the paper's half cell made with `material`; `timeseries_cycles`: the cycles
    whose time series is kept (None: all; `NO_CURVES`: none, the cycle table only)."""
    comp = named_material(material) if isinstance(material, str) else material
    cell = paper_half_cell(comp, temperature_C=temperature_C, **cell_overrides)
    return run_protocol(cell, protocol, pset, mesh_points, on_step, timeseries_cycles)


def anode_reversible_capacity_mAh_per_g(composite: Composite, pset: ParameterSet | None = None) -> float:
    """The anode's first delithiation capacity in the paper's half cell (0.1 A/g, 60 °C) [mAh/g]:
    the capacity an experimenter measures and reckons the full cell's N/P ratio with."""
    res = run_protocol(paper_half_cell(composite), load_protocol("first-cycle"), pset, QUICK_MESH_POINTS,
                       timeseries_cycles=NO_CURVES)
    return float(res.cycles["delithiation_capacity_mAh_per_g"].iloc[0])


def run_full_cell(
    material: str | Composite,
    protocol: Protocol,
    pset: ParameterSet | None = None,
    mesh_points: int = DEFAULT_MESH_POINTS,
    on_step: Callable[[], None] | None = None,
    timeseries_cycles: set[int] | None = None,
    cathode_mesh_points: int = CATHODE_MESH_POINTS,
    **cell_overrides,
) -> RunResult:
    """Simulate `protocol` on the paper's NCM811 full cell with a `material` anode."""
    comp = named_material(material) if isinstance(material, str) else material
    cell = paper_full_cell(comp, **cell_overrides)  # checks the design before any simulation
    if cell.anode_capacity_mAh_per_g is None:
        cell = cell.model_copy(update={"anode_capacity_mAh_per_g": anode_reversible_capacity_mAh_per_g(comp, pset)})
    return run_protocol(cell, protocol, pset, mesh_points, on_step, timeseries_cycles, cathode_mesh_points)


def run_protocol(cell: Cell, protocol: Protocol, pset: ParameterSet | None = None,
                 mesh_points: int = DEFAULT_MESH_POINTS, on_step: Callable[[], None] | None = None,
                 timeseries_cycles: set[int] | None = None,
                 cathode_mesh_points: int = CATHODE_MESH_POINTS) -> RunResult:
    """Simulate `protocol` on `cell`, one step at a time on the cell's model built once per process.

    A step that cannot run inside the voltage window (its cut-off is reached at once, or a model
    limit is hit) is kept as a zero-capacity step and the protocol goes on from the state the cell
    is in, as a cycler would; a step the solver fails is retried once from a tiny first step, then
    kept as a step not run (the reason names the solver's error).
    `timeseries_cycles`: the cycles whose time series is kept (None = all; the cycle table has all).
    `cathode_mesh_points`: x and r points of a full cell's cathode (unused in a half cell).
    Ctrl-C: the step in flight finishes, then RunInterrupted carries the stopped result.
    """
    with interrupt.stop_on_interrupt():
        result = _run_protocol(cell, protocol, pset, mesh_points, on_step, timeseries_cycles, cathode_mesh_points)
    if interrupt.requested():
        raise RunInterrupted(result)
    return result


def _run_protocol(cell: Cell, protocol: Protocol, pset: ParameterSet | None, mesh_points: int,
                  on_step: Callable[[], None] | None, timeseries_cycles: set[int] | None,
                  cathode_mesh_points: int = CATHODE_MESH_POINTS) -> RunResult:
    """Every step of the protocol on the cell's built model (built once per structure, `sizno.experiments.engine`)."""
    pset = pset or load_parameter_set()
    book = _StepBook(cell, protocol, pset, mesh_points, timeseries_cycles)
    values = book.books.parameter_values(cell, pset)
    book.values = values
    outputs = tuple(solver_output_name(n) for n in book.variables)
    var_pts = _var_pts(book.books, mesh_points, cathode_mesh_points)
    built = engine.built_model(book.books.full_cell, values, var_pts, outputs)
    book.thickness = ThicknessTracker(built.anode_cell_widths_m, float(values.evaluate(pristine_solid_fraction())),
                                      float(values["Pore accommodation fraction [-]"]))
    specs = engine.step_specs(pybamm_steps(protocol, cell))
    last, reason, n_skipped, elapsed_s = None, "", 0, 0.0
    for k, spec in enumerate(specs):
        if interrupt.requested():
            reason = interrupt.INTERRUPTED
            break
        failure = None
        dense = book.keeps_curve(k)
        try:
            ssol = built.step(last, spec, values, dense)
        except pybamm.SolverError as exc:
            # once more, alone, from a tiny first step (see RETRY_FIRST_STEP_S)
            failure = f"solver error: {str(exc).splitlines()[0]}"
            ssol = _retry_step(book.books.full_cell, values, var_pts, outputs, last, spec, dense)
            if ssol is not None:
                failure = None
        if ssol is None:  # the cut-off was met at once, or the solver failed twice: kept as a step not run
            if n_skipped >= MAX_SKIPPED_STEPS:
                reason = f"{MAX_SKIPPED_STEPS} steps could not run inside the voltage window"
                break
            book.add(k, None, failure=failure)
            n_skipped += 1
        else:
            book.add(k, ssol, start_s=elapsed_s)  # each step's clock starts at 0 (`engine.carry_on_state`)
            elapsed_s += float(ssol.t[-1])
            last = engine.carry_on_state(ssol)
        del ssol
        if on_step:
            on_step()
    return book.result(reason)


RETRY_FIRST_STEP_S = 1e-6  # IDA's first step when a failed step is retried


def _retry_step(full: bool, values: pybamm.ParameterValues, var_pts: dict, outputs: tuple[str, ...],
                last: pybamm.Solution | None, spec: engine.StepSpec, dense: bool = False) -> pybamm.Solution | None:
    """The step again, with IDA's first internal step at RETRY_FIRST_STEP_S: a step that opens with a fast
    transient (an emptied a-Si skin relithiating: its OCP falls ~1 V in a millisecond) can fail IDA's
    error test ten times on IDA's own first-step estimate. Set globally, the tiny first step broke other
    runs (IDA_BAD_K), so it is used only here. None if the step still fails or does not run.

    No retry "from a fresh solver" first: every engine step already starts from the state alone, its
    time derivatives computed afresh for the step's current (the current is an input, not an algebraic
    state carrying the old current's derivatives as in PyBaMM's unified experiment), so that retry
    would repeat the step exactly."""
    built = engine.built_model(full, values, var_pts, outputs, first_step_s=RETRY_FIRST_STEP_S)
    try:
        return built.step(last, spec, values, dense)
    except pybamm.SolverError:
        return None


def _entries(step_sol, name: str) -> np.ndarray:
    return step_sol[solver_output_name(name)].entries


_STEP_NAME = {"lithiate": "lithiation", "delithiate": "delithiation"}  # protocol action -> cycle-table step name


def _step_action(current_A: np.ndarray, actions: tuple[str, str]) -> str:
    i = float(np.mean(current_A))
    return actions[0] if i > 0 else (actions[1] if i < 0 else "rest")


class _StepBook:
    """Turns step solutions into time-series rows and cycle-table rows as they arrive."""

    def __init__(self, cell: Cell, protocol: Protocol, pset: ParameterSet, mesh_points: int,
                 timeseries_cycles: set[int] | None):
        self.cell, self.protocol, self.pset, self.mesh_points = cell, protocol, pset, mesh_points
        self.books = _books(cell)
        self.table = protocol.step_table()
        self.keep = timeseries_cycles
        self.block_of_cycle: dict[int, tuple[int, str]] = {}
        cyc = 0
        for bi, b in enumerate(protocol.blocks):
            for _ in range(b.repeat):
                cyc += 1
                self.block_of_cycle[cyc] = (bi, b.label)
        self.ts_parts: list[dict[str, np.ndarray]] = []  # the kept steps' columns, one frame at the end
        self.rows: list[dict] = []
        self.skipped: list[int] = []
        self.failures: dict[int, str] = {}  # step number -> solver error, for skipped steps that failed
        self.n_done = 0
        self.solver_steps: list[int] = []  # IDA's internal steps per current step that ran (rests left out)
        self.thickness: ThicknessTracker | None = None  # set once the model is built (its mesh)
        # the solver computes only these (IDAKLU output variables): post-processing stays cheap
        self.values: pybamm.ParameterValues | None = None  # the run's parameter values (derived columns)
        self.variables = ["Voltage [V]", "Current [A]", "Charge passed [A.h]", "Energy passed [W.h]",
                          *STATE_COLUMNS.values(),
                          "Solid fraction [-]",
                          *self.books.extra_outputs.values()]
        self._cycle: dict | None = None

    # ---------------------------------------------------------------------------- per step
    def keeps_curve(self, k: int) -> bool:
        """Whether step `k`'s time series is kept (then the solver writes it densely)."""
        return self.keep is None or self.table[k][0] in self.keep

    def add(self, k: int, ssol, failure: str | None = None, start_s: float = 0.0) -> None:
        """One step's solution; None for a step that did not run (`failure`: the solver's error, if it
        failed; else its cut-off was met at once). `start_s`: the test time at which the step's clock read 0."""
        cycle_index, _, pstep = self.table[k]
        if self._cycle is None or self._cycle["cycle_index"] != cycle_index:
            self._close_cycle()
            self._cycle = {"cycle_index": cycle_index, "caps": {a: 0.0 for a in self.books.actions},
                           "energy": {a: 0.0 for a in self.books.actions}, "setting": None, "state": {},
                           "thickness": {}, "not_run": []}
        cyc = self._cycle
        self.n_done = k + 1
        setting = pstep.c_rate if pstep.c_rate is not None else pstep.current_A_per_g
        if setting is not None:
            cyc["setting"] = setting
        if ssol is None:
            self.skipped.append(k + 1)
            name = _STEP_NAME.get(pstep.action, pstep.action)
            if failure:
                self.failures[k + 1] = failure
                name += " (solver failed)"
            cyc["not_run"].append(name)
            return
        t = start_s + ssol.t  # the output times
        V = _entries(ssol, "Voltage [V]")
        I = _entries(ssol, "Current [A]")
        q = _entries(ssol, "Charge passed [A.h]")
        energy_Wh = _entries(ssol, "Energy passed [W.h]")
        action = "rest" if pstep.action == "rest" else _step_action(I, self.books.actions)
        stats = getattr(ssol, "solver_statistics", None)
        if action != "rest" and stats is not None:
            self.solver_steps.append(int(stats.number_of_steps))
        if action in cyc["caps"]:
            cyc["caps"][action] += abs(q[-1] - q[0])
            cyc["energy"][action] += abs(energy_Wh[-1] - energy_Wh[0])
        states = {col: _entries(ssol, var) for col, var in STATE_COLUMNS.items()}
        thickness = self._thickness_um(ssol)
        cyc["state"] = {col: float(v[-1]) for col, v in states.items()}
        if action != "rest":
            cyc["thickness"][action] = float(thickness[-1])
        if not self.keeps_curve(k):
            return
        part = {
            "test_time_second": t,
            "voltage_volt": V,
            "current_ampere": self.books.bdf_current_sign * I,  # BDF: + charges the cell
            "cycle_count": cycle_index,
            "step_count": k + 1,
            "step_type": action,
            "lithiated_charge_ah": q,
            **states,
            "si_electrode_thickness_um": thickness,
        }
        part.update({col: _entries(ssol, var) for col, var in self.books.extra_outputs.items()})
        part.update(self.books.derived_columns(part, self.values))
        n = len(t)
        self.ts_parts.append({c: np.asarray(v) if np.ndim(v) else np.full(n, v) for c, v in part.items()})

    def _thickness_um(self, ssol) -> np.ndarray:
        return self.thickness.thickness_um(_entries(ssol, "Solid fraction [-]"))

    # ---------------------------------------------------------------------------- per cycle
    def _close_cycle(self) -> None:
        cyc = self._cycle
        if cyc is None:
            return
        b = self.books
        mass_g = b.mass_g(self.cell)
        bi, label = self.block_of_cycle[cyc["cycle_index"]]
        num, den = (cyc["caps"][a] for a in b.efficiency)
        row = {"cycle_index": cyc["cycle_index"], "block_index": bi, "block_label": label}
        row[b.setting_column] = cyc["setting"]
        for a in b.actions:
            cap = cyc["caps"][a]
            row[f"{a}_capacity_mAh"] = Ah_to_mAh(cap)
            row[f"{a}_capacity_mAh_per_g"] = capacity_mAh_per_g(cap, mass_g)
            row[f"{a}_mean_voltage_V"] = mean_voltage_V(cyc["energy"][a], cap)
            row[f"thickness_after_{a}_um"] = cyc["thickness"].get(a, float("nan"))
        row["coulombic_efficiency_percent"] = coulombic_efficiency_percent(num, den)
        row.update({col: cyc["state"].get(col, float("nan")) for col in STATE_COLUMNS})
        row["steps_not_run"] = ", ".join(cyc["not_run"])
        self.rows.append(row)

    def result(self, reason: str) -> RunResult:
        self._close_cycle()
        self._cycle = None
        k, table = self.n_done, self.table
        # a step that could not start is work not done as asked: the run is not complete
        completed = k >= len(table) and not reason and not self.skipped
        if self.skipped and not reason:
            shown = ", ".join(str(s) for s in self.skipped[:10]) + (", ..." if len(self.skipped) > 10 else "")
            failed = len(self.failures)
            why = (f"{len(self.skipped) - failed} with the cut-off met at once" if failed < len(self.skipped) else "")
            if failed:
                why += ("; " if why else "") + f"{failed} where the solver failed ({next(iter(self.failures.values()))})"
            reason = f"{len(self.skipped)} of {len(table)} steps could not run, capacity 0 ({why}): steps {shown}"
            return self._finish(completed, reason)
        if reason and k < len(table):
            cyc_n, label, st = table[k]
            reason = f"stopped at step {k + 1} of {len(table)} (cycle {cyc_n}, {label}, {st.action}): {reason}"
        elif reason:
            reason = f"stopped after the last step: {reason}"
        return self._finish(completed, reason)

    def _finish(self, completed: bool, reason: str) -> RunResult:
        k, table = self.n_done, self.table
        ts = (pd.DataFrame({c: np.concatenate([p[c] for p in self.ts_parts]) for c in self.ts_parts[0]})
              if self.ts_parts else pd.DataFrame())
        cell = self.cell
        meta = {
            "cell": self.books.label,
            "material": cell.composite.name,
            "zno_wt_percent": cell.composite.zno_wt_percent,
            "protocol": self.protocol.name,
            "temperature_C": cell.temperature_C,
            "capacity_basis": self.books.basis,
            "capacity_mass_mg": g_to_mg(self.books.mass_g(cell)),
            "mesh_points": self.mesh_points,
            "fitted_parameters": {n: self.pset.value(n) for n in self.pset.fitted_names()},
            "si_volume_expansion_at_li15si4": self.pset.value("Si volume expansion at Li15Si4 [-]"),
            "steps_completed": k,
            "steps_planned": len(table),
            "steps_that_could_not_run": self.skipped,
            "steps_where_the_solver_failed": sorted(self.failures),
            # the solver's work: IDA's internal steps in all, and their median per half cycle
            "solver_steps_total": int(sum(self.solver_steps)),
            "solver_steps_per_half_cycle_median": float(np.median(self.solver_steps)) if self.solver_steps else 0.0,
        }
        meta.update(self.books.design(cell))
        cycles_df = pd.DataFrame(self.rows, columns=list(self.books.columns))
        return RunResult(timeseries=ts, cycles=cycles_df, metadata=meta, completed=completed, stop_reason=reason)
