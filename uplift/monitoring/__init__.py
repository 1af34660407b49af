"""Monitoring a model after launch: drift against reference histograms and uplift decay.

Pure numpy/pandas/scipy: every statistic is computed from mergeable counts, so a large period can
be summarised chunk by chunk (or on Spark) and compared with the model's stored reference.
"""

from ._histograms import bin_like, merge_histograms, reference_histograms

__all__ = ["bin_like", "merge_histograms", "reference_histograms"]
