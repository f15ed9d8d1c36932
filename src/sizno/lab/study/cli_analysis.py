"""`sizno study sensitivity | uncertainty | optimize | plot`."""

from __future__ import annotations

import typer


def register(study: typer.Typer) -> None:
    pass
