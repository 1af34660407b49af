"""Splitting, cross-validation and model selection that respect the experiment.

- :func:`train_test_split`: one random split stratified by arm × outcome.
- Splitters: :class:`UpliftStratifiedKFold` (stratified by arm × outcome),
  :class:`UpliftStratifiedGroupKFold` (no customer in two folds), :class:`UpliftTimeSeriesSplit`
  (train on earlier periods, test on later ones). Every fold is checked to contain every arm.
- :func:`cross_val_uplift`: out-of-fold effects for every row and per-fold scores.
- :func:`make_uplift_scorer` (for ``GridSearchCV`` with metadata routing) and
  :class:`UpliftSearchCV` (a grid search that takes ``treatment=`` directly).
"""

from __future__ import annotations

from ._search import UpliftSearchCV, make_uplift_scorer
from ._split import (
    UpliftStratifiedGroupKFold,
    UpliftStratifiedKFold,
    UpliftTimeSeriesSplit,
    check_fold_arms,
    train_test_split,
    uplift_strata,
)
from ._validation import CrossValUpliftResult, cross_val_uplift, resolve_scoring

__all__ = [
    "CrossValUpliftResult",
    "UpliftSearchCV",
    "UpliftStratifiedGroupKFold",
    "UpliftStratifiedKFold",
    "UpliftTimeSeriesSplit",
    "check_fold_arms",
    "cross_val_uplift",
    "make_uplift_scorer",
    "resolve_scoring",
    "train_test_split",
    "uplift_strata",
]
