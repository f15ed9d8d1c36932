"""Thermodynamics of the anode: the a-LixSi open-circuit potential with its one-state hysteresis."""

from __future__ import annotations

from dataclasses import dataclass

import pybamm

from sizno.models.anode.functions import smooth_abs
from sizno.models.anode.states import AnodeStates
from sizno.units import FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOL_K

Z_OCP_RANGE = (1e-5, 1 - 1e-4)  # filling range of the OCP fits' end-member tails: 10 V above, -1 V below
OCP_SLOPE_OUTSIDE_V = 10.0  # [V per unit filling] beyond that range, the OCP goes on steeply, without a pole


# Verbrugge, Baker & Xiao, J. Electrochem. Soc. 163 (2016) A262: the a-LixSi OCP fits (Enertech cell) as
# PyBaMM ships them (Chen2020_composite's silicon_ocp_*_Mark2016), coefficients of z^7 ... z^0
SI_OCP_LITHIATION_COEFFICIENTS = (-96.63, 372.6, -587.6, 489.9, -232.8, 62.99, -9.286, 0.8633)
SI_OCP_DELITHIATION_COEFFICIENTS = (-51.02, 161.3, -205.7, 140.2, -58.76, 16.87, -3.792, 0.9937)


def horner(z, coefficients: tuple[float, ...]):
    """The polynomial with `coefficients` (highest power first) at z, by Horner's scheme: products and
    sums only (z**k compiles to calls of pow(), which took a fifth of the solver's time)."""
    value = coefficients[0]
    for c in coefficients[1:]:
        value = value * z + c
    return value


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
    tails = 1e-4 * (1 / zc + 1 / (zc - 1))  # the lithiation fit's own
    return (horner(zc, SI_OCP_LITHIATION_COEFFICIENTS) + tails + beyond,
            horner(zc, SI_OCP_DELITHIATION_COEFFICIENTS) + 1e-4 / zc + beyond)


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


def filtered_lithiation_rate(st: AnodeStates) -> pybamm.Symbol:
    """The local lithiation rate of the mobile Li seen through a first-order filter of a stated, short
    time constant tau [Si capacity per s].

    The filter acts on the mobile Li itself: c_f' = (c - c_f) / tau, so the rate (c - c_f) / tau is the
    filtered dc/dt, a function of the node's own two states (and c_f's own rate). Filtering dc/dt
    directly (a state w' = (dc/dt - w) / tau) made every equation driven by it hold the flux's
    divergence: a node's row of the Jacobian then reached its neighbours' seven states."""
    return (st.c - st.c_filtered) / pybamm.Parameter("Hysteresis rate filter time [s]")


def hysteresis_rate(st: AnodeStates, rate) -> pybamm.Symbol:
    """dh/dt: the hysteresis state relaxes towards the branch of the local lithiation rate.

    The hysteresis relaxes with the LOCAL lithiation rate `rate` (`filtered_lithiation_rate`):
    driving h by dc/dt itself couples h to the second derivative of U(h) (dc/dt holds div N) and
    IDA resolved that loop with ~4x the steps; the filter lags the branch switch by its time
    constant (seconds, against half cycles of minutes to hours)."""
    w_abs = smooth_abs(rate)
    return -pybamm.Parameter("Hysteresis decay rate [-]") / st.s * ((w_abs + rate) / 2 * (1 + st.h)
                                                                    - (w_abs - rate) / 2 * (1 - st.h))
