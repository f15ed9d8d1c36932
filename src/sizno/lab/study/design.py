"""A study design from TOML: variables, ranges, a sampler, what to keep; sampled into points.

    [study]
    name = "zno-fraction"
    cell = "half-cell"          # half-cell | full-cell | analytic:ishigami (a check function)
    protocol = "rate-test"      # built-in name or a protocol .toml (may also be a variable)
    mesh_points = 12
    [fixed]                     # optional: fixed values of design variables
    current_A_per_g = 5.0
    [sampler]
    method = "grid"             # grid | lhs | sobol (scipy.stats.qmc)
    size = 16                   # lhs/sobol: number of points
    seed = 0
    [[variable]]
    name = "zno_wt_pct"         # a design variable or a model parameter "Name [unit]"
    range = [0, 20]             # or values = [..]: levels crossed with the sampled points
    points = 5                  # grid: points along the range
    scale = "linear"            # or "log"
    [outputs]
    timeseries_cycles = [1]     # time series of these cycles kept as Parquet (the cycle table always)
    [outputs.records]           # named scalars per point, from the cycle table
    reversible_5A_mAh_per_g = { column = "delithiation_capacity_mAh_per_g", current_A_per_g = 5.0 }
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import warnings
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel as _Base, ConfigDict, Field, ValidationError

from sizno.data import read_user_toml
from sizno.errors import SiznoInputError

CELLS = ("half-cell", "full-cell", "analytic:ishigami")
SAMPLERS = ("grid", "lhs", "sobol")
# design variables (besides model parameters): name -> (accepted low, high, unit, cells)
DESIGN_VARIABLES: dict[str, tuple[float, float, str, tuple[str, ...]]] = {
    "zno_wt_pct": (0.0, 99.0, "wt %", ("half-cell", "full-cell")),
    "zinc_acetate_g": (0.0, 1e3, "g", ("half-cell", "full-cell")),
    "silicon_g": (1e-9, 1e3, "g", ("half-cell", "full-cell")),
    "thickness_um": (0.1, 1e4, "um", ("half-cell",)),
    "loading_mg_per_cm2": (1e-3, 1e3, "mg/cm2", ("half-cell",)),
    "mass_mg": (1e-3, 1e3, "mg", ("half-cell",)),
    "porosity": (0.0, 0.999, "-", ("half-cell",)),
    "temperature_C": (-39.0, 149.0, "degC", ("half-cell", "full-cell")),
    "current_A_per_g": (1e-6, 100.0, "A/g", ("half-cell",)),
    "c_rate": (1e-6, 20.0, "C", ("full-cell",)),
    "np_ratio": (1e-3, 10.0, "-", ("full-cell",)),
    "ncm_loading_mg_per_cm2": (1e-3, 100.0, "mg/cm2", ("full-cell",)),
    "cycles": (1, 10000, "repeats of each protocol block", ("half-cell", "full-cell")),
}
TEXT_VARIABLES = {"material": ("half-cell", "full-cell"), "protocol": ("half-cell", "full-cell")}
ANALYTIC_VARIABLES = {"analytic:ishigami": ("x1", "x2", "x3")}
ANALYTIC_RECORDS = {"analytic:ishigami": ("y",)}


class BaseModel(_Base):
    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not ignored


class Variable(BaseModel):
    name: str
    range: tuple[float, float] | None = None
    values: list[float | str] | None = None
    points: int = 5
    scale: Literal["linear", "log"] = "linear"


class Sampler(BaseModel):
    method: str = "grid"
    size: int = 8
    seed: int = 0


class RecordSpec(BaseModel):
    """One scalar per point: `column` of the cycle table at a cycle picked by `cycle` (1-based;
    negative from the end), or the last cycle at `current_A_per_g` / `c_rate`, else the last cycle."""

    column: str
    cycle: int | None = None
    current_A_per_g: float | None = None
    c_rate: float | None = None


class Outputs(BaseModel):
    timeseries_cycles: list[int] = Field(default_factory=list)
    records: dict[str, RecordSpec] = Field(default_factory=dict)


class StudyInfo(BaseModel):
    name: str = "study"
    cell: str = "half-cell"
    protocol: str | dict = "first-cycle"  # a name, a .toml path, or inline: {rates_A_per_g = [0.1, 5.0], cycles_per_rate = 1}
    mesh_points: int = Field(default=12, ge=5, le=1000)
    parameters: str | None = None  # a parameter TOML replacing values of the calibrated set


class Design(BaseModel):
    """The validated design (see the module doc for the file format)."""

    study: StudyInfo = Field(default_factory=StudyInfo)
    fixed: dict[str, float | str] = Field(default_factory=dict)
    sampler: Sampler = Field(default_factory=Sampler)
    variable: list[Variable] = Field(default_factory=list)
    outputs: Outputs = Field(default_factory=Outputs)

    # ------------------------------------------------------------------------------ identity
    def fingerprint(self, plan: dict | None = None) -> str:
        """A hash of everything that decides the points and their results (and the command's plan)."""
        files = {}  # a user's protocol or parameter file counts by its content, not only its name
        specs = [self.study.protocol, self.fixed.get("protocol"), self.study.parameters,
                 *[x for v in self.levels() if v.name == "protocol" for x in v.values or []]]
        for f in specs:
            if isinstance(f, str) and f.endswith(".toml") and Path(f).is_file():
                files[f] = hashlib.sha256(Path(f).read_bytes()).hexdigest()
        blob = json.dumps({"design": self.model_dump(mode="json"), "plan": plan or {}, "files": files}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @property
    def analytic(self) -> bool:
        return self.study.cell.startswith("analytic:")

    def ranged(self) -> list[Variable]:
        return [v for v in self.variable if v.range is not None]

    def levels(self) -> list[Variable]:
        return [v for v in self.variable if v.values is not None]

    # ------------------------------------------------------------------------------ points
    def points(self) -> list[dict[str, Any]]:
        """Every design point as {variable: value} (fixed values included), in a fixed order."""
        ranged, levels = self.ranged(), self.levels()
        s = self.sampler
        if not ranged:
            unit: list[list[float]] = [[]]
        elif s.method == "grid":
            axes = [[0.5] if v.points == 1 else [i / (v.points - 1) for i in range(v.points)] for v in ranged]
            unit = [list(p) for p in itertools.product(*axes)]
        else:
            from scipy.stats import qmc

            eng = (qmc.LatinHypercube(d=len(ranged), seed=s.seed) if s.method == "lhs"
                   else qmc.Sobol(d=len(ranged), scramble=True, seed=s.seed))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Sobol's balance note for sizes that are not powers of 2
                unit = eng.random(s.size).tolist()
        out = []
        for combo in itertools.product(*[v.values for v in levels]) if levels else [()]:
            for u in unit:
                p: dict[str, Any] = dict(self.fixed)
                p.update({v.name: x for v, x in zip(levels, combo)})
                p.update({v.name: scale_unit(v, x) for v, x in zip(ranged, u)})
                out.append(p)
        return out


def scale_unit(v: Variable, u: float) -> float:
    """Map u in [0, 1] onto the variable's range (linear or logarithmic)."""
    lo, hi = v.range  # type: ignore[misc]
    if v.scale == "log":
        return float(math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))))
    x = lo + u * (hi - lo)
    return int(round(x)) if v.name == "cycles" else float(x)


