"""plan_campaign: bad input, the plan object and its exports, risk modes, and profit on synthetic truth."""

from __future__ import annotations

import builtins

import numpy as np
import pandas as pd
import pytest

from uplift.campaign import Economics, plan_campaign, profit_lower_bound
from uplift.datasets import make_uplift_classification
from uplift.exceptions import EmptyPlanWarning, UpliftInputError, UpliftWarning

ECONOMICS = Economics(value=30.0, contact_cost=0.10, conversion_cost=10.0)
OUTCOMES = np.array([[0.50, 0.55], [0.01, 0.04], [0.02, 0.06]])


# -- bad input ---------------------------------------------------------------------------------
def test_negative_budget_raises():
    with pytest.raises(UpliftInputError, match="budget must be a non-negative"):
        plan_campaign(OUTCOMES, ECONOMICS, budget=-1.0)


def test_arms_in_economics_that_the_model_does_not_know():
    economics = Economics(value=30.0, contact_cost={"sms": 0.05, "email": 0.1})
    with pytest.raises(UpliftInputError, match=r"names arm\(s\) \['sms'\] that the model does not know"):
        plan_campaign(OUTCOMES, economics, arms=["email"])
    with pytest.raises(UpliftInputError, match="one cost per treated arm"):
        plan_campaign(OUTCOMES, Economics(value=30.0, contact_cost=[0.1, 0.2]))


def test_nan_probabilities_raise():
    outcomes = OUTCOMES.copy()
    outcomes[1, 0] = np.nan
    with pytest.raises(UpliftInputError, match=r"contains NaN in 1 row\(s\)"):
        plan_campaign(outcomes, ECONOMICS)


def test_probabilities_outside_unit_interval_raise():
    with pytest.raises(UpliftInputError, match=r"must be probabilities in \[0, 1\]"):
        plan_campaign([[0.5, 1.2]], ECONOMICS)
    # a revenue outcome is not a probability: fine with margin_rate=
    plan = plan_campaign([[50.0, 60.0]], Economics(margin_rate=0.3, contact_cost=1.0))
    assert plan.arm.tolist() == [1]


def test_budget_smaller_than_one_contact_gives_an_empty_plan_with_a_warning():
    with pytest.warns(EmptyPlanWarning, match="smaller than the cheapest profitable contact"):
        plan = plan_campaign(OUTCOMES, ECONOMICS, budget=0.3)
    assert plan.n_contacts == 0
    assert plan.totals()["expected_incremental_profit"] == 0.0
    with pytest.warns(EmptyPlanWarning, match="no customer has a positive"):
        plan_campaign([[0.5, 0.5]], ECONOMICS)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"contact_cost": -0.1}, "contact_cost must not be negative"),
        ({"conversion_cost": [1.0, -2.0]}, "conversion_cost must not be negative"),
        ({"discount_rate": 1.5}, r"discount_rate must be fractions in \[0, 1\]"),
        ({"fixed_cost": -5.0}, "fixed_cost must be a non-negative"),
    ],
)
def test_negative_costs_raise(kwargs, match):
    with pytest.raises(UpliftInputError, match=match):
        Economics(value=30.0, **kwargs)


def test_economics_needs_value_or_margin_rate():
    with pytest.raises(UpliftInputError, match="exactly one of value="):
        Economics(contact_cost=1.0)
    with pytest.raises(UpliftInputError, match="conversion_cost= is an amount per conversion"):
        Economics(margin_rate=0.3, conversion_cost=2.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_contacts": -1}, "max_contacts must be a non-negative whole number"),
        ({"max_contacts": 1.5}, "max_contacts must be a non-negative whole number"),
        ({"arm_min": 3, "arm_max": 2}, "arm_min must not exceed arm_max"),
        ({"arm_min": 3, "max_contacts": 2}, "more than max_contacts=2"),
        ({"arm_max": {"other": 1}}, "that the model does not know"),
        ({"eligible": [1, 0, 1]}, "eligible must be a boolean mask"),
        ({"eligible": np.ones(2, dtype=bool)}, "eligible must have shape"),
        ({"risk": "bold"}, "risk must be one of"),
        ({"risk": "conservative"}, "needs effect_interval"),
        ({"spend_risk": 0.05}, "spend_risk needs a budget"),
        ({"spend_risk": 0.7, "budget": 1.0}, r"spend_risk must be a probability in \(0, 0.5\)"),
        ({"ids": [1, 2]}, "ids must have one value per customer"),
        ({"price_sample": 0}, "price_sample must be a positive whole number"),
        ({"price_sample": 1.5}, "price_sample must be a positive whole number"),
    ],
)
def test_bad_plan_arguments_raise(kwargs, match):
    with pytest.raises(UpliftInputError, match=match):
        plan_campaign(OUTCOMES, ECONOMICS, **kwargs)


def test_outcomes_of_the_wrong_shape_raise():
    with pytest.raises(UpliftInputError, match=r"must have shape \(n, n_arms \+ 1\)"):
        plan_campaign([0.1, 0.2], ECONOMICS)


