"""Uplift on Apache Spark: exact metrics, scoring, planning, training and drift statistics on Spark DataFrames.

Optional: needs ``pip install 'uplift[spark]'`` (PySpark and a Java runtime). ``import uplift`` never
imports this package, and importing it does not import pyspark or start Spark (pyspark is imported
inside the functions that use it). See ``docs/spark.md`` for what runs on the driver and on the
executors.
"""

from ._drift import bin_like, feature_drift
from ._fit import fit
from ._metrics import auc_scores, qini_auc_score, qini_curve, uplift_at_k, uplift_auc_score
from ._plan import SparkCampaignPlan, plan_campaign
from ._score import score, score_batch

__all__ = [
    "SparkCampaignPlan",
    "auc_scores",
    "bin_like",
    "feature_drift",
    "fit",
    "plan_campaign",
    "qini_auc_score",
    "qini_curve",
    "score",
    "score_batch",
    "uplift_at_k",
    "uplift_auc_score",
]
