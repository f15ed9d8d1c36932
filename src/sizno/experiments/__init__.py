"""Protocols as data, and the runner that turns cell + model + protocol into results."""

from sizno.experiments.protocols import Protocol, c_rate_test, load_protocol, rate_test
from sizno.experiments.runner import run_full_cell, run_half_cell, run_protocol

__all__ = ["Protocol", "c_rate_test", "load_protocol", "rate_test", "run_full_cell", "run_half_cell", "run_protocol"]
