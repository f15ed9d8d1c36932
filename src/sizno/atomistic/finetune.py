"""CHGNet fine-tuned on sizno's GPAW points (atomistic.dft_data): split, energy labels, training, errors, the
shipped weights.

- Split: by NEB image ("group": an image and its rattled copies stay together). Held out: the Si(111) saddle
  image (CHGNet's highest Si(111) image) and a random `held_fraction` of the other groups (numpy default_rng(seed)
  over the sorted group names): the same split on every run.
- Energy labels: GPAW's total energies are relative to its own atomic references, CHGNet's to the Materials
  Project's, so absolute energies cannot be compared. Each composition (Si(111) path; Si/ZnO interface) gets one
  offset, the mean of E_DFT - E_CHGNet over its training frames (pretrained CHGNet); labels are E_DFT - offset.
  Energy errors therefore measure energies relative within a composition (what barriers and site energies use).
- Training: CHGNet's own Trainer, with the layers frozen that CHGNet's fine-tuning example freezes (embeddings,
  basis expansions, all but the last atom convolution, bond and angle layers) and the composition model
  (AtomRef) kept; Adam, cosine learning rate, MSE on energy per atom and forces, the last epoch kept (the held-out
  frames never choose anything).
- Shipped: the trained parameters only (a state_dict of the unfrozen tensors, package data
  ``data/atomistic/chgnet_ft_state.pt``) with ``chgnet_ft.json`` (data, split, seed, errors, date); `load_model`
  puts them on the pretrained CHGNet 0.3.0 that ships in the chgnet wheel.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np

STATE = "atomistic/chgnet_ft_state.pt"
META = "atomistic/chgnet_ft.json"
BASE_MODEL = "0.3.0"
HELD_FRACTION = 0.2
SEED = 0
# chosen on an inner split of the training frames (README, "Fine-tuning CHGNet"); never on the held-out ones
EPOCHS = 80
LEARNING_RATE = 3e-3
ENERGY_LOSS_RATIO = 1.0
# CHGNet's fine-tuning example (chgnet examples/fine_tuning.ipynb) freezes these; the readout learns.
FROZEN = ("atom_embedding", "bond_embedding", "angle_embedding", "bond_basis_expansion", "angle_basis_expansion",
          "atom_conv_layers[:-1]", "bond_conv_layers", "angle_layers")


def split(structures: list, seed: int = SEED, held_fraction: float = HELD_FRACTION) -> tuple[list[int], list[int]]:
    """(train, held-out) frame indices, whole NEB images at a time (see the module text)."""
    groups = sorted({s.info["group"] for s in structures})
    si = [s for s in structures if s.info["path"] == "si111" and s.info["rattle"] == 0 and "E_chgnet_rel_eV" in s.info]
    fixed = {max(si, key=lambda s: s.info["E_chgnet_rel_eV"]).info["group"]} if si else set()
    rest = [g for g in groups if g not in fixed]
    n = int(round(held_fraction * len(groups))) - len(fixed)
    rng = np.random.default_rng(seed)
    held = fixed | {rest[i] for i in rng.choice(len(rest), size=max(0, min(n, len(rest))), replace=False)}
    train = [i for i, s in enumerate(structures) if s.info["group"] not in held]
    test = [i for i, s in enumerate(structures) if s.info["group"] in held]
    return train, test


def composition(atoms) -> str:
    return atoms.get_chemical_formula(mode="hill")


def predict(model, structures: list) -> tuple[np.ndarray, list[np.ndarray]]:
    """Total energies [eV] and forces [eV/A] of a CHGNet model on ASE structures."""
    from pymatgen.io.ase import AseAtomsAdaptor

    out_e, out_f = [], []
    for a in structures:
        p = model.predict_structure(AseAtomsAdaptor.get_structure(a), task="ef")
        out_e.append(float(p["e"]) * len(a))
        out_f.append(np.asarray(p["f"], dtype=float))
    return np.asarray(out_e), out_f


def offsets(structures: list, e_model_eV: np.ndarray, train: list[int]) -> dict[str, float]:
    """Per composition: mean over the training frames of E_DFT - E_model [eV]."""
    by: dict[str, list[float]] = {}
    for i in train:
        s = structures[i]
        by.setdefault(composition(s), []).append(s.get_potential_energy() - e_model_eV[i])
    return {c: float(np.mean(v)) for c, v in by.items()}


def labels(structures: list, offs: dict[str, float]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Energy labels E_DFT - offset [eV] and DFT forces [eV/A]."""
    e = np.asarray([s.get_potential_energy() - offs[composition(s)] for s in structures])
    return e, [np.asarray(s.get_forces(), dtype=float) for s in structures]


