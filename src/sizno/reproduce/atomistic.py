"""The Atomistic area of `sizno reproduce`: records dft.* (the paper's DFT numbers, validation only)
against CHGNet results, and the NEB profile figures."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Sequence

from sizno.atomistic.calculators import get_factory
from sizno.atomistic.neb import write_neb
from sizno.atomistic.workflows import Settings, interface_channel, si111_barrier
from sizno.data import read_toml


def _paper() -> dict:
    """The [dft] table of data/reference/paper-values.toml."""
    return read_toml("reference/paper-values.toml")["dft"]


def cross_check_calculators(quick: bool, requested: Sequence[str] | None = None) -> list[str]:
    """Second potentials run beside CHGNet: `requested` (names; 'none' for none), else SevenNet in full
    runs and none in --quick runs (SevenNet is ~3x slower than CHGNet on the CPU)."""
    if requested is None:
        requested = [] if quick else ["sevennet"]
    return [x.strip() for x in requested if x.strip() and x.strip().lower() != "none"]


def run_one(name: str, quick: bool, progress=lambda m: None) -> dict:
    """The paper's three Li paths and four heterojunctions with one calculator."""
    s = Settings(quick=quick)
    f = get_factory(name).load()
    t0 = time.perf_counter()
    si_neb, si_info = si111_barrier(f, s, progress=progress)
    t1 = time.perf_counter()
    ch = interface_channel("ZnO", f, s, progress=progress)
    t2 = time.perf_counter()
    return {"si111": si_neb, "si_info": si_info, "channel": ch, "calculator": f.label, "settings": s.as_dict(),
            "seconds": {"si111": t1 - t0, "interface": t2 - t1}}


def run_all(quick: bool, cross_check: Sequence[str] | None = None, progress=lambda m: None) -> dict:
    """CHGNet's run (`run_one`) with each cross-check calculator's beside it under "cross_check"."""
    r = run_one("chgnet", quick, progress)
    r["cross_check"] = {}
    for name in cross_check_calculators(quick, cross_check):
        try:
            r["cross_check"][name] = run_one(name, quick, progress)
        except Exception as exc:  # the cross-check never hides CHGNet's records; its failure is stated
            r["cross_check"][name] = {"error": f"{type(exc).__name__}: {exc}"}
    return r


def _neb_conv(neb, chain: bool = False) -> str:
    w = "; ".join(neb.warnings)
    head = (f"{neb.n_images} points between the ends over the hops' NEBs (each the highest climbing), net hop"
            if chain else f"NEB {neb.n_images} images, the highest climbing, hop")
    return (f"{head} {neb.hop_length_A:.2f} A, reverse barrier "
            f"{neb.reverse_barrier_eV:.3f} eV, reaction energy {neb.reaction_energy_eV:+.3f} eV, "
            + (f"converged (fmax {neb.fmax_eV_per_A:.3f} eV/A, {neb.steps} steps)" if neb.converged
               else f"NOT converged (fmax {neb.fmax_eV_per_A:.3f} eV/A after {neb.steps} steps)")
            + (f"; {w}" if w else ""))


def _route_txt(route: list[dict]) -> str:
    hops = ", ".join(f"{h['from_site']}->{h['to_site']} {h['hop_A']:.2f} A saddle {h['saddle_eV']:+.3f} eV"
                     + ("" if h["converged"] else " NOT converged") for h in route)
    return f"{len(route)} hops: {hops}"


def _cross(r: dict, pick) -> str:
    parts = []
    for name, c in r.get("cross_check", {}).items():
        if "error" in c:
            parts.append(f"cross-check {name} failed: {c['error']}")
            continue
        try:
            neb = pick(c)
            parts.append(f"cross-check {c['calculator']}: {neb.barrier_eV:.3f} eV"
                         + ("" if neb.converged else " (NEB not converged)"))
        except Exception as exc:  # pragma: no cover
            parts.append(f"cross-check {name}: {exc}")
    return ("; " + "; ".join(parts)) if parts else ""


