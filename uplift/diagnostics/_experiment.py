"""Experiment checks: is the randomized experiment sound enough to trust its effects?

Run these before any model. A sample-ratio mismatch, covariates that differ between arms, or a
treatment that can be predicted from the features all say the same thing: the arms are not
comparable, and every uplift estimate built on them is biased.

All functions return result objects (:class:`uplift._results.Result`): ``summary()`` a table,
``str(result)`` a readable text, ``to_dict()`` JSON-ready; nothing here prints.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import check_random_state

from .._literals import Verdict
from .._results import Result, jsonable
from .._utils import plain
from ..exceptions import UpliftInputError
from ..inference import ATEResult, Estimate, average_treatment_effect
from ..validation import (
    check_consistent_length,
    check_features,
    check_treatment,
    keyword_only_from,
)

__all__ = [
    "BalanceResult",
    "ExperimentReport",
    "PredictabilityResult",
    "SRMResult",
    "check_experiment",
    "covariate_balance",
    "roc_auc_with_se",
    "srm_test",
    "treatment_predictability",
]



# --------------------------------------------------------------------------- sample ratio


@dataclass(frozen=True, repr=False)
class SRMResult(Result):
    """Sample-ratio-mismatch test: observed rows per arm against the intended allocation.

    Attributes
    ----------
    arms : list
        Arm labels, sorted.
    counts : ndarray
        Rows per arm.
    expected_counts : ndarray
        Rows per arm under the intended allocation.
    statistic : float
        Pearson's chi-square statistic.
    df : int
        Its degrees of freedom (arms - 1).
    p_value : float
        p-value of the chi-square test.
    alpha : float
        Level below which the check fails.

    See Also
    --------
    srm_test : Computes it.
    """

    arms: list[Any]
    counts: np.ndarray
    expected_counts: np.ndarray
    statistic: float
    df: int
    p_value: float
    alpha: float

    @property
    def passed(self) -> bool:
        return bool(self.p_value >= self.alpha)

    @property
    def verdict(self) -> Verdict:
        return "pass" if self.passed else "fail"

    def summary(self) -> pd.DataFrame:
        """One row per arm: ``arm, count, expected_count`` and the Pearson residual ``(n - e) / sqrt(e)``.

        Returns
        -------
        DataFrame
            One row per arm.
        """
        expected = np.asarray(self.expected_counts, dtype=np.float64)
        return pd.DataFrame({"arm": list(self.arms), "count": self.counts, "expected_count": expected,
                             "residual": (self.counts - expected) / np.sqrt(expected)})

    def _headline(self) -> dict[str, Any]:
        return {"chi2": self.statistic, "df": self.df, "p_value": self.p_value, "verdict": self.verdict}

    def __str__(self) -> str:
        rows = ", ".join(
            f"{arm!r}: {n} (expected {e:.0f})"
            for arm, n, e in zip(self.arms, self.counts, self.expected_counts, strict=True)
        )
        outcome = (
            "no evidence of a sample-ratio mismatch" if self.passed
            else "SAMPLE-RATIO MISMATCH: assignment or logging is broken; do not trust effects"
        )
        return (
            f"Sample ratio: chi2({self.df}) = {self.statistic:.2f}, p = {self.p_value:.3g} "
            f"[{self.verdict}; threshold {self.alpha:g}] - {outcome}. Rows per arm: {rows}."
        )

    def to_dict(self) -> dict[str, Any]:
        return jsonable({
            "arms": [str(a) for a in self.arms], "counts": self.counts,
            "expected_counts": self.expected_counts, "chi2": self.statistic,
            "df": self.df, "p_value": self.p_value, "verdict": self.verdict,
        })


def srm_test(
    treatment: Any,
    expected_shares: Sequence[float] | Mapping[Any, float] | None = None,
    *,
    alpha: float = 0.001,
) -> SRMResult:
    """Chi-square test of the rows per arm against the intended allocation.

    Parameters
    ----------
    treatment : array-like of shape (n,)
        Arm of each row.
    expected_shares : sequence or mapping, optional
        Intended allocation: a mapping from arm label to share, or a sequence in the sorted order
        of the labels. Default: equal allocation.
    alpha : float, default 0.001
        A mismatch is declared when p < alpha. SRM checks use a strict threshold because they run
        on every experiment and a real mismatch gives tiny p-values on any realistic sample.

    Returns
    -------
    SRMResult

    See Also
    --------
    check_experiment : All checks together.

    Notes
    -----
    ``chi2 = sum_k (n_k - N s_k)^2 / (N s_k)`` with ``K - 1`` degrees of freedom (Pearson). An
    arm named in a mapping ``expected_shares`` but absent from ``treatment`` counts 0 rows (a
    failed SRM on any realistic sample), not an error.

    Examples
    --------
    >>> result = srm_test([0] * 500 + [1] * 520)
    >>> result.passed, round(result.p_value, 3)
    (True, 0.531)
    """
    array = np.asarray(treatment)
    observed = pd.unique(array) if len(array) else array
    if len(observed) >= 2 or not isinstance(expected_shares, Mapping):
        # validates NaN and the number of arms; any label serves as the reference here
        check_treatment(array, control_value=array[0] if len(array) else None)
    elif pd.isna(observed).any() or len(array) == 0:
        raise UpliftInputError("treatment is empty or has a missing value; every row needs an arm label.")
    labels = np.unique(array)
    if expected_shares is None:
        shares = np.full(len(labels), 1.0 / len(labels))
    elif isinstance(expected_shares, Mapping):
        missing = [plain(label) for label in labels if plain(label) not in expected_shares]
        if missing:
            raise UpliftInputError(
                f"expected_shares has no share for arm(s) {missing}; give one share per arm "
                f"present in treatment ({[plain(x) for x in labels]})."
            )
        # a planned arm without any row is the worst mismatch: it enters with count 0
        present = {plain(label) for label in labels}
        labels = np.array([*labels.tolist(), *[arm for arm in expected_shares if arm not in present]], dtype=object)
        shares = np.array([float(expected_shares[plain(label)]) for label in labels])
    else:
        shares = np.asarray(expected_shares, dtype=np.float64)
        if shares.shape != (len(labels),):
            raise UpliftInputError(
                f"expected_shares needs {len(labels)} numbers (one per arm, in the sorted order "
                f"{[plain(x) for x in labels]}); got {len(shares)}. If a planned arm has no row, "
                "pass a mapping {arm: share} so that it is counted with 0 rows."
            )
    counts = np.array([(array == label).sum() for label in labels])
    if (shares <= 0).any() or not np.isclose(shares.sum(), 1.0):
        raise UpliftInputError(f"expected_shares must be positive and sum to 1; got {shares.tolist()}.")
    expected = shares * counts.sum()
    statistic, p_value = stats.chisquare(counts, expected)
    return SRMResult(
        arms=[plain(x) for x in labels], counts=counts, expected_counts=expected,
        statistic=float(statistic), df=len(labels) - 1, p_value=float(p_value), alpha=alpha,
    )


# --------------------------------------------------------------------------- covariate balance


@dataclass(frozen=True, repr=False)
class BalanceResult(Result):
    """Standardized mean differences of every feature, each treated arm against control, with tests.

    Attributes
    ----------
    table : DataFrame
        One row per feature and arm: means, ``smd`` (the effect size), ``z`` (the difference in
        means over its standard error under randomization), ``p_value`` (Welch) and
        ``p_adjusted`` (Holm over all features and arms).
    threshold : float
        |SMD| from which an imbalance is called large in the summary (effect size only).
    alpha : float
        Family-wise level: the verdict is "warn" when any ``p_adjusted < alpha``.

    See Also
    --------
    covariate_balance : Computes it.
    uplift.plotting.TreatmentBalanceDisplay : Plots the balance of the arms along a ranking.
    """

    table: pd.DataFrame
    threshold: float
    alpha: float = 0.01

    @property
    def flagged(self) -> pd.DataFrame:
        """Feature/arm pairs whose imbalance exceeds its sampling variability (Holm-adjusted p < alpha)."""
        return self.table.loc[self.table["p_adjusted"] < self.alpha]

    @property
    def verdict(self) -> Verdict:
        return "pass" if self.flagged.empty else "warn"

    def summary(self) -> pd.DataFrame:
        """One row per feature and arm (a copy of :attr:`table`).

        Returns
        -------
        DataFrame
            A copy of ``table``.
        """
        return self.table.copy()

    def _headline(self) -> dict[str, Any]:
        return {"pairs": len(self.table), "flagged": len(self.flagged),
                "max_abs_smd": float(self.table["abs_smd"].max()), "verdict": self.verdict}

    def __str__(self) -> str:
        worst = self.table.sort_values("abs_smd", ascending=False).head(3)
        top = ", ".join(f"{r.feature} ({r.arm!r}): {r.smd:+.3f}" for r in worst.itertuples())
        if self.flagged.empty:
            return (
                f"Covariate balance: no feature differs between arms beyond chance (Welch tests, Holm-adjusted "
                f"p >= {self.alpha:g} for all {len(self.table)} feature/arm pairs) [pass]. Largest |SMD|: {top}."
            )
        flagged = self.flagged
        large = (flagged["abs_smd"] > self.threshold).to_numpy()
        names = ", ".join(
            f"{r.feature} ({r.arm!r}; SMD {r.smd:+.3f}{', large' if is_large else ''}, p_adj = {r.p_adjusted:.2g})"
            for r, is_large in zip(flagged.itertuples(), large, strict=True)
        )
        return (
            f"Covariate balance: {len(self.flagged)} feature/arm pair(s) differ beyond chance (Holm-adjusted "
            f"p < {self.alpha:g}) [warn]: {names}."
        )

    def to_dict(self) -> dict[str, Any]:
        return jsonable({
            "threshold": self.threshold, "alpha": self.alpha, "verdict": self.verdict,
            "max_abs_smd": float(self.table["abs_smd"].max()),
            "flagged": self.flagged[["feature", "arm", "smd", "p_adjusted"]],
        })


def _welch(treated: np.ndarray, control: np.ndarray) -> tuple[np.ndarray, ...]:
    """Column means, pooled SD, Welch z and two-sided p of ``treated`` against ``control`` (NaN left out)."""
    n_t, n_c = (~np.isnan(treated)).sum(axis=0), (~np.isnan(control)).sum(axis=0)
    mean_t, mean_c = np.nanmean(treated, axis=0), np.nanmean(control, axis=0)
    var_t, var_c = np.nanvar(treated, axis=0, ddof=1), np.nanvar(control, axis=0, ddof=1)
    diff = mean_t - mean_c
    pooled = np.sqrt((var_t + var_c) / 2.0)
    error_t, error_c = var_t / n_t, var_c / n_c
    std_error = np.sqrt(error_t + error_c)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(std_error > 0, diff / std_error, 0.0)
        # Welch-Satterthwaite degrees of freedom
        df = (error_t + error_c) ** 2 / (error_t**2 / (n_t - 1) + error_c**2 / (n_c - 1))
    df = np.where(np.isfinite(df), df, np.maximum(n_t + n_c - 2, 1))
    p_value = np.where(std_error > 0, 2.0 * stats.t.sf(np.abs(z), df), np.where(diff == 0, 1.0, 0.0))
    return mean_t, mean_c, pooled, z, p_value


def _holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error control under any dependence)."""
    order = np.argsort(p_values)
    m = len(p_values)
    adjusted = np.minimum(1.0, np.maximum.accumulate(p_values[order] * (m - np.arange(m))))
    out = np.empty(m)
    out[order] = adjusted
    return out


