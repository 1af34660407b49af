"""The campaign workflow on the user's own files: check, train, score, plan, report.

The functions behind ``uplift check | train | score | plan | report``, callable from Python too.
Each reads CSV or Parquet files whose columns are named by the caller, never uses an id-like
column as a feature (and says so), and reports progress through a callback (the command line
draws it as a progress bar; nothing here prints).
"""

from ._check import CheckResult, check
from ._common import format_p_value
from ._plan import PlanResult, contact_list, plan
from ._score import ScoreResult, score, score_frame
from ._table import ExperimentTable, id_like_columns, iter_chunks, read_experiment, read_table
from ._train import LEARNERS, TrainResult, make_learner, train

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
