"""The paper areas of `sizno reproduce`, one campaign object each, and their one registry.

A campaign runs its area once and returns its records and figures (`AreaOutput`); nothing passes
between calls through module state. `paper_areas` lists them in the order they run.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Sequence

from rich.console import Console

from sizno.clitools import err_console, progress
from sizno.experiments.protocols import load_protocol
from sizno.reproduce import atomistic, composition, full_cell, half_cell, impedance, structure
from sizno.reproduce.records import Record
from sizno.reproduce.report import half_cell_figures


@dataclass
class AreaOutput:
    """What one area adds to the report: its records and the figures it wrote."""

    records: list[Record]
    figures: list[Path] = field(default_factory=list)


class Area(Protocol):
    """A paper area: `run` simulates (or computes) it once and writes its figures into `out_dir`."""

    name: str

    def run(self, out_dir: Path, quick: bool, console: Console) -> AreaOutput: ...


def area_progress(console: Console) -> AbstractContextManager:
    """A bar on a terminal, a line every few seconds in a log (on stderr when the report goes to stdout)."""
    return progress(console if console.is_terminal else err_console)


def records_from_dicts(rows: Sequence[dict]) -> list[Record]:
    """Records from the dict rows an area's record function returns (extra keys are left out)."""
    keys = ("id", "quantity", "unit", "paper", "model", "role")
    return [Record(**{k: d.get(k) for k in keys}, note=d.get("note", ""), band=d.get("band")) for d in rows]


class CompositionArea:
    """Composition of the four composites from their recipes (no simulation)."""

    name = "composition"

    def run(self, out_dir: Path, quick: bool, console: Console) -> AreaOutput:
        return AreaOutput(composition.composition_records(), composition.composition_figures(out_dir))


class HalfCellArea:
    """Rate tests of the four composites at 60 °C and two at 25 °C; per-run cycle tables beside the figures."""

    name = "half-cell"

    def run(self, out_dir: Path, quick: bool, console: Console) -> AreaOutput:
        n_runs = len(half_cell.MATERIALS_60C) + len(half_cell.MATERIALS_25C)
        p = load_protocol("rate-test")
        steps = (p.with_repeat(1) if quick else p).n_steps * n_runs
        with area_progress(console) as prog:
            task = prog.add_task("half cells", total=steps)
            campaign = half_cell.run_campaign(
                quick=quick,
                on_run=lambda label: prog.update(task, description=f"half cell: {label}"),
                on_step=lambda: prog.advance(task),
            )
        records = half_cell.half_cell_records(campaign)
        for (m, t), r in campaign.runs.items():
            if not r.completed:
                console.print(f"{m} at {t:g} °C: {r.stop_reason}", style="yellow", markup=False)
            r.cycles.to_csv(out_dir / f"half_cell_{m}_{t:g}C_cycles.csv", index=False)
        return AreaOutput(records, half_cell_figures(campaign, out_dir))


class FullCellArea:
    """Full cells, long cycling and electrode thickness; per-run cycle tables beside the figures."""

    name = "full-cell"

    def run(self, out_dir: Path, quick: bool, console: Console) -> AreaOutput:
        with area_progress(console) as prog:
            task = prog.add_task("full cells and ageing", total=full_cell.planned_steps(quick))
            campaign = full_cell.run_campaign(quick=quick, on_run=lambda label: prog.update(task, description=label),
                                              on_step=lambda: prog.advance(task))
        for label, r in campaign.runs.items():
            if not r.completed:
                console.print(f"{label}: {r.stop_reason}", style="yellow", markup=False)
            r.cycles.to_csv(out_dir / f"{label.replace(' ', '_')}_cycles.csv", index=False)
        return AreaOutput(full_cell.full_cell_records(campaign), full_cell.full_cell_figures(campaign, out_dir))


class StructureArea:
    """XRD peak positions and HRTEM fringes of the named planes; Fig. 1b and 3a analogues (virtual ex-situ XRD)."""

    name = "structure"

    def run(self, out_dir: Path, quick: bool, console: Console) -> AreaOutput:
        with area_progress(console) as prog:  # no step counts here: the elapsed time
            task = prog.add_task("structure: records", total=None)
            records = records_from_dicts(structure.structure_records())
            prog.update(task, description="structure: figures")
            figures = structure.structure_figures(out_dir, quick=quick)
        return AreaOutput(records, figures)


class ImpedanceArea:
    """Simulated in-situ GEIS of Si and Si–ZnO4 and its DRT (Fig. 4g–l), one campaign for records and figures."""

    name = "impedance"

    def run(self, out_dir: Path, quick: bool, console: Console) -> AreaOutput:
        with area_progress(console) as prog:
            task = prog.add_task("impedance: records", total=None)
            campaign = impedance.run_campaign(quick)
            records = records_from_dicts(impedance.records_from_campaign(campaign))
            prog.update(task, description="impedance: figures")
            figures = impedance.figures_from_campaign(campaign, Path(out_dir))
        return AreaOutput(records, figures)


@dataclass
class AtomisticArea:
    """CHGNet NEB barriers and interface energies against the paper's DFT numbers (`cross_check`: second
    potentials beside CHGNet; None: SevenNet in full runs, none in quick ones)."""

    cross_check: Sequence[str] | None = None
    name: str = "atomistic"

    def run(self, out_dir: Path, quick: bool, console: Console) -> AreaOutput:
        with area_progress(console) as prog:
            task = prog.add_task("atomistic: records", total=None)
            result = atomistic.run_all(quick, self.cross_check)
            records = records_from_dicts(atomistic.atomistic_records(result))
            prog.update(task, description="atomistic: figures")
            figures = atomistic.atomistic_figures(result, out_dir)
        return AreaOutput(records, figures)


def paper_areas(atomistic_cross_check: Sequence[str] | None = None) -> dict[str, Area]:
    """Every area of the paper twin by name, in the order they run."""
    areas: list[Area] = [CompositionArea(), HalfCellArea(), FullCellArea(), StructureArea(), ImpedanceArea(),
                         AtomisticArea(cross_check=atomistic_cross_check)]
    return {a.name: a for a in areas}
