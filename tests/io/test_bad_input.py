"""The issue's bad-input rules: a clear error naming the file and problem, or a stated repair."""

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sizno.errors import SiznoInputError
from sizno.io import from_dataframe, read
from sizno.io.metrics import compute_metrics

DATA = Path(__file__).parents[1] / "data"
MAPPING = str(resources.files("sizno.data").joinpath("io/mappings/cellpy-custom-example.toml"))


def test_missing_column_names_file_and_column():
    with pytest.raises(SiznoInputError) as e:
        read(DATA / "custom_missing_column.csv", mapping=MAPPING)
    assert "custom_missing_column.csv" in str(e.value) and "voltage" in str(e.value)


def test_nan_inf_rows_dropped_with_a_note():
    d = read(DATA / "custom_nan_inf.csv", mapping=MAPPING)
    assert len(d.data) == 57
    assert any("dropped 3 row(s)" in n for n in d.notes)


def test_truncated_csv_last_row_dropped_with_a_note():
    d = read(DATA / "custom_truncated.csv", mapping=MAPPING)
    assert any("dropped 1 row(s)" in n for n in d.notes)


def test_file_without_any_cycle_is_an_error():
    d = read(DATA / "custom_missing_cycle.csv", mapping=MAPPING)
    with pytest.raises(SiznoInputError, match="custom_missing_cycle.csv: no charge passed"):
        compute_metrics(d)


def test_truncated_binaries(shared, tmp_path):
    pytest.importorskip("access_parser")
    for name in ("20260302_IFE_BTS85_2_9_8_1.ndax", "20160805_test001_45_cc_01.res"):
        raw = (shared / name).read_bytes()
        bad = tmp_path / name
        bad.write_bytes(raw[: len(raw) // 3])
        with pytest.raises(SiznoInputError) as e:
            read(bad)
        assert name in str(e.value) and ("corrupt" in str(e.value) or "truncated" in str(e.value))


def test_mpr_and_cex_point_to_the_export(shared, tmp_path):
    with pytest.raises(SiznoInputError, match="GPL-3.*mpt"):
        read(shared / "biol_head.mpr")
    cex = tmp_path / "cell.cex"
    cex.write_bytes(b"\x01\x02\x00\x00LANDcex" + bytes(200))
    with pytest.raises(SiznoInputError, match="no open reader.*Excel"):
        read(cex)


def test_mixed_units_in_labels_are_converted(tmp_path, synth):
    df = synth()
    p = tmp_path / "mixed.csv"
    pd.DataFrame({"Test Time / h": df.test_time_second / 3600, "Voltage / mV": df.voltage_volt * 1e3,
                  "Current / mA": df.current_ampere * 1e3, "Cycle Count / 1": df.cycle_count}).to_csv(p, index=False)
    m = compute_metrics(read(p))
    assert m.cycles["lithiation_capacity_mAh"].iloc[0] == pytest.approx(1.0)


def test_mislabelled_units_are_flagged(synth):
    df = synth()
    qd = from_dataframe(df).data["discharging_capacity_ah"]
    qc = from_dataframe(df).data["charging_capacity_ah"]
    df["discharging_capacity_ah"] = qd.to_numpy() * 1e-3  # capacity written in Ah but it was mAh
    df["charging_capacity_ah"] = qc.to_numpy() * 1e-3
    m = compute_metrics(from_dataframe(df))
    assert "mixed units" in m.capacity_check["statement"]
    assert any("disagree" in n for n in m.notes)


def test_non_monotonic_time_is_repaired_and_said(synth):
    df = synth()
    half = len(df) // 2
    df.loc[half:, "test_time_second"] -= df.loc[half, "test_time_second"]  # second run restarts its clock
    d = from_dataframe(df)
    assert np.all(np.diff(d.data["test_time_second"]) >= 0)
    assert any("went backwards" in n for n in d.notes)


def test_excel_with_extra_header_rows(tmp_path, synth):
    pytest.importorskip("openpyxl")
    df = synth()
    q = from_dataframe(synth()).data
    per_step = np.where(df.current_ampere > 0, q.charging_capacity_ah, q.discharging_capacity_ah)  # LAND: per step, unsigned
    body = pd.DataFrame({"Record": range(1, len(df) + 1), "Cycle": df.cycle_count, "Step": df.step_index,
                         "TestTime/s": df.test_time_second, "Voltage/V": df.voltage_volt,
                         "Current/mA": df.current_ampere * 1e3,
                         "Capacity/mAh": per_step * 1e3})
    p = tmp_path / "land_export.xlsx"
    with pd.ExcelWriter(p, engine="openpyxl") as xw:
        pd.DataFrame([["LAND test report"], ["cell: demo"], [""]]).to_excel(xw, sheet_name="Record", header=False, index=False)
        body.to_excel(xw, sheet_name="Record", startrow=3, index=False)
    d = read(p)
    assert d.meta["tester"] == "land"
    assert any("skipped 3 row(s)" in n for n in d.notes)
    m = compute_metrics(d)
    assert m.cycles["coulombic_efficiency_percent"].tolist() == pytest.approx([80.0, 90.0], rel=1e-3)


def test_cli_batch_goes_on_and_json(shared, tmp_path):
    from sizno.cli import app

    out = tmp_path / "r.json"
    res = CliRunner().invoke(app, ["analyze", str(shared / "neware_uio.csv"), str(shared / "biol_head.mpr"),
                                   "--mass-mg", "1.0", "--no-plot", "--json", str(out)])
    assert res.exit_code == 1, res.output
    j = json.loads(out.read_text())
    assert [f["file"] for f in j["failed"]] == [str(shared / "biol_head.mpr")]
    c = j["cycles"][0]
    assert c["cycle_index"] == 1
    for k in ("charge_capacity_mAh", "discharge_capacity_mAh", "coulombic_efficiency_percent"):
        assert k in c


def test_cli_single_file_plots_and_json(tmp_path, synth):
    from sizno.cli import app

    p = from_dataframe(synth()).to_bdf(tmp_path / "s.bdf.csv")
    out = tmp_path / "r.json"
    res = CliRunner().invoke(app, ["analyze", str(p), "--mass-mg", "1", "--mass-basis", "paper-si", "--out",
                                   str(tmp_path / "plots"), "--json", str(out), "--bdf"])
    assert res.exit_code == 0, res.output
    j = json.loads(out.read_text())
    assert j["cycles"][0]["coulombic_efficiency_percent"] == pytest.approx(80.0)
    assert j["cycles"][0]["lithiation_capacity_mAh_per_g"] == pytest.approx(1250.0)
    assert len(j["plots"]) == 3 and all(Path(x).stat().st_size > 1000 for x in j["plots"])
    assert (tmp_path / "plots" / "s.bdf.bdf.csv").exists()
