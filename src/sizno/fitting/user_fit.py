"""`sizno fit`'s public names in one place, for importers; the pieces live in :mod:`sizno.fitting.user`
(protocol inference, parameters, residuals, statistics, the fit driver, the parameter file)."""

from sizno.experiments.runner import DEFAULT_MESH_POINTS
from sizno.fitting.user.driver import UserFitResult, fit_user_data
from sizno.fitting.user.output import write_fitted_parameters
from sizno.fitting.user.parameters import free_parameter_names, half_cell_parameter_names, resolve_parameter_names
from sizno.fitting.user.protocol import COUNTERS, FitData, MeasuredStep, parse_cycles, prepare_fit_data
from sizno.fitting.user.residuals import GRID_HI, GRID_LO, TARGETS, UserFitProblem, model_steps, residual_report
from sizno.fitting.user.statistics import central_uncertainty

__all__ = ["COUNTERS", "DEFAULT_MESH_POINTS", "FitData", "GRID_HI", "GRID_LO", "MeasuredStep", "TARGETS", "UserFitProblem",
           "UserFitResult", "central_uncertainty", "fit_user_data", "free_parameter_names", "half_cell_parameter_names",
           "model_steps", "parse_cycles", "prepare_fit_data", "residual_report", "resolve_parameter_names",
           "write_fitted_parameters"]
