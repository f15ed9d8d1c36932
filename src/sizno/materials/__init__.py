"""Phases and their data, composites from a synthesis recipe, named materials."""

from sizno.materials.phases import Phase, PhaseLibrary, load_phases
from sizno.materials.composite import Composite, Recipe, composite_from_recipe, named_material, NAMED_RECIPES

__all__ = [
    "Phase",
    "PhaseLibrary",
    "load_phases",
    "Composite",
    "Recipe",
    "composite_from_recipe",
    "named_material",
    "NAMED_RECIPES",
]
