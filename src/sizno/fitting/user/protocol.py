"""Protocol inference: a user's cycler file → the steps the model runs and the measured observables.

Every step from the file's first cycle up to the last selected cycle becomes a model step: a
lithiation/delithiation at the step's constant current (median |I| of its CC part) as a specific
current on the cell's current basis, or a rest of the measured duration. A step that ended within
``cutoff_tolerance_V`` of the voltage window is voltage-terminated in the model (time cap 2 × its
measured duration), any other step is time-terminated at its measured duration. Constant-voltage
tails are not modelled (a note says how much charge they held).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sizno.cell.half_cell import paper_half_cell
from sizno.errors import SiznoInputError
from sizno.experiments.protocols import Block, Protocol, Step
from sizno.io import from_dataframe, read
from sizno.io.metrics import compute_metrics
from sizno.io.table import CyclerData
from sizno.materials import load_phases, named_material

COUNTERS = ("li", "li-in")
CYCLE_SPEC_HINT = "e.g. 1-3, 1,2,5 or 2"


def parse_cycles(spec: str | list[int] | None) -> list[int] | None:
    """'1-3', '1,2,5', '2', '1-3,7' → sorted cycle numbers (file numbering); None → None."""
    if spec is None:
        return None
    if isinstance(spec, (list, tuple)):
        return sorted({int(c) for c in spec})
    out: set[int] = set()
    for tok in str(spec).split(","):
        tok = tok.strip()
        if not tok:
            continue
        m = re.fullmatch(r"(\d+)\s*(?:-|\.\.)\s*(\d+)", tok)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if b < a:
                raise SiznoInputError("--fit-cycles", f"range '{tok}' runs backwards", CYCLE_SPEC_HINT)
            out.update(range(a, b + 1))
        elif tok.isdigit():
            out.add(int(tok))
        else:
            raise SiznoInputError("--fit-cycles", f"'{tok}' is not a cycle number or range", CYCLE_SPEC_HINT)
    if not out:
        raise SiznoInputError("--fit-cycles", "no cycle given", CYCLE_SPEC_HINT)
    return sorted(out)


@dataclass
class MeasuredStep:
    """One step of the file as the model will run it (index = its place in the protocol, from 1)."""

    index: int
    data_cycle: int
    model_cycle: int
    action: str  # lithiate | delithiate | rest
    current_A: float
    duration_s: float
    end_V: float
    capacity_Ah: float
    voltage_terminated: bool
    selected: bool
    q_Ah: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    V: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))

    def summary(self) -> dict[str, Any]:
        return {"step": self.index, "cycle": self.data_cycle, "action": self.action,
                "current_mA": 1e3 * self.current_A, "duration_h": self.duration_s / 3600,
                "end_V": self.end_V, "capacity_mAh": 1e3 * self.capacity_Ah,
                "terminated_by": ("voltage" if self.voltage_terminated else "time") if self.action != "rest" else "time",
                "fitted": self.selected and self.action != "rest"}


@dataclass
class FitData:
    """A user's file turned into a protocol and the measured observables to fit."""

    source: str
    protocol: Protocol
    steps: list[MeasuredStep]
    cycles: list[int]  # selected data cycles
    cycle_map: dict[int, int]  # model cycle (1…) → data cycle
    capacities_mAh: dict[int, dict[str, float]]  # data cycle → lithiation/delithiation
    cell_overrides: dict[str, Any]
    temperature_C: float | None
    counter: str
    notes: list[str] = field(default_factory=list)

    @property
    def fitted_steps(self) -> list[MeasuredStep]:
        return [s for s in self.steps if s.selected and s.action != "rest" and len(s.V) >= 3]


@dataclass
class _FileStep:
    """One step as read from the file (the CC part of a charge or discharge); voltages vs Li+/Li."""

    kind: str  # lithiate | delithiate | rest
    cycle: int
    duration_s: float
    end_V: float
    current_A: float = 0.0
    capacity_Ah: float = 0.0
    q_Ah: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    V: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))


@dataclass(frozen=True)
class _Columns:
    """The file's rows up to the last simulated cycle, as arrays (SI: s, V, A, Ah)."""

    t: np.ndarray
    V: np.ndarray
    I: np.ndarray
    cycle: np.ndarray
    step: np.ndarray
    kind: np.ndarray
    charged_Ah: np.ndarray
    discharged_Ah: np.ndarray

    @classmethod
    def of(cls, sub: pd.DataFrame) -> _Columns:
        return cls(t=sub["test_time_second"].to_numpy(dtype=float), V=sub["voltage_volt"].to_numpy(dtype=float),
                   I=sub["current_ampere"].to_numpy(dtype=float), cycle=sub["cycle_count"].to_numpy(),
                   step=sub["step_count"].to_numpy() if "step_count" in sub.columns else np.zeros(len(sub), dtype=int),
                   kind=sub["step_type"].astype(str).to_numpy(), charged_Ah=sub["charging_capacity_ah"].to_numpy(dtype=float),
                   discharged_Ah=sub["discharging_capacity_ah"].to_numpy(dtype=float))


