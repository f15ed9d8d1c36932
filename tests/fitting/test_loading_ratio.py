"""The loading-ratio analysis: the cathode's box sampled, feasibility from the full cell's calibration only."""

import numpy as np
import pytest

from sizno.fitting import loading_ratio as lr
from sizno.models.parameters import load_parameter_set


def test_the_ratio_range_is_over_the_samples_that_meet_the_calibration(monkeypatch):
    pset0 = load_parameter_set()
    seen = []

    def observe(pset, mesh_points):  # a stand-in: slower diffusion lowers the thick cell more
        seen.append(pset)
        d = pset.value("NCM811 Li diffusivity [m2.s-1]") / pset0.value("NCM811 Li diffusivity [m2.s-1]")
        u = pset.value(lr.UTILISATION) / pset0.value(lr.UTILISATION)
        return {"discharge_mAh_g": 179.4 * u, "ice_percent": 77.7, "normal_1C": 133.0 * d ** 0.05,
                "high_1C": 105.0 * d ** 0.2}

    monkeypatch.setattr(lr, "full_cell_observables", observe)
    res = lr.loading_ratio(samples=32)
    assert len(seen) == 33 and res["calibrated"]["meets_calibration"]
    rows = res["rows"][1:]
    feasible = [r for r in rows if r["meets_calibration"]]
    assert feasible and res["feasible_samples"] == len(feasible)
    assert all(abs(r["discharge_mAh_g"] / 185.0 - 1) <= lr.TOLERANCE for r in feasible)
    assert res["smallest_feasible_ratio"] == pytest.approx(min(r["ratio"] for r in feasible))
    assert res["smallest_ratio_any_sample"] <= res["smallest_feasible_ratio"]
    assert res["paper ratio (validation records, not used)"] == pytest.approx(55 / 126)
    # every sample inside the cathode's box, the anode untouched
    factors = lr.loading_factors(pset0)
    assert {f.name for f in factors} == set(lr.CATHODE_FACTORS) | {lr.UTILISATION}
    anode = [n for n in pset0.entries if n not in {f.name for f in factors}]
    for p in seen[1:]:
        for f in factors:
            assert f.low * (1 - 1e-12) <= p.value(f.name) <= f.high * (1 + 1e-12), f.name
        assert all(p.value(n) == pset0.value(n) for n in anode if pset0.entries[n].value is not None)


def test_a_failed_run_is_never_feasible(monkeypatch):
    monkeypatch.setattr(lr, "full_cell_observables", lambda pset, mesh_points: {
        "discharge_mAh_g": float("nan"), "ice_percent": float("nan"), "normal_1C": float("nan"),
        "high_1C": float("nan")})
    res = lr.loading_ratio(samples=4)
    assert res["failed_samples"] == 4 and res["feasible_samples"] == 0 and res["smallest_feasible_ratio"] is None
    assert np.isnan(res["calibrated"]["ratio"])


def test_too_few_samples():
    with pytest.raises(ValueError, match="samples"):
        lr.loading_ratio(samples=1)
