"""One design point on a worker: a plain task dict in, a plain result dict out (picklable, so
any Dask worker, local or remote, runs it without the design file or the store)."""

from __future__ import annotations

import json
import math
import os
import socket
import time
from typing import Any

import pandas as pd

from sizno.lab.study.design import DESIGN_VARIABLES, IRREVERSIBLE, Design, RecordSpec, protocol_of

ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1
NOT_PARAMETERS = ("material", "protocol", "draw")  # point values that are no model parameter ("draw": a band's draw number)


def ishigami(x1: float, x2: float, x3: float, a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> float:
    """The Ishigami function: a standard sensitivity check with known Sobol indices."""
    return math.sin(x1) + a * math.sin(x2) ** 2 + b * x3 ** 4 * math.sin(x1)


def ishigami_sobol_indices(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict[str, list[float]]:
    """Its exact first-order (S1) and total (ST) indices for x ~ U(-pi, pi)^3."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * pi ** 8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return {"S1": [v1 / var, v2 / var, 0.0], "ST": [(v1 + v13) / var, v2 / var, v13 / var]}


def make_tasks(design: Design, points: list[dict[str, Any]], parameter_overrides: dict[str, float] | None = None) -> list[dict]:
    """The worker tasks of `points`: everything resolved on the driver (protocols as data,
    the base parameter file's values), so workers need only sizno installed."""
    base: dict[str, float] = {}
    if not design.analytic:
        from sizno.models.parameters import load_parameter_set
    if design.study.parameters and not design.analytic:
        user = load_parameter_set(design.study.parameters)
        default = load_parameter_set()
        base = {k: e.value for k, e in user.entries.items() if e.value != default.entries[k].value}
    base.update(parameter_overrides or {})
    protocols: dict[str, dict] = {}
    tasks = []
    for p in points:
        task = {"cell": design.study.cell, "values": p, "mesh_points": design.study.mesh_points,
                "records": {k: r.model_dump() for k, r in design.outputs.records.items()},
                "timeseries_cycles": list(design.outputs.timeseries_cycles), "base_parameters": base}
        if not design.analytic:
            spec = p.get("protocol", design.study.protocol)
            name = spec if isinstance(spec, str) else json.dumps(spec, sort_keys=True)
            if name not in protocols:
                protocols[name] = protocol_of(spec).model_dump(mode="json")
            task["protocol"] = protocols[name]
        tasks.append(task)
    return tasks


def pick_record(cycles: pd.DataFrame, spec: RecordSpec) -> float:
    """The record's value from a cycle table (NaN where the chosen cycle is missing)."""
    if cycles.empty or spec.column not in cycles:
        return float("nan")
    rows = cycles
    if spec.cycle is not None:
        n = spec.cycle if spec.cycle > 0 else int(cycles["cycle_index"].max()) + 1 + spec.cycle
        rows = cycles[cycles["cycle_index"] == n]
    elif spec.current_A_per_g is not None and "current_A_per_g" in cycles:
        rows = cycles[(cycles["current_A_per_g"] - spec.current_A_per_g).abs() <= 1e-9 * max(1.0, spec.current_A_per_g)]
    elif spec.c_rate is not None and "c_rate" in cycles:
        rows = cycles[(cycles["c_rate"] - spec.c_rate).abs() <= 1e-9 * max(1.0, spec.c_rate)]
    return float(rows[spec.column].iloc[-1]) if len(rows) else float("nan")


def _run_cell(task: dict) -> tuple[Any, dict]:
    from sizno.cell import paper_half_cell
    from sizno.cell.electrode import resolve_electrode
    from sizno.experiments.protocols import Protocol
    from sizno.experiments.runner import run_full_cell, run_protocol
    from sizno.materials.registry import resolve_material
    from sizno.models.parameters import load_parameter_set

    import pybamm

    pybamm.set_logging_level("CRITICAL")  # a step the runner could not run is in the result, not the worker's log
    v = task["values"]
    comp = resolve_material(v.get("material"), zinc_acetate_g=v.get("zinc_acetate_g"), silicon_g=v.get("silicon_g"),
                            zno_wt_pct=v.get("zno_wt_pct"))
    proto = Protocol(**task["protocol"])
    if "current_A_per_g" in v:
        proto = proto.with_current(float(v["current_A_per_g"]))
    if "c_rate" in v:
        proto = proto.with_c_rate(float(v["c_rate"]))
    if "cycles" in v:
        proto = proto.with_repeat(int(v["cycles"]))
    params = {**task["base_parameters"], **{k: float(x) for k, x in v.items()
                                             if k not in DESIGN_VARIABLES and k not in NOT_PARAMETERS}}
    pset = load_parameter_set().with_values(params) if params else load_parameter_set()
    keep = set(int(c) for c in task["timeseries_cycles"])
    derived: dict[str, Any] = {"material": comp.name, "zno_wt_pct": comp.zno_wt_percent}
    if task["cell"] == "full-cell":
        over = {k: v[k] for k in ("np_ratio", "ncm_loading_mg_per_cm2", "temperature_C") if k in v}
        res = run_full_cell(comp, proto, pset=pset, mesh_points=task["mesh_points"], timeseries_cycles=keep, **over)
    else:
        e = resolve_electrode(comp, v.get("thickness_um"), v.get("loading_mg_per_cm2"), v.get("mass_mg"), v.get("porosity"))
        derived.update(e.to_dict())
        cell = paper_half_cell(comp, temperature_C=v.get("temperature_C"), thickness_um=e.thickness_um,
                               composite_mass_mg=e.composite_mass_mg)
        res = run_protocol(cell, proto, pset, task["mesh_points"], None, keep)
    return res, derived


def evaluate_point(task: dict) -> dict:
    """Run one point; never raises: a failure comes back with its error text."""
    t0 = time.perf_counter()
    out: dict[str, Any] = {"status": "done", "error": None, "cycles": None, "timeseries": None, "records": {},
                           "derived": {}, "solve_s": float("nan"), "worker": f"{socket.gethostname()}:{os.getpid()}"}
    try:
        if task["cell"] == "analytic:ishigami":
            v = task["values"]
            t1 = time.perf_counter()
            out["records"] = {"y": ishigami(float(v["x1"]), float(v["x2"]), float(v["x3"]))}
            out["solve_s"] = time.perf_counter() - t1
        else:
            t1 = time.perf_counter()
            res, derived = _run_cell(task)
            out["solve_s"] = time.perf_counter() - t1
            cycles = res.cycles.copy()
            first, second = ("charge", "discharge") if task["cell"] == "full-cell" else ("lithiation", "delithiation")
            cycles[IRREVERSIBLE] = cycles[f"{first}_capacity_mAh_per_g"] - cycles[f"{second}_capacity_mAh_per_g"]
            out["cycles"] = cycles
            out["records"] = {k: pick_record(cycles, RecordSpec(**spec)) for k, spec in task["records"].items()}
            out["derived"] = derived
            if len(res.timeseries):
                out["timeseries"] = res.timeseries
            if not res.completed:
                out["status"], out["error"] = "failed", res.stop_reason or "the protocol did not finish"
    except Exception as exc:  # a failed point keeps its error text and never stops the study
        msg = str(exc).strip().splitlines()
        out["status"], out["error"] = "failed", f"{type(exc).__name__}: {msg[0] if msg else ''}"
    out["wall_s"] = time.perf_counter() - t0
    return out


def evaluate_chunk(tasks: list[dict]) -> list[dict]:
    """Several cheap points in one worker task (less scheduling per point)."""
    return [evaluate_point(t) for t in tasks]
