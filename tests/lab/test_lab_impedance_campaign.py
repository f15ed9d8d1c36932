"""Fig. 4 analogues: records and figures from the quick simulated-GEIS campaign."""

import math

import pytest

import sizno.reproduce.impedance as rep
from test_lab_impedance import _pset


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


def test_tau_records_say_honestly_where_each_arc_sits(campaign):
    import numpy as np

    windows = rep._paper()["tau_s"]
    for r in rep.records_from_campaign(campaign):
        if not r["id"].endswith(".tau_s"):
            continue
        proc = r["id"].split(".")[-2]
        lo, hi = windows[proc]
        inside = lo <= r["model"] < hi
        assert (" inside the paper's window" in r["note"]) == inside, r["id"]
        assert "literature value of its capacitance mechanism" in r["note"] and "the model's arcs in that window" in r["note"]
        # the DRT peak (or R·C) lies within the model's own R·C range over the step (DRT resolution 0.15 decade)
        step = r["id"].split(".")[2]
        s = campaign.series[("si-zno4", step, 1)]
        rc = np.array([sp.time_constants_s()[rep.MODEL_PART[proc]] for sp in s.spectra])
        assert rc.min() / 10**0.15 <= r["model"] <= rc.max() * 10**0.15, r["id"]


def test_trends_the_model_shares_with_the_paper(campaign):
    import numpy as np

    d = campaign.series[("si-zno4", "delithiation", 1)].model_resistances()
    # R_SSE unchanged along the delithiation; R_ct surges at its end and rises over its second half
    assert np.ptp(d["pellet"]) == 0
    ct = d["charge_transfer"]
    assert ct[-1] > 2 * ct.min()
    half = ct[len(ct) // 2:]
    assert np.polyfit(np.arange(half.size), half, 1)[0] > 0
    # pure Si: higher R_ct than Si–ZnO4 at the end of delithiation (the start of lithiation: see the xfail below)
    r_si = campaign.series[("si", "delithiation", 1)].spectra[-1].point.resistances_ohm["charge_transfer"]
    r_zn = campaign.series[("si-zno4", "delithiation", 1)].spectra[-1].point.resistances_ohm["charge_transfer"]
    assert r_si > r_zn
    # after cycles the SEI's resistance has grown
    recs = {r["id"]: r for r in rep.records_from_campaign(campaign)}
    assert recs["drt.si_zno4.cycling.lithiation.sei.ratio"]["model"] > 1


PURE_SI_START_REASON = (
    "known miss (issue 13) since the interface sees a 1 um contact layer: at 2 % lithiation that layer of pure Si "
    "already holds metallic LixSi, so its interface is fully active and its R_ct is below Si–ZnO4's; the paper's "
    "pure Si is higher at the start of lithiation (a face value extrapolated through c-Si gave that, for the wrong reason)")


@pytest.mark.xfail(strict=True, reason=PURE_SI_START_REASON)
def test_pure_si_has_higher_charge_transfer_resistance_at_the_start_of_lithiation(campaign):
    r_si = campaign.series[("si", "lithiation", 1)].spectra[0].point.resistances_ohm["charge_transfer"]
    r_zn = campaign.series[("si-zno4", "lithiation", 1)].spectra[0].point.resistances_ohm["charge_transfer"]
    assert r_si > r_zn


@pytest.mark.xfail(strict=True, reason="the model's R_ct rises over the first lithiation (the sqrt(z(1-z)) filling factor "
                   "of the exchange current as the surface a-LixSi fills); the paper's falls. Needs the anode's exchange "
                   "current to follow the contact area and all-Si vacancies (proposal to the lead, issue 13 report)")
def test_charge_transfer_resistance_falls_over_the_first_lithiation(campaign):
    li = campaign.series[("si-zno4", "lithiation", 1)].model_resistances()["charge_transfer"]
    assert rep._trend(li)[0] == "falling"
