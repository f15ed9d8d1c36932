"""Where the model stands: the one count used by the console, summary.json, the report and the README."""

import math

import numpy as np
import pytest

from sizno.reproduce.figures_index import FIGURES, figure_info
from sizno.reproduce.plots import robust_limit
from sizno.reproduce.reference import paper_reference
from sizno.reproduce.standing import SECTIONS, area_of, is_within, section_of, standing, where_of


def rec(rid, role, paper, model, area=None):
    r = {"id": rid, "quantity": rid, "unit": "mAh/g", "paper": paper, "model": model, "role": role}
    if paper not in (None, 0) and model is not None:
        r["relative_error"] = (model - paper) / paper
    if area:
        r["area"] = area
    return r


@pytest.mark.parametrize("role,model,expected", [
    ("calibration", 104.9, True), ("calibration", 95.1, True), ("calibration", 105.1, False), ("calibration", 94.0, False),
    ("validation", 119.9, True), ("validation", 80.1, True), ("validation", 120.5, False), ("validation", 50.0, False),
    ("validation", None, False),  # a paper number the model could not compute: counted, not within
    ("fact", 200.0, None), ("prediction", 200.0, None),
])
def test_tolerances_by_role(role, model, expected):
    assert is_within(rec("x", role, 100.0, model)) is expected


def test_a_record_without_a_paper_number_does_not_count():
    assert is_within(rec("x", "validation", None, 3.0)) is None
    r = rec("x", "validation", 100.0, 130.0)
    r["relative_error"] = float("nan")
    assert is_within(r) is False


def test_counts_per_area_worst_three_and_what_is_not_reproduced():
    records = [
        rec("half_cell.first_cycle.si.ice_percent", "calibration", 77.8, 78.0),        # within
        rec("half_cell.rate.si_zno4.0.8", "calibration", 2042.0, 2200.0),             # +7.7 %, off
        rec("half_cell.rate.si.5.0", "validation", 560.0, 68.0),                      # -88 %
        rec("half_cell.room_temperature.si_zno4.4.0", "validation", 880.0, None),      # no model value
        rec("full_cell.rate.si_zno4.1.0", "validation", 126.0, 87.0),                 # -31 %
        rec("full_cell.rate.si_zno4.0.2", "validation", 169.0, 160.0),                # within
        rec("full_cell.rate.si_zno4.2.0", "validation", 92.0, 80.0),                  # -13 %, within
        rec("xrd.Si.111_2theta", "fact", 28.4, 30.0),                                 # never counted
        rec("drt.si_zno4.lithiation.sei.trend", "validation", None, -0.3),            # no paper number
    ]
    st = standing(records)
    assert st["calibration"] == {"within": 1, "n": 2, "tolerance": 0.05}
    assert st["validation"] == {"within": 2, "n": 5, "tolerance": 0.20}
    assert [b["id"] for b in st["worst_validation"]] == [
        "half_cell.room_temperature.si_zno4.4.0", "half_cell.rate.si.5.0", "full_cell.rate.si_zno4.1.0"]
    assert [b["id"] for b in st["not_reproduced"]] == [
        "half_cell.room_temperature.si_zno4.4.0", "half_cell.rate.si.5.0", "full_cell.rate.si_zno4.1.0",
        "half_cell.rate.si_zno4.0.8"]
    assert st["by_area"]["half-cell"]["calibration"]["n"] == 2
    assert st["by_area"]["half-cell"]["validation"] == {"within": 0, "n": 2, "tolerance": 0.20}
    assert st["by_area"]["full-cell"]["validation"] == {"within": 2, "n": 3, "tolerance": 0.20}
    assert st["by_area"]["structure"]["validation"]["n"] == 0


def test_the_area_a_record_carries_wins_over_its_id():
    st = standing([rec("half_cell.cycling.si_zno4.retention_percent", "calibration", 76.4, 76.0, area="half-cell")])
    assert list(st["by_area"]) == ["half-cell"]
    assert area_of("half_cell.cycling.si_zno4.retention_percent") == "full-cell"  # the area that runs it today


