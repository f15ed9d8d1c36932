"""The global envelope of Si–ZnO4 at 4 A/g, 25 °C: feasibility from Si–ZnO4's own six 60 °C records only."""

import json
import math

import numpy as np
import pytest

from sizno.fitting import temperature_envelope as te
from sizno.models.parameters import load_parameter_set

NET = "Network ionic conductivity [S.m-1]"
TRAPS = "Trap sites per activated Si [-]"
K_B_EV = 8.617333e-5


def _stand_in(monkeypatch, calibration=None):
    """A cheap model: the 60 °C rates follow the network conductivity at 60 °C (its 25 °C value and activation
    energy), the first cycle the trap sites; the 25 °C capacity follows the 25 °C value only. Records each set."""
    seen = []
    pset0 = load_parameter_set()

    def at_60(p):
        e = p.entries[NET]
        return e.value * math.exp(e.activation_energy_eV / K_B_EV * (1 / 298.15 - 1 / 333.15))

    def observe(pset, mesh_points):
        seen.append(pset)
        s = at_60(pset) / at_60(pset0)
        t = pset0.value(TRAPS) / max(pset.value(TRAPS), 1e-3)
        discharge, charge = 2907.0, 2218.0 * t ** 0.05
        return {"discharge_mAh_g": discharge, "charge_mAh_g": charge, "ice_percent": 100 * charge / discharge,
                "q_0.1": 2349.0 * t ** 0.05, "q_0.8": 2042.0 * s ** 0.01, "q_5.0": 1125.0 * s ** 0.05,
                "q_25C": 136.0 * (pset.value(NET) / pset0.value(NET)) ** 0.3}

    monkeypatch.setattr(te, "si_zno4_observables", observe)
    from sizno.fitting import reach as rc

    checked = []

    def whole(pset, mesh):
        checked.append(pset)
        return calibration or {"half_cell.first_cycle.si.ice_percent": -0.2, "half_cell.rate.si.0.8": 0.01}

    monkeypatch.setattr(rc, "calibration_relative", whole)
    return seen, checked


def test_feasible_means_all_six_records_and_the_bound_is_their_largest(monkeypatch):
    seen, checked = _stand_in(monkeypatch)
    res = te.temperature_envelope(samples=64)
    assert len(seen) == 65 and res["calibrated"]["meets_records"]
    rows = [r for r in res["rows"] if r["sample"] != "calibrated"]
    assert set(res["records"]) == set(te.RECORDS) and len(te.RECORDS) == 6
    for r in rows:
        rel = [r[key] / res["targets"][rid] - 1 for rid, key in te.RECORDS.items()]
        assert r["meets_records"] == all(abs(v) <= te.TOLERANCE for v in rel)
        assert r["meets_5A_record"] == (abs(r["q_5.0"] / 1125.0 - 1) <= te.TOLERANCE)
    feasible = [r for r in rows if r["meets_records"]]
    five = [r for r in rows if r["meets_5A_record"]]
    assert feasible and len(feasible) < len(five) < len(rows)  # the stand-in separates the three sets
    assert res["feasible_samples"] == len(feasible) and res["samples_meeting_5A_record"] == len(five)
    assert res["largest_feasible_q_25C"] == pytest.approx(max(r["q_25C"] for r in feasible))
    assert res["largest_q_25C_5A_record_only"] == pytest.approx(max(r["q_25C"] for r in five))
    assert res["largest_q_25C_any_sample"] == pytest.approx(max(r["q_25C"] for r in rows))
    # relaxing the records can only raise the bound; the 5 % entry is the feasible set's
    by_tol = res["largest_q_25C_by_tolerance"]
    assert by_tol[0]["largest_q_25C"] == pytest.approx(res["largest_feasible_q_25C"])
    assert all(a["samples"] <= b["samples"] and a["largest_q_25C"] <= b["largest_q_25C"]
               for a, b in zip(by_tol, by_tol[1:]))
    # the envelope's bins hold every sample once, each bin's largest 25 °C value
    assert sum(e["samples"] for e in res["envelope"]) == len(rows)
    assert max(e["largest_q_25C"] or 0 for e in res["envelope"]) == pytest.approx(res["largest_q_25C_any_sample"])
    for e in res["envelope"]:
        inside = [r["q_25C"] for r in rows if e["q_5.0_low"] <= r["q_5.0"] < e["q_5.0_high"]]
        assert e["largest_q_25C"] == (max(inside) if inside else None)
    assert res["paper (validation, not used)"] == 880
    # the whole calibration at the feasible samples with the most at 25 °C, best first
    whole = res["whole_calibration_at_best"]
    best = sorted(feasible, key=lambda r: -r["q_25C"])[:te.CHECKED_SAMPLES]
    assert [w["sample"] for w in whole][:len(best)] == [r["sample"] for r in best]
    assert len(checked) == len(whole) and all(w["worst_record"] == "half_cell.first_cycle.si.ice_percent" for w in whole)


