"""The exploration holdout of Policy.decide: map-only hashed draws, shares, propensities, unbiased IPW."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

from uplift.campaign import Economics, Policy
from uplift.exceptions import UpliftInputError


class OutcomeLearner(BaseEstimator):
    """A stand-in fitted learner whose features *are* the outcomes (control first)."""

    def __init__(self, arms=("email", "sms")):
        self.arms = arms

    def fit(self):
        self.models_ = "identity"
        self.treatment_arms_ = np.asarray(self.arms)
        self.control_value_ = "none"
        self.inference_ = None
        return self

    def predict_outcomes(self, X):
        return np.asarray(X, dtype=np.float64)


@pytest.fixture(scope="module")
def policy_and_customers():
    rng = np.random.default_rng(0)
    n = 20_000
    outcomes = pd.DataFrame(np.column_stack([np.full(n, 0.1), rng.uniform(0, 0.3, n), rng.uniform(0, 0.3, n)]),
                            columns=["c", "a", "b"], index=pd.Index([f"cust{i}" for i in range(n)], name="id"))
    policy = Policy(OutcomeLearner().fit(), Economics(value=10.0, contact_cost=1.0)).fit(outcomes)
    return policy, outcomes


def test_shares_and_uniform_arms(policy_and_customers):
    policy, X = policy_and_customers
    decisions = policy.decide(X, explore=0.2, control_share=0.1, random_state=7)
    assert list(decisions.columns[-3:]) == ["policy_arm", "propensity", "holdout"]
    shares = decisions["holdout"].value_counts(normalize=True)
    # binomial SE with n = 20000: sqrt(.2 .8 / n) = .0028 and sqrt(.1 .9 / n) = .0021; 4 SE
    assert shares["explore"] == pytest.approx(0.2, abs=4 * 0.0028)
    assert shares["global_control"] == pytest.approx(0.1, abs=4 * 0.0021)
    assert (decisions.loc[decisions["holdout"] == "global_control", "arm"] == "none").all()
    on_policy = decisions["holdout"] == "policy"
    assert (decisions.loc[on_policy, "arm"] == decisions.loc[on_policy, "policy_arm"]).all()
    explored = decisions.loc[decisions["holdout"] == "explore", "arm"].value_counts(normalize=True)
    # three arms uniform within ~4000 explored rows: SE sqrt(1/3 2/3 / 4000) = .0075; 4 SE
    assert explored.to_numpy() == pytest.approx([1 / 3] * 3, abs=4 * 0.0075)


def test_propensity_formula_and_unbiased_ipw(policy_and_customers):
    policy, X = policy_and_customers
    decisions = policy.decide(X, explore=0.2, control_share=0.1, random_state=3)
    given, chosen = decisions["arm"].to_numpy(), decisions["policy_arm"].to_numpy()
    expected = 0.1 * (given == "none") + 0.2 / 3 + 0.7 * (given == chosen)
    np.testing.assert_allclose(decisions["propensity"], expected)
    # E[1{arm = a}/propensity] = 1 for every row and every fixed arm a: the IPW count estimates n.
    # Var per row <= 1/min propensity ~ 15; SE of the sum <= sqrt(15 n) ~ 550 for n = 20000; 4 SE = 2200
    for arm in ("none", "email", "sms"):
        total = float(((given == arm) / decisions["propensity"]).sum())
        assert total == pytest.approx(len(X), abs=2200)


def test_map_only_and_deterministic(policy_and_customers):
    policy, X = policy_and_customers
    batch = policy.decide(X.iloc[:200], explore=0.5, random_state=11)
    again = policy.decide(X.iloc[:200], explore=0.5, random_state=11)
    pd.testing.assert_frame_equal(batch, again)
    shuffled = policy.decide(X.iloc[:200].iloc[::-1], explore=0.5, random_state=11)
    pd.testing.assert_frame_equal(shuffled.loc[batch.index], batch)
    for i in (0, 57, 199):
        alone = policy.decide(X.iloc[i:i + 1], explore=0.5, random_state=11)
        pd.testing.assert_frame_equal(alone, batch.iloc[i:i + 1])
    other = policy.decide(X.iloc[:200], explore=0.5, random_state=12)
    assert not other["holdout"].equals(batch["holdout"])
    plain = policy.decide(X.iloc[:5])
    assert "holdout" not in plain.columns  # without a holdout the columns are the policy's own


def test_bad_inputs(policy_and_customers):
    policy, X = policy_and_customers
    with pytest.raises(UpliftInputError, match="explore must be a share in"):
        policy.decide(X.iloc[:3], explore=-0.1)
    with pytest.raises(UpliftInputError, match="explore \\+ control_share must leave"):
        policy.decide(X.iloc[:3], explore=0.5, control_share=0.5)
    with pytest.raises(UpliftInputError, match="index must identify customers uniquely"):
        policy.decide(pd.concat([X.iloc[:2], X.iloc[:2]]), explore=0.1, random_state=0)
    with pytest.raises(UpliftInputError, match="random_state must be"):
        policy.decide(X.iloc[:3], explore=0.1, random_state=-1)
