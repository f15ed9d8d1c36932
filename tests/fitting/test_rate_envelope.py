"""The global envelope of pure Si's 5 A/g capacity: feasibility from pure Si's own calibration records only."""

import numpy as np
import pytest

from sizno.fitting import rate_envelope as re_
from sizno.models.parameters import load_parameter_set


def _stand_in(monkeypatch):
    """A cheap model: 0.8 A/g capacity from the LixSi conductivity, 5 A/g a fixed share of it, ICE from the
    trap sites; records each parameter set it is given."""
    seen = []
    cond, traps = "LixSi ionic conductivity, lithiated [S.m-1]", "Trap sites per activated Si [-]"
    pset0 = load_parameter_set()

    def observe(pset, mesh_points):
        seen.append(pset)
        q08 = 1484.0 * (pset.value(cond) / pset0.value(cond)) ** 0.3
        return {"ice_percent": 78.4 * (pset0.value(traps) / pset.value(traps)) ** 0.05, "q_0.8": q08,
                "q_5.0": 0.1 * q08}

    monkeypatch.setattr(re_, "pure_si_observables", observe)
    from sizno.fitting import reach as rc

    monkeypatch.setattr(rc, "calibration_relative", lambda pset, mesh: {"half_cell.rate.si_zno4.0.1": -0.3,
                                                                        "half_cell.rate.si.0.8": 0.01})
    return seen


def test_feasible_samples_meet_both_records_and_the_bound_is_their_largest(monkeypatch):
    seen = _stand_in(monkeypatch)
    res = re_.rate_envelope(samples=32)
    assert len(seen) == 33 and res["calibrated"]["meets_pure_si_records"]
    rows = [r for r in res["rows"] if r["sample"] != "calibrated"]
    feasible = [r for r in rows if r["meets_pure_si_records"]]
    assert res["feasible_samples"] == len(feasible)
    for r in rows:
        inside = all(abs(v) <= re_.TOLERANCE for v in r["relative_errors"].values())
        assert r["meets_pure_si_records"] == inside
    if feasible:
        assert res["largest_feasible_q_5.0"] == pytest.approx(max(r["q_5.0"] for r in feasible))
    assert res["largest_q_5.0_any_sample"] == pytest.approx(max(r["q_5.0"] for r in rows))
    # the envelope's bins cover every sample once, and hold each bin's largest
    assert sum(e["samples"] for e in res["envelope"]) == len(rows)
    assert max(e["largest_q_5.0"] or 0 for e in res["envelope"]) == pytest.approx(res["largest_q_5.0_any_sample"])
    assert res["paper (validation, not used)"] == 560
    # the whole calibration at the samples that meet the 0.8 A/g record, the most at 5 A/g first
    whole = res["whole_calibration_at_best_rate_met"]
    met = sorted((r for r in rows if abs(r["relative_errors"]["half_cell.rate.si.0.8"]) <= re_.TOLERANCE),
                 key=lambda r: -r["q_5.0"])[:re_.CHECKED_SAMPLES]
    assert whole and [w["sample"] for w in whole] == [r["sample"] for r in met]
    assert all(w["worst_record"] == "half_cell.rate.si_zno4.0.1" and w["worst_relative"] == -0.3 for w in whole)


def test_every_sample_stays_in_its_range_and_activation_energies_are_not_sampled(monkeypatch):
    seen = _stand_in(monkeypatch)
    pset = load_parameter_set()
    factors = re_.envelope_factors(pset)
    assert factors and not any(f.is_activation_energy for f in factors)
    assert len(factors) == 16 and not any(f.name.startswith(("NCM811", "Cathode")) for f in factors)
    re_.rate_envelope(samples=16)
    for p in seen[1:]:
        for f in factors:
            assert f.low * (1 - 1e-12) <= p.value(f.name) <= f.high * (1 + 1e-12), f.name
        assert all(p.entries[n].activation_energy_eV == pset.entries[n].activation_energy_eV for n in pset.entries)
    spread = np.array([[p.value(f.name) for f in factors] for p in seen[1:]])
    assert np.all(spread.max(axis=0) > spread.min(axis=0))  # every factor moves


def test_a_run_that_fails_counts_as_failed_never_feasible(monkeypatch):
    monkeypatch.setattr(re_, "pure_si_observables", lambda pset, mesh_points: {"ice_percent": float("nan"),
                                                                               "q_0.8": float("nan"),
                                                                               "q_5.0": float("nan")})
    res = re_.rate_envelope(samples=4)
    assert res["failed_samples"] == 4 and res["feasible_samples"] == 0 and res["largest_feasible_q_5.0"] is None


def test_too_few_samples():
    with pytest.raises(ValueError, match="samples"):
        re_.rate_envelope(samples=1)
