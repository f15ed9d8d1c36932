"""Sensitivity (SALib), prediction bands (calibration uncertainty), optimisation (scipy) — each
through the same engine and store as `sizno study run`."""

from __future__ import annotations

import math
import re
import time
from pathlib import Path
from typing import Any

import numpy as np

from sizno.errors import SiznoInputError
from sizno.lab.study.design import Design
from sizno.lab.study.engine import Cluster, Session, check_store, open_store


# ------------------------------------------------------------------------------------ helpers
def _records(session: Session, ids: list[int], names: list[str]) -> dict[str, np.ndarray]:
    df = session.store.query("SELECT point_id, name, value FROM records")
    table = df.pivot(index="point_id", columns="name", values="value") if len(df) else None
    out = {}
    for n in names:
        if table is None or n not in table:
            out[n] = np.full(len(ids), np.nan)
        else:
            out[n] = table[n].reindex(ids).to_numpy(dtype=float)
    return out


def _record_names(design: Design, chosen: list[str] | None) -> list[str]:
    names = list(design.outputs.records)
    if not names:
        raise SiznoInputError("outputs.records", "the design names no records", "at least one [outputs.records] entry")
    for n in chosen or []:
        if n not in names:
            raise SiznoInputError("--record", f"unknown record '{n}'", ", ".join(names))
    return list(chosen or names)


def _ranged_only(design: Design, command: str) -> None:
    if design.levels():
        raise SiznoInputError(f"variable ({design.levels()[0].name})", f"{command} needs ranges, not values",
                              "range = [low, high] (put fixed levels under [fixed])")
    if not design.ranged():
        raise SiznoInputError("variable", "no variable with a range", "one or more variables with range = [low, high]")


def _to_problem(design: Design) -> dict:
    """SALib's problem: log-scaled variables are sampled in ln space."""
    vs = design.ranged()
    bounds = [[math.log(v.range[0]), math.log(v.range[1])] if v.scale == "log" else list(v.range) for v in vs]
    return {"num_vars": len(vs), "names": [v.name for v in vs], "bounds": bounds}


def _from_unit_row(design: Design, row: np.ndarray) -> dict[str, Any]:
    p: dict[str, Any] = dict(design.fixed)
    for v, x in zip(design.ranged(), row):
        x = float(math.exp(x)) if v.scale == "log" else float(x)
        p[v.name] = int(round(x)) if v.name == "cycles" else x
    return p


