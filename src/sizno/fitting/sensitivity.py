"""What controls the model's predictions, and what the calibration pins.

Two analyses, each written as a JSON and a figure that `make sensitivity` regenerates:

* **Global sensitivity** (Morris elementary effects, SALib) of the paper's *validation* quantities
  (pure Si and the Si–ZnOx series at 5 A/g, 60 °C; Si–ZnO4 at 4 A/g, 25 °C; the full cell at 1C and
  2C, 25 °C) with respect to every fitted parameter within its fit bounds and the literature
  parameters and activation energies within their physical ranges (`parameters/sensitivity-ranges.toml`).
  It also records the largest value each quantity reached anywhere in those ranges, which is the
  evidence that a miss is structural (no parameter values within bounds reach the paper).
* **Identifiability** of the calibration: the Jacobian of the electrochemistry stage's relative
  residuals with respect to its parameters (log10 scale) at the calibrated values; the Fisher
  information J^T J / s^2 (s = the records' assumed relative uncertainty) gives each parameter's
  1-sigma in decades and the correlations. A parameter with 1-sigma above 0.3 decades (a factor 2)
  is not identified by the calibration records.
"""

from __future__ import annotations

import json
import math
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from sizno.data import read_toml
from sizno.experiments.protocols import c_rate_test, rate_test
from sizno.experiments.runner import NO_CURVES, DEFAULT_MESH_POINTS, QUICK_MESH_POINTS, run_full_cell, run_half_cell
from sizno.models.parameters import ParameterSet, load_parameter_set
from sizno.results.observables import rate_capacity

RANGES_FILE = "parameters/sensitivity-ranges.toml"
EA_SUFFIX = " | Ea [eV]"
RECORD_RELATIVE_UNCERTAINTY = 0.03  # paper records: ~3 % cell-to-cell scatter (assumption, stated in the output)
IDENTIFIED_DECADES = 0.3  # 1-sigma above a factor of 2: not identified


@dataclass(frozen=True)
class Factor:
    """One input of the sensitivity analysis: a parameter's value or its activation energy."""

    name: str  # "Name [unit]" or "Name [unit] | Ea [eV]"
    low: float
    high: float
    log: bool
    source: str

    @property
    def parameter(self) -> str:
        return self.name.removesuffix(EA_SUFFIX)

    @property
    def is_activation_energy(self) -> bool:
        return self.name.endswith(EA_SUFFIX)

    def from_unit(self, u: float) -> float:
        """u in [0, 1] -> the factor's value (log-uniform where `log`)."""
        if self.log:
            return 10 ** (math.log10(self.low) + u * (math.log10(self.high) - math.log10(self.low)))
        return self.low + u * (self.high - self.low)


# the fitted parameters whose records are the rate and first-cycle ones (not swelling, ageing, cathode)
FITTED_FACTORS = ("LixSi ionic conductivity, lithiated [S.m-1]", "Network ionic conductivity [S.m-1]",
                  "c-Si amorphisation rate constant [s-1]", "Trap sites per activated Si [-]",
                  "Interface exchange current density [A.m-2]", "Front stress relief per delithiated capacity [-]")


def sensitivity_factors(pset: ParameterSet | None = None) -> list[Factor]:
    """Fitted parameters within their fit bounds, then the literature ranges of the data file."""
    pset = pset or load_parameter_set()
    out = []
    for name in FITTED_FACTORS:
        lo, hi = pset.entries[name].bounds
        out.append(Factor(name, lo, hi, lo > 0, "fit bounds (dense-anode.toml)"))
    return out + list(literature_ranges(pset).values())


