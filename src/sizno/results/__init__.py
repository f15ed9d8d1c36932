"""Results shared by simulate, analyze and sweep: one time-series + per-cycle type."""

from sizno.results.run import RunResult

__all__ = ["RunResult"]
