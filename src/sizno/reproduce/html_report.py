"""The paper twin as one web page: OUT_DIR/report.html from OUT_DIR/summary.json and its figures.

The page is self-contained: figures are embedded as PNG data URIs, CSS and JavaScript are inlined
from the package's templates (Jinja2), nothing is fetched from a network. Sections follow the
paper's story (see `standing.SECTIONS`); the counts at the top come from `standing.standing`.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from sizno.errors import SiznoInputError
from sizno.reproduce.figures_index import figure_info
from sizno.reproduce.standing import (
    CALIBRATION_TOLERANCE, SECTION_TITLES, SECTIONS, VALIDATION_TOLERANCE, area_of, describe_error, is_within,
    off_by, paper_range, section_of, standing, where_of)

REPORT_NAME = "report.html"
ROLES = ("calibration", "validation", "prediction", "fact")


@dataclass
class ReportResult:
    """What `build_report` wrote and what it could not include."""

    path: Path
    missing_figures: list[str] = field(default_factory=list)
    undescribed_figures: list[str] = field(default_factory=list)


def load_summary(out_dir: Path) -> dict:
    """OUT_DIR/summary.json, or a one-line input error naming what is wrong."""
    path = Path(out_dir) / "summary.json"
    if not Path(out_dir).is_dir():
        raise SiznoInputError("OUT_DIR", f"'{out_dir}' is not a folder", "a folder written by sizno reproduce")
    if not path.is_file():
        raise SiznoInputError("OUT_DIR", f"no summary.json in '{out_dir}'", "a folder written by sizno reproduce")
    try:
        summary = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise SiznoInputError("summary.json", f"not valid JSON ({exc.msg}, line {exc.lineno})", "JSON written by sizno reproduce") from None
    if not isinstance(summary, dict) or not isinstance(summary.get("records"), list):
        raise SiznoInputError("summary.json", "has no 'records' list", "JSON written by sizno reproduce")
    for i, r in enumerate(summary["records"]):
        if not isinstance(r, dict) or "id" not in r or "role" not in r:
            raise SiznoInputError("summary.json", f"record {i} lacks 'id' or 'role'", "records as sizno reproduce writes them")
    return summary


def enrich(record: dict) -> dict:
    """A record with area, section and where filled in when the summary lacks them."""
    r = dict(record)
    r.setdefault("area", area_of(r["id"]))
    r["section"] = r.get("section") or section_of(r["id"])
    r["where"] = r.get("where") or where_of(r["id"])
    return r


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return "—"
    text = f"{v:.4g}"
    return f"{text} {unit}".strip() if unit and unit != "-" else text


def _band(r: dict) -> str:
    """The model's band where the record carries one: 'band' [low, high] or model_low / model_high."""
    band = r.get("band")
    lo, hi = (band[0], band[1]) if isinstance(band, (list, tuple)) and len(band) == 2 else (r.get("model_low"), r.get("model_high"))
    if lo is None or hi is None:
        return ""
    return f"[{_fmt(lo)}, {_fmt(hi)}]"


def paper_text(r: dict) -> str:
    """The paper's number, or its range where it states one."""
    rng = paper_range(r)
    if rng is not None:
        return f"{_fmt(rng[0])} – {_fmt(rng[1], r.get('unit', ''))}"
    return _fmt(r.get("paper"), r.get("unit", ""))


def _row(r: dict) -> dict:
    off = off_by(r)
    within = is_within(r)
    return {
        "id": r["id"], "quantity": r.get("quantity", ""), "unit": r.get("unit", ""),
        "paper": paper_text(r), "paper_sort": r.get("paper") if r.get("paper") is not None else "",
        "model": _fmt(r.get("model"), r.get("unit", "")), "model_sort": r.get("model") if r.get("model") is not None else "",
        "band": _band(r),
        "error": describe_error(r) if off is not None else "",
        # percent; "Infinity" (JavaScript's parseFloat reads it) when the model has no value
        "abs_error_percent": "" if off is None else (f"{100 * off:.6g}" if math.isfinite(off) else "Infinity"),
        "role": r["role"], "section": r["section"], "section_title": SECTION_TITLES.get(r["section"], r["section"]),
        "area": r.get("area", ""), "where": r.get("where", ""), "note": r.get("note", ""),
        "status": {True: "within", False: "off", None: "uncounted"}[within],
    }


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _environment():
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("sizno.reproduce", "templates"),
                              autoescape=jinja2.select_autoescape(["html", "j2"]),
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def report_context(summary: dict, out_dir: Path) -> tuple[dict, ReportResult]:
    """Everything the template shows; the figures are read from out_dir."""
    out_dir = Path(out_dir)
    records = [enrich(r) for r in summary["records"]]
    st = standing(records)
    result = ReportResult(path=out_dir / REPORT_NAME)
    figures: dict[str, list[dict]] = {}
    for name in summary.get("figures", []):
        name = Path(str(name)).name
        section, alt, described = figure_info(name)
        if not described:
            result.undescribed_figures.append(name)
        path = out_dir / name
        if not path.is_file():
            result.missing_figures.append(name)
            continue
        figures.setdefault(section, []).append({"name": name, "alt": alt, "src": _data_uri(path)})
    rows = [_row(r) for r in records]
    sections = []
    for key, title, paper_figures in SECTIONS:
        sec_rows = [row for row in rows if row["section"] == key]
        if not sec_rows and not figures.get(key) and key == "other":
            continue
        sections.append({"key": key, "title": title, "paper_figures": paper_figures, "rows": sec_rows,
                         "figures": figures.get(key, [])})
    prov = summary.get("provenance") or {}
    seconds = prov.get("seconds_by_area") or summary.get("seconds") or {}
    settings = prov.get("settings") or ("quick" if summary.get("quick") else "full")
    not_reproduced = [dict(b, error=describe_error(b), model_text=_fmt(b.get("model"), b.get("unit", "")),
                           paper_text=paper_text(b),
                           section_title=SECTION_TITLES.get(b["section"], b["section"])) for b in st["not_reproduced"]]
    ctx = {
        "standing": st,
        "calibration_percent": f"{100 * CALIBRATION_TOLERANCE:g}",
        "validation_percent": f"{100 * VALIDATION_TOLERANCE:g}",
        "worst": [b for b in not_reproduced if b["role"] == "validation"][:3],
        "not_reproduced": not_reproduced,
        "sections": sections,
        "rows": rows,
        "roles": [r for r in ROLES if any(row["role"] == r for row in rows)],
        "section_options": [(s["key"], s["title"]) for s in sections if s["rows"]],
        "provenance": {
            "sizno_version": prov.get("sizno_version", "unknown"),
            "git_commit": prov.get("git_commit", "unknown"),
            "parameter_files_sha256": prov.get("parameter_files_sha256", {}),
            "date_utc": prov.get("date_utc", "unknown"),
            "settings": settings,
            "seconds_by_area": {k: f"{float(v):.1f}" for k, v in seconds.items()},
            "areas": summary.get("areas", []),
        },
        "missing_figures": result.missing_figures,
        "undescribed_figures": result.undescribed_figures,
    }
    return ctx, result


def build_report(out_dir: Path, summary: dict | None = None) -> ReportResult:
    """Write OUT_DIR/report.html from OUT_DIR/summary.json (or `summary`) and the figures beside it."""
    out_dir = Path(out_dir)
    summary = summary if summary is not None else load_summary(out_dir)
    ctx, result = report_context(summary, out_dir)
    html = _environment().get_template("report.html.j2").render(**ctx)
    tmp = result.path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(result.path)
    return result
