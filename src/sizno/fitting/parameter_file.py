"""The one writer of parameter TOML files (`sizno calibrate` and `sizno fit` both write through it).

A parameter file holds ``[values]`` (parameter name → value), which
:func:`sizno.models.parameters.load_parameter_set` and :func:`~sizno.models.parameters.fitted_values`
read, and a provenance table saying who wrote it and how: ``[about]`` for `sizno calibrate`
(the package's fitted.toml), ``[fit]`` for `sizno fit`. Further tables (uncertainties,
residuals) may follow. The layout of each writer is data (:class:`ParameterFile`), the
writing is here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import tomli_w

VALUES_TABLE = "values"  # the table the parameter loaders read


@dataclass(frozen=True)
class ParameterFile:
    """What one parameter file holds, in the order it is written.

    `provenance_table` names the metadata table (``about`` or ``fit``); with `provenance_first`
    it comes before ``[values]`` (calibrate's layout), else after it (fit's layout). `tables`
    are written after both, in their order.
    """

    values: Mapping[str, float]
    provenance_table: str
    provenance: Mapping[str, Any]
    provenance_first: bool = True
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        """The TOML document as a dict (tables in writing order)."""
        head = [(self.provenance_table, self.provenance), (VALUES_TABLE, self.values)]
        if not self.provenance_first:
            head.reverse()
        return {**dict(head), **self.tables}


def toml_clean(obj: Any) -> Any:
    """A TOML-writable copy: numpy scalars → Python numbers, None entries left out (TOML has no null)."""
    if isinstance(obj, dict):
        return {str(k): toml_clean(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, (list, tuple)):
        return [toml_clean(v) for v in obj if v is not None]
    if isinstance(obj, (np.floating, np.integer, np.bool_)):
        return obj.item()
    return obj


def write_parameter_file(content: ParameterFile, path: str | Path) -> Path:
    """Write `content` to `path` (its folder is created); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(toml_clean(content.document())))
    return path
