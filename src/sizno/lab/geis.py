"""Simulated in-situ GEIS: model spectra at states along a galvanostatic lithiation/delithiation.

The protocol (symmetric CC cycles at `current_A_per_g`, as the paper's 0.2 A/g GEIS) is run once on
the model with PyBaMM; the spectrum at each chosen state is the linearisation of the same model at
that state under the step's DC current (`sizno.lab.impedance`). Cycle K+1's steps give the
spectra "after K cycles".

State of charge here is the lithiation degree along the cycle: during lithiation the fraction of
that step's charge passed, during delithiation 1 minus the fraction of that step's charge returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

import numpy as np
import pybamm

from sizno.cell import paper_half_cell
from sizno.eis.series import DRTSeries, drt_series
from sizno.errors import SiznoInputError
from sizno.experiments.protocols import Protocol, load_protocol
from sizno.experiments.runner import build_simulation
from sizno.lab.capacitances import load_capacitances
from sizno.lab.impedance import LinearisedHalfCell
from sizno.lab.model_spectrum import ModelSpectrum, default_frequencies_Hz
from sizno.materials import named_material
from sizno.models.parameters import ParameterSet

Step = Literal["lithiation", "delithiation"]
STEPS: tuple[Step, ...] = ("lithiation", "delithiation")


@dataclass(frozen=True)
class GEISSeries:
    """Model spectra along one CC step."""

    material: str
    step: Step
    cycle: int
    current_A_per_g: float
    state_of_charge: np.ndarray  # lithiation degree, 0..1
    progress: np.ndarray  # fraction of the step's charge passed, 0..1
    capacity_mAh_per_g: np.ndarray  # charge passed in this step, per g of composite
    voltage_V: np.ndarray
    spectra: tuple[ModelSpectrum, ...]
    notes: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.spectra)

    def impedance_spectra(self):
        return [s.spectrum(name=f"{self.material} {self.step} c{self.cycle} {100 * p:.0f}%") for s, p in zip(self.spectra, self.progress)]

    def drt(self, settings=None, windows=None, tolerance_decades: float = 0.0) -> DRTSeries:
        """The existing DRT (sizno.eis.drt_series) of every simulated spectrum; state = % of step charge."""
        return drt_series(self.impedance_spectra(), settings, state=100 * self.progress,
                          state_label=f"{self.step} progress [% of step charge]", windows=windows,
                          tolerance_decades=tolerance_decades)

    def model_resistances(self) -> dict[str, np.ndarray]:
        """The model's own resistances at each state (what the DRT should find), ohm."""
        keys = self.spectra[0].point.resistances_ohm.keys()
        return {k: np.array([s.point.resistances_ohm[k] for s in self.spectra]) for k in keys}

    def to_dict(self) -> dict[str, Any]:
        return {
            "material": self.material, "step": self.step, "cycle": self.cycle, "current_A_per_g": self.current_A_per_g,
            "notes": list(self.notes),
            "spectra": [{**s.to_dict(), "state_of_charge": float(q), "progress": float(p), "capacity_mAh_per_g": float(c)}
                        for s, q, p, c in zip(self.spectra, self.state_of_charge, self.progress, self.capacity_mAh_per_g)],
        }


def cycling_protocol(current_A_per_g: float = 0.2, cycles: int = 1) -> Protocol:
    """The first-cycle protocol at `current_A_per_g`, repeated `cycles` times (GEIS's CC cycles)."""
    if cycles < 1:
        raise SiznoInputError("cycle", f"{cycles}", ">= 1")
    return load_protocol("first-cycle").with_current(current_A_per_g).with_repeat(cycles)


