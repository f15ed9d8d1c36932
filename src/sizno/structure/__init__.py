"""Structure: crystal structures, XRD (pymatgen), virtual ex-situ XRD, peak indexing,
d-spacing lookup and Raman bands of the Si–ZnO composite's phases.

Submodules import pymatgen lazily, so ``import sizno.structure`` (and the CLI) stays fast:

- ``structures``: Wyckoff data → pymatgen ``Structure`` (``crystal_structure("Si")``)
- ``xrd``: reflections, Scherrer-broadened patterns, mixtures by mass fraction
- ``exsitu``: phases of pristine / lithiated / delithiated states from the half-cell model → pattern
- ``indexing``: background removal, peak finding, matching against the phase library
- ``dspacing``: fringe spacing → (phase, hkl) and (phase, hkl) → d, 2θ
- ``raman``: band table with sources and lookup
- ``reproduce``: records and figures for ``sizno reproduce``
"""