@dataclass(frozen=True)
class _StepRules:
    """How a file step becomes a model step: current basis [g] and voltage window [V vs Li+/Li]."""

    basis_g: float
    basis_factor: float
    mass_mg: float
    lower_V: float
    upper_V: float
    cutoff_tolerance_V: float

    def convert(self, s: _FileStep, index: int, model_cycle: int, selected: bool) -> tuple[Step, MeasuredStep]:
        if s.kind == "rest":
            return (Step(action="rest", duration_h=s.duration_s / 3600),
                    MeasuredStep(index, s.cycle, model_cycle, "rest", 0.0, s.duration_s, s.end_V, 0.0, False, selected))
        a_per_g = s.current_A / self.basis_g
        if not (0 < a_per_g <= 100):
            raise SiznoInputError("--mass-mg", f"the file's current {1e3 * s.current_A:.4g} mA is {a_per_g:.4g} A/g on "
                                  f"{self.basis_factor:g} × {self.mass_mg:g} mg", "a mass giving 0–100 A/g")
        limit = self.lower_V if s.kind == "lithiate" else self.upper_V
        vterm = abs(s.end_V - limit) <= self.cutoff_tolerance_V
        dur = max(s.duration_s, 1.0)
        step = Step(action=s.kind, current_A_per_g=a_per_g, duration_h=(2.0 * dur if vterm else dur) / 3600)
        return step, MeasuredStep(index, s.cycle, model_cycle, s.kind, s.current_A, s.duration_s, s.end_V, s.capacity_Ah,
                                  vterm, selected, q_Ah=s.q_Ah, V=s.V)


def _as_cycler_data(data: CyclerData | pd.DataFrame | str | Path, mapping: str | Path | None) -> CyclerData:
    if isinstance(data, CyclerData):
        return data
    if isinstance(data, pd.DataFrame):
        return from_dataframe(data)
    return read(data, mapping=mapping, mapping_only_for_generic=True)


def _check_inputs(mass_mg: float, counter: str) -> None:
    if not (mass_mg is not None and np.isfinite(mass_mg) and mass_mg > 0):
        raise SiznoInputError("--mass-mg", f"must be a positive number, got {mass_mg}", "composite mass of the electrode in mg, > 0")
    if counter not in COUNTERS:
        raise SiznoInputError("--counter", f"unknown counter electrode '{counter}'", ", ".join(COUNTERS))


def _select_cycles(df: pd.DataFrame, cycles: str | list[int] | None, src: str, notes: list[str]) -> tuple[list, list[int]]:
    """(the file's cycles in order, the selected ones); default: the first complete cycle (both directions)."""
    cyc = df["cycle_count"].to_numpy()
    st = df["step_type"].astype(str).to_numpy()
    active = st != "rest"
    all_cycles = list(pd.unique(cyc))
    complete = [c for c in all_cycles if {"charge", "discharge"} <= set(st[(cyc == c) & active])]
    selected = parse_cycles(cycles)
    if selected is None:
        if not complete:
            raise SiznoInputError(src, "has no complete cycle (a lithiation and a delithiation)", "a file with at least one complete cycle")
        selected = [int(complete[0])]
        notes.append(f"no --fit-cycles given: fitting the first complete cycle ({selected[0]})")
    missing = [c for c in selected if c not in set(int(x) for x in all_cycles)]
    if missing:
        raise SiznoInputError("--fit-cycles", f"cycle(s) {missing} not in {src}", f"{int(all_cycles[0])}…{int(all_cycles[-1])}")
    first = int(all_cycles[0])
    if first < min(selected):
        notes.append(f"the model starts from the pristine electrode, so cycles {first}–{min(selected) - 1} are simulated too "
                     "(not fitted)")
    return all_cycles, selected


