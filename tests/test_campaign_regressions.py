"""Regression tests: the exact examples of issue 9 (findings 1, 2, 3, 8, 9, 13 and Economics types).

Each failed before the fix (the value it gave is in the comment) and passes now.
"""

from __future__ import annotations

import numpy as np
import pytest

from uplift.campaign import Economics, evaluate_policy, plan_campaign, policy_profit_curve, profit_curve
from uplift.exceptions import EmptyPlanWarning, UpliftInputError, UpliftTypeError, UpliftWarning


def test_finding_1_fixed_cost_weighed_against_the_whole_plan():
    # before: everyone contacted for an expected -40 (100 x 0.1 = 10 earned, 50 fixed)
    with pytest.warns(EmptyPlanWarning, match=r"earns 10 before the fixed cost of 50, which it does not cover"):
        plan = plan_campaign([[0.1, 0.13]] * 100, Economics(value=10.0, contact_cost=0.2, fixed_cost=50))
    totals = plan.totals()
    assert plan.n_contacts == 0
    assert totals["expected_incremental_profit"] == 0.0 and totals["expected_spend"] == 0.0
    assert totals["upper_bound"] == 0.0  # before: -40, below what contacting nobody earns
    # a fixed cost the plan earns back is paid: 10 earned, 5 fixed
    plan = plan_campaign([[0.1, 0.13]] * 100, Economics(value=10.0, contact_cost=0.2, fixed_cost=5))
    assert plan.n_contacts == 100
    assert plan.totals()["expected_incremental_profit"] == pytest.approx(5.0)


def test_finding_2_budget_below_the_most_efficient_customer_still_buys_the_rest():
    # customer 0: spend 50.05, ΔΠ 99.95 (the most efficient) does not fit a budget of 7; the 100 others
    # (spend 0.07, ΔΠ 0.13 each) do, 99 of them within 7 in floating point: 12.87. Before: nobody, 0.
    outcomes = np.c_[np.zeros(101), np.r_[0.5, [0.02] * 100]]
    economics = Economics(value=np.r_[300.0, [10.0] * 100], order_value=np.r_[1000.0, [10.0] * 100],
                          discount_rate=0.1, contact_cost=0.05)
    plan = plan_campaign(outcomes, economics, budget=7)
    totals = plan.totals()
    assert plan.arm[0] == 0
    assert totals["expected_spend"] <= 7.0
    assert totals["expected_incremental_profit"] == pytest.approx(12.87, abs=0.131)  # 99 or (exactly) 100 of them
    assert totals["expected_incremental_profit"] >= 12.87 - 1e-9
    assert totals["upper_bound"] >= totals["expected_incremental_profit"]


def test_finding_3_negative_revenue_gives_no_negative_spend():
    # before: customer 0 (revenue -10 -> -5) had spend -1 and ΔΠ 3.5, and was contacted under budget=0
    economics = Economics(margin_rate=0.5, discount_rate=0.2)
    with pytest.warns(EmptyPlanWarning, match="no customer has a positive"), \
            pytest.warns(UpliftWarning, match=r"2 negative predicted revenue value\(s\) \(lowest -10\)"):
        plan = plan_campaign([[-10.0, -5.0], [10.0, 15.0]], economics, budget=0)
    assert (plan.scores.spend >= 0).all()
    np.testing.assert_allclose(plan.scores.gain[:, 0], [0.0, 0.5 * 5 - 0.2 * 15])
    assert plan.n_contacts == 0


def test_finding_13_budget_plan_takes_the_customer_that_fits():
    # customer 1: ΔΠ 3.9 at spend 1.1 (over the budget), customer 2: ΔΠ 0.7 at spend 0.3. Before: nobody,
    # and a warning that said "no room"
    plan = plan_campaign([[0, 0.5], [0, 0.1]], Economics(value=10, contact_cost=0.1, conversion_cost=2), budget=1.0)
    assert plan.arm.tolist() == [0, 1]
    assert plan.totals()["expected_incremental_profit"] == pytest.approx(0.7)


def test_finding_13_arm_minimum_met_when_achievable():
    # found by a random search against the old optimizer: the budget (1.1) buys the one arm-2 contact asked
    # for (0.89), yet the old plan gave arm 2 nobody and warned that the minimum could not be met
    outcomes = [[0.5, 0.53, 0.6], [0.49, 0.56, 0.58], [0.34, 0.33, 0.38], [0.33, 0.45, 0.52], [0.34, 0.27, 0.55],
                [0.19, 0.38, 0.32]]
    economics = Economics(value=10.0, contact_cost=[0.39, 0.89])
    plan = plan_campaign(outcomes, economics, arm_min=[0, 1], budget=1.1)
    counts = plan.contacts_per_arm().tolist()
    assert counts[1] >= 1
    assert plan.totals()["expected_spend"] <= 1.1


