"""Monitoring a model after launch: drift against reference histograms and uplift decay.

Pure numpy/pandas/scipy: every drift statistic is computed from mergeable counts, so a large period
can be summarised chunk by chunk (or on Spark) and compared with the model's stored reference.
See ``docs/monitoring.md``.
"""

from ._drift import DEFAULT_THRESHOLDS, AssignmentDrift, assignment_drift, feature_drift, histogram_distances
from ._histograms import bin_like, merge_histograms, reference_histograms

__all__ = [
    "DEFAULT_THRESHOLDS",
    "AssignmentDrift",
    "assignment_drift",
    "bin_like",
    "feature_drift",
    "histogram_distances",
    "merge_histograms",
    "reference_histograms",
]
