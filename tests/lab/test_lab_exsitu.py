"""Virtual ex-situ XRD of Si–ZnO4 fed by the half-cell model: pristine / lithiated / delithiated
(Fig. 3a analogue), phase mass balance and the lithium balance against the model's charge."""

import numpy as np
import pytest

pytest.importorskip("pymatgen")  # the optional extra `structure`

from sizno.errors import SiznoInputError
from sizno.lab.exsitu import model_states, pristine_state, virtual_exsitu_pattern
from sizno.structure.exsitu import MODEL_PHASES, SI_CAPACITY_LI_PER_SI, STATES, phase_state, phases_from_model_state
from sizno.structure.indexing import index_pattern

MESH = 12  # the runner's quick mesh: a first-cycle run takes a few seconds


@pytest.fixture(scope="module")
def run():
    from sizno.experiments.protocols import load_protocol
    from sizno.experiments.runner import run_half_cell

    res = run_half_cell("si-zno4", load_protocol("first-cycle"), mesh_points=MESH)
    assert res.completed, res.stop_reason
    return res


@pytest.fixture(scope="module")
def states(run):
    return {s: phase_state(run, s) for s in STATES}


def _pattern(st):
    return virtual_exsitu_pattern(st.material, st.state, fractions=st.mass_fractions, step_deg=0.0175)


@pytest.mark.parametrize("state", STATES)
def test_fractions_are_mass_fractions_of_model_phases(states, state):
    fr = states[state].mass_fractions
    assert sum(fr.values()) == pytest.approx(1.0, abs=1e-12)
    assert set(fr) <= set(MODEL_PHASES)
    assert all(v > 0 for v in fr.values())


def test_amorphous_phase_is_named_by_the_state(states):
    assert "a-LixSi" in states["lithiated"].mass_fractions and "a-Si" not in states["lithiated"].mass_fractions
    for s in ("pristine", "delithiated", "cycled"):
        assert "a-LixSi" not in states[s].mass_fractions and "a-Si" in states[s].mass_fractions
    # x of the lithiated a-LixSi comes from the model; the delithiated a-Si keeps the trapped Li
    lit, de = states["lithiated"], states["delithiated"]
    m = lit.model_state
    assert lit.x_li_per_si_amorphous == pytest.approx(SI_CAPACITY_LI_PER_SI * (
        m["mobile_lithium_fraction"] + m["trapped_lithium_fraction"] + m["isolated_lithium_fraction"]) / m["amorphous_fraction"])
    assert 2.5 < lit.x_li_per_si_amorphous <= 3.75
    assert 0 < de.x_li_per_si_trapped <= de.x_li_per_si_amorphous < lit.x_li_per_si_amorphous
    assert de.x_li_per_si_trapped / de.x_li_per_si_amorphous > 0.9  # delithiated: the Li left is trapped


def test_pristine_comes_from_the_recipe_and_the_models_initial_state(run, states):
    from sizno.materials import named_material

    comp = named_material("si-zno4")
    pri = pristine_state("si-zno4")  # from the initial conditions, no run
    assert pri.mass_fractions == pytest.approx(states["pristine"].mass_fractions, rel=1e-9)
    g = pri.grams_per_g_composite
    assert g["ZnO"] == pytest.approx(comp.zno_mass_fraction)
    assert g["c-Si"] + g["a-Si"] == pytest.approx(comp.si_mass_fraction, rel=1e-4)  # + a trace of Li
    assert g["a-Si"] < 0.01 * g["c-Si"]  # the model's thin amorphous surface band
    assert set(pristine_state("si").mass_fractions) == {"c-Si", "a-Si"}


