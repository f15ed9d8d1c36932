import pytest

from sizno.cell import paper_half_cell
from sizno.errors import SiznoInputError
from sizno.experiments import load_protocol
from sizno.experiments.protocols import Step, pybamm_experiment, step_duration_cap_h
from sizno.materials import named_material


def test_builtin_rate_test_is_the_papers_sequence():
    p = load_protocol("rate-test")
    rates = [b.steps[0].current_A_per_g for b in p.blocks]
    assert rates == [0.1, 0.2, 0.5, 0.8, 1.0, 2.0, 4.0, 5.0, 0.1]
    assert all(b.repeat == 3 for b in p.blocks)
    assert p.n_steps == 9 * 3 * 2


def test_experiment_currents_follow_the_paper_basis():
    cell = paper_half_cell(named_material("si-zno4"))
    exp = pybamm_experiment(load_protocol("first-cycle"), cell)
    lith, delith = exp.steps[0], exp.steps[1]
    assert lith.value == pytest.approx(0.1 * 0.8 * 1e-3)
    assert delith.value == pytest.approx(-0.1 * 0.8 * 1e-3)
    assert step_duration_cap_h(cell, Step(action="lithiate", current_A_per_g=0.1)) > 3359 / 80  # longer than a full theoretical lithiation


def test_protocol_from_toml(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text('name = "mine"\n[[blocks]]\nrepeat = 2\nsteps = [{action = "lithiate", current_A_per_g = 0.5},'
                 ' {action = "rest", duration_h = 0.5}, {action = "delithiate", current_A_per_g = 0.5}]\n')
    p = load_protocol(str(f))
    assert p.n_steps == 6


@pytest.mark.parametrize("text,field", [
    ('name = "x"\n[[blocks]]\nsteps = [{action = "fly", current_A_per_g = 1}]\n', "action"),
    ('name = "x"\n[[blocks]]\nsteps = [{action = "lithiate", current_A_per_g = -1}]\n', "current_A_per_g"),
    ('name = "x"\n[[blocks\n', "malformed TOML"),
])
def test_bad_protocols_are_one_line_errors(tmp_path, text, field):
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(SiznoInputError) as e:
        load_protocol(str(f))
    assert field in str(e.value) and "\n" not in str(e.value)


def test_unknown_protocol_name():
    with pytest.raises(SiznoInputError, match="first-cycle"):
        load_protocol("gitt")


def test_inverted_window_is_rejected():
    with pytest.raises(SiznoInputError, match="lower"):
        paper_half_cell(named_material("si"), lower_cutoff_V=2.0, upper_cutoff_V=0.5)
