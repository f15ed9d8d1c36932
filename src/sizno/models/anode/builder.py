"""The anode's builder: composes its submodels into states, equations and variables (see the package doc)."""

from __future__ import annotations

import pybamm

from sizno.models.anode.ageing import ageing
from sizno.models.anode.interface import contact_layer, electrode_potential, sei_growth
from sizno.models.anode.reactions import reactions
from sizno.models.anode.states import AnodeStates, initial_conditions
from sizno.models.anode.thermodynamics import filtered_lithiation_rate, hysteresis_rate, thermodynamics
from sizno.models.anode.transport import conductivities, lithium_flux, lithium_into_si
from sizno.models.anode.variables import anode_variables
from sizno.units import FARADAY_C_PER_MOL


class DenseAnode:
    """The anode's states, equations and variables for a lithiating current `I_lith` [A].

    A builder, not a model: half- and full-cell models add its `rhs`, `boundary_conditions`,
    `initial_conditions`, `variables` and `events` to their own, and take the electrode's
    potential vs Li+/Li at its current collector from `potential_V` (interface kinetics, SEI and
    the electrode's own ohmic drop included).
    """

    def __init__(self, I_lith, tag: str = "", transport_multiplier=1):
        I = I_lith
        st = AnodeStates.create(tag)
        th = thermodynamics(st)
        cond = conductivities(st, transport_multiplier)
        rx = reactions(st, th)
        layer = contact_layer(st, th, cond)
        sei = sei_growth(st, th, layer, I)
        N = lithium_flux(cond.sig_amb, th.U)
        dli_si = lithium_into_si(N, rx.r_conv, rx.r_lizn)
        dcdt_net = dli_si - rx.r_trap
        rate = filtered_lithiation_rate(st)  # = d(c_filtered)/dt
        age = ageing(st, rate, rx.r_trap)
        rates = {st.c: dcdt_net - age.r_crack * st.c, st.s: rx.r_am, st.h: hysteresis_rate(st, rate), st.chi: rx.r_conv, st.y: rx.r_lizn,
                 st.tr: rx.r_trap, st.iso: age.r_crack * th.free_sites, st.li_iso: age.r_crack * st.c,
                 st.relief: age.drelief, st.delta: sei.ddelta, st.c_filtered: rate}
        self.rhs = {v: rates[v] for v in st.order()}
        # Li enters at x = 0 (the solid electrolyte); the current collector at x = L blocks it
        self.boundary_conditions = {
            th.U: {
                "left": (sei.N0 * FARADAY_C_PER_MOL / pybamm.boundary_value(cond.sig_amb, "left"), "Neumann"),
                "right": (pybamm.Scalar(0), "Neumann"),
            }
        }
        self.initial_conditions = initial_conditions(st)
        pot = electrode_potential(st, th, cond, layer, I)
        self.potential_V = pot.potential_V  # vs Li+/Li, at the collector
        self.variables = anode_variables(st, th, cond, layer.U0, sei, pot, N, I)
        # no state events: the OCP's ends (1e-4/z as the phase empties, the lithiation fit's fall as
        # it fills) reach any sensible voltage cut-off first; events on min/max(z) misfired at high
        # rates (IDAKLU root-finding on a steep voltage) and stopped runs that were sound
        self.events = []


def microscale_time_ratio(sheet_half_thickness_m: float = 1e-7, thickness_m: float = 22e-6) -> float:
    """(sheet diffusion time) / (through-thickness time) at equal diffusivity: (l / L)^2."""
    return (sheet_half_thickness_m / thickness_m) ** 2