def test_every_paper_record_has_a_section_and_where_it_stands():
    keys = [k for k, _, _ in SECTIONS]
    for r in paper_reference():
        assert section_of(r.id) in keys and section_of(r.id) != "other", r.id
        assert where_of(r.id) == r.where
    assert section_of("half_cell.rate_ordering.5.0") == "rate"
    assert "Fig. S4" in where_of("half_cell.rate_ordering.5.0")
    assert "Fig. 5" in where_of("dft.li_barrier_si111_eV")
    assert "Fig. 4g" in where_of("drt.si_zno4.lithiation.sei.tau_s")
    assert section_of("something.new") == "other" and where_of("something.new") == ""


def test_sections_follow_the_paper_story():
    keys = [k for k, _, _ in SECTIONS]
    assert keys[:9] == ["composition", "first-cycle", "rate", "long-cycling", "thickness", "impedance", "structure",
                        "atomistics", "full-cells"]


@pytest.mark.parametrize("name,section", [
    ("first_cycle.png", "first-cycle"), ("dqdv_first_cycle.png", "first-cycle"), ("rate_capability.png", "rate"),
    ("cycling_capacity_ce.png", "long-cycling"), ("thickness_first_cycle.png", "thickness"),
    ("fig4_si_zno4_delithiation_cycle1_nyquist_drt.png", "impedance"), ("fig4_si_lithiation_cycle6_drt_map.png", "impedance"),
    ("fig1b_xrd_pristine.png", "structure"), ("dft_li_along_channel_profile.png", "atomistics"),
    ("full_cell_rate.png", "full-cells"),
])
def test_figures_have_a_section_and_an_alt_text_that_says_what_they_show(name, section):
    sec, alt, described = figure_info(name)
    assert described and sec == section
    assert len(alt) > 60 and name not in alt


def test_figure_alt_texts_name_the_material_and_state():
    _, alt, _ = figure_info("fig4_si_zno4_delithiation_cycle1_nyquist_drt.png")
    assert "Si–ZnO4" in alt and "delithiation" in alt and "cycle 1" in alt
    _, alt, described = figure_info("something_else.png")
    assert not described and "something_else.png" in alt
    assert len({p for p, _, _ in FIGURES}) == len(FIGURES)


def test_robust_limit_ignores_a_one_bin_spike_but_keeps_a_real_peak():
    base = np.abs(np.sin(np.linspace(0, 3, 120))) * 100
    spiky = base.copy()
    spiky[40] = 3e5  # one bin: a voltage plateau binned into one bin
    assert robust_limit(spiky) == pytest.approx(robust_limit(base), rel=0.05)
    peak = base.copy()
    peak[40:43] = 5000  # three bins wide: a real feature sets the axis
    assert robust_limit(peak) == pytest.approx(5000)
    assert math.isfinite(robust_limit([np.nan, 1.0, np.inf, 2.0]))


def test_drt_time_constants_count_inside_the_papers_window():
    from sizno.reproduce.html_report import paper_text
    from sizno.reproduce.standing import describe_error, off_by, paper_range

    def tau(proc, model):
        return {"id": f"drt.si_zno4.lithiation.{proc}.tau_s", "quantity": "tau", "unit": "s", "role": "validation",
                "paper": 3.162e-4, "model": model,
                "relative_error": None if model is None else (model - 3.162e-4) / 3.162e-4}

    assert paper_range(tau("sei", 1.0)) == (1e-4, 1e-3)
    inside = tau("sei", 9e-4)  # +185 % from the window's geometric mean, yet inside the paper's window
    assert is_within(inside) is True and off_by(inside) == 0 and describe_error(inside) == "inside the paper's range"
    below = tau("sei", 2e-7)
    assert is_within(below) is False and off_by(below) == pytest.approx(0.998)
    assert "500x below" in describe_error(below)
    above = tau("charge_transfer", 0.3)
    assert is_within(above) is False and off_by(above) == pytest.approx(2.0) and "above" in describe_error(above)
    assert off_by(tau("electrolyte", None)) == math.inf and not is_within(tau("electrolyte", None))
    assert paper_text(inside) == "0.0001 – 0.001 s"
    own = {"id": "x.y", "role": "validation", "paper": 5.0, "paper_range": [4, 6], "model": 6.5, "relative_error": 0.3}
    assert is_within(own) is False and off_by(own) == pytest.approx(0.5 / 6)
    st = standing([inside, below, above])
    assert st["validation"] == {"within": 1, "n": 3, "tolerance": 0.20}
    assert [b["id"] for b in st["worst_validation"]][0] == above["id"]  # 2.0 off beats 0.998
