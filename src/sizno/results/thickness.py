"""The electrode's physical thickness from the history of its local solid volume.

The model works in the host (pristine) frame; a point of it holds `solid` [-] of solid volume per
pristine volume. Under the cell's lateral constraint the solid's net growth above its pristine
value v0 thickens the electrode, except the share `beta` that fills the pristine voids (at most
1 - v0 of them). On shrinking, the solid contracts isotropically and leaves cavities: the local
stretch follows (solid / solid_max)^(1/3), with solid_max the largest value so far.
"""

from __future__ import annotations

import numpy as np


class ThicknessTracker:
    """Carries each mesh point's largest solid volume across the steps of a run."""

    def __init__(self, widths_m: np.ndarray, solid0: float, beta: float):
        self.widths_m = np.asarray(widths_m, dtype=float)
        self.solid0 = float(solid0)
        self.beta = float(beta)
        self.solid_max = np.full(len(self.widths_m), self.solid0)

    def thickness_um(self, solid: np.ndarray) -> np.ndarray:
        """Thickness [um] at each time of `solid` (shape n_points x n_times), in time order."""
        solid = np.atleast_2d(solid)
        running = np.maximum.accumulate(np.maximum(solid, self.solid_max[:, None]), axis=1)
        self.solid_max = running[:, -1].copy()
        grown = running - self.solid0
        stretch_max = 1 + grown - np.minimum(self.beta * grown, 1 - self.solid0)
        stretch = stretch_max * (solid / running) ** (1 / 3)
        return 1e6 * (self.widths_m[:, None] * stretch).sum(axis=0)
