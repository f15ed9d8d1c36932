"""Structure: crystal structures, XRD (pymatgen), ex-situ phase balance, peak indexing,
d-spacing lookup and Raman bands of the Si–ZnO composite's phases. A plain library: it runs no
model (`sizno.lab.exsitu` runs the half cell for virtual ex-situ XRD).

Submodules import pymatgen lazily, so ``import sizno.structure`` (and the CLI) stays fast:

- ``structures``: Wyckoff data → pymatgen ``Structure`` (``crystal_structure("Si")``)
- ``xrd``: reflections, Scherrer-broadened patterns, mixtures by mass fraction
- ``exsitu``: phases of pristine / lithiated / delithiated states from the half-cell model's state (a mass balance)
- ``indexing``: background removal, peak finding, matching against the phase library
- ``dspacing``: fringe spacing → (phase, hkl) and (phase, hkl) → d, 2θ
- ``raman``: band table with sources and lookup
"""
