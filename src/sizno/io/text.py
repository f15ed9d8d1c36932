"""Text encodings of instrument exports: UTF-8 (with or without BOM), UTF-16 (BOM, or the
zero-byte pattern of a BOM-less file), else Windows-1252 / Latin-1. One helper for every reader."""

from __future__ import annotations

import codecs


def sniff_encoding(raw: bytes) -> str:
    """Python codec name for these bytes (only the first 64 kB are looked at for UTF-16)."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    sample = raw[:65536]
    if len(sample) >= 8:
        half = len(sample) // 2
        odd_zero = sample[1::2].count(0) / half
        even_zero = sample[0::2].count(0) / half
        if odd_zero > 0.4 and even_zero < 0.05:
            return "utf-16-le"
        if even_zero > 0.4 and odd_zero < 0.05:
            return "utf-16-be"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3 and len(raw) >= 65536:
            return "utf-8"  # a head cut inside a multi-byte character
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16 with BOM", "utf-16-le": "UTF-16 LE without BOM",
          "utf-16-be": "UTF-16 BE without BOM", "cp1252": "Windows-1252", "latin-1": "Latin-1"}


def decode_text(raw: bytes) -> tuple[str, str]:
    """(text, encoding label) of a whole file or a head of one; never raises."""
    enc = sniff_encoding(raw)
    return raw.decode(enc, errors="replace"), LABELS[enc]


def is_text(raw: bytes) -> bool:
    """True when the bytes are text in one of the encodings above (UTF-16 included)."""
    enc = sniff_encoding(raw)
    if enc.startswith("utf-16"):
        return True
    return b"\x00" not in raw[:4096]
