"""Crystal structures: atom counts, bond lengths, densities, agreement with pymatgen's builder."""

import pytest

from sizno.structure.structures import (
    crystal_structure,
    phase_keys,
    shortest_distance_A,
    structure_from_spacegroup,
    structure_records,
)

# atoms per conventional cell and the shortest interatomic distance [Å] expected from the
# structure type (Si–Si 2.352 = a√3/4; Zn–O 1.98 in wurtzite; Zn–Zn in-plane = a; Li–Zn = a√3/4;
# Li–O = a√3/4; Li–Si ≈ 2.6 in Li15Si4; Si–Si dumbbells ≈ 2.4 in Li13Si4)
EXPECTED = {
    "Si": (8, 2.352),
    "ZnO": (4, 1.975),
    "Zn": (2, 2.665),
    "LiZn": (16, 2.689),
    "Li2O": (12, 1.996),
    "Li15Si4": (76, 2.63),
    "Li13Si4": (34, 2.41),
}


def test_every_required_phase_is_there():
    assert set(EXPECTED) <= set(phase_keys())


@pytest.mark.parametrize("phase", list(EXPECTED))
def test_atom_count_and_shortest_distance(phase):
    st = crystal_structure(phase)
    n, d = EXPECTED[phase]
    assert len(st) == n
    # the origin-choice pitfall (Si at 1/8,1/8,1/8 in origin choice 1) gives 16 atoms and 1.92 Å
    assert shortest_distance_A(st) == pytest.approx(d, abs=0.02)
    assert shortest_distance_A(st) > 1.9


@pytest.mark.parametrize("phase", list(EXPECTED))
def test_same_structure_as_pymatgen_from_spacegroup(phase):
    from pymatgen.analysis.structure_matcher import StructureMatcher

    sm = StructureMatcher(ltol=1e-3, stol=1e-3, angle_tol=0.1, primitive_cell=False, scale=False)
    a, b = crystal_structure(phase), structure_from_spacegroup(phase)
    assert len(a) == len(b)
    assert sm.fit(a, b)


@pytest.mark.parametrize("phase", list(EXPECTED))
def test_density_matches_the_phase_library(phase):
    """The crystallographic density agrees with data/materials.toml (same lattice sources)."""
    from sizno.materials import load_phases

    lib = load_phases().phases[phase]
    assert crystal_structure(phase).density == pytest.approx(lib.density_g_per_cm3, rel=0.02)
    assert crystal_structure(phase).composition.reduced_formula == lib.formula


def test_every_structure_cites_a_source():
    for rec in structure_records().values():
        assert len(rec.source) > 20 and any(ch.isdigit() for ch in rec.source)


def test_wrong_origin_choice_is_caught(monkeypatch):
    """Si on (1/8,1/8,1/8) in the origin-choice-1 setting doubles the atoms: the builder refuses."""
    from sizno.structure import structures as S

    rec = S.structure_records()["Si"]
    bad = S.StructureRecord(**{**rec.__dict__, "sites": ({"species": "Si", "wyckoff": "8a", "frac": [0.125, 0.125, 0.125]},)})
    monkeypatch.setitem(S.structure_records(), "Si", bad)
    S._build.cache_clear()
    try:
        with pytest.raises(ValueError, match="16 atoms"):
            S._build("Si")
    finally:
        monkeypatch.undo()
        S._build.cache_clear()


def test_unknown_phase_is_an_input_error():
    from sizno.errors import SiznoInputError

    with pytest.raises(SiznoInputError):
        crystal_structure("Unobtainium")
