"""Thermodynamics of the anode: the a-LixSi open-circuit potential with its one-state hysteresis."""

from __future__ import annotations

from dataclasses import dataclass

import pybamm
from pybamm.input.parameters.lithium_ion.Chen2020_composite import (
    silicon_ocp_delithiation_Mark2016,
    silicon_ocp_lithiation_Mark2016,
)

from sizno.models.anode.functions import smooth_abs
from sizno.models.anode.states import AnodeStates
from sizno.units import FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOL_K

Z_OCP_RANGE = (1e-5, 1 - 1e-4)  # filling range of the OCP fits' end-member tails: 10 V above, -1 V below
OCP_SLOPE_OUTSIDE_V = 10.0  # [V per unit filling] beyond that range, the OCP goes on steeply, without a pole


def amorphous_ocp_branches(z):
    """Lithiation and delithiation OCP [V vs Li+/Li] of a-LixSi at filling z (Verbrugge et al. 2016 fits,
    PyBaMM). The delithiation fit has no end-member tail; it gets the lithiation fit's 1e-4/z so the
    OCP rises steeply as the amorphous phase empties (the window's 2.0 V is reachable).

    The fits' tails are poles (1e-4/z, 1e-4/(z - 1)): a point that a fast step over- or under-fills
    for an instant would cross one and stop the solver. Outside Z_OCP_RANGE, where the OCP is already
    10 V above or 1 V below Li, the tails are continued linearly instead (no effect inside the window)."""
    lo, hi = Z_OCP_RANGE
    zc = pybamm.maximum(pybamm.minimum(z, hi), lo)
    beyond = -OCP_SLOPE_OUTSIDE_V * (z - zc)
    return silicon_ocp_lithiation_Mark2016(zc) + beyond, silicon_ocp_delithiation_Mark2016(zc) + 1e-4 / zc + beyond


@dataclass(frozen=True)
class Thermodynamics:
    free_sites: pybamm.Symbol  # free, connected sites of the amorphous phase / Si capacity
    z: pybamm.Symbol  # filling of those sites, 0..1
    U: pybamm.Symbol  # open-circuit potential [V vs Li+/Li]
    f_RT: pybamm.Symbol  # F / (R T) [1/V]


def thermodynamics(st: AnodeStates) -> Thermodynamics:
    """The local OCP, between its lithiation (h = -1) and delithiation (h = +1) branches."""
    free_sites = st.s - st.tr - st.iso
    z = st.c / free_sites
    U_lith, U_delith = amorphous_ocp_branches(z)
    U = (1 - st.h) / 2 * U_lith + (1 + st.h) / 2 * U_delith
    f_RT = FARADAY_C_PER_MOL / (GAS_CONSTANT_J_PER_MOL_K * pybamm.Parameter("Temperature [K]"))
    return Thermodynamics(free_sites, z, U, f_RT)


def hysteresis_rates(st: AnodeStates, dcdt_net) -> tuple[pybamm.Symbol, pybamm.Symbol]:
    """(dw/dt, dh/dt): the hysteresis state relaxes towards the branch of the local lithiation rate.

    The hysteresis relaxes with the LOCAL lithiation rate, seen through a first-order filter of a
    stated, short time constant: driving h by dc/dt itself couples h to the second derivative of
    U(h) (dc/dt holds div N) and IDA resolved that loop with ~4x the steps; the filter lags the
    branch switch by tau_w (seconds, against half cycles of minutes to hours)."""
    w, h = st.w, st.h
    dwdt = (dcdt_net - w) / pybamm.Parameter("Hysteresis rate filter time [s]")
    w_abs = smooth_abs(w)
    dhdt = -pybamm.Parameter("Hysteresis decay rate [-]") / st.s * ((w_abs + w) / 2 * (1 + h) - (w_abs - w) / 2 * (1 - h))
    return dwdt, dhdt
