"""Bootstrap intervals for any scalar score: resample rows within each arm, whole clusters at a time."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .._literals import IntervalMethod
from ..exceptions import UpliftInputError, UpliftTypeError, UpliftWarning
from ..inference import MIN_VALID_RESAMPLES, Estimate, bootstrap_indices
from ..validation import check_1d, check_consistent_length, keyword_only_from

__all__ = ["score_interval"]



@keyword_only_from("treatment")
def score_interval(
    metric: Callable[..., float], y_true: Any, score: Any, *, treatment: Any, n_resamples: int = 200,
    groups: Any = None, alpha: float = 0.05, random_state: Any = None, sample_weight: Any = None,
    method: IntervalMethod = "percentile", **metric_kwargs: Any,
) -> Estimate:
    """Point estimate of ``metric`` with a bootstrap standard error and confidence interval.

    Parameters
    ----------
    metric : callable
        A score with the signature ``metric(y_true, score, treatment=treatment, **kwargs) -> float``, for
        example :func:`qini_auc_score` or :func:`uplift_at_k`.
    y_true, score, treatment : array-like of shape (n,)
    n_resamples : int, default 200
        At least 10. The percentile interval reads order statistics ``alpha / 2 · (B + 1)`` and
        ``(1 - alpha / 2)(B + 1)``, which needs ``B >= 2 / alpha - 1`` (39 for 95%) to be exact.
    groups : array-like of shape (n,), optional
        Cluster id (customer, household): whole clusters are resampled. Arms are resampled
        separately when every cluster lies in one arm; otherwise clusters are drawn across arms.
    alpha : float, default 0.05
    random_state : int, RandomState or None
    sample_weight : array-like of shape (n,), optional
        Passed to ``metric`` and resampled with the rows.
    method : {"percentile", "normal"}, default "percentile"
        Percentile interval of the resampled scores, or estimate ± z · standard error.
    **metric_kwargs
        Further keyword arguments of ``metric`` (``convention=``, ``k=``, ``control_value=``...).

    Returns
    -------
    Estimate
        ``p_value`` tests "score = 0" (for normalised Qini or uplift areas: no better than random).
        ``n_nan_resamples`` counts the resamples on which ``metric`` was undefined (NaN); they are
        left out, with a warning. A NaN estimate gets a NaN interval, with a warning.

    Raises
    ------
    UpliftInputError
        ``n_resamples`` below 10, or fewer than 10 finite resamples or fewer than half of them
        (the interval would describe only the resamples on which the metric happens to exist).

    See Also
    --------
    uplift.inference.Estimate : What it returns.
    uplift.inference.bootstrap_indices : The resampler.

    Notes
    -----
    Resampling within each arm keeps the arm sizes fixed, as in the experiment's design
    (uplift.inference.bootstrap_indices, the package's one resampler).

    Examples
    --------
    >>> from uplift.datasets import make_uplift_classification
    >>> from uplift.evaluation import qini_auc_score
    >>> data = make_uplift_classification(2000, random_state=0)
    >>> result = score_interval(qini_auc_score, data.y, data.tau, treatment=data.treatment, n_resamples=50,
    ...                         random_state=0)
    >>> result.ci_low < result.estimate < result.ci_high
    True
    """
    if not callable(metric):
        raise UpliftTypeError(f"metric must be a score function such as qini_auc_score; got {metric!r}.")
    if method not in ("percentile", "normal"):
        raise UpliftInputError(f"method must be 'percentile' or 'normal'; got {method!r}.")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer) \
            or n_resamples < MIN_VALID_RESAMPLES:
        raise UpliftInputError(
            f"n_resamples must be an integer of at least {MIN_VALID_RESAMPLES}; got {n_resamples!r}. "
            "The default, 200, gives an interval with nominal coverage."
        )
    y_array = check_1d(y_true, "y_true")
    treatment_array = check_1d(treatment, "treatment")
    score_array = np.asarray(score.to_numpy() if hasattr(score, "to_numpy") else score)
    check_consistent_length(y_true=y_array, score=score_array, treatment=treatment_array)
    weights = None if sample_weight is None else check_1d(sample_weight, "sample_weight")
    if weights is not None:
        metric_kwargs["sample_weight"] = weights
    point = float(metric(y_array, score_array, treatment=treatment_array, **metric_kwargs))
    strata: np.ndarray | None = treatment_array
    group_array = None
    if groups is not None:
        group_array = check_1d(groups, "groups")
        check_consistent_length(y_true=y_array, groups=group_array)
        codes = np.unique(group_array, return_inverse=True)[1].ravel()
        arm_codes = np.unique(treatment_array, return_inverse=True)[1].ravel()
        pairs = np.unique(np.c_[codes, arm_codes], axis=0)
        if len(pairs) != len(np.unique(codes)):
            strata = None
    name = getattr(metric, "__name__", "score")
    if not np.isfinite(point):
        warnings.warn(f"{name} is {point} on these data, so its interval is NaN too.", UpliftWarning, stacklevel=2)
        return Estimate.from_bootstrap(point, np.array([]), alpha, method=method, name=name)
    samples = np.empty(n_resamples)
    with warnings.catch_warnings():
        # a metric undefined on a resample warns each time; they are counted and reported once below
        warnings.simplefilter("ignore", UpliftWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        for b, index in enumerate(bootstrap_indices(len(y_array), n_resamples, strata=strata, groups=group_array,
                                                    random_state=random_state)):
            if weights is not None:
                metric_kwargs["sample_weight"] = weights[index]
            samples[b] = metric(y_array[index], score_array[index], treatment=treatment_array[index], **metric_kwargs)
    result = Estimate.from_bootstrap(point, samples, alpha, method=method, name=name)
    if result.n_nan_resamples:
        warnings.warn(
            f"{name} was undefined (NaN) on {result.n_nan_resamples} of {n_resamples} bootstrap resamples; they are "
            "left out of the standard error and the interval (Estimate.n_nan_resamples).", UpliftWarning,
            stacklevel=2,
        )
    return result
