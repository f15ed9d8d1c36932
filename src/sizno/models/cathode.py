"""Equations of the composite NCM811 | LPSCl | VGCF cathode of an all-solid-state cell.

Pseudo-two-dimensional: x through the cathode (x = 0 at the separator, x = L at the current
collector) and r inside spherical NCM811 particles (Fickian diffusion of Li, stoichiometry theta).
The solid electrolyte is a single-ion conductor, so there is no salt concentration to track: the
ionic current i_e and electronic current i_s obey Ohm's law with effective conductivities
(Bruggeman on the LPSCl and VGCF volume fractions) and i_e + i_s = I / A. With a double layer
on the particle surfaces, the potential difference dphi = phi_s - phi_e is a differential state:

    C_dl a d(dphi)/dt = d(i_e)/dx + a j,     i_e = (d(dphi)/dx + I/(A sigma)) / (1/sigma + 1/kappa),

with j the Butler–Volmer lithiation current density into the particles. Positive I discharges the
cell (lithiates the cathode).

Contact loss (cathode ageing): NCM811 shrinks ~7.8 % in volume from the lithiated to the charged state,
and in a cold-pressed composite the solid electrolyte does not follow it back, so particles lose their
ionic contact cycle by cycle (Koerver et al., Chem. Mater. 29 (2017) 5574; Shi et al., J. Mater. Chem. A
(2020), doi:10.1039/D0TA06985J). The share of NCM811 still in contact, s(x), falls in proportion to the
volumetric strain its particles sweep:

    ds/dt = -k s |d eps_V/dt|,   eps_V = beta theta_avg,   d theta_avg/dt = 3 j / (F c_max R_p),

with k the contact loss per volumetric strain and beta the strain per Li content. Particles that lose
contact keep the Li they hold (stranded, a state per x-node), so Li is conserved. The reaction runs on
the particles in contact (a s j); the double layer stays on the whole surface (a), which keeps its charge
bookkeeping exact. With k = 0 (the default: no measured rate, parameters/ncm811.toml) s stays 1.

OCP: a multi-site (MSMR) layered-oxide isotherm, data/ocp/ncm811.toml (source and the reason it
replaces Chen et al. 2020's NMC811 fit are stated there), inverted once to U(theta) on a grid.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pybamm

from sizno.data import read_toml
from sizno.models.anode.functions import smooth_abs
from sizno.units import FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOL_K

ELECTRODE = "positive electrode"
PARTICLE = "positive particle"
THETA_MIN, THETA_MAX = 1e-3, 0.9999  # the stoichiometry window the model is allowed to reach
J_SMOOTH_A_PER_M2 = 1e-4  # |j|'s smoothing: far below the ~1e-2-1 A/m2 a cycling cathode carries


def msmr_li_content(U_V: np.ndarray) -> np.ndarray:
    """Li per formula unit of the cathode at potential U [V vs Li+/Li] (MSMR isotherm)."""
    data = read_toml("ocp/ncm811.toml")
    f = FARADAY_C_PER_MOL / (GAS_CONSTANT_J_PER_MOL_K * data["temperature_K"])
    U = np.asarray(U_V, dtype=float)
    return sum(s["X"] / (1 + np.exp(f * (U - s["U0_V"]) / s["omega"])) for s in data["sites"])


@lru_cache(maxsize=1)
def _ocp_table() -> tuple[np.ndarray, np.ndarray]:
    U = np.linspace(6.0, 2.0, 4001)
    x = msmr_li_content(U)
    keep = (x > 1e-5) & (x < 1 - 1e-6)
    x, U = x[keep], U[keep]
    first = np.concatenate([[True], np.diff(x) > 1e-12])  # strictly increasing for the interpolant
    return x[first], U[first]


def ncm811_ocp_V(theta):
    """NCM811 OCP vs Li+/Li [V] at Li content theta (per formula unit)."""
    x, U = _ocp_table()
    return pybamm.Interpolant(x, U, theta, name="NCM811 OCP [V]", interpolator="linear")


def cathode_geometry() -> dict:
    x = pybamm.SpatialVariable("x_p", domain=[ELECTRODE], coord_sys="cartesian")
    r = pybamm.SpatialVariable("r_p", domain=[PARTICLE], auxiliary_domains={"secondary": ELECTRODE},
                               coord_sys="spherical polar")
    return {
        ELECTRODE: {x: {"min": pybamm.Scalar(0), "max": pybamm.Parameter("Cathode thickness [m]")}},
        PARTICLE: {r: {"min": pybamm.Scalar(0), "max": pybamm.Parameter("NCM811 particle radius [m]")}},
    }


class CompositeCathode:
    """The cathode's states, equations and variables for a discharging current `I` [A].

    A builder like `sizno.models.anode.DenseAnode`; `potential_V` is the current collector's
    potential vs a Li reference in the electrolyte at the separator (x = 0).
    """

    def __init__(self, I):
        F, R = FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOL_K
        P = pybamm.Parameter
        T = P("Temperature [K]")
        L = P("Cathode thickness [m]")
        A = P("Cathode area [m2]")
        Rp = P("NCM811 particle radius [m]")
        c_max = P("NCM811 Li concentration at theta = 1 [mol.m-3]")
        eps_am = P("NCM811 volume fraction [-]") * P("NCM811 utilisation [-]")
        kappa = P("Cathode effective ionic conductivity [S.m-1]")
        sigma = P("Cathode effective electronic conductivity [S.m-1]")
        D = P("NCM811 Li diffusivity [m2.s-1]")
        i0_half = P("NCM811 exchange current density [A.m-2]")
        C_dl = P("NCM811 double-layer capacitance [F.m-2]")
        theta0 = P("NCM811 initial Li content [-]")
        k_loss = P("NCM811 contact loss per volumetric strain [-]")
        beta = P("NCM811 volumetric strain per Li content [-]")
        a = 3 * eps_am / Rp  # active surface per volume [1/m]
        f_RT = F / (R * T)

        theta = pybamm.Variable("Cathode Li content [-]", domain=PARTICLE, auxiliary_domains={"secondary": ELECTRODE})
        dphi = pybamm.Variable("Cathode interface potential difference [V]", domain=ELECTRODE)
        contact = pybamm.Variable("NCM811 share in contact [-]", domain=ELECTRODE)
        stranded = pybamm.Variable("Stranded cathode Li [mol.m-3]", domain=ELECTRODE)  # per electrode volume
        x = pybamm.SpatialVariable("x_p", domain=[ELECTRODE], coord_sys="cartesian")

        theta_s = pybamm.surf(theta)
        U = ncm811_ocp_V(theta_s)
        i0 = i0_half * 2 * pybamm.sqrt(pybamm.maximum(theta_s * (1 - theta_s), 1e-8))
        j = 2 * i0 * pybamm.sinh(-0.5 * f_RT * (dphi - U))  # A/m2 of particle surface, + lithiates

        N_r = -D * pybamm.grad(theta)
        i_e = (pybamm.grad(dphi) + I / (A * sigma)) / (1 / sigma + 1 / kappa)
        strain_rate = beta * 3 * smooth_abs(j, J_SMOOTH_A_PER_M2) / (F * c_max * Rp)  # |d eps_V/dt| [1/s]
        dcontact = -k_loss * contact * strain_rate
        self.rhs = {
            theta: -pybamm.div(N_r),
            dphi: (pybamm.div(i_e) + a * contact * j) / (C_dl * a),
            contact: dcontact,
            # the particles that lose contact take their Li content along
            stranded: -dcontact * eps_am * c_max * pybamm.r_average(theta),
        }
        self.boundary_conditions = {
            theta: {"left": (pybamm.Scalar(0), "Neumann"), "right": (j / (F * c_max * D), "Neumann")},
            dphi: {"left": (I / (A * kappa), "Neumann"), "right": (-I / (A * sigma), "Neumann")},
        }
        self.initial_conditions = {
            theta: theta0,
            dphi: pybamm.PrimaryBroadcast(ncm811_ocp_V(theta0), ELECTRODE),
            contact: pybamm.PrimaryBroadcast(1.0, ELECTRODE),
            stranded: pybamm.PrimaryBroadcast(0.0, ELECTRODE),
        }

        dphi_0 = pybamm.boundary_value(dphi, "left")
        dphi_L = pybamm.boundary_value(dphi, "right")
        # phi_s(L) - phi_e(0) = dphi(L) - integral of i_e / kappa; uniform sigma and kappa make it exact
        electrolyte_drop = (dphi_L - dphi_0 + I * L / (A * sigma)) * sigma / (sigma + kappa)
        self.potential_V = dphi_L - electrolyte_drop

        theta_av = pybamm.x_average(pybamm.r_average(theta))
        contact_av = pybamm.x_average(contact)
        Q_Ah = eps_am * A * L * c_max * F / 3600  # active NCM811 capacity at theta 0 -> 1 [A.h]
        li_connected = eps_am * A * c_max * pybamm.Integral(contact * pybamm.r_average(theta), x)
        li_stranded = A * pybamm.Integral(stranded, x)
        self.variables = {
            "Cathode potential [V]": self.potential_V,
            "Cathode Li content [-]": theta,
            "Cathode surface Li content [-]": theta_s,
            "Average cathode Li content [-]": theta_av,
            "Cathode open-circuit potential [V]": U,
            "Cathode interface potential difference [V]": dphi,
            "Cathode reaction current density [A.m-2]": j,
            "Cathode volumetric strain rate [s-1]": strain_rate,
            "Cathode electrolyte ohmic drop [V]": electrolyte_drop,
            "NCM811 share in contact [-]": contact,
            "Average NCM811 share in contact [-]": contact_av,
            "Lithium in cathode [mol]": li_connected + li_stranded,
            "Lithium stranded in cathode [mol]": li_stranded,
            # charge on the particle surfaces' double layer, counted as Li+ for the Li balance
            "Cathode double-layer charge [mol]": C_dl * a * A * pybamm.Integral(dphi, x) / F,
            "Cathode active capacity [A.h]": Q_Ah,
            "Cathode capacity in contact [A.h]": Q_Ah * contact_av,
            "x_p [m]": x,
        }
        self.events = [
            pybamm.Event("Cathode Li content too low", pybamm.min(theta_s) - THETA_MIN),
            pybamm.Event("Cathode Li content too high", THETA_MAX - pybamm.max(theta_s)),
        ]
