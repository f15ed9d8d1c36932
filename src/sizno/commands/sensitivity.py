"""`sizno sensitivity`: what controls each prediction (Morris) and what the calibration pins (Fisher)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, List, Optional

import typer
from rich.table import Table

from sizno.clitools import ForceOption, JsonOption, console, err_console, output_folder, write_json
from sizno.errors import SiznoInputError

ANALYSES = ("morris", "identifiability", "profile", "rate", "temperature", "activation", "knee", "reach", "combined",
            "envelope", "temperature-envelope", "contact", "loading", "both", "all")  # both = morris + identifiability


def _progress():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=err_console, transient=True)


def _computed(out: Path, payload: dict, stem: str, label: str, total: int | None,
              compute: Callable[[Callable[..., None]], dict], figure: Callable[[dict, Path], Path],
              left_out: str | None = None) -> tuple[dict, list[Path]]:
    """`compute(tick)` under one progress bar (`label`, `total` steps or None: unknown), its JSON and figure written
    as `stem` in `out`, and the result in the --json payload under `stem` (without `left_out`: bulky rows)."""
    from sizno.fitting import sensitivity as sens

    with _progress() as prog:
        task = prog.add_task(label, total=total)
        res = compute(lambda *_: prog.advance(task))
    paths = sens.write(res, out, stem, figure)
    payload[stem] = {k: v for k, v in res.items() if k != left_out}
    return res, paths


def register(app: typer.Typer) -> None:
    @app.command("sensitivity")
    def sensitivity_cmd(
        analysis: str = typer.Option("both", help="morris (global sensitivity of the validation quantities), "
                                                  "identifiability (Fisher information of the calibration), profile "
                                                  "(the calibration refitted along each sloppy parameter, with the "
                                                  "predictions along it), rate (the shape of the rate curves, paper "
                                                  "vs model, Tian et al. 2019), temperature (the room-temperature records with the activation "
                                                  "energies anywhere in their literature ranges, 60 °C values held), "
                                                  "activation (when the residual c-Si activates in long cycling, "
                                                  "along the unidentified relief rate), knee (pure Si's "
                                                  "long-cycling knee along the contact network's percolation "
                                                  "threshold, within its literature range and beyond), reach (the most pure Si at 5 A/g "
                                                  "and Si–ZnO4 at 4 A/g, 25 °C can give, and the least the 15 mg/cm2 "
                                                  "full cell at 0.5C and 1C, with every calibration record "
                                                  "within 5 %; the full cells also free the cathode's diffusivity, exchange "
                                                  "current, particle radius and ionic tortuosity within their sourced "
                                                  "ranges; see --starts, --quantity, --activation-energies), combined (Si–ZnO4 at 4 A/g, 25 °C with "
                                                  "both levers: the reach's search at the activation energies' "
                                                  "favourable corner), envelope (pure Si at 5 A/g over a global "
                                                  "sample of every parameter's range, given only pure Si's own "
                                                  "calibration records; see --samples), temperature-envelope "
                                                  "(Si–ZnO4 at 4 A/g, 25 °C over a global sample of every value "
                                                  "and activation energy range, given only Si–ZnO4's six 60 °C "
                                                  "records; see --samples), contact (both full cells' "
                                                  "retention along the cathode's contact-loss coefficient, across its "
                                                  "range), loading (the full cell's 1C capacity at 15 mg/cm2 over the "
                                                  "normal loading's, across the cathode's ranges; see --samples), "
                                                  "both (morris + identifiability) or all."),
        out: Optional[Path] = typer.Option(None, "--out", help="Folder for the JSON files and figures. Default: a new "
                                                              "out/sensitivity-<date>-<time>; a folder with files needs --force."),
        force: bool = ForceOption,
        trajectories: int = typer.Option(4, help="Morris trajectories (each costs n_factors + 1 model evaluations)."),
        workers: int = typer.Option(1, help="Processes evaluating samples in parallel."),
        seed: int = typer.Option(0, help="Seed of the Morris sample and of the reach's Sobol' starts."),
        starts: int = typer.Option(1, help="Reach: searches per quantity, from the calibrated point and the Sobol' "
                                           "points of the fit bounds nearest the calibration (each ~100 model runs); "
                                           "with --activation-energies also from both corners of their box."),
        samples: int = typer.Option(256, help="Envelope, temperature-envelope and loading: Sobol' samples of the "
                                              "parameter box (each one pure-Si rate test, two Si–ZnO4 rate tests, or "
                                              "three full-cell runs; ~2–3 s)."),
        quantity: Optional[List[str]] = typer.Option(None, "--quantity", help="Reach: only this quantity (repeatable); "
                                                     "default every one. Files: reach_<quantity>.{json,png}."),
        activation_energies: bool = typer.Option(False, "--activation-energies", help="Reach: the full-cell quantities "
                                                 "(25 °C) also free the activation energies within their sourced "
                                                 "ranges, each parameter's 60 °C value held."),
        max_evaluations: int = typer.Option(30, help="Reach: scipy evaluations per start (each costs one model run per "
                                                     "free parameter for its Jacobian)."),
        continue_from: Optional[Path] = typer.Option(None, "--continue-from", help="Reach: start each search from "
                                                     "the ends of an earlier run (its reach_<quantity>.json, same "
                                                     "options), best end first; --starts N takes the first N."),
        json_path: Optional[Path] = JsonOption,
    ):
        """Morris screening of the paper's validation quantities over every fitted and literature parameter
        within its bounds, and the identifiability of the calibrated parameters."""
        from sizno.fitting import sensitivity as sens

        if analysis not in ANALYSES:
            raise SiznoInputError("--analysis", f"got '{analysis}'", ", ".join(ANALYSES))
        if trajectories < 2:
            raise SiznoInputError("--trajectories", f"got {trajectories}", "an integer >= 2")
        if starts < 1:
            raise SiznoInputError("--starts", f"got {starts}", "an integer >= 1")
        if samples < 2:
            raise SiznoInputError("--samples", f"got {samples}", "an integer >= 2")
        if workers < 1:
            raise SiznoInputError("--workers", f"got {workers}", "an integer >= 1")
        if max_evaluations < 1:
            raise SiznoInputError("--max-evaluations", f"got {max_evaluations}", "an integer >= 1")
        if quantity:
            from sizno.fitting.reach import QUANTITIES

            unknown = [q for q in quantity if q not in QUANTITIES]
            if unknown:
                raise SiznoInputError("--quantity", f"got '{unknown[0]}'", ", ".join(QUANTITIES))
        continued = _continued_run(continue_from, tuple(quantity or ()), activation_energies) if continue_from else None
        out = output_folder(out, "sensitivity", force)
        # not compiled: every sample's full cell has its own anode thickness (sized from the anode's
        # capacity, N/P), hence its own mesh, and a compiled model would compile again for each sample
        payload, paths = {}, []
        if analysis in ("identifiability", "both", "all"):
            res, written = _computed(out, payload, "identifiability", "identifiability: model evaluations", None,
                                     lambda tick: sens.identifiability(on_evaluation=tick), sens.identifiability_figure)
            paths += written
            t = Table(title="identifiability of the calibration (electrochemistry stage)")
            for col in ("parameter", "value", "1-sigma [decades]", "identified", "most correlated with"):
                t.add_column(col)
            for p in res["parameters"]:
                t.add_row(p["name"], f"{p['value']:.3g}", f"{p['one_sigma_decades']:.2f}",
                          "yes" if p["identified"] else "no", f"{p['most_correlated_with']} ({p['correlation']:+.2f})")
            console.print(t)
        if analysis in ("morris", "both", "all"):
            n = trajectories * (len(sens.sensitivity_factors()) + 1)
            res, written = _computed(out, payload, "morris", "Morris samples", n,
                                     lambda tick: sens.morris(trajectories=trajectories, seed=seed, workers=workers,
                                                              on_sample=tick),
                                     sens.morris_figure, left_out="samples")
            paths += written
            t = Table(title="Morris: the three factors that move each prediction most (mu* [mAh/g]); range reached")
            for col in ("quantity", "baseline", "min..max in bounds", "top factors", "failed"):
                t.add_column(col)
            for key in res["outputs"]:
                a = res["analysis"][key]
                top = sorted(a["mu_star"].items(), key=lambda kv: -kv[1])[:3]
                t.add_row(key, f"{res['baseline'][key]:.0f}", f"{a['min']:.0f}..{a['max']:.0f}",
                          "; ".join(f"{k} {v:.0f}" for k, v in top), str(a["failed_samples"]))
            console.print(t)
        if analysis in ("profile", "all"):
            n = sum(len(v) + 1 for v in sens.PROFILE_GRIDS.values())  # + the calibrated point of each
            res, written = _computed(out, payload, "profile", "profile points (each a refit of the calibration)", n,
                                     lambda tick: sens.profiles(on_point=tick), sens.profile_figure)
            paths += written
            t = Table(title="profiles: the calibration refitted at each value; worst calibration residual and predictions")
            for col in ("parameter", "value", "worst calibration residual", *res["outputs"]):
                t.add_column(col)
            for prof in res["profiles"]:
                for pt in sorted(prof["points"], key=lambda p: p["value"]):
                    t.add_row(prof["parameter"], f"{pt['value']:.3g}{' (calibrated)' if pt['calibrated_value'] else ''}",
                              f"{100 * pt['worst_calibration_residual']:.1f} %",
                              *(f"{pt['predictions'].get(k, float('nan')):.0f}" for k in res["outputs"]))
            console.print(t)
        if analysis in ("rate", "all"):
            paths += _rate_structure(out, payload)
        if analysis in ("temperature", "all"):
            paths += _temperature_reach(out, payload)
        if analysis in ("activation", "all"):
            paths += _activation_timing(out, payload)
        if analysis in ("knee", "all"):
            paths += _percolation_knee(out, payload)
        if analysis in ("reach", "all"):
            paths += _reach(out, payload, starts, seed, quantities=tuple(quantity or ()),
                            activation_energies=activation_energies, max_evaluations=max_evaluations,
                            continued=continued)
        if analysis in ("combined", "all"):
            paths += _combined_reach(out, payload)
        if analysis in ("envelope", "all"):
            paths += _rate_envelope(out, payload, samples, seed)
        if analysis in ("temperature-envelope", "all"):
            paths += _temperature_envelope(out, payload, samples, seed)
        if analysis in ("loading", "all"):
            paths += _loading_ratio(out, payload, samples, seed)
        if analysis in ("contact", "all"):
            paths += _contact_reach(out, payload)
        err_console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")
        write_json(json_path, payload)


def _rate_structure(out: Path, payload: dict) -> list[Path]:
    """Tian et al.'s rate-curve shape fitted to the paper's calibration rate records and to the model."""
    from sizno.fitting import rate_structure as rs

    res, paths = _computed(out, payload, "rate_structure", "rate structure: model rate tests", 2,
                           lambda tick: rs.rate_structure(on_run=tick), rs.rate_structure_figure)
    t = Table(title="rate-curve shape (Tian et al. 2019): Q_M [mAh/g], tau [h], exponent n, at 60 °C")
    for col in ("curve", "Q_M", "tau", "n", "worst misfit"):
        t.add_column(col)
    for label, key in (("paper Si–ZnO4 (calibration records)", "paper_si_zno4"), ("sizno Si–ZnO4", "model_si_zno4"),
                       ("sizno Si", "model_si"), ("pure Si with the paper's Si–ZnO4 shape", "paper_shape_si")):
        fit = res.get(key)
        if fit:
            misfit = fit.get("worst_relative_misfit")
            t.add_row(label, f"{fit['capacity_mAh_per_g']:.0f}", f"{fit['tau_h']:.3g}", f"{fit['exponent']:.2f}",
                      "–" if misfit is None else f"{100 * misfit:+.1f} %")
    console.print(t)
    si = res["paper_shape_si"]
    console.print(f"pure Si at 5 A/g: {si['predicted_5A_per_g_mAh_per_g']:.0f} mAh/g from the paper's own Si–ZnO4 shape, "
                  f"sizno {si['model_5A_per_g_mAh_per_g']:.0f}, paper ~{si['paper_5A_per_g_mAh_per_g (validation)']:.0f}")
    return paths


def _temperature_reach(out: Path, payload: dict) -> list[Path]:
    """The room-temperature records with every activation energy anywhere in its range (60 °C values held)."""
    from sizno.fitting import temperature_reach as tr

    res, paths = _computed(out, payload, "temperature_reach", "temperature reach: model runs", tr.planned_runs(),
                           lambda tick: tr.temperature_reach(on_run=tick), tr.temperature_reach_figure)
    t = Table(title="room temperature: activation energies within their ranges, 60 °C values held (calibration unchanged)")
    for col in ("record", "role", "paper", "calibrated Ea", "range reached", "favourable corner", "paper reachable"):
        t.add_column(col)
    for key, v in res["verdicts"].items():
        reach = v["paper_within_reach"]
        t.add_row(key, v["role"], f"{v['paper']:.0f}", f"{v['calibrated_Ea']:.0f}",
                  f"{v['reached_min']:.0f}..{v['reached_max']:.0f}", f"{v['favourable_corner']:.0f}",
                  "–" if reach is None else ("yes" if reach else "no"))
    console.print(t)
    return paths


def _activation_timing(out: Path, payload: dict) -> list[Path]:
    """When the residual c-Si activates in the Si–ZnO4 long-cycling test, along the front stress relief rate."""
    from sizno.fitting import activation_timing as at

    res, paths = _computed(out, payload, "activation_timing", "activation timing: 200-cycle runs",
                           len(at.RELATIVE_VALUES), lambda tick: at.activation_timing(on_run=tick),
                           at.activation_timing_figure)
    t = Table(title=f"Si–ZnO4, 200 cycles at 0.8 A/g, along '{res['parameter']}' (calibrated {res['calibrated_value']:.3g})")
    for col in ("x calibrated", "value", "activation cycle", "largest capacity rise", "capacity, first / last"):
        t.add_column(col)
    for p in res["points"]:
        q = p["capacity_mAh_per_g"]
        cyc = p["activation_cycle"]
        t.add_row(f"{p['relative']:g}", f"{p['value']:.3g}", "none" if cyc != cyc else f"{cyc:.0f}",
                  f"{p['largest_rise_percent']:.1f} %", f"{q[0]:.0f} / {q[-1]:.0f}")
    console.print(t)
    return paths


def _percolation_knee(out: Path, payload: dict) -> list[Path]:
    """Pure Si's knee in long cycling along the percolation threshold of the sheets' contacts."""
    from sizno.fitting import percolation_knee as pk

    res, paths = _computed(out, payload, "percolation_knee", "percolation knee: 200-cycle runs", pk.planned_runs(),
                           lambda tick: pk.percolation_knee(on_run=tick), pk.percolation_knee_figure)
    t = Table(title=f"200 cycles at 0.8 A/g along '{res['parameter']}' (literature {res['literature_range']})")
    for col in ("material", "p_c", "knee (3x / 2x)", "fade 1-20 / 120-140 / 180-200 [mAh/g/cycle]",
                "p at 1 / 120 / 200", "retention"):
        t.add_column(col)
    for p in res["points"]:
        fade, share = p["fade_mAh_per_g_per_cycle"], p["connected_share"]
        knees = " / ".join("none" if k != k else f"{k:.0f}" for k in (p["knee_cycle_3x"], p["knee_cycle_2x"]))
        t.add_row(p["material"], f"{p['threshold']:.2g}{'' if p['within_literature_range'] else ' (beyond)'}", knees,
                  " / ".join(f"{fade.get(w, float('nan')):.2f}" for w in ("1-20", "120-140", "180-200")),
                  " / ".join(f"{share.get(c, float('nan')):.3f}" for c in ("1", "120", "200")),
                  f"{p['retention_percent']:.1f} %")
    console.print(t)
    b = res["bound"]
    console.print(f"a doubling of the fade at cycle 120 needs p_c >= {b['threshold_needed_for_doubling']:.2f} "
                  f"(share in contact {b['connected_share_cycle_1']:.3f} at cycle 1, "
                  f"{b['connected_share_cycle_120']:.3f} at 120); at the range's top the fade can steepen "
                  f"{b['steepening_bound_at_range_high']:.2f}x at most")
    return paths


def _combined_reach(out: Path, payload: dict) -> list[Path]:
    """Si–ZnO4 at 4 A/g, 25 °C: the fitted parameters searched at the activation energies' favourable corner."""
    from sizno.fitting import temperature_reach as tr

    res, paths = _computed(out, payload, "combined_reach", "combined reach: model evaluations", None,
                           lambda tick: tr.combined_reach(on_evaluation=tick), tr.combined_reach_figure)
    s = res["search"]
    console.print(f"Si–ZnO4, 4 A/g, 25 °C: calibrated {res['calibrated_value']:.0f}, activation energies at their low "
                  f"ends {res['corner_value']:.0f}, with the fitted parameters searched {s['reached']:.0f} (worst "
                  f"calibration record {100 * s['worst_calibration_residual']:.1f} %, {s['model_runs']} runs, gain over "
                  f"the last quarter {s['best_feasible_last_quarter_gain']}); paper {res['paper (validation, not used)']}")
    return paths


