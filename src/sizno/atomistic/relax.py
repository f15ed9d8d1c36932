"""Geometry relaxation with a stated convergence flag (never a silent non-converged result)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from sizno.atomistic import cache
from sizno.atomistic.calculators import CalculatorFactory


@dataclass
class RelaxResult:
    atoms: object  # ase.Atoms, relaxed, without calculator
    energy_eV: float
    fmax_eV_per_A: float
    steps: int
    converged: bool
    seconds: float
    cached: bool = False

    def warning(self) -> str | None:
        if self.converged:
            return None
        return f"relaxation not converged: fmax {self.fmax_eV_per_A:.3f} eV/A after {self.steps} steps"


def _fmax(atoms) -> float:
    f = atoms.get_forces()  # constrained forces are zeroed by ASE
    return float(np.sqrt((f**2).sum(axis=1)).max()) if len(f) else 0.0


def relax(atoms, factory: CalculatorFactory, fmax: float = 0.05, steps: int = 200,
          optimizer: str = "FIRE", on_step: Callable[[int, float], None] | None = None,
          use_cache: bool = True) -> RelaxResult:
    """Relax `atoms` (a copy) with a fresh calculator from `factory`; cached by structure+calculator+settings."""
    from ase.optimize import BFGS, FIRE, LBFGS

    factory.check_elements(atoms.get_chemical_symbols())
    k = cache.key("relax", {"atoms": cache.atoms_fingerprint(atoms), "calc": factory.identity(),
                            "fmax": fmax, "steps": steps, "optimizer": optimizer})
    if use_cache:
        hit = cache.load(k)
        if hit is not None:
            meta, images = hit
            a = images[-1]
            a.set_constraint(atoms.constraints)
            return RelaxResult(a, meta["energy_eV"], meta["fmax_eV_per_A"], meta["steps"], meta["converged"],
                               meta["seconds"], cached=True)
    t0 = time.perf_counter()
    a = atoms.copy()
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        a.calc = factory.new()
    opt_cls = {"FIRE": FIRE, "BFGS": BFGS, "LBFGS": LBFGS}[optimizer]
    opt = opt_cls(a, logfile=None)
    n = 0
    if on_step is not None:
        def _cb():
            on_step(opt.nsteps, _fmax(a))
        opt.attach(_cb, interval=1)
    converged = bool(opt.run(fmax=fmax, steps=steps))
    n = opt.nsteps
    e = float(a.get_potential_energy())
    fm = _fmax(a)
    res = RelaxResult(a.copy(), e, fm, n, converged or fm <= fmax, time.perf_counter() - t0)
    res.atoms.set_constraint(atoms.constraints)
    if use_cache:
        cache.store(k, {"energy_eV": e, "fmax_eV_per_A": fm, "steps": n, "converged": res.converged,
                        "seconds": res.seconds, "calculator": factory.label}, [res.atoms])
    return res


def single_point(atoms, factory: CalculatorFactory) -> float:
    a = atoms.copy()
    a.calc = factory.new()
    return float(a.get_potential_energy())
