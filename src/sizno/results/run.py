"""The one result type: a time series and a per-cycle table, with units in every column name.

Time-series columns follow the Battery Data Format (BDF) machine names where one exists
(`test_time_second`, `voltage_volt`, `current_ampere` with positive = charging the cell, so
lithiating the Si electrode of a half cell is negative), plus sizno's half-cell columns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sizno.errors import SiznoInputError
from sizno.results.states import STATE_NAMES


# "steps_not_run": the cycle's steps that could not start (their cut-off was met at once), e.g.
# "lithiation, delithiation"; empty when every step ran
_STATES = STATE_NAMES  # x-averaged, end of cycle
HALF_CELL_CYCLE_COLUMNS = (
    "cycle_index", "block_index", "block_label", "current_A_per_g",
    "lithiation_capacity_mAh", "delithiation_capacity_mAh",
    "lithiation_capacity_mAh_per_g", "delithiation_capacity_mAh_per_g", "coulombic_efficiency_percent",
    "lithiation_mean_voltage_V", "delithiation_mean_voltage_V",
    "thickness_after_lithiation_um", "thickness_after_delithiation_um", *_STATES, "steps_not_run",
)
CYCLE_COLUMNS = HALF_CELL_CYCLE_COLUMNS
# full cells: capacities per gram of NCM811; thickness is the Si electrode's
FULL_CELL_CYCLE_COLUMNS = (
    "cycle_index", "block_index", "block_label", "c_rate",
    "charge_capacity_mAh", "discharge_capacity_mAh",
    "charge_capacity_mAh_per_g", "discharge_capacity_mAh_per_g", "coulombic_efficiency_percent",
    "charge_mean_voltage_V", "discharge_mean_voltage_V",
    "thickness_after_charge_um", "thickness_after_discharge_um", *_STATES, "steps_not_run",
)


def _is_number(v: Any) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


@dataclass
class RunResult:
    """What a simulation (or a measured file) produced."""

    timeseries: pd.DataFrame
    cycles: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)
    completed: bool = True
    stop_reason: str = ""

    def cycle_value(self, cycle_index: int, column: str) -> float:
        row = self.cycles.loc[self.cycles["cycle_index"] == cycle_index]
        if row.empty:
            raise KeyError(f"cycle {cycle_index} not in result (has {len(self.cycles)})")
        return float(row[column].iloc[0])

    def last_cycle_of_block(self, block_index: int) -> pd.Series:
        rows = self.cycles.loc[self.cycles["block_index"] == block_index]
        if rows.empty:
            raise KeyError(f"block {block_index} not reached")
        return rows.iloc[-1]

    def step_state(self, cycle_index: int, step_type: str, at: str = "end") -> dict[str, float]:
        """The model's state at the start or end of the `step_type` step ('lithiation',
        'delithiation', 'charge', 'discharge', 'rest') of cycle `cycle_index`: the last (or first)
        time-series row of that step, as {column: value} (x-averaged state columns, charge, time).

        Where the time series does not hold that cycle (not kept), the end of the cycle's closing
        step (delithiation in a half cell) falls back to the cycle table's end-of-cycle state.
        """
        if at not in ("start", "end"):
            raise SiznoInputError("at", f"got '{at}'", "start, end")
        ts = self.timeseries
        kept = not ts.empty and "cycle_count" in ts and bool((ts["cycle_count"] == cycle_index).any())
        if kept:
            rows = ts.loc[(ts["cycle_count"] == cycle_index) & (ts["step_type"] == step_type)]
            if not rows.empty:
                steps = rows["step_count"]
                first, last = int(steps.min()), int(steps.max())
                row = rows.loc[steps == (first if at == "start" else last)].iloc[0 if at == "start" else -1]
                return {k: float(v) for k, v in row.items() if _is_number(v)}
        # a cycle whose time series was not kept: the cycle table holds the state at the end of the
        # cycle, i.e. after the step named in its 6th column (delithiation in a half cell)
        closing = self.cycles.columns[5].removesuffix("_capacity_mAh") if len(self.cycles.columns) > 5 else None
        if not kept and at == "end" and step_type == closing and cycle_index in set(self.cycles["cycle_index"]):
            row = self.cycles.loc[self.cycles["cycle_index"] == cycle_index].iloc[0]
            return {k: float(row[k]) for k in _STATES if k in row}
        raise SiznoInputError("state", f"no {step_type} step in cycle {cycle_index} of this result",
                              f"cycles 1..{len(self.cycles)} with a {step_type} step that ran")

    def summary(self) -> dict[str, Any]:
        return {
            "metadata": self.metadata,
            "completed": self.completed,
            "stop_reason": self.stop_reason,
            "cycles": self.cycles.to_dict(orient="records"),
        }

    def write(self, path: Path) -> list[Path]:
        """Write the time series (Parquet or CSV by suffix) and the cycle table beside it."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        ts = self.timeseries
        if path.suffix == ".parquet":
            ts.to_parquet(path, index=False)
        elif path.suffix == ".csv":
            ts.to_csv(path, index=False)
        else:
            raise SiznoInputError("--output", f"unsupported file type '{path.suffix}'", ".parquet or .csv")
        cyc = path.with_name(path.stem + "-cycles.csv")
        self.cycles.to_csv(cyc, index=False)
        meta = path.with_name(path.stem + "-metadata.json")
        meta.write_text(json.dumps({"metadata": self.metadata, "completed": self.completed,
                                    "stop_reason": self.stop_reason}, indent=2, default=str))
        return [path, cyc, meta]
