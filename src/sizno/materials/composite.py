"""A Si–ZnO composite from its synthesis recipe: ZnO content and theoretical capacities."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from sizno.errors import SiznoInputError
from sizno.materials.phases import load_phases

Precursor = Literal["dihydrate", "anhydrous"]

# The paper's stated ZnO content of Si–ZnO4 ("deduced from the stoichiometric ratio"); shown
# beside the recipe's own stoichiometric value, never used silently.
PAPER_STATED_ZNO_WT_PERCENT = {"si-zno4": 11.6}


class Recipe(BaseModel):
    """Synthesis recipe: zinc acetate and Si masses [g]. ZnO forms by pyrolysis (1 Zn → 1 ZnO)."""

    zinc_acetate_g: float = Field(ge=0)
    silicon_g: float = Field(gt=0)
    precursor: Precursor = "dihydrate"


class Composite(BaseModel):
    """The composite's composition [mass fractions] and theoretical capacities [mAh/g composite]."""

    name: str
    recipe: Recipe
    zno_mass_fraction: float = Field(ge=0, lt=1)
    zno_basis: str = "stoichiometric from the recipe"

    @model_validator(mode="after")
    def _check(self):
        if not 0 <= self.zno_mass_fraction < 1:
            raise ValueError("zno_mass_fraction must be in [0, 1)")
        return self

    @property
    def si_mass_fraction(self) -> float:
        return 1.0 - self.zno_mass_fraction

    @property
    def zno_wt_percent(self) -> float:
        return 100.0 * self.zno_mass_fraction

    def capacity_split_mAh_per_g(self) -> dict[str, float]:
        """Theoretical capacity per gram of composite, split by reaction [mAh/g]."""
        lib = load_phases()
        si = self.si_mass_fraction * lib.capacity_mAh_per_g("si_alloying")
        conv = self.zno_mass_fraction * lib.capacity_mAh_per_g("zno_conversion")
        alloy = self.zno_mass_fraction * lib.capacity_mAh_per_g("zn_alloying")
        return {
            "si_alloying_mAh_g": si,
            "zno_conversion_irreversible_mAh_g": conv,
            "zn_lizn_reversible_mAh_g": alloy,
            "total_mAh_g": si + conv + alloy,
            "reversible_mAh_g": si + alloy,
        }

    def volume_fractions(self) -> dict[str, float]:
        """Volume fractions of Si and ZnO in the dense composite (no pores)."""
        lib = load_phases()
        v_si = self.si_mass_fraction / lib.phases["Si"].density_g_per_cm3
        v_zno = self.zno_mass_fraction / lib.phases["ZnO"].density_g_per_cm3
        return {"Si": v_si / (v_si + v_zno), "ZnO": v_zno / (v_si + v_zno)}

    def summary(self) -> dict:
        out = {
            "material": self.name,
            "zinc_acetate_g": self.recipe.zinc_acetate_g,
            "silicon_g": self.recipe.silicon_g,
            "precursor": self.recipe.precursor,
            "zno_wt_percent": self.zno_wt_percent,
            "zno_basis": self.zno_basis,
            "zno_wt_percent_if_anhydrous": 100 * zno_mass_fraction_from_recipe(
                Recipe(zinc_acetate_g=self.recipe.zinc_acetate_g, silicon_g=self.recipe.silicon_g, precursor="anhydrous")
            ),
            "paper_stated_zno_wt_percent": PAPER_STATED_ZNO_WT_PERCENT.get(self.name),
        }
        out.update(self.capacity_split_mAh_per_g())
        return out


def zno_mass_fraction_from_recipe(recipe: Recipe) -> float:
    """ZnO mass fraction of (Si + ZnO) when every Zn of the acetate ends as ZnO."""
    lib = load_phases()
    key = "ZincAcetateDihydrate" if recipe.precursor == "dihydrate" else "ZincAcetateAnhydrous"
    n_zn = recipe.zinc_acetate_g / lib.phases[key].molar_mass_g_per_mol
    m_zno = n_zn * lib.phases["ZnO"].molar_mass_g_per_mol
    return m_zno / (m_zno + recipe.silicon_g)