@keyword_only_from("treatment")
def covariate_balance(
    X: Any, *, treatment: Any, control_value: Any = None, threshold: float = 0.1, alpha: float = 0.01,
) -> BalanceResult:
    """Standardized mean differences of each feature between each treated arm and control, with tests.

    Parameters
    ----------
    X : array-like of shape (n, p)
    treatment : array-like of shape (n,)
    control_value : object, optional
    threshold : float, default 0.1
        |SMD| called large in the summary (effect size; it does not decide the verdict).
    alpha : float, default 0.01
        Family-wise level of the imbalance tests over all features and arms.

    Returns
    -------
    BalanceResult

    See Also
    --------
    check_experiment : All checks together.

    Notes
    -----
    ``SMD = (mean_t - mean_c) / sqrt((var_t + var_c) / 2)`` (Austin 2009) measures the size of an
    imbalance; whether it exceeds chance is judged by the Welch test of the difference in means,
    ``z = (mean_t - mean_c) / sqrt(var_t / n_t + var_c / n_c)``, with Holm's adjustment over all
    feature/arm pairs. A fixed rule such as |SMD| > 0.1 ignores sampling variability: under
    randomization the SMD has a standard deviation of about ``sqrt(1 / n_t + 1 / n_c)``, 0.1 at
    n = 400, so that rule warns on nearly every sound experiment of that size.

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [0.0], [1.0]])
    >>> covariate_balance(X, treatment=[0, 0, 1, 1]).table["smd"].tolist()
    [0.0]
    """
    alpha = float(alpha)
    if not 0.0 < alpha < 1.0:
        raise UpliftInputError(f"alpha must be in (0, 1), e.g. 0.01; got {alpha!r}.")
    names = list(map(str, X.columns)) if isinstance(X, pd.DataFrame) else None
    features = check_features(X, allow_nan=True, name="X")
    check_consistent_length(X=features, treatment=treatment)
    info = check_treatment(treatment, control_value=control_value, min_rows_per_arm=2)
    if names is None:
        names = [f"x{j}" for j in range(features.shape[1])]
    control = features[info.codes == 0]
    rows = []
    for k, arm in enumerate(info.arms, start=1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a feature all NaN in one arm gives NaN, kept
            mean_t, mean_c, pooled, z, p_value = _welch(features[info.codes == k], control)
        diff = mean_t - mean_c
        smd = np.divide(diff, pooled, out=np.zeros_like(diff), where=pooled > 0)
        for j, name in enumerate(names):
            rows.append({"feature": name, "arm": plain(arm), "mean_treated": mean_t[j],
                         "mean_control": mean_c[j], "smd": smd[j], "abs_smd": abs(smd[j]), "z": z[j],
                         "p_value": p_value[j]})
    table = pd.DataFrame(rows)
    table["p_adjusted"] = _holm(table["p_value"].fillna(1.0).to_numpy())
    return BalanceResult(table, threshold, alpha)


# --------------------------------------------------------------------------- predictability


def roc_auc_with_se(labels: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """ROC AUC and its DeLong standard error (ties count one half).

    Parameters
    ----------
    labels : ndarray of shape (n,)
        1 for a positive, 0 for a negative.
    scores : ndarray of shape (n,)
        Higher means more likely positive.

    Returns
    -------
    auc : float
        Area under the ROC curve.
    std_error : float
        DeLong standard error.

    See Also
    --------
    treatment_predictability : Tests the AUC of predicting the arm.

    Notes
    -----
    With ``m`` positives and ``n`` negatives, the placement of positive ``i`` is the share of
    negatives scored below it (ties 1/2) and that of negative ``j`` the share of positives scored
    above it; AUC is their mean and ``Var = var(V10)/m + var(V01)/n`` (DeLong et al. 1988).

    Examples
    --------
    >>> roc_auc_with_se(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))[0]
    0.75
    """
    labels = np.asarray(labels).astype(bool)
    scores = np.asarray(scores, dtype=np.float64)
    m, n = int(labels.sum()), int((~labels).sum())
    if m == 0 or n == 0:
        raise UpliftInputError("AUC needs both classes among the labels.")
    all_ranks = stats.rankdata(scores)
    pos_ranks = stats.rankdata(scores[labels])
    neg_ranks = stats.rankdata(scores[~labels])
    v10 = (all_ranks[labels] - pos_ranks) / n  # negatives below each positive
    v01 = 1.0 - (all_ranks[~labels] - neg_ranks) / m  # positives above each negative
    auc = float(v10.mean())
    variance = (v10.var(ddof=1) / m if m > 1 else 0.0) + (v01.var(ddof=1) / n if n > 1 else 0.0)
    return auc, float(np.sqrt(variance))


@dataclass(frozen=True, repr=False)
class PredictabilityResult(Result):
    """Cross-validated AUC of predicting each treated arm (versus control), with a permutation test.

    ``auc[arm]`` is an :class:`~uplift.inference.Estimate`: ``estimate`` the cross-validated AUC,
    ``p_value`` the one-sided permutation p-value of "no better than chance" (``alternative``
    ``"greater"``, ``null_value`` 0.5), ``n_resamples`` the
    permutations drawn, ``std_error`` the spread of the permuted AUCs (the null's, NaN below two
    permutations); no interval (``ci_low``/``ci_high`` NaN).

    Attributes
    ----------
    auc : dict
        Treated arm label -> :class:`~uplift.inference.Estimate` of its cross-validated AUC.
    min_auc : float
        AUC from which a significant predictability fails the check.
    alpha : float
        Level of the permutation test.

    See Also
    --------
    treatment_predictability : Computes it.
    """

    auc: dict[Any, Estimate]
    min_auc: float
    alpha: float = 0.05

    @property
    def verdict(self) -> Verdict:
        verdicts = []
        for estimate in self.auc.values():
            if not estimate.p_value <= self.alpha:
                verdicts.append("pass")
            elif estimate.estimate >= self.min_auc:
                verdicts.append("fail")
            else:
                verdicts.append("warn")
        return "fail" if "fail" in verdicts else ("warn" if "warn" in verdicts else "pass")

    def summary(self) -> pd.DataFrame:
        """One row per treated arm: ``arm`` and the AUC estimate's columns (:meth:`Estimate.summary`).

        Returns
        -------
        DataFrame
            One row per treated arm.
        """
        tables = [estimate.summary().assign(arm=[arm], n_permutations=estimate.n_resamples)
                  for arm, estimate in self.auc.items()]
        table = pd.concat(tables, ignore_index=True)
        return table[["arm", *table.columns.drop("arm")]]

    def _headline(self) -> dict[str, Any]:
        return {"verdict": self.verdict, **{f"auc[{arm}]": e.estimate for arm, e in list(self.auc.items())[:3]}}

    def __str__(self) -> str:
        parts = "; ".join(
            f"arm {arm!r}: AUC = {est.estimate:.3f}, permutation p = {est.p_value:.3g} "
            f"({est.n_resamples} permutation(s))"
            for arm, est in self.auc.items()
        )
        meaning = {
            "pass": "treatment is not predictable from the features, as in a sound RCT",
            "warn": "treatment is slightly predictable: check how it was assigned",
            "fail": "treatment is predictable from the features: not a clean randomization",
        }[self.verdict]
        return f"Treatment predictability (cross-validated AUC; 0.5 in an RCT) [{self.verdict}]: {meaning}. {parts}."

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"verdict": self.verdict, "auc": self.auc})


