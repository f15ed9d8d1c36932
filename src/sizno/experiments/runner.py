"""Run a protocol on a half cell: cell + model + parameters + protocol -> RunResult."""

from __future__ import annotations

import logging
from typing import Callable

import numpy as np
import pandas as pd
import pybamm

from sizno.cell import HalfCell, paper_half_cell
from sizno.experiments.protocols import Protocol, pybamm_experiment
from sizno.materials import Composite, named_material
from sizno.models.build import half_cell_parameter_values
from sizno.models.dense_anode import DenseCompositeAnode
from sizno.models.parameters import ParameterSet, load_parameter_set
from sizno.results import RunResult
from sizno.results.run import CYCLE_COLUMNS

DEFAULT_MESH_POINTS = 20
QUICK_MESH_POINTS = 12
pybamm.set_logging_level("ERROR")
logging.getLogger("pybamm").setLevel(logging.ERROR)


class _StepCallback(pybamm.callbacks.Callback):
    def __init__(self, on_step: Callable[[], None]):
        self.on_step = on_step

    def on_step_end(self, logs):
        self.on_step()


def build_simulation(cell: HalfCell, protocol: Protocol, pset: ParameterSet | None = None,
                     mesh_points: int = DEFAULT_MESH_POINTS, start: int = 0,
                     initial: pybamm.Solution | None = None) -> pybamm.Simulation:
    """The protocol from step `start` on, starting from the final state of `initial` if given."""
    model = DenseCompositeAnode()
    if initial is not None:
        model.set_initial_conditions_from(initial)
    return pybamm.Simulation(
        model,
        parameter_values=half_cell_parameter_values(cell, pset),
        experiment=pybamm_experiment(protocol, cell, start),
        var_pts={"x_n": mesh_points},
        solver=model.default_solver,
    )


MAX_SKIPPED_STEPS = 60  # each skip restarts the solver: beyond this many the run stops and says so


def run_half_cell(
    material: str | Composite,
    protocol: Protocol,
    temperature_C: float | None = None,
    pset: ParameterSet | None = None,
    mesh_points: int = DEFAULT_MESH_POINTS,
    on_step: Callable[[], None] | None = None,
    **cell_overrides,
) -> RunResult:
    """Simulate `protocol` on the paper's half cell made with `material`.

    A step that cannot run inside the voltage window (its cut-off is reached at once, or a model
    limit is hit) is kept as a zero-capacity step and the protocol goes on from the state the cell
    is in, as a cycler would; a solver failure stops the run and keeps what finished.
    """
    comp = named_material(material) if isinstance(material, str) else material
    cell = paper_half_cell(comp, temperature_C=temperature_C, **cell_overrides)
    pset = pset or load_parameter_set()
    table = protocol.step_table()
    callbacks = [_StepCallback(on_step)] if on_step else None
    done: list = []  # one entry per protocol step: its PyBaMM step solution, or None if it could not run
    last, reason, n_skipped = None, "", 0
    while len(done) < len(table):
        sim = build_simulation(cell, protocol, pset, mesh_points, start=len(done), initial=last)
        try:
            sol = sim.solve(callbacks=callbacks, showprogress=False)
        except pybamm.SolverError as exc:
            sol = sim.solution
            if "infeasible" not in str(exc):  # PyBaMM's word for steps past their cut-off at the start
                reason = f"solver error: {str(exc).splitlines()[0]}"
        # PyBaMM itself skips a step already past its cut-off at the start (an EmptySolution in its place)
        steps = [None if isinstance(st, pybamm.EmptySolution) else st
                 for c in getattr(sol, "cycles", None) or [] if c is not None for st in c.steps]
        done.extend(steps)
        if reason or len(done) >= len(table):
            break
        if n_skipped >= MAX_SKIPPED_STEPS:
            reason = f"{MAX_SKIPPED_STEPS} steps could not run inside the voltage window"
            break
        done.append(None)
        n_skipped += 1
        if on_step:
            on_step()
        last = sol if any(st is not None for st in steps) else last
    return result_from_steps(done, cell, protocol, pset, mesh_points, reason)


def _step_action(step_sol, fallback: str) -> str:
    i = float(np.mean(step_sol["Current [A]"].entries))
    return "lithiation" if i > 0 else ("delithiation" if i < 0 else fallback)


