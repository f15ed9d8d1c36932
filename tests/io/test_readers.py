"""Each reader on a real file; per-cycle capacities agree with the tester's own columns."""

import shutil

import numpy as np
import pandas as pd
import pytest

from sizno.errors import SiznoInputError
from sizno.io import detect_format, read
from sizno.io.metrics import compute_metrics

from pathlib import Path

DATA = Path(__file__).parents[1] / "data"


def _cycle_totals(df, cyc, step, col):
    """Tester's per-step counter → per-cycle total, computed independently with pandas."""
    return df.groupby([cyc, step])[col].max().groupby(level=0).sum()


def test_neware_csv_matches_its_capacity_columns(shared):
    d = read(shared / "neware_uio.csv")
    assert (d.meta["tester"], d.meta["format"]) == ("neware", "csv")
    m = compute_metrics(d)
    raw = pd.read_csv(shared / "neware_uio.csv")
    chg = _cycle_totals(raw, "Cycle Index", "Step Index", "Chg. Cap.(Ah)") * 1e3
    dis = _cycle_totals(raw, "Cycle Index", "Step Index", "DChg. Cap.(Ah)") * 1e3
    cy = m.cycles.set_index("cycle_index")
    assert np.allclose(cy["charge_capacity_mAh"], chg.loc[cy.index], rtol=1e-9)
    assert np.allclose(cy["discharge_capacity_mAh"], dis.loc[cy.index], rtol=1e-9)
    assert m.capacity_check["max_abs_difference_percent"] < 1.0  # coulomb counting agrees
    assert list(cy.index[:3]) == [1, 2, 3]  # numbered as the file numbers them


def test_neware_hierarchical_export_agrees_with_its_cycle_layer(shared):
    d = read(shared / "nw_regular_export_ife_example.csv")
    assert d.meta["format"].startswith("csv (cycle/step/record")
    m = compute_metrics(d, electrode="full-negative")
    assert m.capacity_check["cycle_layer_vs_records_max_difference_percent"] < 0.1
    c2 = m.cycles.set_index("cycle_index").loc[2]
    assert c2["charge_capacity_mAh"] == pytest.approx(327.80, abs=0.05)  # cycle row: Chg. Cap. 0.32780 Ah
    assert c2["discharge_capacity_mAh"] == pytest.approx(331.72, abs=0.05)


def test_neware_ndax_per_step_counters(shared):
    pytest.importorskip("NewareNDA")
    d = read(shared / "20260302_IFE_BTS85_2_9_8_1.ndax")
    assert (d.meta["tester"], d.meta["format"]) == ("neware", "ndax")
    m = compute_metrics(d)
    import NewareNDA

    raw = NewareNDA.read(str(shared / "20260302_IFE_BTS85_2_9_8_1.ndax"))
    expect = raw.groupby("Step")["Charge_Capacity(mAh)"].max().sum()
    assert m.cycles["charge_capacity_mAh"].iloc[0] == pytest.approx(expect, rel=1e-5)
    assert m.capacity_check["max_abs_difference_percent"] < 1.0
    assert m.summary["complete_cycles"] == 0
    assert any("no complete cycle" in n for n in m.notes)


def test_arbin_res_matches_its_capacity_columns(shared):
    pytest.importorskip("access_parser")
    d = read(shared / "20160805_test001_45_cc_01.res")
    assert (d.meta["tester"], d.meta["format"]) == ("arbin", "res")
    assert d.meta["file_mass_g"] == pytest.approx(0.000853, rel=1e-3)
    m = compute_metrics(d, mass_mg=0.853)
    from access_parser import AccessParser

    raw = pd.DataFrame(AccessParser(str(shared / "20160805_test001_45_cc_01.res")).parse_table("Channel_Normal_Table"))
    per = raw.groupby("Cycle_Index")[["Charge_Capacity", "Discharge_Capacity"]].max() * 1e3  # per-cycle counters
    cy = m.cycles.set_index("cycle_index")
    assert np.allclose(cy["charge_capacity_mAh"], per.loc[cy.index, "Charge_Capacity"], rtol=1e-6)
    assert np.allclose(cy["discharge_capacity_mAh"], per.loc[cy.index, "Discharge_Capacity"], rtol=1e-6)
    assert m.summary["ice_percent"] == pytest.approx(92.61, abs=0.01)
    assert m.rate_table is not None  # C/20 formation then C/10
    assert m.capacity_check["max_abs_difference_percent"] < 1.0