def _cross_validated_auc(features: np.ndarray, labels: np.ndarray, base: Any, cv: int, random_state: Any) -> float:
    """Out-of-fold ROC AUC of ``base`` predicting ``labels`` (stratified, seeded folds)."""
    scores = np.empty(len(labels))
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    for train, test in folds.split(features, labels):
        fitted = clone(base).fit(features[train], labels[train])
        scores[test] = fitted.predict_proba(features[test])[:, 1]
    return roc_auc_with_se(labels, scores)[0]


def _permutation_test(
    observed: float, statistic: Any, labels: np.ndarray, n_permutations: int, alpha: float, rng: np.random.RandomState,
) -> tuple[float, list[float]]:
    """One-sided permutation p-value of ``observed``, stopping as soon as it cannot fall to ``alpha``.

    Besag & Clifford (1991): permute until ``h = floor(alpha (P + 1))`` permuted statistics reach
    ``observed`` (p = h / l after ``l`` permutations) or all ``P`` are drawn (p = (1 + #reached) /
    (1 + P)). Both are valid p-values; stopping early only skips permutations that could not
    change the verdict at ``alpha``.
    """
    stop_at = int(np.floor(alpha * (n_permutations + 1)))
    permuted: list[float] = []
    reached = 0
    for drawn in range(1, n_permutations + 1):
        value = statistic(rng.permutation(labels))
        permuted.append(value)
        reached += value >= observed
        if reached >= stop_at:
            return reached / drawn, permuted
    return (1 + reached) / (1 + n_permutations), permuted