def _rate_envelope(out: Path, payload: dict, samples: int, seed: int) -> list[Path]:
    """Pure Si at 5 A/g over a Sobol' sample of the whole parameter box, given pure Si's own records."""
    from sizno.fitting import rate_envelope as re_

    res, paths = _computed(out, payload, "rate_envelope", "envelope: pure Si rate tests, then whole calibrations",
                           samples + 1 + re_.CHECKED_SAMPLES,
                           lambda tick: re_.rate_envelope(samples=samples, seed=seed, on_sample=tick),
                           re_.rate_envelope_figure, left_out="rows")
    def mAh(v: float | None) -> str:
        return "—" if v is None else f"{v:.0f}"

    console.print(f"pure Si at 5 A/g over {samples} samples of {len(res['factors'])} parameters' ranges: "
                  f"{res['feasible_samples']} meet its ICE and 0.8 A/g records within 5 %, the largest of them gives "
                  f"{mAh(res['largest_feasible_q_5.0'])} mAh/g (any sample: {mAh(res['largest_q_5.0_any_sample'])}; "
                  f"calibrated {res['calibrated']['q_5.0']:.0f}; paper {res['paper (validation, not used)']})")
    for w in res["whole_calibration_at_best_rate_met"]:
        console.print(f"  sample {w['sample']}: 5 A/g {w['q_5.0']:.0f} mAh/g with pure Si's 0.8 A/g record met; worst "
                      f"calibration record {w['worst_record']} {100 * w['worst_relative']:+.0f} %")
    return paths