def point_key(values: dict[str, Any]) -> str:
    """A stable key of a point's values (floats to 12 significant digits)."""
    canon = {k: (float(f"{v:.12g}") if isinstance(v, float) else v) for k, v in sorted(values.items())}
    return json.dumps(canon, sort_keys=True)


def parameter_names() -> list[str]:
    from sizno.models.parameters import load_parameter_set

    return list(load_parameter_set().entries)


def _check_name(name: str, cell: str, field: str) -> None:
    if cell in ANALYTIC_VARIABLES:
        if name not in ANALYTIC_VARIABLES[cell]:
            raise SiznoInputError(field, f"unknown variable '{name}' for {cell}", ", ".join(ANALYTIC_VARIABLES[cell]))
        return
    if name in DESIGN_VARIABLES:
        if cell not in DESIGN_VARIABLES[name][3]:
            raise SiznoInputError(field, f"'{name}' does not apply to a {cell} study",
                                  ", ".join(k for k, v in DESIGN_VARIABLES.items() if cell in v[3]))
        return
    if name in TEXT_VARIABLES:
        return
    if name not in parameter_names():
        raise SiznoInputError(field, f"unknown variable or parameter '{name}'",
                              ", ".join([*DESIGN_VARIABLES, *TEXT_VARIABLES])
                              + ' or a model parameter by its "Name [unit]" (src/sizno/data/parameters/*.toml)')


def _check_value(name: str, x: Any, field: str) -> None:
    if name in TEXT_VARIABLES:
        if not isinstance(x, str):
            raise SiznoInputError(field, f"'{name}' takes names, got {x!r}", "strings")
        return
    if isinstance(x, str) or isinstance(x, bool) or not math.isfinite(float(x)):
        raise SiznoInputError(field, f"'{name}' needs finite numbers, got {x!r}", "numbers")
    if name in DESIGN_VARIABLES:
        lo, hi, unit, _ = DESIGN_VARIABLES[name]
        if not lo <= float(x) <= hi:
            raise SiznoInputError(field, f"{name} = {x} is outside {lo:g}–{hi:g} {unit}", f"{lo:g} to {hi:g} {unit}")