@keyword_only_from("treatment")
def treatment_predictability(
    X: Any,
    *,
    treatment: Any,
    control_value: Any = None,
    model: ClassifierMixin | None = None,
    cv: int = 5,
    alpha: float = 0.05,
    min_auc: float = 0.55,
    n_permutations: int = 19,
    random_state: Any = 0,
) -> PredictabilityResult:
    """Cross-validated AUC of predicting the arm from X, tested against chance by permuting the arm.

    In a sound randomized experiment no model can tell treated from control customers, so the
    out-of-fold AUC is about 0.5. Its p-value comes from recomputing the whole cross-validated AUC
    with the treatment labels permuted (a permutation test, exact under randomization). The
    verdict is ``"pass"`` when ``p > alpha``, ``"fail"`` when ``p <= alpha`` and the AUC reaches
    ``min_auc``, ``"warn"`` in between.

    Parameters
    ----------
    X : array-like of shape (n, p)
    treatment : array-like of shape (n,)
    control_value : object, optional
    model : classifier, optional
        Default: ``HistGradientBoostingClassifier(max_iter=100)``, which finds nonlinear
        assignment rules and handles NaN. It is cloned, never fitted in place.
    cv : int, default 5
        Stratified folds.
    alpha : float, default 0.05
        Level of the test.
    min_auc : float, default 0.55
        AUC from which a significant predictability is a "fail" rather than a "warn".
    n_permutations : int, default 19
        Most permutations drawn (each one a full cross-validation). The smallest p-value is
        ``1 / (n_permutations + 1)``, so at least ``1 / alpha - 1``. On a sound experiment the
        test usually stops after a few permutations (see Notes).
    random_state : int, RandomState or None, default 0
        Seed of the folds, the model and the permutations.

    Returns
    -------
    PredictabilityResult

    Raises
    ------
    UpliftInputError
        ``n_permutations`` too small to ever reach ``alpha``.

    See Also
    --------
    check_experiment : All checks together.
    roc_auc_with_se : The AUC with its standard error.

    Notes
    -----
    DeLong's standard error of the pooled out-of-fold AUC treats the scores as coming from one
    fixed model; the fold models are fitted on overlapping data, and that test rejected 12-18% of
    sound experiments at a nominal 5%. The permutation test does not rely on that: under
    randomization every permutation of the arms is as likely as the one observed. It stops once
    ``floor(alpha (n_permutations + 1))`` permuted AUCs reach the observed one (Besag & Clifford
    1991), which cannot change the verdict.

    References
    ----------
    Besag, J. and Clifford, P. (1991). Sequential Monte Carlo p-values. Biometrika 78(2), 301-304.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 3))
    >>> treatment_predictability(X, treatment=rng.integers(0, 2, 500), model=LogisticRegression()).verdict
    'pass'
    """
    features = check_features(X, allow_nan=True, name="X")
    check_consistent_length(X=features, treatment=treatment)
    info = check_treatment(treatment, control_value=control_value, min_rows_per_arm=cv)
    alpha = float(alpha)
    if not 0.0 < alpha < 1.0:
        raise UpliftInputError(f"alpha must be in (0, 1), e.g. 0.05; got {alpha!r}.")
    smallest = int(np.ceil(1.0 / alpha - 1.0 - 1e-9))
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, int | np.integer) \
            or n_permutations < smallest:
        raise UpliftInputError(
            f"n_permutations must be an integer of at least {smallest} (the smallest p-value is "
            f"1 / (n_permutations + 1), which must reach alpha={alpha:g}); got {n_permutations!r}."
        )
    base = model if model is not None else HistGradientBoostingClassifier(max_iter=100, random_state=random_state)
    rng = check_random_state(random_state)
    fold_seed = int(rng.randint(np.iinfo(np.int32).max))
    estimates: dict[Any, Estimate] = {}
    for k, arm in enumerate(info.arms, start=1):
        rows = np.flatnonzero((info.codes == 0) | (info.codes == k))
        labels = (info.codes[rows] == k).astype(int)
        arm_features = features[rows]

        def statistic(permuted: np.ndarray, arm_features: np.ndarray = arm_features) -> float:
            return _cross_validated_auc(arm_features, permuted, base, cv, fold_seed)

        auc = statistic(labels)
        p_value, permuted = _permutation_test(auc, statistic, labels, int(n_permutations), alpha, rng)
        spread = float(np.std(permuted, ddof=1)) if len(permuted) > 1 else float("nan")
        nan = float("nan")
        estimates[plain(arm)] = Estimate(auc, spread, nan, nan, alpha, "permutation", p_value, 0.5, "AUC",
                                         n_resamples=len(permuted), alternative="greater")
    return PredictabilityResult(estimates, min_auc, alpha)


