"""How far the room-temperature predictions can go with the 60 °C calibration held.

Every half-cell calibration record is at 60 °C; every room-temperature prediction (Si–ZnO4 at 4 A/g
and 25 °C, the full cells) is an Arrhenius extrapolation over 35 K. Parameter values are stored at
25 °C (`sizno.models.parameters`), so changing an activation energy with that value fixed would move
the calibration. Here the value at the calibration temperature is held instead: each activation
energy of `data/parameters/sensitivity-ranges.toml` is set within its literature range and the 25 °C
value rescaled so that the 60 °C value stays what the calibration fitted. The 60 °C records are
therefore unchanged by construction; the full cell's two calibration records (0.1C, 25 °C) are
re-evaluated and reported.

Lower activation energies at a fixed 60 °C value mean larger rates and conductivities at 25 °C, which
never lowers a capacity in this model; the corner with every activation energy at the low end of its
range is then the most favourable room-temperature electrode the ranges allow (checked, not assumed:
each factor is also moved alone, and the JSON lists every value). A paper value above that corner's
prediction cannot be reached by activation energies within their ranges with the mechanisms in the
model.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Callable

from sizno.experiments.protocols import Protocol, c_rate_test, load_protocol, rate_test
from sizno.experiments.runner import NO_CURVES, QUICK_MESH_POINTS, run_full_cell, run_half_cell
from sizno.fitting.sensitivity import Factor, sensitivity_factors
from sizno.models.parameters import ParameterSet, load_parameter_set
from sizno.reproduce.reference import paper_reference
from sizno.results.observables import first_cycle, rate_capacity
from sizno.units import arrhenius_factor, celsius_to_kelvin

CALIBRATION_TEMPERATURE_C = 60.0
ROOM_TEMPERATURE_C = 25.0
HALF_RATES_A_PER_G = (0.1, 0.8, 4.0)
FULL_C_RATES = (0.1, 0.2, 0.5, 1.0, 1.5, 2.0)
HIGH_LOADING_C_RATES = (0.1, 0.2, 0.5, 1.0)
HIGH_LOADING_MG_PER_CM2 = 15.0
QUANTITIES = (
    "half_cell.room_temperature.si_zno4.4.0", "half_cell.room_temperature.si.4.0",
    "full_cell.first_cycle.discharge_mAh_g", "full_cell.first_cycle.ice_percent",
    "full_cell.rate.si_zno4.1.0", "full_cell.rate.si_zno4.1.5", "full_cell.rate.si_zno4.2.0", "full_cell.rate.si.2.0",
    "full_cell.high_loading.0.5", "full_cell.high_loading.1.0",
)


def activation_energy_factors(pset: ParameterSet | None = None) -> list[Factor]:
    """The activation energies that the sensitivity ranges give a literature range."""
    return [f for f in sensitivity_factors(pset) if f.is_activation_energy]


def with_activation_energies(pset: ParameterSet, energies_eV: dict[str, float],
                             held_at_C: float = CALIBRATION_TEMPERATURE_C) -> ParameterSet:
    """A copy of `pset` with the given activation energies [eV], each parameter's value at `held_at_C`
    unchanged (its 25 °C reference value rescaled)."""
    T_hold = celsius_to_kelvin(held_at_C)
    T_ref = pset.reference_temperature_K
    entries = dict(pset.entries)
    for name, ea in energies_eV.items():
        e = entries[name]
        held = e.value * arrhenius_factor(e.activation_energy_eV or 0.0, T_hold, T_ref)
        entries[name] = e.model_copy(update={"activation_energy_eV": float(ea),
                                             "value": held / arrhenius_factor(float(ea), T_hold, T_ref)})
    return pset.model_copy(update={"entries": entries})


def _high_loading_protocol() -> Protocol:
    rate = c_rate_test(list(HIGH_LOADING_C_RATES), 1)
    return Protocol(name="high-loading-rate", description="15 mg/cm2: 0.1, 0.2, 0.5, 1C, one cycle each", blocks=rate.blocks)


def room_temperature_quantities(pset: ParameterSet, mesh_points: int = QUICK_MESH_POINTS,
                                on_run: Callable[[], None] | None = None) -> dict[str, float]:
    """The room-temperature records for one parameter set (one cycle per rate; reproduce runs three)."""
    tick = on_run or (lambda: None)
    out: dict[str, float] = {}
    for material in ("si-zno4", "si"):
        r = run_half_cell(material, rate_test(list(HALF_RATES_A_PER_G), 1), temperature_C=ROOM_TEMPERATURE_C,
                          pset=pset, mesh_points=mesh_points, timeseries_cycles=NO_CURVES)
        out[f"half_cell.room_temperature.{material.replace('-', '_')}.4.0"] = rate_capacity(r, 4.0)
        tick()
    fc = first_cycle(run_full_cell("si-zno4", load_protocol("full-cell-first-cycles"), pset=pset, mesh_points=mesh_points,
                                   timeseries_cycles=NO_CURVES))
    out["full_cell.first_cycle.discharge_mAh_g"] = fc["discharge_mAh_g"]
    out["full_cell.first_cycle.ice_percent"] = fc["ice_percent"]
    tick()
    for material, rates in (("si-zno4", (1.0, 1.5, 2.0)), ("si", (2.0,))):
        r = run_full_cell(material, c_rate_test(list(FULL_C_RATES), 1), pset=pset, mesh_points=mesh_points,
                          timeseries_cycles=NO_CURVES)
        out.update({f"full_cell.rate.{material.replace('-', '_')}.{c:.1f}": rate_capacity(r, c) for c in rates})
        tick()
    r = run_full_cell("si-zno4", _high_loading_protocol(), pset=pset, mesh_points=mesh_points,
                      ncm_loading_mg_per_cm2=HIGH_LOADING_MG_PER_CM2, timeseries_cycles=NO_CURVES)
    out.update({f"full_cell.high_loading.{c:.1f}": rate_capacity(r, c) for c in (0.5, 1.0)})
    tick()
    return out


RUNS_PER_EVALUATION = 5


def planned_runs(pset: ParameterSet | None = None) -> int:
    """Model runs `temperature_reach` makes: baseline, two corners, each factor alone at its low end."""
    return RUNS_PER_EVALUATION * (3 + len(activation_energy_factors(pset)))


def temperature_reach(pset: ParameterSet | None = None, mesh_points: int = QUICK_MESH_POINTS,
                      on_run: Callable[[], None] | None = None) -> dict:
    """The room-temperature records at the calibrated activation energies, at both corners of their
    literature ranges and with each moved alone to its low end (60 °C values held throughout)."""
    pset = pset or load_parameter_set()
    factors = activation_energy_factors(pset)
    calibrated = {f.parameter: pset.entries[f.parameter].activation_energy_eV for f in factors}
    settings: dict[str, dict[str, float]] = {
        "calibrated": {},
        "all at the low end (most favourable)": {f.parameter: f.low for f in factors},
        "all at the high end": {f.parameter: f.high for f in factors},
    }
    settings.update({f"{f.parameter}: {f.low:g} eV alone": {f.parameter: f.low} for f in factors})
    evaluations = []
    for label, energies in settings.items():
        values = room_temperature_quantities(with_activation_energies(pset, energies), mesh_points, on_run)
        evaluations.append({"setting": label, "activation_energies_eV": {**calibrated, **energies}, "quantities": values})
    paper = {r.id: (r.value, r.role) for r in paper_reference()}
    best = evaluations[1]["quantities"]
    verdicts = {}
    for q in QUANTITIES:
        value, role = paper.get(q, (None, None))
        if value is None:
            continue
        base = evaluations[0]["quantities"][q]
        reached = [e["quantities"][q] for e in evaluations]
        lo, hi = min(reached), max(reached)
        verdicts[q] = {"paper": value, "role": role, "calibrated_Ea": base, "reached_min": lo, "reached_max": hi,
                       "paper_within_reach": lo * 0.8 <= value <= hi * 1.2 if role == "validation" else None,
                       "favourable_corner": best[q]}
    return {
        "method": "activation energies within data/parameters/sensitivity-ranges.toml, each parameter's value at "
                  f"{CALIBRATION_TEMPERATURE_C:g} °C held (so every 60 °C calibration record is unchanged); "
                  "one cycle per rate; 'paper_within_reach': the paper value within 20 % of the range reached",
        "mesh_points": mesh_points,
        "factors": [asdict(f) for f in factors],
        "evaluations": evaluations,
        "verdicts": verdicts,
    }


def temperature_reach_figure(result: dict, path: Path) -> Path:
    """Each room-temperature validation record: the paper, the calibrated model, the range reached."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [(k, v) for k, v in result["verdicts"].items() if v["role"] == "validation"]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(rows) + 1.2))
    for i, (key, v) in enumerate(rows):
        ax.plot([v["reached_min"], v["reached_max"]], [i, i], "-", color="C0", lw=6, alpha=0.35,
                label="reached, Ea within ranges" if i == 0 else None)
        ax.plot(v["calibrated_Ea"], i, "o", color="C0", label="model, calibrated Ea" if i == 0 else None)
        ax.plot(v["paper"], i, "x", color="k", ms=8, label="paper (validation)" if i == 0 else None)
    ax.set_yticks(range(len(rows)), [k for k, _ in rows], fontsize=7)
    ax.set_xlabel("capacity [mAh/g]")
    ax.set_title("Room temperature: what activation energies within their ranges reach (60 °C values held)", fontsize=8)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


