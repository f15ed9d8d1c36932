"""The pure-Si full cell at 2C and the loading ratio as reach quantities; the activation-energy option; the CLI's
--quantity. Stand-in (cheap) models throughout: no cell is simulated."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from sizno.fitting import calibrate as cal
from sizno.fitting import reach as rc
from sizno.fitting import temperature_reach as tr
from sizno.fitting.sensitivity import EA_SUFFIX, literature_ranges
from sizno.models.parameters import load_parameter_set
from sizno.reproduce import full_cell as fc
from sizno.units import arrhenius_factor, celsius_to_kelvin


def _steps(protocol):
    return [(b.repeat, [(s.action, s.c_rate) for s in b.steps]) for b in protocol.blocks]


def test_the_new_quantities_exist_with_the_side_of_their_miss():
    si, ratio = rc.QUANTITIES["full_cell.rate.si.2.0"], rc.QUANTITIES["full_cell.loading_ratio.1.0"]
    assert si.full_cell and si.material == "si" and si.rate == 2.0 and si.direction == 1
    assert si.ncm_loading_mg_per_cm2 is None  # the normal loading
    assert isinstance(ratio, rc.LoadingRatio) and ratio.direction == -1 and ratio.c_rate == 1.0
    assert ratio.ncm_loading_mg_per_cm2 == fc.HIGH_LOADING_MG_PER_CM2


def test_each_full_cell_quantity_runs_the_reproduce_protocol_up_to_its_rate():
    protocols = fc._protocols(quick=False)
    normal, high = protocols["full-cell si rate"][1], protocols["full-cell si-zno4 high-loading rate"][1]
    assert protocols["full-cell si-zno4 rate"][1] == normal
    ours = rc.full_cell_rate_protocol(None, 2.0)
    n = len(ours.blocks)
    assert _steps(ours) == _steps(normal)[:n] and ours.blocks[-1].steps[0].c_rate == 2.0
    assert all(b.steps[0].c_rate != 2.0 for b in normal.blocks[n:])  # only later rates are left out
    assert _steps(rc.full_cell_rate_protocol(None, 1.0)) == _steps(normal)[:4]
    assert _steps(rc.full_cell_rate_protocol(fc.HIGH_LOADING_MG_PER_CM2, 1.0)) == _steps(high)
    with pytest.raises(ValueError, match="up_to_c_rate"):
        rc.full_cell_rate_protocol(None, 3.0)


def _stand_in_runs(monkeypatch):
    """run_full_cell and rate_capacity replaced: the capacity falls with the C-rate and the loading; records calls."""
    calls = []

    def run(material, protocol, pset=None, mesh_points=12, timeseries_cycles=None, **overrides):
        calls.append({"material": material, "protocol": protocol, **overrides})
        return (material, overrides.get("ncm_loading_mg_per_cm2", 10.0))

    monkeypatch.setattr(rc, "run_full_cell", run)
    monkeypatch.setattr(rc, "rate_capacity", lambda r, c: 200.0 / (1.0 + c * r[1] / 10.0) * (0.5 if r[0] == "si" else 1))
    monkeypatch.setattr(rc, "anode_reversible_capacity_mAh_per_g", lambda comp, pset=None: 2000.0)
    return calls


def test_the_pure_si_quantity_is_the_2c_capacity_of_its_rate_test(monkeypatch):
    calls = _stand_in_runs(monkeypatch)
    value = rc.quantity_value("full_cell.rate.si.2.0", load_parameter_set(), 8)
    assert value == pytest.approx(0.5 * 200.0 / 3.0)
    assert calls[0]["material"] == "si" and "ncm_loading_mg_per_cm2" not in calls[0]
    assert _steps(calls[0]["protocol"]) == _steps(rc.full_cell_rate_protocol(None, 2.0))


def test_the_loading_ratio_is_high_over_normal_at_1c_with_one_anode_sizing(monkeypatch):
    calls = _stand_in_runs(monkeypatch)
    value = rc.quantity_value("full_cell.loading_ratio.1.0", load_parameter_set(), 8)
    assert value == pytest.approx((200.0 / 2.5) / (200.0 / 2.0))
    assert [c.get("ncm_loading_mg_per_cm2") for c in calls] == [15.0, None]
    assert all(c["anode_capacity_mAh_per_g"] == 2000.0 for c in calls)
    records = rc.records_at("full_cell.loading_ratio.1.0", load_parameter_set(), 8)
    assert set(records) == {"full_cell.high_loading.0.5", "full_cell.high_loading.1.0", "full_cell.rate.si_zno4.1.0",
                            "full_cell.rate.si_zno4.1.5", "full_cell.rate.si_zno4.2.0"}
    assert records["full_cell.rate.si_zno4.2.0"] == pytest.approx(200.0 / 3.0)
    assert rc.records_at("full_cell.rate.si.2.0", load_parameter_set(), 8) == {}


def _fake_stage(monkeypatch, q: float):
    stage = cal.stage("electrochemistry")
    targets = {t.id: t.value for t in cal.calibration_targets(stage.records)}
    fake = cal.CalibrationStage(stage.name, stage.parameters, stage.records, lambda pset, mesh: dict(targets))
    monkeypatch.setattr(cal, "stage", lambda name: fake)
    monkeypatch.setattr(rc, "quantity_value", lambda quantity, pset, mesh: q)


def test_the_loading_ratio_is_pushed_towards_zero_never_towards_the_papers_ratio(monkeypatch):
    pset = load_parameter_set()
    pushes = []
    for ratio in (0.8, 0.44, 0.3):
        _fake_stage(monkeypatch, ratio)
        pushes.append(rc.reach_problem("full_cell.loading_ratio.1.0", -1, 8).residuals(pset)[-1])
    assert pushes[0] > pushes[1] > pushes[2] > 0  # no optimum at 0.44
    assert pushes[0] == pytest.approx(0.8 / rc.LOADING_RATIO_SCALE)


def test_activation_energies_are_freed_only_on_request_and_only_for_full_cells():
    ea = {f.name for f in tr.activation_energy_factors()} - set(rc.NOT_IN_A_FULL_CELL)
    assert not ea & set(rc.reach_parameters("full_cell.rate.si.2.0"))
    assert ea <= set(rc.reach_parameters("full_cell.rate.si.2.0", activation_energies=True))
    assert ea <= set(rc.reach_parameters("full_cell.loading_ratio.1.0", activation_energies=True))
    assert not ea & set(rc.reach_parameters("half_cell.rate.si.5.0", activation_energies=True))
    assert set(rc.CATHODE_FACTORS) <= set(rc.reach_parameters("full_cell.loading_ratio.1.0"))


def test_a_search_point_with_activation_energies_holds_every_60C_value():
    pset = load_parameter_set()
    names = rc.reach_parameters("full_cell.rate.si.2.0", activation_energies=True)
    space = rc.search_space(pset, names)
    ranges = literature_ranges(pset)
    energies = [n for n in names if n.endswith(EA_SUFFIX)]
    for n in energies:
        assert space.entries[n].bounds == (ranges[n].low, ranges[n].high)
        assert space.value(n) == pset.entries[n.removesuffix(EA_SUFFIX)].activation_energy_eV
    same = rc.resolved(space)  # the calibrated point is itself (values to rounding)
    assert set(same.entries) == set(pset.entries)
    for n, e in pset.entries.items():
        assert same.entries[n].activation_energy_eV == e.activation_energy_eV
        assert e.value is None or same.value(n) == pytest.approx(e.value, rel=1e-12)
    point = rc.resolved(space.with_values({n: ranges[n].low for n in energies}))
    assert set(point.entries) == set(pset.entries)
    T60 = celsius_to_kelvin(60.0)
    for n in energies:
        p = n.removesuffix(EA_SUFFIX)
        assert point.entries[p].activation_energy_eV == ranges[n].low
        assert point.at_temperature(T60)[p] == pytest.approx(pset.at_temperature(T60)[p], rel=1e-12)
        ratio = point.value(p) / pset.value(p)  # the 25 °C value moves, unless the Ea did not
        same = ranges[n].low == pset.entries[p].activation_energy_eV
        assert same or ratio != pytest.approx(1.0)
    assert rc._anode_key(point, 8) == rc._anode_key(pset, 8)  # the half cells (60 °C) are reused
    assert rc._anode_key(pset.with_values({"Network ionic conductivity [S.m-1]": 2.0}), 8) != rc._anode_key(pset, 8)
    assert arrhenius_factor(0.3, T60, pset.reference_temperature_K) > 1  # sanity of the held temperature


def test_the_search_moves_activation_energies_within_their_ranges(monkeypatch):
    """A stand-in model whose quantity rises as the network's activation energy falls: the search goes to the
    range's low end, every model call gets a plain parameter set, and the 60 °C values stay put."""
    pset0 = load_parameter_set()
    target = "Network ionic conductivity [S.m-1]"
    seen = []

    def quantity(quantity, pset, mesh):
        assert not any(n.endswith(EA_SUFFIX) for n in pset.entries)
        seen.append(pset)
        return 50.0 + 100.0 * (0.6 - pset.entries[target].activation_energy_eV)

    _fake_stage(monkeypatch, 0.0)
    monkeypatch.setattr(rc, "quantity_value", quantity)
    monkeypatch.setattr(rc, "records_at", lambda q, p, m: {})
    res = rc.reach("full_cell.rate.si.2.0", max_evaluations=6, starts=[{"origin": "calibrated", "values": {}}],
                   activation_energies=True)
    low = literature_ranges(pset0)[target + EA_SUFFIX].low
    assert res["activation_energies_free"] and res["reached"] > 50.0 + 100.0 * (0.6 - pset0.entries[target].activation_energy_eV)
    assert res["parameters"][target + EA_SUFFIX] == pytest.approx(low, abs=0.02)
    for p in seen:
        assert low - 1e-12 <= p.entries[target].activation_energy_eV <= 0.6 + 1e-12


