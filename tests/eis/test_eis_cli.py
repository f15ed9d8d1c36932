import json
import subprocess
import sys

from typer.testing import CliRunner

from eis_formats import write_csv, write_mpt
from sizno.cli import app
from sizno.eis.elements import synthetic_spectrum

runner = CliRunner()


def test_drt_file_json_and_plots(tmp_path):
    f = write_csv(tmp_path / "cell.csv", synthetic_spectrum(10, noise=0.01))
    out = tmp_path / "figs"
    r = runner.invoke(app, ["drt", str(f), "--json", str(tmp_path / "r.json"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "charge_transfer" in r.output
    d = json.loads((tmp_path / "r.json").read_text())
    assert d["lambda"] > 0
    assert {"tau_s", "resistance_ohm", "process"} <= set(d["peaks"][0])
    assert sorted(p["process"] for p in d["peaks"] if p["resistance_ohm"] > 10) == ["charge_transfer", "electrolyte", "sei"]
    assert (out / "cell_drt.png").stat().st_size > 10_000


def test_drt_folder_gives_one_object_per_spectrum_and_a_map(tmp_path):
    d = tmp_path / "series"
    d.mkdir()
    for i in range(3):
        write_csv(d / f"s{i}.csv", synthetic_spectrum(10, [(20, 3e-6), (40 - 5 * i, 3e-4), (80 - 10 * i, 3e-2)], noise=0.005, seed=i))
    r = runner.invoke(app, ["drt", str(d), "--json", str(tmp_path / "s.json"), "--out", str(tmp_path / "figs"), "--spectrum-figures", "none"])
    assert r.exit_code == 0, r.output
    js = json.loads((tmp_path / "s.json").read_text())
    assert isinstance(js, list) and len(js) == 3 and all("lambda" in o and "peaks" in o for o in js)
    ct = [sum(p["resistance_ohm"] for p in o["peaks"] if p["process"] == "charge_transfer") for o in js]
    assert ct[0] > ct[1] > ct[2]
    assert "falling" in r.output
    assert (tmp_path / "figs" / "series_drt_map.png").exists()


def test_eis_kk_and_fit(tmp_path):
    f = write_mpt(tmp_path / "a.mpt", [synthetic_spectrum(10, [(20, 3e-6, 0.9), (80, 3e-2, 0.9)], noise=0.005)])
    r = runner.invoke(app, ["eis", "kk", str(f)])
    assert r.exit_code == 0 and "valid" in r.output
    r = runner.invoke(app, ["eis", "fit", str(f), "--json", str(tmp_path / "fit.json")])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "fit.json").read_text())["circuit"].startswith("R0 + (R1‖CPE1)")


def test_bad_file_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("freq/Hz,Re(Z)/Ohm,-Im(Z)/Ohm\n1,2,3\n")
    p = subprocess.run([sys.executable, "-c", "from sizno.cli import main; main()", "drt", str(bad)], capture_output=True, text=True)
    assert p.returncode == 2
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and ">= 10" in lines[0]
