"""The material registry: the paper's four materials are its entries; a user's recipe or ZnO
content makes a new composite by the same rules (stoichiometric ZnO from the recipe)."""

from __future__ import annotations

from sizno.errors import SiznoInputError
from sizno.materials.composite import (NAMED_RECIPES, SPEC_HELP, Composite, Precursor, acetate_for_zno_wt_pct,
                                       composite_from_recipe, material_from_spec, named_material)

DEFAULT_SILICON_G = 0.5  # the paper's batch: 0.5 g Si per recipe (Experimental section)


def material_names() -> tuple[str, ...]:
    """Names of the registry's entries (the paper's materials)."""
    return tuple(NAMED_RECIPES)


def resolve_material(material: str | None = None, *, zinc_acetate_g: float | None = None,
                     silicon_g: float | None = None, zno_wt_pct: float | None = None,
                     precursor: Precursor = "dihydrate", default: str = "si-zno4") -> Composite:
    """A composite from exactly one description: a registry name, a recipe (zinc acetate and Si
    masses [g]; Si defaults to the paper's 0.5 g) or a ZnO content [wt %] (made by the recipe
    that gives it). None of them = the `default` entry."""
    recipe = zinc_acetate_g is not None or silicon_g is not None
    given = [name for name, v in (("material", material), ("recipe (zinc_acetate_g, silicon_g)", recipe or None),
                                  ("zno_wt_pct", zno_wt_pct)) if v is not None]
    if len(given) > 1:
        raise SiznoInputError(given[1], f"given together with {given[0]}",
                              "one of: a material name, a recipe (--zinc-acetate-g/--silicon-g), --zno-wt-pct")
    if zno_wt_pct is not None:
        si = DEFAULT_SILICON_G
        return composite_from_recipe(f"si-zno-{zno_wt_pct:g}wt%", acetate_for_zno_wt_pct(zno_wt_pct, si, precursor), si, precursor)
    if recipe:
        if zinc_acetate_g is None:
            raise SiznoInputError("zinc_acetate_g", "a recipe needs the zinc acetate mass", ">= 0 g")
        si = DEFAULT_SILICON_G if silicon_g is None else silicon_g
        return composite_from_recipe(f"recipe {zinc_acetate_g:g} g acetate : {si:g} g Si", zinc_acetate_g, si, precursor)
    return named_material(material or default)


__all__ = ["DEFAULT_SILICON_G", "SPEC_HELP", "acetate_for_zno_wt_pct", "material_from_spec", "material_names",
           "named_material", "resolve_material"]
