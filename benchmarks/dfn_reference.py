"""PyBaMM's DFN half cell with the Si OCP, on the Si–ZnO4 rate test, set up to be a fair reference.

Fair (issue 14): the Xu2019 working electrode with the Si OCP (Verbrugge et al. 2016 average branch)
holds ~1.8x the set's nominal capacity, so its currents are set from the capacity it really holds
between the cut-offs, reckoned from the OCP (the stoichiometry at 2.0 V and at 0.01 V); the cut-offs
are ours (lithiate to 0.01 V, delithiate to 2.0 V); each step's time limit is 3x a full half cycle
at its rate, so no step ends on it (counted: `time_capped_steps`); the tolerances are given.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import pybamm
from pybamm.input.parameters.lithium_ion.Chen2020_composite import silicon_ocp_average_Mark2016
from scipy.optimize import brentq

from sizno.units import FARADAY_C_PER_MOL

LOWER_CUTOFF_V, UPPER_CUTOFF_V = 0.01, 2.0  # ours (the paper's window)
# the rate test's currents as C-rates on the Si's theoretical basis: A/g x 0.8 g Si per g composite / 3.36 Ah/g
RATE_TEST_A_PER_G = (0.1, 0.2, 0.5, 0.8, 1.0, 2.0, 4.0, 5.0, 0.1)
C_RATE_PER_A_PER_G = 0.8 / 3.36


def _ocp_V(theta: float) -> float:
    return float(silicon_ocp_average_Mark2016(pybamm.Scalar(theta)).evaluate())


def dfn_parameter_values() -> pybamm.ParameterValues:
    pv = pybamm.ParameterValues("Xu2019")  # PyBaMM's half-cell set (working electrode | Li metal)
    pv.update({"Positive electrode OCP [V]": silicon_ocp_average_Mark2016,
               "Lower voltage cut-off [V]": LOWER_CUTOFF_V, "Upper voltage cut-off [V]": UPPER_CUTOFF_V},
              check_already_exists=False)
    return pv


def window_capacity_Ah(pv: pybamm.ParameterValues) -> float:
    """What the DFN's working electrode holds between the cut-offs at open circuit [A.h]."""
    theta_top = brentq(lambda t: _ocp_V(t) - UPPER_CUTOFF_V, 1e-9, 0.5)  # delithiated end
    theta_bottom = brentq(lambda t: _ocp_V(t) - LOWER_CUTOFF_V, 0.5, 1 - 1e-9)  # lithiated end
    volume_m3 = pv["Positive electrode thickness [m]"] * pv["Electrode height [m]"] * pv["Electrode width [m]"]
    sites_mol = (pv["Maximum concentration in positive electrode [mol.m-3]"]
                 * pv["Positive electrode active material volume fraction"] * volume_m3)
    return (theta_bottom - theta_top) * sites_mol * FARADAY_C_PER_MOL / 3600


def dfn_simulation(mesh: int, tolerances: tuple[float, float] | None, compile: bool = False,
                   solver_options: dict | None = None) -> pybamm.Simulation:
    """The DFN rate test, unified experiment mode; `tolerances` = (rtol, atol), None = PyBaMM's defaults;
    `compile`: its CasADi functions compiled to C, as ours with --compile; `solver_options`: further
    IDAKLU options (ours, for the matched comparison)."""
    model = pybamm.lithium_ion.DFN({"working electrode": "positive"})
    pv = dfn_parameter_values()
    cap_Ah = window_capacity_Ah(pv)
    steps = []
    for a_per_g in RATE_TEST_A_PER_G:
        c = a_per_g * C_RATE_PER_A_PER_G
        limit_h = 3 / c  # three full half cycles at this rate: never the binding limit
        for _ in range(3):
            # working electrode = "positive": discharging the cell lithiates the Si electrode
            steps.append((f"Discharge at {c * cap_Ah:.6g} A for {limit_h:.6g} hours or until {LOWER_CUTOFF_V} V",
                          f"Charge at {c * cap_Ah:.6g} A for {limit_h:.6g} hours or until {UPPER_CUTOFF_V} V"))
    options = {"compile": compile, **(solver_options or {})}
    solver = pybamm.IDAKLUSolver(*tolerances, options=options) if tolerances else pybamm.IDAKLUSolver(options=options)
    return pybamm.Simulation(model, parameter_values=pv, experiment=pybamm.Experiment(steps),
                             var_pts={"x_n": mesh, "x_s": mesh // 2, "x_p": mesh, "r_n": 10, "r_p": 10},
                             solver=solver, experiment_model_mode="unified")


@dataclass
class StepCounts:
    steps_per_half_cycle_median: float
    time_capped_steps: int
    half_cycles: int


def step_counts(sol: pybamm.Solution) -> StepCounts:
    steps = [st for cyc in sol.cycles for st in cyc.steps]
    n = [st.solver_statistics.number_of_steps for st in steps if st.solver_statistics is not None]
    capped = sum(1 for st in steps if "final time" in str(st.termination) or "time" == str(st.termination))
    return StepCounts(statistics.median(n) if n else float("nan"), capped, len(steps))
