"""`sizno atomistic screen`: additive oxide → Si/oxide interface → Li barrier along the channel → D → capacity at 5 A/g."""

from __future__ import annotations

from sizno.atomistic import builders
from sizno.atomistic.calculators import CalculatorFactory
from sizno.atomistic.workflows import Settings, interface_channel
from sizno.errors import SiznoInputError
from sizno.lab.transport import predict_capacity


def dft_check(oxide: str, potential: str) -> dict:
    """The stored DFT cross-check of this oxide's interface barriers (atomistic.crosscheck), if one exists:
    the DFT value beside the potential's. Only ZnO (the paper's additive) has one, made on CHGNet's paths."""
    from sizno.atomistic import crosscheck

    stored = crosscheck.load_stored() if oxide == "ZnO" else None
    if not stored:
        return {"dft_check": None}
    out = {"dft_check": {"calculator": stored["dft_label"], "on_paths_of": stored["chgnet"]["calculator"],
                         "date": stored["provenance"]["date"][:10]}}
    for p in ("along", "across"):
        d = stored["paths"].get(p)
        if d:
            out["dft_check"][f"barrier_{p}_dft_eV"] = d["barrier_dft_eV"]
            out["dft_check"][f"barrier_{p}_chgnet_eV"] = d["barrier_chgnet_eV"]
    if potential != "chgnet":
        out["dft_check"]["note"] = f"the DFT check was made on CHGNet's paths, not {potential}'s"
    return out


def screen(oxides: list[str], factory: CalculatorFactory, s: Settings, rate_A_per_g: float = 5.0,
           progress=lambda m: None, on_neb_step=None, with_capacity: bool = True, on_row=None) -> list[dict]:
    """Each oxide's along-channel barrier; ZnO is always computed as the reference of the ratio.
    `on_row(row)` is called with each oxide's row as soon as it is known (partial results)."""
    known = builders.oxide_names()
    for o in oxides:
        if o not in known:
            raise SiznoInputError("--oxide", f"unknown oxide '{o}'", ", ".join(known))
    order = ["ZnO"] + [o for o in oxides if o != "ZnO"]
    # the screen ranks by the along-channel barrier: an oxide with no open site is reported, not fatal
    runs: dict[str, dict] = {}
    rows: dict[str, dict] = {}
    for o in order:
        runs[o] = interface_channel(o, factory, s, progress, on_neb_step, require_across=False)
        if o not in oxides:
            continue
        ref = runs["ZnO"]["along"]
        r = runs[o]
        nb = r["along"]
        row = {"oxide": o, "calculator": factory.label, "potential": factory.name,
               "interface_energy_eV_per_A2": r["most_stable"]["interface_energy_eV_per_A2"],
               "termination": r["most_stable"]["termination"], "registry": r["most_stable"]["registry"],
               "barrier_along_eV": nb.barrier_eV,
               "barrier_across_eV": r["across"].barrier_eV if r["across"] is not None else None,
               "across_note": r["channel_info"].get("across_error", ""),
               "hop_length_A": nb.hop_length_A, "neb_converged": nb.converged, "warnings": nb.warnings}
        row.update(dft_check(o, factory.name))
        if with_capacity:
            row.update(predict_capacity(nb.barrier_eV, ref.barrier_eV, nb.hop_length_A, ref.hop_length_A,
                                             rate_A_per_g=rate_A_per_g))
        row["assumptions"] = ("D = nu a^2/(2d) exp(-Ea/kT), nu = 1e13 Hz, a = NEB hop length, d = 1; the calibrated "
                              "Si-ZnO network conductivity scaled by D_X/D_ZnO; same composite (Si-ZnO4 recipe, same "
                              "network volume fraction) for every oxide")
        rows[o] = row
        if on_row is not None:
            on_row(row)
    return [rows[o] for o in oxides]
