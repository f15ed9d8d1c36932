"""Lab data: tester files → one tidy Battery Data Format table → per-cycle metrics.

    from sizno.io import read, compute_metrics
    data = read("cell.ndax")                      # any supported tester; format from content
    m = compute_metrics(data, mass_mg=1.0, mass_basis="paper-si")
    data.to_bdf("cell.bdf.csv")

A simulated time series with BDF column names goes in through :func:`from_dataframe`.
"""

from sizno.io.table import CyclerData, from_dataframe, write_bdf
from sizno.io.readers import read
from sizno.io.detect import detect_format

__all__ = ["CyclerData", "from_dataframe", "write_bdf", "read", "detect_format", "compute_metrics"]


def __getattr__(name):
    if name in ("compute_metrics", "CycleMetrics"):
        from sizno.io import metrics

        return getattr(metrics, name)
    raise AttributeError(name)
