"""The dense Si-composite anode's equations (a builder shared by the half- and full-cell models).

`builder.DenseAnode` holds the states, equations and variables; the half cell (`sizno.models.half_cell`)
and the full cell (`sizno.models.full_cell`) add them to their own PyBaMM models.
"""

from sizno.models.anode.builder import DOMAIN, DenseAnode, anode_geometry, anode_submesh, microscale_time_ratio

__all__ = ["DOMAIN", "DenseAnode", "anode_geometry", "anode_submesh", "microscale_time_ratio"]
