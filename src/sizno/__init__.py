"""sizno: a virtual laboratory for Si-composite anodes in all-solid-state lithium batteries."""

import os

# PyBaMM sends usage telemetry unless told not to; sizno never phones home.
os.environ.setdefault("PYBAMM_DISABLE_TELEMETRY", "true")

__version__ = "0.1.0"
