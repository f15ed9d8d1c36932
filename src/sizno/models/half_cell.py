"""The half cell: dense Si-composite anode | LPSCl pellet | Li–In, as a custom PyBaMM model.

The anode's physics lives in `sizno.models.anode.DenseAnode` (shared with the full cell); this
model adds the electrolyte pellet's ohmic drop and the Li–In counter electrode.
"""

from __future__ import annotations

import pybamm

from sizno.models.anode import DOMAIN, anode_geometry, anode_submesh
from sizno.models.anode.populations import SHEET_POPULATIONS, AnodePopulations
from sizno.models.control import attach_experiment_control, energy_state, experiment_variables
from sizno.models.solver import idaklu_solver
from sizno.units import FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOL_K


class HalfCellModel(pybamm.BaseModel):
    """Half cell as a PyBaMM model; runs under `pybamm.Simulation` and `pybamm.Experiment`.

    Positive current lithiates the working electrode (the paper's "discharge"). "Voltage [V]" is
    the working electrode vs Li+/Li (measured vs Li–In plus the Li–In potential); "Voltage vs
    Li-In [V]" is the raw cell.
    """

    def __init__(self, name: str = "Dense Si-composite anode half cell", populations: int = SHEET_POPULATIONS):
        super().__init__(name)
        attach_experiment_control(self)
        F, R = FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOL_K
        P = pybamm.Parameter
        I = pybamm.FunctionParameter("Current function [A]", {"Time [s]": pybamm.t})
        anode = AnodePopulations(I, populations)
        q = pybamm.Variable("Charge passed [A.h]")

        R_pellet = P("Electrolyte pellet resistance [Ohm]")
        f_RT = F / (R * P("Temperature [K]"))
        eta_ce = 2 / f_RT * pybamm.arcsinh(I / (2 * P("Counter electrode area [m2]") * P("Li-In exchange current density [A.m-2]")))
        V_we = anode.potential_V - I * R_pellet
        V = V_we - eta_ce
        energy, denergy = energy_state(I, V)

        self.rhs = {**anode.rhs, q: I / 3600, energy: denergy}
        self.algebraic = anode.algebraic
        self.boundary_conditions = anode.boundary_conditions
        self.initial_conditions = {**anode.initial_conditions, q: pybamm.Scalar(0.0), energy: pybamm.Scalar(0.0)}
        li_stored = anode.variables["Lithium in electrode [mol]"] + anode.variables["Lithium in SEI [mol]"]
        self.variables = {
            **anode.variables,
            **experiment_variables(I, V),
            "Voltage vs Li-In [V]": V - P("Li-In potential [V]"),
            "Working electrode potential [V]": V_we,
            "Pellet ohmic drop [V]": I * R_pellet,
            "Counter electrode overpotential [V]": eta_ce,
            "Charge passed [A.h]": q,
            "Energy passed [W.h]": energy,
            "Lithium stored [mol]": li_stored,
        }
        self.events = anode.events

    @property
    def default_geometry(self):
        return pybamm.Geometry(anode_geometry())

    @property
    def default_var_pts(self):
        return {"x_n": 20}

    @property
    def default_submesh_types(self):
        return anode_submesh()

    @property
    def default_spatial_methods(self):
        return {DOMAIN: pybamm.FiniteVolume()}

    @property
    def default_solver(self):
        return idaklu_solver()


DenseCompositeAnode = HalfCellModel  # the former name, kept for importers
