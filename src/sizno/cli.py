"""The `sizno` command line: thin, calls the packages, never holds physics."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from sizno.clitools import JsonOption, console, err_console, write_json
from sizno.errors import SiznoInputError, SimulationFailed

app = typer.Typer(
    name="sizno",
    help="A virtual laboratory for Si-composite anodes in all-solid-state lithium batteries.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

@app.callback()
def _root() -> None:
    """sizno: recipe → cell → model → experiment → results → report, for dense Si-composite anodes.

    Start with `sizno reproduce --quick`, or `sizno simulate --material si-zno4 --protocol first-cycle`.
    """


@app.command()
def composition(
    zinc_acetate_g: float = typer.Option(0.125, help="Zinc acetate mass in the recipe [g]."),
    silicon_g: float = typer.Option(0.5, help="Silicon mass in the recipe [g]."),
    precursor: str = typer.Option("dihydrate", help="Zinc acetate form: dihydrate or anhydrous."),
    material: Optional[str] = typer.Option(None, help="Use a named material instead (si, si-zno2, si-zno4, si-zno8)."),
    json_path: Optional[Path] = JsonOption,
):
    """ZnO content and theoretical capacity of a composite from its synthesis recipe."""
    from sizno.materials import composite_from_recipe, named_material

    if precursor not in ("dihydrate", "anhydrous"):
        raise SiznoInputError("--precursor", f"unknown form '{precursor}'", "dihydrate, anhydrous")
    comp = named_material(material) if material else composite_from_recipe("custom", zinc_acetate_g, silicon_g, precursor)  # type: ignore[arg-type]
    s = comp.summary()
    t = Table(title=f"Composition of {s['material']}")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    t.add_row("zinc acetate [g]", f"{s['zinc_acetate_g']:.4g} ({s['precursor']})")
    t.add_row("silicon [g]", f"{s['silicon_g']:.4g}")
    t.add_row("ZnO [wt%], stoichiometric", f"{s['zno_wt_percent']:.2f}")
    t.add_row("ZnO [wt%] if the acetate were anhydrous", f"{s['zno_wt_percent_if_anhydrous']:.2f}")
    if s["paper_stated_zno_wt_percent"] is not None:
        t.add_row("ZnO [wt%] stated in the paper", f"{s['paper_stated_zno_wt_percent']:.1f}")
    t.add_row("Si alloying capacity [mAh/g composite]", f"{s['si_alloying_mAh_g']:.0f}")
    t.add_row("ZnO → Zn + Li2O, irreversible [mAh/g]", f"{s['zno_conversion_irreversible_mAh_g']:.1f}")
    t.add_row("Zn ⇄ LiZn, reversible [mAh/g]", f"{s['zn_lizn_reversible_mAh_g']:.1f}")
    t.add_row("total theoretical [mAh/g]", f"{s['total_mAh_g']:.0f}")
    console.print(t)
    write_json(json_path, s)


def _mount_subapps() -> None:
    """Area CLIs live beside their packages; mount those that exist."""
    import importlib

    for module, name in [
        ("sizno.experiments.cli", None),
        ("sizno.structure.cli", None),
        ("sizno.eis.cli", None),
        ("sizno.io.cli", None),
        ("sizno.atomistic.cli", None),
    ]:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(module.rsplit(".", 1)[0]):
                continue
            raise
        mod.register(app)


_mount_subapps()


def main() -> None:
    """Entry point: bad input → one line on stderr, exit code 2, no traceback."""
    try:
        app()  # usage errors: Typer prints them and exits 2
    except SiznoInputError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(2)
    except SimulationFailed as exc:
        err_console.print(f"simulation stopped: {exc}", markup=False, highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
