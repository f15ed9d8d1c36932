"""Geometry and make-up of the full cell: NCM811 composite cathode | LPSCl | Si-composite anode."""

from __future__ import annotations

import math

from pydantic import BaseModel, Field, model_validator

from sizno.cell.half_cell import HalfCell, paper_half_cell
from sizno.cell.design import cell_from_data
from sizno.errors import SiznoInputError
from sizno.materials import Composite, load_phases
from sizno.units import celsius_to_kelvin

MAX_UPPER_CUTOFF_V = 4.4  # NCM811 OCP (Chen 2020) is fitted up to ~4.3 V vs Li; the anode adds ~0.1 V
MIN_LOWER_CUTOFF_V = 1.5
HALF_CELL_REFERENCE_MASS_MG = 1.0  # the half cell's composite mass at its 22 um (sets the anode's density)


class FullCell(BaseModel):
    """A full cell; units in the field names. The anode's mass follows from the N/P ratio."""

    composite: Composite
    ncm_loading_mg_per_cm2: float = Field(gt=0, le=100)
    cathode_mass_fractions: tuple[float, float, float]
    cathode_porosity: float = Field(ge=0, lt=0.6)
    cathode_diameter_mm: float = Field(gt=0)
    separator_thickness_um: float = Field(gt=0)
    np_ratio: float = Field(gt=0, le=10)
    # the anode capacity N/P is reckoned with [mAh per g composite]; None = theoretical reversible
    anode_capacity_mAh_per_g: float | None = Field(default=None, gt=0, le=4000)
    nominal_capacity_mAh_per_g: float = Field(gt=0, le=280)
    temperature_C: float = Field(gt=-40, lt=150)
    lower_cutoff_V: float
    upper_cutoff_V: float

    @model_validator(mode="after")
    def _check(self):
        if self.upper_cutoff_V > MAX_UPPER_CUTOFF_V:
            raise SiznoInputError("upper_cutoff_V", f"{self.upper_cutoff_V} V is beyond the NCM811 OCP data",
                                  f"<= {MAX_UPPER_CUTOFF_V} V")
        if not MIN_LOWER_CUTOFF_V <= self.lower_cutoff_V < self.upper_cutoff_V:
            raise SiznoInputError("lower_cutoff_V", f"{self.lower_cutoff_V} V with upper {self.upper_cutoff_V} V",
                                  f"{MIN_LOWER_CUTOFF_V} V <= lower < upper")
        if abs(sum(self.cathode_mass_fractions) - 1) > 1e-6 or min(self.cathode_mass_fractions) < 0:
            raise SiznoInputError("cathode_mass_fractions", f"{self.cathode_mass_fractions}", "three fractions >= 0 summing to 1")
        return self

    # cathode ----------------------------------------------------------------------------------
    @property
    def cathode_area_m2(self) -> float:
        return math.pi * (self.cathode_diameter_mm * 1e-3 / 2) ** 2

    @property
    def ncm_mass_g(self) -> float:
        return self.ncm_loading_mg_per_cm2 * 1e-3 * self.cathode_area_m2 * 1e4

    @property
    def cathode_volume_fractions(self) -> dict[str, float]:
        """Volume fractions of NCM811, LPSCl and VGCF in the cathode (voids make up the rest)."""
        ph = load_phases().phases
        specific = {k: w / ph[k].density_g_per_cm3 for k, w in zip(("NCM811", "LPSCl", "VGCF"), self.cathode_mass_fractions)}
        total = sum(specific.values())
        return {k: (1 - self.cathode_porosity) * v / total for k, v in specific.items()}

    @property
    def cathode_thickness_m(self) -> float:
        rho_ncm = load_phases().phases["NCM811"].density_g_per_cm3 * 1e3  # kg/m3
        areal_kg = self.ncm_loading_mg_per_cm2 * 1e-2  # mg/cm2 -> kg/m2
        return areal_kg / (rho_ncm * self.cathode_volume_fractions["NCM811"])

    @property
    def nominal_capacity_Ah(self) -> float:
        """The 1C basis: nominal NCM811 capacity x NCM811 mass [A.h]."""
        return self.nominal_capacity_mAh_per_g * self.ncm_mass_g / 1000

    def current_A(self, c_rate: float) -> float:
        return c_rate * self.nominal_capacity_Ah

    # anode --------------------------------------------------------------------------------------
    @property
    def anode_np_capacity_mAh_per_g(self) -> float:
        return self.anode_capacity_mAh_per_g or self.composite.capacity_split_mAh_per_g()["reversible_mAh_g"]

    @property
    def anode_composite_mass_mg(self) -> float:
        """Composite mass that holds N/P x the cathode's nominal capacity."""
        return self.np_ratio * self.nominal_capacity_Ah * 1e6 / self.anode_np_capacity_mAh_per_g

    @property
    def anode(self) -> HalfCell:
        """The anode as the half cell's electrode at the same density, thickness scaled with mass."""
        ref = paper_half_cell(self.composite)
        m = self.anode_composite_mass_mg
        return paper_half_cell(self.composite, composite_mass_mg=m,
                               thickness_um=ref.thickness_um * m / HALF_CELL_REFERENCE_MASS_MG,
                               temperature_C=self.temperature_C)

    @property
    def temperature_K(self) -> float:
        return celsius_to_kelvin(self.temperature_C)

    @property
    def separator_area_m2(self) -> float:
        return self.cathode_area_m2


_CELL_KEYS = {
    "NCM811 loading [mg.cm-2]": "ncm_loading_mg_per_cm2",
    "Cathode mass fractions NCM811:LPSCl:VGCF [-]": "cathode_mass_fractions",
    "Cathode porosity [-]": "cathode_porosity",
    "Cathode diameter [mm]": "cathode_diameter_mm",
    "Separator thickness [um]": "separator_thickness_um",
    "N/P ratio [-]": "np_ratio",
    "Anode capacity for N/P [mAh.g-1]": "anode_capacity_mAh_per_g",
    "Nominal NCM811 capacity [mAh.g-1]": "nominal_capacity_mAh_per_g",
    "Temperature [degC]": "temperature_C",
    "Lower voltage cut-off [V]": "lower_cutoff_V",
    "Upper voltage cut-off [V]": "upper_cutoff_V",
}


def paper_full_cell(composite: Composite, **overrides) -> FullCell:
    """The paper's full cell around the anode `composite`; overrides use FullCell field names."""
    return cell_from_data(FullCell, "cells/full-cell.toml", _CELL_KEYS, composite, overrides,
                          ("ncm_loading_mg_per_cm2", "np_ratio"), "full cell")
