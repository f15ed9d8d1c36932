"""One name per concept: walks every command's options and fails on a second spelling of a known concept;
old spellings are refused with one line naming the new option; --help stays light."""

import re
import subprocess
import sys

import pytest
import typer.main

from sizno.cli import LAZY_COMMANDS, app
from sizno.clitools import RENAMED, RENAMED_IN

SIZNO = [sys.executable, "-m", "sizno.cli"]


def commands():
    """(path, click command) of every leaf command, the lazily loaded ones included."""
    out = []

    def walk(cmd, path):
        for name in cmd.list_commands(None):
            sub = cmd.get_command(None, name)
            if hasattr(sub, "commands"):
                walk(sub, [*path, name])
            else:
                out.append((" ".join([*path, name]), sub))

    walk(typer.main.get_command(app), [])
    return out


COMMANDS = commands()


def options(cmd):
    """{primary long name: (all names, the parameter)} of a command's options."""
    return {p.opts[0]: ([*p.opts, *p.secondary_opts], p) for p in cmd.params if p.param_type_name == "option"}


def annotation(p):
    return p.type_descriptor.annotation


# concept -> (the one accepted name, a pattern any spelling of the concept matches; case-insensitive)
CONCEPTS = {
    "temperature": ("--temperature-C", r"^--(cell-)?temp"),
    "specific current": ("--current-A-per-g", r"^--(specific-)?(current|rate)(-m?a)?(-per-g)?$"),
    "electrode mass": ("--mass-mg", r"^--([a-z]+-)?mass(-(mg|g|ug))?$"),
    "output file": ("--output", r"^--(output|out-?file|output-?file|outfile|o)$"),
    "output folder": ("--out", r"^--(out|out-?dir|outdir|output-?dir|output-?folder|folder|[a-z]+-out|plots?-dir)$"),
    "figures switch": ("--plot", r"plot"),
    "replace outputs": ("--force", r"^--(force|overwrite|replace|clobber)$"),
    "machine-readable copy": ("--json", r"json"),
    "mesh": ("--mesh-points", r"mesh"),
    "number of cycles": ("--cycles", r"^--(n-|num-|number-of-)?(cycles|repeats?)$"),
}


def test_the_walk_sees_every_command():
    names = {p for p, _ in COMMANDS}
    assert {"simulate", "calibrate", "reproduce", "composition", "drt", "analyze", "fit", "screen", "xrd pattern",
            "xrd index", "eis simulate", "eis kk", "eis fit", "atomistic slab", "atomistic neb", "dspacing", "raman"} <= names


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[p for p, _ in COMMANDS])
def test_one_name_per_concept(path, cmd):
    for primary, (names, p) in options(cmd).items():
        for concept, (canonical, pattern) in CONCEPTS.items():
            if re.search(pattern, primary, re.IGNORECASE):
                assert primary == canonical, f"sizno {path} {primary}: a second spelling of the {concept} ({canonical})"
        assert p.help, f"sizno {path} {primary}: no help text"


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[p for p, _ in COMMANDS])
def test_options_mean_one_thing(path, cmd):
    opts = options(cmd)
    if "--plot" in opts:
        names, p = opts["--plot"]
        assert names == ["--plot", "--no-plot"] and annotation(p) is bool, f"sizno {path}: --plot/--no-plot is a switch"
    for name in ("--cycles", "--cycle"):  # a count / one cycle's number: integers, said so in the help
        if name in opts:
            _, p = opts[name]
            assert annotation(p) is int and "cycle" in p.help.lower(), f"sizno {path} {name}"
    for primary, (_, p) in opts.items():  # a selection of cycles ('1-3') says what for: --fit-cycles, --dqdv-cycles
        if primary.endswith("-cycles") and annotation(p) is str:
            assert primary != "--cycles"
    if "--output" in opts or "--out" in opts:
        assert "--force" in opts, f"sizno {path}: writes files, so it needs --force to replace them"


def test_old_spellings_are_gone_from_every_command():
    for path, cmd in COMMANDS:
        names = {n for ns, _ in options(cmd).values() for n in ns}
        assert not (names & set(RENAMED)), (path, names & set(RENAMED))
        assert not (names & set(RENAMED_IN.get(path, {}))), path


def test_lazy_commands_are_the_modules_commands():
    root = typer.main.get_command(app)
    for name, (module, short_help) in LAZY_COMMANDS.items():
        assert root.get_command(None, name) is not None, name
        assert len(short_help) < 110 and short_help.endswith(".")


@pytest.mark.parametrize("args,new", [
    (["eis", "simulate", "--series", "2", "--temperature", "25"], "--temperature-C"),
    (["eis", "simulate", "--series", "2", "--current", "0.5"], "--current-A-per-g"),
    (["simulate", "--composite-mass-mg", "2"], "--mass-mg"),
    (["screen", "--rate-A-per-g", "4"], "--current-A-per-g"),
    (["fit", "cell.csv", "--mass-mg", "1", "--cycles", "1-3"], "--fit-cycles"),
    (["xrd", "pattern", "--material", "si", "--cycles", "2"], "--cycle"),
    (["xrd", "pattern", "--phase", "Si", "--plot", "p.png"], "--output"),
    (["drt", "spectrum.csv", "--plots", "map"], "--spectrum-figures"),
    (["analyze", "cell.csv", "--no-plots"], "--no-plot"),
    (["analyze", "cell.csv", "--bdf-out", "bdf"], "--bdf"),
    (["atomistic", "neb", "--out-dir", "x"], "--out"),
    (["atomistic", "slab", "--out", "s.extxyz"], "--output"),
])
def test_an_old_spelling_is_refused_with_a_pointer(args, new, tmp_path):
    r = subprocess.run([*SIZNO, *args], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2 and len(lines) == 1, r.stderr
    assert lines[0].startswith("error: --") and new in lines[0] and "renamed" in lines[0] or "switch" in lines[0]
    assert not any(tmp_path.iterdir())  # nothing ran, nothing written


HEAVY = ("numpy", "pandas", "scipy", "pybamm", "matplotlib", "pymatgen", "torch", "ase")


def test_help_imports_nothing_heavy():
    """`sizno --help` and every command's --help load only typer/rich (the 0.3 s start-up target rests on it)."""
    code = ("import sys\nfrom sizno import cli\n"
            "for args in {paths!r}:\n"
            "    sys.argv = ['sizno', *args, '--help']\n"
            "    try:\n        cli.main()\n    except SystemExit as e:\n        assert e.code == 0, (args, e.code)\n"
            "heavy = sorted(m for m in {heavy!r} if m in sys.modules)\n"
            "print('HEAVY', heavy)\n")
    paths = [[]] + [p.split() for p, _ in COMMANDS]
    r = subprocess.run([sys.executable, "-c", code.format(paths=paths, heavy=HEAVY)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "HEAVY []" in r.stdout, r.stdout[-500:]
