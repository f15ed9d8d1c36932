"""Ex-situ phases of an electrode from the electrochemical model's state (a mass balance; runs no model).

A half-cell run (`sizno.lab.exsitu` runs it) gives x-averaged states at the end of each step
(`RunResult.step_state`): the amorphous fraction s of the Si, the Li in the amorphous
Si (mobile c, trapped tr, cut off with cracked Si li_iso; all per Si capacity, 3.75 Li per Si),
the ZnO conversion chi and the LiZn fraction y (per initial ZnO). Per gram of pristine composite
(Si and ZnO mass fractions from ``sizno.materials.named_material``), with n_Si, n_ZnO its moles:

* c-Si:          (1 - s) n_Si                                   (never lithiated)
* amorphous Si:  s n_Si Si atoms holding 3.75 n_Si (c + tr + li_iso) Li, i.e. Li_xSi with
                 x = 3.75 (c + tr + li_iso) / s. The model fills the amorphous phase uniformly
                 (one phase, not a-Si next to a-LixSi), so it is reported as one phase named by
                 the state: ``a-LixSi`` at the end of a lithiation, ``a-Si`` at the end of a
                 delithiation and in the pristine electrode (the model's thin amorphous surface band).
                 Trapped Li (the first-cycle loss) stays in this phase: the delithiated a-Si is
                 Li_xSi with x = 3.75 (c + tr + li_iso) / s ≈ 3.75 tr / s, and its mass includes it.
* ZnO:           (1 - chi) n_ZnO;  Li2O: chi n_ZnO (ZnO + 2 Li -> Zn + Li2O)
* Zn:            (chi - y) n_ZnO;  LiZn: y n_ZnO

Phases below 1e-6 of the mass are dropped (solver round-off).
Mass fractions are of the electrode's active solid in that state (composite + the Li it took
up): binder, solid electrolyte and the SEI are left out. Lithium balance: the Li held by the
phases equals the model's charge passed minus the Li in the SEI (tested).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from sizno.errors import SiznoInputError
from sizno.materials import Composite, load_phases, named_material
from sizno.materials.registry import material_names
from sizno.results.states import STATE_NAMES

if TYPE_CHECKING:
    from sizno.results import RunResult

MODEL_PHASES = ("c-Si", "a-Si", "a-LixSi", "ZnO", "Zn", "LiZn", "Li2O")
STATES = ("pristine", "lithiated", "delithiated", "cycled")
SI_CAPACITY_LI_PER_SI = 3.75  # the model's unit of Li: 3.75 Li per Si
MIN_MASS_FRACTION = 1e-6  # phases below this are round-off of a finished reaction: the solver resolves the
# ZnO conversion to its absolute tolerance (1e-8 per state), so chi ends 1 - 1e-14 or 1 - 5e-8 depending on
# its step sequence; 1e-6 is far below what XRD could see (~1 wt%)

# x-averaged model states the phases are built from (RunResult time-series/cycle-table columns)
# (all of them but the isolated Si fraction, which the phase balance does not use)
STATE_KEYS = tuple(k for k in STATE_NAMES if k != "isolated_si_fraction")


@dataclass(frozen=True)
class ElectrodeState:
    """Phases of an electrode in one state, from the model."""

    material: str
    state: str
    cycle: int  # the cycle whose lithiation/delithiation ended (0 for pristine)
    mass_fractions: dict[str, float]  # of the active solid in this state, sum 1
    grams_per_g_composite: dict[str, float]  # per gram of pristine composite (Si + ZnO)
    x_li_per_si_amorphous: float  # x in the amorphous Li_xSi (a-LixSi or a-Si), trapped Li included
    x_li_per_si_trapped: float  # of which trapped
    li_mol_per_g_composite: dict[str, float]  # Li by where it sits: mobile, trapped, isolated, LiZn, Li2O
    model_state: dict[str, float] = field(default_factory=dict)  # the x-averaged states used
    source: str = ""

    @property
    def li_total_mol_per_g_composite(self) -> float:
        return sum(self.li_mol_per_g_composite.values())

    def to_dict(self) -> dict:
        d = asdict(self)
        d["li_total_mol_per_g_composite"] = self.li_total_mol_per_g_composite
        return d


def _molar_masses() -> dict[str, float]:
    ph = load_phases().phases
    M = {k: ph[k].molar_mass_g_per_mol for k in ("Si", "ZnO", "Zn", "LiZn", "Li2O")}
    M["Li"] = M["LiZn"] - M["Zn"]
    return M


def composite_of(material: str | Composite) -> Composite:
    """The composite of a registry name, or the composite itself."""
    return named_material(material) if isinstance(material, str) else material


def check_state(state: str, cycle: int) -> None:
    if state not in STATES:
        raise SiznoInputError("state", f"unknown state '{state}'", ", ".join(STATES))
    if isinstance(cycle, bool) or not isinstance(cycle, int) or cycle < 1:
        raise SiznoInputError("cycles", f"got {cycle}", "an integer >= 1")


def phases_from_model_state(material: str | Composite, model_state: dict[str, float], amorphous_name: str,
                            state: str = "", cycle: int = 0, source: str = "") -> ElectrodeState:
    """Mass balance per gram of composite: x-averaged model states (``STATE_KEYS``) -> phases."""
    if amorphous_name not in ("a-Si", "a-LixSi"):
        raise SiznoInputError("amorphous_name", f"got '{amorphous_name}'", "a-Si, a-LixSi")
    missing = [k for k in STATE_KEYS if k not in model_state or not math.isfinite(model_state[k])]
    if missing:
        raise SiznoInputError("model state", f"missing or not finite: {', '.join(missing)}", ", ".join(STATE_KEYS))
    comp = composite_of(material)
    M = _molar_masses()
    clip = lambda v, hi=math.inf: min(max(float(v), 0.0), hi)  # noqa: E731  (solver round-off)
    s = clip(model_state["amorphous_fraction"], 1.0)
    c = clip(model_state["mobile_lithium_fraction"])
    tr = clip(model_state["trapped_lithium_fraction"])
    li_iso = clip(model_state["isolated_lithium_fraction"])
    chi = clip(model_state["zno_conversion"], 1.0)
    y = clip(model_state["lizn_fraction"], chi)

    n_si = comp.si_mass_fraction / M["Si"]
    n_zno = comp.zno_mass_fraction / M["ZnO"]
    q = SI_CAPACITY_LI_PER_SI * n_si  # mol Li per unit of the model's Si-capacity fractions
    li = {"mobile": q * c, "trapped": q * tr, "isolated": q * li_iso, "LiZn": y * n_zno, "Li2O": 2 * chi * n_zno}
    li_am = li["mobile"] + li["trapped"] + li["isolated"]
    grams = {
        "c-Si": (1 - s) * n_si * M["Si"],
        amorphous_name: s * n_si * M["Si"] + li_am * M["Li"],
        "ZnO": (1 - chi) * n_zno * M["ZnO"],
        "Zn": (chi - y) * n_zno * M["Zn"],
        "LiZn": y * n_zno * M["LiZn"],
        "Li2O": chi * n_zno * M["Li2O"],
    }
    total = sum(grams.values())
    grams = {k: v for k, v in grams.items() if v > MIN_MASS_FRACTION * total}  # solver round-off
    total = sum(grams.values())
    x_am = li_am / (s * n_si) if s > 0 else float("nan")
    x_tr = li["trapped"] / (s * n_si) if s > 0 else float("nan")
    return ElectrodeState(
        material=comp.name, state=state, cycle=cycle,
        mass_fractions={k: v / total for k, v in grams.items()},
        grams_per_g_composite=grams, x_li_per_si_amorphous=x_am, x_li_per_si_trapped=x_tr,
        li_mol_per_g_composite=li, model_state={k: float(model_state[k]) for k in STATE_KEYS}, source=source,
    )


def phase_state(result: "RunResult", state: str, cycle: int = 1, material: "str | Composite | None" = None) -> ElectrodeState:
    """Phases of a half-cell run's electrode: 'pristine' (start of the run), 'lithiated' (end of
    the lithiation of `cycle`), 'delithiated' or 'cycled' (end of the delithiation of `cycle`)."""
    check_state(state, cycle)
    if result.metadata.get("cell", "half cell") != "half cell":
        raise SiznoInputError("result", f"a {result.metadata.get('cell')} run", "a half-cell run (run_half_cell)")
    material = material if material is not None else result.metadata.get("material")
    if material is None:
        raise SiznoInputError("material", "not given and not in the result's metadata", ", ".join(material_names()))
    if state == "pristine":
        st, name, cyc = result.step_state(1, "lithiation", at="start"), "a-Si", 0
    elif state == "lithiated":
        st, name, cyc = result.step_state(cycle, "lithiation"), "a-LixSi", cycle
    else:
        st, name, cyc = result.step_state(cycle, "delithiation"), "a-Si", cycle
    mesh = result.metadata.get("mesh_points")
    src = f"model: {result.metadata.get('protocol', '?')} run, mesh {mesh}"
    return phases_from_model_state(material, st, name, state, cyc, src)
