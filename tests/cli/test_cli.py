"""The CLI end to end: quick reproduce, simulate, composition, and bad input (exit 2, one line)."""

import json
import subprocess
import sys

import pytest

SIZNO = [sys.executable, "-m", "sizno.cli"]


def run(*args, cwd=None):
    return subprocess.run([*SIZNO, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_help_lists_the_commands():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("composition", "simulate", "calibrate", "reproduce"):
        assert cmd in r.stdout


def test_composition_json(tmp_path):
    r = run("composition", "--zinc-acetate-g", "0.125", "--silicon-g", "0.5", "--json", str(tmp_path / "c.json"))
    assert r.returncode == 0, r.stderr
    data = json.loads((tmp_path / "c.json").read_text())
    assert data["zno_wt_percent"] == pytest.approx(8.48, abs=0.05)
    assert data["paper_stated_zno_wt_percent"] is None  # a custom recipe has no stated value
    assert "8.48" in r.stdout


@pytest.mark.parametrize("args,field", [
    (["composition", "--silicon-g", "0"], "silicon_g"),
    (["composition", "--material", "si-zno5"], "material"),
    (["simulate", "--material", "unobtainium"], "material"),
    (["simulate", "--protocol", "gitt"], "protocol"),
    (["simulate", "--current-A-per-g", "-1"], "current_A_per_g"),
    (["simulate", "--thickness-um", "0"], "thickness_um"),
    (["simulate", "--composite-mass-mg", "-2"], "composite_mass_mg"),
    (["simulate", "--lower-cutoff-V", "1.5", "--upper-cutoff-V", "1.0"], "voltage window"),
    (["reproduce", "--only", "nonsense"], "--only"),
    (["simulate", "--protocol", "full-cell-first-cycles", "--np-ratio", "0"], "np_ratio"),
    (["simulate", "--protocol", "full-cell-first-cycles", "--ncm-loading-mg-per-cm2", "-1"], "ncm_loading_mg_per_cm2"),
    (["simulate", "--protocol", "full-cell-first-cycles", "--upper-cutoff-V", "4.6"], "upper_cutoff_V"),
    (["simulate", "--protocol", "full-cell-first-cycles", "--current-A-per-g", "1"], "--current-A-per-g"),
    (["simulate", "--protocol", "first-cycle", "--c-rate", "1"], "--c-rate"),
    (["calibrate", "--stage", "everything"], "--stage"),
])
def test_bad_input_is_one_line_exit_2(args, field, tmp_path):
    r = run(*args, "--json", str(tmp_path / "x.json")) if args[0] != "reproduce" else run(*args, "--out", str(tmp_path))
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and field in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_a_c_rate_step_in_a_half_cell_protocol_is_refused(tmp_path):
    f = tmp_path / "mixed.toml"
    f.write_text('name = "mixed"\n[[blocks]]\nsteps = [{ action = "lithiate", current_A_per_g = 0.1 }, '
                 '{ action = "discharge", c_rate = 0.1 }]\n')
    r = run("simulate", "--protocol", str(f), "--output", str(tmp_path / "o.csv"))
    assert r.returncode == 2 and "protocol step" in r.stderr and "Traceback" not in r.stderr


def test_simulate_full_cell_writes_per_gram_ncm_table(tmp_path):
    out = tmp_path / "full.csv"
    r = run("simulate", "--protocol", "full-cell-first-cycles", "--cycles", "1", "--mesh-points", "8",
            "--output", str(out), "--json", str(tmp_path / "full.json"))
    assert r.returncode == 0, r.stderr[-2000:]
    data = json.loads((tmp_path / "full.json").read_text())
    assert data["metadata"]["cell"] == "full cell"
    assert data["metadata"]["capacity_basis"] == "per gram of NCM811"
    row = data["cycles"][0]
    assert 100 < row["charge_capacity_mAh_per_g"] < 280 and row["discharge_capacity_mAh_per_g"] < row["charge_capacity_mAh_per_g"]
    import pandas as pd

    ts = pd.read_csv(out)
    assert {"cathode_potential_volt", "anode_potential_volt", "si_electrode_thickness_um"} <= set(ts.columns)


def test_malformed_protocol_file(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text("name = [unclosed\n")
    r = run("simulate", "--protocol", str(f), "--output", str(tmp_path / "o.csv"))
    assert r.returncode == 2 and "malformed TOML" in r.stderr


def test_simulate_writes_timeseries_plot_and_json(tmp_path):
    out = tmp_path / "run.csv"
    r = run("simulate", "--material", "si-zno4", "--protocol", "first-cycle", "--current-A-per-g", "1",
            "--mesh-points", "15", "--output", str(out), "--json", str(tmp_path / "run.json"))
    assert r.returncode == 0, r.stderr
    import pandas as pd

    ts = pd.read_csv(out)
    assert {"test_time_second", "voltage_volt", "current_ampere", "cycle_count", "step_type"} <= set(ts.columns)
    assert (ts.loc[ts.step_type == "lithiation", "current_ampere"] < 0).all()  # BDF: lithiation discharges
    assert out.with_suffix(".png").exists()
    data = json.loads((tmp_path / "run.json").read_text())
    assert data["completed"] and data["cycles"][0]["lithiation_capacity_mAh_per_g"] > 100


def test_a_step_that_cannot_run_counts_zero_and_the_protocol_goes_on(tmp_path):
    """As on a cycler: a step past its cut-off at once gives no capacity; the next steps still run.
    The run is not complete (a step did not run as asked): it says so in one line and exits 1."""
    f = tmp_path / "p.toml"
    f.write_text('name = "impossible-step"\n[[blocks]]\nsteps = [{action = "lithiate", current_A_per_g = 0.5},'
                 ' {action = "delithiate", current_A_per_g = 0.5}]\n'
                 '[[blocks]]\nsteps = [{action = "lithiate", current_A_per_g = 0.5, until_V = 2.5},'
                 ' {action = "lithiate", current_A_per_g = 0.5}]\n')
    r = run("simulate", "--material", "si-zno4", "--protocol", str(f), "--mesh-points", "15",
            "--output", str(tmp_path / "o.csv"), "--json", str(tmp_path / "o.json"))
    assert r.returncode == 1, r.stderr
    assert "1 of 4 steps could not run" in r.stderr and "cut-off met at once" in r.stderr and "Traceback" not in r.stderr
    data = json.loads((tmp_path / "o.json").read_text())
    assert data["completed"] is False and "could not run" in data["stop_reason"]
    assert data["metadata"]["steps_that_could_not_run"] == [3]
    assert [c["steps_not_run"] for c in data["cycles"]] == ["", "lithiation"]
    assert data["cycles"][0]["delithiation_capacity_mAh_per_g"] > 100
    assert data["cycles"][1]["lithiation_capacity_mAh_per_g"] > 100  # step 4 ran after the skipped step 3


def test_solver_failure_mid_protocol_keeps_finished_steps_and_exits_nonzero(tmp_path, monkeypatch, capsys):
    import pybamm

    from sizno import cli

    real_solve = pybamm.Simulation.solve
    calls = {"n": 0}

    def solve_then_fail(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:  # the solve runs, then the solver "fails": sim.solution keeps what ran
            real_solve(self, *args, **kwargs)
            raise pybamm.SolverError("IDA_ERR_FAIL: test-induced failure")
        raise AssertionError("no second solve after a solver failure")

    monkeypatch.setattr(pybamm.Simulation, "solve", solve_then_fail)
    monkeypatch.setattr("sys.argv", ["sizno", "simulate", "--material", "si-zno4", "--protocol", "first-cycle",
                                     "--current-A-per-g", "1", "--mesh-points", "12",
                                     "--output", str(tmp_path / "o.csv"), "--json", str(tmp_path / "o.json")])
    with pytest.raises(SystemExit) as e:
        cli.main()
    assert e.value.code == 1
    err = capsys.readouterr().err
    assert "solver error" in err and "IDA_ERR_FAIL" in err and "Traceback" not in err
    data = json.loads((tmp_path / "o.json").read_text())
    assert data["completed"] is False
    assert data["cycles"][0]["lithiation_capacity_mAh_per_g"] > 100  # the finished steps are kept
    assert (tmp_path / "o.csv").exists()


REQUIRED_IDS = [
    "half_cell.first_cycle.si_zno4.discharge_mAh_g", "half_cell.first_cycle.si_zno4.charge_mAh_g",
    "half_cell.first_cycle.si_zno4.ice_percent", "half_cell.first_cycle.si.ice_percent",
    "half_cell.rate.si_zno4.0.1", "half_cell.rate.si_zno4.0.8", "half_cell.rate.si_zno4.5.0",
    "half_cell.rate.si.0.8", "half_cell.rate.si.5.0", "half_cell.rate.si_zno2.5.0",
    "half_cell.rate.si_zno8.5.0", "half_cell.room_temperature.si_zno4.4.0", "half_cell.room_temperature.si.4.0",
]


@pytest.mark.slow
def test_reproduce_quick_writes_summary_with_required_ids(tmp_path):
    r = run("reproduce", "--quick", "--only", "half-cell", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr[-2000:]
    data = json.loads((tmp_path / "summary.json").read_text())
    recs = {x["id"]: x for x in data["records"]}
    for rid in REQUIRED_IDS:
        assert rid in recs, rid
        rec = recs[rid]
        assert set(rec) >= {"id", "quantity", "unit", "paper", "model", "relative_error", "role"}
        assert rec["model"] is not None
    assert recs["half_cell.rate.si_zno4.5.0"]["role"] == "validation"
    assert recs["half_cell.rate.si_zno4.0.8"]["role"] == "calibration"
    for png in ("first_cycle.png", "rate_capability.png", "dqdv_first_cycle.png"):
        assert (tmp_path / png).stat().st_size > 10_000


FULL_CELL_IDS = [
    "full_cell.first_cycle.discharge_mAh_g", "full_cell.first_cycle.ice_percent",
    *[f"full_cell.rate.si_zno4.{c}" for c in ("0.2", "0.5", "1.0", "1.5", "2.0")], "full_cell.rate.si.2.0",
    "full_cell.cycling.retention_percent", *[f"full_cell.high_loading.{c}" for c in ("0.1", "0.2", "0.5", "1.0")],
    "full_cell.high_loading.retention_percent", "half_cell.cycling.si_zno4.retention_percent",
    "half_cell.cycling.si.knee_cycle", "thickness.si_zno4.lithiated_um", "thickness.si_zno4.delithiated_um",
    "thickness.si.volume_expansion_percent",
]


@pytest.mark.slow
def test_reproduce_quick_full_cell_area(tmp_path):
    r = run("reproduce", "--quick", "--only", "full-cell", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr[-2000:]
    recs = {x["id"]: x for x in json.loads((tmp_path / "summary.json").read_text())["records"]}
    for rid in FULL_CELL_IDS:
        assert rid in recs and recs[rid]["paper"] is not None, rid
    roles = {rid: recs[rid]["role"] for rid in FULL_CELL_IDS}
    assert roles["thickness.si_zno4.lithiated_um"] == "calibration"
    assert roles["thickness.si_zno4.delithiated_um"] == "validation"
    assert roles["half_cell.cycling.si_zno4.retention_percent"] == "calibration"
    assert roles["full_cell.cycling.retention_percent"] == "validation"
    assert recs["thickness.si_zno4.lithiated_um"]["model"] > recs["thickness.si_zno4.delithiated_um"]["model"] > 22
    for png in ("cycling_capacity_ce.png", "thickness_first_cycle.png", "thickness_cycles.png", "full_cell_rate.png",
                "full_cell_first_cycles.png", "full_cell_cycling_voltage.png"):
        assert (tmp_path / png).stat().st_size > 10_000, png
