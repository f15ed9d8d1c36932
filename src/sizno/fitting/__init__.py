"""One fitting mechanism: `calibrate` (paper calibration records) and, later, `fit` (user data)."""

from sizno.fitting.core import FitProblem, FitResult, fit

__all__ = ["FitProblem", "FitResult", "fit"]