# -- the plan ----------------------------------------------------------------------------------
def test_plan_frame_summary_and_csv(tmp_path):
    plan = plan_campaign(OUTCOMES, ECONOMICS, ids=["a", "b", "c"])
    frame = plan.to_frame()
    assert list(frame.columns) == ["id", "arm", "arm_label", "rank", "expected_profit", "expected_spend", "p0",
                                   "p_arm"]
    # b: 0.40 / 0.50 = 0.8 per unit spent; c: 0.50 / 0.70 = 0.71 → b is contacted first
    assert frame["rank"].tolist() == [0, 1, 2]
    np.testing.assert_allclose(frame["p_arm"], [0.50, 0.04, 0.06])
    summary = plan.summary()
    assert summary["arm"].tolist() == [1, "total"]
    np.testing.assert_allclose(summary["expected_incremental_profit"], [0.9, 0.9])
    path = plan.to_csv(tmp_path / "plan.csv")
    pd.testing.assert_frame_equal(pd.read_csv(path, dtype={"id": str, "arm_label": str}), frame, check_dtype=False)


def test_fixed_cost_counts_against_budget_and_profit():
    economics = Economics(value=30.0, contact_cost=0.10, conversion_cost=10.0, fixed_cost=0.3)
    plan = plan_campaign(OUTCOMES, economics, budget=1.2)
    # 0.9 left for contacts: b (spend 0.5, ΔΠ 0.4) and c (0.7, 0.5) do not fit together; c alone earns more
    assert plan.arm.tolist() == [0, 0, 1]
    assert plan.totals()["expected_incremental_profit"] == pytest.approx(0.50 - 0.3)
    assert plan.totals()["expected_spend"] == pytest.approx(1.0)
    # a fixed cost of 0.5 is not earned back by the 0.5 that fits: contacting nobody is better (issue 9.1)
    with pytest.warns(EmptyPlanWarning, match="does not cover"):
        plan = plan_campaign(OUTCOMES, Economics(value=30.0, contact_cost=0.10, conversion_cost=10.0,
                                                 fixed_cost=0.5), budget=1.2)
    assert plan.n_contacts == 0 and plan.totals()["expected_incremental_profit"] == 0.0


