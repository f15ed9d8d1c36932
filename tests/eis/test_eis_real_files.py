"""Real spectra from five instruments (impedance.py's public example data, MIT; tests/data/PROVENANCE.md).
Expected values are parsed here with numpy from the raw files, not read back from sizno."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sizno.eis import DRTSettings, drt
from sizno.eis.ecm import fit_circuit, has_diffusion_tail
from sizno.eis.readers import SweepLimits, read_spectra, read_spectrum

EIS = Path(__file__).parents[1] / "data" / "eis"
IO = Path(__file__).parents[1] / "data"
FILES = ["exampleData.csv", "exampleDataBioLogic.mpt", "exampleDataCHInstruments.txt", "exampleDataGamry.DTA",
         "exampleDataParstat.txt"]


def _raw(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(f [Hz], Z [ohm], physical sign) parsed from the file with numpy, sorted high → low."""
    p = EIS / name
    lines = p.read_bytes().decode("latin-1").splitlines()
    if name == "exampleData.csv":
        a = np.loadtxt(p, delimiter=",")
        f, z = a[:, 0], a[:, 1] + 1j * a[:, 2]
    elif name.endswith(".mpt"):
        n = int(lines[1].split(":")[1])
        a = np.array([[float(x) for x in ln.split("\t")[:3]] for ln in lines[n:] if ln.strip()])
        f, z = a[:, 0], a[:, 1] - 1j * a[:, 2]  # -Im(Z) column
    elif name.endswith(".txt") and "CHI" in name:
        k = next(i for i, ln in enumerate(lines) if ln.startswith("Freq/Hz"))
        a = np.array([[float(x) for x in ln.split(",")[:3]] for ln in lines[k + 1:] if ln.strip()])
        f, z = a[:, 0], a[:, 1] + 1j * a[:, 2]
    elif name.endswith(".DTA"):
        k = next(i for i, ln in enumerate(lines) if ln.startswith("ZCURVE"))
        rows = []
        for ln in lines[k + 3:]:
            parts = ln.split("\t")
            if len(parts) < 6 or not parts[1].strip():
                break
            rows.append([float(parts[3]), float(parts[4]), float(parts[5])])
        a = np.array(rows)
        f, z = a[:, 0], a[:, 1] + 1j * a[:, 2]
    else:  # Parstat: a mixed-technique table; impedance rows have f > 0
        a = np.array([[float(x) for x in ln.split("\t")[3:6]] for ln in lines[1:] if ln.strip()])
        a = a[a[:, 0] > 0]
        f, z = a[:, 0], a[:, 1] + 1j * a[:, 2]
    o = np.argsort(-f)
    return f[o], z[o]


