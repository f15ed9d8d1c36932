"""Errors the user can act on. The CLI turns them into one line and exit code 2."""


class SiznoInputError(ValueError):
    """Bad user input: names the field and the accepted range."""

    def __init__(self, field: str, problem: str, accepted: str | None = None):
        self.field = field
        self.problem = problem
        self.accepted = accepted
        msg = f"{field}: {problem}"
        if accepted:
            msg += f" (accepted: {accepted})"
        super().__init__(msg)


class SimulationFailed(RuntimeError):
    """A solver failure mid-protocol; `completed_steps` says how far it got."""

    def __init__(self, message: str, completed_steps: int, partial=None):
        self.completed_steps = completed_steps
        self.partial = partial
        super().__init__(message)


def require_positive(field: str, value: float, unit: str = "") -> float:
    """Raise SiznoInputError unless value > 0."""
    if not (value > 0) or value != value or value == float("inf"):
        raise SiznoInputError(field, f"must be a positive finite number, got {value}", f"> 0 {unit}".strip())
    return float(value)


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a simulation after a finished step; `result` holds what finished
    (completed False, stop reason "... interrupted"). Anything that does not catch it sees Ctrl-C."""

    def __init__(self, result):
        self.result = result
        super().__init__("interrupted")
