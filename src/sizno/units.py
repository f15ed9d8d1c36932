"""Physical constants and the unit conversions sizno uses, in one place (SI inside the physics)."""

from typing import TypeVar

T = TypeVar("T")  # a float or a numpy array: the converters work on both

FARADAY_C_PER_MOL = 96485.33212
GAS_CONSTANT_J_PER_MOL_K = 8.314462618
BOLTZMANN_EV_PER_K = 8.617333262e-5
ZERO_CELSIUS_K = 273.15
SECONDS_PER_HOUR = 3600.0
MAH_PER_AH = 1000.0
VACUUM_PERMITTIVITY_F_PER_M = 8.8541878128e-12  # CODATA 2018

# SI prefixes, named by the pair of units they convert between
MILLI_PER_UNIT = 1e3  # mA per A, mAh per Ah, mWh per Wh, mg per g, mV per V
UNIT_PER_MILLI = 1e-3  # g per mg
UNIT_PER_MICRO = 1e-6  # g per µg
MICRO_PER_UNIT = 1e6  # µm per m
SECONDS_PER_MINUTE = 60.0


def celsius_to_kelvin(temperature_C: float) -> float:
    return temperature_C + ZERO_CELSIUS_K


def to_milli(value: T) -> T:
    """unit -> milli-unit (a float or an array): A -> mA, Ah -> mAh, Wh -> mWh, g -> mg, V -> mV."""
    return value * MILLI_PER_UNIT


Ah_to_mAh = A_to_mA = Wh_to_mWh = g_to_mg = to_milli  # the same factor, named for what is converted


def mg_to_g(mass_mg: T) -> T:
    """mg -> g (a float or an array)."""
    return mass_mg * UNIT_PER_MILLI


def m_to_um(length_m: T) -> T:
    """m -> µm (a float or an array)."""
    return length_m * MICRO_PER_UNIT


def As_to_Ah(charge_As: T) -> T:
    """A·s (= C) -> Ah (a float or an array)."""
    return charge_As / SECONDS_PER_HOUR


def mAh_to_C(capacity_mAh: float) -> float:
    return capacity_mAh * 3.6


def C_to_mAh(charge_C: float) -> float:
    return charge_C / 3.6


def specific_capacity_mAh_per_g(electrons_per_formula: float, molar_mass_g_per_mol: float) -> float:
    """Q = n F / (3.6 M): capacity per gram of the *starting* material, mAh/g."""
    return electrons_per_formula * FARADAY_C_PER_MOL / (3.6 * molar_mass_g_per_mol)


def arrhenius_factor(activation_energy_eV: float, temperature_K: float, reference_K: float) -> float:
    """exp(-Ea/k (1/T - 1/T_ref)): multiplies a rate known at reference_K."""
    import math

    return math.exp(-activation_energy_eV / BOLTZMANN_EV_PER_K * (1.0 / temperature_K - 1.0 / reference_K))
