"""The report page without a browser: self-contained, every figure with alt text, the paper's order,
rebuilt by `sizno report`, and the README block regenerated from summary.json."""

import json
import re
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest

from sizno.errors import SiznoInputError
from sizno.reproduce.html_report import build_report, load_summary
from sizno.reproduce.readme_status import BEGIN, END, status_markdown, update_readme
from sizno.reproduce.standing import SECTIONS

ROOT = Path(__file__).resolve().parents[2]
SIZNO = [sys.executable, "-m", "sizno.cli"]


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> list[tuple[str, dict]]:
    p = Tags()
    p.feed(html)
    return p.tags


def test_report_is_self_contained_and_every_figure_has_alt_text(fixture_out):
    out, summary = fixture_out
    result = build_report(out)
    html = result.path.read_text()
    tags = parse(html)
    imgs = [a for t, a in tags if t == "img"]
    assert len(imgs) == len(summary["figures"])
    for a in imgs:
        assert a["src"].startswith("data:image/png;base64,")
        assert len(a.get("alt", "")) > 40
    # nothing to fetch: no external script, stylesheet, image, font or link to a network
    for t, a in tags:
        for key in ("src", "href"):
            assert not re.match(r"^(https?:)?//", a.get(key, "") or ""), (t, a)
    assert not [t for t, a in tags if t == "link" or (t == "script" and "src" in a)]
    assert "@import" not in html and "url(" not in html
    # a note is text, never markup
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert result.missing_figures == [] and result.undescribed_figures == []


def test_sections_in_the_papers_order_with_records_and_counts(fixture_out):
    out, _ = fixture_out
    html = build_report(out).path.read_text()
    ids = [a["id"] for t, a in parse(html) if t == "section" and "id" in a]
    keys = [k for k, _, _ in SECTIONS if k != "other"]
    assert ids == ["summary"] + [f"section-{k}" for k in keys] + ["records", "provenance"]
    assert re.search(r'id="calibration-within">1<.*?id="calibration-n">2<', html, re.S)
    assert re.search(r'id="validation-within">2<.*?id="validation-n">5<', html, re.S)
    worst = html[html.index('id="worst-validation"'):html.index("What the model does not reproduce")]
    assert worst.index("4 A/g 25 °C") < worst.index("pure Si 5 A/g") < worst.index("full cell 1C")
    assert "[1050, 1180]" in html  # the model's band
    assert "abc123" in html and "0123456789abcdef" in html and "30.5 s" in html  # provenance


def test_templates_ship_as_package_data_and_jinja2_is_pinned():
    files = resources.files("sizno.reproduce") / "templates"
    for name in ("report.html.j2", "report.css", "report.js", "record_row.html.j2", "records_head.html.j2"):
        assert (files / name).is_file(), name
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert any(re.fullmatch(r"jinja2==[\d.]+", d, re.I) for d in project["project"]["dependencies"])
    assert "reproduce/templates/*" in project["tool"]["setuptools"]["package-data"]["sizno"]
    assert any(re.fullmatch(r"playwright==[\d.]+", d) for d in project["project"]["optional-dependencies"]["dev"])


def test_a_missing_figure_is_said_not_hidden(fixture_out):
    out, _ = fixture_out
    (out / "rate_capability.png").unlink()
    result = build_report(out)
    assert result.missing_figures == ["rate_capability.png"]
    assert "rate_capability.png" in result.path.read_text().split('id="missing-figures"')[1][:300]


@pytest.mark.parametrize("content,problem", [(None, "no summary.json"), ("{", "not valid JSON"),
                                             ('{"figures": []}', "no 'records'")])
def test_bad_summary_is_an_input_error(tmp_path, content, problem):
    if content is not None:
        (tmp_path / "summary.json").write_text(content)
    with pytest.raises(SiznoInputError, match=problem):
        load_summary(tmp_path)


def test_readme_block_is_regenerated_between_the_markers_only(fixture_out, tmp_path):
    _, summary = fixture_out
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\n### What the report says today\n\n{BEGIN}\nold text by hand\n{END}\n\n## next\nkept\n")
    assert update_readme(readme, summary) is True
    text = readme.read_text()
    assert "old text by hand" not in text and text.startswith("# title") and text.endswith("## next\nkept\n")
    block = text.split(BEGIN)[1].split(END)[0]
    assert "Calibration records within 5 %: **1 of 2**" in block
    assert "validation records within 20 %: **2 of 5**" in block
    assert "| half-cell | 1 of 2 | 1 of 3 |" in block and "| full-cell | none | 1 of 2 |" in block
    assert "quick" in block and "abc123" in block
    assert block.index("4 A/g 25 °C") < block.index("pure Si 5 A/g")
    assert update_readme(readme, summary) is False  # idempotent
    assert status_markdown(summary) in text


def test_readme_without_markers_is_refused(fixture_out, tmp_path):
    _, summary = fixture_out
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    with pytest.raises(SiznoInputError, match="--readme"):
        update_readme(readme, summary)
    assert readme.read_text() == "# no markers\n"


def test_the_project_readme_carries_the_generated_block():
    text = (ROOT / "README.md").read_text()
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    assert "report.html" in text.split("##")[0]  # named before the first section: the first thing to open


def test_cli_report_rebuilds_the_page_and_the_readme(fixture_out, tmp_path):
    out, _ = fixture_out
    readme = tmp_path / "README.md"
    readme.write_text(f"x\n{BEGIN}\n{END}\n")
    r = subprocess.run([*SIZNO, "report", str(out), "--readme", str(readme), "--json", str(tmp_path / "r.json")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert (out / "report.html").is_file() and "2 of 5" in r.stdout
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["standing"]["validation"]["within"] == 2 and data["missing_figures"] == []
    assert "**2 of 5**" in readme.read_text()


def test_cli_report_bad_input_and_missing_figures(fixture_out, tmp_path):
    r = subprocess.run([*SIZNO, "report", str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "OUT_DIR" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    out, _ = fixture_out
    (out / "first_cycle.png").unlink()
    r = subprocess.run([*SIZNO, "report", str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and "first_cycle.png" in r.stderr
    assert (out / "report.html").is_file()


def test_a_records_band_reaches_summary_and_page(tmp_path):
    from sizno.reproduce.html_report import _row, enrich
    from sizno.reproduce.records import Record

    r = Record(id="half_cell.rate.si.5.0", quantity="q", unit="mAh/g", paper=560.0, model=500.0, role="validation",
               band=(450, 620))
    d = r.as_dict()
    assert d["band"] == [450.0, 620.0]
    assert "band" not in Record(id="x", quantity="q", unit="-", paper=None, model=1.0, role="prediction").as_dict()
    assert _row(enrich(d))["band"] == "[450, 620]"
