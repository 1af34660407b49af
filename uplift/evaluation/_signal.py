"""Signal check: is there any treatment-effect heterogeneity a model could exploit?

The go/no-go step before heavy modeling. A fast, cross-fitted, naive learner (a T-learner of two
logistic or ridge regressions) ranks every customer by a prediction made without its own outcome;
if even that ranking beats random targeting — by RATE (Yadlowsky et al. 2025) with a standard
error — the data carry a targetable signal. If it does not, either the effect is about the same for
everyone (target everyone or no one, by the ATE) or the sample is too small to tell.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._literals import check_literal
from ..diagnostics import average_treatment_effect
from ..inference import Estimate
from ..validation import _as_1d, check_consistent_length, check_outcome, check_treatment

__all__ = ["SignalCheckResult", "naive_learner", "signal_check"]

logger = logging.getLogger(__name__)

RateTarget = Literal["AUTOC", "QINI"]


def naive_learner(outcome_type: str = "binary", random_state: Any = None) -> Any:
    """The fast learner of the signal check: a T-learner of logistic (binary) or ridge regressions.

    Features are imputed (median) and standardised inside each arm's pipeline; nothing here
    imports xgboost.
    """
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ..learners import TLearner

    if outcome_type == "binary":
        model = LogisticRegression(max_iter=1000)
    else:
        model = RidgeCV(alphas=np.logspace(-3, 3, 13))
    outcome_model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), model)
    return TLearner(outcome_model=outcome_model, outcome_type=outcome_type, random_state=random_state)


@dataclass(frozen=True)
class SignalCheckResult:
    """What the signal check found.

    Attributes
    ----------
    detected : bool
        Whether the RATE of the cross-fitted naive ranking is significantly above 0 (random).
    verdict : str
        ``"heterogeneity detected"`` or ``"heterogeneity not detected at this sample size"``.
    ate : Estimate
        Difference-in-means average effect (Welch SE, normal interval).
    qini : Estimate
        Qini AUC of the out-of-fold ranking (our convention: 0 = random), bootstrap interval.
    rate : Estimate
        RATE (``target``) of the out-of-fold ranking, half-sample bootstrap SE; 0 = random.
    effect : ndarray of shape (n,)
        Out-of-fold effect predicted by the naive learner.
    fold_scores : DataFrame
        Per-fold Qini AUC.
    """

    detected: bool
    verdict: str
    ate: Estimate
    qini: Estimate
    rate: Estimate
    target: str
    n_samples: int
    n_folds: int
    alpha: float
    effect: np.ndarray = field(repr=False)
    fold_scores: pd.DataFrame = field(repr=False)

    def summary(self, digits: int = 4) -> str:
        """A few readable lines: the verdict, then each estimate."""
        level = f"{100 * (1 - self.alpha):g}%"
        explanation = (
            f"the {self.n_folds}-fold cross-fitted naive learner ranks customers better than random "
            f"(RATE {self.target} {level} CI above 0)."
            if self.detected else
            f"the {self.n_folds}-fold cross-fitted naive learner's ranking is not distinguishable from random "
            f"(RATE {self.target} {level} CI includes 0 or lies below it). Either the effect is similar for "
            "everyone (decide by the ATE) or more data is needed; a heavier model may still help, but expect "
            "little."
        )
        return "\n".join([
            f"Signal check on {self.n_samples:,} rows: {self.verdict.upper()} — {explanation}",
            f"  {self.ate.summary(digits)}",
            f"  {self.qini.summary(digits)}",
            f"  {self.rate.summary(digits)}",
        ])

    def to_dict(self) -> dict[str, Any]:
        return {
            "detected": self.detected, "verdict": self.verdict, "target": self.target,
            "n_samples": self.n_samples, "n_folds": self.n_folds, "alpha": self.alpha,
            "ate": self.ate.to_dict(), "qini": self.qini.to_dict(), "rate": self.rate.to_dict(),
            "fold_scores": self.fold_scores.to_dict(orient="list"),
        }


def signal_check(
    X: Any,
    y: Any,
    treatment: Any,
    *,
    learner: Any = None,
    n_folds: int = 5,
    n_resamples: int = 200,
    target: RateTarget = "AUTOC",
    alpha: float = 0.05,
    groups: Any = None,
    control_value: Any = None,
    random_state: Any = None,
) -> SignalCheckResult:
    """Test for treatment-effect heterogeneity with a cross-fitted naive learner.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n, p)
        Pre-treatment features (NaN allowed: the naive learner imputes medians).
    y : array-like of shape (n,)
        Outcome, binary or continuous.
    treatment : array-like of shape (n,)
        One treated arm and a control (select the rows of one arm first when there are several).
    learner : uplift learner, optional
        Replaces the naive learner (:func:`naive_learner`).
    n_folds : int, default 5
        Folds of the cross-fit (:class:`uplift.model_selection.UpliftStratifiedKFold`, or grouped
        by ``groups``).
    n_resamples : int, default 200
        Bootstrap resamples of the Qini and RATE intervals.
    target : {"AUTOC", "QINI"}, default "AUTOC"
        RATE weighting: AUTOC is more powerful when a small group responds strongly, QINI when
        the effect varies broadly (Yadlowsky et al. 2025, section 3).
    alpha : float, default 0.05
        Level of the intervals and of the test.
    groups : array-like of shape (n,), optional
        Customer id: folds and bootstrap resamples keep a customer's rows together.
    control_value : object, optional
    random_state : int, RandomState or None

    Returns
    -------
    SignalCheckResult

    Notes
    -----
    Each row's effect is predicted by the learner fitted on the other folds, so the ranking of
    row ``i`` does not depend on ``y_i``. Under the null of no heterogeneity (``tau(x) = ATE``)
    every such ranking has RATE 0 in expectation. RATE uses doubly robust (AIPW) scores built from
    the naive learner's cross-fitted outcome predictions. The test rejects when the ``1 - alpha`` interval
    ``RATE ± z · SE`` lies above 0 (a one-sided test at level ``alpha/2``). Qini is reported
    beside it, with a bootstrap interval stratified by arm, but the verdict rests on RATE alone
    (one pre-registered test, no multiple testing).

    References
    ----------
    Yadlowsky, S., Fleming, S., Shah, N., Brunskill, E. and Wager, S. (2025). Evaluating
    treatment prioritization rules via rank-weighted average treatment effects. JASA.

    Chernozhukov, V., Demirer, M., Duflo, E. and Fernández-Val, I. (2018). Generic machine
    learning inference on heterogeneous treatment effects in randomized experiments. NBER w24678.

    Examples
    --------
    >>> from uplift.datasets import make_uplift_classification
    >>> data = make_uplift_classification(4000, random_state=0)
    >>> result = signal_check(data.X, data.y, data.treatment, n_folds=3, n_resamples=50, random_state=0)
    >>> result.verdict
    'heterogeneity detected'
    """
    from ..model_selection import cross_val_uplift  # late import: model_selection uses the metrics here
    from . import qini_auc_score, rate_score, score_interval

    check_literal(target, RateTarget, "target")
    outcome, outcome_type = check_outcome(y)
    treatment_array = _as_1d(treatment, "treatment")
    n_samples = check_consistent_length(X=X, y=outcome, treatment=treatment_array)
    info = check_treatment(treatment_array, control_value=control_value, allow_multiarm=False,
                           min_rows_per_arm=2 * int(n_folds), context="signal_check")
    treated = info.codes  # 0 = control, 1 = treated
    if learner is None:
        learner = naive_learner(outcome_type, random_state=random_state)
    cross_validated = cross_val_uplift(learner, X, outcome, treatment=treated, cv=int(n_folds), groups=groups,
                                       scoring="qini_auc", return_outcomes=True, random_state=random_state)
    effect = cross_validated.effect
    ate = next(iter(average_treatment_effect(outcome, treated, alpha=alpha).estimates.values()))
    qini = score_interval(qini_auc_score, outcome, effect, treated, n_resamples=n_resamples, groups=groups,
                          alpha=alpha, random_state=random_state)
    rate = rate_score(outcome, effect, treated, target=target, outcome_predictions=cross_validated.outcomes,
                      n_bootstrap=n_resamples, groups=groups, alpha=alpha, random_state=random_state)
    rate = Estimate.from_normal(rate.estimate, rate.std_error, alpha, name=f"RATE ({target})")
    qini = Estimate(qini.estimate, qini.std_error, qini.ci_low, qini.ci_high, qini.alpha, qini.method,
                    qini.p_value, qini.null_value, "Qini AUC (convention 'uplift', 0 = random)")
    detected = bool(rate.ci_low > 0.0)
    verdict = "heterogeneity detected" if detected else "heterogeneity not detected at this sample size"
    logger.info("signal check: %s (RATE %.4g, SE %.4g)", verdict, rate.estimate, rate.std_error)
    return SignalCheckResult(
        detected=detected, verdict=verdict, ate=ate, qini=qini, rate=rate, target=target, n_samples=n_samples,
        n_folds=int(n_folds), alpha=alpha, effect=effect, fold_scores=cross_validated.fold_scores,
    )
