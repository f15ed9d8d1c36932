"""Atomistics: Li migration barriers (NEB) and interface energies on Si(111) and Si/oxide interfaces.

Light to import: torch, CHGNet and SevenNet load only when a calculator is asked for.
Layers: `calculators` (any ASE calculator by name; CHGNet default, SevenNet cross-check, GPAW DFT with
the presets of `dft`),
`builders` (Si(111) slabs, polar oxide slabs, heterostructures by supercell matching),
`relax`, `neb` (climbing-image NEB), `paths` and `workflows` (the paper's three Li paths, the
interface channel), `dft_points` (resumable DFT single points), `crosscheck` (CHGNet's NEB points
recomputed with DFT; the stored result), `dft_data` (DFT energies and forces for training), `finetune`
(CHGNet fine-tuned on them: the `chgnet-ft` calculator),
`diffusion` (barrier → Arrhenius D). A plain library: it runs no continuum model
(`sizno.lab.transport` and `sizno.lab.screen` carry a barrier on to a capacity).
"""
