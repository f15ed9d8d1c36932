"""Shared pieces of the command line: consoles, common options, output paths, progress, renamed options.

Imported at start-up by every command module, so only typer and rich load here (no numpy/pandas).

Naming rules every command follows (tests/cli/test_option_names.py walks them):

- units in the name of a quantity: ``--temperature-C``, ``--current-A-per-g``, ``--mass-mg``;
- ``--output FILE`` is a file the command writes, ``--out DIR`` a folder it writes into; without
  them a new timestamped name under ``out/`` is chosen, and an existing one is replaced only with
  ``--force``;
- ``--plot/--no-plot`` switches the figures;
- ``--cycles N`` is a number of cycles, ``--cycle N`` one cycle's number, a selection of cycles
  is ``--<what>-cycles '1-3'`` (``--fit-cycles``, ``--dqdv-cycles``).
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import typer
from rich.console import Console
from typer.core import TyperGroup


class SiznoGroup(TyperGroup):
    """A command group that imports the modules of `lazy_commands` ({name: (module, one-line help)})
    only when one of their commands is asked for (its --help included), and that turns Ctrl-C in any
    command into one line and exit code 130."""

    lazy_commands: dict[str, tuple[str, str]] = {}

    def list_commands(self, ctx) -> list[str]:
        return [*self.commands, *(n for n in self.lazy_commands if n not in self.commands)]

    def get_command(self, ctx, cmd_name: str):
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            self._load(self.lazy_commands[cmd_name][0])
        return self.commands.get(cmd_name)

    def _load(self, module: str) -> None:
        """Mount everything `module.register(app)` registers (every lazy name of one module at once)."""
        import importlib

        import typer.main

        holder = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
        holder.callback()(lambda: None)  # a group even when the module registers one command
        importlib.import_module(module).register(holder)
        for name, cmd in typer.main.get_command(holder).commands.items():  # type: ignore[attr-defined]
            self.commands.setdefault(name, cmd)

    def format_commands(self, ctx, formatter) -> None:
        rows = []
        limit = formatter.width - 6 - max(len(n) for n in self.list_commands(ctx))
        for name in self.list_commands(ctx):
            if name in self.commands:
                if not self.commands[name].hidden:
                    rows.append((name, self.commands[name].get_short_help_str(limit)))
            else:
                rows.append((name, self.lazy_commands[name][1]))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:  # a command that says what it kept passes it as the message
            said = exc.args[0] if exc.args and isinstance(exc.args[0], str) and exc.args[0] != "interrupted" else ""
            err_console.print(f"interrupted (Ctrl-C): {said or 'stopped before the end; files already written are kept'}",
                              highlight=False)
            raise typer.Exit(STOPPED_EXIT_CODE) from None


def command_group(name: str | None, help: str, lazy_commands: dict[str, tuple[str, str]] | None = None) -> typer.Typer:
    """A Typer app with sizno's settings: plain help text, no shell-completion or pretty tracebacks,
    Ctrl-C as one line and exit 130; `lazy_commands` are imported only when used."""
    cls = type("SiznoGroup", (SiznoGroup,), {"lazy_commands": dict(lazy_commands or {})})
    return typer.Typer(name=name, help=help, no_args_is_help=True, add_completion=False, cls=cls,
                       pretty_exceptions_enable=False, rich_markup_mode=None)


def _console(stderr: bool) -> Console:
    """Markup off: '[mAh/g]' in a header or a label is text, never a style tag. Outside a terminal
    (a pipe, a log) lines are not cut at 80 columns: tables take the width they need."""
    stream = sys.stderr if stderr else sys.stdout
    terminal = stream.isatty() or bool(os.environ.get("FORCE_COLOR"))
    width = None if terminal or os.environ.get("COLUMNS") else 400
    return Console(stderr=stderr, markup=False, soft_wrap=stderr, width=width)


console = _console(stderr=False)
err_console = _console(stderr=True)

JsonOption = typer.Option(None, "--json", help="Also write the results, machine-readable, to this JSON file.")
ForceOption = typer.Option(False, "--force", help="Replace existing output files (otherwise the command refuses).")
PlotOption = typer.Option(True, "--plot/--no-plot", help="Write the figures (PNG).")

STOPPED_EXIT_CODE = 130  # Ctrl-C: as a shell reports a process ended by SIGINT


def _clean(obj: Any) -> Any:
    """JSON-safe copy: numpy scalars → float, NaN/inf → None."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            obj = obj.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def write_json(path: Optional[Path], payload: Any, quiet: bool = False) -> None:
    """Write `payload` to `path` (if given) as JSON; say so, and say when it replaced a file."""
    if path is None:
        return
    path = Path(path)
    replaced = path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(_clean(payload), indent=2))
    tmp.replace(path)  # a reader never sees half a file (partial results are rewritten as they come)
    if not quiet:
        err_console.print(f"wrote {path}" + (" (replaced the previous file)" if replaced else ""), style="dim")


