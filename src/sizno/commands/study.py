"""`sizno study ...`: run a design on Dask into a DuckDB store, query/export it, sensitivity,
prediction bands, optimisation, figures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from sizno.clitools import (ForceOption, JsonOption, command_group, console, err_console, output_file, output_folder,
                            write_json)
from sizno.errors import SiznoInputError

StoreOption = typer.Option(None, "--store", help="The study's DuckDB file; default out/study/<name>[-<command>].duckdb.")
SchedulerOption = typer.Option(None, "--scheduler", help="A running Dask scheduler, tcp://HOST:PORT; default: a LocalCluster here.")
WorkersOption = typer.Option(None, "--workers", help="LocalCluster worker processes (1 thread each); default: this machine's cores.")
RetryOption = typer.Option(False, "--retry-failed", help="Also recompute the points that failed before.")


@dataclass(frozen=True)
class StudyRunSettings:
    """Where a study command stores its points and which Dask cluster computes them (the shared options)."""

    store: Optional[Path]
    scheduler: Optional[str]
    workers: Optional[int]
    retry_failed: bool = False

    def check_workers(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise SiznoInputError("--workers", f"got {self.workers}", "an integer >= 1")

    def store_for(self, design, command: str) -> Path:
        """The --store, else the design's default store for `command`."""
        from sizno.lab.study.engine import default_store

        return self.store if self.store is not None else default_store(design, command)


def _existing_store(path: Path):
    from sizno.lab.study.store import Store

    if not path.is_file():
        raise SiznoInputError("STORE", f"{path} does not exist", "a store written by `sizno study run`")
    s = Store(path)
    s.meta()  # checks it is a study store
    return s


def _print_frame(df, title: str, max_rows: int = 40) -> None:
    t = Table(title=title)
    for c in df.columns:
        t.add_column(str(c), justify="right")
    for row in df.head(max_rows).itertuples(index=False):
        t.add_row(*[f"{x:.6g}" if isinstance(x, float) else str(x) for x in row])
    console.print(t)
    if len(df) > max_rows:
        console.print(f"... {len(df) - max_rows} more rows (use --output)", style="dim")


def _finish(summary: dict) -> None:
    failed = summary["status"].get("failed", 0)
    pending = summary["status"].get("pending", 0)
    if failed or pending:
        err_console.print(f"not all points computed: {failed} failed, {pending} pending (error text in the store's "
                          "points table; --retry-failed reruns failed points)", highlight=False)
        raise typer.Exit(1)


def run_cmd(
    design_file: Path = typer.Argument(..., help="The design TOML (variables, ranges, sampler, outputs)."),
    store: Optional[Path] = StoreOption,
    scheduler: Optional[str] = SchedulerOption,
    workers: Optional[int] = WorkersOption,
    retry_failed: bool = RetryOption,
    json_path: Optional[Path] = JsonOption,
):
    """Run every point of a design; the same command on the same store computes only what is missing."""
    from sizno.lab.study.design import load_design
    from sizno.lab.study.engine import run_design

    runner = StudyRunSettings(store, scheduler, workers, retry_failed)
    design = load_design(design_file)
    runner.check_workers()
    path = runner.store_for(design, "run")
    summary = run_design(design, path, runner.scheduler, runner.workers, runner.retry_failed)
    t = Table(title=f"study '{design.study.name}' on {summary['cluster']}")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    t.add_row("design points", str(summary["points"]))
    t.add_row("computed now (failed)", f"{summary['computed_now']} ({summary['failed_now']})")
    for k, v in sorted(summary["status"].items()):
        t.add_row(f"points {k}", str(v))
    t.add_row("wall time (s)", f"{summary['wall_s']:.1f}")
    console.print(t)
    err_console.print(f"store: {path}", style="dim")
    write_json(json_path, summary)
    _finish(summary)


def query_cmd(
    store: Path = typer.Argument(..., help="A study store (.duckdb)."),
    sql: str = typer.Argument(..., help="SQL, e.g. \"SELECT * FROM records WHERE name = 'reversible_5A_mAh_per_g'\"; tables: points, cycles, records, timeseries, runs, meta."),
    output: Optional[Path] = typer.Option(None, "--output", help="Also write the result table (.csv or .parquet)."),
    force: bool = ForceOption,
    json_path: Optional[Path] = JsonOption,
):
    """Read a store with plain DuckDB SQL (read-only)."""
    import duckdb

    s = _existing_store(store)
    try:
        df = s.query(sql)
    except duckdb.Error as exc:
        raise SiznoInputError("SQL", str(exc).splitlines()[0], "a read-only DuckDB query on points, cycles, records, timeseries, runs, meta") from None
    _print_frame(df, f"{store.name}: {len(df)} rows")
    if output is not None:
        if output.suffix.lower() not in (".csv", ".parquet"):
            raise SiznoInputError("--output", f"'{output}'", "a .csv or .parquet file")
        output = output_file(output, "study-query", output.suffix, force)
        output.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(output, index=False) if output.suffix.lower() == ".csv" else df.to_parquet(output, index=False)
        err_console.print(f"wrote {output}", style="dim")
    write_json(json_path, {"rows": df.to_dict(orient="records")})


def export_cmd(
    store: Path = typer.Argument(..., help="A study store (.duckdb)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for the exported tables. Default: a new "
                                                          "out/study-export-<date>-<time>; a folder with files needs --force."),
    force: bool = ForceOption,
    fmt: str = typer.Option("csv", "--format", help="csv or parquet."),
    table: Optional[List[str]] = typer.Option(None, "--table", help="Table to export (repeatable); default all: points, cycles, records, timeseries, runs, meta."),
    json_path: Optional[Path] = JsonOption,
):
    """Export the store's tables as CSV or Parquet files (for those who don't write SQL)."""
    from sizno.lab.study.store import TABLES

    if fmt not in ("csv", "parquet"):
        raise SiznoInputError("--format", f"got '{fmt}'", "csv, parquet")
    chosen = table or list(TABLES)
    bad = [t for t in chosen if t not in TABLES]
    if bad:
        raise SiznoInputError("--table", f"unknown table '{bad[0]}'", ", ".join(TABLES))
    s = _existing_store(store)
    paths = s.export(output_folder(out, "study-export", force), fmt, chosen)
    err_console.print("wrote " + ", ".join(map(str, paths)), style="dim")
    write_json(json_path, {"files": [str(p) for p in paths]})


def register(app: typer.Typer) -> None:
    from sizno.commands import study_analysis

    study = command_group("study", "Design studies: sweeps on Dask into a resumable DuckDB store, sensitivity, bands, optimisation.")
    app.add_typer(study, name="study")
    study.command("run")(run_cmd)
    study.command("query")(query_cmd)
    study.command("export")(export_cmd)
    study_analysis.register(study)
