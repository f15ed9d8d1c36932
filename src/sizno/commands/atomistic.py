"""`sizno atomistic slab|interface|neb|screen`. Torch, CHGNet and ASE load inside the commands only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from sizno.clitools import (ForceOption, JsonOption, command_group, console, err_console, output_file, output_folder,
                            progress, write_json)

atomistic_app = command_group("atomistic", "Atomistics: Si(111) and Si/oxide slabs, interface energies, Li NEB barriers, additive screening.")

CalcOption = typer.Option("chgnet", "--calculator", help="chgnet (default), chgnet-ft (CHGNet fine-tuned on sizno's GPAW points), sevennet, gpaw (DFT, PBE), emt, or any ASE calculator by name (vasp, espresso ...).")
CalcSettingOption = typer.Option(None, "--calc-setting", help="Calculator setting key=value (repeatable). gpaw: preset=lcao|pw|test, kpts=2x2x1, h_A, ecut_eV, basis, smearing_eV ...; others: passed to the ASE calculator.")
QuickOption = typer.Option(True, "--quick/--full", help="Smallest sensible cells (minutes) or thicker slabs and more images.")


def _factory(name, settings):
    from sizno.atomistic.calculators import get_factory, parse_settings

    return get_factory(name, parse_settings(settings))


def _progress():
    return progress(err_console, counts=False)


def _neb_hooks(prog, factory=None):
    """Progress callbacks: a message, an NEB step; with a DFT factory also each SCF iteration."""
    task = prog.add_task("starting", total=None)
    last = {"m": "starting"}

    def msg(m):
        last["m"] = m
        prog.update(task, description=m)

    if factory is not None and factory.name == "gpaw":
        factory.on_scf = lambda it, sec: prog.update(task, description=f"{last['m']} · DFT SCF iteration {it} ({sec:.0f} s)")

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
            msg, _ = _neb_hooks(prog, f)
            msg("relax")
            r = relax(a, f, on_step=lambda n, fm: msg(f"relax step {n}: fmax {fm:.3f} eV/Å"))
        info.update({"calculator": f.label, "calculator_settings": f.describe(), "energy_eV": r.energy_eV, "converged": r.converged, "steps": r.steps,
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
        msg, _ = _neb_hooks(prog, f)
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
    write_json(json_path, {"oxide": oxide, "calculator": f.label, "calculator_settings": f.describe(), "matches": [m.as_dict() for m in matches],
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
        msg, step = _neb_hooks(prog, f)
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
    write_json(json_path, {"calculator": f.label, "calculator_settings": f.describe(), "settings": s.as_dict(),
                           "results": payload})


def _dft_cell(row: dict) -> str:
    d = row.get("dft_check")
    if not d:
        return "none"
    return "/".join("n/a" if d.get(f"barrier_{p}_dft_eV") is None else f"{d[f'barrier_{p}_dft_eV']:.2f}" for p in ("along", "across"))


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
        msg, step = _neb_hooks(prog, f)
        rows = run_screen(oxide or ["ZnO", "MgO", "CaO"], f, Settings(quick), current_A_per_g, progress=msg,
                          on_neb_step=step, on_row=on_row)
    t = Table(title=f"Additive screen ({f.label})")
    for c in ("oxide", "E_int [eV/Å²]", "Ea along [eV]", "Ea across [eV]", "DFT along/across [eV]", "D [m²/s]", "σ/σ_ZnO",
              f"capacity @{current_A_per_g:g} A/g [mAh/g]"):
        t.add_column(c)
    for r in rows:
        cap = r.get("capacity_mAh_g")
        t.add_row(r["oxide"], f"{r['interface_energy_eV_per_A2']:+.3f}", f"{r['barrier_along_eV']:.3f}",
                  "n/a" if r["barrier_across_eV"] is None else f"{r['barrier_across_eV']:.3f}", _dft_cell(r),
                  f"{r['D_m2_per_s']:.2e}", f"{r['conductivity_ratio_vs_ZnO']:.3g}", "n/a" if cap is None else f"{cap:.0f}")
    console.print(t)
    for r in rows:
        for k in ("note", "across_note"):
            if r.get(k):
                err_console.print(f"{r['oxide']}: {r[k]}")
    console.print(rows[0]["assumptions"])
    if any(r.get("dft_check") for r in rows):
        dc = next(r["dft_check"] for r in rows if r.get("dft_check"))
        console.print(f"DFT along/across: the stored cross-check ({dc['calculator']}, single points at "
                      f"{dc['on_paths_of']}'s NEB points, {dc['date']}); Ea columns: {f.label}")
    write_json(json_path, rows)


@atomistic_app.command("dft-check")
def dft_check(
    quick: bool = QuickOption,
    points: str = typer.Option("saddle", "--points", help="barrier: start site, CHGNet's saddle, end site; saddle: these and the along route's sites; profile: every NEB image."),
    path: Optional[List[str]] = typer.Option(None, "--path", help="si111, along, across (repeatable); default all three."),
    calc_setting: Optional[List[str]] = CalcSettingOption,
    work: Optional[Path] = typer.Option(None, "--work", help="Folder of finished single points (a stopped run resumes from it). Default: $SIZNO_CACHE_DIR or ~/.cache/sizno, /dft_crosscheck."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for dft_crosscheck.json and its structures (extxyz). Default: a new out/dft-check-<date>-<time>."),
    force: bool = ForceOption,
    json_path: Optional[Path] = JsonOption,
):
    """DFT (GPAW, PBE) single points at CHGNet's NEB points of the three Li paths: barriers and site energies
    side by side, and the ranking of the paths against the paper's. Hours on 2 cores; resumes when stopped."""
    import time

    from sizno.atomistic import crosscheck
    from sizno.atomistic.calculators import parse_settings
    from sizno.errors import SiznoInputError

    paths = path or list(crosscheck.PATHS)
    for p in paths:
        if p not in crosscheck.PATHS:
            raise SiznoInputError("--path", f"unknown path '{p}'", ", ".join(crosscheck.PATHS))
    settings = parse_settings(calc_setting)
    from sizno.atomistic import dft

    dft.resolve(settings)
    dft.check_setups(["Li", "Si", "H", "Zn", "O"], settings)
    if points not in crosscheck.POINT_SETS:
        raise SiznoInputError("--points", f"'{points}'", ", ".join(crosscheck.POINT_SETS))
    out_dir = output_folder(out, "dft-check", force)
    t0 = time.perf_counter()
    with _progress() as prog:
        msg, _ = _neb_hooks(prog)
        msg("CHGNet paths (cached after the first run)")
        nebs = crosscheck.chgnet_nebs(quick, progress=msg)
        res = crosscheck.run(nebs, settings, points=points, work=work, paths=paths, progress=msg)
    j, x = crosscheck.write_data(res, nebs, out_dir, time.perf_counter() - t0)
    console.print(crosscheck_table(json.loads(j.read_text())))
    console.print(f"wrote {j} and {x}")
    write_json(json_path, json.loads(j.read_text()))