def _crossing(f, z):
    """Re Z where Im Z passes from >= 0 to < 0 in the high-frequency half (last such passage)."""
    k = [i for i in range(z.size // 2) if z.imag[i] >= 0 and z.imag[i + 1] < 0]
    if not k:
        return None
    i = k[-1]
    t = z.imag[i] / (z.imag[i] - z.imag[i + 1])
    return z.real[i] + t * (z.real[i + 1] - z.real[i])


@pytest.mark.parametrize("name", FILES)
def test_each_instrument_reads_as_its_raw_table(name):
    s = read_spectrum(EIS / name)
    f, z = _raw(name)
    assert s.frequency_Hz.size == f.size
    np.testing.assert_allclose(s.frequency_Hz, f, rtol=1e-9)
    np.testing.assert_allclose(s.z_ohm, z, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["exampleData.csv", "exampleDataCHInstruments.txt", "exampleDataParstat.txt", "exampleDataBioLogic.mpt"])
def test_r_inf_with_inductance_not_below_the_real_axis_crossing(name):
    f, z = _raw(name)
    cross = _crossing(f, z)
    assert cross is not None
    s = read_spectrum(EIS / name)
    with_l = drt(s)
    no_l = drt(s, DRTSettings(inductance=False))
    assert with_l.r_inf_ohm >= cross * (1 - 1e-9)
    assert with_l.r_inf_ohm == pytest.approx(no_l.r_inf_ohm, rel=0.05)  # the inductance no longer absorbs R_inf


@pytest.mark.parametrize("name", FILES)
def test_fast_lambda_search_gives_the_scan_peaks_on_real_data(name):
    s = read_spectrum(EIS / name)
    fast = drt(s)
    scan = drt(s, DRTSettings(lambda_search="scan"))
    assert abs(np.log10(fast.lambda_ / scan.lambda_)) < 0.6
    big = [p for p in scan.peaks if p.resistance_ohm > 0.05 * scan.r_pol_ohm]
    for p in big:
        near = min(fast.peaks, key=lambda q: abs(np.log(q.tau_s / p.tau_s)))
        assert abs(np.log(near.tau_s / p.tau_s)) < np.log(1.5)
        assert near.resistance_ohm == pytest.approx(p.resistance_ohm, rel=0.15)


@pytest.mark.parametrize("name", FILES)
def test_circuit_fit_stays_physical(name):
    s = read_spectrum(EIS / name)
    fit = fit_circuit(s)
    f, z = _raw(name)
    w = 2 * np.pi * f
    r0 = fit.parameter("R0_ohm")
    bound = z.real[0] if z.real[0] > 0 and z.imag[0] <= 0 else _crossing(f, z)
    assert 0 < r0.value <= bound * (1 + 1e-9)
    for p in fit.parameters:
        assert np.isfinite(p.value)
        if p.name.startswith("R"):
            assert p.value > 0
        if p.name.startswith("tau"):
            assert 0.1 / w.max() * 0.999 <= p.value <= 10 / w.min() * 1.001  # within a decade of the band
        # never a NaN or a zero standard error: a number > 0, 'held at bound' (None) or not identified (inf)
        if p.identified and p.std is not None:
            assert np.isfinite(p.std) and p.std > 0
        if not p.identified:
            assert p.std == np.inf and p.note
    assert fit.notes[0].startswith("started from the DRT")


def test_gamry_without_a_real_axis_reports_r0_as_not_identified():
    """The Gamry spectrum starts at -Im Z > Re Z (825 Ω) and never reaches the real axis: R0 is not fixed."""
    s = read_spectrum(EIS / "exampleDataGamry.DTA")
    fit = fit_circuit(s)
    r0 = fit.parameter("R0_ohm")
    assert not r0.identified and r0.std == np.inf and "R0" in " ".join(fit.notes)
    assert fit.to_dict()["parameters"][0]["std"] is None and fit.to_dict()["parameters"][0]["identified"] is False


def test_warburg_dropped_and_said_when_the_data_show_no_tail():
    s = read_spectrum(EIS / "exampleDataBioLogic.mpt")
    f, z = _raw("exampleDataBioLogic.mpt")
    low = f <= f[-1] * 10**0.5
    assert np.polyfit(np.log10(f[low]), -z.imag[low], 1)[0] > 0  # -Im Z falls as f falls: the arc closes
    assert not has_diffusion_tail(s)
    fit = fit_circuit(s, diffusion="warburg")
    assert "W" not in fit.circuit.split(" + ")
    assert any("Warburg element dropped" in n for n in fit.notes)
    assert all(np.isfinite(p.std) for p in fit.parameters if p.std is not None and p.identified)


def test_warburg_kept_when_the_data_have_a_tail():
    from sizno.eis.elements import log_frequencies, synthetic_spectrum

    s = synthetic_spectrum(10.0, [(20.0, 3e-6, 0.9), (40.0, 3e-4, 0.85)], frequency_Hz=log_frequencies(1e6, 0.1, 10),
                           noise=0.005, warburg_sigma=30.0)
    assert has_diffusion_tail(s)
    fit = fit_circuit(s, n_arcs=2, diffusion="warburg")
    assert fit.circuit.endswith("+ W") and fit.parameter("sigma_W").identified


def _three_sweeps(tmp_path):
    text = (EIS / "exampleData.csv").read_text()
    p = tmp_path / "three_sweeps.csv"
    p.write_text("freq/Hz,Re(Z)/Ohm,Im(Z)/Ohm\n" + text * 3)
    return p


def _cli(*args):
    return subprocess.run([sys.executable, "-c", "from sizno.cli import main; main()", *map(str, args)],
                          capture_output=True, text=True)


def test_sweeps_option_limits_and_max_spectra_refuses(tmp_path):
    p = _three_sweeps(tmp_path)
    assert len(read_spectra(p)) == 3
    two = read_spectra(p, SweepLimits(sweeps=(2, 3)))
    assert [s.metadata["sweep"] for s in two] == [2, 3]
    r = _cli("drt", p, "--max-spectra", "2", "--no-plot")
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2 and len(lines) == 1 and "--sweeps 1-2" in lines[0] and "--max-spectra 3" in lines[0]
    r = _cli("drt", p, "--sweeps", "1-2", "--no-plot", "--json", tmp_path / "d.json")
    assert r.returncode == 0, r.stderr
    r = _cli("drt", p, "--sweeps", "x", "--no-plot")
    assert r.returncode == 2 and "--sweeps" in r.stderr


def test_eis_fit_on_a_multi_sweep_file_names_the_option(tmp_path):
    p = _three_sweeps(tmp_path)
    r = _cli("eis", "fit", p)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2 and len(lines) == 1 and "--sweep" in lines[0] and "read_spectra" not in lines[0].split("Python")[0]
    r = _cli("eis", "fit", p, "--sweep", "2", "--json", tmp_path / "f.json")
    assert r.returncode == 0, r.stderr


def test_a_huge_sweep_is_thinned_and_said(tmp_path):
    f = np.logspace(6, -1, 5000)
    z = 10 + 50 / (1 + 1j * 2 * np.pi * f * 1e-3)
    p = tmp_path / "big.csv"
    np.savetxt(p, np.c_[f, z.real, z.imag], delimiter=",", header="freq/Hz,Re(Z)/Ohm,Im(Z)/Ohm", comments="")
    s = read_spectra(p, SweepLimits(max_points=500))[0]
    assert s.frequency_Hz.size == 500
    assert any("thinned to 500" in n for n in s.notes)
    assert s.frequency_Hz[0] == pytest.approx(1e6) and s.frequency_Hz[-1] == pytest.approx(0.1)


def test_utf16_spectrum_is_text_not_binary(tmp_path):
    text = (EIS / "exampleDataCHInstruments.txt").read_text(encoding="latin-1")
    p = tmp_path / "chi_utf16.txt"
    p.write_bytes(text.encode("utf-16"))
    s = read_spectrum(p)
    f, z = _raw("exampleDataCHInstruments.txt")
    np.testing.assert_allclose(s.z_ohm, z, rtol=1e-9)


def test_cycling_file_given_to_drt_is_one_line_exit_2():
    r = _cli("drt", IO / "neware_uio.csv", "--no-plot")
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2 and len(lines) == 1
    assert "cycling export" in lines[0] and "sizno analyze" in lines[0] and "Traceback" not in r.stderr
