"""The anode's output variables: its potentials, states, conductivities and lithium bookkeeping."""

from __future__ import annotations

import pybamm

from sizno.models.anode.interface import NM_TO_M, SEI, ElectrodePotential
from sizno.models.anode.states import AnodeStates
from sizno.models.anode.thermodynamics import Thermodynamics
from sizno.models.anode.transport import Conductivities, pristine_solid_fraction
from sizno.results.states import STATE_COLUMNS
from sizno.units import FARADAY_C_PER_MOL, SECONDS_PER_HOUR


def lithium_bookkeeping(st: AnodeStates) -> dict[str, pybamm.Symbol]:
    """Li in the electrode and in the SEI [mol], and the Si's alloying capacity [A.h]."""
    P = pybamm.Parameter
    A, R_z = P("Electrode area [m2]"), P("ZnO to Si-capacity ratio [-]")
    n_cap = P("Si lithium capacity concentration [mol.m-3]") * A  # mol Li per (unit Si-capacity fraction x metre)
    li_bulk = pybamm.Integral(st.c + st.tr + st.li_iso + 2 * R_z * st.chi + R_z * st.y, st.x) * n_cap
    li_sei = A * P("SEI lithium concentration [mol.m-3]") * st.delta * NM_TO_M
    Q_si_Ah = n_cap * P("Electrode thickness [m]") * FARADAY_C_PER_MOL / SECONDS_PER_HOUR
    return {"Lithium in electrode [mol]": li_bulk, "Lithium in SEI [mol]": li_sei, "Si alloying capacity [A.h]": Q_si_Ah}


def x_averaged_states(st: AnodeStates) -> dict[str, pybamm.Symbol]:
    """The x-averaged states the runner records, named by `sizno.results.states.STATE_COLUMNS`."""
    local = {"amorphous_fraction": st.s, "mobile_lithium_fraction": st.c, "trapped_lithium_fraction": st.tr,
             "isolated_si_fraction": st.iso / st.s, "isolated_lithium_fraction": st.li_iso, "zno_conversion": st.chi,
             "lizn_fraction": st.y}
    if local.keys() != STATE_COLUMNS.keys():
        raise RuntimeError(f"the anode's x-averaged states {sorted(local)} differ from STATE_COLUMNS {sorted(STATE_COLUMNS)}")
    return {STATE_COLUMNS[k]: pybamm.x_average(local[k]) for k in STATE_COLUMNS}


def anode_variables(st: AnodeStates, th: Thermodynamics, cond: Conductivities, U0, sei: SEI,
                    pot: ElectrodePotential, N, I) -> dict[str, pybamm.Symbol]:
    """Every variable the anode gives its cell model, by name."""
    av = pybamm.x_average
    return {
        "Working electrode potential [V]": pot.potential_V,
        "Interface open-circuit potential [V]": U0,
        "Open-circuit potential [V]": th.U,
        "Interface overpotential [V]": pot.eta_int,
        "Interface active fraction [-]": pot.a_act,
        "Interface exchange current density [A.m-2]": pot.i0_eff,
        "SEI overpotential [V]": I * pot.R_sei,
        "Electrode ohmic drop [V]": pot.ohm_electrode,
        "Mobile lithium [-]": st.c,
        "Amorphous fraction [-]": st.s,
        "Amorphous Li filling [-]": th.z,
        "Hysteresis state [-]": st.h,
        "ZnO conversion [-]": st.chi,
        "LiZn fraction [-]": st.y,
        "Trapped lithium [-]": st.tr,
        "Isolated Si sites [-]": st.iso,
        "Isolated lithium [-]": st.li_iso,
        "Front stress relief [-]": st.relief,
        "SEI thickness [nm]": st.delta,
        "SEI current [A]": sei.I_sei,
        "Ionic conductivity [S.m-1]": cond.sig_i,
        "Electronic conductivity [S.m-1]": cond.sig_e,
        "Ambipolar conductivity [S.m-1]": cond.sig_amb,
        "Solid fraction [-]": cond.solid,
        "Pristine solid fraction [-]": pristine_solid_fraction(),
        "Pore accommodation fraction [-]": pybamm.Parameter("Pore accommodation fraction [-]"),
        "Lithium flux [mol.m-2.s-1]": N,
        **lithium_bookkeeping(st),
        **x_averaged_states(st),
        "X-averaged solid volume fraction [-]": av(cond.solid),
        "x [m]": st.x,
    }