def test_the_cli_runs_only_the_named_quantity_with_the_options(monkeypatch, tmp_path):
    from sizno.cli import app
    from sizno.fitting import sensitivity as sens

    calls = {}
    monkeypatch.setattr(rc, "screened_starts", lambda starts, seed=0, names=None, on_evaluation=None:
                        calls.setdefault("names", names) and [{"origin": "calibrated", "values": {}}])

    def fake_reach(quantity, starts, seed=0, on_evaluation=None, **options):
        calls[quantity] = options
        return {"direction": "minimum", "calibrated_value": 0.79, "reached": 0.7, "starts": [],
                "paper (validation, not used)": 0.44, "model_runs": 0, "records_at_calibrated": {"a": 1.0},
                "records_at_reached": {"a": 2.0}}

    monkeypatch.setattr(rc, "reach", fake_reach)
    written = []
    monkeypatch.setattr(sens, "write", lambda res, out, stem, figure: written.append((stem, res)) or [])
    result = CliRunner().invoke(app, ["sensitivity", "--analysis", "reach", "--quantity", "full_cell.loading_ratio.1.0",
                                      "--activation-energies", "--max-evaluations", "5", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert set(calls) == {"names", "full_cell.loading_ratio.1.0"}
    options = calls["full_cell.loading_ratio.1.0"]
    assert options["activation_energies"] and options["max_evaluations"] == 5
    assert options["trace_path"].name == "reach_full_cell.loading_ratio.1.0_trace.jsonl"
    assert any(n.endswith(EA_SUFFIX) for n in calls["names"])
    assert written[0][0] == "reach_full_cell.loading_ratio.1.0"


@pytest.mark.parametrize("args", [["--quantity", "full_cell.rate.si.3.0"], ["--max-evaluations", "0"]])
def test_the_cli_refuses_a_bad_quantity_or_budget_with_exit_2(args, tmp_path):
    r = subprocess.run([sys.executable, "-m", "sizno.cli", "sensitivity", "--analysis", "reach", *args, "--out",
                        str(tmp_path / "o")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and args[0] in lines[0] and "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()


def test_the_trace_file_gets_one_line_per_model_evaluation(monkeypatch, tmp_path):
    _fake_stage(monkeypatch, 0.7)
    path = tmp_path / "trace.jsonl"
    problem = rc.reach_problem("full_cell.loading_ratio.1.0", -1, 8, activation_energies=True, trace_path=path)
    space = rc.search_space(load_parameter_set(), tuple(problem.names))
    problem.residuals(space)
    problem.residuals(space)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(rows) == 2 and rows[0]["quantity"] == 0.7 and set(rows[0]["values"]) == set(problem.names)


def test_the_figure_draws_ratios_on_their_own_axis(tmp_path):
    end = {"reached": 0.7, "worst_calibration_residual": 0.04}
    result = {"results": {"full_cell.loading_ratio.1.0": {"calibrated_value": 0.79, "reached": 0.7,
                                                          "direction": "minimum",
                                                          "paper (validation, not used)": 0.44, "starts": [end]}}}
    assert rc.reach_figure(result, tmp_path / "reach.png").stat().st_size > 0


@pytest.mark.slow
def test_at_the_calibrated_point_each_new_quantity_is_what_reproduce_reports_on_the_same_mesh():
    """The real model (quick mesh): reproduce's own runs (its protocols, its anode sizing) against the quantities."""
    from sizno.experiments.runner import NO_CURVES, QUICK_MESH_POINTS, anode_reversible_capacity_mAh_per_g, run_full_cell
    from sizno.materials import named_material
    from sizno.results.observables import rate_capacity

    pset = load_parameter_set()
    protocols = fc._protocols(quick=False)

    def reproduce_run(label: str):
        _, protocol, overrides = protocols[label]
        material = label.split()[1]
        cap = anode_reversible_capacity_mAh_per_g(named_material(material))
        return run_full_cell(material, protocol, mesh_points=QUICK_MESH_POINTS, timeseries_cycles=NO_CURVES,
                             anode_capacity_mAh_per_g=cap, **overrides)

    si = rate_capacity(reproduce_run("full-cell si rate"), 2.0)
    assert rc.quantity_value("full_cell.rate.si.2.0", pset, QUICK_MESH_POINTS) == pytest.approx(si, rel=1e-9)
    high = rate_capacity(reproduce_run("full-cell si-zno4 high-loading rate"), 1.0)
    normal = rate_capacity(reproduce_run("full-cell si-zno4 rate"), 1.0)
    ratio = rc.quantity_value("full_cell.loading_ratio.1.0", pset, QUICK_MESH_POINTS)
    assert ratio == pytest.approx(high / normal, rel=1e-9)


def test_with_activation_energies_the_starts_include_both_corners_of_their_box(monkeypatch):
    pset = load_parameter_set()
    monkeypatch.setattr(rc, "calibration_relative", lambda p, mesh: {"record": 0.01})
    names = rc.reach_parameters("full_cell.loading_ratio.1.0", activation_energies=True)
    starts = rc.screened_starts(2, pset, candidates=4, seed=0, names=names)
    assert [s["origin"].split(",")[0] for s in starts[:3]] == ["calibrated"] * 3 and len(starts) == 4
    ranges = literature_ranges(pset)
    energies = [n for n in names if n.endswith(EA_SUFFIX)]
    assert all(starts[1]["values"][n] == ranges[n].low and starts[2]["values"][n] == ranges[n].high for n in energies)
    plain = [n for n in names if n not in energies]
    assert all(starts[k]["values"][n] == starts[0]["values"][n] for k in (1, 2) for n in plain)
    assert len(rc.screened_starts(1, pset, names=rc.reach_parameters("full_cell.loading_ratio.1.0"))) == 1


def _earlier_run(names, quantity="full_cell.rate.si.2.0"):
    """A reach result as the CLI writes it: two ends, one within the band, one outside."""
    def end(origin, reached, worst, v):
        return {"origin": origin, "reached": reached, "worst_calibration_residual": worst,
                "parameters": {n: v for n in names}}
    return {"results": {quantity: {"direction": "maximum", "starts": [end("calibrated", 14.5, 0.041, 1.0),
                                                                     end("Sobol'", 30.0, 0.10, 2.0),
                                                                     end("low corner", 18.2, 0.035, 3.0)]}}}


def test_a_continued_search_starts_from_the_earlier_ends_best_feasible_first():
    names = rc.reach_parameters("full_cell.rate.si.2.0", True)
    starts = rc.continued_starts(_earlier_run(names), "full_cell.rate.si.2.0", names)
    # within the band and furthest up first; the end outside the band (30, 10 % off) last, whatever it reached
    assert [s["values"][names[0]] for s in starts] == [3.0, 1.0, 2.0]
    assert set(starts[0]["values"]) == set(names) and "low corner" in starts[0]["origin"]
    with pytest.raises(ValueError, match="holds no run"):
        rc.continued_starts(_earlier_run(names), "full_cell.loading_ratio.1.0", names)
    without = rc.reach_parameters("full_cell.rate.si.2.0", False)
    with pytest.raises(ValueError, match="did not free"):  # an earlier run without the activation energies
        rc.continued_starts(_earlier_run(without), "full_cell.rate.si.2.0", names)


def test_the_cli_continues_from_an_earlier_run_and_refuses_a_bad_file_with_exit_2(monkeypatch, tmp_path):
    from sizno.cli import app
    from sizno.fitting import sensitivity as sens

    names = rc.reach_parameters("full_cell.rate.si.2.0", True)
    earlier = tmp_path / "reach_full_cell.rate.si.2.0.json"
    earlier.write_text(json.dumps(_earlier_run(names)))
    seen = {}

    def fake_reach(quantity, starts, seed=0, on_evaluation=None, **options):
        seen["starts"] = starts
        return {"direction": "maximum", "calibrated_value": 13.7, "reached": 19.0, "starts": [],
                "paper (validation, not used)": 42.0, "model_runs": 0, "records_at_calibrated": {},
                "records_at_reached": {}}

    monkeypatch.setattr(rc, "reach", fake_reach)
    monkeypatch.setattr(rc, "screened_starts", lambda *a, **k: pytest.fail("a continued run screens no starts"))
    monkeypatch.setattr(sens, "write", lambda res, out, stem, figure: [])
    args = ["sensitivity", "--analysis", "reach", "--quantity", "full_cell.rate.si.2.0", "--activation-energies",
            "--starts", "2", "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(app, args + ["--continue-from", str(earlier)])
    assert result.exit_code == 0, result.output
    assert [s["values"][names[0]] for s in seen["starts"]] == [3.0, 1.0]  # the best two ends
    for bad in (tmp_path / "missing.json", tmp_path / "o2"):
        r = subprocess.run([sys.executable, "-m", "sizno.cli", *args[:-1], str(tmp_path / "o3"), "--continue-from",
                            str(bad)], capture_output=True, text=True, timeout=300)
        assert r.returncode == 2, (r.stdout, r.stderr)
        lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
        assert len(lines) == 1 and "--continue-from" in lines[0] and "Traceback" not in r.stderr
        assert not (tmp_path / "o3").exists()