def _temperature_envelope(out: Path, payload: dict, samples: int, seed: int) -> list[Path]:
    """Si–ZnO4 at 4 A/g, 25 °C over a Sobol' sample of every value and activation energy, given its 60 °C records."""
    from sizno.fitting import temperature_envelope as te

    res, paths = _computed(out, payload, "temperature_envelope",
                           "temperature envelope: Si–ZnO4 rate tests (60 and 25 °C), then whole calibrations",
                           samples + 1 + te.CHECKED_SAMPLES,
                           lambda tick: te.temperature_envelope(samples=samples, seed=seed, on_sample=tick),
                           te.temperature_envelope_figure, left_out="rows")

    def mAh(v: float | None) -> str:
        return "—" if v is None else f"{v:.0f}"

    console.print(f"Si–ZnO4 at 4 A/g, 25 °C over {samples} samples of {len(res['factors'])} ranges: "
                  f"{res['feasible_samples']} meet its six 60 °C records within 5 %, the largest of them gives "
                  f"{mAh(res['largest_feasible_q_25C'])} mAh/g; {res['samples_meeting_5A_record']} meet its 5 A/g "
                  f"record, up to {mAh(res['largest_q_25C_5A_record_only'])} (any sample: "
                  f"{mAh(res['largest_q_25C_any_sample'])}; calibrated {mAh(res['calibrated']['q_25C'])}; paper "
                  f"{res['paper (validation, not used)']})")
    for b in res["largest_q_25C_by_tolerance"]:
        console.print(f"  six records within {100 * b['tolerance']:.0f} %: {b['samples']} samples, largest "
                      f"{mAh(b['largest_q_25C'])}")
    for w in res["whole_calibration_at_best"]:
        console.print(f"  sample {w['sample']} ({w['meets']}): 25 °C {w['q_25C']:.0f} mAh/g; worst calibration record "
                      f"{w['worst_record']} {100 * w['worst_relative']:+.0f} %")
    return paths


