"""Peak indexing: a synthetic mixture recovers its phases; files and bad input."""

import numpy as np
import pytest

from sizno.errors import SiznoInputError
from sizno.structure.indexing import index_file, index_pattern, read_pattern, snip_background
from sizno.structure.xrd import mixture_pattern


def test_synthetic_mixture_recovers_its_phases(rng, measured):
    p = mixture_pattern({"c-Si": 0.8, "ZnO": 0.12, "Zn": 0.08}, step_deg=70 / 4000)
    x, y = measured(p, rng)
    res = index_pattern(x, y)
    assert set(res.present) == {"Si", "ZnO", "Zn"}
    assert res.present[0] == "Si"
    si = next(m for m in res.phases if m.phase == "Si")
    assert [d["hkl"] for d in si.matched][:3] == ["(111)", "(220)", "(311)"]
    for d in si.matched:
        assert abs(d["delta_deg"]) < 0.05
    # ZnO (101) and Zn (002) lie 0.04° apart: the peak is reported as ambiguous
    assert any({"ZnO (101)", "Zn (002)"} <= set(a["candidates"]) for a in res.ambiguous)
    assert not res.unexplained


def test_phase_restriction_and_tolerance(rng, measured):
    p = mixture_pattern({"c-Si": 1.0}, step_deg=0.02)
    x, y = measured(p, rng)
    res = index_pattern(x + 0.5, y)  # a 0.5° zero shift
    assert "Si" not in res.present
    res = index_pattern(x + 0.5, y, tolerance_deg=0.6, phases=["Si"])
    assert res.present == ["Si"]


def test_background_is_removed_under_the_peaks(rng):
    x = np.linspace(10, 80, 3501)
    bg = 200 * np.exp(-x / 30) + 50
    y = bg + 1000 * np.exp(-0.5 * ((x - 40) / 0.05) ** 2)
    est = snip_background(y, int(3 / 0.02))
    assert np.max(np.abs(est - bg)[(x > 15) & (x < 75)]) < 6
    i40 = np.argmin(abs(x - 40))
    assert abs(est[i40] - bg[i40]) < 6  # the peak (1000 counts) is not in the background


def test_read_two_column_files(tmp_path):
    f = tmp_path / "p.csv"
    x = np.linspace(10, 80, 100)
    f.write_text("two_theta,intensity\n" + "\n".join(f"{a},{b}" for a, b in zip(x, x * 2)) + "\n")
    xs, ys = read_pattern(f)
    assert xs.size == 100 and ys[0] == pytest.approx(20)
    g = tmp_path / "p.xy"
    g.write_text("# comment\n" + "\n".join(f"{a} {b}" for a, b in zip(x[::-1], x[::-1])) + "\n")
    xs, _ = read_pattern(g)
    assert np.all(np.diff(xs) > 0)


@pytest.mark.parametrize(
    "content, problem",
    [
        ("10 1\n20 2\n30 abc\n", "text in a numeric column"),
        ("a,b\n" + "\n".join(str(v) for v in range(10, 50)), "only one column"),
        ("\n".join(f"{v} 1" for v in range(170, 200)), "0 < 2θ <= 180"),
        ("\n".join(f"{v} 1" for v in range(-5, 30)), "0 < 2θ <= 180"),
        ("10 1\n11 2\n", ">= 20 points"),
    ],
)
def test_bad_files(tmp_path, content, problem):
    f = tmp_path / "bad.txt"
    f.write_text(content)
    with pytest.raises(SiznoInputError) as e:
        index_file(f)
    assert problem in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(SiznoInputError):
        read_pattern(tmp_path / "nope.csv")
