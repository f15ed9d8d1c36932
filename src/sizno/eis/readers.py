"""Readers for measured impedance spectra: CSV/TSV tables, CH Instruments text exports, BioLogic .mpt
(EC-Lab ASCII), Gamry .DTA, and a folder of such files as one series.

Every reader returns `ImpedanceSpectrum`s whose `notes` say what was detected (format, instrument,
sign convention of the imaginary column, units, repairs). Units are read from the column headers
(Hz/kHz/MHz/mHz; ohm/mohm/kohm/Mohm) and converted to Hz and ohm; area-normalised impedance and
unknown units are rejected. A file holding several sweeps (frequency jumps back up) is split.
Anything unreadable raises `SiznoInputError` naming the file and what was wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from sizno.eis.spectrum import MIN_POINTS, ImpedanceSpectrum
from sizno.errors import SiznoInputError

SUFFIXES = (".csv", ".tsv", ".txt", ".mpt", ".dta", ".dat")

_FREQ_UNITS = {"hz": 1.0, "khz": 1e3, "MHz": 1e6, "mHz": 1e-3}
_OHM_UNITS = {"ohm": 1.0, "mohm": 1e-3, "kohm": 1e3, "Mohm": 1e6}


DEFAULT_MAX_SPECTRA = 1000
DEFAULT_MAX_POINTS = 2000


@dataclass(frozen=True)
class SweepLimits:
    """Bounds on the work one file can cause: which sweeps (1-based, inclusive), how many spectra at most
    (more is an error that names the options), and how many points per sweep (more are thinned, said)."""

    sweeps: tuple[int, int | None] | None = None
    max_spectra: int = DEFAULT_MAX_SPECTRA
    max_points: int = DEFAULT_MAX_POINTS


def parse_sweeps(text: str | None) -> tuple[int, int | None] | None:
    """'1-10' → (1, 10); '5' → (5, 5); '3-' → (3, None); None → None."""
    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d+)\s*(?:(-)\s*(\d+)?)?\s*", str(text))
    if not m or int(m.group(1)) < 1 or (m.group(3) and int(m.group(3)) < int(m.group(1))):
        raise SiznoInputError("--sweeps", f"'{text}'", "N or N-M (1-based, M >= N), e.g. 1-10, 5, 3-")
    a = int(m.group(1))
    if m.group(2) is None:
        return a, a
    return a, int(m.group(3)) if m.group(3) else None


# --------------------------------------------------------------------------- columns and units
@dataclass
class _Col:
    index: int
    kind: str  # freq | re | im | mod | phase
    negated: bool
    scale: float
    unit: str


def _unit_token(header: str) -> str | None:
    """The unit written in a header: after '/', inside [...], or inside a trailing (...) that is not Z/Y."""
    m = re.search(r"/\s*([^/\s,;]+)\s*$|\[([^\]]+)\]|\(([^()]+)\)\s*$", header)
    if not m:
        return None
    tok = next(g for g in m.groups() if g)
    return None if tok.strip().lower() in ("z", "y", "") else tok.strip()


def _unit_scale(header: str, kind: str, source: str) -> tuple[float, str]:
    h = header.replace("Ω", "ohm").replace("Ohm", "ohm").replace("OHM", "ohm").replace("µ", "u")
    if kind == "freq":
        if re.search(r"rad\s*/\s*s|rad\s*s", h, re.I):
            return 1 / (2 * np.pi), "rad/s (angular; converted to Hz)"
        m = re.search(r"(?<![A-Za-z])([kKmM]?)(hz|Hz|HZ)\b", h)
        if not m:
            if _unit_token(h):
                raise SiznoInputError(source, f"unknown frequency unit in column '{header.strip()}'", "Hz, kHz, MHz, mHz, rad/s")
            return 1.0, "Hz (assumed)"
        p = m.group(1)
        return {"k": (1e3, "kHz"), "K": (1e3, "kHz"), "M": (1e6, "MHz"), "m": (1e-3, "mHz")}.get(p, (1.0, "Hz"))
    if kind == "phase":
        if re.search(r"rad", h, re.I):
            return 1.0, "rad"
        return np.pi / 180, "deg"
    if re.search(r"ohm\s*[·*.]?\s*c?m\s*(\^?2|²)|ohm\s*cm2", h, re.I):
        raise SiznoInputError(source, f"column '{header.strip()}' is area-normalised impedance", "ohm, mohm, kohm, Mohm (multiply by the electrode area first)")
    m = re.search(r"(?<![A-Za-z])([kKmMu]?)ohm", h)
    if not m:
        if _unit_token(h):
            raise SiznoInputError(source, f"unknown impedance unit in column '{header.strip()}'", "ohm, mohm, kohm, Mohm")
        return 1.0, "ohm (assumed)"
    p = m.group(1)
    return {"k": (1e3, "kohm"), "K": (1e3, "kohm"), "M": (1e6, "Mohm"), "m": (1e-3, "mohm"), "u": (1e-6, "uohm")}.get(p, (1.0, "ohm"))


def _classify(header: str) -> tuple[str, bool] | None:
    h = header.strip().strip('"').strip()
    low = h.lower().replace(" ", "")
    neg = low.startswith("-") or low.startswith("−") or "-im" in low or "-z''" in low or '-z"' in low or "neg" in low
    if re.match(r"^(freq|frequency|f)\b|^freq|^f/|^f\(|^f\[", low):
        return "freq", False
    if re.search(r"phase|phz|phi|theta|^ph", low):
        return "phase", neg
    if re.search(r"\|z\||zmod|mod\(?z|^\|?z\|?/|^z/ohm|^z\(ohm|^z\[ohm|^z$|magnitude|modulus", low) and not re.search(r"z'|z\"|re|im", low):
        return "mod", False
    if re.search(r"im\(z\)|imag|^-?im\b|^-?im[z(/_\[]|z''|z\"|zimag|z_im|zim|^-?zi\b|^-?x\b|reactance", low):
        return "im", neg
    if re.search(r"re\(z\)|real|^re\b|^re[z(/_\[]|z'|zreal|z_re|zre|^zr\b|^r\b|resistance", low):
        return "re", neg
    return None


def _columns(headers: list[str], source: str) -> dict[str, _Col]:
    cols: dict[str, _Col] = {}
    for i, h in enumerate(headers):
        c = _classify(h)
        if c is None or c[0] in cols:
            continue
        kind, neg = c
        scale, unit = _unit_scale(h, kind, source)
        cols[kind] = _Col(i, kind, neg, scale, unit)
    if "freq" not in cols:
        raise SiznoInputError(source, f"no frequency column among {headers}", "a column named like 'freq/Hz', 'Frequency (Hz)'")
    if not ({"re", "im"} <= cols.keys() or {"mod", "phase"} <= cols.keys()):
        raise SiznoInputError(source, f"no Re/Im (or |Z|/phase) columns among {headers}", "columns like Re(Z)/Ohm and -Im(Z)/Ohm, or Z'/ohm and Z''/ohm")
    return cols


# --------------------------------------------------------------------------- tables
def _split_fields(line: str, delim: str | None) -> list[str]:
    if delim is None:
        return line.split()
    return [f.strip() for f in line.split(delim)]


def _detect_delim(lines: list[str]) -> str | None:
    sample = [ln for ln in lines if ln.strip()][:20]
    for d in ("\t", ";", ","):
        counts = [ln.count(d) for ln in sample]
        if counts and min(counts) >= 1 and len(set(counts[-5:])) == 1:
            return d
    return None


def _to_float(field: str, decimal_comma: bool) -> float:
    f = field.strip().strip('"')
    if decimal_comma:
        f = f.replace(".", "").replace(",", ".") if re.match(r"^-?\d{1,3}(\.\d{3})+,\d+", f) else f.replace(",", ".")
    return float(f)


def _parse_fast(lines: list[str], delim: str | None, width: int | None) -> np.ndarray | None:
    """All-numeric tables through pandas' C parser (memory ~ the numbers, not Python lists); None when the
    table needs the tolerant line-by-line parser (text cells, footers, leading delimiters, ragged rows)."""
    import io

    import pandas as pd

    body = [ln for ln in lines if ln.strip()]
    if not body or (delim is not None and body[0].startswith(delim)):
        return None
    try:
        df = pd.read_csv(io.BytesIO("\n".join(body).encode("utf-8")), sep=delim if delim is not None else r"\s+", header=None,
                         dtype=float, engine="c" if delim is not None else "python", skip_blank_lines=True, quotechar='"')
    except (ValueError, pd.errors.ParserError):
        return None
    a = df.to_numpy(dtype=float)
    if width is not None:
        if a.shape[1] > width and np.isnan(a[:, width:]).all():
            a = a[:, :width]
        elif a.shape[1] < width:
            a = np.hstack([a, np.full((a.shape[0], width - a.shape[1]), np.nan)])
        elif a.shape[1] != width:
            return None
    return a


def _parse_table(lines: list[str], source: str, headers: list[str] | None, delim: str | None) -> np.ndarray:
    rows = []
    decimal_comma = delim in ("\t", ";", None) and any(re.search(r"\d,\d", ln) for ln in lines[:50])
    width = len(headers) if headers else None
    fast = _parse_fast(lines, delim, width) if not decimal_comma else None
    if fast is not None:
        return fast
    for k, ln in enumerate(lines):
        if not ln.strip():
            continue
        fields = _split_fields(ln.rstrip("\n"), delim)
        if delim == "\t" and fields and fields[0] == "" and headers and headers[0] != "":
            fields = fields[1:]
        try:
            vals = [_to_float(f, decimal_comma) if f.strip() else np.nan for f in fields]
        except ValueError:
            if rows:  # text after the table (e.g. a footer): stop
                break
            raise SiznoInputError(source, f"non-numeric value in data row {k + 1}: '{ln.strip()[:60]}'", "numbers") from None
        if width is not None and len(vals) < width:
            vals += [np.nan] * (width - len(vals))
        rows.append(vals[:width] if width else vals)
    if not rows:
        raise SiznoInputError(source, "no data rows", "a table of numbers")
    n = max(len(r) for r in rows)
    return np.array([r + [np.nan] * (n - len(r)) for r in rows], dtype=float)


def _spectra_from_table(
    data: np.ndarray,
    cols: dict[str, _Col],
    source: str,
    notes: list[str],
    metadata: dict,
    imag_convention: str | None = None,
    limits: SweepLimits | None = None,
) -> list[ImpedanceSpectrum]:
    limits = limits or SweepLimits()
    f = data[:, cols["freq"].index] * cols["freq"].scale
    units = [f"frequency in {cols['freq'].unit}"]
    if "re" in cols and "im" in cols:
        re_c, im_c = cols["re"], cols["im"]
        zr = data[:, re_c.index] * re_c.scale * (-1 if re_c.negated else 1)
        zi = data[:, im_c.index] * im_c.scale
        units.append(f"Re in {re_c.unit}, Im in {im_c.unit}")
        if re_c.unit.split()[0] != im_c.unit.split()[0]:
            notes.append(f"mixed units: Re in {re_c.unit}, Im in {im_c.unit}; both converted to ohm")
        conv = imag_convention or ("-Z" if im_c.negated else "auto")
    else:
        mod_c, ph_c = cols["mod"], cols["phase"]
        mag = data[:, mod_c.index] * mod_c.scale
        ph = data[:, ph_c.index] * ph_c.scale * (-1 if ph_c.negated else 1)
        zr, zi = mag * np.cos(ph), mag * np.sin(ph)
        units.append(f"|Z| in {mod_c.unit}, phase in {ph_c.unit}")
        conv = imag_convention or ("-Z" if ph_c.negated else "auto")
    notes.append("units: " + "; ".join(units))
    if any("(assumed)" in u for u in units):
        notes.append("units: some headers state no unit; Hz and ohm assumed")

    # drop rows that are not impedance points (f = 0 or blank in mixed technique files)
    finite_f = np.isfinite(f)
    nonimp = ~finite_f | (f == 0)
    if nonimp.any() and (~nonimp).sum() >= MIN_POINTS:
        notes.append(f"skipped {int(nonimp.sum())} row(s) with no frequency (f blank or 0: not impedance points)")
        f, zr, zi = f[~nonimp], zr[~nonimp], zi[~nonimp]

    # several sweeps in one file: split where the frequency jumps back
    pieces = _split_sweeps(f)
    n_all = len(pieces)
    if n_all > 1:
        notes.append(f"{n_all} frequency sweeps in one file; read as a series")
    numbers = list(range(1, n_all + 1))
    if limits.sweeps is not None:
        a, b = limits.sweeps
        if a > n_all:
            raise SiznoInputError(source, f"--sweeps {a}{'-' + str(b) if b != a else ''}: the file holds {n_all} sweep(s)",
                                  f"sweeps within 1-{n_all}")
        b = n_all if b is None else min(b, n_all)
        pieces, numbers = pieces[a - 1:b], numbers[a - 1:b]
        notes.append(f"sweeps {a}–{b} of {n_all} read (--sweeps)")
    if len(pieces) > limits.max_spectra:
        raise SiznoInputError(source, f"holds {n_all} sweeps, more than the limit of {limits.max_spectra} spectra per run",
                              f"--sweeps 1-{limits.max_spectra} to take some, or --max-spectra {len(pieces)} to take them all")
    out = []
    for k, sl in zip(numbers, pieces):
        k -= 1
        npts = sl.stop - sl.start
        if npts > limits.max_points:
            idx = np.unique(np.round(np.linspace(sl.start, sl.stop - 1, limits.max_points)).astype(int))
            notes_k = notes + [f"sweep {k + 1} has {npts} points, more than --max-points {limits.max_points}: thinned to "
                               f"{idx.size} evenly spaced along the sweep"]
            sl = idx
        else:
            notes_k = notes
        meta = dict(metadata)
        if n_all > 1:
            meta["sweep"] = k + 1
            meta["name"] = f"{metadata.get('name', Path(source).stem)}#{k + 1}"
        if conv == "auto" and out:
            conv_k = out[0].metadata["imag_convention_in"]  # one convention per file
            spec = ImpedanceSpectrum.from_arrays(f[sl], z_real_ohm=zr[sl], z_imag_ohm=zi[sl], imag_convention=conv_k, metadata=meta, notes=notes_k, source=source)
        else:
            spec = ImpedanceSpectrum.from_arrays(f[sl], z_real_ohm=zr[sl], z_imag_ohm=zi[sl], imag_convention=conv, metadata=meta, notes=notes_k, source=source)
        out.append(spec)
    return out


def _split_sweeps(f: np.ndarray) -> list[slice]:
    """Split at reversals of a sweep's direction, when every piece would have >= MIN_POINTS points
    and the pieces overlap in frequency (true repeated sweeps); otherwise one piece (sorted later)."""
    if f.size < 2 * MIN_POINTS:
        return [slice(0, f.size)]
    ratio = f[1:] / f[:-1]
    desc = np.median(ratio) < 1
    breaks = np.flatnonzero(ratio > 1.5) + 1 if desc else np.flatnonzero(ratio < 1 / 1.5) + 1
    if breaks.size == 0:
        return [slice(0, f.size)]
    edges = [0, *breaks.tolist(), f.size]
    pieces = [slice(a, b) for a, b in zip(edges, edges[1:])]
    if min(p.stop - p.start for p in pieces) < MIN_POINTS:
        return [slice(0, f.size)]
    return pieces


# --------------------------------------------------------------------------- formats
def _read_text(path: Path) -> list[str]:
    from sizno.io.text import decode_text, is_text

    raw = path.read_bytes()
    if not is_text(raw[:65536]):
        raise SiznoInputError(str(path), "binary file", "a text export (CSV, CHI .txt, BioLogic .mpt, Gamry .DTA) in UTF-8, UTF-16 or Latin-1")
    return decode_text(raw)[0].splitlines()


def read_biologic_mpt(path: Path, lines: list[str] | None = None, limits: SweepLimits | None = None) -> list[ImpedanceSpectrum]:
    src = str(path)
    lines = lines if lines is not None else _read_text(path)
    n_header = None
    for ln in lines[:5]:
        m = re.match(r"\s*Nb header lines\s*:\s*(\d+)", ln)
        if m:
            n_header = int(m.group(1))
    if n_header is None:
        # "EC-Lab ASCII FILE" missing or no header count: the column header is the first line with 'freq'
        n_header = next((i + 1 for i, ln in enumerate(lines) if "freq" in ln.lower()), None)
        if n_header is None:
            raise SiznoInputError(src, "no 'Nb header lines' and no column header", "an EC-Lab ASCII export (.mpt) of an impedance technique")
    headers = [h.strip() for h in lines[n_header - 1].split("\t")]
    cols = _columns(headers, src)
    data = _parse_table(lines[n_header:], src, headers, "\t")
    meta = {"source": src, "name": path.stem, "format": "BioLogic EC-Lab .mpt"}
    for ln in lines[: n_header - 1]:
        if ln.startswith("Technique") or ln.startswith("Device"):
            meta[ln.split(":")[0].strip().lower()] = ln.split(":", 1)[-1].strip()
    notes = ["format: BioLogic EC-Lab ASCII (.mpt)"]
    return _spectra_from_table(data, cols, src, notes, meta, limits=limits)


def read_gamry_dta(path: Path, lines: list[str] | None = None, limits: SweepLimits | None = None) -> list[ImpedanceSpectrum]:
    src = str(path)
    lines = lines if lines is not None else _read_text(path)
    start = next((i for i, ln in enumerate(lines) if ln.split("\t")[0].strip().upper() == "ZCURVE"), None)
    if start is None:
        raise SiznoInputError(src, "no ZCURVE table", "a Gamry .DTA file from an impedance experiment (EISPOT/EISGALV)")
    headers = [h.strip() for h in lines[start + 1].split("\t")]
    if headers and headers[0] == "":
        headers = headers[1:]
    # Gamry: Freq, Zreal, Zimag (Im Z, physical sign), Zmod, Zphz; row 2 holds units
    cols = _columns(headers, src)
    unit_row = [u.strip() for u in lines[start + 2].split("\t")]
    if unit_row and unit_row[0] == "":
        unit_row = unit_row[1:]
    for c in cols.values():
        if c.index < len(unit_row) and c.kind in ("freq", "re", "im", "mod"):
            scale, unit = _unit_scale(unit_row[c.index], c.kind, src)
            c.scale, c.unit = scale, unit
    body = []
    for ln in lines[start + 3 :]:
        if not ln.startswith("\t") and ln.strip() and not re.match(r"^\s*-?\d", ln):
            break  # next block (e.g. EXPERIMENTABORTED)
        body.append(ln)
    data = _parse_table(body, src, headers, "\t")
    meta = {"source": src, "name": path.stem, "format": "Gamry .DTA"}
    for ln in lines[:start]:
        parts = ln.split("\t")
        if parts[0] in ("TAG", "TITLE", "DATE", "TIME") and len(parts) > 2:
            meta[parts[0].lower()] = parts[2].strip()
    notes = ["format: Gamry .DTA (ZCURVE table)"]
    conv = "-Z" if cols["im"].negated else "Z"  # Gamry Zimag is Im Z, physical sign
    return _spectra_from_table(data, cols, src, notes, meta, imag_convention=conv, limits=limits)


def read_chi(path: Path, lines: list[str] | None = None, limits: SweepLimits | None = None) -> list[ImpedanceSpectrum]:
    src = str(path)
    lines = lines if lines is not None else _read_text(path)
    start = next((i for i, ln in enumerate(lines) if re.match(r'\s*"?Freq/Hz', ln)), None)
    if start is None:
        raise SiznoInputError(src, "no 'Freq/Hz' table header", "a CH Instruments A.C. Impedance text export")
    delim = "," if "," in lines[start] else ("\t" if "\t" in lines[start] else None)
    headers = _split_fields(lines[start], delim)
    cols = _columns(headers, src)
    data = _parse_table(lines[start + 1 :], src, headers, delim)
    meta = {"source": src, "name": path.stem, "format": "CH Instruments text"}
    for ln in lines[:start]:
        if ":" in ln and ln.split(":")[0].strip() in ("Instrument Model", "File", "Data Source"):
            meta[ln.split(":")[0].strip().lower().replace(" ", "_")] = ln.split(":", 1)[1].strip()
        m = re.match(r"\s*(Init E \(V\)|High Frequency \(Hz\)|Low Frequency \(Hz\)|Amplitude \(V\))\s*=\s*(\S+)", ln)
        if m:
            meta[m.group(1)] = m.group(2)
    notes = [f"format: CH Instruments A.C. Impedance export ({meta.get('instrument_model', 'model not stated')})"]
    return _spectra_from_table(data, cols, src, notes, meta, limits=limits)


def read_table(path: Path, lines: list[str] | None = None, limits: SweepLimits | None = None) -> list[ImpedanceSpectrum]:
    """Delimited text (comma, semicolon, tab or whitespace) with a header row naming frequency and
    Re/Im (or |Z|/phase) columns, or exactly three unnamed numeric columns (f, Re, Im)."""
    src = str(path)
    lines = lines if lines is not None else _read_text(path)
    lines = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise SiznoInputError(src, "empty file", "a table of frequency, Re Z, Im Z")
    delim = _detect_delim(lines)
    first = _split_fields(lines[0], delim)
    is_header = any(re.search(r"[A-DF-Za-df-z]", f) for f in first)  # letters other than e/E (exponents)
    meta = {"source": src, "name": path.stem, "format": "delimited table"}
    notes = [f"format: delimited table ({ {',': 'comma', ';': 'semicolon', chr(9): 'tab', None: 'whitespace'}[delim] }-separated)"]
    if is_header:
        headers = first
        cols = _columns(headers, src)
        data = _parse_table(lines[1:], src, headers, delim)
    else:
        data = _parse_table(lines, src, None, delim)
        if data.shape[1] != 3:
            raise SiznoInputError(src, f"no header and {data.shape[1]} columns", "a header row, or exactly 3 columns: frequency [Hz], Re Z [ohm], Im Z [ohm]")
        cols = {"freq": _Col(0, "freq", False, 1.0, "Hz (assumed)"), "re": _Col(1, "re", False, 1.0, "ohm (assumed)"), "im": _Col(2, "im", False, 1.0, "ohm (assumed)")}
        notes.append("no header: columns taken as frequency, Re Z, Im Z")
    return _spectra_from_table(data, cols, src, notes, meta, limits=limits)


def read_spectra(path: str | Path, limits: SweepLimits | None = None) -> list[ImpedanceSpectrum]:
    """All spectra in one file (usually one; several when the file holds several sweeps), or in a folder.
    `limits` bounds the work (which sweeps, how many spectra, how many points per sweep)."""
    p = Path(path)
    if not p.exists():
        raise SiznoInputError(str(path), "file not found", "an existing file or folder")
    if p.is_dir():
        return read_folder(p, limits=limits)
    _refuse_cycling(p)
    lines = _read_text(p)
    head = "\n".join(lines[:60])
    suffix = p.suffix.lower()
    if suffix == ".mpt" or "EC-Lab ASCII FILE" in head or "Nb header lines" in head:
        return read_biologic_mpt(p, lines, limits)
    if suffix == ".dta" or re.search(r"^ZCURVE\t", head, re.M):
        return read_gamry_dta(p, lines, limits)
    if re.search(r'^\s*"?Freq/Hz', head, re.M) or "A.C. Impedance" in head:
        return read_chi(p, lines, limits)
    return read_table(p, lines, limits)


def _refuse_cycling(p: Path) -> None:
    """A tester's cycling export (or an EC-Lab cycling technique) given where a spectrum is wanted: one clear line."""
    from sizno.io.detect import detect_format

    try:
        det = detect_format(p)
    except SiznoInputError:
        return  # binary/unknown: the text reader says what is wrong
    if det.tester in ("land", "neware", "biologic", "arbin", "maccor", "bdf"):
        raise SiznoInputError(str(p), f"a cycling export ({det.tester} {det.format}: {det.reason}), not an impedance spectrum",
                              "a spectrum with frequency and Re/Im Z (or |Z|/phase) columns; for cycling data use `sizno analyze FILE`")


