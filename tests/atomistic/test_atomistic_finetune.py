"""Fine-tuning CHGNet on DFT frames: the split, a tiny training run on stand-in labels, the shipped weights."""

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.singlepoint import SinglePointCalculator

pytest.importorskip("chgnet")

from sizno.atomistic import finetune  # noqa: E402


def _frames_for_split():
    out = []
    for path, n_img, e_top in (("si111", 5, 2), ("along", 9, 3), ("across", 6, 2)):
        for i in range(n_img):
            for r in range(3 if path == "si111" else 2):
                a = bulk("Si", "diamond", a=5.43)
                a.info = {"path": path, "image": i, "rattle": r, "group": f"{path}:{i}"}
                if r == 0:
                    a.info["E_chgnet_rel_eV"] = 1.0 if i == e_top else 0.1 * i
                out.append(a)
    return out


def test_split_is_deterministic_by_whole_image_and_holds_out_the_si111_saddle():
    frames = _frames_for_split()
    tr, te = finetune.split(frames, seed=0)
    assert (tr, te) == finetune.split(frames, seed=0)
    assert finetune.split(frames, seed=1) != (tr, te)
    held = {frames[i].info["group"] for i in te}
    assert held.isdisjoint({frames[i].info["group"] for i in tr})
    assert "si111:2" in held  # the highest CHGNet Si(111) image
    assert len(held) == round(0.2 * 20) and sorted(tr + te) == list(range(len(frames)))


def _fake_dft(model, n=3, seed=0):
    """Rattled Si8 cells labelled with CHGNet's energy and forces plus a stiff harmonic term (a stand-in for DFT)."""
    rng = np.random.default_rng(seed)
    e, f = [], []
    frames = []
    for k in range(n):
        a = bulk("Si", "diamond", a=5.43, cubic=True)
        d = rng.normal(0, 0.08, a.positions.shape)
        a.positions += d
        frames.append(a)
    e, f = finetune.predict(model, frames)
    for k, a in enumerate(frames):
        d = a.positions - bulk("Si", "diamond", a=5.43, cubic=True).positions
        a.calc = SinglePointCalculator(a, energy=e[k] + 3.0 * (d**2).sum() - 100.0, forces=f[k] - 6.0 * d)
        a.info = {"path": "si111", "image": k, "rattle": 0, "group": f"si111:{k}"}
    return frames


def test_tiny_finetune_lowers_the_training_error_and_keeps_the_frozen_layers():
    base = finetune.base_model()
    frames = _fake_dft(base)
    idx = [0, 1, 2]
    e0, f0 = finetune.predict(base, frames)
    offs = finetune.offsets(frames, e0, idx)
    assert offs["Si8"] == pytest.approx(np.mean([s.get_potential_energy() - e for s, e in zip(frames, e0)]))
    before = finetune.errors(frames, idx, e0, f0, offs)
    model, names, hist = finetune.train(frames, idx, offs, epochs=4, learning_rate=3e-3, batch_size=3)
    e1, f1 = finetune.predict(model, frames)
    after = finetune.errors(frames, idx, e1, f1, offs)
    assert after["force_mae_eV_per_A"] < before["force_mae_eV_per_A"]
    assert all(np.isfinite(e1)) and len(hist["f"]) == 4
    state = finetune.trained_state(model, names)
    assert names and all(n.startswith(("atom_conv_layers.3", "site_wise", "readout_norm", "mlp", "bond_weights")) for n in names)
    ref = finetune.base_model().state_dict()
    assert all(np.allclose(ref[k].numpy(), v.numpy()) for k, v in model.state_dict().items() if k.startswith("atom_embedding"))
    assert set(state) == set(names)


_meta = finetune.load_meta()


@pytest.mark.skipif(_meta is None, reason="no fine-tuned weights shipped in the package data yet")
def test_shipped_weights_load_and_give_finite_energies_and_forces():
    from sizno.atomistic.calculators import get_factory

    f = get_factory("chgnet-ft")
    assert f.label.startswith("CHGNet 0.3.0 fine-tuned") and str(_meta["n_train_frames"]) in f.label
    a = bulk("Si", "diamond", a=5.43) * (2, 1, 1)
    a.positions[0] += 0.1
    a.calc = f.new()
    assert np.isfinite(a.get_potential_energy()) and np.all(np.isfinite(a.get_forces()))
    b = a.copy()
    b.calc = get_factory("chgnet").new()
    assert not np.allclose(a.get_forces(), b.get_forces(), atol=1e-6)  # the fine-tuned tensors were applied
    for k in ("split", "errors_before", "errors_after", "data", "date", "weights_bytes"):
        assert k in _meta, k
    assert _meta["split"]["seed"] == finetune.SEED
