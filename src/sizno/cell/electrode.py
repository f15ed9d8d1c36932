"""A user's electrode: two of thickness, loading (or mass) and porosity give the third.

Porosity is the pristine void fraction 1 - (Si + ZnO + binder volume) / electrode volume, on the
paper's half-cell make-up (diameter, binder fraction). With one of thickness or loading given,
the paper electrode's porosity is kept (so 60 um holds 60/22 x the paper's mass, not the same mass
spread thin); with none, the paper's 22 um and 1 mg.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sizno.cell.half_cell import paper_half_cell
from sizno.errors import SiznoInputError
from sizno.materials import Composite


@dataclass(frozen=True)
class ElectrodeDesign:
    """A consistent electrode: thickness [um], composite mass [mg], loading [mg/cm2], porosity [-]."""

    thickness_um: float
    composite_mass_mg: float
    loading_mg_per_cm2: float
    porosity: float
    derived: str  # which quantity was computed ("" = the paper's electrode as it is)

    def to_dict(self) -> dict:
        return asdict(self)


def _positive(field: str, v: float | None, unit: str) -> None:
    if v is not None and not (v > 0 and v != float("inf")):
        raise SiznoInputError(field, f"must be positive, got {v}", f"> 0 {unit}")


def resolve_electrode(composite: Composite, thickness_um: float | None = None,
                      loading_mg_per_cm2: float | None = None, composite_mass_mg: float | None = None,
                      porosity: float | None = None) -> ElectrodeDesign:
    """Complete an electrode from at most two of thickness, loading (or mass) and porosity."""
    _positive("thickness_um", thickness_um, "um")
    _positive("loading_mg_per_cm2", loading_mg_per_cm2, "mg/cm2")
    _positive("composite_mass_mg", composite_mass_mg, "mg")
    if porosity is not None and not (0 <= porosity < 1):
        raise SiznoInputError("porosity", f"got {porosity}", "0 <= porosity < 1")
    ref = paper_half_cell(composite)
    area_cm2 = ref.area_m2 * 1e4
    if loading_mg_per_cm2 is not None and composite_mass_mg is not None:
        raise SiznoInputError("composite_mass_mg", "given together with loading_mg_per_cm2 (the same quantity)",
                              "one of mass or loading")
    mass = composite_mass_mg if composite_mass_mg is not None else (
        loading_mg_per_cm2 * area_cm2 if loading_mg_per_cm2 is not None else None)
    given = sum(v is not None for v in (thickness_um, mass, porosity))
    if given == 3:
        raise SiznoInputError("porosity", "thickness, loading/mass and porosity all given",
                              "two of them (the third is derived)")
    # solid fraction = k x mass / thickness on this make-up (volumes add linearly)
    k = ref.solid_fraction * ref.thickness_um / ref.composite_mass_mg
    ref_porosity = 1 - ref.solid_fraction
    derived = ""
    if given == 0:
        thickness_um, mass = ref.thickness_um, ref.composite_mass_mg
    elif porosity is None:
        if thickness_um is None:
            thickness_um, derived = k * mass / (1 - ref_porosity), "thickness_um"
        elif mass is None:
            mass, derived = thickness_um * (1 - ref_porosity) / k, "loading_mg_per_cm2"
        else:
            derived = "porosity"
    elif thickness_um is None and mass is None:
        thickness_um = ref.thickness_um
        mass, derived = thickness_um * (1 - porosity) / k, "loading_mg_per_cm2"
    elif thickness_um is None:
        thickness_um, derived = k * mass / (1 - porosity), "thickness_um"
    else:
        mass, derived = thickness_um * (1 - porosity) / k, "loading_mg_per_cm2"
    solid = k * mass / thickness_um
    if solid >= 1:
        raise SiznoInputError("porosity", f"{mass:.4g} mg in {thickness_um:.4g} um x {ref.electrode_diameter_mm:g} mm "
                              f"gives porosity {1 - solid:.3f} < 0", "an electrode with porosity >= 0 (less mass or more thickness)")
    return ElectrodeDesign(thickness_um=float(thickness_um), composite_mass_mg=float(mass),
                           loading_mg_per_cm2=float(mass / area_cm2), porosity=float(1 - solid), derived=derived)
