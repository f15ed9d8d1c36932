"""Writers of instrument-style text exports for reader tests (layouts follow each vendor's documented export)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sizno.eis.spectrum import ImpedanceSpectrum


def write_csv(path: Path, s: ImpedanceSpectrum, *, header: str | None = "freq/Hz,Re(Z)/Ohm,-Im(Z)/Ohm", neg_imag: bool = True, delim: str = ",", ascending: bool = False, scale_re: float = 1.0, scale_im: float = 1.0) -> Path:
    f, zr, zi = s.frequency_Hz, s.z_real_ohm / scale_re, s.z_imag_ohm / scale_im
    if neg_imag:
        zi = -zi
    idx = np.arange(s.n)[::-1] if ascending else np.arange(s.n)
    lines = [header] if header else []
    lines += [delim.join(f"{v:.8g}" for v in (f[i], zr[i], zi[i])) for i in idx]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_chi(path: Path, s: ImpedanceSpectrum) -> Path:
    head = [
        "Mar. 4, 2025   14:02:11",
        "A.C. Impedance",
        r"File: C:\data\sizno_test.bin",
        "Data Source: Experimental",
        "Instrument Model:  CHI760E",
        "Header:",
        "Note:",
        "",
        "Init E (V) = 0",
        f"High Frequency (Hz) = {s.frequency_Hz.max():g}",
        f"Low Frequency (Hz) = {s.frequency_Hz.min():g}",
        "Amplitude (V) = 0.005",
        "Quiet Time (sec) = 2",
        "",
        'Freq/Hz, Z\'/ohm, Z"/ohm, Z/ohm, Phase/deg',
        "",
    ]
    rows = [f"{f:.3e}, {z.real:.3e}, {z.imag:.3e}, {abs(z):.3e}, {np.degrees(np.angle(z)):.2f}" for f, z in zip(s.frequency_Hz, s.z_ohm)]
    path.write_text("\n".join(head + rows) + "\n", encoding="utf-8")
    return path


def write_mpt(path: Path, spectra: list[ImpedanceSpectrum], decimal_comma: bool = False) -> Path:
    cols = ["freq/Hz", "Re(Z)/Ohm", "-Im(Z)/Ohm", "|Z|/Ohm", "Phase(Z)/deg", "time/s", "<Ewe>/V", "<I>/mA", "cycle number"]
    head = ["EC-Lab ASCII FILE", "Nb header lines : 6", "", "Potentio Electrochemical Impedance Spectroscopy", "Device : SP-300", "\t".join(cols)]
    rows = []
    t = 0.0
    for k, s in enumerate(spectra):
        for f, z in zip(s.frequency_Hz, s.z_ohm):
            t += 1.0 / f + 0.5
            vals = [f, z.real, -z.imag, abs(z), np.degrees(np.angle(z)), t, 0.3, 0.0, k + 1]
            txt = "\t".join(f"{v:.6E}" for v in vals)
            rows.append(txt.replace(".", ",") if decimal_comma else txt)
    path.write_bytes(("\n".join(head + rows) + "\n").encode("cp1252"))
    return path


def write_dta(path: Path, s: ImpedanceSpectrum) -> Path:
    head = [
        "EXPLAIN",
        "TAG\tEISPOT",
        "TITLE\tLABEL\tPotentiostatic EIS\tTest &Identifier",
        "DATE\tLABEL\t3/4/2025\tDate",
        "FREQINIT\tQUANT\t1.00000E+006\tInitial Freq. (Hz)",
        "ZCURVE\tTABLE",
        "\tPt\tTime\tFreq\tZreal\tZimag\tZsig\tZmod\tZphz\tIdc\tVdc\tIERange",
        "\t#\ts\tHz\tohm\tohm\tV\tohm\t°\tA\tV\t#",
    ]
    rows = []
    for i, (f, z) in enumerate(zip(s.frequency_Hz, s.z_ohm)):
        rows.append("\t" + "\t".join([str(i), f"{i * 2.0:g}", f"{f:.6E}", f"{z.real:.6E}", f"{z.imag:.6E}", "1", f"{abs(z):.6E}", f"{np.degrees(np.angle(z)):.4f}", "1E-9", "0.1", "7"]))
    path.write_bytes(("\r\n".join(head + rows) + "\r\n").encode("cp1252"))
    return path
