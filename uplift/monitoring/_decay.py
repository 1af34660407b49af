"""Uplift decay: does the model still rank and pay off on the randomized holdout of a new period?

Only a randomized holdout can answer it: the effect of a customer is never observed, so the
model's ranking is scored with RATE (the package's :func:`~uplift.evaluation.rate_score`), its
predictions are compared with the observed uplift per decile, and the policy's incremental profit
is estimated by IPW/AIPW (:func:`~uplift.campaign.evaluate_policy`) against treat-all and
treat-none, and against the figure measured at training time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._results import Result
from ..campaign import Economics, evaluate_policy
from ..evaluation import rate_score, uplift_by_percentile
from ..exceptions import UpliftInputError
from ..inference import Estimate

__all__ = ["DecayResult", "uplift_decay"]


@dataclass(frozen=True, repr=False)
class DecayResult(Result):
    """Uplift decay of one period, measured on its randomized holdout.

    Attributes
    ----------
    rate : Estimate
        RATE (AUTOC) of the model's score on the holdout, with its interval.
    calibration : DataFrame
        Per decile of predicted effect (highest first): ``n_treatment, n_control, predicted,
        observed, std_error`` and the ``total`` row.
    policy : DataFrame or None
        Incremental profit per customer of the policy, treat-none and treat-all, with intervals
        and paired differences (from :func:`~uplift.campaign.evaluate_policy`, divided by ``n``).
    value : Estimate or None
        The policy's incremental profit per customer.
    training_rate, training_value : float or None
        The figures measured at training time, when known.
    decayed : bool
    reasons : tuple of str
        Why ``decayed`` is true (empty otherwise).
    tests : DataFrame
        Every decay test: ``test, statistic, p_value, threshold, rejected``.

    See Also
    --------
    uplift_decay : Computes it.
    """

    rate: Estimate
    calibration: pd.DataFrame
    policy: pd.DataFrame | None
    value: Estimate | None
    training_rate: float | None
    training_value: float | None
    decayed: bool
    reasons: tuple[str, ...]
    tests: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """The decay tests, one row each: ``test, statistic, reference, p_value, threshold, rejected``.

        Returns
        -------
        DataFrame
            One row per decay test.
        """
        return self.tests.copy()

    def __str__(self) -> str:
        lines = [f"Uplift decay: {'DECAYED' if self.decayed else 'no decay detected'}", f"  {self.rate}"]
        if self.value is not None:
            lines.append(f"  policy value per customer: {self.value}")
        return "\n".join(lines + [f"  {reason}" for reason in self.reasons])

    def _headline(self) -> dict[str, Any]:
        return {"decayed": self.decayed, "rate": self.rate.estimate,
                "value": None if self.value is None else self.value.estimate, "tests": len(self.tests)}


def _per_customer(estimate: Estimate, n: int) -> Estimate:
    return Estimate.from_normal(estimate.estimate / n, estimate.std_error / n, estimate.alpha, name=estimate.name)


def _calibration(y: np.ndarray, score: np.ndarray, treatment: np.ndarray, n_bins: int) -> pd.DataFrame:
    table = uplift_by_percentile(y, score, treatment=treatment, n_bins=n_bins, control_value=0, treatment_value=1)
    order = np.argsort(-score, kind="stable")
    split = np.array_split(score[order], n_bins)
    predicted = [float(part.mean()) if part.size else float("nan") for part in split] + [float(score.mean())]
    return pd.DataFrame({
        "n_treatment": table["n_treatment"].to_numpy(),
        "n_control": table["n_control"].to_numpy(),
        "predicted": predicted,
        "observed": table["uplift"].to_numpy(),
        "std_error": table["std_error"].to_numpy(),
    }, index=table.index)


def uplift_decay(
    y: Any,
    score: Any,
    *,
    treatment: Any,
    propensity: Any = None,
    policy_arm: Any = None,
    economics: Economics | None = None,
    outcomes: Any = None,
    training_rate: float | None = None,
    training_value: float | None = None,
    training_rate_std_error: float = 0.0,
    training_value_std_error: float = 0.0,
    treatment_value: Any = 1,
    control_value: Any = 0,
    alpha: float = 0.01,
    n_bins: int = 10,
    n_resamples: int = 200,
    random_state: Any = None,
) -> DecayResult:
    """Test whether the model's uplift has decayed on a randomized holdout of a new period.

    Parameters
    ----------
    y : array-like of shape (n,)
        Outcome of the holdout customers.
    score : array-like of shape (n,)
        The model's predicted effect (one treated arm; for several arms pass the effect of the
        arm under study, or the best arm's).
    treatment : array-like of shape (n,)
        Arm actually given, coded 0 (no contact) / 1 (the treated arm).
    propensity : float or array-like of shape (n,), optional
        P(treated) of each row under the randomization; default: the treated share.
    policy_arm : array-like of int of shape (n,), optional
        Arm the deployed policy chose (0 = no contact, 1 = treat); default: treat where
        ``score > 0``.
    economics : Economics, optional
        What a conversion is worth and what a contact costs; default ``Economics(value=1.0)``
        (incremental conversions).
    outcomes : array-like of shape (n, 2), optional
        Predicted outcome under control and treatment, for the AIPW score.
    training_rate, training_value : float, optional
        RATE and per-customer incremental profit measured at training time (from the model file).
    training_rate_std_error, training_value_std_error : float, default 0.0
        Their standard errors when they were measured on a validation sample; added to the test's
        variance (0: the training figures are taken as known constants).
    treatment_value, control_value : object, default 1 and 0
        Labels of the treated arm and the control in the model's terms (``treatment`` itself is
        coded 0/1), so that ``economics`` given per arm label applies.
    alpha : float, default 0.01
        Family-wise level of the decay tests (Bonferroni over the tests that apply).
    n_bins : int, default 10
    n_resamples : int, default 200
    random_state : int, RandomState or None

    Returns
    -------
    DecayResult

    Raises
    ------
    UpliftInputError
        ``treatment`` not coded 0/1, or an arm without customers.

    See Also
    --------
    monitor : Runs it with the drift checks.
    uplift.evaluation.rate_score : The RATE it tests.

    Notes
    -----
    Decay tests (one-sided z-tests, each at ``alpha / m`` for the ``m`` that apply):

    - the ranking lost its value: RATE below ``training_rate`` (or below 0 without it),
      ``z = (RATE − RATE_train) / sqrt(SE² + SE_train²)``;
    - the policy loses money against contacting nobody: ``z = V / SE(V)``;
    - the policy fell below its training-time value: ``z = (V − V_train) / sqrt(SE(V)² + SE_train²)``.

    Without their standard errors the training figures are taken as known constants. The
    calibration table is reported, not tested: a well-ranking model is often shrunk toward zero
    and a test would flag it on every large period.

    Examples
    --------
    >>> from uplift.datasets import make_uplift_stream
    >>> stream = make_uplift_stream(2, 4000, change_period=1, change="effect", random_state=0)
    >>> model = make_uplift_stream(2, 4000, random_state=0).tau  # same customers, the pre-change truth
    >>> before, after = stream.time == 0, stream.time == 1
    >>> uplift_decay(stream.y[before], model[before], treatment=stream.treatment[before], n_resamples=50,
    ...              random_state=0).decayed
    False
    >>> result = uplift_decay(stream.y[after], model[after], treatment=stream.treatment[after], n_resamples=50,
    ...                       random_state=0)
    >>> result.decayed, result.reasons[0][:25]
    (True, 'ranking worse than random')
    """
    y_array = np.asarray(y, dtype=np.float64)
    score_array = np.asarray(score, dtype=np.float64)
    treatment_array = np.asarray(treatment)
    if not np.isin(treatment_array, [0, 1]).all():
        raise UpliftInputError(
            f"treatment must be coded 0 (no contact) / 1 (treated) for uplift_decay; got values "
            f"{np.unique(treatment_array)[:8].tolist()}. Recode it, e.g. (treatment == arm).astype(int)."
        )
    treatment_array = treatment_array.astype(np.int64)
    if treatment_array.min() == treatment_array.max():
        raise UpliftInputError("the holdout needs customers in both arms (treated and not) to measure uplift.")
    n = len(y_array)
    rate = rate_score(y_array, score_array, treatment=treatment_array, target="AUTOC", propensity=propensity,
                      outcome_predictions=outcomes, n_resamples=n_resamples, random_state=random_state)
    calibration = _calibration(y_array, score_array, treatment_array, n_bins)
    tests = []
    reference_rate = 0.0 if training_rate is None else float(training_rate)
    rate_spread = float(np.hypot(rate.std_error, training_rate_std_error if training_rate is not None else 0.0))
    rate_z = (rate.estimate - reference_rate) / rate_spread if rate_spread > 0 else 0.0
    tests.append({"test": "ranking worse than " + ("training" if training_rate is not None else "random"),
                  "statistic": rate.estimate, "reference": reference_rate,
                  "p_value": float(stats.norm.cdf(rate_z))})
    economics = Economics(value=1.0) if economics is None else economics
    chosen = (score_array > 0).astype(np.intp) if policy_arm is None else np.asarray(policy_arm).astype(np.intp)
    labelled = np.where(treatment_array == 1, treatment_value, control_value)
    evaluation = evaluate_policy(chosen, y_array, treatment=labelled, economics=economics, outcomes=outcomes,
                                 propensity=propensity,
                                 control_value=control_value, arms=[treatment_value])
    value = _per_customer(evaluation.value, n)
    policy = evaluation.comparisons.copy()
    money = [c for c in policy.columns if c in ("estimate", "std_error", "ci_low", "ci_high") or
             (c.startswith("difference") and c != "difference_p_value")]
    policy[money] = policy[money] / n
    if (chosen > 0).any():
        value_z = value.estimate / value.std_error if value.std_error > 0 else 0.0
        tests.append({"test": "policy loses against contacting nobody", "statistic": value.estimate,
                      "reference": 0.0, "p_value": float(stats.norm.cdf(value_z))})
    if training_value is not None:
        value_spread = float(np.hypot(value.std_error, training_value_std_error))
        drop_z = (value.estimate - float(training_value)) / value_spread if value_spread > 0 else 0.0
        tests.append({"test": "policy value below training", "statistic": value.estimate,
                      "reference": float(training_value), "p_value": float(stats.norm.cdf(drop_z))})
    table = pd.DataFrame(tests)
    table["threshold"] = alpha / len(table)
    table["rejected"] = table["p_value"] < table["threshold"]
    reasons = tuple(
        f"{row.test}: {row.statistic:.4g} vs {row.reference:.4g} (one-sided p = {row.p_value:.2g})"
        for row in table.itertuples() if row.rejected
    )
    return DecayResult(rate=rate, calibration=calibration, policy=policy, value=value,
                       training_rate=training_rate, training_value=training_value,
                       decayed=bool(table["rejected"].any()), reasons=reasons, tests=table)