def errors(structures: list, idx: list[int], e_pred: np.ndarray, f_pred: list, offs: dict[str, float]) -> dict:
    """Energy MAE [meV/atom] and force MAE [eV/A, per component] of predictions on the frames idx."""
    e_lab, f_lab = labels([structures[i] for i in idx], offs)
    n = np.asarray([len(structures[i]) for i in idx])
    de = np.abs(e_pred[idx] - e_lab) / n
    df = np.concatenate([np.abs(f_pred[i] - f).ravel() for i, f in zip(idx, f_lab)]) if idx else np.zeros(0)
    return {"n_frames": len(idx), "energy_mae_meV_per_atom": float(1000 * de.mean()) if idx else None,
            "force_mae_eV_per_A": float(df.mean()) if idx else None}


def base_model():
    """The pretrained CHGNet (weights in the chgnet wheel), on the CPU."""
    import warnings

    from chgnet.model import CHGNet

    from sizno.atomistic.calculators import set_torch_threads

    set_torch_threads()  # torch on the cores the running load leaves free: oversubscribing costs 40x here
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CHGNet.load(model_name=BASE_MODEL, verbose=False, use_device="cpu")


def freeze(model) -> list[str]:
    """Freeze the lower layers (FROZEN); the names of the parameters left to train."""
    for name in FROZEN:
        layer = model.atom_conv_layers[:-1] if name == "atom_conv_layers[:-1]" else getattr(model, name)
        for p in layer.parameters():
            p.requires_grad = False
    for p in model.composition_model.parameters():
        p.requires_grad = False
    return [n for n, p in model.named_parameters() if p.requires_grad]


def train(structures: list, train_idx: list[int], offs: dict[str, float], epochs: int = EPOCHS,
          learning_rate: float = LEARNING_RATE, batch_size: int = 4, seed: int = SEED, model=None,
          work: Path | None = None, energy_loss_ratio: float = ENERGY_LOSS_RATIO):
    """Fine-tune (CHGNet's Trainer) on the training frames; returns (model, trainable names, loss history).
    energy_loss_ratio weighs the energy term (MSE of eV/atom) against the forces' (MSE of eV/A components)."""
    import contextlib
    import sys
    import tempfile

    import torch
    from chgnet.data.dataset import StructureData, collate_graphs
    from chgnet.trainer import Trainer
    from pymatgen.io.ase import AseAtomsAdaptor
    from torch.utils.data import DataLoader

    torch.manual_seed(seed)
    model = model if model is not None else base_model()
    names = freeze(model)
    sub = [structures[i] for i in train_idx]
    e, f = labels(sub, offs)
    gen = torch.Generator().manual_seed(seed)
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(sys.stderr):  # CHGNet prints each epoch
        data = StructureData([AseAtomsAdaptor.get_structure(a) for a in sub], energies=list(e / [len(a) for a in sub]),
                             forces=[x.tolist() for x in f], shuffle=False)
        loader = DataLoader(data, batch_size=batch_size, shuffle=True, collate_fn=collate_graphs, generator=gen)
        evalr = DataLoader(data, batch_size=batch_size, shuffle=False, collate_fn=collate_graphs)
        trainer = Trainer(model=model, targets="ef", optimizer="Adam", scheduler="CosLR", criterion="MSE", epochs=epochs,
                          learning_rate=learning_rate, energy_loss_ratio=energy_loss_ratio, use_device="cpu",
                          print_freq=10**6, torch_seed=seed, data_seed=seed)
        trainer.train(loader, evalr, save_dir=str(work or tmp), train_composition_model=False)
    model.eval()
    return model, names, {k: v["train"] for k, v in trainer.training_history.items()}


