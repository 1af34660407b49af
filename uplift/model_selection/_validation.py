"""Cross-validation of uplift learners: out-of-fold effects and per-fold scores."""

from __future__ import annotations

import inspect
import logging
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from .._results import Result, jsonable
from .._utils import plain, take
from ..evaluation import get_scorer, get_scorer_names
from ..exceptions import UpliftInputError
from ..learners import BaseUpliftLearner
from ..validation import check_1d, check_consistent_length, check_outcome, check_sample_weight, check_treatment
from ._split import UpliftStratifiedGroupKFold, UpliftStratifiedKFold, check_fold_arms

__all__ = ["CrossValUpliftResult", "cross_val_uplift", "resolve_control_value", "resolve_scoring", "with_control_value"]

logger = logging.getLogger(__name__)

#: A metric in the common argument order of :mod:`uplift.evaluation`:
#: ``f(y_true, score, treatment=treatment) -> float``.
UpliftMetric = Callable[..., float]
Scoring = str | UpliftMetric | Sequence[str | UpliftMetric] | Mapping[str, UpliftMetric]


def resolve_scoring(scoring: Scoring) -> dict[str, UpliftMetric]:
    """Turn a scoring specification into ``{name: metric}``.

    Names are those of :func:`uplift.evaluation.get_scorer` (``"qini_auc"``, ``"qini_auc:sklift"``,
    ``"uplift_auc"``, ``"uplift_at_k:0.3"``, ``"rate:AUTOC"``, ...); a name is kept as the key as
    written. Or any callable ``f(y_true, score, treatment=treatment) -> float``; or a list or dict
    of them.

    Parameters
    ----------
    scoring : str, callable, sequence or mapping
        Metric names (:func:`uplift.evaluation.get_scorer`), callables ``f(y_true, score, treatment=t)``,
        a list of them, or a mapping from name to callable.

    Returns
    -------
    dict of str to callable

    Raises
    ------
    UpliftInputError
        An unknown name (the message lists the valid ones), or an entry that is neither a name nor
        a callable.

    See Also
    --------
    uplift.evaluation.get_scorer : the registry of metric names.

    Examples
    --------
    >>> sorted(resolve_scoring(["qini_auc", "uplift_at_k:0.3"]))
    ['qini_auc', 'uplift_at_k:0.3']
    """
    if isinstance(scoring, str) or callable(scoring):
        items: list[tuple[str, Any]] = [(scoring if isinstance(scoring, str) else _callable_name(scoring), scoring)]
    elif isinstance(scoring, Mapping):
        items = list(scoring.items())
    elif isinstance(scoring, Sequence) and len(scoring) > 0:
        items = [(s if isinstance(s, str) else _callable_name(s), s) for s in scoring]
    else:
        raise UpliftInputError(
            f"scoring must be a metric name {get_scorer_names()}, a callable f(y_true, score, treatment=...), "
            f"or a non-empty list or dict of them; got {scoring!r}."
        )
    resolved: dict[str, UpliftMetric] = {}
    for name, spec in items:
        if isinstance(spec, str):
            resolved[str(name)] = get_scorer(spec)
        elif callable(spec):
            resolved[str(name)] = spec
        else:
            raise UpliftInputError(f"scoring entry {name!r} must be a name or a callable; got {spec!r}.")
    return resolved


def _callable_name(function: Any) -> str:
    return getattr(function, "__name__", type(function).__name__)


def _split_accepts(cv: Any, name: str) -> bool:
    try:
        return name in inspect.signature(cv.split).parameters
    except (TypeError, ValueError):
        return False


def _control_parameters(learner: Any) -> dict[str, Any]:
    """The ``control_value`` parameters of a learner (or of a Pipeline's steps) and their values."""
    get_params = getattr(learner, "get_params", None)
    if get_params is None:
        return {}
    return {key: value for key, value in get_params().items()
            if key == "control_value" or key.endswith("__control_value")}


def resolve_control_value(learner: Any, control_value: Any) -> Any:
    """The control label: ``control_value`` when given, else the learner's own ``control_value``.

    Raises
    ------
    UpliftInputError
        The learner names another control than ``control_value``.
    """
    own = {key: value for key, value in _control_parameters(learner).items() if value is not None}
    for key, value in own.items():
        if control_value is not None and plain(value) != plain(control_value):
            raise UpliftInputError(
                f"control_value={plain(control_value)!r} differs from the learner's {key}={plain(value)!r}; "
                "give the control once (either is enough) or the same label to both."
            )
    if control_value is None and own:
        return next(iter(own.values()))
    return control_value


