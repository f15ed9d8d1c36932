"""Design studies: a design file -> points -> Dask -> one DuckDB store per study (resumable)."""

from sizno.lab.study.design import Design, load_design
from sizno.lab.study.store import Store

__all__ = ["Design", "Store", "load_design"]
