"""Real exports that used to fail or mislead (issue 18), each with its expected values computed here
from the raw file with pandas/numpy, not read back from sizno."""

from __future__ import annotations

import json
from pathlib import Path
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sizno.cli import app
from sizno.errors import SiznoInputError
from sizno.io import detect_format, read
from sizno.io.metrics import compute_metrics

DATA = Path(__file__).parents[1] / "data"  # real tester files (sources: tests/data/PROVENANCE.md)

ARBIN_BLANK = DATA / "2017-05-09_test-TC-contact_CH33.csv"


def _maccor_raw(path):
    lines = path.read_text(encoding="latin-1").splitlines()
    hdr = next(i for i, l in enumerate(lines) if l.startswith("Rec#"))
    return pd.read_csv(path, sep="\t", skiprows=hdr, usecols=["Rec#", "Step", "Test (Sec)", "Amp-hr", "Amps", "State"],
                       encoding="latin-1")


@pytest.mark.parametrize("name", ["PreDiag_000229_000229_truncated.034", "PredictionDiagnostics_000151_test.052"])
def test_maccor_test_sec_column_is_the_time(name):
    d = read(DATA / name)
    raw = _maccor_raw(DATA / name)
    assert d.meta["tester"] == "maccor"
    assert np.allclose(d.data["test_time_second"], raw["Test (Sec)"].to_numpy(dtype=float))
    assert any("'Test (Sec)' read as the test time" in n for n in d.notes)
    # per-step unsigned Amp-hr: the tester's discharge total is the sum of each D step's last value
    dis = raw[raw.State == "D"].groupby("Step")["Amp-hr"].last().sum() * 1e3
    m = compute_metrics(d, electrode="full-negative")
    assert m.cycles["discharge_capacity_mAh"].sum() == pytest.approx(dis, rel=1e-6)


def test_maccor_test_min_column_is_converted(tmp_path):
    src = DATA / "PredictionDiagnostics_000151_test.052"
    text = src.read_text(encoding="latin-1").splitlines()
    hdr = next(i for i, l in enumerate(text) if l.startswith("Rec#"))
    cols = text[hdr].split("\t")
    k = cols.index("Test (Sec)")
    cols[k] = "Test (Min)"
    rows = []
    for line in text[hdr + 1:]:
        f = line.split("\t")
        if len(f) <= k:
            continue  # trailing blank line
        f[k] = f"{float(f[k]) / 60.0:.10f}"
        rows.append("\t".join(f))
    out = tmp_path / "minutes.052"
    out.write_text("\n".join(text[:hdr] + ["\t".join(cols)] + rows) + "\n", encoding="latin-1")
    d = read(out)
    raw = _maccor_raw(src)
    assert np.allclose(d.data["test_time_second"], raw["Test (Sec)"].to_numpy(dtype=float), atol=1e-6)


def test_arbin_csv_with_blank_index_columns_reads_and_says_so():
    d = read(ARBIN_BLANK)
    assert (d.meta["tester"], d.meta["format"]) == ("arbin", "csv")
    assert any("cycle index is blank on every row" in n for n in d.notes)
    raw = pd.read_csv(ARBIN_BLANK)
    assert raw["Cycle_Index"].isna().all()
    # the file starts with Charge_Capacity 5.18 mAh at Test_Time 0: an offset, not charge passed here
    assert any("starts at 5.178 mAh" in n for n in d.notes)
    expect = (raw["Charge_Capacity"].iloc[-1] - raw["Charge_Capacity"].iloc[0]) * 1e3
    m = compute_metrics(d, electrode="full-negative")
    assert m.cycles["charge_capacity_mAh"].sum() == pytest.approx(expect, rel=1e-6)


