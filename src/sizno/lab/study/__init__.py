"""Design studies: a design file -> points -> Dask -> one DuckDB store per study (resumable)."""

__all__ = ["Design", "Store", "load_design"]


def __getattr__(name):  # PEP 562: `sizno study --help` imports no numpy/pandas
    if name in ("Design", "load_design"):
        from sizno.lab.study import design

        return getattr(design, name)
    if name == "Store":
        from sizno.lab.study.store import Store

        return Store
    raise AttributeError(f"module 'sizno.lab.study' has no attribute '{name}'")