def with_control_value(learner: Any, control_value: Any) -> Any:
    """``learner`` (a fresh clone) with its unset ``control_value`` parameters set to ``control_value``.

    So the control is given once, to the cross-validation or search, and every fold's learner
    compares the same arms with the same control as the scores do.
    """
    estimator = clone(learner)
    unset = {key: control_value for key, value in _control_parameters(estimator).items() if value is None}
    if unset and control_value is not None:
        estimator.set_params(**unset)
    return estimator


def _resolve_cv(cv: Any, groups: Any, random_state: Any, control_value: Any = None) -> Any:
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if groups is not None:
            return UpliftStratifiedGroupKFold(int(cv), random_state=random_state, control_value=control_value)
        return UpliftStratifiedKFold(int(cv), random_state=random_state, control_value=control_value)
    if isinstance(cv, str | bytes) or not callable(getattr(cv, "split", None)):
        raise UpliftInputError(
            f"cv must be a number of folds or a splitter with a split method (e.g. UpliftStratifiedKFold); "
            f"got {cv!r}."
        )
    return cv


def iter_folds(
    cv: Any, X: Any, y: np.ndarray, treatment: Any, *, groups: Any = None, time: Any = None,
    random_state: Any = None, codes: np.ndarray, n_arms: int, control_value: Any = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The folds of ``cv`` on these rows, each checked to contain every arm in train and test."""
    if isinstance(cv, list | tuple):  # precomputed folds, e.g. shared by every candidate of a search
        folds = [(np.asarray(a), np.asarray(b)) for a, b in cv]
        for fold, (train, test) in enumerate(folds):
            check_fold_arms(fold, len(folds), train, test, codes, n_arms)
        return folds
    splitter = _resolve_cv(cv, groups, random_state, control_value)
    arguments: dict[str, Any] = {}
    if _split_accepts(splitter, "treatment"):
        # a splitter that was not told the control gets the arm codes (control = 0, the smallest)
        arguments["treatment"] = codes if getattr(splitter, "control_value", "") is None else treatment
    if time is not None:
        if not _split_accepts(splitter, "time"):
            raise UpliftInputError(
                f"time= was given but the splitter {type(splitter).__name__} does not use it; pass "
                "cv=UpliftTimeSeriesSplit(...) for a temporal split."
            )
        arguments["time"] = time
    folds = [(np.asarray(a), np.asarray(b)) for a, b in splitter.split(X, y, groups, **arguments)]
    for fold, (train, test) in enumerate(folds):
        check_fold_arms(fold, len(folds), train, test, codes, n_arms)
    return folds


@dataclass(frozen=True, repr=False)
class CrossValUpliftResult(Result):
    """Out-of-fold effects and per-fold scores of one learner.

    Attributes
    ----------
    effect : ndarray of shape (n,) or (n, n_arms)
        Effect predicted for each row by the model that did not see it. Rows that are in no test
        fold (the first period of a temporal split) hold NaN; see ``fold_of_row``.
    fold_of_row : ndarray of int, shape (n,)
        Test fold of each row, -1 for rows never tested.
    fold_scores : DataFrame
        One row per fold: ``fold``, ``n_train``, ``n_test`` and one column per score (with several
        arms, one column per score and arm, e.g. ``qini_auc[arm 2]``).
    folds : list of (train, test)
        Row indices of each fold.
    estimators : list or None
        The fitted learner of each fold when ``return_estimators=True``.
    outcomes : ndarray of shape (n, n_arms + 1) or None
        Out-of-fold ``predict_outcomes`` (control first) when ``return_outcomes=True``, e.g. for
        doubly robust scores (:func:`uplift.evaluation.rate_score`'s ``outcome_predictions``).
    treatment_arms : list
        Labels of the treated arms (column order of ``effect``).
    score_names : list of str
        Columns of ``fold_scores`` that hold scores.

    See Also
    --------
    cross_val_uplift : Computes it.
    """

    effect: np.ndarray
    fold_of_row: np.ndarray
    fold_scores: pd.DataFrame
    folds: list[tuple[np.ndarray, np.ndarray]]
    estimators: list[Any] | None
    treatment_arms: list[Any]
    score_names: list[str]
    outcomes: np.ndarray | None = None

    @property
    def mean_scores(self) -> pd.Series:
        """Mean of each score over the folds."""
        return self.fold_scores[self.score_names].mean()

    @property
    def std_scores(self) -> pd.Series:
        """Standard deviation (ddof=1) of each score over the folds."""
        return self.fold_scores[self.score_names].std(ddof=1)

    def summary(self) -> pd.DataFrame:
        """One row per score: ``score``, ``mean`` and ``std`` (ddof=1) over the folds, ``n_folds``.

        Returns
        -------
        DataFrame
            One row per score.
        """
        return pd.DataFrame({"score": self.score_names, "mean": self.mean_scores.to_numpy(),
                             "std": self.std_scores.to_numpy(), "n_folds": len(self.folds)})

    def __str__(self) -> str:
        lines = [f"{len(self.folds)}-fold cross-validation, {int((self.fold_of_row >= 0).sum())} rows tested."]
        for name in self.score_names:
            mean, sd = self.mean_scores[name], self.std_scores[name]
            lines.append(f"{name}: {mean:.4f} ± {sd:.4f} (sd over folds)")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Mean and sd of each score and the per-fold table (the per-row effects are left out).

        Returns
        -------
        dict
            JSON-ready.
        """
        return jsonable({"n_folds": len(self.folds), "mean_scores": self.mean_scores, "std_scores": self.std_scores,
                         "fold_scores": self.fold_scores.to_dict(orient="list")})

    def _headline(self) -> dict[str, Any]:
        means = self.mean_scores
        return {"n_folds": len(self.folds), **{name: means[name] for name in self.score_names[:3]}}


def cross_val_uplift(
    learner: Any,
    X: Any,
    y: Any,
    *,
    treatment: Any,
    cv: Any = 5,
    groups: Any = None,
    time: Any = None,
    scoring: Scoring = "qini_auc",
    sample_weight: Any = None,
    control_value: Any = None,
    return_estimators: bool = False,
    return_outcomes: bool = False,
    random_state: Any = None,
) -> CrossValUpliftResult:
    """Cross-validate an uplift learner: out-of-fold effects for every row and per-fold scores.

    Parameters
    ----------
    learner : uplift learner
        Any estimator with ``fit(X, y, *, treatment, sample_weight=None)`` and ``predict(X)``
        returning the effect; it is cloned for each fold, never fitted in place.
    X : array-like or DataFrame of shape (n, p)
    y : array-like of shape (n,)
    treatment : array-like of shape (n,)
    cv : int or splitter, default 5
        Number of folds (an :class:`UpliftStratifiedKFold`, or an
        :class:`UpliftStratifiedGroupKFold` when ``groups`` is given, shuffled with
        ``random_state``) or a splitter object (scikit-learn's work too; ``treatment`` is passed to
        splitters whose ``split`` accepts it).
    groups : array-like of shape (n,), optional
        Customer id: no customer is in two folds.
    time : array-like of shape (n,), optional
        Time stamps for :class:`UpliftTimeSeriesSplit`.
    scoring : str, callable, list or dict, default "qini_auc"
        Scores computed on each test fold; see :func:`resolve_scoring`.
    sample_weight : array-like of shape (n,), optional
        Passed to ``learner.fit`` (training rows only).
    control_value : object, optional
        Label of the control arm. Given once, here or as the learner's own ``control_value``:
        each fold's learner and the default splitter are told it.
    return_estimators : bool, default False
        Keep the fitted learner of each fold.
    return_outcomes : bool, default False
        Also collect the out-of-fold ``predict_outcomes(X)`` (expected outcome under the control
        and each arm) of learners that have it.
    random_state : int, RandomState or None
        Seed of the default splitter's shuffle.

    Returns
    -------
    CrossValUpliftResult

    Raises
    ------
    UpliftInputError
        Inputs of different lengths, a fold without some arm (the message names the fold), an
        unknown score.

    See Also
    --------
    UpliftStratifiedKFold : The default folds.
    UpliftSearchCV : A grid search on these folds.
    uplift.evaluation.get_scorer : The metric names of ``scoring``.

    Notes
    -----
    The out-of-fold effect of row ``i`` comes from the learner fitted on the folds that do not
    contain ``i``, so scores computed on ``effect`` are honest: no row's outcome helped rank it
    (cross-fitting, Chernozhukov et al. 2018). Per-fold scores vary with the fold's random
    composition; their spread is a rough, not a calibrated, measure of uncertainty (use
    :func:`uplift.evaluation.score_interval` on ``effect`` for an interval).

    References
    ----------
    Chernozhukov, V. et al. (2018). Double/debiased machine learning for treatment and structural
    parameters. The Econometrics Journal 21(1).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from uplift.datasets import make_uplift_classification
    >>> from uplift.learners import TLearner
    >>> data = make_uplift_classification(2000, random_state=0)
    >>> result = cross_val_uplift(TLearner(outcome_model=LogisticRegression()), data.X, data.y,
    ...                           treatment=data.treatment, cv=3, random_state=0)
    >>> result.effect.shape, list(result.fold_scores.columns)
    ((2000,), ['fold', 'n_train', 'n_test', 'qini_auc'])
    """
    outcome, _ = check_outcome(y)
    n_rows = check_consistent_length(X=X, y=outcome, treatment=check_1d(treatment, "treatment"))
    info = check_treatment(treatment, control_value=resolve_control_value(learner, control_value))
    weights = check_sample_weight(sample_weight, n_rows)
    metrics = resolve_scoring(scoring)
    folds = iter_folds(cv, X, outcome, treatment, groups=groups, time=time, random_state=random_state,
                       codes=info.codes, n_arms=info.n_arms, control_value=info.control_value)
    treatment_array = check_1d(treatment, "treatment")
    effect: np.ndarray | None = None
    outcomes: np.ndarray | None = None
    fold_of_row = np.full(n_rows, -1, dtype=np.intp)
    records, estimators = [], []
    for fold, (train, test) in enumerate(folds):
        estimator = with_control_value(learner, info.control_value)
        fit_arguments: dict[str, Any] = {"treatment": treatment_array[train]}
        if weights is not None:
            fit_arguments["sample_weight"] = weights[train]
        estimator.fit(take(X, train), outcome[train], **fit_arguments)
        X_test = take(X, test)
        if return_outcomes and isinstance(estimator, BaseUpliftLearner):  # both from one pass over its models
            predicted_outcomes, predicted = estimator._predict_outcomes_and_effects(X_test)
        else:
            predicted = np.asarray(estimator.predict(X_test), dtype=np.float64)
            if return_outcomes:
                predicted_outcomes = np.asarray(estimator.predict_outcomes(X_test), dtype=np.float64)
        if effect is None:
            effect = np.full((n_rows, *predicted.shape[1:]), np.nan)
        effect[test] = predicted
        if return_outcomes:
            if outcomes is None:
                outcomes = np.full((n_rows, predicted_outcomes.shape[1]), np.nan)
            outcomes[test] = predicted_outcomes
        fold_of_row[test] = fold
        record: dict[str, Any] = {"fold": fold, "n_train": len(train), "n_test": len(test)}
        record.update(_fold_scores(metrics, outcome[test], predicted, info.codes[test], info.arms))
        records.append(record)
        logger.debug("fold %d of %d scored: %s", fold + 1, len(folds), record)
        if return_estimators:
            estimators.append(estimator)
    if effect is None:
        raise UpliftInputError("cv produced no folds; pass at least two folds.")
    fold_scores = pd.DataFrame.from_records(records)
    score_names = [c for c in fold_scores.columns if c not in ("fold", "n_train", "n_test")]
    return CrossValUpliftResult(
        effect=effect, fold_of_row=fold_of_row, fold_scores=fold_scores, folds=folds,
        estimators=estimators if return_estimators else None,
        treatment_arms=[plain(a) for a in info.arms],
        score_names=score_names, outcomes=outcomes,
    )


def _fold_scores(
    metrics: Mapping[str, UpliftMetric], y_test: np.ndarray, predicted: np.ndarray, codes: np.ndarray,
    arms: np.ndarray,
) -> dict[str, float]:
    """Scores of one test fold; with several arms, each arm is scored on its rows and the control's."""
    if predicted.ndim == 1:
        treated = (codes == 1).astype(np.int64)
        return {name: float(metric(y_test, predicted, treatment=treated)) for name, metric in metrics.items()}
    scores = {}
    for k, arm in enumerate(arms, start=1):
        rows = (codes == 0) | (codes == k)
        for name, metric in metrics.items():
            scores[f"{name}[{arm}]"] = float(metric(y_test[rows], predicted[rows, k - 1],
                                                    treatment=(codes[rows] == k) * 1))
    return scores