def test_arbin_partly_blank_index_rows_take_the_previous_index(tmp_path):
    raw = pd.read_csv(ARBIN_BLANK)
    raw["Cycle_Index"] = 1.0
    raw["Step_Index"] = np.where(raw.index < 150, 1.0, 2.0)
    raw.loc[[10, 11, 200], ["Cycle_Index", "Step_Index"]] = np.nan
    p = tmp_path / "arbin_blank_rows.csv"
    raw.to_csv(p, index=False)
    d = read(p)
    assert any("blank on 3 of" in n for n in d.notes)
    assert d.data["cycle_count"].eq(1).all()


def test_cumulative_counter_starting_at_088_Ah_gives_the_per_cycle_value(tmp_path):
    raw = pd.read_csv(ARBIN_BLANK)
    raw["Cycle_Index"], raw["Step_Index"] = 1, 1
    raw["Charge_Capacity"] = raw["Charge_Capacity"] + 0.88  # cumulative from an earlier test
    p = tmp_path / "arbin_offset.csv"
    raw.to_csv(p, index=False)
    d = read(p)
    m = compute_metrics(d, electrode="full-negative")
    expect = (raw["Charge_Capacity"].iloc[-1] - raw["Charge_Capacity"].iloc[0]) * 1e3
    assert m.cycles["charge_capacity_mAh"].iloc[0] == pytest.approx(expect, rel=1e-6)
    assert any("offset" in n for n in d.notes)
    # coulomb counting (trapezoid of Current over Test_Time, computed here) agrees with the result
    t, i = raw["Test_Time"].to_numpy(), raw["Current"].to_numpy()
    q = np.sum(0.5 * (i[1:] + i[:-1]) * np.diff(t)) / 3.6
    assert m.cycles["charge_capacity_mAh"].iloc[0] == pytest.approx(q, rel=0.02)


def test_cumulative_counter_reset_to_a_non_zero_base_mid_file(tmp_path):
    raw = pd.read_csv(ARBIN_BLANK)
    raw["Cycle_Index"], raw["Step_Index"] = 1, 1
    true_total = (raw["Charge_Capacity"].iloc[-1] - raw["Charge_Capacity"].iloc[0]) * 1e3
    k = 150
    drop = raw["Charge_Capacity"].iloc[k] - 0.1  # restarts at 0.1 Ah instead of ~0
    raw.loc[k:, "Charge_Capacity"] = raw.loc[k:, "Charge_Capacity"] - drop
    p = tmp_path / "arbin_reset.csv"
    raw.to_csv(p, index=False)
    d = read(p)
    m = compute_metrics(d, electrode="full-negative")
    assert any("restarts (data row 150)" in n for n in d.notes)
    assert m.cycles["charge_capacity_mAh"].iloc[0] == pytest.approx(true_total, rel=0.01)


def test_arbin_xlsx_is_detected_as_arbin_not_land(tmp_path):
    pytest.importorskip("openpyxl")
    raw = pd.read_csv(ARBIN_BLANK).iloc[:120]
    raw["Cycle_Index"], raw["Step_Index"] = 1, 1
    data = raw.rename(columns={"Test_Time": "Test_Time(s)", "Step_Time": "Step_Time(s)", "Current": "Current(A)",
                               "Voltage": "Voltage(V)", "Charge_Capacity": "Charge_Capacity(Ah)",
                               "Discharge_Capacity": "Discharge_Capacity(Ah)", "DateTime": "Date_Time"})
    data = data.drop(columns=["Data_Point"])  # MITS Pro exports without Data_Point exist
    # the Info sheet of an Arbin workbook names voltage/current limits and a start time
    info = pd.DataFrame({"Channel": [1], "Start DateTime": ["05/09/2017"], "Schedule File Name": ["x.sdu"],
                         "Max Voltage (V)": [4.2], "Max Current (A)": [10.0], "MASS(g)": [0.0]})
    p = tmp_path / "arbin_export.xlsx"
    with pd.ExcelWriter(p) as xw:
        info.to_excel(xw, sheet_name="Info", index=False)
        data.to_excel(xw, sheet_name="Channel_1-008", index=False)
    d = read(p)
    assert d.meta["tester"] == "arbin"
    assert d.meta["capacity_source"] == "tester"
    expect = (raw["Charge_Capacity"].iloc[-1] - raw["Charge_Capacity"].iloc[0]) * 1e3
    assert d.data["charging_capacity_ah"].max() * 1e3 == pytest.approx(expect, rel=1e-6)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "latin-1"])