def _cell_iface(best: dict, settings: dict) -> str:
    return (f"Si(111)-1x1 sqrt3 x sqrt3 R30 ({settings['si_bilayers']} bilayers, H-passivated fixed bottom) / "
            f"ZnO(0001) 2x2 ({settings['oxide_units']} units, strained +2.3 % to Si), {best['termination']}-face "
            f"{best['registry']} registry (the most stable), {best['n_atoms']} + 1 Li atoms, {settings['vacuum_A']:g} A vacuum")


def path_nebs(r: dict) -> dict:
    """The three paths' NEB results of a `run_all` result, by path name (atomistic.crosscheck's names)."""
    return {"si111": r["si111"], "along": r["channel"]["along"], "across": r["channel"]["across"]}


def live_dft_check(r: dict, progress=lambda m: None) -> dict:
    """The DFT cross-check run now on this run's CHGNet paths (GPAW single points: hours on 2 cores), in the
    form of the stored one."""
    import datetime

    from sizno.atomistic import crosscheck

    res = crosscheck.run(path_nebs(r), progress=progress)
    return {"paths": res["paths"], "dft_label": res["dft_label"],
            "provenance": {"date": datetime.date.today().isoformat() + " (this run)"}}


def _dft_notes(r: dict, dft_check: dict | None) -> dict[str, str]:
    """Per path, the DFT value beside CHGNet's: `dft_check` (live_dft_check), else the stored cross-check."""
    from sizno.atomistic import crosscheck

    stored = dft_check if dft_check is not None else crosscheck.load_stored()
    out = {}
    for p, neb in path_nebs(r).items():
        t = crosscheck.note(p, stored, None if neb is None else neb.barrier_eV)
        out[p] = f"; {t}" if t else "; no DFT check stored for this path"
    return out


def atomistic_records(r: dict, dft_check: dict | None = None) -> list[dict]:
    """The four dft.* records from a `run_all` result; each barrier's note has the DFT check beside it
    (`dft_check` from live_dft_check, else the one stored in the package data)."""
    dftn = _dft_notes(r, dft_check)
    paper = _paper()
    pot = r["calculator"]
    st = r["settings"]
    ch = r["channel"]
    best = ch["most_stable"]
    ci = ch["channel_info"]
    si = r["si_info"]
    relax_txt = f"relaxations fmax {st['fmax']} eV/A (<= {st['relax_steps']} steps)"
    trend = f"model value by {pot}, a universal potential (a trend, not DFT)"
    si_cell = (f"Si(111)-{si['reconstruction']} (paper: 7x7 DAS), {st['si_bilayers']} bilayers, H-passivated fixed bottom, "
               f"{si['slab_atoms']} + 1 Li atoms, {st['vacuum_A']:g} A vacuum; reconstruction "
               f"{'kept' if si['reconstruction_kept'] else 'NOT kept'} under relaxation (top-layer coordination "
               f"{si['top_coordination_before']} -> {si['top_coordination_after']}); slab relaxation "
               f"{'converged' if si['slab_relax_converged'] else 'NOT converged'}")
    recs = [
        {"id": "dft.li_barrier_si111_eV", "quantity": "Li migration barrier on Si(111)", "unit": "eV",
         "paper": paper.get("li_barrier_si111_eV"), "model": r["si111"].barrier_eV, "role": "validation",
         "note": (f"{pot}; {si_cell}; long-range migration: the lowest of {si['sites_found']} adsorption sites "
                  f"to its own periodic image one cell on ({r['si111'].hop_length_A:.2f} A; the highest saddle on the way)"
                  f"{', start moved to a lower site found on the path' if si.get('start_site_refined') else ''}; {relax_txt}; {_neb_conv(r['si111'])}{_cross(r, lambda c: c['si111'])}{dftn['si111']}; {trend}")},
        {"id": "dft.li_barrier_along_interface_channel_eV", "quantity": "Li barrier along the Si/ZnO interface channel",
         "unit": "eV", "paper": paper.get("li_barrier_along_interface_channel_eV"), "model": ch["along"].barrier_eV,
         "role": "validation",
         "note": (f"{pot}; {_cell_iface(best, st)}; long-range migration in the channel: the lowest of "
                  f"{ci['channel_sites_found']} channel sites to "
                  f"its own periodic image one cell on ({ci['along_shift_A']:.2f} A), routed through the other "
                  f"channel sites ({_route_txt(ci['along_route'])}; one NEB per hop from an IDPP start, the barrier "
                  f"is the highest saddle on the way)"
                  f"{', start moved to a lower site found on the path' if ci.get('start_site_refined') else ''}; "
                  f"{relax_txt}; {_neb_conv(ch['along'], chain=True)}{_cross(r, lambda c: c['channel']['along'])}{dftn['along']}; {trend}")},
        {"id": "dft.li_barrier_across_interface_channel_eV", "quantity": "Li barrier across the Si/ZnO interface channel",
         "unit": "eV", "paper": paper.get("li_barrier_across_interface_channel_eV"), "model": ch["across"].barrier_eV,
         "role": "validation",
         "note": (f"{pot}; {_cell_iface(best, st)}; lowest channel site (z {ci['channel_site_z_A']:.2f} A) "
                  f"perpendicular out of the channel through the ZnO's first double layer into its first open "
                  f"interstitial ("
                  f"{'relaxed from a lower point met on the first across NEB, ' if ci.get('oxide_site_refined') else 'octahedral site of the empty C column, '}"
                  f"z {ci['oxide_site_z_A']:.2f} A; vertical "
                  f"{ci['across_hop_vertical_A']:+.2f} A, lateral {ci['across_hop_lateral_A']:.2f} A; that site lies "
                  f"{ci['oxide_site_minus_channel_site_eV']:+.3f} eV from the channel site); the oxide side, not the Si "
                  f"side, is the open one; {relax_txt}; {_neb_conv(ch['across'])}"
                  f"{_cross(r, lambda c: c['channel']['across'])}{dftn['across']}; {trend}")},
        {"id": "dft.interface_energy", "quantity": "Si(111)/ZnO(001) interface energy, most stable heterojunction",
         "unit": "eV/A^2", "paper": paper.get("interface_energy_eV_per_A2"), "model": best["interface_energy_eV_per_A2"],
         "role": "validation", "note": _iface_note(pot, ch, st, r)},
    ]
    return recs


