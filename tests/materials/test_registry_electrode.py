"""User materials (recipe, ZnO wt %) from the registry's rules; electrodes from two of thickness,
loading and porosity; the CLI accepts both."""

import json
import subprocess
import sys

import pytest

from sizno.cell import paper_half_cell
from sizno.cell.electrode import resolve_electrode
from sizno.errors import SiznoInputError
from sizno.materials import composite_from_recipe, named_material
from sizno.materials.registry import material_names, resolve_material


def test_named_materials_are_registry_entries_and_specs_make_user_composites():
    assert set(material_names()) == {"si", "si-zno2", "si-zno4", "si-zno8"}
    assert resolve_material(None).name == "si-zno4"
    by_recipe = resolve_material(zinc_acetate_g=0.125, silicon_g=0.5)
    assert by_recipe.zno_wt_percent == pytest.approx(named_material("si-zno4").zno_wt_percent)
    for x in (0.0, 5.0, 12.5, 20.0):
        c = resolve_material(zno_wt_pct=x)
        assert c.zno_wt_percent == pytest.approx(x, abs=1e-9)
        assert c.zno_basis == "stoichiometric from the recipe"  # made by the recipe that gives it
        assert named_material(f"zno_wt_pct={x}").zno_wt_percent == pytest.approx(x, abs=1e-9)
    assert named_material("zinc_acetate_g=0.25,silicon_g=0.5").zno_wt_percent == pytest.approx(
        composite_from_recipe("x", 0.25, 0.5).zno_wt_percent)


@pytest.mark.parametrize("kwargs,field", [
    ({"material": "si-zno4", "zno_wt_pct": 5.0}, "zno_wt_pct"),
    ({"zno_wt_pct": 100.0}, "zno_wt_pct"),
    ({"silicon_g": 0.5}, "zinc_acetate_g"),
    ({"material": "zno_wt_pct=abc"}, "material"),
    ({"material": "zno_pct=5"}, "material"),
])
def test_bad_materials_name_the_field(kwargs, field):
    with pytest.raises(SiznoInputError) as exc:
        resolve_material(**kwargs)
    assert field in str(exc.value)


def test_two_of_thickness_loading_porosity_give_the_third():
    comp = named_material("si-zno4")
    paper = resolve_electrode(comp)
    ref = paper_half_cell(comp)
    assert (paper.thickness_um, paper.composite_mass_mg) == (22.0, 1.0)
    assert paper.porosity == pytest.approx(1 - ref.solid_fraction)
    # one given: the paper electrode's porosity is kept, the mass scales with the thickness
    thick = resolve_electrode(comp, thickness_um=60)
    assert thick.derived == "loading_mg_per_cm2"
    assert thick.composite_mass_mg == pytest.approx(60 / 22)
    assert thick.porosity == pytest.approx(paper.porosity)
    # two given, each way round, agree with the half cell's own solid fraction
    e = resolve_electrode(comp, thickness_um=40, porosity=0.3)
    cell = paper_half_cell(comp, thickness_um=e.thickness_um, composite_mass_mg=e.composite_mass_mg)
    assert 1 - cell.solid_fraction == pytest.approx(0.3)
    back = resolve_electrode(comp, loading_mg_per_cm2=e.loading_mg_per_cm2, porosity=0.3)
    assert back.derived == "thickness_um" and back.thickness_um == pytest.approx(40)
    p = resolve_electrode(comp, thickness_um=40, composite_mass_mg=e.composite_mass_mg)
    assert p.derived == "porosity" and p.porosity == pytest.approx(0.3)


@pytest.mark.parametrize("kwargs,field", [
    ({"thickness_um": 5, "composite_mass_mg": 2}, "porosity"),  # more solid than volume: porosity < 0
    ({"thickness_um": 20, "composite_mass_mg": 1, "porosity": 0.5}, "porosity"),  # three given
    ({"loading_mg_per_cm2": 2, "composite_mass_mg": 1}, "composite_mass_mg"),
    ({"porosity": 1.2}, "porosity"),
    ({"thickness_um": 0}, "thickness_um"),
])
def test_impossible_electrodes_are_refused(kwargs, field):
    with pytest.raises(SiznoInputError) as exc:
        resolve_electrode(named_material("si"), **kwargs)
    assert field in str(exc.value)


def _sizno(*args):
    return subprocess.run([sys.executable, "-m", "sizno.cli", *map(str, args)], capture_output=True, text=True, timeout=300)


def test_simulate_a_user_recipe_with_a_derived_electrode(tmp_path):
    r = _sizno("simulate", "--zno-wt-pct", "15", "--thickness-um", "44", "--mesh-points", "8", "--no-plot",
               "--output", tmp_path / "s.parquet", "--json", tmp_path / "s.json")
    assert r.returncode == 0, r.stderr
    out = json.loads((tmp_path / "s.json").read_text())
    assert out["metadata"]["zno_wt_percent"] == pytest.approx(15)
    assert out["electrode"]["composite_mass_mg"] == pytest.approx(2.0)  # twice the thickness, same porosity
    assert out["metadata"]["composite_mass_mg"] == pytest.approx(2.0)
    assert "derived: loading_mg_per_cm2" in r.stderr
    # per gram, the same electrode density gives a capacity of the paper's order, not a thin-electrode artefact
    assert 1000 < out["cycles"][0]["delithiation_capacity_mAh_per_g"] < 3000


@pytest.mark.parametrize("args,field", [
    (["--thickness-um", "5", "--mass-mg", "2"], "porosity"),
    (["--zno-wt-pct", "10", "--material", "si"], "zno_wt_pct"),
    (["--zinc-acetate-g", "0.1", "--zno-wt-pct", "10"], "zno_wt_pct"),
    (["--protocol", "full-cell-first-cycles", "--porosity", "0.3"], "--porosity"),
])
def test_simulate_bad_electrodes_and_materials_exit_2(args, field):
    r = _sizno("simulate", *args)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2 and len(lines) == 1 and field in lines[0], r.stderr


def test_xrd_of_a_user_composite_by_its_zno_content(tmp_path):
    r = _sizno("xrd", "pattern", "--material", "zno_wt_pct=10", "--json", tmp_path / "x.json")
    assert r.returncode == 0, r.stderr
    fr = json.loads((tmp_path / "x.json").read_text())["mass_fractions"]
    assert fr["ZnO"] == pytest.approx(0.10, abs=1e-3)