# --------------------------------------------------------------------------- all checks


@dataclass(frozen=True, repr=False)
class ExperimentReport(Result):
    """All experiment checks together, with one overall verdict.

    ``summary()`` has one row per check (sample ratio, covariate balance, predictability and the
    ATE of each arm); each part has its own ``summary()`` with the details.

    Attributes
    ----------
    srm : SRMResult
        The sample-ratio test.
    balance : BalanceResult
        The covariate balance.
    predictability : PredictabilityResult or None
        The treatment predictability test (None when it was not run).
    ate : ATEResult or None
        The average effect of each arm (None without an outcome).
    notes : list of str
        Further lines for the text.

    See Also
    --------
    check_experiment : Computes it.
    signal_check : Is there heterogeneity worth a model?
    """

    srm: SRMResult
    balance: BalanceResult
    predictability: PredictabilityResult | None
    ate: ATEResult | None
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        verdicts = [self.srm.verdict, self.balance.verdict]
        if self.predictability is not None:
            verdicts.append(self.predictability.verdict)
        return "fail" if "fail" in verdicts else ("warn" if "warn" in verdicts else "pass")

    def summary(self) -> pd.DataFrame:
        """One row per check: ``check, verdict, statistic, value, p_value``.

        ``p_value`` is the check's own: the chi-square test of the sample ratio, the smallest
        Holm-adjusted balance p-value, the one-sided permutation p-value of each arm's
        predictability, the two-sided p-value of each arm's ATE (no verdict: it is not a check).

        Returns
        -------
        DataFrame
            One row per check.
        """
        balance = self.balance.table
        rows: list[dict[str, Any]] = [
            {"check": "sample ratio", "verdict": self.srm.verdict, "statistic": "chi2", "value": self.srm.statistic,
             "p_value": self.srm.p_value},
            {"check": "covariate balance", "verdict": self.balance.verdict, "statistic": "max |SMD|",
             "value": float(balance["abs_smd"].max()), "p_value": float(balance["p_adjusted"].min())},
        ]
        if self.predictability is not None:
            rows += [{"check": f"treatment predictability ({arm})", "verdict": self.predictability.verdict,
                      "statistic": "AUC", "value": e.estimate, "p_value": e.p_value}
                     for arm, e in self.predictability.auc.items()]
        if self.ate is not None:
            rows += [{"check": f"ATE ({arm})", "verdict": None, "statistic": "difference in means",
                      "value": e.estimate, "p_value": e.p_value} for arm, e in self.ate.estimates.items()]
        return pd.DataFrame(rows)

    def __str__(self) -> str:
        parts = [f"Experiment checks: {self.verdict.upper()}", str(self.srm), str(self.balance)]
        if self.predictability is not None:
            parts.append(str(self.predictability))
        if self.ate is not None:
            parts.append(f"Average treatment effect: {self.ate}")
        return "\n".join(parts + self.notes)

    def _headline(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "srm": self.srm.verdict, "balance": self.balance.verdict,
                "predictability": None if self.predictability is None else self.predictability.verdict}

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"verdict": self.verdict, "srm": self.srm, "balance": self.balance,
                         "predictability": self.predictability, "ate": self.ate, "notes": self.notes})


