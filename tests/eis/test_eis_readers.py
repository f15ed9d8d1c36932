import numpy as np
import pytest

from eis_formats import write_chi, write_csv, write_dta, write_mpt
from sizno.eis.elements import synthetic_spectrum
from sizno.eis.readers import read_folder, read_spectra, read_spectrum
from sizno.errors import SiznoInputError


@pytest.fixture(scope="module")
def spec():
    return synthetic_spectrum(10, noise=0.01)


def _close(a, b, rtol=1e-6):
    np.testing.assert_allclose(a.frequency_Hz, b.frequency_Hz, rtol=rtol)
    np.testing.assert_allclose(a.z_ohm, b.z_ohm, rtol=rtol, atol=rtol * np.abs(b.z_ohm).max())


def test_csv_minus_im_header(tmp_path, spec):
    s = read_spectrum(write_csv(tmp_path / "a.csv", spec))
    _close(s, spec)
    assert s.metadata["imag_convention_in"] == "-Z"


def test_csv_units_sign_and_order_detected(tmp_path, spec):
    p = write_csv(tmp_path / "b.csv", spec, header="Frequency (kHz);Z' (kOhm);Z'' (Ohm)", neg_imag=False, delim=";", ascending=True, scale_re=1e3)
    p.write_text(p.read_text().replace(";", "\t").replace("kHz", "Hz"))  # tab-separated, Hz
    s = read_spectrum(p)
    _close(s, spec)
    notes = " ".join(s.notes)
    assert "mixed units" in notes and "ascending" in notes and "Im Z" in notes


def test_headerless_three_columns_sign_detected(tmp_path, spec):
    s = read_spectrum(write_csv(tmp_path / "c.txt", spec, header=None, neg_imag=True, delim=" "))
    _close(s, spec)
    assert any("no header" in n for n in s.notes) and s.metadata["imag_convention_in"] == "-Z"


def test_chi_text_export(tmp_path, spec):
    s = read_spectrum(write_chi(tmp_path / "chi.txt", spec))
    _close(s, spec, rtol=2e-3)
    assert s.metadata["instrument_model"] == "CHI760E"


def test_biologic_mpt_two_sweeps_decimal_comma(tmp_path, spec):
    spec2 = synthetic_spectrum(12, noise=0.01, seed=5)
    out = read_spectra(write_mpt(tmp_path / "geis.mpt", [spec, spec2], decimal_comma=True))
    assert len(out) == 2
    _close(out[0], spec, rtol=1e-5)
    _close(out[1], spec2, rtol=1e-5)


def test_gamry_dta(tmp_path, spec):
    s = read_spectrum(write_dta(tmp_path / "EIS.DTA", spec))
    _close(s, spec, rtol=1e-5)
    assert s.metadata["format"] == "Gamry .DTA"


def test_folder_is_a_series_in_natural_order(tmp_path):
    for i in (1, 2, 10):
        write_csv(tmp_path / f"state_{i}.csv", synthetic_spectrum(float(i), noise=0.0))
    (tmp_path / "readme.md").write_text("not a spectrum")
    series = read_folder(tmp_path)
    assert [s.name for s in series] == ["state_1", "state_2", "state_10"]
    assert read_spectra(tmp_path)[2].z_real_ohm[0] > 10


@pytest.mark.parametrize(
    "text, match",
    [
        ("freq/Hz,Re(Z)/Ohm.cm2,-Im(Z)/Ohm.cm2\n" + "\n".join(f"{10**k},1,{k}" for k in range(12)), "area-normalised"),
        ("freq/Hz,Re(Z)/V,-Im(Z)/V\n" + "\n".join(f"{10**k},1,{k}" for k in range(12)), "unknown impedance unit"),
        ("time/s,E/V,I/A\n1,2,3\n", "no frequency column"),
        ("freq/Hz,Re(Z)/Ohm,-Im(Z)/Ohm\n1e3,abc,2\n", "non-numeric"),
        ("freq/Hz,Re(Z)/Ohm,-Im(Z)/Ohm\n" + "\n".join(f"{10**k},1,{k}" for k in range(5)), ">= 10"),
        ("1,2,3,4\n5,6,7,8\n", "no header and 4 columns"),
    ],
)
def test_bad_files_rejected_clearly(tmp_path, text, match):
    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(SiznoInputError, match=match):
        read_spectra(p)


def test_binary_and_missing_files(tmp_path):
    b = tmp_path / "x.csv"
    b.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(SiznoInputError, match="binary"):
        read_spectra(b)
    with pytest.raises(SiznoInputError, match="not found"):
        read_spectra(tmp_path / "nope.csv")
    with pytest.raises(SiznoInputError, match="no spectrum files"):
        read_folder(tmp_path / "empty" if (tmp_path / "empty").mkdir() is None else tmp_path)