def test_parquet_export_and_clear_message_without_pyarrow(tmp_path, monkeypatch):
    plan = plan_campaign(OUTCOMES, ECONOMICS)
    pytest.importorskip("pyarrow", reason="pyarrow (dev extra) is needed for the round trip")
    frame = pd.read_parquet(plan.to_parquet(tmp_path / "plan.parquet"))
    assert frame["arm"].tolist() == [0, 1, 1]
    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name == "pyarrow":
            raise ImportError("No module named 'pyarrow'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(ImportError, match=r"needs pyarrow.*pip install pyarrow.*to_csv"):
        plan.to_parquet(tmp_path / "other.parquet")


def test_eligibility_and_per_arm_caps_and_minimums():
    economics = Economics(value=30.0, contact_cost=0.1)
    outcomes = np.array([[0.1, 0.2, 0.15]] * 4)  # arm 1 better for everyone (ΔΠ 2.9 vs 1.4)
    plan = plan_campaign(outcomes, economics, eligible=np.array([True, True, False, True]))
    assert plan.arm.tolist() == [1, 1, 0, 1]
    plan = plan_campaign(outcomes, economics, arm_max=[1, 4])
    assert sorted(plan.arm.tolist()) == [1, 2, 2, 2]
    plan = plan_campaign(outcomes, economics, arm_min={2: 3})
    assert sorted(plan.arm.tolist()) == [1, 2, 2, 2]
    with pytest.warns(UpliftWarning, match="arm_min is not met"):
        plan_campaign(outcomes, economics, arm_min=[0, 3], budget=0.25)


# -- risk --------------------------------------------------------------------------------------
def test_conservative_mode_treats_only_where_the_lower_bound_is_positive():
    # customer 0: effect in [0.02, 0.04] → ΔΠ low = 20·0.02 − 10·0.01 − 0.1 = 0.20 > 0
    # customer 1: effect in [-0.01, 0.07] → ΔΠ low < 0 although its expected ΔΠ (0.40) is higher
    outcomes = np.array([[0.01, 0.04], [0.01, 0.04]])
    interval = (np.array([0.02, -0.01]), np.array([0.04, 0.07]))
    np.testing.assert_allclose(profit_lower_bound(ECONOMICS.score(outcomes), interval)[:, 0], [0.20, -0.40])
    plan = plan_campaign(outcomes, ECONOMICS, risk="conservative", effect_interval=interval)
    assert plan.arm.tolist() == [1, 0]
    with pytest.raises(UpliftInputError, match="low > high"):
        plan_campaign(outcomes, ECONOMICS, risk="conservative", effect_interval=(interval[1], interval[0]))


def test_spend_risk_keeps_overspending_unlikely():
    rng = np.random.default_rng(0)
    n = 3000
    p0 = rng.uniform(0.01, 0.1, n)
    outcomes = np.column_stack([p0, np.clip(p0 + rng.uniform(0.02, 0.1, n), 0, 1)])
    economics = Economics(value=30.0, contact_cost=0.2, conversion_cost=10.0)
    budget = 800.0
    expected = plan_campaign(outcomes, economics, budget=budget)
    safe = plan_campaign(outcomes, economics, budget=budget, spend_risk=0.05)
    assert safe.n_contacts < expected.n_contacts
    # simulate the spend of each plan: conversions are Bernoulli(p_arm)
    draws = rng.random((2000, n))

    def overspend(plan):
        contacted = plan.arm > 0
        p = plan.scores.outcomes[np.arange(n), plan.arm]
        spend = (draws[:, contacted] < p[contacted]).sum(axis=1) * 10.0 + 0.2 * contacted.sum()
        return (spend > budget).mean()

    # the expected-spend plan sits at the budget, so it overspends about half the time; the safe one
    # at most 5% (+ 3 Monte Carlo SE of a proportion near 0.05 over 2000 draws: 3·0.0049)
    assert overspend(expected) > 0.3
    assert overspend(safe) <= 0.05 + 0.015


# -- synthetic truth ---------------------------------------------------------------------------
def test_profit_plan_beats_uplift_ranking_and_reaches_the_oracle_on_synthetic_truth():
    # Costs make sure things unprofitable: 30·τ − 10·p1 − 0.1 < 0 for p1 ≥ 0.55 and τ ≤ 0.03.
    # The planner sees calibrated probabilities with noise (sd 0.005 on each arm's probability, a
    # well-calibrated model): what is checked is the decision rule, not a learner's accuracy on a finite
    # sample. Over seeds 0-2 this noise keeps 97.2-97.4% of the oracle's profit (sd 0.0075 gives 94.9%,
    # 0.01 gives 91%), so the 95% bound is not met by luck.
    data = make_uplift_classification(20_000, random_state=0)
    rng = np.random.default_rng(1)
    estimated = np.clip(data.mu + rng.normal(0, 0.005, data.mu.shape), 0, 1)
    true_gain = ECONOMICS.score(data.mu).gain[:, 0]
    true_spend = ECONOMICS.score(data.mu).spend[:, 0]
    budget = 2000.0
    oracle = plan_campaign(data.mu, ECONOMICS, budget=budget)
    plan = plan_campaign(estimated, ECONOMICS, budget=budget)
    oracle_profit = true_gain[oracle.arm == 1].sum()
    plan_profit = true_gain[plan.arm == 1].sum()
    # on the truth the integer plan is within 0.1% of the Lagrangian (LP) bound: nothing better exists
    assert oracle_profit >= 0.999 * oracle.totals()["upper_bound"]
    assert plan_profit >= 0.95 * oracle_profit
    # rank by estimated uplift, contact in that order while the expected spend fits the same budget
    uplift = estimated[:, 1] - estimated[:, 0]
    spend = ECONOMICS.score(estimated).spend[:, 0]
    order = np.argsort(-uplift)
    chosen = order[: np.searchsorted(np.cumsum(spend[order]), budget, side="right")]
    assert plan_profit > true_gain[chosen].sum()
    # without a budget, targeting every positive uplift pays the sure things' coupons and loses money on them
    positive = uplift > 0
    assert (data.customer_type[positive] == "sure thing").sum() > 1000
    assert true_gain[positive].sum() < true_gain[plan_campaign(estimated, ECONOMICS).arm == 1].sum()
    assert (data.customer_type[plan.arm == 1] == "sure thing").mean() == 0.0
    assert true_spend[plan.arm == 1].sum() <= budget * 1.05  # expected spend under the truth stays near budget


def test_discount_rate_and_per_customer_value():
    # a 10% discount on a 100 order is a 10 conversion cost: the sure thing is −4.10 again
    economics = Economics(value=30.0, contact_cost=0.10, discount_rate=0.10, order_value=100.0)
    np.testing.assert_allclose(economics.score([[0.50, 0.55]]).gain, [[-4.10]])
    # per-customer value: the second customer is worth twice as much → 60·0.03 − 0.10 = 1.70
    economics = Economics(value=[30.0, 60.0], contact_cost=0.10)
    np.testing.assert_allclose(economics.score([[0.50, 0.55], [0.01, 0.04]]).gain[:, 0], [1.40, 1.70])
    with pytest.raises(UpliftInputError, match="one value per row of outcomes"):
        economics.score([[0.5, 0.55]])
    # revenue outcome: margin 30%, 10% discount on treated revenue: 0.3·(60 − 50) − 0.1·60 − 1 = −4
    revenue = Economics(margin_rate=0.3, discount_rate=0.1, contact_cost=1.0)
    np.testing.assert_allclose(revenue.score([[50.0, 60.0]]).gain, [[-4.0]])
