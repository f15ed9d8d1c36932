"""Atomistics: Li migration barriers (NEB) and interface energies on Si(111) and Si/oxide interfaces.

Light to import: torch, CHGNet and SevenNet load only when a calculator is asked for.
Layers: `calculators` (any ASE calculator by name; CHGNet default, SevenNet cross-check),
`builders` (Si(111) slabs, polar oxide slabs, heterostructures by supercell matching),
`relax`, `interface` (interface energy), `neb` (climbing-image NEB), `paths` (the paper's three
Li paths), `link` (barrier → Arrhenius → network conductivity → capacity at 5 A/g), `screen`.
"""
