"""BDF tables (.csv, .parquet): the common form itself, units from the labels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sizno.io.detect import Detected
from sizno.io.readers.tables import csv_from_text, from_table, read_text
from sizno.io.table import CyclerData
from sizno.io.text import sniff_encoding


def read_bdf(path: Path, det: Detected) -> CyclerData:
    if det.format == "parquet":
        raw = pd.read_parquet(path)
    else:
        try:
            import pyarrow.csv as pacsv

            with path.open("rb") as fh:
                if sniff_encoding(fh.read(65536)) not in ("utf-8", "utf-8-sig"):
                    raise ValueError("not UTF-8: pandas reads it")
            raw = pacsv.read_csv(path).to_pandas()
        except Exception:  # noqa: BLE001 - fall back to pandas' tolerant parser
            raw = csv_from_text(read_text(path), 0, ",", src=str(path))
    return from_table(raw, path, det, "bdf")