def test_the_checked_samples_fall_back_to_the_5A_record_when_few_are_feasible(monkeypatch):
    _stand_in(monkeypatch)
    res = te.temperature_envelope(samples=64, checked=40)
    whole = res["whole_calibration_at_best"]
    n_feasible = res["feasible_samples"]
    assert [w["meets"] for w in whole[:n_feasible]] == ["six records"] * n_feasible
    assert whole[n_feasible:] and all(w["meets"] == "5 A/g record only" for w in whole[n_feasible:])


def test_every_value_and_activation_energy_is_sampled_within_its_range(monkeypatch):
    seen, _ = _stand_in(monkeypatch)
    pset = load_parameter_set()
    factors = te.temperature_envelope_factors(pset)
    ea = [f for f in factors if f.is_activation_energy]
    assert len(factors) == 22 and len(ea) == 6 and NET + " | Ea [eV]" in {f.name for f in ea}
    assert not any(f.parameter.startswith(("NCM811", "Cathode")) for f in factors)
    te.temperature_envelope(samples=16)
    for p in seen[1:]:
        for f in factors:
            v = p.entries[f.parameter].activation_energy_eV if f.is_activation_energy else p.value(f.name)
            assert f.low * (1 - 1e-12) <= v <= f.high * (1 + 1e-12), f.name
    spread = np.array([[p.entries[f.parameter].activation_energy_eV if f.is_activation_energy else p.value(f.name)
                        for f in factors] for p in seen[1:]])
    assert np.all(spread.max(axis=0) > spread.min(axis=0))  # every factor moves


def test_corners_name_the_factors_every_best_sample_holds_at_one_end():
    f_lo, f_hi, f_mid = (te.Factor("a [-]", 1.0, 100.0, True, "s"), te.Factor("b [-]", 0.0, 1.0, False, "s"),
                         te.Factor("c [-]", 0.0, 1.0, False, "s"))
    rows = [{"sample": k, "values": {"a [-]": a, "b [-]": b, "c [-]": c}}
            for k, (a, b, c) in enumerate([(1.2, 0.95, 0.5), (1.05, 0.99, 0.05)])]
    out = te.corners(rows, [f_lo, f_hi, f_mid])
    assert out["all_at_one_end"] == {"a [-]": "low", "b [-]": "high"}
    assert out["position_in_range"]["a [-]"][0] == pytest.approx(math.log10(1.2) / 2)


def test_a_run_that_fails_counts_as_failed_never_feasible(monkeypatch):
    monkeypatch.setattr(te, "si_zno4_observables",
                        lambda pset, mesh_points: dict.fromkeys(te.OBSERVABLES, float("nan")))
    res = te.temperature_envelope(samples=4)
    assert res["failed_samples"] == 4 and res["feasible_samples"] == 0 and res["largest_feasible_q_25C"] is None
    assert not res["calibrated"]["meets_records"] and res["whole_calibration_at_best"] == []


def test_too_few_samples():
    with pytest.raises(ValueError, match="samples"):
        te.temperature_envelope(samples=1)


def test_cli_writes_json_figure_and_summary(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from sizno.cli import app

    _stand_in(monkeypatch)
    out = tmp_path / "sens"
    r = CliRunner().invoke(app, ["sensitivity", "--analysis", "temperature-envelope", "--samples", "16", "--out",
                                 str(out), "--json", str(tmp_path / "s.json")])
    assert r.exit_code == 0, r.output
    assert (out / "temperature_envelope.png").stat().st_size > 1000
    stored = json.loads((out / "temperature_envelope.json").read_text())
    assert stored["samples"] == 16 and len(stored["rows"]) == 17
    payload = json.loads((tmp_path / "s.json").read_text())["temperature_envelope"]
    assert "rows" not in payload and payload["feasible_samples"] == stored["feasible_samples"]
    assert "Si–ZnO4 at 4 A/g, 25 °C over 16 samples of 22 ranges" in " ".join(r.output.split())


def test_bad_samples_is_a_one_line_error_exit_2(tmp_path, monkeypatch, capsys):
    from sizno import cli

    monkeypatch.setattr("sys.argv", ["sizno", "sensitivity", "--analysis", "temperature-envelope", "--samples", "1",
                                     "--out", str(tmp_path / "x")])
    with pytest.raises(SystemExit) as e:
        cli.main()
    assert e.value.code == 2
    lines = [ln for ln in capsys.readouterr().err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "--samples" in lines[0] and "Traceback" not in lines[0]
