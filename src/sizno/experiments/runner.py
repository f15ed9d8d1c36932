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
                     mesh_points: int = DEFAULT_MESH_POINTS) -> pybamm.Simulation:
    model = DenseCompositeAnode()
    return pybamm.Simulation(
        model,
        parameter_values=half_cell_parameter_values(cell, pset),
        experiment=pybamm_experiment(protocol, cell),
        var_pts={"x_n": mesh_points},
        solver=model.default_solver,
    )


def run_half_cell(
    material: str | Composite,
    protocol: Protocol,
    temperature_C: float | None = None,
    pset: ParameterSet | None = None,
    mesh_points: int = DEFAULT_MESH_POINTS,
    on_step: Callable[[], None] | None = None,
    **cell_overrides,
) -> RunResult:
    """Simulate `protocol` on the paper's half cell made with `material`."""
    comp = named_material(material) if isinstance(material, str) else material
    cell = paper_half_cell(comp, temperature_C=temperature_C, **cell_overrides)
    pset = pset or load_parameter_set()
    sim = build_simulation(cell, protocol, pset, mesh_points)
    callbacks = [_StepCallback(on_step)] if on_step else None
    try:
        sol = sim.solve(callbacks=callbacks, showprogress=False)
    except pybamm.SolverError as exc:
        sol = sim.solution
        reason = f"solver error: {str(exc).splitlines()[0]}"
    else:
        reason = ""
    return result_from_solution(sol, cell, protocol, pset, mesh_points, reason)


def _step_action(step_sol, fallback: str) -> str:
    i = float(np.mean(step_sol["Current [A]"].entries))
    return "lithiation" if i > 0 else ("delithiation" if i < 0 else fallback)


def result_from_solution(sol, cell: HalfCell, protocol: Protocol, pset: ParameterSet,
                         mesh_points: int, reason: str = "") -> RunResult:
    """Time series and per-cycle table from a PyBaMM experiment solution."""
    table = protocol.step_table()
    mass_g = cell.composite_mass_g
    ts_parts, rows, k = [], [], 0
    block_of_cycle, cyc = {}, 0
    for bi, b in enumerate(protocol.blocks):
        for _ in range(b.repeat):
            cyc += 1
            block_of_cycle[cyc] = (bi, b.label)
    cycles = sol.cycles if sol is not None else []
    for ci, csol in enumerate(cycles):
        if csol is None:
            break
        cycle_index = ci + 1
        caps = {"lithiation": 0.0, "delithiation": 0.0}
        energy = {"lithiation": 0.0, "delithiation": 0.0}
        current_A_per_g = None
        for si, ssol in enumerate(csol.steps):
            t = ssol["Time [s]"].entries
            V = ssol["Voltage [V]"].entries
            I = ssol["Current [A]"].entries
            q = ssol["Charge passed [A.h]"].entries
            _, _, pstep = table[k] if k < len(table) else (cycle_index, "", None)
            k += 1
            action = "rest" if pstep is not None and pstep.action == "rest" else _step_action(ssol, "rest")
            if pstep is not None and pstep.current_A_per_g is not None:
                current_A_per_g = pstep.current_A_per_g
            dq = abs(q[-1] - q[0])
            if action in caps:
                caps[action] += dq
                energy[action] += abs(np.trapezoid(V, q))
            ts_parts.append(pd.DataFrame({
                "test_time_second": t,
                "voltage_volt": V,
                "voltage_vs_li_in_volt": ssol["Voltage vs Li-In [V]"].entries,
                "current_ampere": -I,  # BDF: positive charges the cell; lithiation discharges it
                "cycle_count": cycle_index,
                "step_count": k,
                "step_type": action,
                "lithiated_charge_ah": q,
            }))
        bi, label = block_of_cycle.get(cycle_index, (len(protocol.blocks) - 1, ""))
        li, de = caps["lithiation"], caps["delithiation"]
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
            "amorphous_fraction": float(csol["X-averaged amorphous fraction [-]"].entries[-1]),
            "trapped_lithium_fraction": float(csol["X-averaged trapped lithium [-]"].entries[-1]),
            "zno_conversion": float(csol["X-averaged ZnO conversion [-]"].entries[-1]),
        })
    completed = k >= len(table) and not reason
    if not completed and not reason:
        cyc_n, label, st = table[min(k, len(table) - 1)]
        reason = (f"stopped at step {k + 1} of {len(table)} (cycle {cyc_n}, {label}, {st.action}): "
                  "the step could not start or finish inside the voltage window")
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
    }
    cycles_df = pd.DataFrame(rows, columns=list(CYCLE_COLUMNS))
    return RunResult(timeseries=ts, cycles=cycles_df, metadata=meta, completed=completed, stop_reason=reason)
