"""The report writer now lives in :mod:`uplift._report` (shared with the monitoring report)."""

from .._report import Report, write_atomic

__all__ = ["Report", "write_atomic"]
