"""Ctrl-C during a simulation: the step in flight finishes, the run stops there and keeps what finished.

Inside :func:`stop_on_interrupt` the first SIGINT only sets a flag; the runner checks it before
each protocol step, stops there, and returns a stopped result with the reason "interrupted" inside
:class:`sizno.errors.RunInterrupted`. A second SIGINT interrupts at once.
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
