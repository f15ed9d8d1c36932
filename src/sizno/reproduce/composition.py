"""Composition from the synthesis recipe: the ZnO content and theoretical capacity of each composite."""

from __future__ import annotations

from pathlib import Path

from sizno.materials.registry import material_names
from sizno.reproduce.records import Record

MATERIALS = material_names()  # the registry's entries: the paper's four materials


def composition_records() -> list[Record]:
    """ZnO wt% (every Zn of the acetate ends as ZnO) beside the paper's stated 11.6 wt% for Si–ZnO4
    (a recipe fact, not fitted), and the theoretical capacities the recipe implies (no paper number)."""
    from sizno.data import read_toml
    from sizno.materials import named_material

    recipe = read_toml("reference/paper-values.toml").get("recipe", {})
    out: list[Record] = []
    for m in MATERIALS:
        s = named_material(m).summary()
        key = m.replace("-", "_")
        stated = s.get("paper_stated_zno_wt_percent")
        note = (f"{s['zinc_acetate_g']:g} g zinc acetate ({s['precursor']}) on {s['silicon_g']:g} g Si; anhydrous acetate "
                f"would give {s['zno_wt_percent_if_anhydrous']:.1f} wt%")
        if stated is not None:
            note += (f"; the paper states {stated:g} wt% 'from the stoichiometric ratio' (XPS "
                     f"{recipe.get('zno_wt_percent_xps', '?')}, EDS {recipe.get('zno_wt_percent_eds', '?')})")
        out.append(Record(id=f"composition.{key}.zno_wt_percent", quantity=f"ZnO content of {m} from the recipe",
                          unit="wt%", paper=stated, model=float(s["zno_wt_percent"]),
                          role="fact" if stated is not None else "prediction", note=note))
        out.append(Record(id=f"composition.{key}.theoretical_mAh_g",
                          quantity=f"theoretical capacity of {m} (Si alloying + ZnO conversion + Zn⇄LiZn), per g composite",
                          unit="mAh/g", paper=None, model=float(s["total_mAh_g"]), role="prediction",
                          note=f"reversible part {s['reversible_mAh_g']:.0f} mAh/g"))
    return out


def composition_figures(out_dir: Path) -> list[Path]:
    """ZnO content and theoretical capacity per composite, the paper's Si–ZnO4 values marked."""
    from sizno.data import read_toml
    from sizno.materials import named_material
    from sizno.reproduce.plots import figure_composition

    recipe = read_toml("reference/paper-values.toml").get("recipe", {})
    paper = {label: float(recipe[key]) for key, label in (("zno_wt_percent_stated", "stated"),
                                                           ("zno_wt_percent_xps", "XPS"), ("zno_wt_percent_eds", "EDS"))
             if key in recipe}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [figure_composition([named_material(m).summary() for m in MATERIALS], out_dir / "composition.png", paper)]
