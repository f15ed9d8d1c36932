"""Shared pieces of the command line: consoles, the --json option, JSON writing."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console

def command_group(name: str | None, help: str) -> typer.Typer:
    """A Typer app with sizno's settings: plain help text, no shell-completion or pretty tracebacks."""
    return typer.Typer(name=name, help=help, no_args_is_help=True, add_completion=False,
                       pretty_exceptions_enable=False, rich_markup_mode=None)


console = Console()
err_console = Console(stderr=True, soft_wrap=True)

JsonOption = typer.Option(None, "--json", help="Also write the results, machine-readable, to this JSON file.")


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


def write_json(path: Optional[Path], payload: Any) -> None:
    """Write `payload` to `path` (if given) as JSON."""
    if path is None:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_clean(payload), indent=2))
    err_console.print(f"wrote {path}", style="dim")
