"""The anode's domain, mesh and states (in the order the discretised model holds them) with their initial values."""

from __future__ import annotations

from dataclasses import dataclass

import pybamm

DOMAIN = "negative electrode"


def anode_geometry() -> dict:
    x = pybamm.SpatialVariable("x_n", domain=[DOMAIN], coord_sys="cartesian")
    return {DOMAIN: {x: {"min": pybamm.Scalar(0), "max": pybamm.Parameter("Electrode thickness [m]")}}}


# the exponential mesh's stretch: cells shrink towards the electrolyte side (x = 0), where the c-Si front and
# the interface are. 3 (was 2) keeps pure Si's front-limited capacities on 12 cells as close to 40 cells as
# 20 cells at stretch 2 did (benchmarks/mesh_convergence.py; `sizno.models.mesh`)
MESH_STRETCH = 3.0


def anode_submesh() -> dict:
    return {DOMAIN: pybamm.MeshGenerator(pybamm.Exponential1DSubMesh, submesh_params={"side": "left", "stretch": MESH_STRETCH})}


def tagged(name: str, tag: str) -> str:
    """"Name [unit]" -> "Name (tag) [unit]"; unchanged for an empty tag."""
    if not tag:
        return name
    head, sep, unit = name.rpartition(" [")
    return f"{head} ({tag}) [{unit}" if sep else f"{name} ({tag})"


@dataclass(frozen=True)
class AnodeStates:
    """The anode's state variables; Li amounts are in units of the Si alloying capacity (3.75 Li per Si)."""

    c: pybamm.Variable  # Li in a-LixSi / Si capacity
    s: pybamm.Variable  # activated Si / all Si
    h: pybamm.Variable  # -1 lithiation, +1 delithiation
    chi: pybamm.Variable  # ZnO conversion
    y: pybamm.Variable  # LiZn / initial ZnO
    tr: pybamm.Variable  # trapped Li / Si capacity
    iso: pybamm.Variable  # cracked off, / Si capacity
    li_iso: pybamm.Variable  # Li cut off with them
    relief: pybamm.Variable  # share of the front's back-stress yielded
    delta: pybamm.Variable  # SEI thickness [nm]
    c_filtered: pybamm.Variable  # mobile Li seen through the hysteresis's filter (`filtered_lithiation_rate`)
    x: pybamm.SpatialVariable  # through the thickness [m], 0 at the electrolyte

    @classmethod
    def create(cls, tag: str = "") -> AnodeStates:
        """The states; `tag` names a sheet population ("" for a one-population electrode)."""
        def field(name: str) -> pybamm.Variable:
            return pybamm.Variable(tagged(name, tag), domain=DOMAIN)

        return cls(
            c=field("Mobile lithium [-]"), s=field("Amorphous fraction [-]"), h=field("Hysteresis state [-]"),
            chi=field("ZnO conversion [-]"), y=field("LiZn fraction [-]"), tr=field("Trapped lithium [-]"),
            iso=field("Isolated Si sites [-]"), li_iso=field("Isolated lithium [-]"),
            relief=field("Front stress relief [-]"), delta=pybamm.Variable(tagged("SEI thickness [nm]", tag)),
            c_filtered=field("Filtered mobile lithium [-]"),
            x=pybamm.SpatialVariable("x_n", domain=[DOMAIN], coord_sys="cartesian"),
        )

    def order(self) -> tuple[pybamm.Variable, ...]:
        """The states in the order of the discretised model's state vector."""
        return (self.c, self.s, self.h, self.chi, self.y, self.tr, self.iso, self.li_iso, self.relief, self.delta, self.c_filtered)


def initial_amorphous_state() -> tuple[pybamm.Symbol, pybamm.Symbol]:
    """(amorphous fraction, mobile Li) of the pristine electrode."""
    s0 = pybamm.Parameter("Initial amorphous fraction [-]")
    return s0, s0 * pybamm.Parameter("Initial amorphous Li filling [-]")


def initial_conditions(st: AnodeStates) -> dict:
    s0, c0 = initial_amorphous_state()
    zero = lambda: pybamm.Scalar(0.0)  # noqa: E731  (one symbol per state)
    return {st.c: c0, st.s: s0, st.h: pybamm.Scalar(1.0), st.chi: zero(), st.y: zero(), st.tr: zero(), st.iso: zero(),
            st.li_iso: zero(), st.relief: zero(), st.delta: pybamm.Parameter("Initial SEI thickness [nm]"), st.c_filtered: initial_amorphous_state()[1]}
