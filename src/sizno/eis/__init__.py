"""Impedance: spectra, Kramers–Kronig check, DRT, equivalent circuits, readers, maps.

Any spectrum, measured or simulated, enters as an `ImpedanceSpectrum`:

    from sizno.eis import ImpedanceSpectrum, drt
    spec = ImpedanceSpectrum.from_arrays(frequency_Hz, z_ohm)      # complex ohm, Im < 0 capacitive
    result = drt(spec)                                              # lambda by mGCV, peaks, KK check
    for p in result.peaks: print(p.tau_s, p.resistance_ohm, p.process)
"""

import sys
import types

# names load on first use (PEP 562): `import sizno.eis` (and the CLI's --help) stays light
_WHERE = {
    "DRTKernel": "drt", "DRTPeak": "drt", "DRTResult": "drt", "DRTSettings": "drt", "drt": "drt",
    "KKResult": "kk", "lin_kk": "kk",
    "ImpedanceSpectrum": "spectrum",
    "TauWindow": "windows", "assign_process": "windows", "default_windows": "windows", "load_windows": "windows",
}


class _Package(types.ModuleType):
    """`sizno.eis.drt` stays the function (as when it was imported here eagerly), not the submodule
    that importing `sizno.eis.drt` would otherwise bind in its place."""

    def __setattr__(self, name, value):
        if name == "drt" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name):
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"sizno.eis.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'sizno.eis' has no attribute '{name}'")


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