# ------------------------------------------------------------------------------------ output paths
def timestamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _free(candidates: Iterable[Path]) -> Path:
    for p in candidates:
        if not p.exists():
            return p
    raise AssertionError("unreachable")


def output_file(path: Optional[Path], command: str, suffix: str, force: bool,
                companions: Sequence[str] = (), option: str = "--output") -> Path:
    """The file a command writes. None → ``out/<command>-<timestamp><suffix>`` (a new name, never an
    old run's); a given path that exists (or one of its `companions`, suffixes written beside it)
    is refused unless `force`."""
    from sizno.errors import SiznoInputError

    if path is None:
        stem = Path("out") / f"{command}-{timestamp()}"

        def taken(p: Path) -> bool:
            return p.exists() or any(p.with_name(p.stem + c).exists() for c in companions)

        return next(p for p in (Path(f"{stem}{'' if i == 0 else f'-{i}'}{suffix}") for i in range(10_000)) if not taken(p))
    path = Path(path)
    existing = [p for p in [path, *(path.with_name(path.stem + c) for c in companions)] if p.exists()]
    if existing and not force:
        raise SiznoInputError(option, f"'{existing[0]}' exists and would be replaced",
                              "a new path, or --force to replace it")
    return path


def output_folder(path: Optional[Path], command: str, force: bool, option: str = "--out") -> Path:
    """The folder a command writes into. None → a new ``out/<command>-<timestamp>``; a given folder
    that already holds files is refused unless `force` (its files may be replaced)."""
    from sizno.errors import SiznoInputError

    if path is None:
        stem = Path("out") / f"{command}-{timestamp()}"
        return _free(Path(f"{stem}{'' if i == 0 else f'-{i}'}") for i in range(10_000))
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise SiznoInputError(option, f"'{path}' is a file", "a folder")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise SiznoInputError(option, f"folder '{path}' is not empty; its files could be replaced",
                              "a new or empty folder, or --force")
    return path


# ------------------------------------------------------------------------------------ tables
def summarised_rows(n: int, head: int = 8, tail: int = 4) -> list[int]:
    """Row indices to print of an `n`-row table: all when short, else the first `head`, -1 (a gap
    marker), and the last `tail`. The full table goes to the files."""
    if n <= head + tail + 1:
        return list(range(n))
    return [*range(head), -1, *range(n - tail, n)]


