"""Package data (TOML) and its loading. Everything under this folder is read-only at run time."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from sizno.errors import SiznoInputError


def read_toml(relative_path: str) -> dict[str, Any]:
    """Read a TOML file shipped under sizno/data/."""
    ref = resources.files("sizno.data").joinpath(relative_path)
    with ref.open("rb") as fh:
        return tomllib.load(fh)


def read_user_toml(path) -> dict[str, Any]:
    """Read a user's TOML file; malformed files become a one-line SiznoInputError."""
    from pathlib import Path

    p = Path(path)
    if not p.is_file():
        raise SiznoInputError(str(path), "file not found", "an existing TOML file")
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SiznoInputError(str(path), f"malformed TOML ({exc})", "valid TOML") from None
