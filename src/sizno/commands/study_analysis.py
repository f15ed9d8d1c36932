"""`sizno study sensitivity | uncertainty | optimize | plot`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from sizno.clitools import ForceOption, JsonOption, console, err_console, output_file, write_json
from sizno.errors import SiznoInputError
from sizno.commands.study import (RetryOption, SchedulerOption, StoreOption, StudyRunSettings, WorkersOption,
                                  _existing_store)

RecordOption = typer.Option(None, "--record", help="Record to analyse (repeatable); default: every record of the design.")


def sensitivity_cmd(
    design_file: Path = typer.Argument(..., help="A design whose ranged variables are the factors (parameters by 'Name [unit]')."),
    method: str = typer.Option("sobol", help="sobol (first-order and total indices) or morris (mu*, sigma)."),
    n: int = typer.Option(64, "--n", help="Base sample size (Sobol: a power of 2; evaluations = n (d + 2)); Morris: trajectories (n (d + 1))."),
    seed: int = typer.Option(0, help="Sampling seed."),
    record: Optional[List[str]] = RecordOption,
    store: Optional[Path] = StoreOption,
    scheduler: Optional[str] = SchedulerOption,
    workers: Optional[int] = WorkersOption,
    retry_failed: bool = RetryOption,
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for the bar chart. Default: out/, with a new file name."),
    force: bool = ForceOption,
    json_path: Optional[Path] = JsonOption,
):
    """Global sensitivity indices (SALib) of the design's records to its ranged variables."""
    from sizno.lab.study.analysis import sensitivity
    from sizno.lab.study.design import load_design
    from sizno.lab.study.plots import sensitivity_bars

    runner = StudyRunSettings(store, scheduler, workers, retry_failed)
    runner.check_workers()
    design = load_design(design_file)
    figure = output_file(out / f"{design.study.name}-sensitivity.png" if out else None, "study-sensitivity", ".png",
                         force, option="--out")
    path = runner.store_for(design, "sensitivity")
    res = sensitivity(design, path, method, n, seed, record, runner.scheduler, runner.workers, runner.retry_failed)
    for rec, ix in res["indices"].items():
        console.print(_indices_table(res, rec, ix, method))
    for rec, why in res["not_computed"].items():
        err_console.print(f"{rec}: indices not computed: {why}", highlight=False)
    if res["indices"]:
        res["figure"] = str(sensitivity_bars(res, figure))
        err_console.print(f"wrote {res['figure']}", style="dim")
    write_json(json_path, res)
    if res["not_computed"]:
        raise typer.Exit(1)


def _indices_table(res: dict, rec: str, ix: dict, method: str) -> Table:
    """One record's sensitivity indices per variable."""
    t = Table(title=f"{method} indices of {rec} ({res['evaluations']} evaluations)")
    t.add_column("variable")
    cols = ("S1", "S1_conf", "ST", "ST_conf") if method == "sobol" else ("mu_star", "mu_star_conf", "sigma")
    for c in cols:
        t.add_column(c, justify="right")
    for k, name in enumerate(res["variables"]):
        t.add_row(name, *[f"{ix[c][k]:.3f}" for c in cols])
    return t


def uncertainty_cmd(
    design_file: Path = typer.Argument(..., help="The design whose points get prediction bands."),
    draws: int = typer.Option(16, help="Parameter sets per design point (draw 0 = the fitted set)."),
    seed: int = typer.Option(0, help="Sampling seed."),
    record: Optional[List[str]] = RecordOption,
    calibration: Optional[Path] = typer.Option(None, help="A calibration TOML ([values], [uncertainty_relative_1sigma]); default: the shipped fitted.toml."),
    store: Optional[Path] = StoreOption,
    scheduler: Optional[str] = SchedulerOption,
    workers: Optional[int] = WorkersOption,
    retry_failed: bool = RetryOption,
    json_path: Optional[Path] = JsonOption,
):
    """95 % prediction bands of each record from the calibration's parameter uncertainty."""
    from sizno.lab.study.analysis import uncertainty
    from sizno.lab.study.design import load_design

    runner = StudyRunSettings(store, scheduler, workers, retry_failed)
    runner.check_workers()
    if draws < 2:
        raise SiznoInputError("--draws", f"got {draws}", "an integer >= 2 (draw 0 is the fitted set)")
    design = load_design(design_file)
    path = runner.store_for(design, "uncertainty")
    res = uncertainty(design, path, draws, seed, record, runner.scheduler, runner.workers, runner.retry_failed,
                      calibration=calibration)
    p = res["parameters"]
    err_console.print("sampled (1-sigma rel.): " + ", ".join(f"{k} ({v['sigma_relative']:.2g})" for k, v in p["sampled"].items()),
                      highlight=False)
    if p["held_unidentified"]:
        err_console.print("not identified by the calibration (inf), held at the fitted value: "
                          + ", ".join(p["held_unidentified"]), highlight=False)
    console.print(_bands_table(res, draws))
    write_json(json_path, res)


