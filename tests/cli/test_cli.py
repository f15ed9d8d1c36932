"""The CLI end to end: quick reproduce, simulate, composition, and bad input (exit 2, one line)."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

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
    r = run("composition", "--zinc-acetate-g", "0.2", "--silicon-g", "0.5", "--json", str(tmp_path / "c.json"))
    assert r.returncode == 0, r.stderr
    data = json.loads((tmp_path / "c.json").read_text())
    assert data["zno_wt_percent"] == pytest.approx(12.9, abs=0.05)
    assert data["paper_stated_zno_wt_percent"] is None  # a custom recipe has no stated value
    assert "12.91" in r.stdout and "Composition of custom" in r.stdout


def test_the_recipe_of_a_named_material_says_its_name_and_units_survive_a_pipe(tmp_path):
    """The paper's recipe (0.125 g acetate / 0.5 g Si) is Si-ZnO4; '[wt%]', '[g]', '[mAh/g]' are text, not markup,
    and a pipe gets the whole table (no 80-column cut)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR")}
    r = subprocess.run([*SIZNO, "composition", "--zinc-acetate-g", "0.125", "--silicon-g", "0.5", "--json",
                        str(tmp_path / "c.json")], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Composition of si-zno4" in r.stdout
    assert json.loads((tmp_path / "c.json").read_text())["paper_stated_zno_wt_percent"] == pytest.approx(11.6)
    for label in ("zinc acetate [g]", "ZnO [wt%], stoichiometric", "ZnO [wt%] if the acetate were anhydrous",
                  "Si alloying capacity [mAh/g composite]", "total theoretical [mAh/g]"):
        assert label in r.stdout, label


@pytest.mark.parametrize("args,field", [
    (["composition", "--silicon-g", "0"], "silicon_g"),
    (["composition", "--material", "si-zno5"], "material"),
    (["simulate", "--material", "unobtainium"], "material"),
    (["simulate", "--protocol", "gitt"], "protocol"),
    (["simulate", "--current-A-per-g", "-1"], "current_A_per_g"),
    (["simulate", "--thickness-um", "0"], "thickness_um"),
    (["simulate", "--mass-mg", "-2"], "--mass-mg"),
    (["simulate", "--cycles", "0"], "--cycles"),
    (["simulate", "--protocol", "first-cycle", "--formation-cycles", "0"], "--formation-cycles"),
    (["simulate", "--lower-cutoff-V", "1.5", "--upper-cutoff-V", "1.0"], "voltage window"),
    (["reproduce", "--only", "nonsense"], "--only"),
    (["simulate", "--protocol", "full-cell-first-cycles", "--np-ratio", "0"], "np_ratio"),
    (["simulate", "--protocol", "full-cell-first-cycles", "--ncm-loading-mg-per-cm2", "-1"], "ncm_loading_mg_per_cm2"),
    (["simulate", "--protocol", "full-cell-first-cycles", "--upper-cutoff-V", "4.6"], "upper_cutoff_V"),
    (["simulate", "--protocol", "full-cell-first-cycles", "--current-A-per-g", "1"], "--current-A-per-g"),
    (["simulate", "--protocol", "first-cycle", "--c-rate", "1"], "--c-rate"),
    (["calibrate", "--stage", "everything"], "--stage"),
    (["sensitivity", "--analysis", "reach", "--starts", "0"], "--starts"),
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
    from sizno.experiments import engine

    real_step = engine.BuiltModel.step
    calls = {"n": 0}

    def step_then_fail(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:  # the first step runs; the next one (and its retry) the solver "fails"
            return real_step(self, *args, **kwargs)
        raise pybamm.SolverError("IDA_ERR_FAIL: test-induced failure")

    monkeypatch.setattr(engine.BuiltModel, "step", step_then_fail)
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
    assert recs["half_cell.rate.si_zno4.5.0"]["role"] == "calibration"  # since 2026-11-30 (issue 13)
    assert recs["half_cell.rate.si.5.0"]["role"] == "validation"
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


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR")}
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(os.path.dirname(__import__("sizno").__file__)),
                                         env.get("PYTHONPATH", "")])
    return {**env, **extra}


def test_ctrl_c_stops_a_running_simulation_keeps_what_finished_and_exits_130(tmp_path):
    """SIGINT to a running `simulate`: within ~2 s it writes the finished steps as a stopped run does
    (completed false, reason 'interrupted'), says so in one line, exit 130. Off a terminal it prints
    progress lines as it goes (every SIZNO_PROGRESS_SECONDS)."""
    out, js = tmp_path / "o.csv", tmp_path / "o.json"
    p = subprocess.Popen([*SIZNO, "simulate", "--protocol", "long-cycling", "--mesh-points", "8", "--output", str(out),
                          "--json", str(js)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=_env(SIZNO_PROGRESS_SECONDS="0.3"))
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(p.stderr.readline, "")), daemon=True)
    reader.start()
    deadline = time.monotonic() + 300
    import re

    def steps_done() -> int:
        found = [int(m.group(1)) for ln in list(lines) for m in [re.search(r"steps: (\d+)/402", ln)] if m]
        return max(found, default=0)

    while steps_done() < 8 and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert p.poll() is None, "".join(lines)[-2000:]
    t0 = time.monotonic()
    p.send_signal(signal.SIGINT)
    p.wait(timeout=60)
    stopped_s = time.monotonic() - t0
    reader.join(timeout=5)
    assert p.returncode == 130, "".join(lines)[-2000:]
    assert stopped_s < 5, stopped_s  # ~1.5 s on an idle 2-core machine: the step in flight, then the files
    said = [ln for ln in lines if "interrupted" in ln]
    assert len(said) == 1 and said[0].startswith("interrupted: stopped after"), lines
    assert not any("Traceback" in ln or "ERROR" in ln for ln in lines), lines
    data = json.loads(js.read_text())
    assert data["completed"] is False and data["stop_reason"].endswith("interrupted")
    done = data["metadata"]["steps_completed"]
    assert 8 <= done < 402 and len(data["cycles"]) >= 4
    import pandas as pd

    assert len(pd.read_csv(tmp_path / "o-cycles.csv")) == len(data["cycles"])
    assert pd.read_csv(out)["step_count"].max() == done  # the time series holds every finished step
    meta = json.loads((tmp_path / "o-metadata.json").read_text())
    assert meta["completed"] is False and "interrupted" in meta["stop_reason"]


def test_a_second_simulate_never_replaces_the_first(tmp_path):
    """Default outputs get a new timestamped name; an existing --output is refused unless --force;
    a long run prints a summary of its cycle table (the full table is in the files)."""
    args = ["simulate", "--protocol", "first-cycle", "--current-A-per-g", "2", "--mesh-points", "8", "--no-plot"]
    r1 = subprocess.run([*SIZNO, *args], capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=600)
    assert r1.returncode == 0, r1.stderr
    r2 = subprocess.run([*SIZNO, "simulate", "--protocol", "long-cycling", "--cycles", "20", "--mesh-points", "8",
                         "--no-plot"], capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=600)
    assert r2.returncode == 0, r2.stderr
    runs = sorted((tmp_path / "out").glob("simulate-*.parquet"))
    assert len(runs) == 2 and len({p.name for p in runs}) == 2
    import pandas as pd

    n_cycles = sorted(len(pd.read_csv(p.with_name(p.stem + "-cycles.csv"))) for p in runs)
    assert n_cycles == [1, 21]  # the first run is still there; formation + 20 long cycles in the second
    assert "[mAh/g]" in r2.stdout and "cycles not shown; every cycle is in" in r2.stdout
    assert r2.stdout.count("0.8 A/g") < 15  # 21 cycles, a summary of them printed
    # an explicit existing output: refused in one line, the file untouched; --force replaces it
    target = runs[0]
    before = target.read_bytes()
    r3 = subprocess.run([*SIZNO, *args, "--output", str(target)], capture_output=True, text=True, cwd=tmp_path,
                        env=_env(), timeout=600)
    assert r3.returncode == 2 and "--force" in r3.stderr and len(r3.stderr.strip().splitlines()) == 1
    assert target.read_bytes() == before


def test_cycles_is_per_block_and_keeps_formation():
    from sizno.experiments import load_protocol

    full = load_protocol("full-cell-cycling").with_cycles(50)
    assert [(b.repeat, b.is_formation) for b in full.blocks] == [(2, True), (50, False)]
    half = load_protocol("long-cycling").with_cycles(30, formation_cycles=0)
    assert [b.repeat for b in half.blocks] == [30] and not half.blocks[0].is_formation
    rate = load_protocol("rate-test").with_cycles(1)
    assert {b.repeat for b in rate.blocks} == {1} and len(rate.blocks) == 9
    # a current for every step keeps the formation mark (labels change)
    assert load_protocol("long-cycling").with_current(1.0).with_cycles(5).blocks[0].repeat == 1


def test_calibrate_from_another_folder_writes_to_the_user_folder_not_the_package(tmp_path, monkeypatch):
    from importlib import resources

    from typer.testing import CliRunner

    import sizno.fitting.calibrate as cal
    from sizno.cli import app
    from sizno.fitting.core import FitResult

    name = cal.stage("swelling").parameters[0]

    def fake_calibration(stages, mesh_points, max_evaluations, on_evaluation):
        on_evaluation(1.0)
        return {"swelling": FitResult(values={name: 0.123}, residuals={}, uncertainty_relative={name: 0.1}, cost=0.0,
                                      n_evaluations=1, success=True, message="fake")}

    monkeypatch.setattr(cal, "calibrate", fake_calibration)
    package = resources.files("sizno.data").joinpath("parameters")
    before = {p.name: p.read_bytes() for p in package.iterdir() if p.is_file()}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("SIZNO_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    r = CliRunner().invoke(app, ["calibrate", "--stage", "swelling", "--json", str(tmp_path / "c.json")])
    assert r.exit_code == 0, r.output
    written = list((tmp_path / "data" / "sizno" / "parameters").glob("fitted-*.toml"))
    assert len(written) == 1 and json.loads((tmp_path / "c.json").read_text())["output"] == str(written[0])
    assert not any(elsewhere.iterdir())  # no stray src/sizno/data/... under the current folder
    assert {p.name: p.read_bytes() for p in package.iterdir() if p.is_file()} == before
    from sizno.models.parameters import fitted_values, load_parameter_set

    values = fitted_values(written[0])
    assert values[name] == pytest.approx(0.123)
    assert set(fitted_values()) <= set(values)  # seeded from the package's set: the other stages keep theirs
    assert load_parameter_set(written[0]).value(name) == pytest.approx(0.123)
    # asked by path: an existing file is replaced only with --force
    r = CliRunner().invoke(app, ["calibrate", "--stage", "swelling", "--output", str(written[0])])
    assert r.exit_code != 0 and "--force" in str(r.exception)


def test_reproduce_writes_the_areas_that_finished_when_stopped(tmp_path, monkeypatch):
    from rich.console import Console

    import sizno.reproduce.runner as rr
    from sizno.reproduce.areas import AreaOutput
    from sizno.reproduce.records import Record

    class First:
        name = "half-cell"

        def run(self, out_dir, quick, console):
            return AreaOutput([Record(id="a.one", quantity="q", unit="mAh/g", paper=1.0, model=1.1, role="validation")])

    class Second:
        name = "full-cell"

        def run(self, out_dir, quick, console):
            assert json.loads((out_dir / "summary.json").read_text())["areas_done"] == ["half-cell"]  # written as it came
            raise KeyboardInterrupt

    real = rr.paper_areas
    monkeypatch.setattr(rr, "paper_areas", lambda cross_check=None: {**real(cross_check), "half-cell": First(), "full-cell": Second()})
    with pytest.raises(KeyboardInterrupt, match="stopped during full-cell; .*summary.json holds the 1 areas"):
        rr.reproduce(tmp_path, quick=True, only=["half-cell", "full-cell"], console=Console(file=open(os.devnull, "w")))
    data = json.loads((tmp_path / "summary.json").read_text())
    assert data["completed"] is False and data["stop_reason"] == "interrupted during full-cell"
    assert [r["id"] for r in data["records"]] == ["a.one"]


def test_ctrl_c_in_any_command_is_one_line_and_exit_130(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import sizno.reproduce as rep
    from sizno.cli import app

    def stopped(out_dir, **kw):
        raise KeyboardInterrupt(f"stopped during full-cell; {out_dir}/summary.json holds the 1 areas that finished")

    monkeypatch.setattr(rep, "reproduce", stopped)
    r = CliRunner().invoke(app, ["reproduce", "--quick", "--out", str(tmp_path / "rep")])
    assert r.exit_code == 130
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert lines == [f"interrupted (Ctrl-C): stopped during full-cell; {tmp_path / 'rep'}/summary.json holds the 1 areas "
                     "that finished"], r.output


def test_units_stay_in_the_drt_and_reproduce_tables(tmp_path):
    """'τ [s]', 'R [Ω]' (drt) and the report's unit column are text, never markup, in a pipe."""
    import io

    from rich.console import Console

    from sizno.eis.elements import synthetic_spectrum
    from sizno.reproduce.records import Record
    from sizno.reproduce.report import records_table

    s = synthetic_spectrum(10)
    rows = [f"{f:.8g},{zr:.8g},{-zi:.8g}" for f, zr, zi in zip(s.frequency_Hz, s.z_real_ohm, s.z_imag_ohm)]
    (tmp_path / "cell.csv").write_text("freq/Hz,Re(Z)/Ohm,-Im(Z)/Ohm\n" + "\n".join(rows) + "\n")
    r = subprocess.run([*SIZNO, "drt", str(tmp_path / "cell.csv"), "--no-plot"], capture_output=True, text=True,
                       env=_env(), timeout=300)
    assert r.returncode == 0, r.stderr
    assert "τ [s]" in r.stdout and "R [Ω]" in r.stdout and "f [Hz]" in r.stdout
    buf = io.StringIO()
    Console(file=buf, markup=False, width=400).print(records_table(
        [Record(id="half_cell.rate.si_zno4.5.0", quantity="q", unit="mAh/g", paper=1000.0, model=600.0, role="validation")]))
    header, row = [ln for ln in buf.getvalue().splitlines() if "unit" in ln or "half_cell" in ln]
    assert "unit" in header and "mAh/g" in row