def test_maccor_text_unsigned_current_and_capacity(shared):
    d = read(shared / "maccor_001.txt")
    assert d.meta["tester"] == "maccor"
    assert (d.data.loc[d.data.step_type == "discharge", "current_ampere"] < 0).all()
    m = compute_metrics(d, electrode="full-negative")
    raw = pd.read_csv(shared / "maccor_001.txt", sep="\t", skiprows=3, usecols=["Step", "Amp-hr", "State"])
    dis = raw[raw.State == "D"].groupby("Step")["Amp-hr"].max().sum() * 1e3
    assert m.cycles["discharge_capacity_mAh"].iloc[0] == pytest.approx(dis, rel=1e-9)
    assert m.capacity_check["max_abs_difference_percent"] < 1.0


def test_bdf_csv_labels_units_and_sign(shared):
    d = read(shared / "batmo_bdf.csv")
    assert d.meta["tester"] == "bdf"
    assert d.data["test_time_second"].iloc[0] == pytest.approx(0.138888888888889 * 3600)  # "Test Time / h"
    assert any("sign flipped" in n for n in d.notes)  # the file's current is + while discharging
    assert (d.data.loc[d.data.step_type == "discharge", "current_ampere"] <= 0).all()
    m = compute_metrics(d, electrode="full-negative")
    assert m.rate_table is not None and len(m.rate_table) >= 3


def test_biologic_mpt_real_export():
    d = read(DATA / "biologic_cp.mpt")
    assert (d.meta["tester"], d.meta["format"]) == ("biologic", "mpt")
    assert d.meta["technique"] == "Chronopotentiometry"
    assert d.data["current_ampere"].iloc[5] == pytest.approx(-0.0999147, rel=1e-5)  # I/mA → A
    raw = pd.read_csv(DATA / "biologic_cp.mpt", sep="\t", skiprows=56, encoding="cp1252")
    assert d.data["discharging_capacity_ah"].max() * 1e3 == pytest.approx(raw["Q discharge/mA.h"].max(), rel=1e-9)


def test_detection_uses_content_not_extension(shared, tmp_path):
    shutil.copy(shared / "maccor_001.txt", tmp_path / "renamed.csv")
    shutil.copy(shared / "neware_uio.csv", tmp_path / "renamed.txt")
    shutil.copy(DATA / "biologic_cp.mpt", tmp_path / "export.dat")
    assert detect_format(tmp_path / "renamed.csv").tester == "maccor"
    assert detect_format(tmp_path / "renamed.txt").tester == "neware"
    assert detect_format(tmp_path / "export.dat").tester == "biologic"
    assert detect_format(shared / "biol_head.mpr").format == "mpr"


def test_generic_csv_with_mapping(tmp_path):
    from importlib import resources

    mapping = resources.files("sizno.data").joinpath("io/mappings/cellpy-custom-example.toml")
    d = read(DATA / "custom_good_small.csv", mapping=str(mapping))
    assert d.meta["tester"] == "generic"
    assert len(d.data) == 60
    with pytest.raises(SiznoInputError, match="column mapping"):
        read(DATA / "custom_good_small.csv")


def test_write_parquet_round_trip(tmp_path, synth):
    from sizno.io import from_dataframe

    cd = from_dataframe(synth())
    back = read(cd.to_bdf(tmp_path / "x.parquet"))
    assert np.allclose(back.data["discharging_capacity_ah"], cd.data["discharging_capacity_ah"])
