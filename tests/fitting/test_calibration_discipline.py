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
    assert not validation & set(cal.calibration_problem(mesh_points=10).labels)


def test_calibration_refuses_a_record_relabelled_validation(monkeypatch):
    raw = read_toml("reference/paper-values.toml")
    raw["half_cell_first_cycle"]["si"]["role"] = "validation"
    monkeypatch.setattr(ref, "read_toml", lambda _: raw)
    ref.half_cell_reference.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="refusing"):
            cal.calibration_targets()
    finally:
        ref.half_cell_reference.cache_clear()


def test_changing_validation_values_does_not_change_targets(monkeypatch):
    before = [(t.id, t.value) for t in cal.calibration_targets()]
    raw = read_toml("reference/paper-values.toml")
    for entry in raw["rate_capability"]:
        if entry["role"] == "validation":
            entry["reversible_mAh_g" if "reversible_mAh_g" in entry else "reversible_mAh_g_approx"] = 1.0
    raw["half_cell_room_temperature"]["reversible_mAh_g"] = 1.0
    monkeypatch.setattr(ref, "read_toml", lambda _: raw)
    ref.half_cell_reference.cache_clear()
    try:
        assert [(t.id, t.value) for t in cal.calibration_targets()] == before
    finally:
        ref.half_cell_reference.cache_clear()


def test_paper_file_copy_matches_the_shared_reference():
    from pathlib import Path

    shared = Path(__file__).resolve().parents[3] / "shared" / "reference" / "paper-values.toml"
    if not shared.exists():
        pytest.skip("shared/ not beside the checkout")
    assert tomllib.loads(shared.read_text()) == read_toml("reference/paper-values.toml")


def test_fitted_set_exists_with_residuals_and_every_free_parameter():
    values = fitted_values()
    assert set(values) == set(load_parameter_set().fitted_names())
    raw = read_toml("parameters/fitted.toml")
    assert set(raw["residuals_relative"]) == set(cal.CALIBRATION_IDS)
    for name, v in values.items():
        lo, hi = load_parameter_set().entries[name].bounds
        assert lo <= v <= hi


@pytest.mark.slow
def test_calibration_records_are_reproduced_within_5_percent():
    from sizno.experiments.protocols import rate_test
    from sizno.experiments.runner import run_half_cell

    raw = read_toml("parameters/fitted.toml")
    mesh = raw["about"]["mesh_points"]
    protocol = rate_test(list(cal.CALIBRATION_RATES_A_PER_G), 3)
    results = {m: run_half_cell(m, protocol, mesh_points=mesh) for m in ("si-zno4", "si")}
    for t in cal.calibration_targets():
        model = cal.model_observable(t.id, results)
        assert model == pytest.approx(t.value, rel=0.05), t.id
