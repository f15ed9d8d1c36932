"""Impedance: spectra, Kramers–Kronig check, DRT, equivalent circuits, readers, maps.

Any spectrum, measured or simulated, enters as an `ImpedanceSpectrum`:

    from sizno.eis import ImpedanceSpectrum, drt
    spec = ImpedanceSpectrum.from_arrays(frequency_Hz, z_ohm)      # complex ohm, Im < 0 capacitive
    result = drt(spec)                                              # lambda by mGCV, peaks, KK check
    for p in result.peaks: print(p.tau_s, p.resistance_ohm, p.process)
"""

from sizno.eis.drt import DRTKernel, DRTPeak, DRTResult, DRTSettings, drt
from sizno.eis.kk import KKResult, lin_kk
from sizno.eis.spectrum import ImpedanceSpectrum
from sizno.eis.windows import TauWindow, assign_process, default_windows, load_windows

__all__ = [
    "ImpedanceSpectrum",
    "DRTSettings",
    "DRTKernel",
    "DRTResult",
    "DRTPeak",
    "drt",
    "KKResult",
    "lin_kk",
    "TauWindow",
    "assign_process",
    "default_windows",
    "load_windows",
]