def trained_state(model, names: list[str]) -> dict:
    """The trained tensors only (what the shipped file holds)."""
    sd = model.state_dict()
    return {k: sd[k].detach().clone() for k in names}


def save(model, names: list[str], meta: dict, folder: Path) -> tuple[Path, Path]:
    import torch

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    w, j = folder / Path(STATE).name, folder / Path(META).name
    torch.save(trained_state(model, names), w)
    j.write_text(json.dumps({**meta, "weights_file": w.name, "weights_bytes": w.stat().st_size}, indent=1))
    return w, j


def load_meta() -> dict | None:
    ref = resources.files("sizno.data").joinpath(META)
    return json.loads(ref.read_text()) if ref.is_file() else None


def label() -> str:
    """The potential's name in outputs, e.g. 'CHGNet 0.3.0 fine-tuned on 40 GPAW PBE points (2026-11-30)'."""
    m = load_meta() or {}
    return (f"CHGNet {BASE_MODEL} fine-tuned on {m.get('n_train_frames', '?')} GPAW PBE points "
            f"({str(m.get('date', '?'))[:10]})")


def weights_digest() -> str:
    """sha256 (first 16 hex digits) of the shipped weights file, or 'none'."""
    import hashlib

    ref = resources.files("sizno.data").joinpath(STATE)
    return hashlib.sha256(ref.read_bytes()).hexdigest()[:16] if ref.is_file() else "none"


def load_model(state_path: Path | None = None):
    """Pretrained CHGNet 0.3.0 with the fine-tuned tensors (the shipped file, or state_path) put on it."""
    import torch

    model = base_model()
    ref = resources.files("sizno.data").joinpath(STATE) if state_path is None else Path(state_path)
    with resources.as_file(ref) as p:
        state = torch.load(p, map_location="cpu", weights_only=True)
    missing = set(state) - set(model.state_dict())
    if missing:
        raise ValueError(f"fine-tuned weights name tensors CHGNet {BASE_MODEL} lacks: {sorted(missing)[:3]}")
    model.load_state_dict(state, strict=False)
    model.eval()
    return model


def path_profiles(model, nebs: dict) -> dict[str, list[float]]:
    """Energies [eV] of a model at every NEB image of the three paths, relative to each path's start."""
    from sizno.atomistic.crosscheck import PATHS

    out = {}
    for p in PATHS:
        if nebs.get(p) is None:
            continue
        e, _ = predict(model, nebs[p].images)
        out[p] = [float(x - e[0]) for x in e]
    return out


def dft_profiles(nebs: dict, structures: list) -> dict[str, dict[int, float]]:
    """DFT energies [eV] relative to the path's start at the NEB images the data holds (unrattled frames,
    matched by geometry: the channel site starts both interface paths)."""
    from sizno.atomistic.cache import atoms_fingerprint
    from sizno.atomistic.crosscheck import PATHS

    def key(a) -> str:
        b = a.copy()
        b.set_constraint()
        return json.dumps(atoms_fingerprint(b))

    e_by = {key(s): s.get_potential_energy() for s in structures if s.info.get("rattle") == 0}
    out: dict[str, dict[int, float]] = {}
    for p in PATHS:
        if nebs.get(p) is None or key(nebs[p].images[0]) not in e_by:
            continue
        e0 = e_by[key(nebs[p].images[0])]
        out[p] = {i: e_by[key(a)] - e0 for i, a in enumerate(nebs[p].images) if key(a) in e_by}
    return out