def read_spectrum(path: str | Path, sweep: int | None = None) -> ImpedanceSpectrum:
    """Exactly one spectrum from one file; `sweep` (1-based) picks one of several."""
    specs = read_spectra(path, SweepLimits(sweeps=(sweep, sweep)) if sweep is not None else None)
    if len(specs) != 1:
        raise SiznoInputError(str(path), f"holds {len(specs)} sweeps and one is fitted at a time",
                              f"--sweep K with K in 1..{len(specs)} (Python: read_spectrum(path, sweep=K))")
    return specs[0]


def _natural_key(p: Path):
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", p.name)]


def read_folder(folder: str | Path, suffixes: Iterable[str] = SUFFIXES, limits: SweepLimits | None = None) -> list[ImpedanceSpectrum]:
    """Every impedance file in a folder (natural name order: 2 before 10) as one series."""
    d = Path(folder)
    if not d.is_dir():
        raise SiznoInputError(str(folder), "not a folder", "a folder of spectra")
    files = sorted((f for f in d.iterdir() if f.is_file() and f.suffix.lower() in tuple(suffixes)), key=_natural_key)
    if not files:
        raise SiznoInputError(str(folder), "no spectrum files", "files ending in " + ", ".join(suffixes))
    lim = limits or SweepLimits()
    out: list[ImpedanceSpectrum] = []
    for f in files:
        out.extend(read_spectra(f, lim))
        if len(out) > lim.max_spectra:
            raise SiznoInputError(str(folder), f"more than the limit of {lim.max_spectra} spectra per run (reached at {f.name})",
                                  "--max-spectra N to raise it, or a folder with fewer files")
    return out