def literature_ranges(pset: ParameterSet | None = None) -> dict[str, Factor]:
    """The data file's ranges, validated: a known parameter, low < high (low > 0 where log), a source."""
    pset = pset or load_parameter_set()
    out = {}
    for name, raw in read_toml(RANGES_FILE).items():
        if name.removesuffix(EA_SUFFIX) not in pset.entries:
            raise KeyError(f"{RANGES_FILE}: unknown parameter '{name}'")
        lo, hi = (float(v) for v in raw["range"])
        if not lo < hi or (raw["log"] and lo <= 0):
            raise ValueError(f"{RANGES_FILE}: '{name}' range must be [low, high] with low < high (low > 0 if log); "
                             f"got {raw['range']}")
        if len(str(raw.get("source", "")).strip()) < 3:
            raise ValueError(f"{RANGES_FILE}: '{name}' needs a source")
        out[name] = Factor(name, lo, hi, bool(raw["log"]), raw["source"])
    return out


def sobol_sample(factors: list[Factor], n: int, seed: int) -> np.ndarray:
    """n points of a scrambled Sobol' sample of the factors' box (log-uniform where `log`): an (n, len(factors))
    array of factor values, the first n of a base-2 sample so that every n is a prefix of a balanced design."""
    from scipy.stats import qmc

    unit = qmc.Sobol(d=len(factors), scramble=True, seed=seed).random_base2(int(np.ceil(np.log2(max(n, 2)))))[:n]
    return np.array([[f.from_unit(float(u)) for f, u in zip(factors, row)] for row in unit])


def with_factors(pset: ParameterSet, factors: list[Factor], values: np.ndarray) -> ParameterSet:
    """A copy of `pset` with each factor set (values and activation energies alike)."""
    entries = dict(pset.entries)
    for f, v in zip(factors, values):
        key = "activation_energy_eV" if f.is_activation_energy else "value"
        entries[f.parameter] = entries[f.parameter].model_copy(update={key: float(v)})
    return pset.model_copy(update={"entries": entries})


# ---------------------------------------------------------------------------- the predicted quantities
HALF_RATES_60C = (0.1, 0.8, 5.0)
HALF_RATES_25C = (0.1, 0.8, 4.0)
FULL_C_RATES = (0.1, 1.0, 2.0)
OUTPUTS = ("half_cell.rate.si.5.0", "half_cell.rate.si_zno2.5.0", "half_cell.rate.si_zno4.5.0",
           "half_cell.rate.si_zno8.5.0", "half_cell.room_temperature.si_zno4.4.0",
           "full_cell.rate.si_zno4.1.0", "full_cell.rate.si_zno4.2.0")


def predicted_quantities(pset: ParameterSet, mesh_points: int = QUICK_MESH_POINTS) -> dict[str, float]:
    """The validation quantities (and Si–ZnO4 at 5 A/g, now a calibration record) for one parameter set.

    One cycle per rate (the reproduce runs three): cheap enough for hundreds of samples, and what
    the analysis ranks is how each parameter moves the high-rate capacities, not their last digit.
    """
    out: dict[str, float] = {}
    for m in ("si", "si-zno2", "si-zno4", "si-zno8"):
        r = run_half_cell(m, rate_test(list(HALF_RATES_60C), 1), temperature_C=60.0, pset=pset, mesh_points=mesh_points,
                          timeseries_cycles=NO_CURVES)
        out[f"half_cell.rate.{m.replace('-', '_')}.5.0"] = rate_capacity(r, 5.0)
    r = run_half_cell("si-zno4", rate_test(list(HALF_RATES_25C), 1), temperature_C=25.0, pset=pset, mesh_points=mesh_points,
                      timeseries_cycles=NO_CURVES)
    out["half_cell.room_temperature.si_zno4.4.0"] = rate_capacity(r, 4.0)
    r = run_full_cell("si-zno4", c_rate_test(list(FULL_C_RATES), 1), pset=pset, mesh_points=mesh_points,
                      timeseries_cycles=NO_CURVES)
    out["full_cell.rate.si_zno4.1.0"] = rate_capacity(r, 1.0)
    out["full_cell.rate.si_zno4.2.0"] = rate_capacity(r, 2.0)
    return out


def _evaluate(args: tuple[ParameterSet, list[Factor], np.ndarray, int]) -> dict[str, float]:
    pset, factors, values, mesh = args
    try:
        return predicted_quantities(with_factors(pset, factors, values), mesh)
    except Exception:  # a sample the model cannot run: recorded as missing, never as a number
        return {k: float("nan") for k in OUTPUTS}


