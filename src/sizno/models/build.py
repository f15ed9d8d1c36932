"""HalfCell + ParameterSet -> pybamm.ParameterValues for the half-cell model HalfCellModel (SI throughout)."""

from __future__ import annotations

import pybamm

from sizno.cell import HalfCell
from sizno.cell.full_cell import FullCell
from sizno.materials import load_phases
from sizno.models.parameters import ParameterSet, load_parameter_set
from sizno.units import FARADAY_C_PER_MOL


def half_cell_parameter_values(cell: HalfCell, pset: ParameterSet | None = None) -> pybamm.ParameterValues:
    """Every parameter the model reads, for `cell` at its temperature."""
    pset = pset or load_parameter_set()
    T = cell.temperature_K
    vals = pset.at_temperature(T)
    lib = load_phases()
    n_si, n_zno = cell.mol_si, cell.mol_zno
    li_capacity_mol = 3.75 * n_si  # Li the Si takes up to Li15Si4
    per_zno = n_zno / cell.volume_m3 * 1e-6  # mol ZnO per cm3... scaled below per phase
    v_zn = per_zno * lib.phases["Zn"].molar_volume_cm3_per_mol
    v_li2o = per_zno * lib.phases["Li2O"].molar_volume_cm3_per_mol
    lpscl_sigma = vals.pop("LPSCl ionic conductivity [S.m-1]")
    li_in = lib.counter_electrodes["LiIn"].potential_V_vs_Li
    params = {
        **vals,
        "Current function [A]": 0.0,
        "Temperature [K]": T,
        # PyBaMM's experiment bookkeeping reads the ambient temperature; the cell is isothermal at T
        # and its rate parameters are evaluated at T above (protocol steps carry no temperature)
        "Ambient temperature [K]": T,
        # scale of the current variable in PyBaMM's experiment control: the Si's theoretical capacity
        "Nominal cell capacity [A.h]": li_capacity_mol * FARADAY_C_PER_MOL / 3600,
        "Electrode thickness [m]": cell.thickness_m,
        "Electrode area [m2]": cell.area_m2,
        "Si lithium capacity concentration [mol.m-3]": li_capacity_mol / cell.volume_m3,
        "ZnO to Si-capacity ratio [-]": n_zno / li_capacity_mol,
        "Si volume fraction [-]": cell.volume_fraction("Si", n_si),
        "ZnO volume fraction [-]": cell.volume_fraction("ZnO", n_zno),
        "Zn volume fraction per converted ZnO [-]": v_zn,
        "Li2O volume fraction per converted ZnO [-]": v_li2o,
        "Binder volume fraction [-]": cell.binder_volume_fraction,
        "Electrolyte pellet resistance [Ohm]": cell.pellet_thickness_um * 1e-6 / (lpscl_sigma * cell.pellet_area_m2),
        "Counter electrode area [m2]": cell.counter_area_m2,
        "Li-In potential [V]": li_in,
        "Initial amorphous Li filling [-]": 0.01,
        "Lower voltage cut-off [V]": cell.lower_cutoff_V,
        "Upper voltage cut-off [V]": cell.upper_cutoff_V,
    }
    return pybamm.ParameterValues(params)


def full_cell_parameter_values(cell: FullCell, pset: ParameterSet | None = None) -> pybamm.ParameterValues:
    """Every parameter the full-cell model reads: the anode's (as in its half cell) plus the cathode's."""
    pset = pset or load_parameter_set()
    values = half_cell_parameter_values(cell.anode, pset)
    vals = pset.at_temperature(cell.temperature_K)
    lib = load_phases()
    ncm = lib.phases["NCM811"]
    vf = cell.cathode_volume_fractions
    brug = vals["Cathode Bruggeman exponent [-]"]
    brug_ionic = vals["Cathode ionic Bruggeman exponent [-]"]
    kappa = vals["LPSCl ionic conductivity [S.m-1]"]
    values.update({
        "Cathode thickness [m]": cell.cathode_thickness_m,
        "Cathode area [m2]": cell.cathode_area_m2,
        "NCM811 Li concentration at theta = 1 [mol.m-3]": ncm.density_g_per_cm3 * 1e6 / ncm.molar_mass_g_per_mol,
        "NCM811 volume fraction [-]": vf["NCM811"],
        "Cathode effective ionic conductivity [S.m-1]": kappa * vf["LPSCl"] ** brug_ionic,
        "Cathode effective electronic conductivity [S.m-1]": vals["VGCF electronic conductivity [S.m-1]"] * vf["VGCF"] ** brug,
        "Separator resistance [Ohm]": cell.separator_thickness_um * 1e-6 / (kappa * cell.separator_area_m2),
        "Nominal cell capacity [A.h]": cell.nominal_capacity_Ah,
        "Lower voltage cut-off [V]": cell.lower_cutoff_V,
        "Upper voltage cut-off [V]": cell.upper_cutoff_V,
    }, check_already_exists=False)
    return values