def _temperature_C(df: pd.DataFrame, temperature_C: float | None, notes: list[str]) -> float | None:
    """The user's temperature, else the file's ambient column's median, else None (the cell default)."""
    if temperature_C is None and "ambient_temperature_celsius" in df.columns:
        tcol = pd.to_numeric(df["ambient_temperature_celsius"], errors="coerce").to_numpy(dtype=float)
        if np.isfinite(tcol).any():
            temperature_C = float(np.nanmedian(tcol))
            notes.append(f"temperature from the file's ambient column: {temperature_C:.1f} °C")
    if temperature_C is None:
        notes.append("no --temperature-C: the paper's 60 °C is assumed")
    return temperature_C


def _counter_offset_V(counter: str, notes: list[str]) -> float:
    """What to add to the file's voltage to have it vs Li+/Li: 0, or the Li–In counter's potential."""
    if counter != "li-in":
        return 0.0
    li_in = float(load_phases().counter_electrodes["LiIn"].potential_V_vs_Li)
    notes.append(f"voltages are vs Li–In: the model's window is the file's + {li_in:.3f} V (vs Li+/Li)")
    return li_in


def _file_step(c: _Columns, a: int, b: int, li_in: float, notes: list[str]) -> _FileStep:
    """Rows a…b-1 (one step of the file) as a rest or as the CC part of a half-cell (de)lithiation."""
    t0 = c.t[a - 1] if a > 0 else c.t[a]
    cycle = int(c.cycle[a])
    if c.kind[a] == "rest" or not np.any(np.abs(c.I[a:b]) > 0):
        return _FileStep("rest", cycle, float(c.t[b - 1] - t0), end_V=float(c.V[b - 1] + li_in))
    action = "lithiate" if c.kind[a] == "discharge" else "delithiate"  # half cell
    ai = np.abs(c.I[a:b])
    icc = float(np.median(ai[ai > 0.5 * ai.max()]))
    cc = np.flatnonzero(ai >= 0.9 * icc)
    b_cc = a + int(cc[-1]) + 1 if cc.size else b
    col = c.discharged_Ah if action == "lithiate" else c.charged_Ah
    base = col[a - 1] if a > 0 and c.cycle[a - 1] == c.cycle[a] else 0.0
    q_all = np.maximum.accumulate(np.clip(col[a:b] - base, 0.0, None))
    q = q_all[: b_cc - a]
    cap = float(q_all[-1]) if q_all.size else 0.0
    if cap > 0 and q.size and (cap - q[-1]) > 0.02 * cap:
        notes.append(f"cycle {cycle} {action} step: a constant-voltage (or falling-current) tail holds "
                     f"{100 * (cap - q[-1]) / cap:.1f} % of its charge; the model runs the CC part only")
    return _FileStep(action, cycle, float(c.t[b_cc - 1] - t0), end_V=float(c.V[b_cc - 1] + li_in), current_A=icc,
                     capacity_Ah=float(q[-1]) if q.size else 0.0, q_Ah=q, V=c.V[a:b_cc] + li_in)


def _file_steps(df: pd.DataFrame, all_cycles: list, last: int, li_in: float, notes: list[str]) -> list[_FileStep]:
    """The file's steps up to cycle `last` (a new step wherever the cycle or step number changes)."""
    cyc = df["cycle_count"].to_numpy()
    keep = np.isin(cyc, [c for c in all_cycles if int(c) <= last])
    c = _Columns.of(df.loc[keep].reset_index(drop=True))
    change = np.r_[True, (c.cycle[1:] != c.cycle[:-1]) | (c.step[1:] != c.step[:-1])]
    starts = np.flatnonzero(change)
    ends = np.r_[starts[1:], len(c.t)]
    return [_file_step(c, a, b, li_in, notes) for a, b in zip(starts, ends)]


def _voltage_window(steps: list[_FileStep], lower_cutoff_V: float | None, upper_cutoff_V: float | None, li_in: float,
                    src: str, cycle_range: tuple[int, int], notes: list[str]) -> tuple[float, float]:
    """(lower, upper) cut-off vs Li+/Li: the user's (shifted by `li_in`), else the file's extreme end voltages."""
    lith_end = [s.end_V for s in steps if s.kind == "lithiate"]
    delith_end = [s.end_V for s in steps if s.kind == "delithiate"]
    if not lith_end:
        raise SiznoInputError(src, f"no lithiation (tester discharge) step in cycles {cycle_range[0]}–{cycle_range[1]}",
                              "a half-cell file whose discharge lithiates the working electrode")
    lo = lower_cutoff_V + li_in if lower_cutoff_V is not None else round(min(lith_end), 4)
    hi = upper_cutoff_V + li_in if upper_cutoff_V is not None else round(max(delith_end), 4) if delith_end else 2.0
    if lower_cutoff_V is None or upper_cutoff_V is None:
        notes.append(f"voltage window from the file: {lo:.3f}–{hi:.3f} V vs Li+/Li")
    if not lo < hi:
        raise SiznoInputError("voltage window", f"lower {lo:.3f} V is not below upper {hi:.3f} V", "lower < upper")
    return lo, hi


