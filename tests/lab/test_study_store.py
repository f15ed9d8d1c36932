"""Design files, the store's schema and atomic writes, query/export, bad input (exit 2, store unchanged)."""

import json

import pandas as pd
import pytest
from studyhelp import digest, sizno, tiny_design

from sizno.errors import SiznoInputError
from sizno.lab.study.design import Design, load_design, validate
from sizno.lab.study.engine import cycle_columns, open_store
from sizno.lab.study.evaluate import evaluate_point, make_tasks


def _design(**kw) -> Design:
    base = {"study": {"name": "t", "cell": "half-cell", "protocol": "first-cycle", "mesh_points": 8},
            "variable": [{"name": "zno_wt_pct", "range": [0, 20], "points": 3}]}
    base.update(kw)
    return validate(Design(**base))


def test_grid_lhs_sobol_points_lie_in_their_ranges_and_levels_are_crossed():
    d = _design(variable=[{"name": "zno_wt_pct", "range": [0, 20], "points": 3},
                          {"name": "temperature_C", "values": [25, 60]}])
    pts = d.points()
    assert [(p["temperature_C"], p["zno_wt_pct"]) for p in pts] == [(25, 0.0), (25, 10.0), (25, 20.0),
                                                                      (60, 0.0), (60, 10.0), (60, 20.0)]
    for method in ("lhs", "sobol"):
        d = _design(sampler={"method": method, "size": 8, "seed": 3},
                    variable=[{"name": "zno_wt_pct", "range": [2, 20]},
                              {"name": "Interface exchange current density [A.m-2]", "range": [0.1, 10], "scale": "log"}])
        pts = d.points()
        assert len(pts) == 8 and len({p["zno_wt_pct"] for p in pts}) == 8
        assert all(2 <= p["zno_wt_pct"] <= 20 and 0.1 <= p["Interface exchange current density [A.m-2]"] <= 10 for p in pts)
        # a Latin hypercube puts exactly one point in each of the 8 strata of every variable
        if method == "lhs":
            assert sorted(int((p["zno_wt_pct"] - 2) / 18 * 8) for p in pts) == list(range(8))
        assert d.points() == pts  # seeded: the same points every time (resume relies on it)


@pytest.mark.parametrize("change,field", [
    ({"variable": [{"name": "zno_percent", "range": [0, 20]}]}, "zno_percent"),
    ({"variable": [{"name": "Interface exchange current [A.m-2]", "range": [1, 2]}]}, "unknown variable or parameter"),
    ({"variable": [{"name": "zno_wt_pct", "range": [20, 0]}]}, "inverted range"),
    ({"variable": [{"name": "zno_wt_pct", "range": [5, 5]}]}, "empty or inverted"),
    ({"variable": [{"name": "zno_wt_pct", "values": []}]}, "empty values"),
    ({"sampler": {"method": "lhs", "size": 0}}, "sampler.size"),
    ({"sampler": {"method": "sobol", "size": -4}}, "sampler.size"),
    ({"sampler": {"method": "halton"}}, "sampler.method"),
    ({"variable": [{"name": "zno_wt_pct", "range": [0, 120]}]}, "zno_wt_pct"),
    ({"variable": [{"name": "c_rate", "range": [0.1, 1]}]}, "does not apply"),
])
def test_bad_designs_name_the_field(change, field):
    with pytest.raises(SiznoInputError) as exc:
        _design(**change)
    assert field in str(exc.value)


def test_a_model_parameter_by_its_name_reaches_the_model():
    d = _design(variable=[{"name": "Trap sites per activated Si [-]", "values": [0.05, 0.4]}],
                fixed={"zno_wt_pct": 8.5}, outputs={"records": {"ice": {"column": "coulombic_efficiency_percent"}}})
    res = [evaluate_point(t) for t in make_tasks(d, d.points())]
    assert all(r["status"] == "done" for r in res), [r["error"] for r in res]
    # more trap sites hold more lithium in the first cycle: a lower first-cycle efficiency
    assert res[0]["records"]["ice"] > res[1]["records"]["ice"] + 1


