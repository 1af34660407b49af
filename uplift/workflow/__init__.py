"""The campaign workflow on the user's own files: check, train, score, plan, report.

The functions behind ``uplift check | train | score | plan | report``, callable from Python too.
Each reads CSV or Parquet files whose columns are named by the caller, never uses an id-like
column as a feature (and says so), and reports progress through a callback (the command line
draws it as a progress bar; nothing here prints).
"""

from ._steps import (
    LEARNERS,
    CheckResult,
    PlanResult,
    ScoreResult,
    TrainResult,
    check,
    contact_list,
    format_p_value,
    make_learner,
    plan,
    score,
    score_frame,
    train,
)
from ._table import ExperimentTable, id_like_columns, iter_chunks, read_experiment, read_table

__all__ = [
    "LEARNERS",
    "CheckResult",
    "ExperimentTable",
    "PlanResult",
    "ScoreResult",
    "TrainResult",
    "check",
    "contact_list",
    "format_p_value",
    "id_like_columns",
    "iter_chunks",
    "make_learner",
    "plan",
    "read_experiment",
    "read_table",
    "score",
    "score_frame",
    "train",
]