def test_finding_13_impossible_minimums_keep_a_true_upper_bound():
    # three customers cannot fill a minimum of 5: before, upper_bound was -8.6e13 (and -6.7e27 in the audit)
    outcomes = [[0.1, 0.3, 0.2], [0.1, 0.25, 0.3], [0.2, 0.5, 0.2]]
    economics = Economics(value=10.0, contact_cost=[0.5, 1.0])
    with pytest.warns(UpliftWarning, match=r"arm_min is not met \(2: 3 < 5\)"):
        plan = plan_campaign(outcomes, economics, arm_min=[0, 5])
    totals = plan.totals()
    # best any plan can do under the other constraints: each customer's best arm, 1.5 + 1.0 + 2.5
    assert totals["upper_bound"] >= 5.0 - 1e-9
    assert totals["upper_bound"] >= totals["expected_incremental_profit"]


def test_finding_13_curves_of_a_plan_apply_its_eligibility():
    # customer 0 (ΔΠ 3) is not eligible: the curves end at 1 + 3 - ... = 2 (customers 1 and 2), not 5
    outcomes = [[0.1, 0.5], [0.1, 0.2], [0.1, 0.4]]
    plan = plan_campaign(outcomes, Economics(value=10.0, contact_cost=1.0), eligible=np.array([False, True, True]))
    assert plan.arm.tolist() == [0, 0, 1]
    spend, profit = plan.budget_curve()
    assert profit[-1] == pytest.approx(2.0) and spend[-1] == pytest.approx(1.0)  # before: 5.0
    _, profit = profit_curve(plan, by="budget")
    assert profit[-1] == pytest.approx(2.0)
    _, profit = profit_curve(plan, by="depth")
    assert profit.tolist() == pytest.approx([0.0, 2.0, 2.0])  # customer 1 earns 0; customer 0 left out


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"value": 10.0, "fixed_cost": "5"}, "fixed_cost"),
    ({"value": "5"}, "value"),
    ({"margin_rate": "0.3"}, "margin_rate"),
    ({"value": 1.0, "contact_cost": ["a"]}, "contact_cost"),
    ({"value": 1.0, "conversion_cost": {"coupon": "1"}}, "conversion_cost"),
    ({"value": 1.0, "fixed_cost": True}, "fixed_cost"),
])
def test_economics_refuses_text_naming_the_argument(kwargs, name):
    # before: Economics(fixed_cost="5") raised numpy's "ufunc 'isfinite' not supported"
    with pytest.raises(UpliftTypeError, match=rf"^{name} must be a number.*{name}=5\.0"):
        Economics(**kwargs)


@pytest.fixture(scope="module")
def holdout():
    from uplift.datasets import make_uplift_classification

    data = make_uplift_classification(400, random_state=1)
    plan = plan_campaign(data.mu, Economics(value=30.0, contact_cost=0.5, conversion_cost=5.0))
    return data, plan


def test_finding_8_propensities_must_sum_to_one(holdout):
    # before: propensity=[0.9, 0.9] was accepted and every estimate silently scaled
    data, plan = holdout
    with pytest.raises(UpliftInputError, match=r"sum to 1 over the 2 arms.*got a sum of 1\.8 in row 0"):
        evaluate_policy(plan, data.y, treatment=data.treatment, propensity=[0.9, 0.9])
    with pytest.raises(UpliftInputError, match="sum to 1"):
        policy_profit_curve(plan, data.y, treatment=data.treatment, propensity=np.tile([0.5, 0.6], (400, 1)))
    # P(treated) alone and a proper pair are the same design
    one = evaluate_policy(plan, data.y, treatment=data.treatment, propensity=0.5).value.estimate
    assert evaluate_policy(plan, data.y, treatment=data.treatment, propensity=[0.5, 0.5]).value.estimate == one


def test_finding_9_profit_curve_validates_the_outcome_like_evaluate_policy(holdout):
    # before: policy_profit_curve accepted a revenue y (0/3) with value= that evaluate_policy refuses
    data, plan = holdout
    with pytest.raises(UpliftInputError, match="y must be binary"):
        evaluate_policy(plan, data.y * 3.0, treatment=data.treatment)
    with pytest.raises(UpliftInputError, match="y must be binary"):
        policy_profit_curve(plan, data.y * 3.0, treatment=data.treatment)


def test_arm_min_with_a_partial_arm_max_mapping_is_planned():
    # before: the exact coordinate prices of small plans did int(inf) for an arm with a minimum and no maximum
    outcomes = np.column_stack([np.full(40, 0.1), np.linspace(0.12, 0.3, 40), np.linspace(0.3, 0.12, 40)])
    plan = plan_campaign(outcomes, Economics(value=30.0, contact_cost=0.1, conversion_cost=2.0), budget=60.0,
                         arm_min={1: 5}, arm_max={2: 10})
    counts = plan.contacts_per_arm()
    assert counts[1] >= 5 and counts[2] <= 10 and plan.totals()["expected_spend"] <= 60.0
