"""The report in a real browser (Debian's chromium through Playwright), opened from file:// with the
network blocked: no console errors, every image loaded, the summary's counts equal those computed
here from summary.json, filters and sorting work, and it prints.

One report is built from a real quick `sizno reproduce` (composition, half cells, structure); one
from a small fixture that holds every role, a record without a model value and a band.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from sizno.reproduce import reproduce
from sizno.reproduce.html_report import build_report

pytestmark = pytest.mark.slow


def expected_counts(summary: dict) -> dict[str, tuple[int, int]]:
    """k within and n counted, per role, computed here from the records: 5 % / 20 %, or inside the
    paper's window for a DRT time constant."""
    from sizno.data import read_toml

    windows = read_toml("reference/paper-values.toml")["drt"]["tau_s"]
    out = {}
    for role, tol in (("calibration", 0.05), ("validation", 0.20)):
        counted = [r for r in summary["records"] if r["role"] == role and r.get("paper") is not None]
        ok = []
        for r in counted:
            parts = r["id"].split(".")
            if parts[0] == "drt" and parts[-1] == "tau_s":
                lo, hi = windows[parts[-2]]
                if r.get("model") is not None and lo <= r["model"] <= hi:
                    ok.append(r)
            elif r.get("relative_error") is not None and math.isfinite(r["relative_error"]) and abs(r["relative_error"]) <= tol:
                ok.append(r)
        out[role] = (len(ok), len(counted))
    return out


class Page:
    """A report page opened from file:// with every non-file request blocked and recorded."""

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(viewport={"width": 1366, "height": 850})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.network: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def route(r):
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                self.network.append(r.request.url)
                r.abort()

        self.page.route("**/*", route)
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def visible_ids(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "#records-table tbody tr", "rows => rows.filter(r => !r.hidden && r.offsetParent !== null).map(r => r.dataset.id)")

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector).strip()

    def close(self):
        self.context.close()


def check_page(p: Page, summary: dict, shot: Path) -> None:
    page = p.page
    images = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.alt])")
    assert len(images) == len(summary["figures"]) > 0
    for complete, width, alt in images:
        assert complete and width > 0
        assert len(alt) > 40
    counts = expected_counts(summary)
    for role in ("calibration", "validation"):
        k, n = counts[role]
        assert (int(p.text(f"#{role}-within")), int(p.text(f"#{role}-n"))) == (k, n), role
    all_ids = [r["id"] for r in summary["records"]]
    assert sorted(p.visible_ids()) == sorted(all_ids)
    for role in sorted({r["role"] for r in summary["records"]}):
        page.select_option("#filter-role", role)
        shown = p.visible_ids()
        assert sorted(shown) == sorted(r["id"] for r in summary["records"] if r["role"] == role), role
        assert f"{len(shown)} of {len(all_ids)}" in p.text("#shown-count")
    page.select_option("#filter-role", "")
    # reads on a laptop screen: nothing wider than the 1366 px window
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert p.errors == [] and p.network == []


@pytest.fixture(scope="module")
def real_out(tmp_path_factory) -> Path:
    """A real quick reproduce: records of every role (calibration, validation, prediction, fact)."""
    out = tmp_path_factory.mktemp("reproduce")
    from rich.console import Console

    reproduce(out, quick=True, only=["composition", "half-cell", "structure"], console=Console(quiet=True))
    return out


def test_report_from_a_real_quick_reproduce(browser, real_out, tmp_path):
    summary = json.loads((real_out / "summary.json").read_text())
    assert (real_out / "report.html").is_file()  # reproduce wrote it
    assert {"calibration", "validation", "prediction", "fact"} <= {r["role"] for r in summary["records"]}
    assert summary["standing"]["validation"]["n"] == expected_counts(summary)["validation"][1]
    assert summary["provenance"]["settings"] == "quick" and summary["provenance"]["parameter_files_sha256"]
    p = Page(browser, real_out / "report.html")
    try:
        check_page(p, summary, tmp_path / "report-real.png")
        # the new figures are there, in their sections, described
        for name, section in (("composition.png", "composition"), ("rate_capability.png", "rate"), ("first_cycle.png", "first-cycle"),
                              ("dqdv_first_cycle.png", "first-cycle"), ("fig1b_xrd_pristine.png", "structure")):
            alt = p.page.get_attribute(f"#section-{section} figure:has(figcaption:has-text('{name}')) img", "alt")
            assert alt and len(alt) > 40, name
        assert "Figures without a registered description" not in p.page.content()
    finally:
        p.close()


def test_filters_sorting_and_print_on_the_fixture(browser, fixture_out, tmp_path):
    out, summary = fixture_out
    build_report(out)
    p = Page(browser, out / "report.html")
    try:
        check_page(p, summary, tmp_path / "report-fixture.png")
        page = p.page
        # off by more than 30 %: pure Si at 5 A/g (-88 %), full cell 1C (-31 %) and the record without a model value
        page.fill("#filter-off", "30")
        assert sorted(p.visible_ids()) == sorted(["half_cell.rate.si.5.0", "full_cell.rate.si_zno4.1.0",
                                                  "half_cell.room_temperature.si_zno4.4.0"])
        page.select_option("#filter-section", "full-cells")  # filters combine
        assert p.visible_ids() == ["full_cell.rate.si_zno4.1.0"]
        page.fill("#filter-off", "")
        assert sorted(p.visible_ids()) == ["full_cell.rate.si_zno4.0.2", "full_cell.rate.si_zno4.1.0"]
        page.select_option("#filter-section", "")
        # sort by relative error (absolute), ascending then descending; records without one last
        page.click("#records-table th:has-text('relative error')")
        errs = page.eval_on_selector_all("#records-table tbody tr", "rows => rows.map(r => r.dataset.absError)")
        numbers = [float(e) for e in errs if e]
        assert numbers == sorted(numbers) and all(e == "" for e in errs[len(numbers):])
        page.click("#records-table th:has-text('relative error')")
        errs = page.eval_on_selector_all("#records-table tbody tr", "rows => rows.map(r => r.dataset.absError)")
        numbers = [float(e) for e in errs if e]
        assert numbers == sorted(numbers, reverse=True)
        # prints: the controls go, the filtered view stays and says so, and a PDF comes out
        page.fill("#filter-off", "50")
        page.emulate_media(media="print")
        assert not page.is_visible("#filters")
        assert len(p.visible_ids()) == 2 and "2 of 10 records shown" in p.text("#shown-count")
        assert page.is_visible("#summary") and page.is_visible("#provenance")
        pdf = tmp_path / "report.pdf"
        page.pdf(path=str(pdf), format="A4")
        assert pdf.read_bytes()[:4] == b"%PDF"
        assert p.errors == [] and p.network == []
    finally:
        p.close()


@pytest.mark.parametrize("ci,outcome,word", [("true", "failed", "cannot run in CI"), ("", "skipped", "no chromium")])
def test_without_a_browser_ci_fails_and_elsewhere_skips_saying_why(tmp_path, ci, outcome, word):
    import os
    import subprocess
    import sys

    env = dict(os.environ, SIZNO_CHROMIUM=str(tmp_path / "no-such-chromium"), CI=ci)
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rfs", "-p", "no:cacheprovider", str(Path(__file__)),
                        "-k", "fixture"], capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert f"1 {outcome}" in r.stdout or (outcome == "failed" and "1 error" in r.stdout), r.stdout[-1500:]
    assert word in r.stdout