@keyword_only_from("treatment")
def check_experiment(
    X: Any,
    y: Any | None,
    *,
    treatment: Any,
    control_value: Any = None,
    expected_shares: Sequence[float] | Mapping[Any, float] | None = None,
    predictability: bool = True,
    cv: int = 5,
    alpha: float = 0.05,
    n_permutations: int = 19,
    random_state: Any = 0,
) -> ExperimentReport:
    """Run every experiment check: sample ratio, balance, predictability and the ATE.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n, p)
        Pre-treatment features.
    y : array-like of shape (n,) or None
        Outcome; None skips the average effect.
    treatment : array-like of shape (n,)
        Arm of each row.
    control_value : object, optional
        Label of the control arm (default: the smallest label).
    expected_shares : sequence or mapping, optional
        Intended allocation, as in :func:`srm_test` (default: equal).
    predictability : bool, default True
        Run the treatment predictability test (the slowest check).
    cv : int, default 5
        Folds of the predictability test.
    alpha : float, default 0.05
        Level of the predictability test and of the ATE intervals.
    n_permutations : int, default 19
        Permutations of the predictability test.
    random_state : int, RandomState or None, default 0
        Seed of the predictability test.

    Returns
    -------
    ExperimentReport
        Every check and one verdict (``"pass"``, ``"warn"`` or ``"fail"``).

    See Also
    --------
    srm_test, covariate_balance, treatment_predictability : The checks one by one.
    uplift.inference.average_treatment_effect : The average effect.
    signal_check : Is there heterogeneity worth a model?

    Examples
    --------
    >>> from uplift.datasets import make_uplift_classification
    >>> data = make_uplift_classification(2000, random_state=0)
    >>> check_experiment(data.X, data.y, treatment=data.treatment, predictability=False).verdict
    'pass'
    """
    features = check_features(X, allow_nan=True, name="X")
    check_consistent_length(X=features, y=y, treatment=treatment)
    srm = srm_test(treatment, expected_shares)
    balance = covariate_balance(X, treatment=treatment, control_value=control_value)
    predict = (
        treatment_predictability(X, treatment=treatment, control_value=control_value, cv=cv, alpha=alpha,
                                 n_permutations=n_permutations, random_state=random_state)
        if predictability else None
    )
    ate = None if y is None else average_treatment_effect(y, treatment=treatment, control_value=control_value,
                                                          alpha=alpha)
    return ExperimentReport(srm, balance, predict, ate)