class GEISSimulator:
    """One material: the protocol solution (cached per number of cycles) and the linearisation."""

    def __init__(self, material: str, *, current_A_per_g: float = 0.2, temperature_C: float | None = None,
                 pset: ParameterSet | None = None, mesh_points: int = 30, capacitances=None):
        self.material = material
        self.cell = paper_half_cell(named_material(material), temperature_C=temperature_C)
        self.pset = pset
        self.current_A_per_g = float(current_A_per_g)
        self.mesh_points = int(mesh_points)
        self.lin = LinearisedHalfCell(self.cell, pset, mesh_points, capacitances or load_capacitances())
        self._solutions: dict[int, pybamm.Solution] = {}

    def solution(self, cycles: int) -> pybamm.Solution:
        if cycles not in self._solutions:
            # one column, the model the impedance is linearised on (sizno.lab.impedance)
            sim = build_simulation(self.cell, cycling_protocol(self.current_A_per_g, cycles), self.pset, self.mesh_points,
                                   populations=1)
            try:
                sol = sim.solve(showprogress=False)
            except pybamm.SolverError as exc:
                sol = sim.solution
                if sol is None:
                    raise SiznoInputError("GEIS protocol", f"the model did not run: {str(exc).splitlines()[0]}") from None
            self._solutions[cycles] = sol
        return self._solutions[cycles]

    def step_solution(self, step: Step, cycle: int = 1) -> pybamm.Solution:
        if step not in STEPS:
            raise SiznoInputError("step", f"'{step}'", "lithiation or delithiation")
        sol = self.solution(cycle)
        cyc = sol.cycles[cycle - 1] if len(sol.cycles) >= cycle else None
        k = STEPS.index(step)
        if cyc is None or len(cyc.steps) <= k or cyc.steps[k] is None:
            raise SiznoInputError("GEIS protocol", f"cycle {cycle} has no {step} step (the run stopped early)")
        return cyc.steps[k]

    def _at(self, st: pybamm.Solution, step: Step, cycle: int, progress: Sequence[float], frequency_Hz) -> GEISSeries:
        q = np.asarray(st["Charge passed [A.h]"].entries)
        t = np.asarray(st.t)
        I = float(np.mean(st["Current [A]"].entries))
        dq = np.abs(q - q[0])
        total = dq[-1]
        if not total > 0:
            raise SiznoInputError("GEIS protocol", f"the {step} step passed no charge")
        mass_g = self.cell.composite_mass_g
        out, soc, caps, volts = [], [], [], []
        prog = np.asarray(progress, dtype=float)
        if np.any((prog < 0) | (prog > 1)):
            raise SiznoInputError("state", f"{prog}", "fractions 0..1 of the step")
        for p in prog:
            ts = float(np.interp(p * total, dq, t))
            y = self.lin.state_from_solution(st, ts)
            op = self.lin.operating_point(y, I)
            out.append(self.lin.impedance(op, frequency_Hz, metadata={
                "material": self.material, "step": step, "cycle": cycle, "time_s": ts}))
            soc.append(p if step == "lithiation" else 1 - p)
            caps.append(1000 * p * total / mass_g)
            volts.append(op.voltage_V)
        return GEISSeries(self.material, step, cycle, self.current_A_per_g, np.array(soc), prog, np.array(caps), np.array(volts), tuple(out))

    def series(self, step: Step, n_states: int = 10, cycle: int = 1, frequency_Hz=None,
               first: float = 0.02, last: float = 0.98) -> GEISSeries:
        if n_states < 1:
            raise SiznoInputError("--series", f"{n_states}", ">= 1 state")
        f = default_frequencies_Hz() if frequency_Hz is None else frequency_Hz
        return self._at(self.step_solution(step, cycle), step, cycle, np.linspace(first, last, n_states), f)

    def at_state_of_charge(self, state_of_charge: float, step: Step = "lithiation", cycle: int = 1, frequency_Hz=None) -> ModelSpectrum:
        if not (0 <= state_of_charge <= 1):
            raise SiznoInputError("--state-of-charge", f"{state_of_charge}", "0..1 (lithiation degree along the step)")
        p = state_of_charge if step == "lithiation" else 1 - state_of_charge
        f = default_frequencies_Hz() if frequency_Hz is None else frequency_Hz
        return self._at(self.step_solution(step, cycle), step, cycle, [p], f).spectra[0]


def simulate_geis(material: str, n_states: int = 10, *, cycle: int = 1, current_A_per_g: float = 0.2,
                  frequency_Hz=None, mesh_points: int = 30, temperature_C: float | None = None,
                  pset: ParameterSet | None = None) -> dict[Step, GEISSeries]:
    """Spectra at `n_states` states along the lithiation and the delithiation of cycle `cycle`."""
    sim = GEISSimulator(material, current_A_per_g=current_A_per_g, temperature_C=temperature_C, pset=pset, mesh_points=mesh_points)
    return {s: sim.series(s, n_states, cycle, frequency_Hz) for s in STEPS}
