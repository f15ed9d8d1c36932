"""Records dft.* for `sizno reproduce`: the paper's DFT numbers (validation only) against CHGNet results."""

from __future__ import annotations

from pathlib import Path

from sizno.data import read_toml

_LAST: dict = {}


def _paper() -> dict:
    try:
        return read_toml("reference/paper-values.toml")["dft"]
    except Exception:  # pragma: no cover - reference file lives elsewhere in some checkouts
        import tomllib

        p = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "paper-values.toml"
        return tomllib.loads(p.read_text())["dft"] if p.exists() else {}


def run_all(quick: bool, progress=lambda m: None) -> dict:
    from sizno.atomistic.calculators import get_factory
    from sizno.atomistic.workflows import Settings, si111_barrier
    from sizno.atomistic.screen import interface_channel

    s = Settings(quick=quick)
    f = get_factory("chgnet").load()
    si_neb, si_info = si111_barrier(f, s, progress=progress)
    ch = interface_channel("ZnO", f, s, progress=progress)
    _LAST.update({"si111": si_neb, "si_info": si_info, "channel": ch, "calculator": f.label, "settings": s.as_dict()})
    return _LAST


def reproduce_records(quick: bool) -> list[dict]:
    r = run_all(quick)
    paper = _paper()
    pot = r["calculator"]
    ch = r["channel"]
    best = ch["most_stable"]

    def note(neb, what):
        w = "; ".join(neb.warnings)
        return (f"{pot}; {what}; hop {neb.hop_length_A:.2f} A, {neb.n_images} images, "
                f"{'converged' if neb.converged else 'NOT converged'}" + (f"; {w}" if w else "")
                + "; universal potential: a trend, not DFT")

    recs = [
        {"id": "dft.li_barrier_si111_eV", "quantity": "Li migration barrier on Si(111)", "unit": "eV",
         "paper": paper.get("li_barrier_si111_eV"), "model": r["si111"].barrier_eV, "role": "validation",
         "note": note(r["si111"], f"Si(111)-{r['si_info']['reconstruction']} (paper: 7x7 DAS), lowest site to nearest site")},
        {"id": "dft.li_barrier_along_interface_channel_eV", "quantity": "Li barrier along the Si/ZnO interface channel",
         "unit": "eV", "paper": paper.get("li_barrier_along_interface_channel_eV"), "model": ch["along"].barrier_eV,
         "role": "validation", "note": note(ch["along"], f"most stable heterojunction ({best['termination']} face, {best['registry']})")},
        {"id": "dft.li_barrier_across_interface_channel_eV", "quantity": "Li barrier across the Si/ZnO interface channel",
         "unit": "eV", "paper": paper.get("li_barrier_across_interface_channel_eV"), "model": ch["across"].barrier_eV,
         "role": "validation", "note": note(ch["across"], "interface site into the first open site of ZnO")},
        {"id": "dft.interface_energy", "quantity": "Si(111)/ZnO(001) interface energy, most stable heterojunction",
         "unit": "eV/A^2", "paper": paper.get("interface_energy_eV_per_A2"), "model": best["interface_energy_eV_per_A2"],
         "role": "validation",
         "note": _iface_note(pot, ch)},
    ]
    return recs


def _iface_note(pot: str, ch: dict) -> str:
    hj = ", ".join(f"{h['termination']}-face/{h['registry']} {h['interface_energy_eV_per_A2']:+.3f}" for h in ch["heterojunctions"])
    b = ch["most_stable"]
    return (f"{pot}; (E_tot - E_Si slab - E_ZnO slab)/area, eV per A^2 of interface; heterojunctions: {hj}; "
            f"{b['n_atoms']} atoms, area {b['area_A2']:.1f} A^2, ZnO strained to Si (Si(111) sqrt3 x sqrt3 R30 on ZnO 2x2)")


def reproduce_figures(out_dir) -> list[Path]:
    from sizno.atomistic.neb import write_neb

    out = Path(out_dir)
    if not _LAST:
        run_all(quick=True)
    figs = []
    for stem, neb in (("dft_li_si111", _LAST["si111"]), ("dft_li_along_channel", _LAST["channel"]["along"]),
                      ("dft_li_across_channel", _LAST["channel"]["across"])):
        p = write_neb(neb, out, stem)
        figs.append(Path(p["profile_png"]))
    return figs
