"""The anode's phase reactions [1/s]: c-Si amorphisation, ZnO conversion, LiZn alloying, Li trapping."""

from __future__ import annotations

from dataclasses import dataclass

import pybamm

from sizno.models.anode.functions import one_way
from sizno.models.anode.states import AnodeStates
from sizno.models.anode.thermodynamics import Thermodynamics
from sizno.units import FARADAY_C_PER_MOL


@dataclass(frozen=True)
class Reactions:
    r_am: pybamm.Symbol  # c-Si -> a-LixSi, activated Si per Si per s
    r_conv: pybamm.Symbol  # ZnO + 2 Li -> Zn + Li2O, per initial ZnO per s
    r_lizn: pybamm.Symbol  # Zn + Li <-> LiZn, per initial ZnO per s
    r_trap: pybamm.Symbol  # mobile -> trapped Li, per Si capacity per s


def front_potential(st: AnodeStates):
    """Potential [V] at which the c-Si/a-LixSi front advances.

    Compressive stress at the front grows with the Li (volume) in the shell around the shrinking core
    and lowers that potential by sigma*Omega/F ("self-limiting lithiation"): the front stalls with
    some c-Si left. The shell yields on each delithiation (relief), so the next lithiation advances
    the front further."""
    P = pybamm.Parameter
    stress_shift = (P("Front compressive stress at full lithiation [Pa]")
                    * P("Partial molar volume of Li in LixSi [m3.mol-1]") / FARADAY_C_PER_MOL)
    return P("c-Si lithiation potential [V]") - stress_shift * (st.c + st.tr) * (1 - st.relief)


def reactions(st: AnodeStates, th: Thermodynamics) -> Reactions:
    """Rates of the reactions at the local OCP U: Tafel-like one-way amorphisation and conversion,
    Butler–Volmer LiZn alloying, and trapping onto saturating sites of the activated Si."""
    P = pybamm.Parameter
    U, f_RT = th.U, th.f_RT
    r_am = P("c-Si amorphisation rate constant [s-1]") * (1 - st.s) * one_way(f_RT * (front_potential(st) - U))
    r_conv = P("ZnO conversion rate constant [s-1]") * (1 - st.chi) * one_way(f_RT * (P("ZnO conversion potential [V]") - U))
    eta_lizn = 0.5 * f_RT * (P("LiZn alloying potential [V]") - U)
    r_lizn = P("LiZn alloying rate constant [s-1]") * ((st.chi - st.y) * pybamm.exp(eta_lizn) - st.y * pybamm.exp(-eta_lizn))
    r_trap = P("Trapping rate constant [s-1]") * th.z * (P("Trap sites per activated Si [-]") * st.s - st.tr)
    return Reactions(r_am, r_conv, r_lizn, r_trap)
