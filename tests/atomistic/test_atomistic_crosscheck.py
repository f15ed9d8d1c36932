"""The DFT cross-check machinery (with a stand-in calculator: no DFT) and the stored cross-check data."""

import pytest
from atomistic_stand_ins import Harmonic, stand_in_neb

from sizno.atomistic import crosscheck, dft


def test_points_start_saddle_end_and_route_sites():
    across = stand_in_neb([0.0, 0.2, 0.5, 0.1, -0.2])
    assert crosscheck.pick_points(across, "across") == [("start", 0), ("saddle", 2), ("end", 4)]
    si = stand_in_neb([0.0, 0.3, 0.1, 0.3, 0.0])  # periodic: the end is the start one cell on
    assert crosscheck.pick_points(si, "si111") == [("start", 0), ("saddle", 1)]
    along = stand_in_neb([0.0, 0.2, 0.4, 0.1, 0.3, 0.2, 0.0])  # a chain: the route passes a site at image 3
    assert crosscheck.pick_points(along, "along") == [("start", 0), ("saddle", 2), ("site 1", 3)]
    assert crosscheck.pick_points(along, "along", "barrier") == [("start", 0), ("saddle", 2)]
    assert [r for r, _ in crosscheck.pick_points(across, "across", "profile")] == ["start", "image 1", "saddle",
                                                                                   "image 3", "end"]
    with pytest.raises(Exception, match="--points"):
        crosscheck.pick_points(across, "across", "all")


def test_run_recomputes_each_point_once_and_resumes(monkeypatch, tmp_path):
    calls = []
    nebs = {"si111": stand_in_neb([0.0, 0.3, 0.1, 0.3, 0.0]), "along": None, "across": stand_in_neb([0.0, 0.2, 0.5, 0.1, -0.2])}
    monkeypatch.setattr(dft, "make_calculator", lambda settings, on_scf=None: Harmonic(calls))
    res = crosscheck.run(nebs, {"preset": "test"}, work=tmp_path, paths=("si111", "across"))
    # si111 start and across start are the same geometry here: computed once (5 points, 4 structures)
    assert len(calls) == 4
    a = res["paths"]["across"]
    # stand-in energy: Li moved 0.3 A per image -> (0.3 k)^2
    assert a["barrier_dft_eV"] == pytest.approx((0.3 * 4) ** 2)
    assert a["saddle_dft_eV"] == pytest.approx((0.3 * 2) ** 2) and a["saddle_chgnet_eV"] == 0.5
    assert a["site_energy_dft_eV"] == pytest.approx(1.44) and a["site_energy_chgnet_eV"] == -0.2
    assert a["barrier_difference_eV"] == pytest.approx(a["barrier_dft_eV"] - 0.5)
    assert res["dft"]["preset"] == "test" and len(res["structures"]) == 5
    crosscheck.run(nebs, {"preset": "test"}, work=tmp_path, paths=("si111", "across"))
    assert len(calls) == 4  # resumed: nothing recomputed
    crosscheck.run(nebs, {"preset": "test", "kpts": "2x2x1"}, work=tmp_path, paths=("si111",))
    assert len(calls) == 6  # other settings: computed again


def test_ranking_and_note():
    assert crosscheck.ranking({"si111": 1.0, "along": 0.5, "across": 1.1}) == ["along", "si111", "across"]
    assert crosscheck.paper_ranking() == ["along", "si111", "across"]
    stored = {"dft_label": "GPAW x", "provenance": {"date": "2026-11-30T05:00:00"},
              "paths": {"across": {"n_atoms": 54, "barrier_dft_eV": 0.9, "barrier_chgnet_eV": 0.1,
                                   "site_energy_dft_eV": 0.3, "site_energy_chgnet_eV": -0.24}}}
    t = crosscheck.note("across", stored, 0.1)
    assert "0.900 eV" in t and "0.100 eV" in t and "+0.300 eV (DFT)" in t and "NOTE" not in t
    assert "NOTE" in crosscheck.note("across", stored, 0.3)
    assert crosscheck.note("si111", stored) == ""


_stored = crosscheck.load_stored()


@pytest.mark.skipif(_stored is None, reason="no DFT cross-check stored in the package data yet")
def test_stored_crosscheck_is_complete_and_consistent():
    d = _stored
    for k in ("mode", "xc", "kpts", "smearing", "convergence", "code", "setups"):
        assert k in d["dft"], k
    assert d["dft"]["xc"] == "PBE"
    assert d["provenance"]["date"] and "cpu_s" in d["provenance"]["machine_note"]
    assert d["chgnet"]["calculator"].startswith("CHGNet")
    structures = crosscheck.load_stored_structures()
    by = {(s.info["path"], s.info["image"]): s for s in structures}
    for path, p in d["paths"].items():
        assert path in crosscheck.PATHS
        roles = [r["role"] for r in p["points"]]
        assert roles[0] == "start" and "saddle" in roles
        rel = [r["E_dft_rel_eV"] for r in p["points"]]
        assert rel[0] == 0.0 and p["barrier_dft_eV"] == pytest.approx(max(rel))
        assert p["barrier_difference_eV"] == pytest.approx(p["barrier_dft_eV"] - p["barrier_chgnet_eV"])
        for r in p["points"]:
            s = by[(path, r["image"])]
            assert len(s) == r["n_atoms"] == p["n_atoms"]
            assert s.info["E_dft_eV"] == pytest.approx(r["E_dft_eV"])
            assert r["wall_s"] > 0 and r["cpu_s"] > 0
    assert d["ranking_dft"] == crosscheck.ranking({k: v["barrier_dft_eV"] for k, v in d["paths"].items()})
    assert d["ranking_paper"] == ["along", "si111", "across"]


def test_screen_row_carries_the_dft_check(monkeypatch):
    from sizno.lab import screen

    stored = {"dft_label": "GPAW x", "provenance": {"date": "2026-11-30T05:00:00"},
              "chgnet": {"calculator": "CHGNet 0.3.0"},
              "paths": {"along": {"barrier_dft_eV": 0.6, "barrier_chgnet_eV": 0.44}}}
    monkeypatch.setattr(crosscheck, "load_stored", lambda: stored)
    d = screen.dft_check("ZnO", "chgnet")["dft_check"]
    assert d["barrier_along_dft_eV"] == 0.6 and d["barrier_along_chgnet_eV"] == 0.44
    assert "barrier_across_dft_eV" not in d and "note" not in d
    assert "sevennet" in screen.dft_check("ZnO", "sevennet")["dft_check"]["note"]
    assert screen.dft_check("MgO", "chgnet") == {"dft_check": None}