def _iface_note(pot: str, ch: dict, st: dict, r: dict) -> str:
    hj = ", ".join(f"{h['termination']}-face/{h['registry']} {h['interface_energy_eV_per_A2']:+.4f} eV/A^2 "
                   f"({h['interface_energy_J_per_m2']:+.2f} J/m^2{'' if h['converged'] else ', NOT converged'})"
                   for h in ch["heterojunctions"])
    b = ch["most_stable"]
    cross = []
    for name, c in r.get("cross_check", {}).items():
        if "error" not in c:
            cb = c["channel"]["most_stable"]
            cross.append(f"cross-check {c['calculator']}: {cb['interface_energy_eV_per_A2']:+.4f} eV/A^2 "
                         f"({cb['termination']}-face/{cb['registry']})")
    return (f"{pot}; (E_tot - E_Si slab - E_ZnO slab)/area, each part relaxed alone in the same cell, negative = "
            f"binding; {len(ch['heterojunctions'])} heterojunctions (both polar faces x top/hollow registry): {hj}; "
            f"{b['n_atoms']} atoms, area {b['area_A2']:.1f} A^2, Si unstrained, ZnO strained +2.3 % to Si "
            f"(Si(111) sqrt3 x sqrt3 R30 on ZnO 2x2), {st['si_bilayers']} Si bilayers, {st['oxide_units']} ZnO units; "
            f"relaxations fmax {st['fmax']} eV/A"
            + (f"; {'; '.join(cross)}" if cross else "")
            + "; the paper's -0.43 eV/A^2 would be -6.9 J/m^2, far beyond usual interface energies (0.1-2 J/m^2): "
              "its unit may be J/m^2; universal potential: a trend, not DFT")


def atomistic_figures(r: dict, out_dir: Path) -> list[Path]:
    """The NEB energy profiles (PNG, with the images as extxyz) of the three paths of a `run_all` result."""
    out = Path(out_dir)
    figs = []
    for stem, neb in (("dft_li_si111", r["si111"]), ("dft_li_along_channel", r["channel"]["along"]),
                      ("dft_li_across_channel", r["channel"]["across"])):
        p = write_neb(neb, out, stem)
        figs.append(Path(p["profile_png"]))
    return figs
