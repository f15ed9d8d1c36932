"""The paper's half-cell experiments (60 °C and 25 °C) and their records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sizno.experiments.protocols import Protocol, load_protocol
from sizno.experiments.runner import DEFAULT_MESH_POINTS, QUICK_MESH_POINTS, run_half_cell
from sizno.materials.registry import material_names
from sizno.reproduce.records import Record
from sizno.reproduce.reference import ReferenceValue, paper_reference
from sizno.results import RunResult
from sizno.results.observables import first_cycle, rate_capacity

MATERIALS_60C = material_names()  # every material of the registry (the paper's four)
MATERIALS_25C = ("si", "si-zno4")


@dataclass
class HalfCellCampaign:
    """All half-cell runs of the paper twin, keyed by (material, temperature_C)."""

    runs: dict[tuple[str, float], RunResult]
    protocol: Protocol


def run_campaign(quick: bool = False, on_run: Callable[[str], None] | None = None,
                 on_step: Callable[[], None] | None = None) -> HalfCellCampaign:
    """Rate tests (which start with the first cycle at 0.1 A/g) for every material and temperature."""
    protocol = load_protocol("rate-test")
    if quick:
        protocol = protocol.with_repeat(1)
    mesh = QUICK_MESH_POINTS if quick else DEFAULT_MESH_POINTS
    runs = {}
    for temp, mats in ((60.0, MATERIALS_60C), (25.0, MATERIALS_25C)):
        for m in mats:
            if on_run:
                on_run(f"{m} at {temp:g} °C")
            runs[(m, temp)] = run_half_cell(m, protocol, temperature_C=temp, mesh_points=mesh, on_step=on_step)
    return HalfCellCampaign(runs=runs, protocol=protocol)


def _key(material: str) -> str:
    return material.replace("-", "_")


def half_cell_records(campaign: HalfCellCampaign) -> list[Record]:
    """Records for every reference value, plus the model-only ones the issue asks for."""
    ref: dict[str, ReferenceValue] = {r.id: r for r in paper_reference()}
    out: list[Record] = []

    def add(rid: str, model: float, quantity: str, unit: str, role_if_no_paper: str = "validation", note: str = ""):
        r = ref.get(rid)
        out.append(Record(id=rid, quantity=r.quantity if r else quantity, unit=unit,
                          paper=r.value if r else None, model=model, role=r.role if r else role_if_no_paper, note=note))

    for m in MATERIALS_60C:
        fc = first_cycle(campaign.runs[(m, 60.0)])
        for k, unit in (("discharge_mAh_g", "mAh/g"), ("charge_mAh_g", "mAh/g"), ("ice_percent", "%")):
            rid = f"half_cell.first_cycle.{_key(m)}.{k}"
            add(rid, fc[k], f"first-cycle {k.split('_')[0]} at 0.1 A/g", unit, role_if_no_paper="prediction")
    rates = sorted({b.steps[0].current_A_per_g for b in campaign.protocol.blocks})
    def capacity(run: RunResult, rate: float) -> tuple[float, str]:
        """Capacity at `rate` (a step that could not run counts 0, as on a cycler), and why a run stopped."""
        skipped = run.metadata.get("steps_that_could_not_run") or []
        note = f"steps that could not run inside the window: {skipped}. " if skipped else ""
        return rate_capacity(run, rate), note + ("" if run.completed else run.stop_reason)

    for m in MATERIALS_60C:
        for rate in rates:
            rid = f"half_cell.rate.{_key(m)}.{rate:.1f}"
            value, note = capacity(campaign.runs[(m, 60.0)], rate)
            add(rid, value, f"reversible (delithiation) capacity, last cycle at {rate:g} A/g, per g composite, 60 °C",
                "mAh/g", role_if_no_paper="prediction", note=note)
    for m in MATERIALS_25C:
        rid = f"half_cell.room_temperature.{_key(m)}.4.0"
        value, note = capacity(campaign.runs[(m, 25.0)], 4.0)
        if m == "si":
            note = "paper: pure Si 'hardly capable' at 4 A/g, 25 °C. " + note
        add(rid, value, "reversible capacity at 4 A/g, 25 °C, per g composite", "mAh/g", note=note)
    # Fig. S4: Si–ZnO4 has the best rate performance of the Si–ZnOx series
    at5 = {m: rate_capacity(campaign.runs[(m, 60.0)], 5.0) for m in ("si-zno2", "si-zno4", "si-zno8")}
    best = max(at5, key=at5.get)
    out.append(Record(id="half_cell.rate_ordering.5.0", quantity="Si–ZnO4 best of Si–ZnO2/4/8 at 5 A/g (1 = yes)",
                      unit="-", paper=1.0, model=1.0 if best == "si-zno4" else 0.0, role="validation",
                      note=f"model's best: {best}"))
    return out
