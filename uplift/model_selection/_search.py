"""Model selection: a scikit-learn scorer for uplift metrics, and a grid search that needs no routing.

Why both. An uplift score needs the treatment of the *test* rows, and the learner needs the
treatment of the *training* rows. scikit-learn can carry it to both through metadata routing
(:func:`make_uplift_scorer` with ``GridSearchCV``), but only after three opt-ins: the global switch
``sklearn.set_config(enable_metadata_routing=True)``, ``learner.set_fit_request(treatment=True)``
(on the final step when the learner sits in a Pipeline) and ``scorer.set_score_request(treatment=True)``;
and ``GridSearchCV``'s default splitter then stratifies by the outcome alone. Forgetting one opt-in
fails late, inside the search. :class:`UpliftSearchCV` asks for none of this: it takes
``treatment=`` in ``fit``, evaluates every candidate on the same :class:`UpliftStratifiedKFold`
folds, and reports the scores in our conventions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import make_scorer
from sklearn.model_selection import ParameterGrid
from sklearn.utils.validation import check_is_fitted

from ..evaluation import get_scorer
from ..exceptions import UpliftInputError
from ..validation import check_1d, check_outcome, check_treatment
from ._validation import (
    Scoring,
    UpliftMetric,
    cross_val_uplift,
    iter_folds,
    resolve_control_value,
    resolve_scoring,
    with_control_value,
)

__all__ = ["UpliftSearchCV", "make_uplift_scorer"]


def _routing_enabled() -> bool:
    return bool(sklearn.get_config().get("enable_metadata_routing", False))


def make_uplift_scorer(metric: str | UpliftMetric = "qini_auc", *, greater_is_better: bool = True) -> Any:
    """A scikit-learn scorer for an uplift metric, for ``GridSearchCV`` with metadata routing.

    Parameters
    ----------
    metric : str or callable, default "qini_auc"
        A metric name of :func:`uplift.evaluation.get_scorer` (``"qini_auc"``, ``"uplift_at_k:0.3"``,
        ...) or a callable ``f(y_true, score, treatment=treatment) -> float`` such as
        :func:`uplift.evaluation.qini_auc_score`.
    greater_is_better : bool, default True

    Returns
    -------
    scorer
        A scikit-learn scorer calling ``estimator.predict(X)`` (the effect) and the metric with the
        test rows' ``treatment``; it requests ``treatment`` from the routing.

    Raises
    ------
    UpliftInputError
        Unknown metric name; metadata routing off at creation; and, at scoring time, a call
        without ``treatment``.

    See Also
    --------
    UpliftSearchCV : A search that takes ``treatment=`` directly.
    uplift.evaluation.get_scorer : The metric names.

    Notes
    -----
    Use with ``sklearn.set_config(enable_metadata_routing=True)``, the learner's
    ``set_fit_request(treatment=True)`` and a splitter that keeps arms balanced, e.g.
    ``UpliftStratifiedKFold().set_split_request(treatment=True)``; then
    ``GridSearchCV(learner, grid, scoring=scorer, cv=splitter).fit(X, y, treatment=t)``.
    :class:`UpliftSearchCV` does the same without the global switch.

    The scorer is refused while routing is off: ``GridSearchCV`` would then call it without the
    test rows' treatment, catch the error, score every candidate NaN and still report a
    ``best_params_`` (an arbitrary one). Refusing at creation is the one place scikit-learn does
    not swallow the error.

    Examples
    --------
    >>> import sklearn
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     scorer = make_uplift_scorer("uplift_at_k:0.3")
    >>> type(scorer).__name__
    '_Scorer'
    """
    if not _routing_enabled():
        raise UpliftInputError(
            "make_uplift_scorer needs scikit-learn's metadata routing, which is off: without it "
            "GridSearchCV cannot give the scorer the test rows' treatment, and every score would be NaN. "
            "Call sklearn.set_config(enable_metadata_routing=True) (or create the scorer and run the "
            "search inside sklearn.config_context(enable_metadata_routing=True)) and "
            "learner.set_fit_request(treatment=True); or use uplift.model_selection.UpliftSearchCV, "
            "which needs none of this."
        )
    function: UpliftMetric
    if isinstance(metric, str):
        function = get_scorer(metric)
    elif callable(metric):
        function = metric
    else:
        raise UpliftInputError(f"metric must be a name or a callable; got {metric!r}.")

    def uplift_score(y_true: Any, y_pred: Any, treatment: Any = None) -> float:
        if treatment is None:
            raise UpliftInputError(
                "the uplift scorer received no treatment. Enable metadata routing "
                "(sklearn.set_config(enable_metadata_routing=True)), call scorer.set_score_request(treatment=True) "
                "and learner.set_fit_request(treatment=True), and pass treatment= to the search's fit; "
                "or use uplift.model_selection.UpliftSearchCV, which needs none of this."
            )
        return float(function(np.asarray(y_true), np.asarray(y_pred), treatment=np.asarray(treatment)))

    uplift_score.__name__ = getattr(function, "name", getattr(function, "__name__", "uplift_score"))
    scorer = make_scorer(uplift_score, response_method="predict", greater_is_better=greater_is_better)
    return scorer.set_score_request(treatment=True)


class UpliftSearchCV(BaseEstimator):
    """Exhaustive search over learner parameters, scored by uplift metrics on shared folds.

    Parameters
    ----------
    estimator : uplift learner
        Cloned for every candidate and fold.
    param_grid : dict or list of dicts
        As for :class:`sklearn.model_selection.GridSearchCV` (``outcome_model__C`` reaches a
        parameter of a base model).
    scoring : str, callable, list or dict, default "qini_auc"
        See :func:`uplift.model_selection.cross_val_uplift`.
    cv : int or splitter, default 5
        Folds computed once and used for every candidate.
    refit : bool or str, default True
        Refit the best candidate on all rows; with several scores, the name of the one that picks
        the best candidate (default: the first).
    random_state : int, RandomState or None
        Seed of the default splitter.
    control_value : object, optional
        Label of the control arm; given once, here or as the estimator's own ``control_value``.

    Attributes
    ----------
    cv_results_ : dict of arrays
        ``params``, ``mean_test_<score>``, ``std_test_<score>``, ``rank_test_<score>`` and
        ``split<i>_test_<score>``, as in scikit-learn.
    best_index_, best_params_, best_score_
    best_estimator_ : learner
        Refitted on all rows (when ``refit``).

    See Also
    --------
    cross_val_uplift : One learner's cross-validation.
    make_uplift_scorer : A scorer for scikit-learn's own searches.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from uplift.datasets import make_uplift_classification
    >>> from uplift.learners import TLearner
    >>> data = make_uplift_classification(2000, random_state=0)
    >>> search = UpliftSearchCV(TLearner(outcome_model=LogisticRegression()),
    ...                         {"outcome_model__C": [0.01, 1.0]}, cv=3, random_state=0)
    >>> sorted(search.fit(data.X, data.y, treatment=data.treatment).best_params_)
    ['outcome_model__C']
    """

    def __init__(
        self, estimator: Any, param_grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Sequence[Any]]], *,
        scoring: Scoring = "qini_auc", cv: Any = 5, refit: bool | str = True, random_state: Any = None,
        control_value: Any = None,
    ) -> None:
        self.estimator = estimator
        self.param_grid = param_grid
        self.scoring = scoring
        self.cv = cv
        self.refit = refit
        self.random_state = random_state
        self.control_value = control_value

    def fit(
        self, X: Any, y: Any, *, treatment: Any, groups: Any = None, time: Any = None, sample_weight: Any = None,
    ) -> UpliftSearchCV:
        """Score every candidate on the same folds; refit the best on all rows.

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features.
        y : array-like of shape (n,)
            Outcome.
        treatment : array-like of shape (n,)
            Arm of each row.
        groups : array-like of shape (n,), optional
            Customer of each row, for grouped folds.
        time : array-like of shape (n,), optional
            Time of each row, for temporal folds.
        sample_weight : array-like of shape (n,), optional
            Weights of the rows.

        Returns
        -------
        UpliftSearchCV
            ``self``.
        """
        metrics = resolve_scoring(self.scoring)
        outcome, _ = check_outcome(y)
        info = check_treatment(treatment, control_value=resolve_control_value(self.estimator, self.control_value))
        folds = iter_folds(self.cv, X, outcome, check_1d(treatment, "treatment"), groups=groups, time=time,
                           random_state=self.random_state, codes=info.codes, n_arms=info.n_arms,
                           control_value=info.control_value)
        candidates = list(ParameterGrid(self.param_grid))
        if not candidates:
            raise UpliftInputError("param_grid is empty; give at least one parameter value.")
        per_candidate = []
        for params in candidates:
            result = cross_val_uplift(
                clone(self.estimator).set_params(**params), X, outcome, treatment=treatment, cv=folds,
                scoring=metrics, sample_weight=sample_weight, control_value=info.control_value,
            )
            per_candidate.append(result.fold_scores)
        score_names = [c for c in per_candidate[0].columns if c not in ("fold", "n_train", "n_test")]
        results: dict[str, Any] = {"params": candidates}
        for name in score_names:
            table = np.vstack([scores[name].to_numpy() for scores in per_candidate])
            for i in range(table.shape[1]):
                results[f"split{i}_test_{name}"] = table[:, i]
            results[f"mean_test_{name}"] = table.mean(axis=1)
            results[f"std_test_{name}"] = table.std(axis=1)
            order = pd.Series(table.mean(axis=1)).rank(method="min", ascending=False)
            results[f"rank_test_{name}"] = order.to_numpy().astype(np.int64)
        refit_name = self._refit_name(score_names)
        self.cv_results_ = results
        self.scorer_names_ = score_names
        self.n_splits_ = len(folds)
        self.best_index_ = int(np.argmax(results[f"mean_test_{refit_name}"]))
        self.best_params_ = candidates[self.best_index_]
        self.best_score_ = float(results[f"mean_test_{refit_name}"][self.best_index_])
        if self.refit:
            best = with_control_value(self.estimator, info.control_value).set_params(**self.best_params_)
            fit_arguments: dict[str, Any] = {"treatment": treatment}
            if sample_weight is not None:
                fit_arguments["sample_weight"] = sample_weight
            self.best_estimator_ = best.fit(X, outcome, **fit_arguments)
        return self

    def _refit_name(self, score_names: list[str]) -> str:
        if isinstance(self.refit, str):
            if self.refit not in score_names:
                raise UpliftInputError(f"refit={self.refit!r} is not one of the scores {score_names}.")
            return self.refit
        return score_names[0]

    def predict(self, X: Any) -> np.ndarray:
        """Effect predicted by the refitted best learner.

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features.

        Returns
        -------
        ndarray
            As the best learner's ``predict``.
        """
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict(X)
