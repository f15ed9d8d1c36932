"""Protocols as data, and the runner that turns cell + model + protocol into results."""

from sizno.experiments.protocols import Protocol, load_protocol, rate_test
from sizno.experiments.runner import run_half_cell

__all__ = ["Protocol", "load_protocol", "rate_test", "run_half_cell"]