def test_store_schema_and_a_write_that_fails_leaves_no_half_point(tmp_path):
    d = _design(outputs={"timeseries_cycles": [1]})
    pts = d.points()
    store = open_store(d, tmp_path / "s.duckdb", {"command": "run"}, pts, "design")
    tables = set(store.query("SELECT table_name FROM information_schema.tables")["table_name"])
    assert {"points", "cycles", "records", "timeseries", "runs", "meta"} <= tables
    cols = set(store.query("SELECT * FROM points LIMIT 0").columns)
    assert {"point_id", "point_key", "status", "error", "wall_s", "solve_s", "submitted_at", "finished_at",
            "attempts", "zno_wt_pct"} <= cols
    assert list(store.query("SELECT * FROM cycles LIMIT 0").columns) == ["point_id", *[c for c, _ in cycle_columns("half-cell")]]
    assert store.counts() == {"pending": 3}
    res = evaluate_point(make_tasks(d, pts[1:2])[0])
    assert res["status"] == "done" and len(res["cycles"]) == 1
    bad = dict(res, records={"reversible": "not a number"})  # fails after the cycle rows went in
    with pytest.raises(ValueError):
        store.write_result(2, bad, run_id=1)
    assert store.query("SELECT count(*) AS n FROM cycles")["n"][0] == 0
    assert store.counts() == {"pending": 3}
    assert not store.query("SELECT * FROM timeseries").shape[0]
    store.write_result(2, res, run_id=1)
    store.write_result(2, res, run_id=1)  # a rewrite replaces, never duplicates
    assert store.query("SELECT count(*) AS n FROM cycles WHERE point_id = 2")["n"][0] == 1
    got = store.query("SELECT status, attempts FROM points WHERE point_id = 2").iloc[0]
    assert (got.status, got.attempts) == ("done", 2)
    ts = store.query("SELECT path FROM timeseries WHERE point_id = 2")["path"][0]
    assert len(pd.read_parquet(tmp_path / ts)) > 10


def test_a_store_of_another_design_is_refused_unchanged(tmp_path):
    d = _design()
    open_store(d, tmp_path / "s.duckdb", {"command": "run"}, d.points(), "design")
    before = digest(tmp_path / "s.duckdb")
    other = _design(variable=[{"name": "zno_wt_pct", "range": [0, 10], "points": 3}])
    with pytest.raises(SiznoInputError, match="another design"):
        open_store(other, tmp_path / "s.duckdb", {"command": "run"}, other.points(), "design")
    assert digest(tmp_path / "s.duckdb") == before


@pytest.fixture
def pending_store(tmp_path):
    """The tiny design's store with its points pending (made in-process, no simulation)."""
    design = load_design(tiny_design(tmp_path))
    open_store(design, tmp_path / "s.duckdb", {"command": "run"}, design.points(), "design")
    return tmp_path


@pytest.fixture(scope="module")
def done_store(tmp_path_factory):
    """A finished tiny study (2 workers)."""
    folder = tmp_path_factory.mktemp("done")
    design = tiny_design(folder)
    r = sizno("study", "run", design, "--store", folder / "s.duckdb", "--workers", 2, "--json", folder / "s.json")
    assert r.returncode == 0, r.stderr
    return folder


@pytest.mark.slow
def test_run_stores_every_point_and_query_export_read_it(done_store, tmp_path):
    summary = json.loads((done_store / "s.json").read_text())
    assert summary["status"] == {"done": 3} and summary["computed_now"] == 3
    r = sizno("study", "query", done_store / "s.duckdb",
              "SELECT p.zno_wt_pct, r.value FROM points p JOIN records r USING (point_id) "
              "WHERE r.name = 'reversible_mAh_per_g' ORDER BY 1", "--json", tmp_path / "q.json")
    assert r.returncode == 0, r.stderr
    rows = json.loads((tmp_path / "q.json").read_text())["rows"]
    assert [x["zno_wt_pct"] for x in rows] == [0, 10, 20]
    assert rows[1]["value"] > 1000  # a ZnO composite delithiates > 1000 mAh/g in its first cycle at 60 degC
    r = sizno("study", "export", done_store / "s.duckdb", "--out", tmp_path / "x", "--format", "parquet")
    assert r.returncode == 0, r.stderr
    assert len(pd.read_parquet(tmp_path / "x" / "cycles.parquet")) == 3
    r = sizno("study", "export", done_store / "s.duckdb", "--out", tmp_path / "c", "--table", "records")
    assert len(pd.read_csv(tmp_path / "c" / "records.csv")) == 6
    # the same command again computes nothing
    r = sizno("study", "run", tiny_design(done_store), "--store", done_store / "s.duckdb", "--json", tmp_path / "again.json")
    assert r.returncode == 0 and json.loads((tmp_path / "again.json").read_text())["computed_now"] == 0


