"""The cell models' solver: PyBaMM's IDAKLU with the options every run uses."""

from __future__ import annotations

import pybamm


def idaklu_solver(output_variables: list[str] | None = None, first_step_s: float | None = None,
                  rtol: float = 1e-6, atol: float = 1e-8, compile: bool = False,
                  options: dict | None = None) -> pybamm.IDAKLUSolver:
    """The models' solver. With `output_variables` it computes only those variables, as it goes,
    and keeps no state vectors (cheap post-processing; the final state still carries on).
    `first_step_s`: IDA's first internal step (default: IDA's own estimate); `compile`: the CasADi
    functions compiled to C (worth it only for a model whose parameters are inputs: built once);
    `options`: further IDAKLU options (PyBaMM's names), over these."""
    # a step that needs more than 20k internal steps is a stuck step: fail it (the experiment
    # keeps the finished steps) rather than crawl for minutes
    options = {"max_num_steps": 20000, "compile": compile, **(options or {}),
               **({"dt_init": first_step_s} if first_step_s else {})}
    return pybamm.IDAKLUSolver(rtol=rtol, atol=atol, options=options, output_variables=output_variables)
