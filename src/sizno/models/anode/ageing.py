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


def ageing(st: AnodeStates, rate, r_trap) -> Ageing:
    """Cracking at k_crack per unit volumetric strain of the Si (both directions), and the yield of
    the a-LixSi shell in tension as it delithiates, relieving the front's back-stress.

    Both follow the local lithiation rate as the hysteresis does, through its filter: `rate`, the
    filtered rate of Li into the Si's mobile form (`filtered_lithiation_rate`), and `r_trap`, into its
    trapped form [Si capacity per s]. The filter lags them by seconds (the hysteresis's filter time)
    over half cycles of minutes to hours; driven by the unfiltered rate (the flux's divergence), every
    ageing state's equation coupled a node to its neighbours' seven states (a Jacobian twice as dense)."""
    P = pybamm.Parameter
    r_abs = smooth_abs(rate)
    strain_rate = P("Si volume expansion at Li15Si4 [-]") * r_abs  # volumetric strain rate of the Si [1/s]
    r_crack = P("Cracking rate per volumetric strain [-]") * strain_rate
    # Li leaving the Si (all forms): max(-dli_si, 0), not the mobile form's rate, so that trapping during
    # a lithiation never counts as delithiation (it drove the relief below zero)
    dli_si = rate + r_trap
    delithiation_rate = (smooth_abs(dli_si) - dli_si) / 2
    drelief = P("Front stress relief per delithiated capacity [-]") * delithiation_rate * (1 - st.relief)
    return Ageing(r_crack, drelief)
