"""Ageing of the anode: the breathing Si sheets crack off the network; the a-LixSi shell's stress relief."""

from __future__ import annotations

from dataclasses import dataclass

import pybamm

from sizno.models.anode.functions import smooth_abs
from sizno.models.anode.states import AnodeStates


@dataclass(frozen=True)
class Ageing:
    r_crack: pybamm.Symbol  # fraction of the connected Si cracked off per second
    drelief: pybamm.Symbol  # d(front stress relief)/dt [1/s]


def ageing(st: AnodeStates, dli_si, dcdt_net) -> Ageing:
    """Cracking at k_crack per unit volumetric strain of the Si (both directions), and the yield of
    the a-LixSi shell in tension as it delithiates, relieving the front's back-stress.

    `dli_si`: Li into the Si, all forms; `dcdt_net`: into its mobile form [Si capacity per s]."""
    P = pybamm.Parameter
    r_abs = smooth_abs(dcdt_net)
    strain_rate = P("Si volume expansion at Li15Si4 [-]") * r_abs  # volumetric strain rate of the Si [1/s]
    r_crack = P("Cracking rate per volumetric strain [-]") * strain_rate
    # Li leaving the Si (all forms): max(-dli_si, 0), not the mobile form's rate, so that trapping during
    # a lithiation never counts as delithiation (it drove the relief below zero)
    delithiation_rate = (smooth_abs(dli_si) - dli_si) / 2
    drelief = P("Front stress relief per delithiated capacity [-]") * delithiation_rate * (1 - st.relief)
    return Ageing(r_crack, drelief)
