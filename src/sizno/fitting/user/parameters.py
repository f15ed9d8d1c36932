"""Which parameters a half-cell fit to a cycler file may free, and resolving the user's names for them."""

from __future__ import annotations

import functools

import pybamm

from sizno.errors import SiznoInputError
from sizno.models.half_cell import HalfCellModel
from sizno.models.parameters import ParameterSet, load_parameter_set


def free_parameter_names(pset: ParameterSet | None = None) -> list[str]:
    """The free parameters a half-cell fit can free (see :func:`half_cell_parameter_names`)."""
    pset = pset or load_parameter_set()
    return [n for n in pset.fitted_names() if n in half_cell_parameter_names()]


@functools.lru_cache(maxsize=1)
def half_cell_parameter_names() -> frozenset[str]:
    """Names of the parameters the half-cell model's measured outputs depend on, read from the model itself:
    its equations (rhs, algebraic, initial and boundary conditions, events) and its voltage. A cathode
    parameter (the half cell has none) or one only an unmeasured output reads (the electrode thickness)
    is not among them, so a fit to a cycler file never frees it."""
    m = HalfCellModel()
    exprs = [*m.rhs.values(), *m.algebraic.values(), *m.initial_conditions.values(),
             *(v for d in m.boundary_conditions.values() for v, _ in d.values()), *(e.expression for e in m.events),
             *(m.variables[k] for k in ("Voltage [V]", "Voltage vs Li-In [V]", "Battery voltage [V]") if k in m.variables)]
    return frozenset(s.name for e in exprs for s in e.pre_order() if isinstance(s, (pybamm.Parameter, pybamm.FunctionParameter)))


def _resolve_one(requested: str, free: list[str], other: list[str]) -> str:
    """One requested name: a full free name, or a case-insensitive fragment of exactly one."""
    hit = [requested] if requested in free else [n for n in free if requested.strip().lower() in n.lower()]
    if not hit:
        elsewhere = [n for n in other if requested == n or requested.strip().lower() in n.lower()]
        if len(elsewhere) == 1:
            raise SiznoInputError("--parameters", f"'{elsewhere[0]}' is not a parameter of the half cell's voltage or "
                                  "capacity (a full-cell/cathode parameter, or one only the electrode thickness reads)",
                                  "; ".join(free))
    if len(hit) != 1:
        why = "matches none of" if not hit else f"is ambiguous ({len(hit)} matches) among"
        raise SiznoInputError("--parameters", f"'{requested}' {why} the half cell's free parameters", "; ".join(free))
    return hit[0]


def resolve_parameter_names(requested: list[str] | None, pset: ParameterSet) -> list[str]:
    """Full names, or case-insensitive fragments that match exactly one free parameter of the half cell.
    Default: every free parameter the half cell's voltage and capacity depend on."""
    free = free_parameter_names(pset)
    other = [n for n in pset.fitted_names() if n not in free]
    if not requested:
        return list(free)
    out: list[str] = []
    for r in requested:
        name = _resolve_one(r, free, other)
        if name not in out:
            out.append(name)
    return out


def held_values(pset: ParameterSet, fitted: list[str]) -> dict[str, float]:
    """The values the free parameters not fitted are held at; each needs a value in `pset`."""
    held = {}
    for n in pset.fitted_names():
        if n in fitted:
            continue
        v = pset.entries[n].value
        if v is None:
            raise SiznoInputError("--parameters", f"'{n}' is held but has no value (no calibrated set: run `sizno calibrate`)",
                                  "fit it too, or pass --start FILE with its value")
        held[n] = float(v)
    return held