# ------------------------------------------------------------------------------------ sensitivity
def sensitivity(design: Design, store_path: Path, method: str = "sobol", n: int = 64, seed: int = 0,
                records: list[str] | None = None, scheduler: str | None = None, workers: int | None = None,
                retry_failed: bool = False, progress: bool = True) -> dict[str, Any]:
    """Sobol (Saltelli sampling, first-order and total indices) or Morris (mu*, sigma) indices of
    each chosen record with respect to the design's ranged variables."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if method not in ("sobol", "morris"):
        raise SiznoInputError("--method", f"got '{method}'", "sobol, morris")
    if n <= 0:
        raise SiznoInputError("--n", f"got {n}", "an integer > 0 (Sobol: a power of 2)")
    if method == "sobol" and n & (n - 1):
        raise SiznoInputError("--n", f"{n} is not a power of 2", "a power of 2 for Sobol sampling (e.g. 64, 256, 1024)")
    _ranged_only(design, "sensitivity")
    names = _record_names(design, records)
    problem = _to_problem(design)
    if method == "sobol":
        X = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    else:
        X = morris_sample.sample(problem, n, num_levels=4, seed=seed)
    points = [_from_unit_row(design, row) for row in X]
    plan = {"command": "sensitivity", "method": method, "n": n, "seed": seed}
    check_store(design, store_path, plan)
    t0 = time.perf_counter()
    with Cluster(scheduler, workers) as cluster:
        store = open_store(design, store_path, plan, points, "sensitivity")
        session = Session(design, store, cluster, retry_failed=retry_failed, progress=progress, label="sensitivity")
        try:
            ids = session.evaluate(points, "sensitivity")
        finally:
            session.close()
    Y = _records(session, ids, names)
    out: dict[str, Any] = {"method": method, "n": n, "seed": seed, "evaluations": len(points), "store": str(store_path),
                           "variables": problem["names"], "bounds": [list(v.range) for v in design.ranged()],
                           "scales": [v.scale for v in design.ranged()], "indices": {}, "not_computed": {},
                           "wall_s": time.perf_counter() - t0}
    for name in names:
        y = Y[name]
        bad = int(np.sum(~np.isfinite(y)))
        if bad:
            out["not_computed"][name] = f"{bad} of {len(y)} evaluations failed or gave no value (see the store's points)"
            continue
        if method == "sobol":
            si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
            out["indices"][name] = {"S1": si["S1"].tolist(), "S1_conf": si["S1_conf"].tolist(),
                                    "ST": si["ST"].tolist(), "ST_conf": si["ST_conf"].tolist()}
        else:
            si = morris_analyze.analyze(problem, X, y, num_levels=4, seed=seed)
            out["indices"][name] = {"mu_star": np.asarray(si["mu_star"]).tolist(),
                                    "mu_star_conf": np.asarray(si["mu_star_conf"]).tolist(),
                                    "sigma": np.asarray(si["sigma"]).tolist()}
    return out


# ------------------------------------------------------------------------------------ uncertainty
def calibration_spread(path: Path | None = None) -> tuple[dict[str, float], dict[str, float], list[str]]:
    """(fitted values, relative 1-sigma of the identified ones, names not identified (inf)) from
    the calibration file (src/sizno/data/parameters/fitted.toml by default)."""
    from sizno.data import read_toml, read_user_toml

    raw = read_user_toml(path) if path else read_toml("parameters/fitted.toml")
    values = {k: float(v) for k, v in raw.get("values", {}).items()}
    sig = {k: float(v) for k, v in raw.get("uncertainty_relative_1sigma", {}).items()}
    identified = {k: s for k, s in sig.items() if k in values and math.isfinite(s) and s > 0}
    unidentified = sorted(k for k, s in sig.items() if k in values and not math.isfinite(s))
    return values, identified, unidentified


def parameter_draws(n_draws: int, seed: int = 0, path: Path | None = None) -> tuple[list[dict[str, float]], dict]:
    """`n_draws` parameter sets: draw 0 the fitted values, the rest log-normal around them with the
    calibration's relative 1-sigma (the fit was in log parameters, so sigma_rel ~ sigma of ln p;
    the file holds no correlations, so the draws are independent), clipped to each parameter's
    bounds. Parameters the calibration did not identify (inf) stay at their fitted values."""
    from sizno.models.parameters import load_parameter_set

    values, sig, unidentified = calibration_spread(path)
    pset = load_parameter_set()
    rng = np.random.default_rng(seed)
    draws = [dict(values)]
    for _ in range(n_draws - 1):
        d = dict(values)
        for k, s in sig.items():
            x = values[k] * math.exp(rng.normal(0.0, s))
            b = pset.entries[k].bounds if k in pset.entries else None
            d[k] = float(min(max(x, b[0]), b[1])) if b else float(x)
        draws.append(d)
    info = {"sampled": {k: {"value": values[k], "sigma_relative": s} for k, s in sig.items()},
            "held_unidentified": unidentified,
            "method": "independent log-normal draws from the calibration's relative 1-sigma (no correlations stored)"}
    return draws, info


def uncertainty(design: Design, store_path: Path, n_draws: int = 16, seed: int = 0, records: list[str] | None = None,
                scheduler: str | None = None, workers: int | None = None, retry_failed: bool = False,
                progress: bool = True, calibration: Path | None = None) -> dict[str, Any]:
    """A 95 % band (2.5-97.5 percentiles over the parameter draws) of each record at each design point."""
    if n_draws < 2:
        raise SiznoInputError("--draws", f"got {n_draws}", "an integer >= 2 (draw 0 is the fitted set)")
    names = _record_names(design, records)
    if design.analytic:
        raise SiznoInputError("study.cell", "uncertainty needs a cell model", "half-cell, full-cell")
    design_points = design.points()
    draws, info = parameter_draws(n_draws, seed, calibration)
    clash = [k for k in draws[0] if any(v.name == k for v in design.variable) or k in design.fixed]
    if clash:
        raise SiznoInputError(f"variable ({clash[0]})", "is a calibrated parameter the bands sample", "design variables other than fitted parameters")
    sampled = list(info["sampled"])
    points = [{**p, **{k: d[k] for k in sampled}, "draw": float(i)} for p in design_points for i, d in enumerate(draws)]
    plan = {"command": "uncertainty", "draws": n_draws, "seed": seed, "sampled": info["sampled"]}
    check_store(design, store_path, plan)
    t0 = time.perf_counter()
    with Cluster(scheduler, workers) as cluster:
        store = open_store(design, store_path, plan, points, "uncertainty", extra_variables=[*sampled, "draw"])
        session = Session(design, store, cluster, retry_failed=retry_failed, progress=progress, label="uncertainty")
        # the calibrated values not sampled (held) are the set's own values: nothing to override
        try:
            ids = session.evaluate(points, "uncertainty")
        finally:
            session.close()
    Y = _records(session, ids, names)
    bands = []
    for j, p in enumerate(design_points):
        sl = slice(j * n_draws, (j + 1) * n_draws)
        row: dict[str, Any] = {"point": {k: v for k, v in p.items()}}
        for name in names:
            y = Y[name][sl]
            ok = y[np.isfinite(y)]
            row[name] = {"nominal": float(y[0]) if np.isfinite(y[0]) else None,
                         "low": float(np.percentile(ok, 2.5)) if len(ok) >= 2 else None,
                         "high": float(np.percentile(ok, 97.5)) if len(ok) >= 2 else None,
                         "draws_ok": int(len(ok)), "draws": n_draws}
        bands.append(row)
    return {"store": str(store_path), "draws": n_draws, "seed": seed, "band": "95 % (2.5-97.5 percentiles of the draws)",
            "parameters": info, "records": names, "bands": bands, "evaluations": len(points),
            "wall_s": time.perf_counter() - t0}


# ------------------------------------------------------------------------------------ optimisation
_CONSTRAINT = re.compile(r"^\s*([A-Za-z0-9_]+)\s*(<=|>=)\s*([-+0-9.eE]+)\s*$")


def parse_constraint(text: str, names: list[str]) -> tuple[str, str, float]:
    m = _CONSTRAINT.match(text)
    if not m:
        raise SiznoInputError("--constraint", f"cannot read '{text}'", "RECORD<=VALUE or RECORD>=VALUE")
    if m.group(1) not in names:
        raise SiznoInputError("--constraint", f"unknown record '{m.group(1)}'", ", ".join(names))
    return m.group(1), m.group(2), float(m.group(3))


def optimize(design: Design, store_path: Path, objective: str, maximize: bool = True, constraints: list[str] = (),
             budget: int = 30, seed: int = 0, scheduler: str | None = None, workers: int | None = None,
             progress: bool = True) -> dict[str, Any]:
    """Best objective over the design's ranged variables subject to record constraints, by
    scipy's differential evolution (each generation evaluated in parallel on the cluster);
    constraints enter as a penalty, every evaluation is stored (source 'optimize')."""
    from scipy.optimize import differential_evolution

    _ranged_only(design, "optimize")
    names = _record_names(design, None)
    if objective not in names:
        raise SiznoInputError("--objective", f"unknown record '{objective}'", ", ".join(names))
    cons = [parse_constraint(c, names) for c in constraints]
    if budget < 4:
        raise SiznoInputError("--budget", f"got {budget}", "an integer >= 4 model evaluations")
    problem = _to_problem(design)
    d = problem["num_vars"]
    popsize = max(2, math.ceil(8 / d))  # scipy's population = popsize x d
    maxiter = max(0, budget // (popsize * d) - 1)
    plan = {"command": "optimize", "objective": objective, "maximize": maximize, "constraints": sorted(constraints),
            "budget": budget, "seed": seed}
    check_store(design, store_path, plan)
    t0 = time.perf_counter()
    sign = -1.0 if maximize else 1.0
    history: list[dict] = []
    with Cluster(scheduler, workers) as cluster:
        store = open_store(design, store_path, plan, [], "optimize")
        session = Session(design, store, cluster, progress=progress, label="optimize")

        def score(rec: dict[str, float]) -> tuple[float, float]:
            y = rec.get(objective, float("nan"))
            viol = 0.0
            for name, op, lim in cons:
                v = rec.get(name, float("nan"))
                if not math.isfinite(v):
                    viol += 1e6
                else:
                    viol += max(0.0, v - lim) if op == "<=" else max(0.0, lim - v)
            if not math.isfinite(y):
                return 1e12, viol
            scale = max(1.0, abs(y))
            return sign * y + 1e3 * scale * viol / max(1.0, max((abs(c[2]) for c in cons), default=1.0)), viol

        def mapper(func, xs):
            xs = [np.asarray(x) for x in xs]
            pts = [_from_unit_row(design, x) for x in xs]
            ids = session.evaluate(pts, "optimize")
            Y = _records(session, ids, names)
            out = []
            for k, (pid, p) in enumerate(zip(ids, pts)):
                rec = {n: float(Y[n][k]) for n in names}
                f, viol = score(rec)
                history.append({"point_id": int(pid), **p, **rec, "feasible": viol == 0.0})
                out.append(f)
            return out

        try:
            res = differential_evolution(lambda x: 0.0, problem["bounds"], workers=mapper, updating="deferred",
                                         popsize=popsize, maxiter=maxiter, seed=seed, polish=False, tol=1e-6)
        finally:
            session.close()
    feasible = [h for h in history if h["feasible"] and math.isfinite(h[objective])]
    best = (max if maximize else min)(feasible, key=lambda h: h[objective]) if feasible else None
    return {"store": str(store_path), "objective": objective, "maximize": maximize, "constraints": list(constraints),
            "evaluations": len(history), "generations": int(res.nit) + 1, "best": best,
            "found_feasible": best is not None, "method": "scipy differential_evolution (deferred updating, penalty constraints)",
            "wall_s": time.perf_counter() - t0}