COMBINED_QUANTITY = "half_cell.room_temperature.si_zno4.4.0"


def favourable_corner(pset: ParameterSet) -> ParameterSet:
    """`pset` with every activation energy at the low end of its literature range, 60 °C values held."""
    return with_activation_energies(pset, {f.parameter: f.low for f in activation_energy_factors(pset)})


def combined_reach(pset: ParameterSet | None = None, mesh_points: int = QUICK_MESH_POINTS, max_evaluations: int = 100,
                   on_evaluation: Callable[[float], None] | None = None) -> dict:
    """Both levers together: the most Si–ZnO4 at 4 A/g, 25 °C can give with the fitted parameters searched
    (`reach`, every calibration record within 5 %, the full cell's 25 °C records included) at the activation
    energies' favourable corner. The activation energies alone (`temperature_reach`) and the fitted parameters
    alone (`reach`) each bound it from one side; this is the bound of the two at once."""
    from sizno.fitting import reach as rc

    pset = pset or load_parameter_set()
    corner = favourable_corner(pset)
    names = list(rc.cal.stage("electrochemistry").parameters)
    start_residuals = rc.calibration_relative(corner, mesh_points)
    start = {"origin": "calibrated, every activation energy at its low end (60 °C values held)",
             "values": {n: corner.value(n) for n in names},
             "worst": float(max(abs(v) for v in start_residuals.values()))}
    result = rc.reach_from(COMBINED_QUANTITY, start, 1, mesh_points, max_evaluations, corner, on_evaluation)
    paper = {r.id: r.value for r in paper_reference()}
    return {
        "quantity": COMBINED_QUANTITY, "mesh_points": mesh_points,
        "calibrated_value": rc.quantity_value(COMBINED_QUANTITY, pset, mesh_points),
        "corner_value": rc.quantity_value(COMBINED_QUANTITY, corner, mesh_points),
        "corner_calibration_residuals": start_residuals,
        "activation_energies_eV": {f.parameter: f.low for f in activation_energy_factors(pset)},
        "paper (validation, not used)": paper.get(COMBINED_QUANTITY),
        "search": result,
        "method": "activation energies at the low ends of data/parameters/sensitivity-ranges.toml (60 °C values held), "
                  "then sizno.fitting.reach from that point: scipy least_squares over the electrochemistry stage's "
                  "fitted parameters within their fit bounds, softplus penalty on each calibration record beyond 5 %, "
                  "push towards the composition's theoretical capacity, never towards the paper's value",
    }


def combined_reach_figure(result: dict, path: Path) -> Path:
    """The best feasible value (every calibration record within 5 %) after each model run of the search."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seen = result["search"]["best_feasible_by_evaluation"]
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    ax.plot(range(1, len(seen) + 1), [float("nan") if v is None else v for v in seen], "-", color="C0",
            label="best so far, calibration within 5 %")
    ax.axhline(result["calibrated_value"], color="C0", ls=":", label="calibrated model")
    ax.axhline(result["corner_value"], color="C1", ls="--", label="activation energies at their low ends")
    if result["paper (validation, not used)"] is not None:
        ax.axhline(result["paper (validation, not used)"], color="k", label="paper (validation)")
    ax.set_xlabel("model evaluation")
    ax.set_ylabel("Si–ZnO4, 4 A/g, 25 °C [mAh/g]")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path
