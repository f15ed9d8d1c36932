"""Round trip simulate → write (BDF CSV/Parquet) → read with sizno.io → metrics = the simulation's own.

Also: the protocol `sizno fit` infers from such a file is the one that made it, and the model
re-run on it with the true parameters leaves (near) zero residuals.
"""


import numpy as np
import pandas as pd
import pytest

from sizno.errors import SiznoInputError
from sizno.experiments import run_half_cell
from sizno.fitting.user_fit import (
    UserFitProblem,
    parse_cycles,
    prepare_fit_data,
    resolve_parameter_names,
)
from sizno.io import read
from sizno.io.metrics import compute_metrics
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
MESH = 12


@pytest.fixture(scope="module")
def truth_pset():
    return load_parameter_set().with_values(TRUTH)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory, truth_pset):
    """Two cycles at 0.5 A/g with a rest between them, on a 1.2 mg electrode."""
    from sizno.experiments.protocols import Block, Protocol, Step

    proto = Protocol(name="two-cycles", blocks=[
        Block(label="c1", steps=[Step(action="lithiate", current_A_per_g=0.5), Step(action="rest", duration_h=0.25),
                                 Step(action="delithiate", current_A_per_g=0.5)]),
        Block(label="c2", steps=[Step(action="lithiate", current_A_per_g=0.5),
                                 Step(action="delithiate", current_A_per_g=0.5)]),
    ])
    res = run_half_cell("si-zno4", proto, pset=truth_pset, mesh_points=MESH, composite_mass_mg=1.2)
    assert res.completed, res.stop_reason
    d = tmp_path_factory.mktemp("sim")
    res.write(d / "sim.csv")
    res.write(d / "sim.parquet")
    return res, d


@pytest.mark.parametrize("name", ["sim.csv", "sim.parquet"])
def test_metrics_equal_the_simulation(simulated, name):
    res, d = simulated
    data = read(d / name)
    assert data.meta["tester"] == "bdf"
    m = compute_metrics(data, mass_mg=1.2)  # per gram of composite, as the simulation reports
    got = m.cycles.set_index("cycle_index")
    own = res.cycles.set_index("cycle_index")
    assert list(got.index) == list(own.index) == [1, 2]
    pairs = {
        "lithiation_capacity_mAh": "lithiation_capacity_mAh",
        "delithiation_capacity_mAh": "delithiation_capacity_mAh",
        "lithiation_capacity_mAh_per_g": "lithiation_capacity_mAh_per_g",
        "delithiation_capacity_mAh_per_g": "delithiation_capacity_mAh_per_g",
        "coulombic_efficiency_percent": "coulombic_efficiency_percent",
        "average_lithiation_voltage_V": "lithiation_mean_voltage_V",
        "average_delithiation_voltage_V": "delithiation_mean_voltage_V",
    }
    for ours, theirs in pairs.items():
        # the simulation's energy is the model's own integral of V I dt; the file's metric integrates the
        # written curve by trapezoids, as a cycler's software does (the last chord, up the steep rise to the
        # cut-off, lies above the curve): within 3 mV, as for the kept curves (tests/experiments/test_engine_output.py)
        tol = {"atol": 3e-3} if "voltage" in ours else {"rtol": 1e-6}
        np.testing.assert_allclose(got[ours].to_numpy(), own[theirs].to_numpy(), err_msg=ours, **tol)
    assert m.summary["ice_percent"] == pytest.approx(own.loc[1, "coulombic_efficiency_percent"], rel=1e-6)


def test_inferred_protocol_is_the_one_that_made_the_file(simulated):
    res, d = simulated
    fd = prepare_fit_data(d / "sim.csv", mass_mg=1.2, cycles="1-2")
    table = fd.protocol.step_table()
    assert [(c, s.action) for c, _, s in table] == [(1, "lithiate"), (1, "rest"), (1, "delithiate"),
                                                     (2, "lithiate"), (2, "delithiate")]
    for _, _, s in table:
        if s.action != "rest":
            assert s.current_A_per_g == pytest.approx(0.5, rel=1e-6)  # same mass, same paper basis → same A/g
        else:
            assert s.duration_h == pytest.approx(0.25, rel=1e-3)
    assert fd.cell_overrides["lower_cutoff_V"] == pytest.approx(0.01, abs=1e-4)
    assert fd.cell_overrides["upper_cutoff_V"] == pytest.approx(2.0, abs=1e-4)
    assert all(s.voltage_terminated for s in fd.steps if s.action != "rest")
    assert fd.cycle_map == {1: 1, 2: 2}
    own = res.cycles.set_index("cycle_index")
    assert fd.capacities_mAh[2]["delithiation"] == pytest.approx(own.loc[2, "delithiation_capacity_mAh"], rel=1e-6)


