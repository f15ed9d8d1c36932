"""Virtual ex-situ XRD: runs the paper's half cell and turns the electrode's state into phases and a pattern.

The half-cell model (run by `sizno.experiments.runner.run_half_cell` on the first-cycle protocol,
repeated for later cycles) gives x-averaged states at the end of each step; `sizno.structure.exsitu`
turns them into phases (its docstring has the mass balance), `sizno.structure.xrd` into a pattern.
"""

from __future__ import annotations

from sizno.cell import paper_half_cell
from sizno.experiments.protocols import load_protocol
from sizno.experiments.runner import DEFAULT_MESH_POINTS, QUICK_MESH_POINTS, run_half_cell
from sizno.materials import Composite
from sizno.models.build import half_cell_parameter_values
from sizno.models.parameters import ParameterSet
from sizno.structure.exsitu import STATE_KEYS, ElectrodeState, check_state, composite_of, phase_state, phases_from_model_state
from sizno.structure.xrd import XRDPattern, mixture_pattern

PROTOCOL = "first-cycle"  # the model's protocol for every state (repeated for cycle N)


def pristine_state(material: str | Composite, pset: ParameterSet | None = None) -> ElectrodeState:
    """The pristine electrode from the model's initial conditions (no simulation needed)."""
    comp = composite_of(material)
    vals = half_cell_parameter_values(paper_half_cell(comp), pset)
    s0 = float(vals["Initial amorphous fraction [-]"])
    st = dict.fromkeys(STATE_KEYS, 0.0)
    st.update(amorphous_fraction=s0, mobile_lithium_fraction=s0 * float(vals["Initial amorphous Li filling [-]"]))
    return phases_from_model_state(comp, st, "a-Si", "pristine", 0, "model: initial conditions")


def model_states(material: str | Composite, states: tuple[str, ...] = ("pristine", "lithiated", "delithiated"),
                 cycles: int = 1, quick: bool = False, pset: ParameterSet | None = None) -> dict[str, ElectrodeState]:
    """{state: ElectrodeState} of the paper's half cell of `material`, from one model run of the
    first-cycle protocol repeated `cycles` times (no run if only 'pristine' is asked for).
    'lithiated' / 'delithiated' / 'cycled' are taken at cycle `cycles`. `quick`: coarse mesh."""
    for s in states:
        check_state(s, cycles)
    comp = composite_of(material)
    out = {s: pristine_state(comp, pset) for s in states if s == "pristine"}
    if any(s != "pristine" for s in states):
        res = run_half_cell(comp, load_protocol(PROTOCOL).with_repeat(cycles), pset=pset,
                            mesh_points=QUICK_MESH_POINTS if quick else DEFAULT_MESH_POINTS)
        for s in states:
            if s != "pristine":
                out[s] = phase_state(res, s, cycles, comp)
    return {s: out[s] for s in states}


def virtual_exsitu_pattern(
    material: str = "si-zno4",
    state: str = "pristine",
    fractions: dict[str, float] | None = None,
    cycles: int = 1,
    quick: bool = False,
    **pattern_kwargs,
) -> XRDPattern:
    """Powder pattern of an electrode state: of ``fractions`` when given (any {phase: mass
    fraction}), else of the model's phases (``model_states``). Extra keywords go to
    ``xrd.mixture_pattern``."""
    if fractions is None:
        fractions = model_states(material, (state,), cycles, quick)[state].mass_fractions
    label = f"{material} {state}" + (f" (cycle {cycles})" if state != "pristine" and cycles > 1 else "")
    pattern_kwargs.setdefault("label", label)
    return mixture_pattern(fractions, **pattern_kwargs)
