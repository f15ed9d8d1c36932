"""Protocols as data (TOML): blocks of lithiation/delithiation/rest steps, and their PyBaMM form."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Literal

import pybamm
from pydantic import BaseModel, Field, ValidationError, model_validator

from sizno.cell import FullCell, HalfCell
from sizno.data import read_toml, read_user_toml
from sizno.errors import SiznoInputError

Action = Literal["lithiate", "delithiate", "charge", "discharge", "rest"]
HALF_CELL_ACTIONS = ("lithiate", "delithiate", "rest")  # of the Si electrode, currents in A/g
FULL_CELL_ACTIONS = ("charge", "discharge", "rest")  # of the full cell, currents as C-rates
BUILT_IN = ("first-cycle", "rate-test", "long-cycling", "full-cell-first-cycles", "full-cell-rate-test", "full-cell-cycling")


class Step(BaseModel):
    """One step. Half cells: lithiate/delithiate the Si electrode at `current_A_per_g` (lithiation
    is the paper's half-cell "discharge"); full cells: charge/discharge at `c_rate` (1C = the
    cathode's nominal capacity in one hour)."""

    action: Action
    current_A_per_g: float | None = Field(default=None, gt=0, le=100)
    c_rate: float | None = Field(default=None, gt=0, le=20)
    duration_h: float | None = Field(default=None, gt=0)
    until_V: float | None = Field(default=None, ge=-1, le=5)

    @model_validator(mode="after")
    def _check(self):
        if self.action in ("lithiate", "delithiate") and self.current_A_per_g is None:
            raise ValueError(f"a '{self.action}' step needs current_A_per_g (> 0, <= 100 A/g)")
        if self.action in ("charge", "discharge") and self.c_rate is None:
            raise ValueError(f"a '{self.action}' step needs c_rate (> 0, <= 20 C)")
        if self.action == "rest" and self.duration_h is None:
            raise ValueError("a 'rest' step needs duration_h (> 0)")
        return self


class Block(BaseModel):
    label: str = ""
    repeat: int = Field(default=1, ge=1, le=10000)
    steps: list[Step] = Field(min_length=1)
    formation: bool = False  # formation cycles before the test proper (kept by `with_cycles`)

    @property
    def is_formation(self) -> bool:
        return self.formation or self.label.lower().startswith("formation")


class Protocol(BaseModel):
    name: str
    description: str = ""
    source: str = ""
    blocks: list[Block] = Field(min_length=1)

    @property
    def n_steps(self) -> int:
        return sum(b.repeat * len(b.steps) for b in self.blocks)

    def step_table(self) -> list[tuple[int, str, Step]]:
        """Every step in order as (cycle number from 1, block label, step)."""
        out, cycle = [], 0
        for b in self.blocks:
            for _ in range(b.repeat):
                cycle += 1
                out.extend((cycle, b.label, s) for s in b.steps)
        return out

    @property
    def kind(self) -> str:
        """"half-cell" (lithiate/delithiate in A/g) or "full-cell" (charge/discharge in C)."""
        actions = {s.action for b in self.blocks for s in b.steps} - {"rest"}
        return "full-cell" if actions & {"charge", "discharge"} else "half-cell"

    def with_current(self, current_A_per_g: float) -> "Protocol":
        """Every non-rest step at one specific current."""
        if not (current_A_per_g > 0):
            raise SiznoInputError("current_A_per_g", f"must be positive, got {current_A_per_g}", "0 < value <= 100 A/g")
        return self._with_setting("current_A_per_g", current_A_per_g, f"{current_A_per_g:g} A/g")

    def with_c_rate(self, c_rate: float) -> "Protocol":
        """Every charge/discharge step of a full-cell protocol at one C-rate."""
        if not (0 < c_rate <= 20):
            raise SiznoInputError("c_rate", f"got {c_rate}", "0 < C-rate <= 20")
        return self._with_setting("c_rate", c_rate, f"{c_rate:g}C")

    def _with_setting(self, field: str, value: float, label: str) -> "Protocol":
        blocks = [
            b.model_copy(update={
                "label": label,
                "steps": [s.model_copy(update={field: value}) if s.action != "rest" else s for s in b.steps],
            })
            for b in self.blocks
        ]
        return self.model_copy(update={"blocks": blocks})

    def with_repeat(self, repeat: int, block: int | None = None) -> "Protocol":
        """Every block (or only block number `block`, -1 = the last) repeated `repeat` times."""
        if repeat < 1:
            raise SiznoInputError("cycles", f"must be at least 1, got {repeat}", ">= 1")
        chosen = range(len(self.blocks)) if block is None else [range(len(self.blocks))[block]]
        return self.model_copy(update={"blocks": [b.model_copy(update={"repeat": repeat}) if i in chosen else b
                                                  for i, b in enumerate(self.blocks)]})


    def with_cycles(self, cycles: int | None = None, formation_cycles: int | None = None) -> "Protocol":
        """`cycles` cycles in every block except the formation blocks (cycles per rate in a rate test,
        the long cycles of a cycling test); `formation_cycles` in the formation blocks (0 drops them)."""
        if cycles is not None and not (1 <= cycles <= 10000):
            raise SiznoInputError("--cycles", f"got {cycles}", "1 to 10000 cycles per block")
        if formation_cycles is not None and not (0 <= formation_cycles <= 10000):
            raise SiznoInputError("--formation-cycles", f"got {formation_cycles}", "0 to 10000")
        if formation_cycles is not None and not any(b.is_formation for b in self.blocks):
            raise SiznoInputError("--formation-cycles", f"protocol '{self.name}' has no formation cycles",
                                  "long-cycling, full-cell-cycling, or a protocol with a block marked formation = true")
        blocks = []
        for b in self.blocks:
            n = formation_cycles if b.is_formation else cycles
            if n == 0:
                continue
            blocks.append(b.model_copy(update={"repeat": n}) if n is not None else b)
        if not blocks:
            raise SiznoInputError("--formation-cycles", "0 leaves no cycle to run", ">= 1 when the protocol is all formation")
        return self.model_copy(update={"blocks": blocks})


def _stepped(name: str, description: str, settings: list[float], cycles_per_setting: int,
             label: Callable[[float], str], cycle: Callable[[float], list[Step]]) -> Protocol:
    """One block of `cycles_per_setting` identical cycles per setting (a current or a C-rate)."""
    blocks = [Block(label=label(x), repeat=cycles_per_setting, steps=cycle(x)) for x in settings]
    return Protocol(name=name, description=description, blocks=blocks)


def rate_test(rates_A_per_g: list[float], cycles_per_rate: int = 3) -> Protocol:
    """Symmetric CC cycles stepping through `rates_A_per_g`, `cycles_per_rate` each."""
    return _stepped("rate-test", f"rate test, {cycles_per_rate} cycles per rate", rates_A_per_g, cycles_per_rate,
                    lambda r: f"{r:g} A/g",
                    lambda r: [Step(action="lithiate", current_A_per_g=r), Step(action="delithiate", current_A_per_g=r)])


def c_rate_test(c_rates: list[float], cycles_per_rate: int = 3) -> Protocol:
    """Full-cell rate test: symmetric CC charge/discharge at each C-rate, `cycles_per_rate` each."""
    return _stepped("full-cell-rate-test", f"full-cell rate test, {cycles_per_rate} cycles per C-rate", c_rates,
                    cycles_per_rate, lambda c: f"{c:g}C",
                    lambda c: [Step(action="charge", c_rate=c), Step(action="discharge", c_rate=c)])


def _from_dict(raw: dict, origin: str) -> Protocol:
    try:
        if "c_rates" in raw:
            p = c_rate_test(list(raw["c_rates"]), int(raw.get("cycles_per_rate", 3)))
            return p.model_copy(update={k: raw[k] for k in ("name", "description", "source") if k in raw})
        if "rates_A_per_g" in raw:
            p = rate_test(list(raw["rates_A_per_g"]), int(raw.get("cycles_per_rate", 3)))
            return p.model_copy(update={k: raw[k] for k in ("name", "description", "source") if k in raw})
        return Protocol(**raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise SiznoInputError(f"{origin}: {loc}", err["msg"]) from None


def load_protocol(name_or_path: str | Path) -> Protocol:
    """A built-in protocol by name (see BUILT_IN) or a user's TOML file."""
    key = str(name_or_path)
    if key in BUILT_IN:
        return _from_dict(read_toml(f"protocols/{key}.toml"), key)
    if key.endswith(".toml"):
        return _from_dict(read_user_toml(key), key)
    raise SiznoInputError("protocol", f"unknown protocol '{key}'", ", ".join(BUILT_IN) + " or a .toml file")


def step_duration_cap_h(cell: HalfCell | FullCell, step: Step) -> float:
    """A generous time limit for a CC step [h]: 1.5 x what the electrode could hold at that current."""
    if isinstance(cell, FullCell):
        return 1.5 * 280 / cell.nominal_capacity_mAh_per_g / step.c_rate  # 280 mAh/g: all of NCM811's Li
    cap_Ah = cell.composite.capacity_split_mAh_per_g()["total_mAh_g"] * cell.composite_mass_g / 1000
    return max(0.05, 1.5 * cap_Ah / cell.current_A(step.current_A_per_g))


def pybamm_experiment(protocol: Protocol, cell: HalfCell | FullCell, start: int = 0, stop: int | None = None) -> pybamm.Experiment:
    """Steps `start` to `stop` of the protocol as a PyBaMM Experiment, one tuple of steps per cycle."""
    cycles: dict[int, list] = {}
    pairs = list(zip(protocol.step_table(), pybamm_steps(protocol, cell)))[start:stop]
    for (cycle, _, _), step in pairs:
        cycles.setdefault(cycle, []).append(step)
    return pybamm.Experiment([tuple(v) for v in cycles.values()])


def _signed_current_A(cell: HalfCell | FullCell, s: Step) -> float:
    """The model current of a step: positive lithiates a half cell's Si / discharges a full cell."""
    if isinstance(cell, FullCell):
        if s.action not in FULL_CELL_ACTIONS:
            raise SiznoInputError("protocol step", f"'{s.action}' is a half-cell step", "charge, discharge or rest in a full cell")
        return cell.current_A(s.c_rate) * (1.0 if s.action == "discharge" else -1.0)
    if s.action not in HALF_CELL_ACTIONS:
        raise SiznoInputError("protocol step", f"'{s.action}' is a full-cell step", "lithiate, delithiate or rest in a half cell")
    return cell.current_A(s.current_A_per_g) * (1.0 if s.action == "lithiate" else -1.0)


def pybamm_steps(protocol: Protocol, cell: HalfCell | FullCell) -> list:
    """The protocol as PyBaMM steps (currents in A on the cell's basis; cut-offs from the cell)."""
    out = []
    for _, _, s in protocol.step_table():
        if s.action == "rest":
            out.append(pybamm.step.rest(duration=s.duration_h * 3600))
            continue
        current = _signed_current_A(cell, s)
        falling = current > 0  # the voltage falls while lithiating a half cell or discharging a full cell
        until = s.until_V if s.until_V is not None else (cell.lower_cutoff_V if falling else cell.upper_cutoff_V)
        duration = 3600 * (s.duration_h or step_duration_cap_h(cell, s))
        out.append(pybamm.step.current(current, duration=duration, termination=[
            pybamm.step.VoltageTermination(until, operator="<" if falling else ">")]))
    return out
