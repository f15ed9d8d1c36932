"""A simulated spectrum and the linearised model's state behind it (`sizno.lab.impedance` makes them),
and the frequencies a model spectrum is computed at by default."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sizno.eis.spectrum import ImpedanceSpectrum
from sizno.errors import SiznoInputError

# the most a CHI760E sweeps (upper limit 1 MHz, CH Instruments model 700E series specification);
# the paper states no band: 0.1 Hz is the usual low end of in-situ GEIS sweeps
MEASURED_BAND_HZ = (1.0e6, 0.1)


@dataclass(frozen=True)
class OperatingPoint:
    """The linearised model at one state: y' = J dy + B dI, dV = C dy + D dI (Z = -dV/dI)."""

    y: np.ndarray
    current_A: float
    J: np.ndarray
    B: np.ndarray
    C_interface: np.ndarray  # d(U0 - eta_int)/dy
    C_rest: np.ndarray  # dV/dy - C_interface
    D: float  # dV/dI (negative)
    resistances_ohm: dict[str, float]
    voltage_V: float
    sei_thickness_nm: float
    state: dict[str, float] = field(default_factory=dict)
    active_area_fraction: float = 1.0  # share of the working interface that takes part in charge transfer

    @property
    def ohmic_resistance_ohm(self) -> float:
        """Pellet + electrode ohmic resistance: the high-frequency intercept below the pellet's own relaxation."""
        return self.resistances_ohm["pellet"] + self.resistances_ohm["electrode_ohmic"]


@dataclass(frozen=True)
class ModelSpectrum:
    """A simulated spectrum and its parts (each complex ohm, same frequencies)."""

    frequency_Hz: np.ndarray
    z_ohm: np.ndarray
    parts_ohm: dict[str, np.ndarray]
    point: OperatingPoint
    capacitance_F: dict[str, float]
    metadata: dict[str, Any] = field(default_factory=dict)

    def spectrum(self, name: str = "model"):
        meta = {"name": name, "source": "sizno model (linearised half cell + parallel capacitances)",
                **{k: v for k, v in self.metadata.items() if isinstance(v, (str, int, float))}}
        return ImpedanceSpectrum.from_arrays(self.frequency_Hz, self.z_ohm, metadata=meta, source=name)

    def time_constants_s(self) -> dict[str, float]:
        """R C of each added parallel capacitance (the arc positions the capacitances set)."""
        r = self.point.resistances_ohm
        c = self.capacitance_F
        return {
            "pellet_bulk": r["pellet_bulk"] * c["pellet_geometric"],
            "pellet_grain_boundary": r["pellet_grain_boundary"] * c["grain_boundary"],
            "sei": r["sei"] * c["sei"],
            "charge_transfer": r["charge_transfer"] * c["double_layer"],
            "counter_electrode": r["counter_electrode"] * c["counter_double_layer"],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "frequency_Hz": self.frequency_Hz.tolist(),
            "z_real_ohm": self.z_ohm.real.tolist(),
            "z_imag_ohm": self.z_ohm.imag.tolist(),
            "current_A": self.point.current_A,
            "voltage_V": self.point.voltage_V,
            "resistances_ohm": dict(self.point.resistances_ohm),
            "capacitance_F": dict(self.capacitance_F),
            "time_constants_s": self.time_constants_s(),
            "state": dict(self.point.state),
            **self.metadata,
        }


def default_frequencies_Hz(f_max_Hz: float = MEASURED_BAND_HZ[0], f_min_Hz: float = MEASURED_BAND_HZ[1],
                          points_per_decade: int = 10) -> np.ndarray:
    """Log-spaced, high to low (the paper's CHI760E sweeps from high frequency); default: the measured band."""
    if not (f_max_Hz > f_min_Hz > 0) or points_per_decade < 1:
        raise SiznoInputError("frequency range", f"{f_min_Hz}–{f_max_Hz} Hz, {points_per_decade}/decade", "0 < f_min < f_max, >= 1 point/decade")
    n = int(round(np.log10(f_max_Hz / f_min_Hz) * points_per_decade)) + 1
    return np.logspace(np.log10(f_max_Hz), np.log10(f_min_Hz), n)
