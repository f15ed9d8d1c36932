"""A cell design from its data file plus the user's overrides, with one-line errors on bad input."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from sizno.data import read_toml
from sizno.errors import SiznoInputError
from sizno.materials import Composite

CellT = TypeVar("CellT", bound=BaseModel)


def cell_from_data(cell_cls: type[CellT], data_file: str, keys: dict[str, str], composite: Composite,
                   overrides: dict, positive: tuple[str, ...], what: str) -> CellT:
    """`cell_cls` around `composite` with the values of `data_file` (its `keys` -> field names),
    each override (a field name; None = keep) replacing one; fields in `positive` must be > 0."""
    raw = read_toml(data_file)
    fields = {attr: raw[key]["value"] for key, attr in keys.items() if key in raw}
    for k, v in overrides.items():
        if v is None:
            continue
        if k not in keys.values():
            raise SiznoInputError(k, f"unknown {what} field", ", ".join(keys.values()))
        if k in positive and not (v > 0):
            raise SiznoInputError(k, f"must be positive, got {v}", "> 0")
        fields[k] = v
    try:
        return cell_cls(composite=composite, **fields)
    except SiznoInputError:
        raise
    except Exception as exc:
        err = getattr(exc, "errors", lambda: [])()
        if err:
            e = err[0]
            raise SiznoInputError(".".join(str(p) for p in e["loc"]) or what, e["msg"]) from None
        raise SiznoInputError(what, str(exc).splitlines()[0]) from None
