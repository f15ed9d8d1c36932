"""DFT training data (with a stand-in calculator: no DFT): the frame plan, the resumable run, the data files."""

import numpy as np
import pytest
from atomistic_stand_ins import Harmonic, reference_positions, stand_in_neb

from sizno.atomistic import crosscheck, dft, dft_data


def _nebs():
    return {"si111": stand_in_neb([0.0, 0.3, 0.1, 0.3, 0.0]), "along": stand_in_neb([0.0, 0.4, 0.2, 0.0], n_atoms=4),
            "across": stand_in_neb([0.0, 0.5, -0.2], n_atoms=4, shift=0.25), "calculator": "stand-in", "settings": {}}


def test_plan_puts_the_barrier_points_first_and_every_image_once():
    nebs = _nebs()
    frames = dft_data.unique(nebs, dft_data.plan(nebs, rattle_copies=1), 0.05, 0)
    assert frames[:6] == [dft_data.Frame(p, i) for p, i in
                          (("si111", 0), ("si111", 1), ("along", 0), ("along", 1), ("across", 1), ("across", 2))]
    # the across start is the along start (same geometry): kept once
    assert dft_data.Frame("across", 0) not in frames
    # every distinct image once (si111 4: periodic end left out; along 3; across 2 more) + one rattled copy each
    assert len([f for f in frames if f.rattle == 0]) == 4 + 3 + 2
    assert len([f for f in frames if f.rattle == 1]) == 4 + 3 + 3
    assert len(set(frames)) == len(frames)


def test_rattled_copies_are_seeded_and_of_the_stated_size():
    nebs = _nebs()
    f = dft_data.Frame("along", 1, 2)
    a = dft_data.frame_atoms(nebs, f, 0.05, 7)
    b = dft_data.frame_atoms(nebs, f, 0.05, 7)
    c = dft_data.frame_atoms(nebs, f, 0.05, 8)
    assert np.array_equal(a.positions, b.positions) and not np.allclose(a.positions, c.positions)
    d = a.positions - nebs["along"].images[1].positions
    assert 0.0 < np.abs(d).max() < 0.3
    assert np.array_equal(dft_data.frame_atoms(nebs, dft_data.Frame("along", 1), 0.05, 7).positions,
                          nebs["along"].images[1].positions)


def test_run_writes_energies_and_forces_that_read_back_and_resumes(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(dft, "make_calculator", lambda settings, on_scf=None: Harmonic(calls))
    nebs = _nebs()
    j, x = dft_data.run(nebs, {"preset": "test"}, tmp_path / "out", work=tmp_path / "w", rattle_copies=1, seed=3)
    n = len(calls)
    meta, frames = dft_data.load(tmp_path / "out")
    assert meta["n_frames"] == len(frames) == n and meta["frames"]["rattle_A"] == 0.05 and meta["frames"]["seed"] == 3
    assert meta["dft"]["preset"] == "test" and meta["provenance"]["date"]
    for s, row in zip(frames, meta["rows"]):
        d = s.positions - reference_positions(len(s))
        assert s.get_potential_energy() == pytest.approx((d**2).sum()) == pytest.approx(row["E_dft_eV"])
        assert np.allclose(s.get_forces(), -2 * d, atol=1e-5)
        assert s.info["group"] == f"{s.info['path']}:{s.info['image']}" and row["cpu_s"] >= 0
    dft_data.run(nebs, {"preset": "test"}, tmp_path / "out2", work=tmp_path / "w", rattle_copies=1, seed=3)
    assert len(calls) == n  # resumed: nothing recomputed
    dft_data.run(nebs, {"preset": "test"}, tmp_path / "out3", work=tmp_path / "w", rattle_copies=1, seed=3, max_points=2)
    assert dft_data.load(tmp_path / "out3")[0]["n_frames"] == 2


def test_energy_only_points_are_recomputed_for_forces(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(dft, "make_calculator", lambda settings, on_scf=None: Harmonic(calls))
    nebs = _nebs()
    crosscheck.run(nebs, {"preset": "test"}, work=tmp_path, paths=("si111",), points="barrier")
    assert len(calls) == 2
    dft_data.run(nebs, {"preset": "test"}, tmp_path / "out", work=tmp_path, paths=("si111",), rattle_copies=0)
    assert len(calls) == 2 + 4  # the two energy-only points again (now with forces) and two more images
    crosscheck.run(nebs, {"preset": "test"}, work=tmp_path, paths=("si111",), points="barrier")
    assert len(calls) == 6  # a point with forces serves the energy-only check


def test_bad_rattle_names_the_option(tmp_path):
    with pytest.raises(Exception, match="--rattle-A"):
        dft_data.run(_nebs(), {"preset": "test"}, tmp_path, work=tmp_path, rattle_A=1.0)


def _shipped():
    try:
        return dft_data.load()
    except (FileNotFoundError, OSError):
        return None


_data = _shipped()


@pytest.mark.skipif(_data is None, reason="no DFT training data shipped in the package data yet")
def test_shipped_training_data_has_forces_and_the_crosschecks_settings():
    meta, frames = _data
    assert meta["n_frames"] == len(frames) == len(meta["rows"]) > 0
    stored = crosscheck.load_stored()
    if stored is not None:
        assert meta["dft"] == stored["dft"]  # the same DFT settings as the stored cross-check
    for s, row in zip(frames, meta["rows"]):
        assert s.get_potential_energy() == pytest.approx(row["E_dft_eV"])
        assert s.get_forces().shape == (len(s), 3) and np.all(np.isfinite(s.get_forces()))
        assert row["cpu_s"] > 0 and s.info["path"] in dft_data.PATHS
    assert meta["frames"]["rattle_A"] > 0 and "seed" in meta["frames"]