def barriers(nebs: dict, structures: list, models: dict) -> dict:
    """Per path: each model's barrier at CHGNet's quick-path geometries (highest image above the start), the DFT
    one where the data holds every image (else the highest DFT image it holds, marked partial)."""
    dft = dft_profiles(nebs, structures)
    out: dict = {}
    for name, model in models.items():
        for p, prof in path_profiles(model, nebs).items():
            out.setdefault(p, {})[f"barrier_{name}_eV"] = max(prof)
            out[p][f"profile_{name}_eV"] = prof
    for p, d in dft.items():
        n = len(nebs[p].images) - (1 if p in ("si111", "along") else 0)  # periodic ends: the start again
        out.setdefault(p, {}).update({"barrier_dft_eV": max(d.values()), "dft_images": len(d),
                                      "dft_complete": len(d) >= n, "profile_dft_eV": {str(k): v for k, v in d.items()}})
    return out


def _errors_by_path(structures: list, idx: list[int], e: np.ndarray, f: list, offs: dict) -> dict:
    out = {"all": errors(structures, idx, e, f, offs)}
    for p in sorted({structures[i].info["path"] for i in idx}):
        out[p] = errors(structures, [i for i in idx if structures[i].info["path"] == p], e, f, offs)
    return out


def run(data_folder: Path | None, out_folder: Path, nebs: dict, epochs: int = EPOCHS,
        learning_rate: float = LEARNING_RATE, seed: int = SEED, held_fraction: float = HELD_FRACTION,
        energy_loss_ratio: float = ENERGY_LOSS_RATIO, progress=lambda m: None) -> dict:
    """Split, errors before, fine-tune, errors after, barriers on CHGNet's quick paths; writes the weights and
    their metadata into out_folder and returns the metadata."""
    import datetime
    import time

    from sizno.atomistic import dft_data
    from sizno.atomistic.dft_points import cpu_s

    data_meta, structures = dft_data.load(data_folder)
    tr, te = split(structures, seed, held_fraction)
    progress(f"{len(structures)} DFT frames: {len(tr)} to train, {len(te)} held out; pretrained CHGNet first")
    base = base_model()
    e0, f0 = predict(base, structures)
    offs = offsets(structures, e0, tr)
    t0, c0 = time.perf_counter(), cpu_s()
    progress(f"fine-tuning ({epochs} epochs)")
    model, names, hist = train(structures, tr, offs, epochs, learning_rate, seed=seed, energy_loss_ratio=energy_loss_ratio)
    wall, cpu = time.perf_counter() - t0, cpu_s() - c0
    e1, f1 = predict(model, structures)
    progress("barriers on CHGNet's quick paths")
    meta = {
        "what": "CHGNet fine-tuned on sizno's GPAW points (see sizno.atomistic.finetune)",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "base_model": f"CHGNet {BASE_MODEL}", "frozen": list(FROZEN), "trained_tensors": len(names),
        "trained_parameters": int(sum(model.state_dict()[n].numel() for n in names)),
        "data": {"dft_label": data_meta["dft_label"], "n_frames": len(structures), "frames": data_meta["frames"],
                 "date": data_meta["provenance"]["date"], "dft_cpu_s_total": data_meta["cpu_s_total"]},
        "split": {"seed": seed, "held_fraction": held_fraction, "rule": "whole NEB images (with their rattled copies); "
                  "the Si(111) saddle image always held out", "held_out_groups": sorted({structures[i].info["group"] for i in te})},
        "n_train_frames": len(tr), "n_held_out_frames": len(te),
        "energy_offsets_eV": offs,
        "training": {"epochs": epochs, "learning_rate": learning_rate, "optimizer": "Adam", "scheduler": "CosLR",
                     "criterion": "MSE on energy per atom and force components", "batch_size": 4,
                     "energy_loss_ratio": energy_loss_ratio, "force_loss_ratio": 1.0,
                     "loss_history_train_mae": hist, "wall_s": wall, "cpu_s": cpu, "kept": "last epoch"},
        "errors_before": {"held_out": _errors_by_path(structures, te, e0, f0, offs),
                          "train": errors(structures, tr, e0, f0, offs)},
        "errors_after": {"held_out": _errors_by_path(structures, te, e1, f1, offs),
                         "train": errors(structures, tr, e1, f1, offs)},
        "barriers_on_chgnet_quick_paths": barriers(nebs, structures, {"chgnet": base, "chgnet_ft": model}),
    }
    save(model, names, meta, out_folder)
    return meta