def test_text_encodings_are_detected(tmp_path, encoding):
    text = (DATA / "biologic_cp.mpt").read_bytes().decode("cp1252")
    p = tmp_path / f"cp_{encoding}.mpt"
    p.write_bytes(text.encode(encoding))
    d = read(p)
    ref = read(DATA / "biologic_cp.mpt")
    assert d.meta["tester"] == "biologic"
    assert np.allclose(d.data["voltage_volt"], ref.data["voltage_volt"])
    if encoding == "utf-16":
        assert d.meta["text_encoding"] == "UTF-16 with BOM"
        assert any("UTF-16" in n for n in d.notes)


def test_impedance_file_given_to_analyze_is_one_line_exit_2(tmp_path):
    lines = ["EC-Lab ASCII FILE", "Nb header lines : 4", "", "Potentio Electrochemical Impedance Spectroscopy",
             "freq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\t|Z|/Ohm\ttime/s\t<Ewe>/V\t<I>/mA"]
    lines[1] = "Nb header lines : 5"
    for k, f in enumerate(np.logspace(5, -1, 30)):
        lines.append(f"{f:.6e}\t{10 + k:.4f}\t{k:.4f}\t{10 + k:.4f}\t{k:.2f}\t3.7\t0.0")
    p = tmp_path / "peis.mpt"
    p.write_text("\n".join(lines) + "\n", encoding="cp1252")
    assert detect_format(p).tester == "impedance"
    with pytest.raises(SiznoInputError, match="impedance spectrum.*not cycling data"):
        read(p)
    r = subprocess.run([sys.executable, "-c", "from sizno.cli import main; main()", "analyze", str(p), "--no-plot"],
                       capture_output=True, text=True)
    assert r.returncode == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "impedance spectrum" in lines[0] and "sizno drt" in lines[0]
    assert "Traceback" not in r.stderr + r.stdout and "ICE None" not in r.stdout


def test_arbin_blank_index_file_through_the_cli(tmp_path):
    res = CliRunner().invoke(app, ["analyze", str(ARBIN_BLANK), "--no-plot", "--json", str(tmp_path / "a.json")])
    assert res.exit_code == 0, res.output
    assert "ICE None" not in res.output
    j = json.loads((tmp_path / "a.json").read_text())
    assert j["tester"] == "arbin"


def test_a_rare_forward_jump_in_the_counter_is_coulomb_counted(tmp_path):
    raw = pd.read_csv(ARBIN_BLANK)
    raw["Cycle_Index"], raw["Step_Index"] = 1, 1
    true_total = (raw["Charge_Capacity"].iloc[-1] - raw["Charge_Capacity"].iloc[0]) * 1e3
    raw.loc[200:, "Charge_Capacity"] = raw.loc[200:, "Charge_Capacity"] + 0.5  # a 500 mAh glitch in 3 s
    p = tmp_path / "arbin_jump.csv"
    raw.to_csv(p, index=False)
    d = read(p)
    assert any("jumps by" in n and "data row 200" in n for n in d.notes)
    m = compute_metrics(d, electrode="full-negative")
    assert m.cycles["charge_capacity_mAh"].iloc[0] == pytest.approx(true_total, rel=0.01)


@pytest.mark.parametrize("name", ["exampleDataBioLogic.mpt", "exampleDataGamry.DTA", "exampleDataCHInstruments.txt",
                                  "exampleDataParstat.txt"])
def test_real_impedance_files_are_refused_by_analyze(name):
    with pytest.raises(SiznoInputError, match="impedance spectrum.*not cycling data.*sizno drt"):
        read(DATA / "eis" / name)