def result_from_steps(done: list, cell: HalfCell, protocol: Protocol, pset: ParameterSet,
                      mesh_points: int, reason: str = "") -> RunResult:
    """Time series and per-cycle table from the protocol's step solutions (None = could not run)."""
    table = protocol.step_table()
    mass_g = cell.composite_mass_g
    block_of_cycle, cyc = {}, 0
    for bi, b in enumerate(protocol.blocks):
        for _ in range(b.repeat):
            cyc += 1
            block_of_cycle[cyc] = (bi, b.label)
    ts_parts, rows, skipped = [], [], []
    by_cycle: dict[int, list] = {}
    for k, ssol in enumerate(done):
        by_cycle.setdefault(table[k][0], []).append((k, ssol))
    for cycle_index, entries in by_cycle.items():
        caps = {"lithiation": 0.0, "delithiation": 0.0}
        energy = {"lithiation": 0.0, "delithiation": 0.0}
        current_A_per_g, last_sol = None, None
        for k, ssol in entries:
            pstep = table[k][2]
            if pstep.current_A_per_g is not None:
                current_A_per_g = pstep.current_A_per_g
            if ssol is None:
                skipped.append(k + 1)
                continue
            last_sol = ssol
            t = ssol["Time [s]"].entries
            V = ssol["Voltage [V]"].entries
            I = ssol["Current [A]"].entries
            q = ssol["Charge passed [A.h]"].entries
            action = "rest" if pstep.action == "rest" else _step_action(ssol, "rest")
            if action in caps:
                caps[action] += abs(q[-1] - q[0])
                energy[action] += abs(np.trapezoid(V, q))
            ts_parts.append(pd.DataFrame({
                "test_time_second": t,
                "voltage_volt": V,
                "voltage_vs_li_in_volt": ssol["Voltage vs Li-In [V]"].entries,
                "current_ampere": -I,  # BDF: positive charges the cell; lithiation discharges it
                "cycle_count": cycle_index,
                "step_count": k + 1,
                "step_type": action,
                "lithiated_charge_ah": q,
            }))
        bi, label = block_of_cycle[cycle_index]
        li, de = caps["lithiation"], caps["delithiation"]
        state = (lambda name: float(last_sol[name].entries[-1])) if last_sol is not None else (lambda name: float("nan"))
        rows.append({
            "cycle_index": cycle_index,
            "block_index": bi,
            "block_label": label,
            "current_A_per_g": current_A_per_g,
            "lithiation_capacity_mAh": 1000 * li,
            "delithiation_capacity_mAh": 1000 * de,
            "lithiation_capacity_mAh_per_g": 1000 * li / mass_g,
            "delithiation_capacity_mAh_per_g": 1000 * de / mass_g,
            "coulombic_efficiency_percent": 100 * de / li if li > 0 else float("nan"),
            "lithiation_mean_voltage_V": energy["lithiation"] / li if li > 0 else float("nan"),
            "delithiation_mean_voltage_V": energy["delithiation"] / de if de > 0 else float("nan"),
            "amorphous_fraction": state("X-averaged amorphous fraction [-]"),
            "trapped_lithium_fraction": state("X-averaged trapped lithium [-]"),
            "zno_conversion": state("X-averaged ZnO conversion [-]"),
        })
    k = len(done)
    completed = k >= len(table) and not reason
    if reason and k < len(table):
        cyc_n, label, st = table[k]
        reason = f"stopped at step {k + 1} of {len(table)} (cycle {cyc_n}, {label}, {st.action}): {reason}"
    elif reason:
        reason = f"stopped after the last step: {reason}"
    ts = pd.concat(ts_parts, ignore_index=True) if ts_parts else pd.DataFrame()
    meta = {
        "material": cell.composite.name,
        "zno_wt_percent": cell.composite.zno_wt_percent,
        "protocol": protocol.name,
        "temperature_C": cell.temperature_C,
        "composite_mass_mg": cell.composite_mass_mg,
        "thickness_um": cell.thickness_um,
        "current_basis_factor": cell.current_basis_factor,
        "capacity_basis": "per gram of composite",
        "mesh_points": mesh_points,
        "fitted_parameters": {n: pset.value(n) for n in pset.fitted_names()},
        "steps_completed": k,
        "steps_planned": len(table),
        "steps_that_could_not_run": skipped,
    }
    cycles_df = pd.DataFrame(rows, columns=list(CYCLE_COLUMNS))
    return RunResult(timeseries=ts, cycles=cycles_df, metadata=meta, completed=completed, stop_reason=reason)
