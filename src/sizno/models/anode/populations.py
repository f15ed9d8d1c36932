"""Parallel sheet populations: the electrode as K columns of sheets with a spread of contact quality.

Each population is a full-thickness column of the electrode (the anode's equations, unchanged)
on an equal share of the area, with its conductivities scaled by a multiplier m_k. The multipliers
are the equal-probability quantiles of a log-logistic distribution of median 1 and log-width w
("Sheet population transport spread [-]", the standard deviation of ln m): m_k = (p/(1-p))^(w sqrt(3)/pi)
at p = (k - 1/2)/K. All populations share the electrode's potential, so the cell current splits
between them (algebraic currents): poorly connected sheets take less current and stop first,
well-connected ones carry the high rates. Heterogeneous utilisation of this kind is what
many-particle models describe (Dreyer et al., Nat. Mater. 9 (2010) 448; Kirk et al., SIAM J.
Appl. Math. 80 (2020) 2224, PyBaMM's MPM).
"""

from __future__ import annotations

import math

import pybamm

from sizno.models.anode.builder import DenseAnode
from sizno.models.anode.states import tagged

# populations the electrode is resolved into by default: one column. Three populations (the fewest with a
# median and two tails) were calibrated and measured on 2026-11-30 and not made the default: README,
# "What controls the predictions", sheet populations (3.6x the CPU time, pure Si at 5 A/g still -44 %)
SHEET_POPULATIONS = 1


def population_tag(k: int) -> str:
    """The name tag of population k (0-based)."""
    return f"population {k + 1}"


def population_multipliers(count: int) -> list[pybamm.Symbol]:
    """The K populations' transport multipliers (median 1, log-width the spread parameter)."""
    if count == 1:
        return [pybamm.Scalar(1.0)]
    w = pybamm.Parameter("Sheet population transport spread [-]")
    scale = math.sqrt(3) / math.pi  # logistic quantile with unit standard deviation
    out = []
    for k in range(count):
        p = (k + 0.5) / count
        out.append(pybamm.exp(w * scale * math.log(p / (1 - p))))
    return out


class AnodePopulations:
    """K parallel DenseAnode columns sharing the electrode potential; K = 1 is the plain DenseAnode."""

    def __init__(self, I_lith, count: int):
        if count == 1:
            anode = DenseAnode(I_lith)
            self.rhs, self.algebraic = anode.rhs, {}
            self.boundary_conditions, self.initial_conditions = anode.boundary_conditions, anode.initial_conditions
            self.potential_V, self.variables, self.events = anode.potential_V, anode.variables, anode.events
            return
        currents = [pybamm.Variable(tagged("Population lithiating current [A]", population_tag(k))) for k in range(count)]
        anodes = [DenseAnode(I_k, population_tag(k), m_k)
                  for k, (I_k, m_k) in enumerate(zip(currents, population_multipliers(count)))]
        # each column carries its current as if it were the whole area (per-area laws unchanged): the
        # cell current is their mean; the columns share one potential
        self.algebraic = {currents[0]: sum(currents) / count - I_lith}
        for I_k, a in zip(currents[1:], anodes[1:]):
            self.algebraic[I_k] = a.potential_V - anodes[0].potential_V
        self.rhs = {k: v for a in anodes for k, v in a.rhs.items()}
        self.boundary_conditions = {k: v for a in anodes for k, v in a.boundary_conditions.items()}
        self.initial_conditions = {k: v for a in anodes for k, v in a.initial_conditions.items()}
        # a first guess only: the solver's consistent initialisation finds the split (under PyBaMM's own
        # experiment control the cell current becomes a variable, which an initial condition may not hold)
        self.initial_conditions.update({I_k: pybamm.Scalar(0.0) for I_k in currents})
        self.potential_V = anodes[0].potential_V
        self.variables = {name: sum(a.variables[name] for a in anodes) / count for name in anodes[0].variables}
        for k, (a, I_k) in enumerate(zip(anodes, currents)):
            tag = population_tag(k)
            self.variables.update({tagged(name, tag): v for name, v in a.variables.items()})
            self.variables[tagged("Population lithiating current [A]", tag)] = I_k
        self.events = []
