"""Equations of the dense, electrolyte-free Si-composite anode, shared by half and full cells.

One dimension x through the electrode thickness, in the host (pristine) frame: x = 0 is the
interface with the solid electrolyte, where Li+ enters; x = L is the blocking current collector,
where electrons enter. The electrode is a mixed ionic–electronic conductor (MIEC): neutral Li moves
with the ambipolar conductivity sigma_i sigma_e / (sigma_i + sigma_e) down the gradient of its
chemical potential, -F U(x). Phases and their reactions, each with its own potential:

  c-Si  --(Tafel, below U_cSi)-->  a-LixSi          (amorphisation creates storage sites: s)
  a-LixSi  <-->  a-Si                               (OCP with one-state hysteresis: h)
  ZnO + 2 Li --> Zn + Li2O                          (irreversible conversion: chi)
  Zn + Li  <-->  LiZn                               (reversible alloying: y)
  Li (mobile) --> Li (trapped in a-Si)              (saturating trap sites: tr)
  LPSCl + Li --> 2D SEI at x = 0                    (parabolic growth: delta)

Ageing: the volume the Si sheets breathe cracks them off the conducting network. A fraction
k_crack x (volumetric strain) of the still-connected Si is isolated per unit strain, taking its
mobile Li with it (loss of active material and of Li inventory at once); isolated Si no longer
conducts (slower transport) and no longer touches the electrolyte (interface resistance grows).
The Zn/LiZn + Li2O network is ductile and coats the sheets; it is assumed to bridge the cracks.

Thickness: the electrode is held laterally by the cell under 300 MPa, so the net volume growth of
its solid goes into thickness, except a fraction beta that fills the pristine voids (bounded by
them). On delithiation the solid shrinks isotropically and leaves cavities (the paper's Fig. 3g):
the thickness follows only the linear contraction, (V/V_max)^(1/3). Re-lithiation refills them.
The thickness needs each point's largest solid volume so far, a history: it is computed from the
model's "Solid fraction [-]" by `sizno.results.thickness` rather than as a (stiff) running-max state.

Li stored is counted in units of the Si alloying capacity (3.75 Li per Si) so every state is O(1).
Micro-scale diffusion inside the Si sheets is left out on purpose: its time constant
(~(0.1 um)^2 / D) is seconds, against hours for the 22 um through-thickness transport
(see `microscale_time_ratio`).
"""

from __future__ import annotations

import pybamm
from pybamm.input.parameters.lithium_ion.Chen2020_composite import (
    silicon_ocp_delithiation_Mark2016,
    silicon_ocp_lithiation_Mark2016,
)

from sizno.units import FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOL_K

DOMAIN = "negative electrode"
Z_FLOOR = 0.01  # surface filling below which the exchange current stops falling


def smooth_abs(x, eps: float = 1e-8):
    """|x|, smoothed below eps (rates here are ~1e-6–1e-2 per s; a sharper corner slows IDA 10x)."""
    return pybamm.sqrt(x**2 + eps**2)


def _one_way(drive):
    """Net rate factor of an irreversible reaction: exp(drive) - 1 above equilibrium, else 0 (smooth)."""
    a = pybamm.exp(drive) - 1
    return (a + pybamm.sqrt(a**2 + 1e-6)) / 2


def _log_interp(lo, hi, w):
    """exp((1 - w) ln lo + w ln hi): Lichtenecker (logarithmic) mixing."""
    return pybamm.exp((1 - w) * pybamm.log(lo) + w * pybamm.log(hi))


def _layer_mean(x, depth):
    """v -> the mean of v over 0 <= x <= depth (smooth edge of depth/5, so the mean converges with the mesh)."""
    weight = 1 / (1 + pybamm.exp((x - depth) / (0.2 * depth)))
    norm = pybamm.Integral(weight, x)
    return lambda v: pybamm.Integral(v * weight, x) / norm


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


def anode_geometry() -> dict:
    x = pybamm.SpatialVariable("x_n", domain=[DOMAIN], coord_sys="cartesian")
    return {DOMAIN: {x: {"min": pybamm.Scalar(0), "max": pybamm.Parameter("Electrode thickness [m]")}}}


