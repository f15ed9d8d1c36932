"""Shared pieces of the report tests: a small summary with every role, and a real browser."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SIZNO_CHROMIUM", "/usr/bin/chromium"))
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _png(path: Path, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [0, 1, 4])
    ax.set_title(title)
    fig.savefig(path, dpi=60)
    plt.close(fig)
    return path


def write_fixture(out: Path) -> dict:
    """A summary.json with calibration / validation / prediction / fact records (within, off, no model
    value, a band), two described figures and provenance, as `sizno reproduce` writes it."""
    out.mkdir(parents=True, exist_ok=True)
    recs = [
        # id, quantity, unit, paper, model, role
        ("half_cell.first_cycle.si_zno4.discharge_mAh_g", "first lithiation", "mAh/g", 2907.0, 2950.0, "calibration"),
        ("half_cell.rate.si_zno4.0.8", "0.8 A/g", "mAh/g", 2042.0, 2200.0, "calibration"),
        ("half_cell.rate.si_zno4.5.0", "5 A/g", "mAh/g", 1125.0, 1100.0, "validation"),
        ("half_cell.rate.si.5.0", "pure Si 5 A/g", "mAh/g", 560.0, 68.0, "validation"),
        ("half_cell.room_temperature.si_zno4.4.0", "4 A/g 25 °C", "mAh/g", 880.0, None, "validation"),
        ("full_cell.rate.si_zno4.1.0", "full cell 1C", "mAh/g", 126.0, 87.0, "validation"),
        ("full_cell.rate.si_zno4.0.2", "full cell 0.2C", "mAh/g", 169.0, 160.0, "validation"),
        ("half_cell.rate.si_zno2.5.0", "Si–ZnO2 5 A/g", "mAh/g", None, 909.0, "prediction"),
        ("xrd.Si.111_2theta", "2θ of Si (111)", "deg", 28.4, 28.44, "fact"),
        ("drt.si_zno4.lithiation.sei.trend", "R_SEI trend", "-", None, -0.3, "validation"),
    ]
    records = []
    for rid, q, unit, paper, model, role in recs:
        r = {"id": rid, "quantity": q, "unit": unit, "paper": paper, "model": model, "role": role}
        if paper is not None and model is not None:
            r["relative_error"] = (model - paper) / paper
        records.append(r)
    records[2]["band"] = [1050.0, 1180.0]
    records[3]["note"] = "steps that could not run: [12, 13] <script>alert('x')</script>"
    _png(out / "first_cycle.png", "first cycle")
    _png(out / "rate_capability.png", "rate")
    summary = {"records": records, "quick": True, "areas": ["half-cell", "full-cell"],
               "seconds": {"half-cell": 12.0, "full-cell": 30.5},
               "figures": ["first_cycle.png", "rate_capability.png"],
               "provenance": {"sizno_version": "0.1.0", "git_commit": "abc123", "date_utc": "2026-11-30 02:00:00 UTC",
                              "settings": "quick", "parameter_files_sha256": {"parameters/fitted.toml": "0123456789abcdef"},
                              "seconds_by_area": {"half-cell": 12.0, "full-cell": 30.5}}}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


@pytest.fixture
def fixture_out(tmp_path) -> tuple[Path, dict]:
    out = tmp_path / "out"
    return out, write_fixture(out)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never Playwright's own download). Missing: a failure
    in CI, a skip (saying why) elsewhere."""
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed (it is in the dev extra: pip install -e '.[dev]')"
    if reason is None and not CHROMIUM.exists():
        reason = f"no chromium at {CHROMIUM} (Debian: apt-get install chromium; .ci/run installs it)"
    if reason:
        if in_ci():
            pytest.fail(f"the browser test cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield b
        b.close()
