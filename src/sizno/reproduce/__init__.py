"""The paper twin: run every experiment, compare with the paper's values, write the report."""

from sizno.reproduce.runner import AREAS, reproduce

__all__ = ["AREAS", "reproduce"]