def anode_submesh() -> dict:
    return {DOMAIN: pybamm.MeshGenerator(pybamm.Exponential1DSubMesh, submesh_params={"side": "left", "stretch": 2.0})}


class DenseAnode:
    """The anode's states, equations and variables for a lithiating current `I_lith` [A].

    A builder, not a model: half- and full-cell models add its `rhs`, `boundary_conditions`,
    `initial_conditions`, `variables` and `events` to their own, and take the electrode's
    potential vs Li+/Li at its current collector from `potential_V` (interface kinetics, SEI and
    the electrode's own ohmic drop included).
    """

    def __init__(self, I_lith):
        F, R = FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOL_K
        P = pybamm.Parameter
        I = I_lith

        # ---------------------------------------------------------------- parameters
        T = P("Temperature [K]")
        L = P("Electrode thickness [m]")
        A = P("Electrode area [m2]")
        C_si = P("Si lithium capacity concentration [mol.m-3]")
        R_z = P("ZnO to Si-capacity ratio [-]")
        v_si0 = P("Si volume fraction [-]")
        v_zno0 = P("ZnO volume fraction [-]")
        v_zn_per = P("Zn volume fraction per converted ZnO [-]")
        v_li2o_per = P("Li2O volume fraction per converted ZnO [-]")
        v_binder = P("Binder volume fraction [-]")
        expansion = P("Si volume expansion at Li15Si4 [-]")
        brug = P("Bruggeman exponent [-]")

        sig_e_c = P("c-Si electronic conductivity [S.m-1]")
        sig_i_c = P("c-Si ionic conductivity [S.m-1]")
        sig_e_a0 = P("a-Si electronic conductivity, delithiated [S.m-1]")
        sig_e_a1 = P("LixSi electronic conductivity, lithiated [S.m-1]")
        sig_i_a1 = P("LixSi ionic conductivity, lithiated [S.m-1]")
        sig_i_a0 = sig_i_a1 * P("a-Si / LixSi ionic conductivity ratio [-]")
        sig_e_zn = P("Zn/LiZn electronic conductivity [S.m-1]")
        sig_i_net = P("Network ionic conductivity [S.m-1]")

        U_csi = P("c-Si lithiation potential [V]")
        k_am = P("c-Si amorphisation rate constant [s-1]")
        stress_shift = (P("Front compressive stress at full lithiation [Pa]")
                        * P("Partial molar volume of Li in LixSi [m3.mol-1]") / F)
        U_conv = P("ZnO conversion potential [V]")
        k_conv = P("ZnO conversion rate constant [s-1]")
        U_lizn = P("LiZn alloying potential [V]")
        k_lizn = P("LiZn alloying rate constant [s-1]")
        trap_max = P("Trap sites per activated Si [-]")
        k_trap = P("Trapping rate constant [s-1]")
        gamma_h = P("Hysteresis decay rate [-]")
        k_crack = P("Cracking rate per volumetric strain [-]")
        beta_pore = P("Pore accommodation fraction [-]")
        k_relief = P("Front stress relief per delithiated capacity [-]")

        i0 = P("Interface exchange current density [A.m-2]")
        sig_act = P("Contact activation conductivity [S.m-1]")
        k_sei = P("SEI parabolic growth constant [nm2.s-1]")
        U_sei = P("SEI formation potential [V]")
        c_sei = P("SEI lithium concentration [mol.m-3]")
        sig_sei = P("SEI ionic conductivity [S.m-1]")

        # ---------------------------------------------------------------- states
        c = pybamm.Variable("Mobile lithium [-]", domain=DOMAIN)  # Li in a-LixSi / Si capacity
        s = pybamm.Variable("Amorphous fraction [-]", domain=DOMAIN)  # activated Si / all Si
        h = pybamm.Variable("Hysteresis state [-]", domain=DOMAIN)  # -1 lithiation, +1 delithiation
        chi = pybamm.Variable("ZnO conversion [-]", domain=DOMAIN)
        y = pybamm.Variable("LiZn fraction [-]", domain=DOMAIN)  # LiZn / initial ZnO
        tr = pybamm.Variable("Trapped lithium [-]", domain=DOMAIN)  # / Si capacity
        iso = pybamm.Variable("Isolated Si sites [-]", domain=DOMAIN)  # cracked off, / Si capacity
        li_iso = pybamm.Variable("Isolated lithium [-]", domain=DOMAIN)  # Li cut off with them
        relief = pybamm.Variable("Front stress relief [-]", domain=DOMAIN)  # share of back-stress yielded
        delta = pybamm.Variable("SEI thickness [nm]")
        x = pybamm.SpatialVariable("x_n", domain=[DOMAIN], coord_sys="cartesian")

        # ---------------------------------------------------------------- thermodynamics
        free_sites = s - tr - iso
        z = c / free_sites  # filling of the amorphous phase's free, connected sites, 0..1
        U_lith, U_delith = amorphous_ocp_branches(z)
        U = (1 - h) / 2 * U_lith + (1 + h) / 2 * U_delith
        f_RT = F / (R * T)

        # ---------------------------------------------------------------- conductivities
        v_net = v_zno0 * (1 - chi) + (v_zn_per + v_li2o_per) * chi
        solid = v_binder + v_si0 * (1 + expansion * (c + tr + li_iso)) + v_net
        k_s = 20.0
        solid_eff = solid / (1 + solid**k_s) ** (1 / k_s)  # smooth min(solid, 1)
        contact = solid_eff**brug
        connected = (1 - iso / s) ** brug  # cracked-off Si carries nothing

        # a-LixSi forms as shells on the sheets, so it conducts in parallel with the c-Si cores
        # (Wiener upper bound); within the amorphous phase, conductivity is log-linear in filling
        # the alloy's conductivities follow its Li content (Pollak et al. 2007), trapped Li included:
        # trapped Li stays in the a-LixSi network (it is only not extractable inside the window)
        x_li = (c + tr) / (s - iso)
        sig_e_host = (1 - s) * sig_e_c + s * _log_interp(sig_e_a0, sig_e_a1, x_li)
        sig_i_host = (1 - s) * sig_i_c + s * _log_interp(sig_i_a0, sig_i_a1, x_li)
        sig_e = contact * (connected * sig_e_host + sig_e_zn * (v_zn_per * chi) ** brug)
        sig_i = contact * (connected * sig_i_host + sig_i_net * v_net**brug)
        sig_amb = sig_i * sig_e / (sig_i + sig_e)

        # ---------------------------------------------------------------- reactions [1/s]
        # compressive stress at the c-Si/a-LixSi front grows with the Li (volume) in the shell around
        # the shrinking core and lowers the potential at which the front advances by sigma*Omega/F
        # ("self-limiting lithiation"): the front stalls with some c-Si left. The shell yields on
        # each delithiation (relief), so the next lithiation advances the front further
        U_front = U_csi - stress_shift * (c + tr) * (1 - relief)
        r_am = k_am * (1 - s) * _one_way(f_RT * (U_front - U))
        r_conv = k_conv * (1 - chi) * _one_way(f_RT * (U_conv - U))
        eta_lizn = 0.5 * f_RT * (U_lizn - U)
        r_lizn = k_lizn * ((chi - y) * pybamm.exp(eta_lizn) - y * pybamm.exp(-eta_lizn))
        r_trap = k_trap * z * (trap_max * s - tr)

        # ---------------------------------------------------------------- interface and SEI
        # the electrolyte touches a contact layer one Si sheet deep, not a mathematical plane: the
        # interface reaction sees that layer's mean state (below the sheets' size the continuum has no
        # meaning, and the sheets equilibrate internally in seconds, `microscale_time_ratio`). A face
        # value extrapolated through the Li-blocking c-Si made the first lithiation hit its cut-off in
        # a second at 25 °C while no point of the electrode had reached the c-Si plateau
        contact_mean = _layer_mean(x, P("Interface contact depth [m]"))
        U0 = contact_mean(U)
        z0 = contact_mean(z)
        sig_e0 = contact_mean(sig_e)
        gate = 1 / (1 + pybamm.exp(f_RT * (U0 - U_sei)))
        ddelta = k_sei / delta * gate  # nm/s
        I_sei = F * A * c_sei * ddelta * 1e-9  # A, Li+ + e- consumed by the interphase
        N0 = (I - I_sei) / (F * A)  # mol/m2/s of Li into the electrode

        # ---------------------------------------------------------------- transport and ageing
        # mol/m2/s, +x (into the electrode). The conductivity at a cell face is the ARITHMETIC mean of the
        # two cells' values: written as sigma * (grad U / F), PyBaMM's finite volumes take the arithmetic
        # mean (its default for sigma * grad U is the harmonic mean). At the c-Si/a-LixSi front the two
        # cells differ by ~1e3, and the harmonic mean (set by the Li-blocking c-Si cell) stalled the front
        # on coarse meshes: pure Si's first lithiation at 25 °C, 0.1 A/g gave 88 / 1475 / 2010 mAh/g with
        # 12 / 20 / 30 cells; with the arithmetic mean 2011 / 2012 / 2013. Harmonic means stall wetting
        # fronts the same way in unsaturated flow, where arithmetic (or upstream) interblock conductivities
        # are the remedy (Haverkamp & Vauclin, Water Resour. Res. 15 (1979) 181)
        N = sig_amb * (pybamm.grad(U) / F)
        dli_si = -pybamm.div(N) / C_si - 2 * R_z * r_conv - R_z * r_lizn  # Li into the Si, all forms
        dcdt_net = dli_si - r_trap
        r_abs = smooth_abs(dcdt_net)
        strain_rate = expansion * r_abs  # volumetric strain rate of the Si [1/s]
        r_crack = k_crack * strain_rate  # fraction of the connected Si cracked off per second
        dcdt = dcdt_net - r_crack * c
        # the a-LixSi shell yields in tension as it delithiates, relieving the front's back-stress
        drelief = k_relief * (r_abs - dli_si) / 2 * (1 - relief)
        # the hysteresis relaxes with the LOCAL lithiation rate, seen through a first-order filter of a
        # stated, short time constant: driving h by dc/dt itself couples h to the second derivative of
        # U(h) (dc/dt holds div N) and IDA resolved that loop with ~4x the steps; the filter lags the
        # branch switch by tau_w (seconds, against half cycles of minutes to hours)
        w = pybamm.Variable("Filtered lithiation rate [s-1]", domain=DOMAIN)
        dwdt = (dcdt_net - w) / P("Hysteresis rate filter time [s]")
        w_abs = smooth_abs(w)
        dhdt = -gamma_h / s * ((w_abs + w) / 2 * (1 + h) - (w_abs - w) / 2 * (1 - h))

        # ---------------------------------------------------------------- thickness (see module doc)
        s0 = P("Initial amorphous fraction [-]")
        c0 = s0 * P("Initial amorphous Li filling [-]")
        v_solid0 = v_binder + v_si0 * (1 + expansion * c0) + v_zno0

        self.rhs = {c: dcdt, s: r_am, h: dhdt, chi: r_conv, y: r_lizn, tr: r_trap,
                    iso: r_crack * free_sites, li_iso: r_crack * c, relief: drelief, delta: ddelta}
        self.rhs[w] = dwdt
        self.boundary_conditions = {
            U: {
                "left": (N0 * F / pybamm.boundary_value(sig_amb, "left"), "Neumann"),
                "right": (pybamm.Scalar(0), "Neumann"),
            }
        }
        self.initial_conditions = {
            c: c0,
            s: s0,
            h: pybamm.Scalar(1.0),
            chi: pybamm.Scalar(0.0),
            y: pybamm.Scalar(0.0),
            tr: pybamm.Scalar(0.0),
            iso: pybamm.Scalar(0.0),
            li_iso: pybamm.Scalar(0.0),
            relief: pybamm.Scalar(0.0),
            delta: P("Initial SEI thickness [nm]"),
        }
        self.initial_conditions[w] = pybamm.Scalar(0.0)

        # ---------------------------------------------------------------- electrode potential
        a_act = sig_e0 / (sig_e0 + sig_act)  # active share of the interface (electron supply)
        a_contact = 1 - contact_mean(iso / s)  # cracked-off Si leaves the interface
        # Butler–Volmer exchange current with the usual sqrt(z(1 - z)) dependence on the surface
        # filling (normalised to 1 at z = 1/2): charge transfer slows as the surface empties or fills
        # floored at 1 % filling: the a-LixSi OCP fit lacks the ideal ln(z) term that keeps the
        # lithiation rate of an emptied surface finite, so an unfloored sqrt(z) would stop it dead
        filling = 2 * pybamm.sqrt(pybamm.maximum(z0 * (1 - z0), Z_FLOOR * (1 - Z_FLOOR)))
        i0_eff = i0 * a_act * a_contact * filling
        eta_int = 2 / f_RT * pybamm.arcsinh(I / (2 * A * i0_eff))
        R_sei = delta * 1e-9 / (sig_sei * A)
        ohm_electrode = I / A * pybamm.Integral(1 / (sig_i + sig_e), x)
        self.potential_V = U0 - eta_int - I * R_sei - ohm_electrode  # vs Li+/Li, at the collector

        # ---------------------------------------------------------------- bookkeeping
        n_cap = C_si * A  # mol Li per (unit Si-capacity fraction x metre)
        li_bulk = pybamm.Integral(c + tr + li_iso + 2 * R_z * chi + R_z * y, x) * n_cap
        li_sei = A * c_sei * delta * 1e-9
        Q_si_Ah = n_cap * L * F / 3600  # Si alloying capacity of the electrode [A.h]
        av = pybamm.x_average

        self.variables = {
            "Working electrode potential [V]": self.potential_V,
            "Interface open-circuit potential [V]": U0,
            "Open-circuit potential [V]": U,
            "Interface overpotential [V]": eta_int,
            "Interface active fraction [-]": a_act,
            "Interface exchange current density [A.m-2]": i0_eff,
            "SEI overpotential [V]": I * R_sei,
            "Electrode ohmic drop [V]": ohm_electrode,
            "Mobile lithium [-]": c,
            "Amorphous fraction [-]": s,
            "Amorphous Li filling [-]": z,
            "Hysteresis state [-]": h,
            "ZnO conversion [-]": chi,
            "LiZn fraction [-]": y,
            "Trapped lithium [-]": tr,
            "Isolated Si sites [-]": iso,
            "Isolated lithium [-]": li_iso,
            "Front stress relief [-]": relief,
            "SEI thickness [nm]": delta,
            "SEI current [A]": I_sei,
            "Ionic conductivity [S.m-1]": sig_i,
            "Electronic conductivity [S.m-1]": sig_e,
            "Ambipolar conductivity [S.m-1]": sig_amb,
            "Solid fraction [-]": solid,
            "Pristine solid fraction [-]": v_solid0,
            "Pore accommodation fraction [-]": beta_pore,
            "Lithium flux [mol.m-2.s-1]": N,
            "Lithium in electrode [mol]": li_bulk,
            "Lithium in SEI [mol]": li_sei,
            "Si alloying capacity [A.h]": Q_si_Ah,
            "X-averaged amorphous fraction [-]": av(s),
            "X-averaged mobile lithium [-]": av(c),
            "X-averaged trapped lithium [-]": av(tr),
            "X-averaged isolated Si fraction [-]": av(iso / s),
            "X-averaged isolated lithium [-]": av(li_iso),
            "X-averaged ZnO conversion [-]": av(chi),
            "X-averaged LiZn fraction [-]": av(y),
            "X-averaged solid volume fraction [-]": av(solid),
            "x [m]": x,
        }
        # no state events: the OCP's ends (1e-4/z as the phase empties, the lithiation fit's fall as
        # it fills) reach any sensible voltage cut-off first; events on min/max(z) misfired at high
        # rates (IDAKLU root-finding on a steep voltage) and stopped runs that were sound
        self.events = []


def microscale_time_ratio(sheet_half_thickness_m: float = 1e-7, thickness_m: float = 22e-6) -> float:
    """(sheet diffusion time) / (through-thickness time) at equal diffusivity: (l / L)^2."""
    return (sheet_half_thickness_m / thickness_m) ** 2