def _band_cell(r: dict) -> str:
    if r["nominal"] is None:
        return "—"
    return f"{r['nominal']:.4g} [{r['low']:.4g}, {r['high']:.4g}]" if r["low"] is not None else f"{r['nominal']:.4g}"


def _bands_table(res: dict, draws: int) -> Table:
    """Per design point: each record's nominal value and 95 % band."""
    t = Table(title=f"95 % bands from {draws} parameter draws ({res['parameters']['method']})")
    t.add_column("point")
    for rec in res["records"]:
        t.add_column(f"{rec}: nominal [low, high]", justify="right")
    for b in res["bands"]:
        cells = [_band_cell(b[rec]) for rec in res["records"]]
        t.add_row(", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in b["point"].items()), *cells)
    return t


def optimize_cmd(
    design_file: Path = typer.Argument(..., help="The design: its ranged variables are searched, [fixed] holds the rest."),
    objective: str = typer.Option(..., help="The record to optimise (a name under [outputs.records])."),
    minimize: bool = typer.Option(False, "--minimize", help="Minimise instead of maximise."),
    constraint: Optional[List[str]] = typer.Option(None, "--constraint", help="RECORD<=VALUE or RECORD>=VALUE (repeatable)."),
    budget: int = typer.Option(30, help="Model evaluations allowed (about)."),
    seed: int = typer.Option(0, help="Optimiser seed."),
    store: Optional[Path] = StoreOption,
    scheduler: Optional[str] = SchedulerOption,
    workers: Optional[int] = WorkersOption,
    json_path: Optional[Path] = JsonOption,
):
    """Maximise (or minimise) a record over the design variables subject to record constraints."""
    from sizno.lab.study.analysis import optimize
    from sizno.lab.study.design import load_design

    runner = StudyRunSettings(store, scheduler, workers)
    runner.check_workers()
    design = load_design(design_file)
    path = runner.store_for(design, "optimize")
    res = optimize(design, path, objective, not minimize, constraint or [], budget, seed, runner.scheduler, runner.workers)
    t = Table(title=f"{'max' if not minimize else 'min'}imise {objective} ({res['evaluations']} evaluations, {res['method']})")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    if res["best"]:
        for k, v in res["best"].items():
            t.add_row(str(k), f"{v:.5g}" if isinstance(v, float) else str(v))
    console.print(t)
    write_json(json_path, res)
    if not res["found_feasible"]:
        err_console.print("no evaluation met the constraints", highlight=False)
        raise typer.Exit(1)


def plot_cmd(
    store: Path = typer.Argument(..., help="A study store."),
    x: str = typer.Option(..., "--x", help="Design variable on the x axis."),
    record: str = typer.Option(..., "--record", help="Record on the y axis (or the colour of a heatmap)."),
    y: Optional[str] = typer.Option(None, "--y", help="A second design variable: draw a heatmap."),
    by: Optional[str] = typer.Option(None, "--by", help="One line per value of this design variable."),
    band: Optional[Path] = typer.Option(None, "--band", help="An uncertainty store of the same design points: shade its 95 % band."),
    output: Optional[Path] = typer.Option(None, "--output", help="The PNG. Default: a new out/study-plot-<date>-<time>.png."),
    force: bool = ForceOption,
    json_path: Optional[Path] = JsonOption,
):
    """A record against one design variable (with its band where there is one) or two (heatmap)."""
    from sizno.lab.study.plots import heatmap, line_plot

    s = _existing_store(store)
    output = output_file(output, "study-plot", ".png", force)
    if y:
        path, table = heatmap(s, x, y, record, output)
    else:
        path, table = line_plot(s, x, record, output, by, _existing_store(band) if band else None)
    err_console.print(f"wrote {path}", style="dim")
    write_json(json_path, {"figure": str(path), "table": table.reset_index().to_dict(orient="records")})


def register(study: typer.Typer) -> None:
    study.command("sensitivity")(sensitivity_cmd)
    study.command("uncertainty")(uncertainty_cmd)
    study.command("optimize")(optimize_cmd)
    study.command("plot")(plot_cmd)
