"""The literature ranges are validated on load, hold every default, and the full-cell reach frees the cathode's."""

import pytest

from sizno.fitting import reach as rc
from sizno.fitting import sensitivity as sens
from sizno.models.parameters import load_parameter_set


def test_every_default_lies_in_its_sourced_range():
    pset = load_parameter_set()
    for name, f in sens.literature_ranges(pset).items():
        e = pset.entries[f.parameter]
        v = e.activation_energy_eV if f.is_activation_energy else e.value
        assert f.low <= v <= f.high, name
        assert len(f.source) > 20, name


def test_the_cathode_has_sourced_ranges():
    ranges = sens.literature_ranges()
    for name in rc.CATHODE_FACTORS + ("NCM811 contact loss per volumetric strain [-]",):
        assert name in ranges, name
    d = ranges["NCM811 Li diffusivity [m2.s-1]"]
    assert d.log and d.low <= 1e-16 and d.high >= 1e-14  # NCM811's GITT spread, SOC-dependent
    # a solid contact wets less than the liquid the default comes from: the range only goes down from it
    assert ranges["NCM811 exchange current density [A.m-2]"].high == load_parameter_set().value(
        "NCM811 exchange current density [A.m-2]")


@pytest.mark.parametrize("bad, match", [({"range": [2.0, 1.0], "log": False, "source": "somewhere"}, "low < high"),
                                        ({"range": [0.0, 1.0], "log": True, "source": "somewhere"}, "low > 0"),
                                        ({"range": [1.0, 2.0], "log": False, "source": ""}, "source")])
def test_a_bad_range_is_refused_on_load_naming_it(monkeypatch, bad, match):
    name = "NCM811 particle radius [m]"
    monkeypatch.setattr(sens, "read_toml", lambda path: {name: bad})
    with pytest.raises(ValueError, match=match) as err:
        sens.literature_ranges()
    assert name in str(err.value)


def test_a_full_cell_quantity_frees_the_cathode_within_its_ranges_and_a_half_cell_does_not():
    assert set(rc.CATHODE_FACTORS) <= set(rc.reach_parameters("full_cell.high_loading.0.5"))
    assert not set(rc.CATHODE_FACTORS) & set(rc.reach_parameters("half_cell.rate.si.5.0"))
    pset = rc.with_range_bounds(load_parameter_set(), rc.reach_parameters("full_cell.high_loading.1.0"))
    ranges = sens.literature_ranges()
    for n in rc.CATHODE_FACTORS:
        assert pset.entries[n].bounds == (ranges[n].low, ranges[n].high)
    assert pset.entries["NCM811 utilisation [-]"].bounds == load_parameter_set().entries["NCM811 utilisation [-]"].bounds
    problem = rc.reach_problem("full_cell.high_loading.1.0", -1, 8)
    assert problem.log_scale["NCM811 Li diffusivity [m2.s-1]"] and not problem.log_scale["Cathode ionic Bruggeman exponent [-]"]


def test_only_cathode_changes_reuse_the_half_cells(monkeypatch):
    from sizno.fitting import calibrate as cal

    calls = []
    monkeypatch.setattr(cal, "_half_cell_values", lambda pset, mesh: calls.append(1) or {"h": 1.0})
    monkeypatch.setattr(cal, "_full_cell_values", lambda pset, mesh: {"f": pset.value("NCM811 particle radius [m]")})
    rc._HALF_CELL_CACHE.clear()
    stage, pset = cal.stage("electrochemistry"), load_parameter_set()
    a = rc._stage_values(stage, pset, 8)
    b = rc._stage_values(stage, pset.with_values({"NCM811 particle radius [m]": 7e-6}), 8)
    assert len(calls) == 1 and a["f"] != b["f"]
    rc._stage_values(stage, pset.with_values({"Network ionic conductivity [S.m-1]": 2.0}), 8)
    assert len(calls) == 2
    rc._HALF_CELL_CACHE.clear()


def test_the_reach_cli_screens_the_full_cells_over_the_cathode_too(monkeypatch, tmp_path):
    from sizno.commands import sensitivity as cmd

    screened, reached = [], {}
    monkeypatch.setattr(rc, "screened_starts", lambda starts, seed=0, names=None, on_evaluation=None:
                        screened.append(names) or [{"origin": "calibrated", "values": {}}])

    def fake_reach(quantity, starts, seed=0, on_evaluation=None, **options):
        reached[quantity] = starts
        return {"direction": "minimum", "calibrated_value": 1.0, "reached": 1.0, "starts": [],
                "paper (validation, not used)": None, "model_runs": 0}

    monkeypatch.setattr(rc, "reach", fake_reach)
    monkeypatch.setattr(sens, "write", lambda res, out, name, figure: [])
    cmd._reach(tmp_path, {}, starts=2, seed=0)
    assert len(screened) == 2  # one screen per set of free parameters, not per quantity
    assert any(set(rc.CATHODE_FACTORS) <= set(n) for n in screened)
    assert set(reached) == set(rc.QUANTITIES)


def test_contact_reach_locates_each_paper_value_on_the_grid_and_reports_the_other(monkeypatch):
    from sizno.fitting import contact_reach as cr

    # a stand-in model: the normal cell fades twice as fast per unit coefficient as the thick one
    monkeypatch.setattr(cr, "anode_reversible_capacity_mAh_per_g", lambda material: 2200.0)
    monkeypatch.setattr(cr, "retentions", lambda k, mesh, cap: {"full_cell.cycling.retention_percent": 84 - 1000 * k,
                                                                 "full_cell.high_loading.retention_percent": 92 - 500 * k})
    res = cr.contact_reach(mesh_points=8)
    normal, thick = res["records"]["full_cell.cycling.retention_percent"], res["records"]["full_cell.high_loading.retention_percent"]
    assert normal["coefficient_reaching_paper"] == pytest.approx(0.013)  # 84 - 1000 k = 71
    assert normal["other_record_there"]["full_cell.high_loading.retention_percent"] == pytest.approx(85.5)
    assert thick["coefficient_reaching_paper"] == pytest.approx(0.034)
    assert res["grid"][0] == 0.0 and res["grid"][-1] == cr.literature_range()[1]
    assert cr.crossing([0.0, 1.0], [90.0, 80.0], 50.0) is None  # beyond the range: no value


def test_the_contact_loss_default_is_no_effect_and_inside_its_range():
    from sizno.fitting import contact_reach as cr

    lo, hi = cr.literature_range()
    assert load_parameter_set().value(cr.PARAMETER) == 0.0 == lo < hi
