"""The full cell: composite NCM811 cathode | LPSCl separator | dense Si-composite anode.

The anode is the half cell's `DenseAnode` with the same parameter set (its degradation included);
the cathode is `CompositeCathode`. Positive current discharges the cell: it lithiates the cathode
and delithiates the anode. The cell voltage is the cathode's collector potential minus the
anode's, minus the separator's ohmic drop.
"""

from __future__ import annotations

import pybamm

from sizno.models.anode import DOMAIN as ANODE, anode_geometry, anode_submesh
from sizno.models.anode.populations import SHEET_POPULATIONS, AnodePopulations
from sizno.models.cathode import ELECTRODE as CATHODE, PARTICLE, CompositeCathode, cathode_geometry
from sizno.models.control import attach_experiment_control, energy_state, experiment_variables
from sizno.models.solver import idaklu_solver


class FullCellModel(pybamm.BaseModel):
    """NCM811 | LPSCl | Si-composite as a PyBaMM model; runs under `pybamm.Experiment`."""

    def __init__(self, name: str = "NCM811 | LPSCl | dense Si-composite full cell", populations: int = SHEET_POPULATIONS):
        super().__init__(name)
        attach_experiment_control(self)
        P = pybamm.Parameter
        I = pybamm.FunctionParameter("Current function [A]", {"Time [s]": pybamm.t})
        anode = AnodePopulations(-I, populations)
        cathode = CompositeCathode(I)
        q = pybamm.Variable("Discharge capacity [A.h]")

        R_sep = P("Separator resistance [Ohm]")
        V = cathode.potential_V - anode.potential_V - I * R_sep
        energy, denergy = energy_state(I, V)

        self.rhs = {**anode.rhs, **cathode.rhs, q: I / 3600, energy: denergy}
        self.algebraic = anode.algebraic
        self.boundary_conditions = {**anode.boundary_conditions, **cathode.boundary_conditions}
        self.initial_conditions = {**anode.initial_conditions, **cathode.initial_conditions, q: pybamm.Scalar(0.0),
                                   energy: pybamm.Scalar(0.0)}

        dl = cathode.variables["Cathode double-layer charge [mol]"]
        li_anode = anode.variables["Lithium in electrode [mol]"] + anode.variables["Lithium in SEI [mol]"]
        li_cathode = cathode.variables["Lithium in cathode [mol]"]
        self.variables = {
            **anode.variables,
            **cathode.variables,
            "Anode potential [V]": anode.potential_V,
            **experiment_variables(I, V),
            "Separator ohmic drop [V]": I * R_sep,
            "Discharge capacity [A.h]": q,
            # the anode's "Charge passed" convention (lithiating the Si positive) for shared tooling
            "Charge passed [A.h]": -q,
            "Energy passed [W.h]": energy,
            "Lithium in anode [mol]": li_anode,
            "Total lithium [mol]": li_anode + li_cathode - dl,
        }
        self.events = anode.events + cathode.events

    @property
    def default_geometry(self):
        return pybamm.Geometry({**anode_geometry(), **cathode_geometry()})

    @property
    def default_var_pts(self):
        return {"x_n": 20, "x_p": 10, "r_p": 10}

    @property
    def default_submesh_types(self):
        return {**anode_submesh(), CATHODE: pybamm.Uniform1DSubMesh, PARTICLE: pybamm.Uniform1DSubMesh}

    @property
    def default_spatial_methods(self):
        fv = pybamm.FiniteVolume()
        return {ANODE: fv, CATHODE: fv, PARTICLE: fv}

    @property
    def default_solver(self):
        return idaklu_solver()
