import pytest

from sizno.errors import SiznoInputError
from sizno.materials import composite_from_recipe, load_phases, named_material


def test_si_theoretical_capacity_is_li15si4():
    assert load_phases().capacity_mAh_per_g("si_alloying") == pytest.approx(3579, abs=1)


def test_zno_capacities_per_gram_of_zno():
    lib = load_phases()
    assert lib.capacity_mAh_per_g("zno_conversion") == pytest.approx(658.7, abs=0.5)
    assert lib.capacity_mAh_per_g("zn_alloying") == pytest.approx(329.3, abs=0.5)


def test_paper_recipe_gives_8p5_wt_percent_not_the_stated_11p6():
    c = named_material("si-zno4")
    s = c.summary()
    assert c.zno_wt_percent == pytest.approx(8.48, abs=0.05)
    assert s["zno_wt_percent_if_anhydrous"] == pytest.approx(10.0, abs=0.05)
    assert s["paper_stated_zno_wt_percent"] == 11.6


def test_capacity_split_adds_up_and_scales_with_zno():
    caps = {m: named_material(m).capacity_split_mAh_per_g() for m in ("si", "si-zno8", "si-zno4", "si-zno2")}
    for c in caps.values():
        parts = c["si_alloying_mAh_g"] + c["zno_conversion_irreversible_mAh_g"] + c["zn_lizn_reversible_mAh_g"]
        assert parts == pytest.approx(c["total_mAh_g"])
    irr = [caps[m]["zno_conversion_irreversible_mAh_g"] for m in ("si", "si-zno8", "si-zno4", "si-zno2")]
    assert irr == sorted(irr) and irr[0] == 0


def test_mass_is_conserved_zinc_by_zinc():
    lib = load_phases()
    c = composite_from_recipe("x", 0.2195, 1.0)  # 1 mmol Zn acetate dihydrate
    m_zno = lib.phases["ZnO"].molar_mass_g_per_mol * 1e-3
    assert c.zno_mass_fraction == pytest.approx(m_zno / (m_zno + 1.0), rel=1e-3)


@pytest.mark.parametrize("kwargs,field", [
    ({"zinc_acetate_g": 0.1, "silicon_g": 0.0}, "silicon_g"),
    ({"zinc_acetate_g": -0.1, "silicon_g": 0.5}, "zinc_acetate_g"),
])
def test_bad_recipes_name_the_field(kwargs, field):
    with pytest.raises(SiznoInputError) as e:
        composite_from_recipe("bad", **kwargs)
    assert e.value.field == field


def test_unknown_material_lists_the_accepted_names():
    with pytest.raises(SiznoInputError, match="si-zno4"):
        named_material("si-zno5")
