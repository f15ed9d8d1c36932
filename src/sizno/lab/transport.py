"""Multiscale link: NEB barrier → Arrhenius diffusion coefficient → network ionic conductivity → capacity at 5 A/g.

Assumptions (stated in every result):
- D = (nu a^2 / (2 d)) exp(-Ea / kT): attempt frequency nu = 1e13 Hz (typical optical-phonon
  frequency), hop length a = the NEB's Li displacement, d = 1 (transport along a 1-D interface channel).
- The continuum model's "Network ionic conductivity [S.m-1]" is calibrated for Si–ZnO. An additive X
  scales it by the ratio D_X / D_ZnO at the same nu, d and carrier density (Nernst–Einstein), so
  sigma_X(T) = sigma_ZnO,cal(T) exp(-(Ea_X - Ea_ZnO)/kT) (a_X/a_ZnO)^2: its Arrhenius activation
  energy becomes Ea_cal + (Ea_X - Ea_ZnO).
- Another oxide is put in as the same composite (Si–ZnO4 recipe, so the same network volume
  fraction); only the network's transport changes. Its capacity split stays ZnO's (Zn ⇄ LiZn).
"""

from __future__ import annotations

from sizno.atomistic.diffusion import ATTEMPT_FREQUENCY_HZ, arrhenius_D_m2_per_s, conductivity_ratio
from sizno.cell import paper_half_cell
from sizno.errors import SiznoInputError
from sizno.experiments import rate_test, run_half_cell
from sizno.experiments.runner import NO_CURVES
from sizno.materials import named_material
from sizno.models.parameters import ParameterSet, load_parameter_set
from sizno.results.observables import rate_capacity
from sizno.units import celsius_to_kelvin

NETWORK_PARAMETER = "Network ionic conductivity [S.m-1]"


def parameter_set_for_barrier(barrier_eV: float, ref_barrier_eV: float, hop_length_A: float,
                              ref_hop_length_A: float, pset: ParameterSet | None = None
                              ) -> tuple[ParameterSet, float, float]:
    """The calibrated parameter set with the network conductivity scaled for an additive with this barrier."""
    pset = pset or load_parameter_set()
    T_ref = pset.reference_temperature_K
    entry = pset.entries[NETWORK_PARAMETER]
    sigma_ref = pset.value(NETWORK_PARAMETER)  # raises SiznoInputError if not calibrated yet
    ratio = conductivity_ratio(barrier_eV, ref_barrier_eV, T_ref, hop_length_A, ref_hop_length_A)
    new_entry = entry.model_copy(update={"value": sigma_ref * ratio,
                                         "activation_energy_eV": entry.activation_energy_eV + (barrier_eV - ref_barrier_eV)})
    entries = dict(pset.entries)
    entries[NETWORK_PARAMETER] = new_entry
    return ParameterSet(reference_temperature_K=T_ref, entries=entries), sigma_ref, ratio


def half_cell_temperature_C(material: str = "si-zno4") -> float:
    """The paper's half-cell test temperature [°C], as the half cell of `material` has it (60 °C, cell data)."""
    return paper_half_cell(named_material(material)).temperature_C


def predict_capacity(barrier_eV: float, ref_barrier_eV: float, hop_length_A: float, ref_hop_length_A: float,
                     rate_A_per_g: float = 5.0, temperature_C: float | None = None, cycles_per_rate: int = 1,
                     material: str = "si-zno4") -> dict:
    """Barrier → D → network conductivity → reversible capacity at `rate_A_per_g` [mAh/g] (continuum model).

    One temperature throughout: `temperature_C` (None = the paper's half-cell temperature from the cell
    data, 60 °C) sets D, the conductivity ratio reported, and the half cell that is simulated."""
    if temperature_C is None:
        temperature_C = half_cell_temperature_C(material)
    temperature_C = float(temperature_C)
    out = {"barrier_eV": barrier_eV, "reference_barrier_eV": ref_barrier_eV, "hop_length_A": hop_length_A,
           "attempt_frequency_Hz": ATTEMPT_FREQUENCY_HZ, "dimensionality": 1, "material": material,
           "rate_A_per_g": rate_A_per_g, "temperature_C": temperature_C}
    T_K = celsius_to_kelvin(temperature_C)
    out["temperature_K"] = T_K
    out["D_m2_per_s"] = arrhenius_D_m2_per_s(barrier_eV, T_K, hop_length_A)
    # the ratio at the run temperature (the scaled parameter set holds the same ratio there: its activation
    # energy is shifted by the barrier difference, so sigma_X(T)/sigma_ZnO(T) = D_X(T)/D_ZnO(T) at any T)
    out["conductivity_ratio_vs_ZnO"] = conductivity_ratio(barrier_eV, ref_barrier_eV, T_K, hop_length_A, ref_hop_length_A)
    try:
        pset, sigma_ref, ratio = parameter_set_for_barrier(barrier_eV, ref_barrier_eV, hop_length_A, ref_hop_length_A)
    except SiznoInputError as exc:
        out.update({"capacity_mAh_g": None, "note": f"continuum model not calibrated yet ({exc}); run `sizno calibrate`"})
        return out
    out["calibrated_network_conductivity_S_per_m"] = sigma_ref
    out["reference_temperature_K"] = pset.reference_temperature_K
    out["conductivity_ratio_vs_ZnO_at_reference_temperature"] = ratio
    out["network_conductivity_S_per_m_at_reference_temperature"] = sigma_ref * ratio
    out["network_conductivity_S_per_m"] = float(pset.at_temperature(T_K)[NETWORK_PARAMETER])
    res = run_half_cell(material, rate_test([0.1, rate_A_per_g], cycles_per_rate), temperature_C=temperature_C, pset=pset,
                        timeseries_cycles=NO_CURVES)
    out["capacity_mAh_g"] = float(rate_capacity(res, rate_A_per_g))
    return out
