"""Summary records: quantity, paper, model, relative error, role — the shape of summary.json."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass


@dataclass
class Record:
    id: str
    quantity: str
    unit: str
    paper: float | None
    model: float | None
    role: str
    relative_error: float | None = None
    note: str = ""
    band: tuple[float, float] | None = None  # the model's range (low, high) where it has one, same unit

    def __post_init__(self):
        if self.model is not None and not math.isfinite(self.model):
            self.model = None
        if self.relative_error is None and self.paper not in (None, 0) and self.model is not None:
            self.relative_error = (self.model - self.paper) / self.paper

    def as_dict(self) -> dict:
        d = asdict(self)
        if not d["note"]:
            d.pop("note")
        if d["band"] is None:
            d.pop("band")
        else:
            d["band"] = [float(x) for x in d["band"]]
        return d
