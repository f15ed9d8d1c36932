"""DRT of a series of spectra (e.g. GEIS along lithiation): one kernel per frequency grid, the
state × log tau × gamma map of the paper's Fig. 4i/4l, and the evolution of each assigned resistance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Any, Sequence

import numpy as np

from sizno.eis.drt import DRTKernel, DRTResult, DRTSettings, drt
from sizno.eis.spectrum import ImpedanceSpectrum
from sizno.eis.windows import TauWindow, default_windows
from sizno.errors import SiznoInputError


@dataclass(frozen=True)
class DRTSeries:
    results: tuple[DRTResult, ...]
    state: np.ndarray
    state_label: str
    kernels_built: int
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.results)

    def gamma_map(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(tau_s, state, gamma_ohm[n_state, n_tau]). Spectra on other tau grids are interpolated
        (linearly in log tau) onto the first spectrum's grid."""
        tau = self.results[0].tau_s
        rows = []
        for r in self.results:
            if r.tau_s.shape == tau.shape and np.allclose(r.tau_s, tau, rtol=1e-9):
                rows.append(r.gamma_ohm)
            else:
                rows.append(np.interp(np.log(tau), np.log(r.tau_s), r.gamma_ohm, left=0.0, right=0.0))
        return tau, self.state, np.vstack(rows)

    def processes(self) -> list[str]:
        names = [w.process for w in default_windows()]
        for r in self.results:
            for p in r.peaks:
                if p.process not in names:
                    names.append(p.process)
        return names

    def resistance_evolution(self) -> dict[str, np.ndarray]:
        """Resistance [ohm] assigned to each process at each state (0 where no peak was found),
        plus 'r_inf' and 'r_pol'."""
        out: dict[str, np.ndarray] = {}
        for name in self.processes():
            out[name] = np.array([r.resistance_by_process().get(name, 0.0) for r in self.results])
        out["r_inf"] = np.array([r.r_inf_ohm for r in self.results])
        out["r_pol"] = np.array([r.r_pol_ohm for r in self.results])
        return out

    def trends(self, threshold: float = 0.10) -> dict[str, str]:
        """'falling', 'rising' or 'flat' per process: sign of the least-squares slope over the series,
        'flat' when the fitted change end-to-end is below `threshold` of the mean resistance."""
        out = {}
        x = np.arange(len(self.results), dtype=float)
        for name, r in self.resistance_evolution().items():
            if len(r) < 2 or not np.any(r > 0):
                out[name] = "absent"
                continue
            slope = np.polyfit(x, r, 1)[0]
            change = slope * (x[-1] - x[0])
            mean = float(np.mean(r))
            out[name] = "flat" if abs(change) < threshold * mean else ("rising" if change > 0 else "falling")
        return out

    def to_list(self) -> list[dict[str, Any]]:
        out = []
        for st, r in zip(self.state, self.results):
            d = r.to_dict()
            d["state"] = float(st)
            d["state_label"] = self.state_label
            out.append(d)
        return out


def drt_series(
    spectra: Sequence[ImpedanceSpectrum],
    settings: DRTSettings | None = None,
    *,
    state: Sequence[float] | None = None,
    state_label: str = "spectrum index",
    windows: Sequence[TauWindow] | None = None,
    tolerance_decades: float = 0.0,
    progress: Callable[[int], None] | None = None,
) -> DRTSeries:
    """DRT of every spectrum; the kernel is built once per distinct frequency grid and reused.
    `progress(i)` is called after spectrum i (0-based) is done."""
    spectra = list(spectra)
    if not spectra:
        raise SiznoInputError("series", "no spectra", "at least one spectrum")
    settings = (settings or DRTSettings()).checked()
    if state is None:
        st = np.arange(len(spectra), dtype=float)
    else:
        st = np.asarray(state, dtype=float)
        if st.shape != (len(spectra),) or not np.all(np.isfinite(st)):
            raise SiznoInputError("state", f"{st.shape[0] if st.ndim else 0} finite values for {len(spectra)} spectra", "one finite value per spectrum")
    kernels: list[DRTKernel] = []
    results = []
    for s in spectra:
        k = next((k for k in kernels if k.matches(s.frequency_Hz)), None)
        if k is None:
            k = DRTKernel(s.frequency_Hz, settings)
            kernels.append(k)
        results.append(drt(s, settings, kernel=k, windows=windows, tolerance_decades=tolerance_decades))
        if progress is not None:
            progress(len(results) - 1)
    notes = []
    if len(kernels) > 1:
        notes.append(f"{len(kernels)} different frequency grids in the series; the map interpolates onto the first spectrum's tau grid")
    return DRTSeries(tuple(results), st, state_label, len(kernels), tuple(notes))