@pytest.mark.parametrize("extra,args,field", [
    ('[[variable]]\nname = "Bogus parameter [m]"\nvalues = [1.0]', [], "Bogus parameter"),
    ('[[variable]]\nname = "temperature_C"\nrange = [60, 25]', [], "inverted range"),
    ('[[variable]]\nname = "thickness_um"\nrange = [10, 10]', [], "empty or inverted"),
    ("", ["--scheduler", "tcp://127.0.0.1:9"], "--scheduler"),
    ("", ["--scheduler", "not an address"], "--scheduler"),
    ("", ["--workers", "0"], "--workers"),
])
def test_bad_input_is_one_line_exit_2_and_the_store_is_unchanged(pending_store, tmp_path, extra, args, field):
    before = digest(pending_store / "s.duckdb")
    design = tiny_design(tmp_path, extra=extra, file="other.toml")
    r = sizno("study", "run", design, "--store", pending_store / "s.duckdb", *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and field in lines[0] and "Traceback" not in r.stderr, r.stderr
    assert digest(pending_store / "s.duckdb") == before


@pytest.mark.slow
def test_a_design_sampled_differently_is_another_design(done_store, tmp_path):
    before = digest(done_store / "s.duckdb")
    r = sizno("study", "run", tiny_design(tmp_path, points=4), "--store", done_store / "s.duckdb")
    assert r.returncode == 2 and "belongs to another design" in r.stderr, r.stderr
    assert digest(done_store / "s.duckdb") == before
    r = sizno("study", "query", done_store / "s.duckdb", "SELECT nonsense FROM points")
    assert r.returncode == 2 and r.stderr.startswith("error: SQL")


@pytest.mark.slow
def test_a_failing_point_keeps_its_error_and_retry_failed_reruns_it(tmp_path):
    # 20 mg in 22 um cannot be made (porosity < 0): that point fails, the other is computed
    design = tiny_design(tmp_path, points=1, extra='[fixed]\nthickness_um = 22.0\n[[variable]]\nname = "mass_mg"\nvalues = [1.0, 20.0]')
    r = sizno("study", "run", design, "--store", tmp_path / "f.duckdb", "--workers", 1)
    assert r.returncode == 1 and "1 failed" in r.stderr, r.stderr
    q = sizno("study", "query", tmp_path / "f.duckdb", "SELECT mass_mg, status, attempts, error FROM points ORDER BY 1",
              "--json", tmp_path / "q.json")
    assert q.returncode == 0, q.stderr
    rows = json.loads((tmp_path / "q.json").read_text())["rows"]
    assert [(x["status"], x["attempts"]) for x in rows] == [("done", 1), ("failed", 1)]
    assert "porosity" in rows[1]["error"] and "< 0" in rows[1]["error"]
    r = sizno("study", "run", design, "--store", tmp_path / "f.duckdb", "--workers", 1, "--retry-failed")
    assert r.returncode == 1
    sizno("study", "query", tmp_path / "f.duckdb", "SELECT mass_mg, status, attempts FROM points ORDER BY 1", "--json", tmp_path / "q.json")
    rows = json.loads((tmp_path / "q.json").read_text())["rows"]
    assert [(x["status"], x["attempts"]) for x in rows] == [("done", 1), ("failed", 2)]


def test_load_design_refuses_a_misspelt_section(tmp_path):
    p = tiny_design(tmp_path, extra="[[variables]]\nname = 'x'\nrange = [0, 1]")
    with pytest.raises(SiznoInputError, match="variables"):
        load_design(p)


def test_a_full_cell_point_runs_and_its_records_come_from_the_full_cell_table():
    d = validate(Design(study={"name": "f", "cell": "full-cell", "protocol": "full-cell-first-cycles", "mesh_points": 8},
                        fixed={"cycles": 1}, variable=[{"name": "np_ratio", "values": [1.1]}],
                        outputs={"records": {"discharge": {"column": "discharge_capacity_mAh_per_g", "cycle": 1},
                                             "loss": {"column": "irreversible_capacity_mAh_per_g", "cycle": 1}}}))
    res = evaluate_point(make_tasks(d, d.points())[0])
    assert res["status"] == "done", res["error"]
    row = res["cycles"].iloc[0]
    assert res["records"]["discharge"] == row.discharge_capacity_mAh_per_g
    assert res["records"]["loss"] == pytest.approx(row.charge_capacity_mAh_per_g - row.discharge_capacity_mAh_per_g)
    assert 100 < res["records"]["discharge"] < 230  # mAh per g of NCM811
    with pytest.raises(SiznoInputError, match="does not apply"):
        validate(Design(study={"name": "f", "cell": "full-cell", "protocol": "full-cell-first-cycles"},
                        variable=[{"name": "thickness_um", "range": [10, 40]}]))
    with pytest.raises(SiznoInputError, match="study.protocol"):
        validate(Design(study={"name": "f", "cell": "full-cell", "protocol": "first-cycle"}))


def test_a_changed_protocol_file_makes_another_design(tmp_path):
    proto = tmp_path / "p.toml"
    proto.write_text('name = "p"\nrates_A_per_g = [0.1, 5.0]\ncycles_per_rate = 1\n')
    d = _design(study={"name": "t", "cell": "half-cell", "protocol": str(proto), "mesh_points": 8})
    before = d.fingerprint({"command": "run"})
    assert d.fingerprint({"command": "run"}) == before
    proto.write_text('name = "p"\nrates_A_per_g = [0.1, 4.0]\ncycles_per_rate = 1\n')
    assert d.fingerprint({"command": "run"}) != before
    inline = _design(study={"name": "t", "cell": "half-cell", "mesh_points": 8,
                            "protocol": {"rates_A_per_g": [0.1, 5.0], "cycles_per_rate": 1}})
    task = make_tasks(inline, inline.points()[:1])[0]
    assert [b["label"] for b in task["protocol"]["blocks"]] == ["0.1 A/g", "5 A/g"]
