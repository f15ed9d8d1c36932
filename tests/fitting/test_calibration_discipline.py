"""No validation value may enter the calibration; the calibrated set reproduces its records."""

import tomllib

import pytest

from sizno.data import read_toml
from sizno.fitting import calibrate as cal
from sizno.models.parameters import fitted_values, load_parameter_set
from sizno.reproduce import reference as ref


def test_every_fitted_record_is_marked_calibration():
    targets = cal.calibration_targets()
    assert [t.id for t in targets] == list(cal.CALIBRATION_IDS)
    assert all(t.role == "calibration" for t in targets)


def test_no_validation_record_is_a_target():
    validation = set(ref.reference_by_role("validation"))
    assert validation, "the paper file must have validation records"
    assert not validation & set(cal.CALIBRATION_IDS)
    for name in cal.STAGE_NAMES:
        assert not validation & set(cal.calibration_problem(name, mesh_points=10).labels)


def test_stages_split_the_fitted_parameters_without_overlap():
    names = [n for s in cal.STAGES for n in s.parameters]
    assert len(names) == len(set(names))
    assert set(names) == set(load_parameter_set().fitted_names())


def test_calibration_refuses_a_record_relabelled_validation(monkeypatch):
    raw = read_toml("reference/paper-values.toml")
    raw["half_cell_first_cycle"]["si"]["role"] = "validation"
    monkeypatch.setattr(ref, "read_toml", lambda _: raw)
    ref.paper_reference.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="refusing"):
            cal.calibration_targets()
    finally:
        ref.paper_reference.cache_clear()


def test_changing_validation_values_does_not_change_targets(monkeypatch):
    before = [(t.id, t.value) for t in cal.calibration_targets()]
    raw = read_toml("reference/paper-values.toml")
    for entry in raw["rate_capability"]:
        if entry["role"] == "validation":
            entry["reversible_mAh_g" if "reversible_mAh_g" in entry else "reversible_mAh_g_approx"] = 1.0
    raw["half_cell_room_temperature"]["reversible_mAh_g"] = 1.0
    monkeypatch.setattr(ref, "read_toml", lambda _: raw)
    ref.paper_reference.cache_clear()
    try:
        assert [(t.id, t.value) for t in cal.calibration_targets()] == before
    finally:
        ref.paper_reference.cache_clear()


def test_targets_come_from_the_project_copy_of_the_paper_values():
    """The project's own copy (src/sizno/data/reference/paper-values.toml) is what calibration reads:
    parsed here straight from the package file, every calibration target carries its value and role."""
    from importlib import resources

    own = resources.files("sizno.data").joinpath("reference/paper-values.toml")
    raw = tomllib.loads(own.read_text(encoding="utf-8"))
    assert raw == read_toml("reference/paper-values.toml")
    by_id = {t.id: t for t in cal.calibration_targets()}
    checked = 0
    for mat, entry in raw["half_cell_first_cycle"].items():
        for key in ("discharge_mAh_g", "charge_mAh_g", "ice_percent"):
            tid = f"half_cell.first_cycle.{mat}.{key}"
            if tid in by_id:
                assert by_id[tid].value == pytest.approx(float(entry[key]))
                assert entry["role"] == "calibration"
                checked += 1
    assert checked >= 4, "calibration targets not read from the project copy"


def test_fitted_set_exists_with_residuals_and_every_free_parameter():
    values = fitted_values()
    assert set(values) == set(load_parameter_set().fitted_names())
    raw = read_toml("parameters/fitted.toml")
    assert set(raw["residuals_relative"]) == set(cal.CALIBRATION_IDS)
    for name, v in values.items():
        lo, hi = load_parameter_set().entries[name].bounds
        assert lo <= v <= hi


# Calibration records the fitted set misses by more than 5 % (see fitted.toml for the residuals):
KNOWN_OVER_5_PERCENT: set[str] = set()


@pytest.fixture(scope="module")
def calibrated_values():
    mesh = read_toml("parameters/fitted.toml")["about"]["mesh_points"]
    pset = load_parameter_set()
    out = {}
    for st in cal.STAGES:
        out.update(st.observe(pset, mesh))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("record_id", [
    pytest.param(i, marks=pytest.mark.xfail(i in KNOWN_OVER_5_PERCENT, strict=True,
                                            reason="known miss, see KNOWN_OVER_5_PERCENT"))
    for i in cal.CALIBRATION_IDS
])
def test_calibration_record_within_5_percent(calibrated_values, record_id):
    target = {t.id: t for t in cal.calibration_targets()}[record_id]
    assert calibrated_values[record_id] == pytest.approx(target.value, rel=0.05)


@pytest.mark.slow
def test_fitted_file_residuals_match_a_fresh_evaluation(calibrated_values):
    raw = read_toml("parameters/fitted.toml")["residuals_relative"]
    for t in cal.calibration_targets():
        assert (calibrated_values[t.id] - t.value) / t.value == pytest.approx(raw[t.id], abs=0.01), t.id
