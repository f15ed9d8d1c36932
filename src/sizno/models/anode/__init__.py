"""Equations of the dense, electrolyte-free Si-composite anode, shared by half and full cells.

`builder.DenseAnode` composes the submodels: `states` (domain, states, initial values),
`thermodynamics` (OCP and hysteresis), `transport` (conductivities, solid fraction, Li flux),
`reactions` (amorphisation, ZnO conversion, LiZn, trapping), `interface` (contact layer, SEI,
electrode potential), `ageing` (cracking, stress relief) and `variables` (outputs, Li bookkeeping).
The half cell (`sizno.models.half_cell`) and the full cell (`sizno.models.full_cell`) add it to
their PyBaMM models.

One dimension x through the electrode thickness, in the host (pristine) frame: x = 0 is the
interface with the solid electrolyte, where Li+ enters; x = L is the blocking current collector,
where electrons enter. The electrode is a mixed ionic–electronic conductor (MIEC): neutral Li moves
with the ambipolar conductivity sigma_i sigma_e / (sigma_i + sigma_e) down the gradient of its
chemical potential, -F U(x). Phases and their reactions, each with its own potential:

  c-Si  --(Tafel, below U_cSi)-->  a-LixSi          (amorphisation creates storage sites: s)
  a-LixSi  <-->  a-Si                               (OCP with one-state hysteresis: h)
  ZnO + 2 Li --> Zn + Li2O                          (irreversible conversion: chi)
  Zn + Li  <-->  LiZn                               (reversible alloying: y)
  Li (mobile) --> Li (trapped in a-Si)              (saturating trap sites: tr)
  LPSCl + Li --> 2D SEI at x = 0                    (parabolic growth: delta)

Ageing: the volume the Si sheets breathe cracks them off the conducting network. A fraction
k_crack x (volumetric strain) of the still-connected Si is isolated per unit strain, taking its
mobile Li with it (loss of active material and of Li inventory at once); isolated Si no longer
conducts (slower transport) and no longer touches the electrolyte (interface resistance grows).
The sheets still in contact conduct as a percolating network, nothing below a threshold share
(`percolation`). The Zn/LiZn + Li2O network is ductile and coats the sheets; it is assumed to bridge
the cracks, so it conducts in parallel, outside that threshold.

Thickness: the electrode is held laterally by the cell under 300 MPa, so the net volume growth of
its solid goes into thickness, except a fraction beta that fills the pristine voids (bounded by
them). On delithiation the solid shrinks isotropically and leaves cavities (the paper's Fig. 3g):
the thickness follows only the linear contraction, (V/V_max)^(1/3). Re-lithiation refills them.
The thickness needs each point's largest solid volume so far, a history: it is computed from the
model's "Solid fraction [-]" by `sizno.results.thickness` rather than as a (stiff) running-max state.

Li stored is counted in units of the Si alloying capacity (3.75 Li per Si) so every state is O(1).
Micro-scale diffusion inside the Si sheets is left out on purpose: its time constant
(~(0.1 um)^2 / D) is seconds, against hours for the 22 um through-thickness transport
(see `microscale_time_ratio`).
"""

from sizno.models.anode.builder import DenseAnode, microscale_time_ratio
from sizno.models.anode.states import DOMAIN, anode_geometry, anode_submesh

__all__ = ["DOMAIN", "DenseAnode", "anode_geometry", "anode_submesh", "microscale_time_ratio"]