def test_model_at_the_truth_leaves_no_residual(simulated, truth_pset):
    _, d = simulated
    fd = prepare_fit_data(d / "sim.csv", mass_mg=1.2, cycles=[2])
    prob = UserFitProblem(fd, "si-zno4", ["Trap sites per activated Si [-]"], truth_pset, mesh_points=MESH)
    r = prob.fit_problem().residuals(truth_pset)
    assert r.shape == (len(prob.labels),) and np.isfinite(r).all()
    assert np.max(np.abs(r)) < 0.01  # < 0.01 of the tolerances (10 mV RMS per step, 1 % capacity)
    # cycle 1 is simulated (the model starts pristine) but only cycle 2 is fitted
    assert {s.data_cycle for s in fd.fitted_steps} == {2}
    assert any("pristine" in n for n in fd.notes)


def test_counter_li_in_shifts_the_window(simulated):
    _, d = simulated
    ts = pd.read_csv(d / "sim.csv")
    ts["voltage_volt"] = ts["voltage_vs_li_in_volt"]
    from sizno.io import from_dataframe

    fd = prepare_fit_data(from_dataframe(ts), mass_mg=1.2, counter="li-in")
    assert fd.cell_overrides["lower_cutoff_V"] == pytest.approx(0.01, abs=2e-3)
    assert fd.cell_overrides["upper_cutoff_V"] == pytest.approx(2.0, abs=2e-3)


def test_cycle_spec_and_parameter_names():
    assert parse_cycles("1-3") == [1, 2, 3]
    assert parse_cycles("1,2,5") == [1, 2, 5]
    assert parse_cycles("2, 4-5") == [2, 4, 5]
    assert parse_cycles(None) is None
    for bad in ("3-1", "a", ","):
        with pytest.raises(SiznoInputError, match="--fit-cycles"):
            parse_cycles(bad)
    ps = load_parameter_set()
    freed = resolve_parameter_names(None, ps)
    # a half-cell fit frees only what the half cell's voltage and capacity depend on (read from the model):
    # no cathode parameter, not the pore accommodation (only the electrode thickness reads it)
    assert "NCM811 utilisation [-]" not in freed and "Pore accommodation fraction [-]" not in freed
    assert freed == [n for n in ps.fitted_names() if n not in ("NCM811 utilisation [-]", "Pore accommodation fraction [-]")]
    with pytest.raises(SiznoInputError, match="not a parameter of the half cell"):
        resolve_parameter_names(["NCM811"], ps)
    assert resolve_parameter_names(["trap"], ps) == ["Trap sites per activated Si [-]"]
    assert resolve_parameter_names(["Network ionic conductivity [S.m-1]", "network"], ps) == ["Network ionic conductivity [S.m-1]"]
    with pytest.raises(SiznoInputError, match="ambiguous"):
        resolve_parameter_names(["conductivity"], ps)
    with pytest.raises(SiznoInputError, match="matches none"):
        resolve_parameter_names(["Bruggeman"], ps)  # not a free parameter


def test_bad_input_is_named(simulated):
    _, d = simulated
    with pytest.raises(SiznoInputError, match="--mass-mg"):
        prepare_fit_data(d / "sim.csv", mass_mg=0)
    with pytest.raises(SiznoInputError, match="--fit-cycles"):
        prepare_fit_data(d / "sim.csv", mass_mg=1.2, cycles="7")
    with pytest.raises(SiznoInputError, match="--counter"):
        prepare_fit_data(d / "sim.csv", mass_mg=1.2, counter="graphite")
    with pytest.raises(SiznoInputError, match="--mass-mg"):
        prepare_fit_data(d / "sim.csv", mass_mg=1e-6)  # would be > 100 A/g