def _loading_ratio(out: Path, payload: dict, samples: int, seed: int) -> list[Path]:
    """The full cell's 1C capacity at 15 mg/cm² over the normal loading's, across the cathode's ranges."""
    from sizno.fitting import loading_ratio as lr

    res, paths = _computed(out, payload, "loading_ratio", "loading: full-cell runs (three per sample)", samples + 1,
                           lambda tick: lr.loading_ratio(samples=samples, seed=seed, on_sample=tick),
                           lr.loading_ratio_figure, left_out="rows")

    def ratio(v: float | None) -> str:
        return "—" if v is None else f"{v:.2f}"

    console.print(f"1C at 15 mg/cm2 over 1C at the normal loading, {samples} samples of the cathode's ranges: "
                  f"{res['feasible_samples']} meet the full cell's calibration within 5 %, their ratio "
                  f"{ratio(res['smallest_feasible_ratio'])}..{ratio(res['largest_feasible_ratio'])} (any sample: from "
                  f"{ratio(res['smallest_ratio_any_sample'])}; calibrated {ratio(res['calibrated']['ratio'])}; paper "
                  f"{ratio(res['paper ratio (validation records, not used)'])})")
    return paths


def _continued_run(path: Path, quantities: tuple[str, ...], activation_energies: bool) -> dict:
    """The earlier reach run to continue, checked before anything runs: readable JSON holding every quantity asked
    for, with the same free parameters."""
    import json

    from sizno.fitting import reach as rc

    accepted = "a reach_<quantity>.json written by `sizno sensitivity --analysis reach` with the same options"
    try:
        result = json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        raise SiznoInputError("--continue-from", f"cannot read {path} ({type(e).__name__})", accepted) from None
    if not isinstance(result, dict):
        raise SiznoInputError("--continue-from", f"{path} is not a reach result", accepted)
    for q in quantities or tuple(rc.QUANTITIES):
        try:
            rc.continued_starts(result, q, rc.reach_parameters(q, activation_energies))
        except ValueError as e:
            raise SiznoInputError("--continue-from", f"{path} {e}", accepted) from None
    return result