def _protocol_from_steps(file_steps: list[_FileStep], selected: list[int],
                         rules: _StepRules) -> tuple[list[Block], list[MeasuredStep], dict[int, int]]:
    """One block per cycle of the file; zero-length rests are left out."""
    blocks: list[Block] = []
    steps: list[MeasuredStep] = []
    cycle_map: dict[int, int] = {}
    cur_cycle, cur_steps = None, []
    sel = set(selected)
    for s in file_steps:
        if s.cycle != cur_cycle:
            if cur_steps:
                blocks.append(Block(label=f"cycle {cur_cycle}", repeat=1, steps=cur_steps))
            cur_cycle, cur_steps = s.cycle, []
            cycle_map[len(blocks) + 1] = s.cycle
        if s.kind == "rest" and s.duration_s <= 0:
            continue
        step, measured = rules.convert(s, len(steps) + 1, len(blocks) + 1, s.cycle in sel)
        cur_steps.append(step)
        steps.append(measured)
    if cur_steps:
        blocks.append(Block(label=f"cycle {cur_cycle}", repeat=1, steps=cur_steps))
    return blocks, steps, cycle_map


def _measured_capacities(cd: CyclerData, mass_mg: float, selected: list[int]) -> dict[int, dict[str, float]]:
    """Per selected cycle, the file's lithiation and delithiation capacity [mAh] (the tester's counters)."""
    m = compute_metrics(cd, mass_mg=mass_mg)
    caps = {}
    for _, r in m.cycles.iterrows():
        c = int(r["cycle_index"])
        if c in set(selected):
            caps[c] = {"lithiation": float(r["lithiation_capacity_mAh"]), "delithiation": float(r["delithiation_capacity_mAh"])}
    return caps


def prepare_fit_data(
    data: CyclerData | pd.DataFrame | str | Path,
    *,
    mass_mg: float,
    cycles: str | list[int] | None = None,
    temperature_C: float | None = None,
    counter: str = "li",
    current_basis_factor: float | None = None,
    lower_cutoff_V: float | None = None,
    upper_cutoff_V: float | None = None,
    cutoff_tolerance_V: float = 0.01,
    thickness_um: float | None = None,
    electrode_diameter_mm: float | None = None,
    mapping: str | Path | None = None,
) -> FitData:
    """Read the file, pick cycles, infer the protocol and the cell overrides, measure observables."""
    _check_inputs(mass_mg, counter)
    cd = _as_cycler_data(data, mapping)
    src, df, notes = cd.source, cd.data, []
    all_cycles, selected = _select_cycles(df, cycles, src, notes)
    first, last = int(all_cycles[0]), max(selected)
    temperature_C = _temperature_C(df, temperature_C, notes)
    li_in = _counter_offset_V(counter, notes)
    file_steps = _file_steps(df, all_cycles, last, li_in, notes)
    lo, hi = _voltage_window(file_steps, lower_cutoff_V, upper_cutoff_V, li_in, src, (first, last), notes)
    overrides: dict[str, Any] = {"composite_mass_mg": float(mass_mg), "lower_cutoff_V": lo, "upper_cutoff_V": hi,
                                 "current_basis_factor": current_basis_factor, "thickness_um": thickness_um,
                                 "electrode_diameter_mm": electrode_diameter_mm}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    # the cell's current basis (to express currents per gram; the model's current in A stays the measured one)
    cell = paper_half_cell(named_material("si"), **overrides)
    rules = _StepRules(cell.current_basis_factor * cell.composite_mass_g, cell.current_basis_factor, mass_mg, lo, hi,
                       cutoff_tolerance_V)
    blocks, steps, cycle_map = _protocol_from_steps(file_steps, selected, rules)
    protocol = Protocol(name=f"from {Path(src).name}", description=f"inferred from {src}, cycles {first}–{last}",
                        source=src, blocks=blocks)
    if not any(s.selected and s.action != "rest" and len(s.V) >= 3 for s in steps):
        raise SiznoInputError(src, f"cycles {selected} have no charge or discharge step with at least 3 points", "")
    return FitData(source=src, protocol=protocol, steps=steps, cycles=list(selected), cycle_map=cycle_map,
                   capacities_mAh=_measured_capacities(cd, mass_mg, selected), cell_overrides=overrides,
                   temperature_C=temperature_C, counter=counter, notes=list(cd.notes) + notes)