def validate(design: Design) -> Design:
    """Check names, ranges and sizes; raise SiznoInputError naming the field."""
    cell = design.study.cell
    if cell not in CELLS:
        raise SiznoInputError("study.cell", f"unknown cell '{cell}'", ", ".join(CELLS))
    if design.sampler.method not in SAMPLERS:
        raise SiznoInputError("sampler.method", f"unknown sampler '{design.sampler.method}'", ", ".join(SAMPLERS))
    if design.sampler.method != "grid" and design.sampler.size <= 0:
        raise SiznoInputError("sampler.size", f"got {design.sampler.size}", "an integer > 0")
    seen: set[str] = set()
    for i, v in enumerate(design.variable):
        field = f"variable[{i}] ({v.name})"
        _check_name(v.name, cell, field)
        if v.name in seen or v.name in design.fixed:
            raise SiznoInputError(field, f"'{v.name}' given twice", "each variable once (variable or fixed)")
        seen.add(v.name)
        if (v.range is None) == (v.values is None):
            raise SiznoInputError(field, "needs exactly one of range = [low, high] or values = [...]", "range or values")
        if v.values is not None:
            if not v.values:
                raise SiznoInputError(field, "empty values list", "one or more values")
            for x in v.values:
                _check_value(v.name, x, field)
            continue
        if v.name in TEXT_VARIABLES:
            raise SiznoInputError(field, f"'{v.name}' takes values = [...], not a range", "values")
        lo, hi = v.range  # type: ignore[misc]
        for x in (lo, hi):
            _check_value(v.name, x, field)
        if not lo < hi:
            raise SiznoInputError(field, f"empty or inverted range [{lo:g}, {hi:g}]", "range = [low, high] with low < high")
        if v.scale == "log" and lo <= 0:
            raise SiznoInputError(field, f"log scale needs a positive range, got [{lo:g}, {hi:g}]", "0 < low < high")
        if design.sampler.method == "grid" and v.points <= 0:
            raise SiznoInputError(f"{field}.points", f"got {v.points}", "an integer > 0")
    for k, x in design.fixed.items():
        _check_name(k, cell, f"fixed.{k}")
        _check_value(k, x, f"fixed.{k}")
    if design.analytic:
        for name in design.outputs.records:
            if name not in ANALYTIC_RECORDS[cell]:
                raise SiznoInputError(f"outputs.records.{name}", "unknown output of the check function",
                                      ", ".join(ANALYTIC_RECORDS[cell]))
    else:
        protocols = [design.fixed.get("protocol", design.study.protocol)]
        protocols += [x for v in design.levels() if v.name == "protocol" for x in v.values or []]
        kinds = {protocol_of(p).kind for p in protocols}
        if kinds != {cell}:
            raise SiznoInputError("study.protocol", f"a {'/'.join(sorted(kinds))} protocol in a {cell} study",
                                  f"{cell} protocols")
        from sizno.results.run import FULL_CELL_CYCLE_COLUMNS, HALF_CELL_CYCLE_COLUMNS

        cols = (*(HALF_CELL_CYCLE_COLUMNS if cell == "half-cell" else FULL_CELL_CYCLE_COLUMNS), IRREVERSIBLE)
        for name, r in design.outputs.records.items():
            if r.column not in cols:
                raise SiznoInputError(f"outputs.records.{name}.column", f"unknown column '{r.column}'", ", ".join(cols))
        if design.study.parameters:
            from sizno.models.parameters import load_parameter_set

            load_parameter_set(design.study.parameters)
    return design


def protocol_of(spec: str | dict):
    """A protocol from a built-in name, a .toml path, or an inline table (the protocol file's keys)."""
    from sizno.experiments.protocols import Protocol, c_rate_test, load_protocol, rate_test

    if isinstance(spec, str):
        return load_protocol(spec)
    raw = dict(spec)
    try:
        if "rates_A_per_g" in raw:
            p = rate_test([float(x) for x in raw.pop("rates_A_per_g")], int(raw.pop("cycles_per_rate", 3)))
        elif "c_rates" in raw:
            p = c_rate_test([float(x) for x in raw.pop("c_rates")], int(raw.pop("cycles_per_rate", 3)))
        else:
            return Protocol(**{"name": "inline", **raw})
        return p.model_copy(update={k: raw[k] for k in ("name", "description", "source") if k in raw})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise SiznoInputError("study.protocol." + ".".join(str(x) for x in err["loc"]), err["msg"]) from None
    except (TypeError, ValueError) as exc:
        raise SiznoInputError("study.protocol", str(exc).splitlines()[0], "a protocol name, .toml path or inline table") from None


IRREVERSIBLE = "irreversible_capacity_mAh_per_g"  # added to the stored cycle table: first minus second half


def load_design(path: Path | str) -> Design:
    """Read and validate a design TOML (one-line SiznoInputError on anything wrong)."""
    raw = read_user_toml(path)
    try:
        design = Design(**raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise SiznoInputError(f"{path}: {loc}", err["msg"]) from None
    except TypeError as exc:
        raise SiznoInputError(str(path), str(exc)) from None
    return validate(design)
