"""Lab data: tester files → one tidy Battery Data Format table → per-cycle metrics.

    from sizno.io import read, compute_metrics
    data = read("cell.ndax")                      # any supported tester; format from content
    m = compute_metrics(data, mass_mg=1.0, mass_basis="paper-si")
    data.to_bdf("cell.bdf.csv")

A simulated time series with BDF column names goes in through :func:`from_dataframe`.
"""

__all__ = ["CyclerData", "from_dataframe", "write_bdf", "read", "detect_format", "compute_metrics"]

# names load on first use (PEP 562): `import sizno.io` (and the CLI's --help) stays light
_WHERE = {"CyclerData": "table", "from_dataframe": "table", "write_bdf": "table", "read": "readers",
          "detect_format": "detect", "compute_metrics": "metrics", "CycleMetrics": "metrics"}


def __getattr__(name):
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"sizno.io.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'sizno.io' has no attribute '{name}'")
