"""The model's parameter set as validated data: "Name [unit]" entries with value, source, Ea."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, model_validator

from sizno.data import read_toml, read_user_toml
from sizno.errors import SiznoInputError
from sizno.units import arrhenius_factor

DEFAULT_SETS = ("parameters/dense-anode.toml", "parameters/ncm811.toml")  # anode, cathode
FITTED_SET = "parameters/fitted.toml"


class ParameterEntry(BaseModel):
    """One parameter: value at the reference temperature, its source, optional Arrhenius Ea."""

    value: float | None = None
    source: str = Field(min_length=3)
    activation_energy_eV: float | None = Field(default=None, ge=0)
    fitted: bool = False
    bounds: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _value_or_fitted(self):
        if self.value is None and not self.fitted:
            raise ValueError("a parameter that is not fitted needs a value")
        if self.bounds is not None and self.bounds[0] > self.bounds[1]:
            raise ValueError("bounds must be (low, high)")
        return self


class ParameterSet(BaseModel):
    """All model parameters; `at_temperature` gives SI values with Arrhenius factors applied."""

    reference_temperature_K: float = Field(gt=0)
    entries: dict[str, ParameterEntry]

    def value(self, name: str) -> float:
        e = self.entries[name]
        if e.value is None:
            raise SiznoInputError(name, "fitted parameter has no value; run `sizno calibrate`")
        return e.value

    def fitted_names(self) -> list[str]:
        return [k for k, e in self.entries.items() if e.fitted]

    def with_values(self, values: dict[str, float]) -> "ParameterSet":
        """A copy with some values replaced (used by fitting and sweeps)."""
        entries = dict(self.entries)
        for k, v in values.items():
            if k not in entries:
                raise SiznoInputError("parameter", f"unknown parameter '{k}'", "a name from dense-anode.toml")
            entries[k] = entries[k].model_copy(update={"value": float(v)})
        return ParameterSet(reference_temperature_K=self.reference_temperature_K, entries=entries)

    def at_temperature(self, temperature_K: float) -> dict[str, float]:
        """Values at `temperature_K`: every entry with an activation energy is Arrhenius-scaled."""
        out: dict[str, float] = {}
        for k, e in self.entries.items():
            v = self.value(k)
            if e.activation_energy_eV:
                v *= arrhenius_factor(e.activation_energy_eV, temperature_K, self.reference_temperature_K)
            out[k] = v
        return out


def _parse(raw: dict[str, Any]) -> ParameterSet:
    ref = raw.pop("reference_temperature_K", 298.15)
    try:
        return ParameterSet(reference_temperature_K=ref, entries={k: ParameterEntry(**v) for k, v in raw.items()})
    except Exception as exc:  # pydantic's message names the field
        raise SiznoInputError("parameter set", str(exc).splitlines()[0]) from None


def fitted_values(path: Path | None = None) -> dict[str, float]:
    """The calibrated values (`sizno calibrate` output), {} if none exist yet."""
    try:
        raw = read_user_toml(path) if path else read_toml(FITTED_SET)
    except FileNotFoundError:
        return {}
    return {k: float(v) for k, v in raw.get("values", {}).items()}


@lru_cache(maxsize=4)
def _default_set() -> ParameterSet:
    raws = [read_toml(name) for name in DEFAULT_SETS]
    merged = {k: v for raw in raws for k, v in raw.items()}
    pset = _parse(merged)
    fitted = fitted_values()
    return pset.with_values({k: v for k, v in fitted.items() if k in pset.entries}) if fitted else pset


def load_parameter_set(path: Path | str | None = None) -> ParameterSet:
    """The default set (with calibrated values), or a user's TOML that overrides some values.

    A user file may hold `[values]` (name → value, e.g. from `sizno fit`) and/or full entries.
    """
    base = _default_set()
    if path is None:
        return base
    raw = read_user_toml(path)
    values = {k: float(v) for k, v in raw.pop("values", {}).items()}
    for k, v in raw.items():
        if isinstance(v, dict) and "value" in v:
            values[k] = float(v["value"])
    return base.with_values(values)
