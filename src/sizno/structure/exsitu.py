"""Virtual ex-situ XRD: the phase fractions of an electrode state turned into a powder pattern.

The electrochemical model hands over a plain dict {phase name: mass fraction} with the names
below; until it does, ``default_phase_fractions`` derives one from the composite's composition
and the paper's mechanism (Results, discussion of Fig. 3):

* pristine:     c-Si + ZnO (ZnO mass fraction from the recipe, ``named_material(...)``)
* lithiated:    end of the first lithiation. A fraction ``residual_c_si`` of the Si atoms stays
                crystalline (the paper's weak 28.4° peak); the rest is LixSi with x = ``x_li_si``
                (3.25, the paper's Li13Si4); ZnO + 3 Li → Li2O + LiZn, completely.
* delithiated:  end of the first delithiation. LixSi → a-Si (all Li removed), residual c-Si
                unchanged, LiZn → Zn, Li2O stays (ZnO does not re-form).
* cycled:       after N cycles, delithiated: the same phases as ``delithiated`` with the residual
                c-Si amorphised as ``residual_c_si · (1 - amorphised_per_cycle)^(N-1)``; the default
                rate is an assumption (0.0 keeps the first-cycle value), the model should supply it.

Lithium trapped in the silicon (the paper's 23.7 % first-cycle loss) is not represented: the
delithiated a-Si is Li-free. Mass fractions are of the electrode's active material (binder,
electrolyte and the SEI are left out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sizno.errors import SiznoInputError

MODEL_PHASES = ("c-Si", "a-Si", "a-LixSi", "ZnO", "Zn", "LiZn", "Li2O")
STATES = ("pristine", "lithiated", "delithiated", "cycled")

# Molar masses [g/mol] of the elements involved (IUPAC 2021 standard atomic weights).
_M_LI = 6.94
_M_SI = 28.0855


@dataclass(frozen=True)
class ExSituAssumptions:
    """What the default phase fractions assume (the electrochemical model will replace them)."""

    residual_c_si: float = 0.02  # fraction of Si atoms never lithiated in the first cycle
    x_li_si: float = 3.25  # x in LixSi at the end of lithiation (Li13Si4, the paper's assignment)
    zno_converted: float = 1.0  # fraction of ZnO converted (ZnO peaks vanish in Fig. 3a)
    amorphised_per_cycle: float = 0.0  # fraction of the residual c-Si amorphised per later cycle

    def check(self) -> "ExSituAssumptions":
        for name, lo, hi in (
            ("residual_c_si", 0, 1),
            ("x_li_si", 0, 4.4),
            ("zno_converted", 0, 1),
            ("amorphised_per_cycle", 0, 1),
        ):
            v = getattr(self, name)
            if not (math.isfinite(v) and lo <= v <= hi):
                raise SiznoInputError(name, f"got {v}", f"{lo}..{hi}")
        return self


def _molar_masses() -> dict[str, float]:
    from sizno.materials import load_phases

    ph = load_phases().phases
    return {k: ph[k].molar_mass_g_per_mol for k in ("Si", "ZnO", "Zn", "LiZn", "Li2O")}


def default_phase_fractions(
    material: str = "si-zno4",
    state: str = "pristine",
    cycles: int = 1,
    assumptions: ExSituAssumptions = ExSituAssumptions(),
) -> dict[str, float]:
    """Mass fractions {phase: w} of a named material (si, si-zno2, si-zno4, si-zno8) in a state.

    Derived per gram of pristine composite: ZnO mass fraction from
    ``sizno.materials.named_material(material).zno_mass_fraction``; the rest is Si.
    """
    from sizno.materials import named_material

    if state not in STATES:
        raise SiznoInputError("state", f"unknown state '{state}'", ", ".join(STATES))
    if not (isinstance(cycles, int) and cycles >= 1):
        raise SiznoInputError("cycles", f"got {cycles}", "an integer >= 1")
    a = assumptions.check()
    comp = named_material(material)
    w_zno = comp.zno_mass_fraction
    w_si = 1.0 - w_zno
    M = _molar_masses()
    n_si = w_si / M["Si"]
    n_zno = w_zno / M["ZnO"]

    if state == "pristine":
        masses = {"c-Si": w_si, "ZnO": w_zno}
    else:
        residual = a.residual_c_si
        if state == "cycled":
            residual *= (1.0 - a.amorphised_per_cycle) ** (cycles - 1)
        n_conv = a.zno_converted * n_zno
        masses = {"c-Si": residual * n_si * M["Si"], "ZnO": (n_zno - n_conv) * M["ZnO"], "Li2O": n_conv * M["Li2O"]}
        if state == "lithiated":
            masses["a-LixSi"] = (1.0 - residual) * n_si * (_M_SI + a.x_li_si * _M_LI)
            masses["LiZn"] = n_conv * M["LiZn"]
        else:  # delithiated / cycled (in the delithiated state)
            masses["a-Si"] = (1.0 - residual) * n_si * M["Si"]
            masses["Zn"] = n_conv * M["Zn"]
    masses = {k: v for k, v in masses.items() if v > 0}
    total = sum(masses.values())
    return {k: v / total for k, v in masses.items()}


def virtual_exsitu_pattern(
    material: str = "si-zno4",
    state: str = "pristine",
    fractions: dict[str, float] | None = None,
    cycles: int = 1,
    assumptions: ExSituAssumptions = ExSituAssumptions(),
    **pattern_kwargs,
):
    """Powder pattern of an electrode state: from ``fractions`` (the model's dict) when given,
    else from ``default_phase_fractions``. Extra keywords go to ``xrd.mixture_pattern``."""
    from sizno.structure.xrd import mixture_pattern

    if fractions is None:
        fractions = default_phase_fractions(material, state, cycles, assumptions)
    label = f"{material} {state}" + (f" ({cycles} cycles)" if state == "cycled" else "")
    pattern_kwargs.setdefault("label", label)
    return mixture_pattern(fractions, **pattern_kwargs)
