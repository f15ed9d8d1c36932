"""Phase data (molar mass, density) validated on load from data/materials.toml."""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, Field

from sizno.data import read_toml
from sizno.units import specific_capacity_mAh_per_g


class Phase(BaseModel):
    """A solid phase: molar mass [g/mol], density [g/cm3], where the numbers come from."""

    key: str
    name: str
    formula: str
    molar_mass_g_per_mol: float = Field(gt=0)
    density_g_per_cm3: float = Field(gt=0)
    source: str = Field(min_length=3)

    @property
    def molar_volume_cm3_per_mol(self) -> float:
        return self.molar_mass_g_per_mol / self.density_g_per_cm3


class Reaction(BaseModel):
    """An electrochemical reaction of a starting phase: electrons per formula unit."""

    key: str
    phase: str
    electrons: float = Field(gt=0)
    product: str
    reversible: bool
    source: str = Field(min_length=3)


class CounterElectrode(BaseModel):
    key: str
    name: str
    potential_V_vs_Li: float
    source: str = Field(min_length=3)


class PhaseLibrary(BaseModel):
    phases: dict[str, Phase]
    reactions: dict[str, Reaction]
    counter_electrodes: dict[str, CounterElectrode]

    def capacity_mAh_per_g(self, reaction: str) -> float:
        """Capacity of a reaction per gram of its starting phase [mAh/g]."""
        r = self.reactions[reaction]
        return specific_capacity_mAh_per_g(r.electrons, self.phases[r.phase].molar_mass_g_per_mol)


@lru_cache(maxsize=1)
def load_phases() -> PhaseLibrary:
    """The phase library shipped with sizno (validated)."""
    raw = read_toml("materials.toml")
    return PhaseLibrary(
        phases={k: Phase(key=k, **v) for k, v in raw["phases"].items()},
        reactions={k: Reaction(key=k, **v) for k, v in raw["reactions"].items()},
        counter_electrodes={k: CounterElectrode(key=k, **v) for k, v in raw["counter_electrodes"].items()},
    )