def morris(trajectories: int = 4, levels: int = 4, seed: int = 0, workers: int = 1,
           mesh_points: int = QUICK_MESH_POINTS, on_sample: Callable[[], None] | None = None) -> dict:
    """Morris screening of OUTPUTS; returns mu*, sigma and the sample (inputs and outputs)."""
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    pset = load_parameter_set()
    factors = sensitivity_factors(pset)
    problem = {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": [[0.0, 1.0]] * len(factors)}
    unit = morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    values = np.array([[f.from_unit(u) for f, u in zip(factors, row)] for row in unit])
    jobs = [(pset, factors, row, mesh_points) for row in values]
    t0 = time.perf_counter()
    results: list[dict[str, float]] = []
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            for res in pool.map(_evaluate, jobs):
                results.append(res)
                if on_sample:
                    on_sample()
    else:
        for job in jobs:
            results.append(_evaluate(job))
            if on_sample:
                on_sample()
    Y = np.array([[r.get(k, float("nan")) for k in OUTPUTS] for r in results])
    analysis = {}
    for j, key in enumerate(OUTPUTS):
        y = Y[:, j]
        failed = int(np.sum(~np.isfinite(y)))
        # a failed sample counts as the cycler would record it: no capacity
        res = morris_analyze.analyze(problem, unit, np.nan_to_num(y, nan=0.0), num_levels=levels, seed=seed)
        analysis[key] = {
            "mu_star": dict(zip(problem["names"], map(float, res["mu_star"]))),
            "sigma": dict(zip(problem["names"], map(float, res["sigma"]))),
            "mu_star_conf": dict(zip(problem["names"], map(float, res["mu_star_conf"]))),
            "min": float(np.nanmin(y)) if failed < len(y) else float("nan"),
            "max": float(np.nanmax(y)) if failed < len(y) else float("nan"),
            "failed_samples": failed,
        }
    return {
        "method": "Morris elementary effects (SALib), one cycle per rate, mesh "
                  f"{mesh_points}; {trajectories} trajectories x {len(factors) + 1} points, {levels} levels, seed {seed}",
        "factors": [{"name": f.name, "low": f.low, "high": f.high, "log": f.log, "source": f.source} for f in factors],
        "outputs": list(OUTPUTS),
        "analysis": analysis,
        "samples": {"inputs": values.tolist(), "outputs": Y.tolist()},
        "baseline": predicted_quantities(pset, mesh_points),
        "wall_s": time.perf_counter() - t0,
    }


# ---------------------------------------------------------------------------- identifiability
def identifiability(stage_name: str = "electrochemistry", mesh_points: int = DEFAULT_MESH_POINTS, step_decades: float = 0.05,
                    on_evaluation: Callable[[], None] | None = None) -> dict:
    """Fisher information of the stage's calibration records at the calibrated values."""
    from sizno.fitting.calibrate import calibration_problem

    pset = load_parameter_set()
    problem = calibration_problem(stage_name, mesh_points)
    names = [n for n in problem.names if pset.value(n) > 0]  # log10 steps about each (positive) value
    x0 = {n: pset.value(n) for n in names}

    def residuals(values: dict[str, float]) -> np.ndarray:
        r = np.asarray(problem.residuals(pset.with_values(values)), dtype=float)
        if on_evaluation:
            on_evaluation()
        return r

    r0 = residuals(x0)
    J = np.zeros((len(r0), len(names)))
    for j, n in enumerate(names):
        J[:, j] = (residuals({**x0, n: x0[n] * 10**step_decades}) - r0) / step_decades
    fim = J.T @ J / RECORD_RELATIVE_UNCERTAINTY**2
    cov = np.linalg.pinv(fim)
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    corr = cov / np.outer(np.where(sd > 0, sd, 1), np.where(sd > 0, sd, 1))
    eigval, eigvec = np.linalg.eigh(fim)
    return {
        "stage": stage_name,
        "records": problem.labels,
        "record_relative_uncertainty": RECORD_RELATIVE_UNCERTAINTY,
        "parameters": [{"name": n, "value": x0[n], "one_sigma_decades": float(s),
                        "identified": bool(s < IDENTIFIED_DECADES),
                        "most_correlated_with": names[int(np.argsort(-np.abs(corr[j]))[1])] if len(names) > 1 else None,
                        "correlation": float(corr[j, np.argsort(-np.abs(corr[j]))[1]]) if len(names) > 1 else None}
                       for j, (n, s) in enumerate(zip(names, sd))],
        "residuals_at_calibration": dict(zip(problem.labels, map(float, r0))),
        "jacobian_per_decade": J.tolist(),
        "fisher_eigenvalues": eigval.tolist(),
        "sloppiest_direction": dict(zip(names, map(float, eigvec[:, 0]))),
        "correlation": corr.tolist(),
    }


# ---------------------------------------------------------------------------- profiles
# the calibration's sloppy pairs (Fisher, correlations -0.99 and -1.00): each is profiled
PROFILE_GRIDS = {
    "Interface exchange current density [A.m-2]": (2.0, 20.0, 60.0),
    "LixSi ionic conductivity, lithiated [S.m-1]": (0.03, 0.3),
}
PROFILE_MAX_ITERATIONS = 6  # least-squares iterations per refit (each also costs one Jacobian: n + 1 runs)


def profile(parameter: str, values: tuple[float, ...], stage_name: str = "electrochemistry",
            mesh_points: int = QUICK_MESH_POINTS, max_iterations: int = PROFILE_MAX_ITERATIONS,
            on_point: Callable[[], None] | None = None) -> dict:
    """Profile of the calibration along one parameter: at each value, the stage's OTHER parameters are
    refitted to the calibration records, and the validation quantities are predicted with that set.

    Where the calibration cost stays at its minimum along the profile, the records do not pin the
    parameter; the predictions along it are then what the calibration leaves open (never a choice
    among them: picking the point that meets a validation record would be fitting to it)."""
    from sizno.fitting.calibrate import calibration_problem
    from sizno.fitting.core import FitProblem, fit

    pset = load_parameter_set()
    problem = calibration_problem(stage_name, mesh_points)
    if parameter not in problem.names:
        raise ValueError(f"{parameter!r} is not a parameter of the {stage_name} stage: {problem.names}")
    others = FitProblem(names=[n for n in problem.names if n != parameter], residuals=problem.residuals,
                        labels=problem.labels)
    t0 = time.perf_counter()
    # the calibrated set itself, as calibrated (no refit), then each profile value with the others refitted
    r0 = problem.residuals(pset)
    points = [{"value": pset.value(parameter), "calibrated_value": True,
               "refitted": {n: pset.value(n) for n in others.names},
               "residuals_relative": dict(zip(problem.labels, map(float, r0))),
               "worst_calibration_residual": float(np.max(np.abs(r0))), "fit_converged": True, "evaluations": 1,
               "predictions": predicted_quantities(pset, mesh_points)}]
    if on_point:
        on_point()
    for v in values:
        start = pset.with_values({parameter: float(v)})
        res = fit(others, start, max_evaluations=max_iterations)  # warm start: the calibrated values
        fitted = start.with_values(res.values)
        points.append({
            "value": float(v), "calibrated_value": False,
            "refitted": res.values, "residuals_relative": res.residuals,
            "worst_calibration_residual": float(max(abs(r) for r in res.residuals.values())),
            "fit_converged": res.success, "evaluations": res.n_evaluations,
            "predictions": predicted_quantities(fitted, mesh_points),
        })
        if on_point:
            on_point()
    return {"parameter": parameter, "stage": stage_name, "mesh_points": mesh_points,
            "method": f"profile: the other {len(others.names)} parameters refitted (least squares from the calibrated "
                      f"values, at most {max_iterations} iterations) at each value, mesh {mesh_points}; predictions "
                      "one cycle per rate",
            "points": points, "wall_s": time.perf_counter() - t0}


def profiles(grids: dict[str, tuple[float, ...]] | None = None, mesh_points: int = QUICK_MESH_POINTS,
             on_point: Callable[[], None] | None = None) -> dict:
    """`profile` of each sloppy parameter in `grids` (default PROFILE_GRIDS)."""
    return {"profiles": [profile(name, vals, mesh_points=mesh_points, on_point=on_point)
                         for name, vals in (grids or PROFILE_GRIDS).items()],
            "outputs": list(OUTPUTS)}


def profile_figure(result: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    profs = result["profiles"]
    fig, axes = plt.subplots(2, len(profs), figsize=(5 * len(profs), 7), squeeze=False)
    for j, prof in enumerate(profs):
        pts = sorted(prof["points"], key=lambda p: p["value"])
        x = [p["value"] for p in pts]
        axes[0, j].semilogx(x, [100 * p["worst_calibration_residual"] for p in pts], "o-")
        axes[0, j].axhline(5, ls="--", c="grey")
        axes[0, j].set_ylabel("worst calibration residual [%]")
        for key in result["outputs"]:
            axes[1, j].semilogx(x, [p["predictions"].get(key, float("nan")) for p in pts], "o-", label=key)
        axes[1, j].set_xlabel(prof["parameter"])
        axes[1, j].set_ylabel("prediction [mAh/g]")
    from matplotlib.ticker import NullFormatter

    for ax in axes.ravel():
        ax.xaxis.set_minor_formatter(NullFormatter())
    axes[1, 0].legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ---------------------------------------------------------------------------- figures and files
def morris_figure(result: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outputs = result["outputs"]
    names = [f["name"] for f in result["factors"]]
    fig, axes = plt.subplots(1, len(outputs), figsize=(3.0 * len(outputs), 0.28 * len(names) + 1.5), sharey=True)
    for ax, key in zip(np.atleast_1d(axes), outputs):
        mu = np.array([result["analysis"][key]["mu_star"][n] for n in names])
        conf = np.array([result["analysis"][key]["mu_star_conf"][n] for n in names])
        ax.barh(range(len(names)), mu, xerr=conf, color="tab:blue", alpha=0.8)
        ax.set_title(key.replace("half_cell.", "").replace("full_cell.", "full ").replace("room_temperature", "25C"),
                     fontsize=8)
        ax.set_xlabel("mu* [mAh/g]", fontsize=8)
        ax.tick_params(labelsize=7)
    np.atleast_1d(axes)[0].set_yticks(range(len(names)), names)
    fig.suptitle("Morris screening: what moves each prediction (mu*, with 95 % bootstrap interval)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def identifiability_figure(result: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    params = result["parameters"]
    names = [p["name"] for p in params]
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 0.45 * len(names) + 2))
    sd = [min(p["one_sigma_decades"], 5) for p in params]
    a.barh(range(len(names)), sd, color=["tab:green" if p["identified"] else "tab:red" for p in params])
    a.axvline(IDENTIFIED_DECADES, color="k", ls="--", lw=1)
    a.set_yticks(range(len(names)), names, fontsize=7)
    a.set_xlabel("1-sigma [decades] (red: not identified; capped at 5)")
    im = b.imshow(np.array(result["correlation"]), vmin=-1, vmax=1, cmap="RdBu_r")
    b.set_xticks(range(len(names)), [str(i) for i in range(len(names))])
    b.set_yticks(range(len(names)), [str(i) for i in range(len(names))])
    b.set_title("parameter correlations (index = row at left, top to bottom)", fontsize=8)
    fig.colorbar(im, ax=b, shrink=0.7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write(result: dict, out_dir: Path, stem: str, figure: Callable[[dict, Path], Path]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    js = out_dir / f"{stem}.json"
    tmp = js.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=1, default=float))
    tmp.replace(js)  # atomic: an interrupted run leaves the previous file whole
    return [js, figure(result, out_dir / f"{stem}.png")]
