"""Champion / challenger: is a retrained policy worth more than the deployed one, on the same holdout rows?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone

from .._results import Result
from ..campaign._evaluate import _arm_codes, _incremental, _propensities, _scores, _total_estimate
from ..exceptions import UpliftInputError, UpliftTypeError
from ..inference import Estimate
from ..validation import check_outcome, keyword_only_from

__all__ = ["PolicyComparison", "compare_policies", "retrain_policy"]


@dataclass(frozen=True, repr=False)
class PolicyComparison(Result):
    """Incremental profit per customer of two policies on one randomized holdout, and their paired difference.

    Attributes
    ----------
    champion, challenger : Estimate
        Incremental profit per customer (versus contacting nobody) of each policy.
    difference : Estimate
        Challenger minus champion, paired on the same rows.
    margin : float
        Smallest per-customer gain that justifies a switch.
    promote : bool
        The one-sided lower bound of ``difference`` (level ``alpha``) exceeds ``margin``.
    reason : str

    See Also
    --------
    compare_policies : Computes it.
    retrain_policy : Retrains a challenger and compares it.
    """

    champion: Estimate
    challenger: Estimate
    difference: Estimate
    margin: float
    promote: bool
    reason: str

    def summary(self) -> pd.DataFrame:
        """One row per estimate (champion, challenger, difference), with the estimate's columns.

        Returns
        -------
        DataFrame
            Three rows.
        """
        table = pd.concat([e.summary() for e in (self.champion, self.challenger, self.difference)], ignore_index=True)
        table.insert(0, "policy", ["champion", "challenger", "challenger - champion"])
        return table

    def __str__(self) -> str:
        verdict = "PROMOTE the challenger" if self.promote else "keep the champion"
        return "\n".join([f"{verdict}: {self.reason}", f"  champion: {self.champion}",
                          f"  challenger: {self.challenger}", f"  difference: {self.difference}"])

    def _headline(self) -> dict[str, Any]:
        return {"promote": self.promote, "difference": self.difference.estimate,
                "ci_low": self.difference.ci_low, "margin": self.margin}


def _arms_of(policy: Any, X: Any, labels: list[Any]) -> np.ndarray:
    chosen = policy.decide(X)["arm"].to_numpy()
    position = {label: code for code, label in enumerate(labels)}
    unknown = sorted({str(a) for a in chosen if a not in position})
    if unknown:
        raise UpliftInputError(f"the policies do not share their arms: {unknown} is not one of {labels}.")
    return np.array([position[a] for a in chosen], dtype=np.intp)


@keyword_only_from("treatment")
def compare_policies(
    champion: Any,
    challenger: Any,
    X: Any,
    y: Any,
    *,
    treatment: Any,
    propensity: Any = None,
    margin: float = 0.0,
    alpha: float = 0.05,
) -> PolicyComparison:
    """Paired comparison of two policies' incremental profit on the same randomized holdout rows.

    Parameters
    ----------
    champion, challenger : fitted Policy
        The deployed policy and the candidate (same arms, same economics: the champion's are used).
    X : DataFrame or array-like of shape (n, p)
        Features of the holdout rows (for example the ``explore`` rows of ``Policy.decide``).
    y : array-like of shape (n,)
        Observed outcome.
    treatment : array-like of shape (n,)
        Arm label actually given.
    propensity : float, sequence or array, optional
        Probability of each row's *recorded* arm, shape (n,) (the ``propensity`` column of an
        exploration holdout), or per-arm probabilities as :func:`~uplift.campaign.evaluate_policy`
        takes them. Default: the arm shares of the holdout (a uniform randomized holdout).
    margin : float, default 0.0
        Per-customer gain the challenger must exceed to be promoted (switching costs, risk).
    alpha : float, default 0.05
        One-sided level of the promotion test.

    Returns
    -------
    PolicyComparison

    Raises
    ------
    UpliftInputError
        Policies with different arms, an arm without holdout rows, bad propensities.
    UpliftTypeError
        A policy that is not a fitted Policy.

    See Also
    --------
    retrain_policy : Retrain the champion's recipe, then compare.
    uplift.campaign.evaluate_policy : One policy's profit on a holdout.

    Notes
    -----
    IPW scores ``Γ_i(a) = 1{T_i = a} P_i / e_i`` with the realised profit ``P_i`` of
    :func:`~uplift.campaign.evaluate_policy`; the difference per customer is
    ``mean_i [Γ_i(π_chal(x_i)) − Γ_i(π_champ(x_i))]`` with standard error ``sd / sqrt(n)``. Rows
    where both policies agree contribute 0, which is why the paired interval is much narrower
    than the two separate ones. Promote when ``difference − z_{1−α}·SE > margin``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from uplift.campaign import Economics, Policy
    >>> from uplift.datasets import make_uplift_stream
    >>> from uplift.learners import TLearner
    >>> from sklearn.linear_model import LogisticRegression
    >>> data = make_uplift_stream(2, 5000, random_state=0)
    >>> old, new = data.time == 0, data.time == 1
    >>> model = TLearner(LogisticRegression()).fit(data.X[old], data.y[old], treatment=data.treatment[old])
    >>> economics = Economics(value=10.0, contact_cost=0.4)
    >>> champion = Policy(model, economics).fit(data.X[old])
    >>> challenger = Policy(model, economics, max_contacts=1).fit(data.X[old])  # contacts almost nobody
    >>> result = compare_policies(champion, challenger, data.X[new], data.y[new], treatment=data.treatment[new])
    >>> result.promote, result.difference.estimate < 0
    (False, True)
    """
    if not 0.0 < alpha < 0.5:
        raise UpliftInputError(f"alpha must lie in (0, 0.5) for a one-sided test; got {alpha!r}.")
    for policy in (champion, challenger):
        if not (hasattr(policy, "decide") and hasattr(policy, "arm_labels_")):
            raise UpliftTypeError(
                f"policies must be fitted uplift.campaign.Policy objects; got {type(policy).__name__}.")
    economics = champion.economics
    arm_labels = np.asarray(champion.arm_labels_)
    labels = [champion.control_value_, *arm_labels.tolist()]
    if [challenger.control_value_, *np.asarray(challenger.arm_labels_).tolist()] != labels:
        raise UpliftInputError("the policies do not share their arms: champion has "
                               f"{labels}, challenger {[challenger.control_value_, *challenger.arm_labels_]}.")
    y_array, _ = check_outcome(y, outcome_type="binary" if economics.outcome_type == "binary" else "auto")
    codes = _arm_codes(treatment, champion.control_value_, arm_labels)
    if len(codes) != len(y_array):
        raise UpliftInputError(f"y and treatment must have the same length; got {len(y_array)} and {len(codes)}.")
    n_groups = len(labels)
    if (np.bincount(codes, minlength=n_groups) == 0).any():
        raise UpliftInputError("every arm needs holdout rows to compare policies; some arm has none.")
    e = _recorded_propensity(propensity, codes, n_groups)
    ipw, _ = _scores(codes, y_array, codes, economics, arm_labels, None, e)
    champion_arm, challenger_arm = _arms_of(champion, X, labels), _arms_of(challenger, X, labels)
    n = len(y_array)

    def per_customer(estimate: Estimate, name: str) -> Estimate:
        return Estimate.from_normal(estimate.estimate / n, estimate.std_error / n, alpha, name=name)

    champion_scores, challenger_scores = _incremental(ipw, champion_arm), _incremental(ipw, challenger_arm)
    champion_value = per_customer(_total_estimate(champion_scores, alpha, "champion"), "champion")
    challenger_value = per_customer(_total_estimate(challenger_scores, alpha, "challenger"), "challenger")
    difference = per_customer(_total_estimate(challenger_scores - champion_scores, alpha, "difference"),
                              "challenger - champion")
    lower = difference.estimate - stats.norm.ppf(1 - alpha) * difference.std_error
    promote = bool(np.isfinite(lower) and lower > margin)
    reason = (f"challenger - champion = {difference.estimate:.4g} per customer, one-sided {100 * (1 - alpha):g}% "
              f"lower bound {lower:.4g} {'>' if promote else '<='} margin {margin:g}")
    return PolicyComparison(champion=champion_value, challenger=challenger_value, difference=difference,
                            margin=float(margin), promote=promote, reason=reason)


def _recorded_propensity(propensity: Any, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Per-arm probabilities of shape (n, K+1); a vector of the recorded arm's probability is placed in its column."""
    values = None if propensity is None else np.asarray(propensity, dtype=np.float64)
    if values is not None and values.ndim == 1 and len(values) == len(codes) and n_groups != len(codes):
        if not np.isfinite(values).all() or (values <= 0).any() or (values > 1).any():
            raise UpliftInputError("propensity must lie in (0, 1] for every row (the recorded arm's probability).")
        # only the recorded arm's column is used by the IPW score; fill the others with a valid placeholder
        full = np.full((len(codes), n_groups), 0.5)
        full[np.arange(len(codes)), codes] = values
        return full
    return _propensities(propensity, codes, n_groups)


