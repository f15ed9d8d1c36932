"""`sizno calibrate`: fit the free parameters to the paper's *calibration* records only.

The fit runs in stages, each fitting its own parameters to its own records, in an order in which
a later stage's parameters barely touch the earlier stages' records:

1. electrochemistry: transport, amorphisation, trapping, interface kinetics, front stress relief
   and the NCM811 utilisation <- half-cell first cycles and rates (60 °C) and the full cell's
   first cycle (185 mAh/g, ICE 77 %, 25 °C). No parameter sets the full cell's ICE directly: it
   is the anode's first-cycle Li loss plus what the room-temperature kinetics leave undischarged;
2. swelling: the share of growth that fills pristine voids <- the lithiated thickness (41 um);
3. ageing: the cracking rate <- Si–ZnO4's retention after 200 cycles at 0.8 A/g.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from sizno.experiments.protocols import load_protocol, rate_test
from sizno.experiments.runner import DEFAULT_MESH_POINTS, NO_CURVES, run_full_cell, run_half_cell
from sizno.fitting.core import FitProblem, FitResult, fit
from sizno.fitting.parameter_file import ParameterFile, write_parameter_file
from sizno.models.parameters import ParameterSet, fitted_values, load_parameter_set
from sizno.reproduce.reference import ReferenceValue, reference_by_role
from sizno.results.observables import first_cycle, rate_capacity, retention_percent

# the rate test up to the last calibrated rate: Si–ZnO4's 5 A/g (1125 mAh/g) is a calibration record
# since 2026-11-30 (the low rates alone left the high-rate transport unidentified)
CALIBRATION_RATES_A_PER_G = (0.1, 0.2, 0.5, 0.8, 1.0, 2.0, 4.0, 5.0)
CALIBRATION_CYCLES_PER_RATE = 3  # as the rate test: capacity still rises from cycle 2 to 3 (residual c-Si activates)
MATERIAL_OF = {"si_zno4": "si-zno4", "si": "si"}
Observer = Callable[[ParameterSet, int], dict[str, float]]  # (parameters, mesh points) -> model value per record


CALIBRATION_IDS_OF_RATES = ("half_cell.rate.si_zno4.0.1", "half_cell.rate.si_zno4.0.8", "half_cell.rate.si_zno4.5.0",
                            "half_cell.rate.si.0.8")


def _half_cell_values(pset: ParameterSet, mesh_points: int) -> dict[str, float]:
    protocol = rate_test(list(CALIBRATION_RATES_A_PER_G), CALIBRATION_CYCLES_PER_RATE)
    results = {m: run_half_cell(m, protocol, pset=pset, mesh_points=mesh_points,
                                timeseries_cycles=NO_CURVES) for m in ("si-zno4", "si")}
    out = {}
    for key, mat in MATERIAL_OF.items():
        fc = first_cycle(results[mat])
        out.update({f"half_cell.first_cycle.{key}.{k}": v for k, v in fc.items()})
        # only the calibration records' rates: pure Si at 5 A/g is a prediction, never computed here
        out.update({f"half_cell.rate.{key}.{r:.1f}": rate_capacity(results[mat], r) for r in CALIBRATION_RATES_A_PER_G
                    if f"half_cell.rate.{key}.{r:.1f}" in CALIBRATION_IDS_OF_RATES})
    return out


def _swelling_values(pset: ParameterSet, mesh_points: int) -> dict[str, float]:
    res = run_half_cell("si-zno4", load_protocol("first-cycle"), pset=pset, mesh_points=mesh_points,
                        timeseries_cycles=NO_CURVES)
    return {"thickness.si_zno4.lithiated_um": float(res.cycles["thickness_after_lithiation_um"].iloc[0])}


def _ageing_values(pset: ParameterSet, mesh_points: int) -> dict[str, float]:
    res = run_half_cell("si-zno4", load_protocol("long-cycling"), pset=pset, mesh_points=mesh_points,
                        timeseries_cycles=NO_CURVES)
    return {"half_cell.cycling.si_zno4.retention_percent": retention_percent(res)}


def _full_cell_values(pset: ParameterSet, mesh_points: int) -> dict[str, float]:
    res = run_full_cell("si-zno4", load_protocol("full-cell-first-cycles").with_repeat(1), pset=pset, mesh_points=mesh_points,
                        timeseries_cycles=NO_CURVES)
    fc = first_cycle(res)
    return {"full_cell.first_cycle.discharge_mAh_g": fc["discharge_mAh_g"], "full_cell.first_cycle.ice_percent": fc["ice_percent"]}


@dataclass(frozen=True)
class CalibrationStage:
    name: str
    parameters: tuple[str, ...]
    records: tuple[str, ...]  # fitted to
    observe: Observer


def _electrochemistry_values(pset: ParameterSet, mesh_points: int) -> dict[str, float]:
    return {**_half_cell_values(pset, mesh_points), **_full_cell_values(pset, mesh_points)}


STAGES = (
    # half cells at 60 °C and the full cell at 25 °C together: the room-temperature first cycle is
    # what pins the transport that the 60 °C records leave loose (the network's conductivity)
    CalibrationStage(
        "electrochemistry",
        ("LixSi ionic conductivity, lithiated [S.m-1]", "Network ionic conductivity [S.m-1]",
         "c-Si amorphisation rate constant [s-1]", "Trap sites per activated Si [-]",
         "Interface exchange current density [A.m-2]", "Front stress relief per delithiated capacity [-]",
         "NCM811 utilisation [-]"),
        ("half_cell.first_cycle.si_zno4.discharge_mAh_g", "half_cell.first_cycle.si_zno4.charge_mAh_g",
         "half_cell.first_cycle.si_zno4.ice_percent", "half_cell.first_cycle.si.ice_percent",
         "half_cell.rate.si_zno4.0.1", "half_cell.rate.si_zno4.0.8", "half_cell.rate.si_zno4.5.0",
         "half_cell.rate.si.0.8", "full_cell.first_cycle.discharge_mAh_g", "full_cell.first_cycle.ice_percent"),
        _electrochemistry_values),
    CalibrationStage("swelling", ("Pore accommodation fraction [-]",), ("thickness.si_zno4.lithiated_um",), _swelling_values),
    CalibrationStage("ageing", ("Cracking rate per volumetric strain [-]",),
                     ("half_cell.cycling.si_zno4.retention_percent",), _ageing_values),
)
STAGE_NAMES = tuple(s.name for s in STAGES)
CALIBRATION_IDS = tuple(r for s in STAGES for r in s.records)


def calibration_targets(ids: tuple[str, ...] = CALIBRATION_IDS) -> list[ReferenceValue]:
    """The calibration records used; raises if any of them is not marked `calibration`."""
    allowed = reference_by_role("calibration")
    missing = [i for i in ids if i not in allowed]
    if missing:
        raise RuntimeError(f"not calibration records, refusing to fit to them: {missing}")
    return [allowed[i] for i in ids]


def stage(name: str) -> CalibrationStage:
    return STAGES[STAGE_NAMES.index(name)]


def calibration_problem(name: str = "half-cell", mesh_points: int = DEFAULT_MESH_POINTS) -> FitProblem:
    st = stage(name)
    targets = calibration_targets(st.records)

    def residuals(pset: ParameterSet) -> np.ndarray:
        values = st.observe(pset, mesh_points)
        return np.array([(values[t.id] - t.value) / t.value for t in targets])

    return FitProblem(names=list(st.parameters), residuals=residuals, labels=[t.id for t in targets])


def calibrate(stages: tuple[str, ...] = STAGE_NAMES, mesh_points: int = DEFAULT_MESH_POINTS, max_evaluations: int = 60,
              on_evaluation: Callable[[float], None] | None = None) -> dict[str, FitResult]:
    """Fit the named stages in order, each starting from (and building on) the current values."""
    pset = load_parameter_set()
    results: dict[str, FitResult] = {}
    for name in STAGE_NAMES:
        if name not in stages:
            continue
        res = fit(calibration_problem(name, mesh_points), pset, max_evaluations=max_evaluations, on_evaluation=on_evaluation)
        results[name] = res
        pset = pset.with_values(res.values)
    return results


def write_fitted(results: dict[str, FitResult], path: Path, mesh_points: int) -> None:
    """The fitted set as data, with the fit's residuals and provenance; stages not rerun keep theirs."""
    from sizno.data import read_user_toml

    old = read_user_toml(path) if path.exists() else {}
    values = fitted_values(path) if path.exists() else {}
    unc = {k: v for k, v in old.get("uncertainty_relative_1sigma", {}).items() if k in values}
    resid = {k: v for k, v in old.get("residuals_relative", {}).items() if k in CALIBRATION_IDS}
    evaluations = {k: v for k, v in old.get("about", {}).get("evaluations_by_stage", {}).items() if k in STAGE_NAMES}
    for name, res in results.items():
        values.update(res.values)
        unc.update(res.uncertainty_relative)
        resid.update(res.residuals)
        evaluations[name] = res.n_evaluations
    about = {
        "written_by": "sizno calibrate",
        "date": _dt.date.today().isoformat(),
        "method": "scipy least_squares (trf), relative residuals, log-scaled positive parameters; stages in order",
        "mesh_points": mesh_points,
        "stages": list(STAGE_NAMES),
        "evaluations_by_stage": evaluations,
        "records_used": [r for s in STAGES for r in s.records],
        "note": "only records marked role = 'calibration' in paper-values.toml; validation records never enter; "
                "uncertainty inf = not identified by these records",
    }
    write_parameter_file(ParameterFile(values=values, provenance_table="about", provenance=about, provenance_first=True,
                                       tables={"uncertainty_relative_1sigma": {k: float(v) for k, v in unc.items()},
                                               "residuals_relative": {k: float(v) for k, v in resid.items()}}), path)
