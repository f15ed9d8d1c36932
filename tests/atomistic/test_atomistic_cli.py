import json

import pytest
from typer.testing import CliRunner

pytest.importorskip("ase")


def test_cli_slab_json(tmp_path):
    from sizno.cli import app

    r = CliRunner().invoke(app, ["atomistic", "slab", "--kind", "ZnO", "--bilayers", "2", "--termination", "Zn",
                                 "--output", str(tmp_path / "s.extxyz"), "--json", str(tmp_path / "s.json")])
    assert r.exit_code == 0, r.output
    d = json.loads((tmp_path / "s.json").read_text())
    assert d["n_atoms"] == 8 and (tmp_path / "s.extxyz").exists()


def test_cli_unknown_calculator_is_one_line_error(tmp_path):
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-c", "from sizno.cli import main; main()", "atomistic", "slab", "--relax",
                        "--calculator", "nope", "--output", str(tmp_path / "x.extxyz")], capture_output=True, text=True)
    assert p.returncode == 2
    assert "unknown calculator" in p.stderr


def test_top_level_screen_rejects_an_unknown_oxide_before_any_calculation(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "screen.json"
    p = subprocess.run([sys.executable, "-c", "from sizno.cli import main; main()", "screen", "--oxide", "XyO",
                        "--quick", "--json", str(out)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2
    assert "XyO" in p.stderr and "ZnO" in p.stderr and "Traceback" not in p.stderr
    assert not out.exists()