@keyword_only_from("treatment")
def retrain_policy(
    champion: Any,
    X: Any,
    y: Any,
    *,
    treatment: Any,
    evaluation_share: float = 0.5,
    margin: float = 0.0,
    alpha: float = 0.05,
    random_state: Any = None,
) -> tuple[Any, PolicyComparison]:
    """Retrain the champion's recipe on randomized rows and compare on rows it did not see.

    Parameters
    ----------
    champion : fitted Policy
        The deployed policy; its learner is cloned (never refitted in place) and its economics and
        constraints are kept.
    X, y, treatment : randomized rows
        The accumulated exploration holdout (arms drawn uniformly, e.g. ``holdout == "explore"``)
        plus any other randomized data; non-randomized rows would confound the new learner.
    evaluation_share : float, default 0.5
        Share of rows held out for the comparison (the rest trains the challenger).
    margin, alpha : float
        As in :func:`compare_policies`.
    random_state : int, Generator or None
        Seed of the split.

    Returns
    -------
    challenger : Policy
        Fitted on the training rows, prices fitted on all of ``X``.
    comparison : PolicyComparison
        On the evaluation rows; write the challenger only if ``comparison.promote``.

    Raises
    ------
    UpliftInputError
        ``evaluation_share`` outside (0, 1), or too few rows on either side.

    See Also
    --------
    compare_policies : The comparison alone.
    monitor : Says when a retraining is due.
    """
    if not 0.0 < evaluation_share < 1.0:
        raise UpliftInputError(f"evaluation_share must lie in (0, 1); got {evaluation_share!r}.")
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    y_array, treatment_array = np.asarray(y), np.asarray(treatment)
    n = len(frame)
    rng = np.random.default_rng(random_state)
    evaluation = np.zeros(n, dtype=bool)
    evaluation[rng.permutation(n)[: round(evaluation_share * n)]] = True
    if evaluation.sum() < 2 or (~evaluation).sum() < 2:
        raise UpliftInputError(f"retrain_policy needs rows to train and to evaluate; got {n} rows in all.")
    learner = clone(champion.learner).fit(frame[~evaluation], y_array[~evaluation],
                                          treatment=treatment_array[~evaluation])
    challenger = clone(champion).set_params(learner=learner).fit(frame)
    comparison = compare_policies(champion, challenger, frame[evaluation], y_array[evaluation],
                                  treatment=treatment_array[evaluation], margin=margin, alpha=alpha)
    return challenger, comparison
