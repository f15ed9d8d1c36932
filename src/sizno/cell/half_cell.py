"""Geometry and make-up of the half cell: electrode, pellet, counter electrode, current basis."""

from __future__ import annotations

import math

from pydantic import BaseModel, Field, model_validator

from sizno.cell.design import cell_from_data
from sizno.errors import SiznoInputError
from sizno.materials import Composite, load_phases
from sizno.units import celsius_to_kelvin


class HalfCell(BaseModel):
    """A dense composite electrode | LPSCl pellet | Li–In half cell. Units in the field names."""

    composite: Composite
    electrode_diameter_mm: float = Field(gt=0)
    thickness_um: float = Field(gt=0)
    composite_mass_mg: float = Field(gt=0)
    composite_mass_fraction: float = Field(gt=0, le=1)
    pellet_thickness_um: float = Field(gt=0)
    pellet_diameter_mm: float = Field(gt=0)
    counter_diameter_mm: float = Field(gt=0)
    current_basis_factor: float = Field(gt=0, le=1)
    temperature_C: float = Field(gt=-40, lt=150)
    lower_cutoff_V: float
    upper_cutoff_V: float

    @model_validator(mode="after")
    def _check(self):
        if not self.lower_cutoff_V < self.upper_cutoff_V:
            raise SiznoInputError(
                "voltage window", f"lower {self.lower_cutoff_V} V >= upper {self.upper_cutoff_V} V", "lower < upper, 0–3 V"
            )
        if self.solid_fraction >= 1.0:
            raise SiznoInputError(
                "composite_mass_mg",
                f"{self.composite_mass_mg} mg does not fit in {self.thickness_um} um x {self.electrode_diameter_mm} mm",
                "a pristine solid fraction below 1",
            )
        return self

    # geometry -------------------------------------------------------------------------------
    @property
    def area_m2(self) -> float:
        return math.pi * (self.electrode_diameter_mm * 1e-3 / 2) ** 2

    @property
    def pellet_area_m2(self) -> float:
        return math.pi * (self.pellet_diameter_mm * 1e-3 / 2) ** 2

    @property
    def counter_area_m2(self) -> float:
        return math.pi * (self.counter_diameter_mm * 1e-3 / 2) ** 2

    @property
    def thickness_m(self) -> float:
        return self.thickness_um * 1e-6

    @property
    def volume_m3(self) -> float:
        return self.area_m2 * self.thickness_m

    @property
    def temperature_K(self) -> float:
        return celsius_to_kelvin(self.temperature_C)

    # make-up --------------------------------------------------------------------------------
    @property
    def composite_mass_g(self) -> float:
        return self.composite_mass_mg * 1e-3

    @property
    def binder_mass_g(self) -> float:
        return self.composite_mass_g * (1 / self.composite_mass_fraction - 1)

    @property
    def mol_si(self) -> float:
        return self.composite_mass_g * self.composite.si_mass_fraction / load_phases().phases["Si"].molar_mass_g_per_mol

    @property
    def mol_zno(self) -> float:
        return self.composite_mass_g * self.composite.zno_mass_fraction / load_phases().phases["ZnO"].molar_mass_g_per_mol

    def volume_fraction(self, phase: str, mol: float) -> float:
        """Volume fraction of `mol` moles of `phase` in the pristine electrode volume."""
        p = load_phases().phases[phase]
        return mol * p.molar_volume_cm3_per_mol * 1e-6 / self.volume_m3

    @property
    def solid_fraction(self) -> float:
        """Pristine solid fraction of the electrode (Si + ZnO + PVDF); the rest is voids."""
        binder = self.binder_mass_g / load_phases().phases["PVDF"].density_g_per_cm3 * 1e-6 / self.volume_m3
        return self.volume_fraction("Si", self.mol_si) + self.volume_fraction("ZnO", self.mol_zno) + binder

    @property
    def binder_volume_fraction(self) -> float:
        return self.binder_mass_g / load_phases().phases["PVDF"].density_g_per_cm3 * 1e-6 / self.volume_m3

    # current basis --------------------------------------------------------------------------
    def current_A(self, current_A_per_g: float) -> float:
        """Cell current for a specific current, on the paper's basis (factor x composite mass)."""
        return current_A_per_g * self.current_basis_factor * self.composite_mass_g

    def with_(self, **changes) -> "HalfCell":
        data = self.model_dump()
        data.update(changes)
        data["composite"] = changes.get("composite", self.composite)
        return HalfCell(**data)


_CELL_KEYS = {
    "Electrode diameter [mm]": "electrode_diameter_mm",
    "Electrode thickness [um]": "thickness_um",
    "Composite mass [mg]": "composite_mass_mg",
    "Composite mass fraction in electrode [-]": "composite_mass_fraction",
    "Electrolyte pellet thickness [um]": "pellet_thickness_um",
    "Electrolyte pellet diameter [mm]": "pellet_diameter_mm",
    "Counter electrode diameter [mm]": "counter_diameter_mm",
    "Current basis factor [-]": "current_basis_factor",
    "Temperature [degC]": "temperature_C",
    "Lower voltage cut-off [V]": "lower_cutoff_V",
    "Upper voltage cut-off [V]": "upper_cutoff_V",
}


def paper_half_cell(composite: Composite, **overrides) -> HalfCell:
    """The paper's half cell around `composite`; keyword overrides use HalfCell field names."""
    return cell_from_data(HalfCell, "cells/half-cell.toml", _CELL_KEYS, composite, overrides,
                          ("thickness_um", "composite_mass_mg", "electrode_diameter_mm"), "half cell")