def composite_from_recipe(
    name: str,
    zinc_acetate_g: float,
    silicon_g: float,
    precursor: Precursor = "dihydrate",
    zno_wt_percent: float | None = None,
) -> Composite:
    """Build a composite from its recipe; `zno_wt_percent` overrides the stoichiometric value."""
    if not (silicon_g > 0):
        raise SiznoInputError("silicon_g", f"must be positive, got {silicon_g}", "> 0 g")
    if not (zinc_acetate_g >= 0):
        raise SiznoInputError("zinc_acetate_g", f"must be zero or positive, got {zinc_acetate_g}", ">= 0 g")
    recipe = Recipe(zinc_acetate_g=zinc_acetate_g, silicon_g=silicon_g, precursor=precursor)
    if zno_wt_percent is None:
        return Composite(name=name, recipe=recipe, zno_mass_fraction=zno_mass_fraction_from_recipe(recipe))
    if not (0 <= zno_wt_percent < 100):
        raise SiznoInputError("zno_wt_percent", f"got {zno_wt_percent}", "0 <= value < 100")
    return Composite(name=name, recipe=recipe, zno_mass_fraction=zno_wt_percent / 100, zno_basis="given by the user")


# The paper's materials by recipe (Experimental section): Si–ZnOx has Si : zinc acetate = x : 1 by mass.
NAMED_RECIPES: dict[str, tuple[float, float]] = {
    "si": (0.0, 0.5),
    "si-zno2": (0.25, 0.5),
    "si-zno4": (0.125, 0.5),
    "si-zno8": (0.0625, 0.5),
}


def acetate_for_zno_wt_pct(zno_wt_pct: float, silicon_g: float = 0.5, precursor: Precursor = "dihydrate") -> float:
    """Zinc acetate mass [g] that gives `zno_wt_pct` ZnO in (Si + ZnO) with `silicon_g` Si."""
    if not (0 <= zno_wt_pct < 100):
        raise SiznoInputError("zno_wt_pct", f"got {zno_wt_pct}", "0 <= ZnO wt % < 100")
    lib = load_phases()
    key = "ZincAcetateDihydrate" if precursor == "dihydrate" else "ZincAcetateAnhydrous"
    m_zno = zno_wt_pct / (100 - zno_wt_pct) * silicon_g
    return m_zno / lib.phases["ZnO"].molar_mass_g_per_mol * lib.phases[key].molar_mass_g_per_mol


_SPEC_KEYS = {"zno_wt_pct": "zno_wt_pct", "zno": "zno_wt_pct", "zinc_acetate_g": "zinc_acetate_g",
              "acetate": "zinc_acetate_g", "silicon_g": "silicon_g", "si": "silicon_g", "precursor": "precursor"}
SPEC_HELP = "si, si-zno2, si-zno4, si-zno8, or a user composite: zno_wt_pct=12.5 or zinc_acetate_g=0.2,silicon_g=0.5"


def material_from_spec(spec: str) -> Composite:
    """A user composite from 'zno_wt_pct=X' or 'zinc_acetate_g=A,silicon_g=B[,precursor=anhydrous]'
    (Si defaults to the paper's 0.5 g; a ZnO content is made by the recipe that gives it)."""
    fields: dict[str, str] = {}
    for part in spec.split(","):
        k, _, v = part.partition("=")
        key = _SPEC_KEYS.get(k.strip().lower())
        if key is None or not v.strip():
            raise SiznoInputError("material", f"cannot read '{part.strip()}' in '{spec}'", SPEC_HELP)
        fields[key] = v.strip()
    precursor = fields.pop("precursor", "dihydrate")
    if precursor not in ("dihydrate", "anhydrous"):
        raise SiznoInputError("material", f"unknown precursor '{precursor}'", "dihydrate, anhydrous")
    try:
        nums = {k: float(v) for k, v in fields.items()}
    except ValueError:
        raise SiznoInputError("material", f"a number is not a number in '{spec}'", SPEC_HELP) from None
    si = nums.get("silicon_g", 0.5)
    if "zno_wt_pct" in nums:
        if "zinc_acetate_g" in nums:
            raise SiznoInputError("material", "both a ZnO content and a zinc acetate mass", "one of them")
        return composite_from_recipe(spec, acetate_for_zno_wt_pct(nums["zno_wt_pct"], si, precursor), si, precursor)  # type: ignore[arg-type]
    if "zinc_acetate_g" not in nums:
        raise SiznoInputError("material", f"'{spec}' gives no zinc acetate mass or ZnO content", SPEC_HELP)
    return composite_from_recipe(spec, nums["zinc_acetate_g"], si, precursor)  # type: ignore[arg-type]


def named_material(name: str) -> Composite:
    """A material of the registry by its CLI name (si, si-zno2, si-zno4, si-zno8), or a user
    composite by a spec (see `material_from_spec`)."""
    if "=" in name:
        return material_from_spec(name)
    key = name.lower().replace("–", "-").replace("_", "-")
    if key not in NAMED_RECIPES:
        raise SiznoInputError("material", f"unknown material '{name}'", SPEC_HELP)
    acetate, si = NAMED_RECIPES[key]
    return composite_from_recipe(key, acetate, si)