def test_si_and_zn_are_conserved_and_mass_grows_by_the_lithium(states):
    from sizno.materials import load_phases

    M = {k: v.molar_mass_g_per_mol for k, v in load_phases().phases.items()}
    M_li = M["LiZn"] - M["Zn"]
    for st in states.values():
        g, li = st.grams_per_g_composite, st.li_mol_per_g_composite
        li_am = li["mobile"] + li["trapped"] + li["isolated"]
        am = g.get("a-LixSi", 0.0) + g.get("a-Si", 0.0)
        n_si = g.get("c-Si", 0.0) / M["Si"] + (am - li_am * M_li) / M["Si"]
        n_zn = sum(g.get(k, 0.0) / M[k] for k in ("ZnO", "Zn", "LiZn"))
        assert n_si == pytest.approx(states["pristine"].grams_per_g_composite["c-Si"] / M["Si"]
                                     + states["pristine"].grams_per_g_composite["a-Si"] / M["Si"], rel=1e-4)
        assert n_zn == pytest.approx(states["pristine"].grams_per_g_composite["ZnO"] / M["ZnO"], rel=1e-7)  # phases < 1e-9 dropped
        assert sum(g.values()) == pytest.approx(1.0 + st.li_total_mol_per_g_composite * M_li, rel=1e-7)


@pytest.mark.parametrize("state,step", [("lithiated", "lithiation"), ("delithiated", "delithiation")])
def test_lithium_in_the_phases_balances_the_models_charge(states, state, step):
    """Li in LixSi/a-Si (mobile + trapped + isolated) + LiZn + 2 x converted ZnO (as Li2O) = Li
    the model stored: charge passed minus the Li that went into the SEI (plus the initial Li)."""
    from sizno.cell import paper_half_cell
    from sizno.experiments.protocols import load_protocol
    from sizno.experiments.runner import build_simulation
    from sizno.materials import named_material
    from sizno.units import FARADAY_C_PER_MOL

    cell = paper_half_cell(named_material("si-zno4"))
    sol = build_simulation(cell, load_protocol("first-cycle"), mesh_points=MESH).solve()
    k = 0 if step == "lithiation" else 1
    end = sol.cycles[0].steps[k]
    start = sol.cycles[0].steps[0]
    q_ah = float(end["Charge passed [A.h]"].entries[-1])
    sei = float(end["Lithium in SEI [mol]"].entries[-1]) - float(start["Lithium in SEI [mol]"].entries[0])
    li0 = float(start["Lithium in electrode [mol]"].entries[0])
    stored = q_ah * 3600 / FARADAY_C_PER_MOL - sei + li0
    phases = states[state].li_total_mol_per_g_composite * cell.composite_mass_g
    assert phases == pytest.approx(stored, rel=1e-3)
    assert sei > 1e-3 * stored  # the SEI is large enough that leaving it in would fail the balance
    # and the model's own count of the electrode's Li agrees
    assert phases == pytest.approx(float(end["Lithium in electrode [mol]"].entries[-1]), rel=1e-3)


def test_lithiated_pattern_has_no_zno_and_shows_the_broad_lixsi_peaks(states, rng, measured):
    st = states["lithiated"]
    assert st.model_state["zno_conversion"] > 0.999  # the model converts the ZnO fully
    p = _pattern(st)
    assert "ZnO" not in p.mass_fractions
    x = p.two_theta_deg
    comp = p.components["a-LixSi"]
    for lo, hi, paper_tt in ((20, 26, 23.1), (38, 44, 41.1)):  # the paper's two broad peaks
        m = (x > lo) & (x < hi)
        assert abs(x[m][np.argmax(comp[m])] - paper_tt) < 0.4
    res = index_pattern(*measured(p, rng))
    assert "ZnO" not in res.present
    assert "Si" in res.present


