"""Which tester direction lithiates the Si-based working electrode: the half-cell language of io's outputs."""

from __future__ import annotations

from sizno.errors import SiznoInputError

ELECTRODES = ("half", "full-negative")


def half_cell_mapping(electrode: str = "half") -> dict[str, str]:
    """Which tester direction lithiates the working electrode, in words and as a sign."""
    if electrode == "half":
        return {"lithiation": "discharge", "delithiation": "charge", "lithiation_current_sign": "negative",
                "statement": "half cell vs Li/Li–In: tester discharge (current < 0, voltage falling) = lithiation of the "
                             "working electrode; tester charge = delithiation"}
    if electrode == "full-negative":
        return {"lithiation": "charge", "delithiation": "discharge", "lithiation_current_sign": "positive",
                "statement": "full cell with the Si-based electrode as negative: tester charge = lithiation of the Si "
                             "electrode; tester discharge = delithiation"}
    raise SiznoInputError("--electrode", f"unknown electrode role '{electrode}'", ", ".join(ELECTRODES))
