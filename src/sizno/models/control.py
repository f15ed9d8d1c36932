"""What PyBaMM's experiment machinery reads from a model besides its equations.

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
