"""Metrics against hand-computed values on a small two-cycle file (see conftest.synthetic_cycles)."""

import numpy as np
import pytest

from sizno.errors import SiznoInputError
from sizno.io import from_dataframe, read
from sizno.io.metrics import compute_metrics, dvdq_curves, half_cell_mapping



@pytest.fixture
def metrics(tmp_path, synth):
    # round trip through a BDF CSV file first: write → read → metrics
    cd = from_dataframe(synth())
    p = cd.to_bdf(tmp_path / "two_cycles.bdf.csv")
    back = read(p)
    assert back.meta["tester"] == "bdf"
    return compute_metrics(back, mass_mg=1.0, mass_basis="paper-si", area_cm2=0.5, dqdv_cycles="all")


def test_capacities_ce_retention_by_hand(metrics):
    cy = metrics.cycles.set_index("cycle_index")
    assert list(cy.index) == [1, 2]
    assert cy.loc[1, "lithiation_capacity_mAh"] == pytest.approx(1.0, rel=1e-9)
    assert cy.loc[1, "delithiation_capacity_mAh"] == pytest.approx(0.8, rel=1e-9)
    assert cy.loc[1, "discharge_capacity_mAh"] == pytest.approx(1.0, rel=1e-9)  # half cell: discharge = lithiation
    assert cy.loc[1, "coulombic_efficiency_percent"] == pytest.approx(80.0)
    assert cy.loc[2, "coulombic_efficiency_percent"] == pytest.approx(90.0)
    assert metrics.summary["ice_percent"] == pytest.approx(80.0)
    assert cy.loc[2, "retention_percent"] == pytest.approx(101.25)
    # paper convention: per gram of 0.8 × 1 mg
    assert cy.loc[1, "lithiation_capacity_mAh_per_g"] == pytest.approx(1250.0)
    assert cy.loc[1, "delithiation_capacity_mAh_per_cm2"] == pytest.approx(1.6)
    assert metrics.settings["specific_mass_g"] == pytest.approx(0.8e-3)


def test_average_voltage_energy_hysteresis_by_hand(metrics):
    c1 = metrics.cycles.set_index("cycle_index").loc[1]
    assert c1["average_lithiation_voltage_V"] == pytest.approx(0.5, abs=1e-9)
    assert c1["average_delithiation_voltage_V"] == pytest.approx(0.6, abs=1e-9)
    assert c1["discharge_energy_mWh"] == pytest.approx(0.5, rel=1e-9)
    assert c1["charge_energy_mWh"] == pytest.approx(0.48, rel=1e-9)
    assert c1["voltage_hysteresis_V"] == pytest.approx(0.1, abs=1e-9)
    assert c1["discharge_current_mA"] == pytest.approx(1.0)


def test_dqdv_area_equals_capacity_and_flat_plateau(metrics):
    d = metrics.dqdv
    s = metrics.settings["dqdv"]
    for (c, direction), g in d.groupby(["cycle_index", "direction"]):
        q = metrics.cycles.set_index("cycle_index").loc[c, f"{direction}_capacity_mAh"]
        assert g["dq_dv_mAh_per_V"].sum() * s["bin_width_V"] == pytest.approx(q, rel=1e-6)
    g = d[(d.cycle_index == 1) & (d.direction == "lithiation")]
    mid = g[(g.voltage_V > 0.2) & (g.voltage_V < 0.8)]["dq_dv_mAh_per_V"]
    assert np.allclose(mid, 1.0, rtol=0.05)  # 1 mAh spread evenly over 1 V


def test_rate_table_when_currents_step(metrics):
    rt = metrics.rate_table
    assert rt is not None and len(rt) == 2
    assert rt["lithiation_current_mA"].tolist() == pytest.approx([1.0, 0.9])
    assert rt["delithiation_current_mA_per_g"].iloc[0] == pytest.approx(0.8 / 0.8e-3)


def test_full_cell_mapping_swaps_directions(synth):
    m = compute_metrics(from_dataframe(synth()), electrode="full-negative")
    c1 = m.cycles.set_index("cycle_index").loc[1]
    assert c1["lithiation_capacity_mAh"] == pytest.approx(0.8)  # charge lithiates a Si negative
    assert "charge = lithiation" in half_cell_mapping("full-negative")["statement"]


def test_dqdv_tolerates_voltage_reversals_and_noise(synth):
    df = synth(n_per_half=2001)
    rng = np.random.default_rng(1)
    df["voltage_volt"] += rng.normal(0.0, 0.003, len(df))  # noise → many dV sign reversals
    m = compute_metrics(from_dataframe(df), dqdv_cycles="1")
    d = m.dqdv
    assert np.isfinite(d["dq_dv_mAh_per_V"]).all()
    assert d["dq_dv_mAh_per_V"].max() < 2.0  # finite-difference dQ/dV would explode here
    lith = d[d.direction == "lithiation"]
    assert lith["dq_dv_mAh_per_V"].sum() * 0.005 == pytest.approx(1.0, rel=1e-3)


def test_dvdq_on_capacity_bins(synth):
    cd = from_dataframe(synth())
    d = dvdq_curves(cd, [1])
    lith = d[d.direction == "lithiation"]
    inner = lith["dv_dq_V_per_mAh"].iloc[20:-20]
    assert np.allclose(inner, -1.0, rtol=0.02)  # 1 V over 1 mAh, falling


def test_dataframe_without_capacity_is_coulomb_counted(synth):
    cd = from_dataframe(synth())
    assert cd.meta["capacity_source"] == "coulomb counting"
    assert set(cd.data["step_type"].astype(str)) == {"charge", "discharge"}


def test_no_current_is_a_clear_error(synth):
    df = synth()
    df["current_ampere"] = 0.0
    with pytest.raises(SiznoInputError, match="no charge passed"):
        compute_metrics(from_dataframe(df))


def test_bad_mass_basis_and_reference_cycle(synth):
    cd = from_dataframe(synth())
    with pytest.raises(SiznoInputError, match="mass-basis"):
        compute_metrics(cd, mass_mg=1.0, mass_basis="electrode")
    with pytest.raises(SiznoInputError, match="reference-cycle"):
        compute_metrics(cd, reference_cycle=7)
