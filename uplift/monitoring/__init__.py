"""Monitoring a model after launch: drift against reference histograms and uplift decay.

Pure numpy/pandas/scipy: every drift statistic is computed from mergeable counts, so a large period
can be summarised chunk by chunk (or on Spark) and compared with the model's stored reference.
See ``docs/monitoring.md``.
"""

from ._champion import PolicyComparison, compare_policies, retrain_policy
from ._decay import DecayResult, uplift_decay
from ._drift import DEFAULT_THRESHOLDS, AssignmentDrift, assignment_drift, feature_drift, histogram_distances
from ._histograms import bin_like, merge_histograms, reference_histograms
from ._monitor import MonitorReport, monitor

__all__ = [
    "DEFAULT_THRESHOLDS",
    "AssignmentDrift",
    "DecayResult",
    "MonitorReport",
    "PolicyComparison",
    "assignment_drift",
    "bin_like",
    "compare_policies",
    "feature_drift",
    "histogram_distances",
    "merge_histograms",
    "monitor",
    "reference_histograms",
    "retrain_policy",
    "uplift_decay",
]