# ------------------------------------------------------------------------------------ progress
class _LineProgress:
    """Progress for a log or a pipe: one line per task every few seconds (SIZNO_PROGRESS_SECONDS,
    default 5) and a last line at the end, in place of the bar a terminal shows."""

    def __init__(self, console: Console, interval_s: float):
        self.console, self.interval_s = console, interval_s
        self.tasks: dict[int, dict] = {}
        self.t0 = time.monotonic()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._tick, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=1)
        if exc_type is None and time.monotonic() - self.t0 >= self.interval_s:  # a closing line for a long task
            self._report()

    def add_task(self, description: str, total: float | None = None, **_: Any) -> int:
        with self._lock:
            k = len(self.tasks)
            self.tasks[k] = {"description": description, "total": total, "completed": 0.0}
        return k

    def advance(self, task: int, advance: float = 1) -> None:
        with self._lock:
            self.tasks[task]["completed"] += advance

    def update(self, task: int, description: str | None = None, total: float | None = None,
               completed: float | None = None, advance: float | None = None, **_: Any) -> None:
        with self._lock:
            t = self.tasks[task]
            if description is not None:
                t["description"] = description
            if total is not None:
                t["total"] = total
            if completed is not None:
                t["completed"] = completed
            if advance is not None:
                t["completed"] += advance

    def _tick(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._report()

    def _report(self) -> None:
        elapsed = time.monotonic() - self.t0
        with self._lock:
            lines = []
            for t in self.tasks.values():
                done, total = t["completed"], t["total"]
                count = f"{done:.0f}/{total:.0f} ({100 * done / total:.0f} %), " if total else (f"{done:.0f}, " if done else "")
                lines.append(f"{t['description']}: {count}{int(elapsed) // 60}:{int(elapsed) % 60:02d} elapsed")
        for line in lines:
            self.console.print(line, highlight=False, style="dim")


def progress(console: Console | None = None, counts: bool = True):
    """A progress display: rich's bar on a terminal, a line every few seconds otherwise."""
    console = console or err_console
    if console.is_terminal:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        cols = [TextColumn("{task.description}"), BarColumn(), *([MofNCompleteColumn()] if counts else []), TimeElapsedColumn()]
        return Progress(*cols, console=console, transient=True)
    return _LineProgress(console, float(os.environ.get("SIZNO_PROGRESS_SECONDS", "5")))


# ------------------------------------------------------------------------------------ renamed options
# Old spellings of options that now have one name. An option in argv that the command does not
# have, but that is listed here, is refused with one line naming the new option.
RENAMED: dict[str, str] = {
    "--temperature": "--temperature-C",
    "--current": "--current-A-per-g",
    "--rate-A-per-g": "--current-A-per-g",
    "--composite-mass-mg": "--mass-mg",
    "--plots": "--plot/--no-plot (and --out DIR for the folder)",
    "--no-plots": "--no-plot",
    "--out-dir": "--out",
    "--bdf-out": "--bdf (the copies go to --out)",
    "--csv": "--output (a CSV file; the PNG goes beside it)",
}
# per command (space-joined path): old option -> new, where the old name means something else there
RENAMED_IN: dict[str, dict[str, str]] = {
    "fit": {"--cycles": "--fit-cycles (the cycles to fit, e.g. '1-3')"},
    "xrd pattern": {"--cycles": "--cycle (the cycle whose end state is shown)"},
    "drt": {"--plots": "--plot/--no-plot and --spectrum-figures auto|all|none"},
    "analyze": {"--plots": "--out (the folder for plots and BDF copies)"},
    "atomistic slab": {"--out": "--output (the extxyz file)"},
}


def may_use_old_option(argv: Sequence[str]) -> bool:
    """Cheap pre-check (no command tree built): does argv hold a name listed in RENAMED/RENAMED_IN,
    or `--plot` followed by a file name?"""
    old = set(RENAMED) | {o for m in RENAMED_IN.values() for o in m}
    names = [a.split("=", 1)[0] for a in argv]
    return any(n in old for n in names) or any(
        n == "--plot" and i + 1 < len(argv) and argv[i + 1].lower().endswith((".png", ".pdf", ".svg"))
        for i, n in enumerate(names))


def renamed_option_error(argv: Sequence[str], root) -> Optional[str]:
    """A one-line message if `argv` (without the program) uses an old spelling of an option of the
    command it names, else None. `root` is the click command of the whole CLI."""
    cmd, path, k = root, [], 0
    while k < len(argv) and hasattr(cmd, "commands") and cmd.get_command(None, argv[k]) is not None:
        cmd = cmd.get_command(None, argv[k])
        path.append(argv[k])
        k += 1
    if hasattr(cmd, "commands") or not path:
        return None
    known = {o for p in cmd.params for o in (*getattr(p, "opts", ()), *getattr(p, "secondary_opts", ()))}
    special = RENAMED_IN.get(" ".join(path), {})
    args = list(argv[k:])
    for i, a in enumerate(args):
        if a == "--":
            break
        name = a.split("=", 1)[0]
        if not name.startswith("--"):
            continue
        if name == "--plot" and "--plot" in known and i + 1 < len(args) and args[i + 1].lower().endswith((".png", ".pdf", ".svg")):
            return (f"--plot: a switch now (--plot/--no-plot), not a file; the figure is written "
                    f"{'beside --output' if '--output' in known else 'into --out'}")
        new = special.get(name) if name in special and name not in known else (RENAMED.get(name) if name not in known else None)
        if new:
            return f"{name}: renamed, use {new} (sizno {' '.join(path)} --help)"
    return None
