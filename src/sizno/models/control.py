"""What PyBaMM's experiment machinery reads from a model besides its equations: variables and control parameters.

In "unified" experiment mode PyBaMM builds one model for the whole protocol: the current becomes
an algebraic variable whose target (the step's current, an input) and cut-off switch per step,
so steps that differ only in their current share one discretised model. PyBaMM's control
submodel reads two parameters from the model's `param` and needs an `options` dictionary.
"""

from __future__ import annotations

import pybamm


class ExternalCircuitParameters:
    """The parameters PyBaMM's current control reads: `Q`, the current variable's scale, and
    `A_cc`, the area its "Total current density [A.m-2]" is reckoned on."""

    def __init__(self) -> None:
        self.Q = pybamm.Parameter("Nominal cell capacity [A.h]")
        self.A_cc = pybamm.Parameter("Electrode area [m2]")


def attach_experiment_control(model: pybamm.BaseModel) -> None:
    """Give `model` what PyBaMM's unified experiment mode needs (no battery options apply)."""
    model.param = ExternalCircuitParameters()
    model.options = {}
    model.summary_variables = []


def experiment_variables(current_A: pybamm.Symbol, voltage_V: pybamm.Symbol) -> dict[str, pybamm.Symbol]:
    """The variables PyBaMM's Experiment reads from any model (steps, cut-offs, bookkeeping)."""
    return {
        "Time [s]": pybamm.t,
        "Time [h]": pybamm.t / 3600,
        "Current [A]": current_A,
        "Current function [A]": current_A,
        "Voltage [V]": voltage_V,
        "Battery voltage [V]": voltage_V,
    }


def energy_state(current_A: pybamm.Symbol, voltage_V: pybamm.Symbol, name: str = "Energy passed [W.h]"
                 ) -> tuple[pybamm.Variable, pybamm.Symbol]:
    """(state, its rate): the energy the current has carried through the cell, integral of V I dt [W.h],
    as PyBaMM's own models keep it with their "calculate discharge energy" option. A step's energy is then
    exact to the solver's tolerance wherever the step's curve is sampled (`sizno.experiments.runner`)."""
    return pybamm.Variable(name), voltage_V * current_A / 3600