def test_residual_c_si_of_the_model_is_a_weakened_si_111_peak(states):
    """The model leaves c-Si unlithiated (stress-limited front): Si(111) stays in the lithiated
    pattern, weaker than in the pristine one per unit volume of sample by the c-Si volume left."""
    from sizno.materials import named_material

    pri, lit = states["pristine"], states["lithiated"]
    s = lit.model_state["amorphous_fraction"]
    assert lit.grams_per_g_composite["c-Si"] == pytest.approx((1 - s) * named_material("si-zno4").si_mass_fraction)
    assert 0.0 < 1 - s < 0.9  # the model leaves residual c-Si after the first lithiation
    p0, p1 = _pattern(pri), _pattern(lit)

    def si111_per_volume(p):
        x = p.two_theta_deg
        m = (x > 28.0) & (x < 29.0)
        assert abs(x[m][np.argmax(p.components["c-Si"][m])] - 28.44) < 0.15  # the peak is there
        return p.components["c-Si"][m].max() * p.volume_fractions["c-Si"] / p.scale["c-Si"]

    ratio = si111_per_volume(p1) / si111_per_volume(p0)
    assert ratio < 0.5
    assert ratio == pytest.approx(p1.volume_fractions["c-Si"] / p0.volume_fractions["c-Si"], rel=1e-6)


def test_delithiated_pattern_shows_zn_101_and_no_zno(states, rng, measured):
    st = states["delithiated"]
    # LiZn -> Zn, Li2O stays; ZnO is gone to far below XRD's ~1 wt% (its first-order conversion leaves an
    # exponential tail: ~2e-8 of the mass at mesh 12)
    assert st.mass_fractions.get("ZnO", 0.0) < 1e-6 and st.mass_fractions.get("LiZn", 0.0) < 1e-6
    assert "Li2O" in st.mass_fractions
    p = _pattern(st)
    x, y = p.two_theta_deg, p.intensity
    m = (x > 42) & (x < 44.5)
    assert abs(x[m][np.argmax(y[m])] - 43.2) < 0.1  # Zn (101)
    res = index_pattern(*measured(p, rng))
    assert "Zn" in res.present and "ZnO" not in res.present
    zn = next(ph for ph in res.phases if ph.phase == "Zn")
    assert any(d["hkl"] == "(101)" for d in zn.matched)


def test_pristine_pattern_is_si_and_zno(rng, measured):
    res = index_pattern(*measured(virtual_exsitu_pattern("si-zno4", "pristine", step_deg=0.0175), rng))
    assert res.present[:2] == ["Si", "ZnO"]
    assert not ({"Zn", "LiZn", "Li2O", "Li13Si4", "Li15Si4"} & set(res.present))


def test_later_cycles_come_from_the_model(states):
    two = model_states("si-zno4", ("lithiated", "cycled"), cycles=2, quick=True)
    assert two["cycled"].cycle == 2 and two["lithiated"].cycle == 2
    assert two["cycled"].model_state["amorphous_fraction"] >= states["cycled"].model_state["amorphous_fraction"]
    assert "Zn" in two["cycled"].mass_fractions and "ZnO" not in two["cycled"].mass_fractions


def test_the_model_can_feed_any_fractions():
    fr = {"c-Si": 0.1, "a-Si": 0.2, "a-LixSi": 0.4, "ZnO": 0.05, "Zn": 0.1, "LiZn": 0.1, "Li2O": 0.05}
    p = virtual_exsitu_pattern(fractions=fr)
    assert set(p.components) == set(fr)
    assert p.intensity.max() == pytest.approx(100)


@pytest.mark.parametrize("kw", [dict(state="charged"), dict(material="si-zno5"), dict(cycles=0)])
def test_bad_states(kw):
    args = dict(material="si-zno4", states=("pristine",), cycles=1) | {k: v for k, v in kw.items() if k != "state"}
    if "state" in kw:
        args["states"] = (kw["state"],)
    with pytest.raises(SiznoInputError):
        model_states(**args)


def test_bad_results_and_model_states(run):
    with pytest.raises(SiznoInputError):
        phase_state(run, "lithiated", cycle=3)  # not in this run
    with pytest.raises(SiznoInputError):
        phases_from_model_state("si-zno4", {"amorphous_fraction": 0.5}, "a-Si")
    with pytest.raises(SiznoInputError):
        phases_from_model_state("si-zno4", run.step_state(1, "lithiation"), "LixSi")
