"""Stand-ins for the DFT tests (no DFT): a harmonic calculator and NEB results on tiny Si/Li cells."""

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator, all_changes

from sizno.atomistic.neb import NEBResult


def reference_positions(n_atoms: int) -> np.ndarray:
    """The start image's positions [A] of an `n_atoms` stand-in path (the harmonic calculator's minimum)."""
    return np.arange(3 * n_atoms, dtype=float).reshape(n_atoms, 3)


class Harmonic(Calculator):
    """E = sum |r - r0|^2 (eV/A^2), F = -2 (r - r0), r0 the path's start: a cheap, deterministic stand-in for GPAW.
    Each calculation appends to `calls`."""

    implemented_properties = ["energy", "forces"]

    def __init__(self, calls):
        super().__init__()
        self.calls = calls

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        d = self.atoms.positions - reference_positions(len(self.atoms))
        self.calls.append(1)
        self.results = {"energy": float((d**2).sum()), "forces": -2 * d}


def stand_in_neb(energies, n_atoms=3, shift=0.3) -> NEBResult:
    """An NEB result with the given image energies [eV]; the Li (last atom) moves `shift` A per image along x."""
    base = Atoms(f"Si{n_atoms - 1}Li", positions=reference_positions(n_atoms), cell=[10, 10, 10], pbc=True)
    images = []
    for k in range(len(energies)):
        a = base.copy()
        a.positions[-1] += [shift * k, 0, 0]
        images.append(a)
    e = list(energies)
    return NEBResult(barrier_eV=max(e), reverse_barrier_eV=max(e) - e[-1], reaction_energy_eV=e[-1], energies_eV=e,
                     path_A=list(range(len(e))), hop_length_A=shift * (len(e) - 1), moving_atom=n_atoms - 1,
                     n_images=len(e) - 2, converged=True, fmax_eV_per_A=0.01, steps=10, seconds=1.0,
                     calculator="stand-in", images=images)
