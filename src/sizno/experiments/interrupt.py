"""Ctrl-C during a simulation: the step in flight finishes, the run stops there and keeps what finished.

Inside :func:`stop_on_interrupt` the first SIGINT only sets a flag; the solver wrapped by
:func:`watch_solver` refuses its next step (PyBaMM then ends the experiment with the steps done so
far, as after a solver failure), and the runner returns a stopped result with the reason
"interrupted" inside :class:`sizno.errors.RunInterrupted`. A second SIGINT interrupts at once.
Outside the context (or off the main thread) SIGINT behaves as Python's default.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

INTERRUPTED = "interrupted"

_state = {"requested": False, "depth": 0}


def requested() -> bool:
    """Whether Ctrl-C was pressed inside the current :func:`stop_on_interrupt`."""
    return _state["requested"]


def _handler(signum, frame) -> None:
    if _state["requested"]:
        raise KeyboardInterrupt
    _state["requested"] = True


@contextmanager
def stop_on_interrupt() -> Iterator[None]:
    """Within: the first SIGINT is a request to stop after the step in flight (see :func:`requested`)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    outer = _state["depth"] == 0
    if outer:
        _state["requested"] = False
        previous = signal.signal(signal.SIGINT, _handler)
    _state["depth"] += 1
    try:
        yield
    finally:
        _state["depth"] -= 1
        if outer:
            signal.signal(signal.SIGINT, previous)
            if "pybamm_level" in _state:
                import pybamm

                pybamm.logger.setLevel(_state.pop("pybamm_level"))


def watch_solver(solver) -> None:
    """Make `solver` refuse its next step once Ctrl-C was pressed (a pybamm.SolverError that PyBaMM
    turns into the end of the experiment, keeping the steps that finished)."""
    import pybamm

    step = solver.step
    if getattr(step, "_sizno_watched", False):
        return

    def checked_step(*args, **kwargs):
        if _state["requested"]:
            if "pybamm_level" not in _state:  # PyBaMM logs the refusal as an error: not one here
                _state["pybamm_level"] = pybamm.logger.level
                pybamm.logger.setLevel("CRITICAL")
            raise pybamm.SolverError(INTERRUPTED)
        return step(*args, **kwargs)

    checked_step._sizno_watched = True  # type: ignore[attr-defined]
    solver.step = checked_step
