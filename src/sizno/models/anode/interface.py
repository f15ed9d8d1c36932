"""The anode's interface with the solid electrolyte: its contact layer, SEI growth, and the electrode potential."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pybamm

from sizno.models.anode.functions import layer_mean
from sizno.models.anode.states import AnodeStates
from sizno.models.anode.thermodynamics import Thermodynamics
from sizno.models.anode.transport import Conductivities
from sizno.units import FARADAY_C_PER_MOL

Z_FLOOR = 0.01  # surface filling below which the exchange current stops falling
NM_TO_M = 1e-9


@dataclass(frozen=True)
class ContactLayer:
    """The state the interface reaction sees: means over a contact layer one Si sheet deep.

    The electrolyte touches a contact layer, not a mathematical plane (below the sheets' size the
    continuum has no meaning, and the sheets equilibrate internally in seconds,
    `microscale_time_ratio`). A face value extrapolated through the Li-blocking c-Si made the first
    lithiation hit its cut-off in a second at 25 °C while no point of the electrode had reached the
    c-Si plateau."""

    mean: Callable[[pybamm.Symbol], pybamm.Symbol]
    U0: pybamm.Symbol  # OCP [V]
    z0: pybamm.Symbol  # filling
    sig_e0: pybamm.Symbol  # electronic conductivity [S/m]


def contact_layer(st: AnodeStates, th: Thermodynamics, cond: Conductivities) -> ContactLayer:
    mean = layer_mean(st.x, pybamm.Parameter("Interface contact depth [m]"))
    return ContactLayer(mean, mean(th.U), mean(th.z), mean(cond.sig_e))


@dataclass(frozen=True)
class SEI:
    ddelta: pybamm.Symbol  # growth rate [nm/s]
    I_sei: pybamm.Symbol  # current consumed by the interphase [A]
    N0: pybamm.Symbol  # Li into the electrode at x = 0 [mol/m2/s]


def sei_growth(st: AnodeStates, th: Thermodynamics, layer: ContactLayer, I) -> SEI:
    """Parabolic SEI growth (LPSCl + Li), gated on below its formation potential; the rest of the
    lithiating current `I` [A] enters the electrode."""
    P = pybamm.Parameter
    F, A = FARADAY_C_PER_MOL, P("Electrode area [m2]")
    gate = 1 / (1 + pybamm.exp(th.f_RT * (layer.U0 - P("SEI formation potential [V]"))))
    ddelta = P("SEI parabolic growth constant [nm2.s-1]") / st.delta * gate
    I_sei = F * A * P("SEI lithium concentration [mol.m-3]") * ddelta * NM_TO_M  # Li+ + e- consumed by the interphase
    N0 = (I - I_sei) / (F * A)
    return SEI(ddelta, I_sei, N0)


@dataclass(frozen=True)
class ElectrodePotential:
    a_act: pybamm.Symbol  # active share of the interface (electron supply)
    i0_eff: pybamm.Symbol  # exchange current density [A/m2]
    eta_int: pybamm.Symbol  # interface overpotential [V]
    R_sei: pybamm.Symbol  # SEI resistance [Ohm]
    ohm_electrode: pybamm.Symbol  # the electrode's own ohmic drop [V]
    potential_V: pybamm.Symbol  # vs Li+/Li, at the collector


def electrode_potential(st: AnodeStates, th: Thermodynamics, cond: Conductivities, layer: ContactLayer, I) -> ElectrodePotential:
    """The electrode's potential at its collector for a lithiating current `I` [A]: the contact layer's
    OCP less the interface overpotential, the SEI's and the electrode's ohmic drops.

    Butler–Volmer exchange current with the usual sqrt(z(1 - z)) dependence on the surface filling
    (normalised to 1 at z = 1/2): charge transfer slows as the surface empties or fills. Floored at
    1 % filling: the a-LixSi OCP fit lacks the ideal ln(z) term that keeps the lithiation rate of an
    emptied surface finite, so an unfloored sqrt(z) would stop it dead."""
    P = pybamm.Parameter
    A = P("Electrode area [m2]")
    a_act = layer.sig_e0 / (layer.sig_e0 + P("Contact activation conductivity [S.m-1]"))
    a_contact = 1 - layer.mean(st.iso / st.s)  # cracked-off Si leaves the interface
    filling = 2 * pybamm.sqrt(pybamm.maximum(layer.z0 * (1 - layer.z0), Z_FLOOR * (1 - Z_FLOOR)))
    i0_eff = P("Interface exchange current density [A.m-2]") * a_act * a_contact * filling
    eta_int = 2 / th.f_RT * pybamm.arcsinh(I / (2 * A * i0_eff))
    R_sei = st.delta * NM_TO_M / (P("SEI ionic conductivity [S.m-1]") * A)
    ohm_electrode = I / A * pybamm.Integral(1 / (cond.sig_i + cond.sig_e), st.x)
    potential_V = layer.U0 - eta_int - I * R_sei - ohm_electrode
    return ElectrodePotential(a_act, i0_eff, eta_int, R_sei, ohm_electrode, potential_V)
