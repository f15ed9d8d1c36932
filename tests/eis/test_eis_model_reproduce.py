"""Fig. 4 analogues: records and figures from the quick simulated-GEIS campaign."""

import math

import pytest

import sizno.eis.reproduce as rep
from test_eis_model_impedance import _pset


@pytest.fixture(scope="module")
def campaign():
    return rep.run_campaign(quick=True, pset=_pset())


def test_records_have_the_ids_and_paper_windows(campaign):
    recs = rep.records_from_campaign(campaign)
    ids = {r["id"] for r in recs}
    for step in ("lithiation", "delithiation"):
        for proc in ("electrolyte", "sei", "charge_transfer"):
            assert f"drt.si_zno4.{step}.{proc}.tau_s" in ids and f"drt.si_zno4.{step}.{proc}.trend" in ids
    assert "drt.si_vs_si_zno4.start_of_lithiation.charge_transfer.ratio" in ids
    assert "drt.si_vs_si_zno4.end_of_delithiation.charge_transfer.ratio" in ids
    for r in recs:
        assert set(r) >= {"id", "quantity", "unit", "paper", "model", "role"} and r["role"] == "validation"
        if r["id"].endswith(".tau_s"):
            assert r["model"] > 0 and r["unit"] == "s"
        if r["id"] == "drt.si_zno4.lithiation.charge_transfer.tau_s":
            assert r["paper"] == pytest.approx(math.sqrt(1e-3 * 1e-1))
    from sizno.reproduce.records import Record

    [Record(**r) for r in recs]  # the shape `sizno reproduce` consumes


def test_figures(campaign, tmp_path):
    small = rep.Campaign({k: v for k, v in campaign.series.items() if k[0] == "si-zno4" and k[2] == 1},
                         {k: v for k, v in campaign.drt.items() if k[0] == "si-zno4" and k[2] == 1}, True, campaign.later_cycle)
    paths = rep.figures_from_campaign(small, tmp_path)
    assert len(paths) == 4 and all(p.stat().st_size > 10_000 for p in paths)
