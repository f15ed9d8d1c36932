"""The layering of src/sizno (README, Layout): a package imports only from its own layer or the layers below.

Every import counts, at the top of a module or inside a function, under TYPE_CHECKING or not.
"""

import ast
from pathlib import Path

import pytest

import sizno

ROOT = Path(sizno.__file__).parent

# top to bottom: 1 the command line and the paper twin, 2 virtual experiments and fitting, 3 protocols and
# the runner, 4 the models, 5 plain analysis libraries, 6 data types and data
LAYER = {
    "cli": 1, "clitools": 1, "commands": 1, "reproduce": 1,
    "lab": 2, "fitting": 2,
    "experiments": 3,
    "models": 4,
    "eis": 5, "structure": 5, "atomistic": 5, "io": 5,
    "cell": 6, "materials": 6, "results": 6, "units": 6, "errors": 6, "data": 6, "__init__": 6,
}
PLAIN_LIBRARIES = ("eis", "structure", "atomistic", "io")
# (importing package, imported module prefix): the few imports across the rule, each with its reason
ALLOWED = {
    ("eis", "sizno.io.text"): "eis's readers decode text files with io's helper (both plain readers)",
    ("eis", "sizno.io.detect"): "eis's readers tell a cycler file from a spectrum with io's detector",
    ("fitting", "sizno.reproduce.reference"): "calibration fits the paper's calibration records, read there",
    ("lab", "sizno.clitools"): "the study engine's progress bar writes to the command line's stderr console",
}


def _package(path: Path, root: Path = ROOT) -> str:
    rel = path.relative_to(root)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imported(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute module name) of every sizno import in the file."""
    rel = path.relative_to(root)
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = ["sizno", *rel.parts[:-1]][: len(rel.parts) - node.level + 1]
                names = [".".join([*base, node.module])] if node.module else [".".join([*base, a.name]) for a in node.names]
            else:
                names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        out += [(node.lineno, n) for n in names if n == "sizno" or n.startswith("sizno.")]
    return out


def violations(root: Path = ROOT) -> list[str]:
    """'file:line: package -> module' for every import that goes up a layer or across the plain libraries."""
    bad = []
    for path in sorted(root.rglob("*.py")):
        pkg = _package(path, root)
        for line, module in _imported(path, root):
            parts = module.split(".")
            if len(parts) < 2:
                continue
            target = parts[1]
            up = LAYER[target] < LAYER[pkg]
            across = pkg in PLAIN_LIBRARIES and target in PLAIN_LIBRARIES and target != pkg
            if (up or across) and not any(pkg == p and module.startswith(m) for p, m in ALLOWED):
                bad.append(f"{path.relative_to(root)}:{line}: {pkg} -> {module}")
    return bad


def test_every_package_has_a_layer():
    packages = {_package(p) for p in ROOT.rglob("*.py")}
    assert packages <= set(LAYER), sorted(packages - set(LAYER))


def test_no_import_goes_up_a_layer():
    assert violations() == []


@pytest.mark.parametrize("library", ["eis", "structure", "atomistic", "io", "materials", "results"])
def test_plain_libraries_run_no_model(library):
    """The analysis libraries import nothing that builds or runs a model (usable alone, as impedance.py is)."""
    forbidden = ("sizno.models", "sizno.experiments", "sizno.lab", "sizno.fitting", "sizno.reproduce",
                 "sizno.commands", "sizno.cli")
    found = [f"{p.relative_to(ROOT)}:{line}: {m}" for p in sorted((ROOT / library).rglob("*.py"))
             for line, m in _imported(p) if m.startswith(forbidden)]
    assert found == []


def test_the_walk_sees_imports_inside_functions(tmp_path):
    """The check can fail: a function-level import of the model from a plain library is caught."""
    pkg = tmp_path / "eis"
    pkg.mkdir()
    (pkg / "bad.py").write_text("def f():\n    from sizno.models.parameters import load_parameter_set\n"
                                "    from ..experiments import runner\n")
    assert violations(tmp_path) == ["eis/bad.py:2: eis -> sizno.models.parameters", "eis/bad.py:3: eis -> sizno.experiments"]
