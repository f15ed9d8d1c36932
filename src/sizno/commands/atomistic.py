"""`sizno atomistic slab|interface|neb|screen`. Torch, CHGNet and ASE load inside the commands only."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from sizno.clitools import (ForceOption, atomistic_cross_check_setting, JsonOption, command_group, console, err_console, output_file, output_folder,
                            progress, write_json)

atomistic_app = command_group("atomistic", "Atomistics: Si(111) and Si/oxide slabs, interface energies, Li NEB barriers, additive screening.")

CalcOption = typer.Option("chgnet", "--calculator", help="chgnet (default), sevennet, emt, or any ASE calculator by name (vasp, gpaw, espresso ...).")
CalcSettingOption = typer.Option(None, "--calc-setting", help="Calculator setting key=value (repeatable), passed to the ASE calculator.")
QuickOption = typer.Option(True, "--quick/--full", help="Smallest sensible cells (minutes) or thicker slabs and more images.")


def _factory(name, settings):
    from sizno.atomistic.calculators import get_factory, parse_settings

    return get_factory(name, parse_settings(settings))


def _progress():
    return progress(err_console, counts=False)


def _neb_hooks(prog):
    task = prog.add_task("starting", total=None)

    def msg(m):
        prog.update(task, description=m)

    def step(n, fmax, energies):
        es = " ".join(f"{e:+.2f}" for e in energies)
        prog.update(task, description=f"NEB step {n}: fmax {fmax:.3f} eV/Å, images [{es}] eV")

    return msg, step


def _neb_table(title, nebs):
    from rich.table import Table

    t = Table(title=title)
    for c in ("path", "barrier [eV]", "reverse [eV]", "hop [Å]", "images", "converged", "warnings"):
        t.add_column(c)
    for name, r in nebs:
        t.add_row(name, f"{r.barrier_eV:.3f}", f"{r.reverse_barrier_eV:.3f}", f"{r.hop_length_A:.2f}", str(r.n_images),
                  "yes" if r.converged else "NO", "; ".join(r.warnings))
    return t


@atomistic_app.command()
def slab(
    kind: str = typer.Option("si111", help="si111 or an oxide (ZnO, MgO, CaO)."),
    reconstruction: str = typer.Option("2x2-adatom", help="Si(111): 1x1, 2x2-adatom, sqrt3-adatom, 2x1-pandey."),
    bilayers: int = typer.Option(4, help="Si bilayers (or oxide repeat units)."),
    termination: Optional[str] = typer.Option(None, help="Oxide bottom face element (ZnO: O or Zn)."),
    vacuum_A: float = typer.Option(15.0, "--vacuum-A", help="Vacuum thickness [Å]."),
    relax_it: bool = typer.Option(False, "--relax/--no-relax", help="Relax the slab (fixed bottom)."),
    calculator: str = CalcOption,
    calc_setting: Optional[List[str]] = CalcSettingOption,
    output: Optional[Path] = typer.Option(None, "--output", help="Structure file (extxyz). Default: a new out/slab-<date>-<time>.extxyz."),
    force: bool = ForceOption,
    json_path: Optional[Path] = JsonOption,
):
    """Build (and optionally relax) a Si(111) or polar oxide slab."""
    from ase.io import write

    from sizno.atomistic import builders

    out = output_file(output, "slab", ".extxyz", force)

    if kind.lower() == "si111":
        a = builders.si111_slab(reconstruction, bilayers=bilayers, vacuum_A=vacuum_A)
    else:
        a = builders.oxide_slab(kind, units=bilayers, bottom=termination, vacuum_A=vacuum_A)
    info = {"kind": a.info["sizno"]["kind"], "n_atoms": len(a), "formula": a.get_chemical_formula(),
            "area_A2": builders.slab_area_A2(a), "n_fixed": builders.n_fixed(a), "vacuum_A": vacuum_A}
    if relax_it:
        from sizno.atomistic.relax import relax

        f = _factory(calculator, calc_setting)
        top = builders.top_layer_indices(a, 1.5)
        a.rattle(0.02, seed=7)
        with _progress() as prog:
            t = prog.add_task("relax", total=None)
            r = relax(a, f, on_step=lambda n, fm: prog.update(t, description=f"relax step {n}: fmax {fm:.3f} eV/Å"))
        info.update({"calculator": f.label, "energy_eV": r.energy_eV, "converged": r.converged, "steps": r.steps,
                     "top_coordination_before": builders.surface_coordination(a, top),
                     "top_coordination_after": builders.surface_coordination(r.atoms, top)})
        if r.warning():
            err_console.print(f"warning: {r.warning()}")
        a = r.atoms
    out.parent.mkdir(parents=True, exist_ok=True)
    write(out, a, format="extxyz")
    for k, v in info.items():
        console.print(f"{k}: {v}")
    console.print(f"wrote {out}")
    write_json(json_path, info)


@atomistic_app.command()
def interface(
    oxide: str = typer.Option("ZnO", help="ZnO, MgO, CaO."),
    termination: Optional[List[str]] = typer.Option(None, help="Oxide face touching Si (repeatable); default both."),
    registry: Optional[List[str]] = typer.Option(None, help="top, hollow (repeatable); default both."),
    max_strain: float = typer.Option(0.03, help="Largest oxide strain accepted in the supercell match (fraction)."),
    quick: bool = QuickOption,
    calculator: str = CalcOption,
    calc_setting: Optional[List[str]] = CalcSettingOption,
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for relaxed structures (extxyz). Default: a new out/interface-<date>-<time>; an existing folder with files needs --force."),
    force: bool = ForceOption,
    json_path: Optional[Path] = JsonOption,
):
    """Supercell matches, then relax each heterojunction and report E_interface = (E_tot − E_Si − E_oxide)/area."""
    from ase.io import write
    from rich.table import Table

    from sizno.atomistic import builders
    from sizno.atomistic.workflows import Settings, heterojunctions

    out_dir = output_folder(out, "interface", force)
    matches = builders.find_matches(oxide, max_strain)[:5]
    f = _factory(calculator, calc_setting)
    with _progress() as prog:
        msg, _ = _neb_hooks(prog)
        hjs = heterojunctions(f, Settings(quick), oxide, termination or None, registry or None, progress=msg)
    t = Table(title=f"Si(111)/{oxide} heterojunctions ({f.label})")
    for c in ("face", "registry", "E_int [eV/Å²]", "E_int [J/m²]", "atoms", "converged"):
        t.add_column(c)
    out_dir.mkdir(parents=True, exist_ok=True)
    for h in hjs:
        d = h.as_dict()
        t.add_row(h.termination, h.registry, f"{h.interface_energy_eV_per_A2:+.4f}", f"{d['interface_energy_J_per_m2']:+.3f}",
                  str(h.n_atoms), "yes" if h.converged else "NO")
        write(out_dir / f"interface_{oxide}_{h.termination}_{h.registry}.extxyz", h.atoms, format="extxyz")
    console.print(t)
    write_json(json_path, {"oxide": oxide, "calculator": f.label, "matches": [m.as_dict() for m in matches],
                           "heterojunctions": [h.as_dict() for h in hjs],
                           "definition": "(E_tot - E_Si_slab - E_oxide_slab) / area, eV per A^2; oxide strained"})


@atomistic_app.command()
def neb(
    path: str = typer.Option("si111", help="si111, along, across, or all (the paper's three paths)."),
    oxide: str = typer.Option("ZnO", help="Oxide for the interface paths."),
    quick: bool = QuickOption,
    calculator: str = CalcOption,
    calc_setting: Optional[List[str]] = CalcSettingOption,
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for images (extxyz) and profile plots (PNG). Default: a new out/neb-<date>-<time>; an existing folder with files needs --force."),
    force: bool = ForceOption,
    json_path: Optional[Path] = JsonOption,
):
    """Climbing-image NEB of Li on Si(111) and along/across the Si/oxide interface channel."""
    from sizno.atomistic.neb import write_neb
    from sizno.atomistic.workflows import Settings, si111_barrier
    from sizno.errors import SiznoInputError

    if path not in ("si111", "along", "across", "all"):
        raise SiznoInputError("--path", f"unknown path '{path}'", "si111, along, across, all")
    out_dir = output_folder(out, "neb", force)
    f = _factory(calculator, calc_setting)
    s = Settings(quick)
    results = []
    with _progress() as prog:
        msg, step = _neb_hooks(prog)
        if path in ("si111", "all"):
            r, info = si111_barrier(f, s, progress=msg, on_neb_step=step)
            results.append(("si111", r, info))
        if path in ("along", "across", "all"):
            from sizno.atomistic.workflows import interface_channel

            ch = interface_channel(oxide, f, s, progress=msg, on_neb_step=step, require_across=path != "along")
            for p in ("along", "across"):
                if path in (p, "all"):
                    results.append((p, ch[p], {"channel": ch["channel_info"], "heterojunction": ch["most_stable"]}))
    console.print(_neb_table(f"Li barriers ({f.label})", [(n, r) for n, r, _ in results]))
    payload = []
    for n, r, info in results:
        files = write_neb(r, out_dir, f"neb_{n}")
        payload.append({"path": n, **r.as_dict(), **files, "info": info})
        console.print(f"{n}: {files['images_extxyz']}, {files['profile_png']}")
    write_json(json_path, {"calculator": f.label, "settings": s.as_dict(), "results": payload})


@atomistic_app.command()
def screen(
    oxide: Optional[List[str]] = typer.Option(None, help="Additive oxides (repeatable); default ZnO, MgO, CaO."),
    current_A_per_g: float = typer.Option(5.0, "--current-A-per-g", help="Specific current of the predicted capacity [A/g]."),
    quick: bool = QuickOption,
    calculator: str = CalcOption,
    calc_setting: Optional[List[str]] = CalcSettingOption,
    json_path: Optional[Path] = JsonOption,
):
    """Additive oxide → interface channel barrier → Arrhenius D → network conductivity → capacity at 5 A/g."""
    from rich.table import Table

    from sizno.lab.screen import screen as run_screen
    from sizno.atomistic.workflows import Settings

    f = _factory(calculator, calc_setting)
    done: list[dict] = []

    def on_row(row: dict) -> None:  # partial results as they come: a line, and the JSON so far
        done.append(row)
        cap = row.get("capacity_mAh_g")
        err_console.print(f"{row['oxide']}: Ea along {row['barrier_along_eV']:.3f} eV, "
                          f"capacity @{current_A_per_g:g} A/g {'n/a' if cap is None else f'{cap:.0f} mAh/g'}", highlight=False)
        write_json(json_path, done, quiet=True)

    with _progress() as prog:
        msg, step = _neb_hooks(prog)
        rows = run_screen(oxide or ["ZnO", "MgO", "CaO"], f, Settings(quick), current_A_per_g, progress=msg,
                          on_neb_step=step, on_row=on_row)
    t = Table(title=f"Additive screen ({f.label})")
    for c in ("oxide", "E_int [eV/Å²]", "Ea along [eV]", "Ea across [eV]", "D [m²/s]", "σ/σ_ZnO", f"capacity @{current_A_per_g:g} A/g [mAh/g]"):
        t.add_column(c)
    for r in rows:
        cap = r.get("capacity_mAh_g")
        t.add_row(r["oxide"], f"{r['interface_energy_eV_per_A2']:+.3f}", f"{r['barrier_along_eV']:.3f}",
                  "n/a" if r["barrier_across_eV"] is None else f"{r['barrier_across_eV']:.3f}",
                  f"{r['D_m2_per_s']:.2e}", f"{r['conductivity_ratio_vs_ZnO']:.3g}", "n/a" if cap is None else f"{cap:.0f}")
    console.print(t)
    for r in rows:
        for k in ("note", "across_note"):
            if r.get(k):
                err_console.print(f"{r['oxide']}: {r[k]}")
    console.print(rows[0]["assumptions"])
    write_json(json_path, rows)


@atomistic_app.command()
def records(
    quick: bool = QuickOption,
    cross_check: Optional[List[str]] = typer.Option(None, "--cross-check", help="Second potential run beside CHGNet "
                                                    "(repeatable; sevennet). Default: sevennet with --full, none with --quick."),
    json_path: Optional[Path] = JsonOption,
):
    """The four dft.* records of `sizno reproduce` (CHGNet), with a second potential's numbers beside them."""
    from rich.table import Table

    from sizno.reproduce.atomistic import atomistic_records, run_all

    recs = atomistic_records(run_all(quick, cross_check or atomistic_cross_check_setting()))
    t = Table(title="atomistic records")
    for c in ("id", "paper", "model", "unit"):
        t.add_column(c)
    for r in recs:
        t.add_row(r["id"], str(r["paper"]), f"{r['model']:.4g}", r["unit"])
    console.print(t)
    for r in recs:
        console.print(f"{r['id']}: {r['note']}")
    write_json(json_path, recs)


def register(app: typer.Typer) -> None:
    app.add_typer(atomistic_app, name="atomistic")
    app.command("screen")(screen)  # `sizno screen`: the additive screen, also `sizno atomistic screen`
