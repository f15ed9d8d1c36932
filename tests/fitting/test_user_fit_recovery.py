"""`sizno fit` recovers known parameters from a synthetic dataset made by the model with 0.5 % noise.

Small and short on purpose (2 cores, < 2 minutes for all user-fit tests): 12 mesh cells, the
first cycle at 0.5 A/g (a higher rate than the paper's 0.1 A/g first cycle).
"""

import json

import numpy as np
import pytest
import tomllib
import typer
from typer.testing import CliRunner

from sizno.errors import SiznoInputError
from sizno.experiments import rate_test, run_half_cell
from sizno.fitting.user_fit import fit_user_data, prepare_fit_data, write_fitted_parameters
from sizno.io import from_dataframe
from sizno.fitting.core import free_parameter_values
from sizno.models.parameters import load_parameter_set

DEV = {
    "LixSi ionic conductivity, lithiated [S.m-1]": 0.01,
    "Network ionic conductivity [S.m-1]": 1.0,
    "Trap sites per activated Si [-]": 0.2,
    "c-Si amorphisation rate constant [s-1]": 1e-4,
}


# a known truth for every free parameter (DEV where given, not only the calibrated set)
TRUTH = free_parameter_values(load_parameter_set(), DEV)
TRAP = "Trap sites per activated Si [-]"
AMORPH = "c-Si amorphisation rate constant [s-1]"
MESH = 12


@pytest.fixture(scope="module")
def truth_pset():
    return load_parameter_set().with_values(TRUTH)


@pytest.fixture(scope="module")
def noisy_first_cycle(truth_pset, tmp_path_factory):
    """First cycle at 0.5 A/g; 0.5 % Gaussian noise on every voltage and current sample; BDF CSV."""
    res = run_half_cell("si-zno4", rate_test([0.5], 1), pset=truth_pset, mesh_points=MESH)
    assert res.completed, res.stop_reason
    ts = res.timeseries.copy()
    rng = np.random.default_rng(20261128)
    ts["voltage_volt"] *= 1 + 0.005 * rng.standard_normal(len(ts))
    ts["current_ampere"] *= 1 + 0.005 * rng.standard_normal(len(ts))
    path = tmp_path_factory.mktemp("noisy") / "noisy.bdf.csv"
    from_dataframe(ts, source="synthetic").to_bdf(path)
    return path


@pytest.mark.slow
def test_two_parameters_recovered(noisy_first_cycle, truth_pset, tmp_path):
    fd = prepare_fit_data(noisy_first_cycle, mass_mg=1.0)
    start = {TRAP: 0.3, AMORPH: 1e-3}  # 50 % and 10x off
    res = fit_user_data(fd, "si-zno4", parameters=["trap", "amorphisation"], pset=truth_pset, start=start,
                        mesh_points=MESH, max_evaluations=25)
    for name in (TRAP, AMORPH):
        got, true = res.values[name], TRUTH[name]
        err = abs(got / true - 1)
        sigma = res.fit.uncertainty_relative[name]
        wide = res.uncertainty_central[name]
        print(f"{name}: fitted {got:.5g}, true {true:.5g}, error {100 * err:.2f} %, "
              f"1-sigma {100 * sigma:.2f} % (Jacobian), {100 * wide:.2f} % (wide-step)")
        assert np.isfinite(sigma) and sigma > 0 and np.isfinite(wide) and wide > 0
        assert err <= max(0.10, 2 * sigma, 2 * wide), (name, got, true, sigma, wide)
    # the residual report: curves within a few mV, capacities within a fraction of a percent
    assert res.report["voltage_rms_mV"] < 5.0
    c1 = res.report["cycles"][0]
    assert abs(c1["lithiation_error_percent"]) < 0.5 and abs(c1["delithiation_error_percent"]) < 0.5
    # the saved set is what `sizno simulate --parameters` reads
    path = write_fitted_parameters(res, tmp_path / "fitted.toml")
    back = load_parameter_set(path)
    assert back.value(TRAP) == pytest.approx(res.values[TRAP])
    assert back.value("Network ionic conductivity [S.m-1]") == pytest.approx(TRUTH["Network ionic conductivity [S.m-1]"])
    doc = tomllib.loads(path.read_text())
    assert doc["fit"]["fitted"] == [TRAP, AMORPH] and set(doc["fit"]["held"]) == set(TRUTH) - {TRAP, AMORPH}


def _app() -> typer.Typer:
    from sizno.commands.fit import register

    app = typer.Typer()

    @app.callback()
    def _root():
        """test root"""

    register(app)
    return app


def test_cli_fit_writes_a_parameter_file_and_json(noisy_first_cycle, tmp_path):
    # start from a TOML carrying the truth except the trap sites (held values come from it too)
    start = tmp_path / "start.toml"
    start.write_text("[values]\n" + "\n".join(f'"{k}" = {v if k != TRAP else 0.35}' for k, v in TRUTH.items()) + "\n")
    out, js = tmp_path / "fit" / "fitted.toml", tmp_path / "fit.json"
    r = CliRunner().invoke(_app(), ["fit", str(noisy_first_cycle), "--material", "si-zno4", "--mass-mg", "1.0",
                                    "--fit-cycles", "1", "--parameters", "trap", "--start", str(start),
                                    "--mesh-points", str(MESH), "--max-evaluations", "4", "--bootstrap", "2",
                                    "--target", "capacities", "--output", str(out), "--json", str(js), "--no-plot"])
    assert r.exit_code == 0, (r.output, r.exception)
    payload = json.loads(js.read_text())
    assert payload["values"][TRAP] == pytest.approx(0.2, rel=0.10)
    assert payload["uncertainty_relative_bootstrap"][TRAP] >= 0
    assert payload["report"]["cycles"][0]["cycle"] == 1
    assert load_parameter_set(out).value(TRAP) == pytest.approx(payload["values"][TRAP])


def test_cli_bad_input(noisy_first_cycle, tmp_path):
    r = CliRunner().invoke(_app(), ["fit", str(noisy_first_cycle), "--mass-mg", "1.0", "--parameters", "Bruggeman",
                                    "--output", str(tmp_path / "x.toml")])
    assert isinstance(r.exception, SiznoInputError) and "--parameters" in str(r.exception)
    r = CliRunner().invoke(_app(), ["fit", str(tmp_path / "missing.csv"), "--mass-mg", "1.0"])
    assert isinstance(r.exception, SiznoInputError) and "no such file" in str(r.exception)
    r = CliRunner().invoke(_app(), ["fit", str(noisy_first_cycle), "--mass-mg", "1.0", "--output", str(tmp_path / "x.json")])
    assert isinstance(r.exception, SiznoInputError) and "--output" in str(r.exception)


def test_mounts_on_the_main_cli():
    from sizno import cli as main_cli
    from sizno.commands.fit import register

    names = {c.name or c.callback.__name__ for c in main_cli.app.registered_commands}
    if "fit" not in names:  # until sizno/cli.py lists sizno.commands.fit in _mount_subapps
        register(main_cli.app)
    r = CliRunner().invoke(main_cli.app, ["fit", "--help"])
    assert r.exit_code == 0 and "--mass-mg" in r.output and "--parameters" in r.output
