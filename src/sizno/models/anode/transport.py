"""Transport in the anode: the phases' conductivities, the solid fraction, and the ambipolar Li flux."""

from __future__ import annotations

from dataclasses import dataclass

import pybamm

from sizno.models.anode.functions import log_interp, positive_power
from sizno.models.anode.percolation import network_conductance_factor
from sizno.models.anode.states import AnodeStates, initial_amorphous_state
from sizno.units import FARADAY_C_PER_MOL

# volume fraction added to the network's (zero in pure Si, and before any ZnO converts) so that its
# Bruggeman power is exp(b ln v) with a finite log: 1e-12^1.5 = 1e-18 of the network's conductivity
NETWORK_FLOOR = 1e-12
SMOOTH_MIN_EXPONENT = 20.0  # k of the smooth min(solid, 1) = solid / (1 + solid^k)^(1/k)


@dataclass(frozen=True)
class Conductivities:
    v_net: pybamm.Symbol  # volume fraction of the ZnO / Zn + Li2O network
    solid: pybamm.Symbol  # solid volume fraction (above 1: the electrode grows)
    sig_e: pybamm.Symbol  # electronic [S/m]
    sig_i: pybamm.Symbol  # ionic [S/m]
    sig_amb: pybamm.Symbol  # ambipolar [S/m]


def solid_fraction(st: AnodeStates) -> tuple[pybamm.Symbol, pybamm.Symbol]:
    """(network volume fraction, solid volume fraction): the Si swells with its Li, the ZnO converts."""
    P = pybamm.Parameter
    v_net = (P("ZnO volume fraction [-]") * (1 - st.chi)
             + (P("Zn volume fraction per converted ZnO [-]") + P("Li2O volume fraction per converted ZnO [-]")) * st.chi)
    expansion = P("Si volume expansion at Li15Si4 [-]")
    solid = P("Binder volume fraction [-]") + P("Si volume fraction [-]") * (1 + expansion * (st.c + st.tr + st.li_iso)) + v_net
    return v_net, solid


def _host_conductivities(st: AnodeStates) -> tuple[pybamm.Symbol, pybamm.Symbol]:
    """(electronic, ionic) conductivity of the Si host [S/m].

    a-LixSi forms as shells on the sheets, so it conducts in parallel with the c-Si cores (Wiener
    upper bound); within the amorphous phase, conductivity is log-linear in filling: the alloy's
    conductivities follow its Li content (Pollak et al. 2007), trapped Li included (trapped Li stays
    in the a-LixSi network; it is only not extractable inside the window)."""
    P = pybamm.Parameter
    s = st.s
    sig_i_a1 = P("LixSi ionic conductivity, lithiated [S.m-1]")
    sig_i_a0 = sig_i_a1 * P("a-Si / LixSi ionic conductivity ratio [-]")
    x_li = (st.c + st.tr) / (s - st.iso)
    sig_e_host = (1 - s) * P("c-Si electronic conductivity [S.m-1]") + s * log_interp(
        P("a-Si electronic conductivity, delithiated [S.m-1]"), P("LixSi electronic conductivity, lithiated [S.m-1]"), x_li)
    sig_i_host = (1 - s) * P("c-Si ionic conductivity [S.m-1]") + s * log_interp(sig_i_a0, sig_i_a1, x_li)
    return sig_e_host, sig_i_host


def conductivities(st: AnodeStates, transport_multiplier=1) -> Conductivities:
    """Electronic, ionic and ambipolar conductivity of the electrode: host plus network, through the
    solid's contacts (Bruggeman); cracked-off Si carries nothing, and the Si sheets still in contact
    conduct as a percolating network (`percolation`: nothing below the threshold share). The Zn/LiZn +
    Li2O network is not subject to the Si's threshold: it coats the sheets (a segregated network,
    percolating through the sheets' packing at small volume fractions) and, ductile, bridges their
    cracks (the model's assumption, package doc), so it conducts in parallel whatever the share of
    Si sheets in contact. `transport_multiplier`: the sheet population's contact quality, scaling
    both conductivities."""
    P = pybamm.Parameter
    brug = P("Bruggeman exponent [-]")
    v_net, solid = solid_fraction(st)
    k_s = SMOOTH_MIN_EXPONENT
    solid_eff = solid / positive_power(1 + positive_power(solid, k_s), 1 / k_s)  # smooth min(solid, 1)
    contact = transport_multiplier * positive_power(solid_eff, brug)
    connected = network_conductance_factor(1 - st.iso / st.s, P("Si sheet contact percolation threshold [-]"),
                                           P("Percolation conductivity exponent [-]"))
    sig_e_host, sig_i_host = _host_conductivities(st)
    sig_e = contact * (connected * sig_e_host
                       + P("Zn/LiZn electronic conductivity [S.m-1]")
                       * positive_power(P("Zn volume fraction per converted ZnO [-]") * st.chi + NETWORK_FLOOR, brug))
    sig_i = contact * (connected * sig_i_host + P("Network ionic conductivity [S.m-1]") * positive_power(v_net + NETWORK_FLOOR, brug))
    sig_amb = sig_i * sig_e / (sig_i + sig_e)
    return Conductivities(v_net, solid, sig_e, sig_i, sig_amb)


def lithium_flux(sig_amb, U):
    """Li flux [mol/m2/s], +x (into the electrode), down the gradient of its chemical potential -F U.

    The conductivity at a cell face is the ARITHMETIC mean of the two cells' values: written as
    sigma * (grad U / F), PyBaMM's finite volumes take the arithmetic mean (its default for
    sigma * grad U is the harmonic mean). At the c-Si/a-LixSi front the two cells differ by ~1e3, and
    the harmonic mean (set by the Li-blocking c-Si cell) stalled the front on coarse meshes: pure Si's
    first lithiation at 25 °C, 0.1 A/g gave 88 / 1475 / 2010 mAh/g with 12 / 20 / 30 cells; with the
    arithmetic mean 2011 / 2012 / 2013. Harmonic means stall wetting fronts the same way in
    unsaturated flow, where arithmetic (or upstream) interblock conductivities are the remedy
    (Haverkamp & Vauclin, Water Resour. Res. 15 (1979) 181)."""
    return sig_amb * (pybamm.grad(U) / FARADAY_C_PER_MOL)


def lithium_into_si(N, r_conv, r_lizn):
    """Li into the Si, all forms [Si capacity per s]: the flux's divergence less what the ZnO
    conversion (2 Li) and the LiZn alloying (1 Li) take."""
    R_z = pybamm.Parameter("ZnO to Si-capacity ratio [-]")
    return -pybamm.div(N) / pybamm.Parameter("Si lithium capacity concentration [mol.m-3]") - 2 * R_z * r_conv - R_z * r_lizn


def pristine_solid_fraction():
    """Solid volume fraction of the pristine electrode (the thickness's reference, `sizno.results.thickness`)."""
    P = pybamm.Parameter
    _, c0 = initial_amorphous_state()
    return (P("Binder volume fraction [-]") + P("Si volume fraction [-]") * (1 + P("Si volume expansion at Li15Si4 [-]") * c0)
            + P("ZnO volume fraction [-]"))
