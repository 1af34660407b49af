"""Evaluation of uplift rankings: tie-aware curves and scores with named conventions, RATE, intervals.

Array code on numpy (pandas only for the per-bin table): this package never imports matplotlib,
xgboost or causalml (a test checks it).
See ``docs/metrics.md`` for the formula of every convention and a conversion table.
"""

from ._calibration import BLPResult, GATESResult, blp_test, dr_pseudo_outcome, gates
from ._checks import Convention, Strategy
from ._chunked import chunked_auc_scores
from ._curves import (
    lift_curve,
    perfect_qini_curve,
    perfect_uplift_curve,
    qini_curve,
    toc_curve,
    uplift_curve,
)
from ._intervals import score_interval
from ._rate import rate_compare, rate_score
from ._scorers import UpliftScorer, get_scorer, get_scorer_names
from ._scores import (
    qini_auc_score,
    treatment_balance_curve,
    uplift_at_k,
    uplift_auc_score,
    uplift_by_percentile,
    weighted_average_uplift,
)

__all__ = [
    "BLPResult",
    "Convention",
    "GATESResult",
    "Strategy",
    "UpliftScorer",
    "blp_test",
    "chunked_auc_scores",
    "dr_pseudo_outcome",
    "gates",
    "get_scorer",
    "get_scorer_names",
    "lift_curve",
    "perfect_qini_curve",
    "perfect_uplift_curve",
    "qini_auc_score",
    "qini_curve",
    "rate_compare",
    "rate_score",
    "score_interval",
    "toc_curve",
    "treatment_balance_curve",
    "uplift_at_k",
    "uplift_auc_score",
    "uplift_by_percentile",
    "uplift_curve",
    "weighted_average_uplift",
]