@atomistic_app.command("dft-data")
def dft_data(
    quick: bool = QuickOption,
    path: Optional[List[str]] = typer.Option(None, "--path", help="si111, along, across (repeatable); default all three."),
    rattle_A: float = typer.Option(0.05, "--rattle-A", help="Rattled copies: Gaussian displacement per Cartesian component [A], 0 to 0.3."),
    rattle_copies: int = typer.Option(2, "--rattle-copies", help="Rattled copies per NEB image (>= 0)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the rattled copies."),
    max_points: Optional[int] = typer.Option(None, "--max-points", help="Stop after this many frames (the most important first)."),
    calc_setting: Optional[List[str]] = CalcSettingOption,
    work: Optional[Path] = typer.Option(None, "--work", help="Folder of finished single points (a stopped run resumes from it). Default: $SIZNO_CACHE_DIR or ~/.cache/sizno, /dft_training."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for dft_training.json and .extxyz (rewritten after each point). Default: a new out/dft-data-<date>-<time>."),
    force: bool = ForceOption,
):
    """DFT (GPAW, PBE) energies and forces at every NEB image of CHGNet's three paths and rattled copies:
    the data for `sizno atomistic finetune`. Hours on 2 cores; resumes when stopped; the data files grow point by point."""
    from sizno.atomistic import crosscheck, dft
    from sizno.atomistic import dft_data as dd
    from sizno.atomistic.calculators import parse_settings
    from sizno.errors import SiznoInputError

    paths = path or list(dd.PATHS)
    for p in paths:
        if p not in dd.PATHS:
            raise SiznoInputError("--path", f"unknown path '{p}'", ", ".join(dd.PATHS))
    if max_points is not None and max_points < 1:
        raise SiznoInputError("--max-points", f"{max_points}", "integers >= 1")
    settings = parse_settings(calc_setting)
    dft.resolve(settings)
    dft.check_setups(["Li", "Si", "H", "Zn", "O"], settings)
    out_dir = output_folder(out, "dft-data", force)
    with _progress() as prog:
        msg, _ = _neb_hooks(prog)
        msg("CHGNet paths (cached after the first run)")
        nebs = crosscheck.chgnet_nebs(quick, progress=msg)
        j, x = dd.run(nebs, settings, out_dir, work=work, paths=paths, rattle_A=rattle_A, rattle_copies=rattle_copies,
                      seed=seed, max_points=max_points, progress=msg)
    d = json.loads(j.read_text())
    console.print(f"{d['n_frames']} frames, {d['cpu_s_total']:.0f} CPU-s; wrote {j} and {x}")


@atomistic_app.command("finetune")
def finetune_cmd(
    data: Optional[Path] = typer.Option(None, "--data", help="Folder of dft_training.json/.extxyz (sizno atomistic dft-data). Default: the data shipped with the package."),
    epochs: int = typer.Option(80, "--epochs", help="Training epochs (1 to 1000)."),
    learning_rate: float = typer.Option(3e-3, "--learning-rate", help="Adam's initial learning rate (1e-6 to 0.1)."),
    energy_loss_ratio: float = typer.Option(1.0, "--energy-loss-ratio", help="Weight of the energy term (eV/atom) against the forces' (eV/A) in the loss (0.01 to 1000)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the held-out split and of the training."),
    held_fraction: float = typer.Option(0.2, "--held-fraction", help="Share of NEB images held out (0.05 to 0.5), the Si(111) saddle image among them."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for chgnet_ft_state.pt and chgnet_ft.json. Default: a new out/finetune-<date>-<time>."),
    force: bool = ForceOption,
):
    """Fine-tune CHGNet's readout on the DFT points (held-out split by NEB image), report energy and force errors
    before and after, and the three barriers with both potentials on CHGNet's quick paths. Minutes on the CPU."""
    from sizno.atomistic import crosscheck, finetune
    from sizno.errors import SiznoInputError

    for name, v, lo, hi in (("--epochs", epochs, 1, 1000), ("--learning-rate", learning_rate, 1e-6, 0.1),
                            ("--held-fraction", held_fraction, 0.05, 0.5), ("--energy-loss-ratio", energy_loss_ratio, 0.01, 1000)):
        if not lo <= v <= hi:
            raise SiznoInputError(name, f"{v}", f"{lo} to {hi}")
    out_dir = output_folder(out, "finetune", force)
    with _progress() as prog:
        msg, _ = _neb_hooks(prog)
        nebs = crosscheck.chgnet_nebs(True, progress=msg)
        meta = finetune.run(data, out_dir, nebs, epochs, learning_rate, seed, held_fraction, energy_loss_ratio, progress=msg)
    console.print(finetune_table(meta))
    console.print(f"wrote {out_dir}")


def finetune_table(meta: dict):
    """Held-out errors before/after and the barriers per potential."""
    from rich.table import Table

    t = Table(title=f"CHGNet fine-tuned on {meta['n_train_frames']} DFT frames, {meta['n_held_out_frames']} held out")
    for c in ("", "E MAE before [meV/atom]", "E MAE after", "F MAE before [eV/A]", "F MAE after"):
        t.add_column(c)
    b, a = meta["errors_before"]["held_out"], meta["errors_after"]["held_out"]
    for k in b:
        t.add_row(f"held out: {k} ({b[k]['n_frames']})", *(f"{x:.2f}" if x is not None else "" for x in (
            b[k]["energy_mae_meV_per_atom"], a[k]["energy_mae_meV_per_atom"], b[k]["force_mae_eV_per_A"], a[k]["force_mae_eV_per_A"])))
    bars = meta["barriers_on_chgnet_quick_paths"]
    t.caption = "barriers [eV] CHGNet / fine-tuned / DFT: " + "; ".join(
        f"{p} {d.get('barrier_chgnet_eV', float('nan')):.2f} / {d.get('barrier_chgnet_ft_eV', float('nan')):.2f} / "
        f"{d.get('barrier_dft_eV', float('nan')):.2f}{'' if d.get('dft_complete') else ' (DFT partial)'}" for p, d in bars.items())
    return t


def crosscheck_table(data: dict):
    """The cross-check as a table: per path, barriers and site energies (CHGNet, DFT at CHGNet's points)."""
    from rich.table import Table

    t = Table(title=f"DFT cross-check: {data['dft_label']}")
    for c in ("path", "atoms", "CHGNet [eV]", "DFT [eV]", "DFT − CHGNet [eV]", "end site CHGNet/DFT [eV]", "points", "wall [s]", "CPU [s]"):
        t.add_column(c)
    for p, d in data["paths"].items():
        site = (f"{d['site_energy_chgnet_eV']:+.3f} / {d['site_energy_dft_eV']:+.3f}" if "site_energy_dft_eV" in d else "")
        t.add_row(p, str(d["n_atoms"]), f"{d['barrier_chgnet_eV']:.3f}", f"{d['barrier_dft_eV']:.3f}",
                  f"{d['barrier_difference_eV']:+.3f}", site, str(len(d["points"])), f"{d['wall_s']:.0f}", f"{d['cpu_s']:.0f}")
    t.caption = (f"ranking (lowest first): DFT {' < '.join(data['ranking_dft'])}; CHGNet {' < '.join(data['ranking_chgnet'])}; "
                 f"paper {' < '.join(data['ranking_paper'])}")
    return t


@atomistic_app.command()
def records(
    quick: bool = QuickOption,
    cross_check: Optional[List[str]] = typer.Option(None, "--cross-check", help="Second potential run beside CHGNet "
                                                    "(repeatable; sevennet). Default: sevennet with --full, none with --quick."),
    dft_live: bool = typer.Option(False, "--dft", help="Run the DFT cross-check (GPAW single points, hours) instead of showing the stored one."),
    json_path: Optional[Path] = JsonOption,
):
    """The four dft.* records of `sizno reproduce` (CHGNet), with a second potential's numbers and the DFT check beside them."""
    from rich.table import Table

    from sizno.reproduce.atomistic import atomistic_records, live_dft_check, run_all

    run = run_all(quick, cross_check or None)
    if dft_live:
        with _progress() as prog:
            msg, _ = _neb_hooks(prog)
            recs = atomistic_records(run, live_dft_check(run, progress=msg))
    else:
        recs = atomistic_records(run)
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
