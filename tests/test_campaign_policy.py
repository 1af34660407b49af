"""uplift.campaign.Policy: frozen prices, map-only decisions, re-planning, plain fitted state."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from uplift.campaign import CampaignPlan, Economics, Policy
from uplift.datasets import make_uplift_classification
from uplift.exceptions import EmptyPlanWarning, UpliftInputError, UpliftTypeError
from uplift.learners import TLearner


class OutcomeLearner(BaseEstimator):
    """A stand-in fitted learner whose features *are* the outcomes (control first): exact tests."""

    def __init__(self, arms=(1,), control=0):
        self.arms = arms
        self.control = control

    def fit(self, X=None, y=None, *, treatment=None):
        self.models_ = "identity"
        self.treatment_arms_ = np.asarray(self.arms)
        self.control_value_ = self.control
        self.inference_ = None
        return self

    def predict_outcomes(self, X):
        return np.asarray(X, dtype=np.float64)


@pytest.fixture(scope="module")
def three_arms():
    data = make_uplift_classification(3_000, n_arms=3, random_state=1)
    learner = TLearner(LogisticRegression()).fit(data.X, data.y, treatment=data.treatment)
    return data, learner


def test_prices_and_decisions_by_hand():
    # gains 4, 3, 2, 1 at spend 1 each; a budget of 2 takes the first two and prices spend at the
    # slope of the first segment left out (2): adjusted gains 2, 1, 0, -1 -> contact rows 0 and 1
    outcomes = np.array([[0.0, 0.5], [0.0, 0.4], [0.0, 0.3], [0.0, 0.2]])
    policy = Policy(OutcomeLearner().fit(), Economics(value=10.0, contact_cost=1.0), budget=2.0).fit(outcomes)
    assert policy.prices_["budget"] == 2.0
    assert policy.prices_["contact"] == 0.0
    decisions = policy.decide(outcomes)
    assert decisions["arm"].tolist() == [1, 1, 0, 0]
    assert decisions["expected_incremental_profit"].tolist() == [4.0, 3.0, 0.0, 0.0]
    assert decisions["expected_spend"].tolist() == [1.0, 1.0, 0.0, 0.0]
    assert decisions["effect_1"].tolist() == [0.5, 0.4, 0.3, 0.2]
    assert policy.reference_plan_summary_["n_contacts"] == 2
    assert policy.reference_plan_summary_["expected_incremental_profit"] == 7.0


def test_contact_cap_price_by_hand():
    # max_contacts=1 without a budget: the contact price lies between the best (4) and second (3) gains
    outcomes = np.array([[0.0, 0.5], [0.0, 0.4], [0.0, 0.3]])
    policy = Policy(OutcomeLearner().fit(), Economics(value=10.0, contact_cost=1.0), max_contacts=1).fit(outcomes)
    assert 3.0 <= policy.prices_["contact"] < 4.0
    assert policy.decide(outcomes)["arm"].tolist() == [1, 0, 0]


def test_one_row_gives_the_same_answer_as_the_batch(three_arms):
    data, learner = three_arms
    economics = Economics(value=30.0, contact_cost=[0.5, 0.6, 0.7])
    policy = Policy(learner, economics, budget=400.0, arm_max={3: 100}).fit(data.X)
    assert policy.prices_["budget"] > 0 and policy.prices_["arms"][2] > 0  # budget and cap both bind
    batch = policy.decide(data.X[:60])
    assert batch["arm"].nunique() >= 3  # the check means something: several arms and no contact
    for i in range(60):
        alone = policy.decide(data.X[i:i + 1])
        pd.testing.assert_frame_equal(alone, batch.iloc[i:i + 1], check_exact=False, rtol=1e-12)


def test_decide_on_the_reference_follows_the_plan(three_arms):
    data, learner = three_arms
    economics = Economics(value=30.0, contact_cost=0.5, conversion_cost=[5.0, 8.0, 12.0])
    policy = Policy(learner, economics, budget=400.0).fit(data.X)
    decisions = policy.decide(data.X)
    plan = policy.plan(data.X)
    assert isinstance(plan, CampaignPlan)
    agree = (decisions["arm"].to_numpy() == np.asarray([0, *learner.treatment_arms_])[plan.arm]).mean()
    # the Lagrangian rule at the plan's own prices reproduces the plan up to the customers tied at the
    # price (one fractional hull segment, plus exact ties): all but a handful of 3,000 rows
    assert agree > 0.995
    assert decisions["expected_spend"].sum() <= 400.0 + 20.0  # within one customer's spend of the budget


def test_labels_and_index_follow_the_learner():
    outcomes = pd.DataFrame([[0.0, 0.5, 0.1], [0.0, 0.1, 0.6], [0.3, 0.0, 0.0]], columns=["c", "a", "b"],
                            index=["x", "y", "z"])
    learner = OutcomeLearner(arms=("email", "sms"), control="none").fit()
    policy = Policy(learner, Economics(value=10.0, contact_cost={"email": 1.0, "sms": 2.0})).fit(outcomes)
    decisions = policy.decide(outcomes)
    assert decisions.index.tolist() == ["x", "y", "z"]
    assert decisions["arm"].tolist() == ["email", "sms", "none"]
    assert list(decisions.columns) == ["arm", "expected_incremental_profit", "expected_spend", "effect_email",
                                       "effect_sms"]
    assert policy.plan(outcomes).ids.tolist() == ["x", "y", "z"]


def test_plan_resolves_under_the_same_budget():
    reference = np.array([[0.0, 0.5], [0.0, 0.4], [0.0, 0.3], [0.0, 0.2]])
    policy = Policy(OutcomeLearner().fit(), Economics(value=10.0, contact_cost=1.0), budget=2.0).fit(reference)
    new = np.array([[0.0, 0.35], [0.0, 0.33], [0.0, 0.31], [0.0, 0.29]])  # gains 2.5, 2.3, 2.1, 1.9
    assert policy.decide(new)["arm"].tolist() == [1, 1, 1, 0]  # price 2: three customers, spend 3 > 2
    assert policy.plan(new).arm.tolist() == [1, 1, 0, 0]  # re-solved: the budget holds


def test_fitted_state_is_plain_data(three_arms):
    data, learner = three_arms
    policy = Policy(learner, Economics(value=30.0, contact_cost=0.5), budget=100.0, arm_min={1: 5}).fit(data.X)
    assert set(policy.prices_) == {"budget", "contact", "arms"}
    assert all(isinstance(policy.prices_[k], float) for k in ("budget", "contact"))
    assert policy.prices_["arms"].shape == (3,)
    state = json.loads(json.dumps(policy.to_dict()))
    assert state["budget"] == 100.0 and state["arm_labels"] == [1, 2, 3] and state["control_value"] == 0
    assert state["arm_min"] == {"1": 5}


def test_per_customer_value_is_refused():
    outcomes = np.array([[0.0, 0.5], [0.0, 0.4]])
    policy = Policy(OutcomeLearner().fit(), Economics(value=np.array([10.0, 20.0])))
    with pytest.raises(UpliftInputError, match=r"economics.value as one number.*plan_campaign"):
        policy.fit(outcomes)
    policy = Policy(OutcomeLearner().fit(), Economics(value=10.0, discount_rate=0.1, order_value=[50.0, 60.0]))
    with pytest.raises(UpliftInputError, match=r"economics\.order_value as one number"):
        policy.fit(outcomes)


def test_bad_inputs():
    outcomes = np.array([[0.0, 0.5]])
    with pytest.raises(NotFittedError):
        Policy(OutcomeLearner(), Economics(value=1.0)).fit(outcomes)
    with pytest.raises(NotFittedError):
        Policy(OutcomeLearner().fit(), Economics(value=1.0)).decide(outcomes)
    with pytest.raises(UpliftTypeError, match=r"economics must be an uplift\.campaign\.Economics"):
        Policy(OutcomeLearner().fit(), {"value": 1.0}).fit(outcomes)
    with pytest.raises(UpliftInputError, match="budget must be a non-negative"):
        Policy(OutcomeLearner().fit(), Economics(value=1.0), budget=-1).fit(outcomes)
    with pytest.raises(UpliftInputError, match="arm_min names arm"):
        Policy(OutcomeLearner().fit(), Economics(value=1.0), arm_min={"x": 1}).fit(outcomes)
    with pytest.raises(UpliftInputError, match="risk"):
        Policy(OutcomeLearner().fit(), Economics(value=1.0), risk="bold").fit(outcomes)
    with pytest.raises(UpliftInputError, match="inference=Bootstrap"):
        Policy(OutcomeLearner().fit(), Economics(value=1.0), risk="conservative").fit(outcomes)


def test_decide_contacts_nobody_when_the_reference_plan_does_not_cover_the_fixed_cost():
    # 100 customers earn 0.1 each: 10 in all, less than the fixed cost of 50 (issue 9, finding 1)
    outcomes = np.array([[0.1, 0.13]] * 100)
    economics = Economics(value=10.0, contact_cost=0.2, fixed_cost=50.0)
    with pytest.warns(EmptyPlanWarning, match="does not cover"):
        policy = Policy(OutcomeLearner().fit(), economics).fit(outcomes)
    assert policy.fixed_cost_covered_ is False
    assert (policy.decide(outcomes)["arm"] == 0).all()
    covered = Policy(OutcomeLearner().fit(), Economics(value=10.0, contact_cost=0.2, fixed_cost=5.0)).fit(outcomes)
    assert covered.fixed_cost_covered_ and (covered.decide(outcomes[:3])["arm"] == 1).all()


def test_economics_to_dict_rebuilds_it():
    economics = Economics(value=30.0, contact_cost={"email": 0.1, "sms": 0.2}, conversion_cost=[1.0, 2.0],
                          fixed_cost=5)
    state = json.loads(json.dumps(economics.to_dict()))
    assert state["contact_cost"] == {"email": 0.1, "sms": 0.2} and state["fixed_cost"] == 5.0
    assert Economics(**state) == Economics(value=30.0, contact_cost={"email": 0.1, "sms": 0.2},
                                           conversion_cost=[1.0, 2.0], fixed_cost=5.0)
