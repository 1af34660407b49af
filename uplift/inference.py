"""Statistical plumbing shared by diagnostics, learners, metrics and the campaign optimizer.

One place for: the result object of an estimate with its uncertainty (:class:`Estimate`), normal
and percentile intervals, and the resampling of rows for the bootstrap (stratified by arm, grouped
by cluster). Everything that reports a confidence interval in `uplift` goes through here, so there
is one bootstrap, not one per caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.utils import check_random_state

from ._literals import Alternative, check_literal
from ._results import Result, jsonable
from ._utils import plain
from .exceptions import UpliftInputError
from .validation import check_consistent_length, check_outcome, check_treatment, keyword_only_from

__all__ = [
    "ATEResult",
    "Estimate",
    "average_treatment_effect",
    "bootstrap_indices",
    "half_sample_indices",
    "normal_interval",
    "percentile_interval",
]


MIN_VALID_RESAMPLES = 10
"""Fewest finite bootstrap resamples from which :meth:`Estimate.from_bootstrap` reports an interval."""


def _check_alpha(alpha: float) -> float:
    if not (0.0 < float(alpha) < 1.0):
        raise UpliftInputError(f"alpha must be in (0, 1), e.g. 0.05 for a 95% interval; got {alpha!r}.")
    return float(alpha)


def normal_interval(estimate: Any, std_error: Any, alpha: float = 0.05) -> tuple[Any, Any]:
    """Two-sided normal-approximation interval ``estimate ± z_{1-alpha/2} · std_error``.

    Parameters
    ----------
    estimate : float or ndarray
        Point estimate(s).
    std_error : float or ndarray
        Standard error(s), broadcast against ``estimate``.
    alpha : float, default 0.05
        1 - coverage.

    Returns
    -------
    low, high : float or ndarray
        Floats for scalar inputs, arrays otherwise.

    See Also
    --------
    percentile_interval : The bootstrap percentile interval.

    Examples
    --------
    >>> normal_interval(1.0, 0.5, alpha=0.05)
    (0.020018..., 1.979981...)
    """
    z = stats.norm.ppf(1.0 - _check_alpha(alpha) / 2.0)
    low = np.asarray(estimate) - z * np.asarray(std_error)
    high = np.asarray(estimate) + z * np.asarray(std_error)
    if np.ndim(low) == 0:
        return float(low), float(high)
    return low, high


def percentile_interval(samples: np.ndarray, alpha: float = 0.05, axis: int = 0) -> tuple[Any, Any]:
    """Percentile interval of bootstrap ``samples`` along ``axis`` (NaN samples left out).

    The ``alpha / 2`` quantile of ``B`` samples is read at order statistic ``alpha / 2 · (B + 1)``
    (interpolated; numpy's ``method="weibull"``). A fresh draw from the distribution of the
    samples falls between order statistics ``a`` and ``b`` with probability ``(b - a) / (B + 1)``,
    so this interval has coverage ``1 - alpha`` for any ``B`` of at least ``2 / alpha - 1``.
    numpy's default (``1 + p (B - 1)``) covers only ``(1 - alpha)(B - 1) / (B + 1)``: 0.931 at
    ``B = 100``.

    Parameters
    ----------
    samples : ndarray
        Bootstrap samples of a statistic.
    alpha : float, default 0.05
        1 - coverage.
    axis : int, default 0
        The axis of the resamples.

    Returns
    -------
    low, high : float or ndarray
        Floats for one statistic, arrays (the other axes) otherwise.

    See Also
    --------
    normal_interval : The normal-approximation interval.
    bootstrap_indices : The resamples.

    Examples
    --------
    >>> percentile_interval(np.arange(1.0, 40.0), alpha=0.05)
    (1.0, 39.0)
    """
    alpha = _check_alpha(alpha)
    low, high = np.nanquantile(samples, [alpha / 2.0, 1.0 - alpha / 2.0], axis=axis, method="weibull")
    if np.ndim(low) == 0:
        return float(low), float(high)
    return low, high


def _p_value(estimate: float, std_error: float, null_value: float, alternative: str) -> float:
    """Normal-approximation p-value of ``estimate`` against ``null_value`` (NaN without a positive finite SE)."""
    if not (std_error > 0 and np.isfinite(std_error)):
        return float("nan")
    z = (estimate - null_value) / std_error
    if alternative == "greater":
        return float(stats.norm.sf(z))
    if alternative == "less":
        return float(stats.norm.cdf(z))
    return float(2.0 * stats.norm.sf(abs(z)))


@dataclass(frozen=True, repr=False)
class Estimate(Result):
    """A point estimate with its standard error, confidence interval and p-value.

    Attributes
    ----------
    estimate : float
    std_error : float
        NaN when not available.
    ci_low, ci_high : float
        Bounds of the two-sided ``1 - alpha`` interval (NaN when there is none).
    alpha : float
    method : str
        How the interval was obtained (``"normal"``, ``"bootstrap-percentile"``, ...).
    p_value : float
        p-value of the null hypothesis ``null_value`` against ``alternative``; NaN when none is
        available (never None: a None given is stored as NaN).
    null_value : float
        The value the p-value tests.
    name : str
        What is estimated (shown by :meth:`summary` and ``str``).
    n_resamples : int or None
        Bootstrap resamples (or permutations) drawn (None for an estimate that is not a resampling's).
    n_nan_resamples : int
        Resamples whose statistic was NaN or infinite and so were left out of the standard error
        and the interval (for example a resample in which a metric is undefined).
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        The alternative hypothesis of ``p_value``: ``estimate != null_value``, ``estimate >
        null_value`` (one-sided, for example "ranks better than random") or ``estimate <
        null_value``. The interval is two-sided whatever the test.

    See Also
    --------
    normal_interval, percentile_interval : The intervals it reports.
    average_treatment_effect : An estimate per treated arm.

    Examples
    --------
    >>> estimate = Estimate.from_normal(0.0452, 0.0031, name="ATE")
    >>> print(estimate)
    ATE = 0.0452 (95% CI 0.0391 to 0.0513; SE 0.0031; p < 0.001)
    >>> estimate.summary()[["name", "estimate", "alternative"]]
      name  estimate alternative
    0  ATE    0.0452   two-sided
    >>> Estimate.from_normal(0.5, 0.4, alternative="greater").p_value
    0.105...
    """

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    alpha: float = 0.05
    method: str = "normal"
    p_value: float = float("nan")
    null_value: float = 0.0
    name: str = "estimate"
    n_resamples: int | None = None
    n_nan_resamples: int = 0
    alternative: Alternative = "two-sided"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_literal(self.alternative, Alternative, "alternative")
        # "no p-value" is NaN everywhere, never None
        object.__setattr__(self, "p_value", float("nan") if self.p_value is None else float(self.p_value))

    @classmethod
    def from_normal(
        cls, estimate: float, std_error: float, alpha: float = 0.05, *, null_value: float = 0.0,
        name: str = "estimate", alternative: Alternative = "two-sided",
    ) -> Estimate:
        """Estimate with a normal interval and the normal p-value of ``null_value`` against ``alternative``.

        Parameters
        ----------
        estimate : float
            The point estimate.
        std_error : float
            Its standard error.
        alpha : float, default 0.05
            1 - coverage of the interval.
        null_value : float, default 0.0
            The value the p-value tests.
        name : str, default "estimate"
            What is estimated.
        alternative : {"two-sided", "greater", "less"}, default "two-sided"
            The alternative hypothesis of the p-value.

        Returns
        -------
        Estimate
        """
        check_literal(alternative, Alternative, "alternative")
        low, high = normal_interval(estimate, std_error, alpha)
        p_value = _p_value(estimate, std_error, null_value, alternative)
        return cls(float(estimate), float(std_error), low, high, alpha, "normal", p_value, null_value, name,
                   alternative=alternative)

    @classmethod
    def from_bootstrap(
        cls, estimate: float, samples: np.ndarray, alpha: float = 0.05, *, method: str = "percentile",
        null_value: float = 0.0, name: str = "estimate", min_resamples: int = MIN_VALID_RESAMPLES,
        alternative: Alternative = "two-sided",
    ) -> Estimate:
        """Estimate with a bootstrap standard error, a percentile or normal interval and a normal p-value.

        Resamples whose statistic is NaN or infinite are left out and counted in
        ``n_nan_resamples``. A NaN ``estimate`` gives a NaN interval (never a finite interval
        around an undefined estimate).

        Parameters
        ----------
        estimate : float
            The point estimate on the full sample.
        samples : ndarray
            The statistic on each bootstrap resample.
        alpha : float, default 0.05
            1 - coverage of the interval.
        method : {"percentile", "normal"}, default "percentile"
            Percentile interval (:func:`percentile_interval`) or ``estimate ± z·SE``.
        null_value : float, default 0.0
            The value the p-value tests.
        name : str, default "estimate"
            What is estimated.
        min_resamples : int, default 10
            Fewest finite resamples from which an interval is reported.
        alternative : {"two-sided", "greater", "less"}, default "two-sided"
            The alternative hypothesis of the p-value.

        Returns
        -------
        Estimate
            ``std_error`` is the standard deviation of the finite resamples.

        Raises
        ------
        UpliftInputError
            Fewer than ``min_resamples`` finite resamples, or fewer than half of those drawn: the
            interval would describe the few resamples in which the statistic happens to be defined.
        """
        if method not in ("percentile", "normal"):
            raise UpliftInputError(f"method must be 'percentile' or 'normal'; got {method!r}.")
        check_literal(alternative, Alternative, "alternative")
        samples = np.asarray(samples, dtype=np.float64).ravel()
        finite = np.isfinite(samples)
        n_drawn, n_valid = len(samples), int(finite.sum())
        n_nan = n_drawn - n_valid
        nan = float("nan")
        if not np.isfinite(estimate):
            return cls(float(estimate), nan, nan, nan, alpha, f"bootstrap-{method}", nan, null_value, name, n_drawn,
                       n_nan, alternative)
        if n_valid < min_resamples or 2 * n_valid < n_drawn:
            raise UpliftInputError(
                f"only {n_valid} of {n_drawn} bootstrap resamples of {name} gave a finite value; an interval needs "
                f"at least {min_resamples} and at least half of them. The statistic is undefined on many resamples "
                "(for example an arm, or every responder, missing from a resample): pass more rows or more "
                "n_resamples, or a statistic defined on every resample."
            )
        samples = samples[finite]
        std_error = float(np.std(samples, ddof=1))
        if method == "percentile":
            low, high = percentile_interval(samples, alpha)
        else:
            low, high = normal_interval(estimate, std_error, alpha)
        p_value = _p_value(estimate, std_error, null_value, alternative)
        return cls(float(estimate), std_error, float(low), float(high), alpha,
                   f"bootstrap-{method}", p_value, null_value, name, n_drawn, n_nan, alternative)

    @property
    def confidence_level(self) -> float:
        return 1.0 - self.alpha

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the interval.

        Parameters
        ----------
        value : float
            The value to look for, e.g. a true effect.

        Returns
        -------
        bool
        """
        return bool(self.ci_low <= value <= self.ci_high)

    def text(self, digits: int = 4) -> str:
        """One readable line, e.g. ``ATE = 0.0452 (95% CI 0.0391 to 0.0513; SE 0.0031; p < 0.001)``.

        A one-sided p-value says so (``one-sided p = 0.02``); ``str(estimate)`` is ``text(4)``.

        Parameters
        ----------
        digits : int, default 4
            Decimals of the numbers.

        Returns
        -------
        str
        """
        level = f"{100 * self.confidence_level:g}%"
        text = (
            f"{self.name} = {self.estimate:.{digits}f} ({level} CI {self.ci_low:.{digits}f} to "
            f"{self.ci_high:.{digits}f}; SE {self.std_error:.{digits}f}"
        )
        if np.isfinite(self.p_value):
            p = "p < 0.001" if self.p_value < 0.001 else f"p = {self.p_value:.3f}"
            text += f"; {p}" if self.alternative == "two-sided" else f"; one-sided p{p[1:]}"
        if self.n_nan_resamples:
            text += f"; {self.n_nan_resamples} of {self.n_resamples} resamples undefined, left out"
        return text + ")"

    def __str__(self) -> str:
        return self.text()

    def summary(self) -> pd.DataFrame:
        """One row: name, estimate, std_error, ci_low, ci_high, alpha, p_value, null_value, alternative, method.

        Returns
        -------
        DataFrame
            One row.
        """
        return pd.DataFrame([{
            "name": self.name, "estimate": self.estimate, "std_error": self.std_error, "ci_low": self.ci_low,
            "ci_high": self.ci_high, "alpha": self.alpha, "p_value": self.p_value, "null_value": self.null_value,
            "alternative": self.alternative, "method": self.method,
        }])

    def _headline(self) -> dict[str, Any]:
        return {"name": self.name, "estimate": self.estimate, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "p_value": self.p_value, "alternative": self.alternative}


def bootstrap_indices(
    n_samples: int,
    n_resamples: int,
    *,
    strata: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    random_state: Any = None,
) -> Iterator[np.ndarray]:
    """Yield row indices of bootstrap resamples.

    Parameters
    ----------
    n_samples : int
        Number of rows.
    n_resamples : int
        Number of resamples to yield.
    strata : array of shape (n_samples,), optional
        Resample within each stratum (for example the arm), keeping each stratum's size, so that
        every resample has every arm in its original proportion.
    groups : array of shape (n_samples,), optional
        Cluster id (customer, household). Whole clusters are drawn with replacement, which is the
        right bootstrap when rows of one cluster are correlated (Gerber 2008: households). With
        ``strata`` too, clusters are drawn within strata (each cluster must lie in one stratum).
    random_state : int, RandomState or None

    Yields
    ------
    ndarray of int
        Indices into the original rows (with repeats).

    See Also
    --------
    half_sample_indices : Half-samples without replacement.
    Estimate.from_bootstrap : An estimate from the resampled statistics.

    Examples
    --------
    >>> [len(i) for i in bootstrap_indices(5, 2, random_state=0)]
    [5, 5]
    """
    rng = check_random_state(random_state)
    if n_resamples < 1:
        raise UpliftInputError(f"n_resamples must be a positive integer; got {n_resamples!r}.")
    strata_codes = (
        np.zeros(n_samples, dtype=np.intp) if strata is None
        else np.unique(np.asarray(strata), return_inverse=True)[1].ravel()
    )
    if len(strata_codes) != n_samples:
        raise UpliftInputError(f"strata has {len(strata_codes)} rows; expected {n_samples}.")
    if groups is None:
        members = [np.flatnonzero(strata_codes == s) for s in np.unique(strata_codes)]
        for _ in range(n_resamples):
            yield np.concatenate([m[rng.randint(0, len(m), len(m))] for m in members])
        return
    group_values = np.asarray(groups)
    if len(group_values) != n_samples:
        raise UpliftInputError(f"groups has {len(group_values)} rows; expected {n_samples}.")
    if group_values.dtype.kind in "fc" and np.isnan(group_values).any():
        raise UpliftInputError("groups contains NaN; every row needs a cluster id.")
    group_codes = np.unique(group_values, return_inverse=True)[1].ravel()
    order = np.argsort(group_codes, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(group_codes[order])) + 1]
    sizes = np.diff(np.r_[starts, n_samples])
    group_stratum = strata_codes[order[starts]]
    by_stratum = [np.flatnonzero(group_stratum == s) for s in np.unique(group_stratum)]
    for _ in range(n_resamples):
        chosen = np.concatenate([g[rng.randint(0, len(g), len(g))] for g in by_stratum])
        # expand chosen clusters into their rows without a Python loop over clusters
        lengths = sizes[chosen]
        offsets = np.repeat(starts[chosen] - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
        yield order[np.arange(lengths.sum()) + offsets]


def half_sample_indices(
    n_samples: int, n_resamples: int, *, groups: np.ndarray | None = None, random_state: Any = None,
) -> Iterator[np.ndarray]:
    """Yield row indices of half-samples: ``floor(m / 2)`` of the ``m`` clusters, without replacement.

    The half-sample bootstrap of grf (Yadlowsky et al. 2025): the spread of a statistic over
    half-samples estimates its standard error directly, since drawing half the units without
    replacement has the variance of a full sample drawn with replacement. Each row is its own
    cluster when ``groups`` is None.

    Parameters
    ----------
    n_samples : int
        Number of rows.
    n_resamples : int
        Number of half-samples to yield.
    groups : array of shape (n_samples,), optional
        Cluster id of each row: half of the clusters are drawn, with all their rows.
    random_state : int, RandomState or None
        Seed of the draws.

    Returns
    -------
    iterator of ndarray of int
        Row indices of each half-sample.

    See Also
    --------
    bootstrap_indices : The ordinary bootstrap.
    uplift.evaluation.rate_score : Its standard error comes from half-samples.

    Examples
    --------
    >>> [sorted(i.tolist()) for i in half_sample_indices(5, 2, random_state=0)]
    [[0, 2], [0, 2]]
    """
    rng = check_random_state(random_state)
    if n_resamples < 1:
        raise UpliftInputError(f"n_resamples must be a positive integer; got {n_resamples!r}.")
    if groups is None:
        group_codes = np.arange(n_samples)
    else:
        group_values = np.asarray(groups)
        if len(group_values) != n_samples:
            raise UpliftInputError(f"groups has {len(group_values)} rows; expected {n_samples}.")
        if group_values.dtype.kind in "fc" and np.isnan(group_values).any():
            raise UpliftInputError("groups contains NaN; every row needs a cluster id.")
        group_codes = np.unique(group_values, return_inverse=True)[1].ravel()
    n_groups = int(group_codes.max()) + 1 if n_samples else 0
    if n_groups // 2 < 1:
        raise UpliftInputError(
            f"a half-sample needs at least 2 clusters; got {n_groups}. Pass finer groups or more data."
        )
    order = np.argsort(group_codes, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(group_codes[order])) + 1]
    sizes = np.diff(np.r_[starts, n_samples])
    for _ in range(n_resamples):
        chosen = rng.choice(n_groups, n_groups // 2, replace=False)
        lengths = sizes[chosen]
        offsets = np.repeat(starts[chosen] - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
        yield order[np.arange(lengths.sum()) + offsets]


@dataclass(frozen=True, repr=False)
class ATEResult(Result):
    """Average treatment effect of each treated arm versus control (difference in means).

    Attributes
    ----------
    estimates : dict
        Arm label -> :class:`Estimate` of its ATE (Welch SE, normal interval, two-sided p-value).
    control_mean : float
    arm_means : dict
        Arm label -> mean outcome of the arm.
    counts : dict
        Arm label -> rows of the arm.

    See Also
    --------
    average_treatment_effect : Computes it.
    Estimate : The estimate of each arm.
    """

    estimates: dict[Any, Estimate]
    control_mean: float
    arm_means: dict[Any, float]
    counts: dict[Any, int]

    def summary(self) -> pd.DataFrame:
        """One row per treated arm: ``arm, n, mean`` and the estimate's columns (:meth:`Estimate.summary`).

        Returns
        -------
        DataFrame
            One row per treated arm.
        """
        rows = [{"arm": arm, "n": self.counts[arm], "mean": self.arm_means[arm],
                 **est.summary().iloc[0].to_dict()} for arm, est in self.estimates.items()]
        return pd.DataFrame(rows)

    def __str__(self) -> str:
        lines = [f"Control mean {self.control_mean:.4f}."]
        for arm, est in self.estimates.items():
            lines.append(f"Arm {arm!r} (mean {self.arm_means[arm]:.4f}, n = {self.counts[arm]}): {est}")
        return " ".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"control_mean": self.control_mean,
                         "arms": {a: {"mean": self.arm_means[a], "n": self.counts[a], **e.to_dict()}
                                  for a, e in self.estimates.items()}})

    def _headline(self) -> dict[str, Any]:
        return {"control_mean": self.control_mean,
                **{f"ate[{arm}]": est.estimate for arm, est in list(self.estimates.items())[:3]}}


@keyword_only_from("treatment")
def average_treatment_effect(
    y: Any, *, treatment: Any, control_value: Any = None, alpha: float = 0.05
) -> ATEResult:
    """Difference-in-means ATE of each arm versus control with a normal-approximation CI.

    Parameters
    ----------
    y : array-like of shape (n,)
        Observed outcome.
    treatment : array-like of shape (n,)
        Arm of each row.
    control_value : object, optional
        Label of the control arm (default: the smallest label).
    alpha : float, default 0.05
        1 - coverage of the intervals.

    Returns
    -------
    ATEResult
        An :class:`Estimate` per treated arm, and the arm means and counts.

    See Also
    --------
    uplift.diagnostics.check_experiment : Runs it with the other experiment checks.
    uplift.learners.BaseUpliftLearner.ate_interval : A learner's bootstrap interval of the average effect.

    Notes
    -----
    ``ATE_k = mean(y | arm k) - mean(y | control)`` with ``SE = sqrt(s_k^2/n_k + s_0^2/n_0)``
    (Welch; unbiased under randomization, Neyman 1923). Valid only in a randomized experiment.

    Examples
    --------
    >>> result = average_treatment_effect([0, 1, 0, 1, 1, 1], treatment=[0, 0, 0, 1, 1, 1])
    >>> round(result.estimates[1].estimate, 4)
    0.6667
    """
    outcome, _ = check_outcome(y)
    check_consistent_length(y=outcome, treatment=treatment)
    info = check_treatment(treatment, control_value=control_value, min_rows_per_arm=2)
    control = outcome[info.codes == 0]
    estimates, means, counts = {}, {}, {}
    for k, arm in enumerate(info.arms, start=1):
        treated = outcome[info.codes == k]
        effect = treated.mean() - control.mean()
        se = np.sqrt(treated.var(ddof=1) / len(treated) + control.var(ddof=1) / len(control))
        key = plain(arm)
        estimates[key] = Estimate.from_normal(effect, se, alpha, name="ATE")
        means[key] = float(treated.mean())
        counts[key] = len(treated)
    return ATEResult(estimates, float(control.mean()), means, counts)