def _reach(out: Path, payload: dict, starts: int, seed: int, quantities: tuple[str, ...] = (),
           activation_energies: bool = False, max_evaluations: int = 30,
           continued: dict | None = None) -> list[Path]:
    """The most (or least) each named prediction (`quantities`; default all) can give with every
    electrochemistry-stage record within 5 %. Every model evaluation is appended to reach_trace.jsonl as it runs."""
    from sizno.fitting import reach as rc
    from sizno.fitting import sensitivity as sens

    points_of: dict[tuple[str, ...], list[dict]] = {}  # one screen per set of free parameters (full cells: + cathode)
    results = {}
    stem = "reach" if not quantities else "reach_" + "_".join(quantities)
    out.mkdir(parents=True, exist_ok=True)
    trace_path = out / f"{stem}_trace.jsonl"
    trace_path.write_text("")  # this run's evaluations only
    for quantity in quantities or tuple(rc.QUANTITIES):
        names = rc.reach_parameters(quantity, activation_energies)
        if continued is not None:
            points_of[names] = rc.continued_starts(continued, quantity, names)[:starts]
        elif names not in points_of:
            with _progress() as prog:
                task = prog.add_task("reach: screening Sobol' starts (calibration runs)",
                                     total=rc.SCREEN_CANDIDATES_PER_START * (starts - 1))
                points_of[names] = rc.screened_starts(starts, seed=seed, names=names,
                                                      on_evaluation=lambda: prog.advance(task))
        points = points_of[names]
        with _progress() as prog:
            task = prog.add_task(f"reach {quantity}: model evaluations, {len(points)} start(s)", total=None)
            results[quantity] = rc.reach(quantity, starts=points, seed=seed, on_evaluation=lambda c: prog.advance(task),
                                         activation_energies=activation_energies, max_evaluations=max_evaluations,
                                         trace_path=trace_path)
    res = {"results": results}
    paths = sens.write(res, out, stem, rc.reach_figure)
    payload["reach"] = res
    t = Table(title="how far each prediction goes with the calibration held within 5 % (electrochemistry stage)")
    for col in ("quantity", "direction", "calibrated", "reached (best start)", "each start's end (worst record)",
                "paper (validation)", "runs"):
        t.add_column(col)
    for q, r in results.items():
        f = ".3f" if isinstance(rc.QUANTITIES[q], (rc.Ordering, rc.LoadingRatio)) else ".0f"  # ratios
        ends = "; ".join(f"{e['reached']:{f}} ({100 * e['worst_calibration_residual']:.1f} %)" for e in r["starts"])
        t.add_row(q, r["direction"], f"{r['calibrated_value']:{f}}",
                  "none within 5 %" if r["reached"] is None else f"{r['reached']:{f}}", ends,
                  "—" if r["paper (validation, not used)"] is None else f"{r['paper (validation, not used)']:{f}}",
                  str(r["model_runs"]))
    console.print(t)
    for q, r in results.items():
        if r.get("records_at_reached"):
            console.print(f"{q}: records at the calibrated point "
                          + ", ".join(f"{k} {v:.0f}" for k, v in r["records_at_calibrated"].items())
                          + "; at the point reached " + ", ".join(f"{k} {v:.0f}" for k, v in r["records_at_reached"].items()))
    return paths


def _contact_reach(out: Path, payload: dict) -> list[Path]:
    """Both full cells' retention along the cathode's contact-loss coefficient (a bound over its range)."""
    from sizno.fitting import contact_reach as cr

    res, paths = _computed(out, payload, "contact_reach", "contact loss: full-cell cycling runs", cr.planned_runs(),
                           lambda tick: cr.contact_reach(on_run=tick), cr.contact_reach_figure)
    t = Table(title=f"retention along '{res['parameter']}' ({res['range_is']}, {res['range']})")
    for col in ("record", "paper (validation)", "at 0", "at the range's top", "coefficient reaching the paper",
                "the other record there"):
        t.add_column(col)
    for rid, r in res["records"].items():
        k = r["coefficient_reaching_paper"]
        t.add_row(rid, f"{r['paper (validation, not used)']:g} %", f"{r['at_zero']:.1f} %", f"{r['at_range_high']:.1f} %",
                  "beyond the range" if k is None else f"{k:.3g}",
                  "; ".join(f"{v:.1f} %" for v in r["other_record_there"].values()) or "–")
    console.print(t)
    return paths
