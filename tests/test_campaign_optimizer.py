"""The campaign optimizer: hand-checked scores, optimality against an LP solver, constraints never exceeded."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from uplift.campaign import Economics, plan_campaign, profit_curve
from uplift.campaign._hull import budget_path, take_prefix, upper_hull
from uplift.campaign._optimizer import solve_knapsack

SURE_THING_ECONOMICS = Economics(value=30.0, contact_cost=0.10, conversion_cost=10.0)


def test_two_hand_checked_customers():
    # sure thing: 30·0.05 − 10·0.55 − 0.10 = −4.10; persuadable: 30·0.03 − 10·0.04 − 0.10 = +0.40
    scores = SURE_THING_ECONOMICS.score([[0.50, 0.55], [0.01, 0.04]])
    np.testing.assert_allclose(scores.gain[:, 0], [-4.10, 0.40])
    np.testing.assert_allclose(scores.spend[:, 0], [5.60, 0.50])
    plan = plan_campaign([[0.50, 0.55], [0.01, 0.04]], SURE_THING_ECONOMICS)
    assert plan.arm.tolist() == [0, 1]
    assert plan.totals()["expected_incremental_profit"] == pytest.approx(0.40)
    assert plan.totals()["expected_spend"] == pytest.approx(0.50)


def test_three_arms_cheap_offer_for_sure_things_rich_offer_for_persuadables():
    # arm 1: plain e-mail (δ = 0.10, no coupon); arm 2: e-mail with a 10 coupon (δ = 0.10, κ = 10)
    economics = Economics(value=30.0, contact_cost=[0.10, 0.10], conversion_cost={"coupon": 10.0})
    outcomes = [[0.50, 0.52, 0.56],   # sure thing: e-mail 30·0.02 − 0.1 = 0.50; coupon 1.8 − 5.6 − 0.1 = −3.90
                [0.02, 0.03, 0.12]]   # persuadable: e-mail 0.30 − 0.1 = 0.20; coupon 3.0 − 1.2 − 0.1 = 1.70
    plan = plan_campaign(outcomes, economics, arms=["email", "coupon"])
    np.testing.assert_allclose(plan.scores.gain, [[0.50, -3.90], [0.20, 1.70]])
    assert plan.arm.tolist() == [1, 2]
    assert plan.to_frame()["arm_label"].tolist() == ["email", "coupon"]
    assert plan.totals()["expected_incremental_profit"] == pytest.approx(2.20)


def test_upper_hull_drops_dominated_and_non_convex_arms():
    # points (cost, gain): arm1 (1, 1), arm2 (2, 1.4) under the chord from arm1 to arm3, arm3 (3, 2.5),
    # arm4 (4, 2.0) less profitable than arm3: hull = origin → arm1 → arm3
    gain = np.array([[1.0, 1.4, 2.5, 2.0]])
    spend = np.array([[1.0, 2.0, 3.0, 4.0]])
    hull = upper_hull(gain, spend)
    assert hull.length.tolist() == [2]
    assert hull.arm[:2, 0].tolist() == [1, 3]
    _, _, d_cost, d_gain = hull.segments()
    np.testing.assert_allclose(d_cost, [1.0, 2.0])
    np.testing.assert_allclose(d_gain, [1.0, 1.5])


def test_free_profitable_arm_and_equal_costs():
    # arm 1 costs nothing and earns 1; arm 2 costs nothing and earns 2 (dominates); arm 3 is ineligible
    hull = upper_hull(np.array([[1.0, 2.0, -np.inf]]), np.array([[0.0, 0.0, 0.0]]))
    assert hull.length.tolist() == [1] and hull.arm[0, 0] == 2


def test_take_prefix_matches_sorting_with_ties_and_large_inputs():
    rng = np.random.default_rng(0)
    slope = rng.integers(0, 50, 120_000).astype(float)  # many ties, larger than the sorted-outright size
    weight = rng.uniform(0, 1, slope.size)
    capacity = weight.sum() / 3
    order = np.lexsort((np.arange(slope.size), -slope))
    expected = np.zeros(slope.size, dtype=bool)
    expected[order[: np.searchsorted(np.cumsum(weight[order]), capacity, side="right")]] = True
    np.testing.assert_array_equal(take_prefix(slope, weight, capacity), expected)


def _lp_optimum(gain, spend, budget=None, max_contacts=None, arm_max=None, arm_min=None):
    """LP relaxation of the multiple-choice knapsack by scipy's HiGHS (x_ik in [0, 1], Σ_k x_ik ≤ 1)."""
    n, n_arms = gain.shape
    rows, bounds = [], []
    for i in range(n):
        row = np.zeros((n, n_arms))
        row[i] = 1
        rows.append(row.ravel())
        bounds.append(1.0)
    if budget is not None:
        rows.append(spend.ravel())
        bounds.append(budget)
    if max_contacts is not None:
        rows.append(np.ones(n * n_arms))
        bounds.append(max_contacts)
    for k in range(n_arms):
        column = np.zeros((n, n_arms))
        column[:, k] = 1
        if arm_max is not None:
            rows.append(column.ravel())
            bounds.append(arm_max[k])
        if arm_min is not None:
            rows.append(-column.ravel())
            bounds.append(-arm_min[k])
    result = linprog(-gain.ravel(), A_ub=np.array(rows), b_ub=bounds, bounds=(0, 1), method="highs")
    assert result.status == 0
    return -result.fun


def _totals(arm, gain, spend):
    rows = np.flatnonzero(arm > 0)
    return gain[rows, arm[rows] - 1].sum(), spend[rows, arm[rows] - 1].sum()


@pytest.mark.parametrize("seed", range(40))
def test_optimum_within_rounding_of_the_lp(seed):
    # The LP optimum has at most one fractional customer per binding constraint, so the integer plan
    # may fall short of it by at most (number of constraints) × the largest single-customer gain.
    rng = np.random.default_rng(seed)
    n, n_arms = int(rng.integers(3, 25)), int(rng.integers(1, 4))
    gain = rng.normal(0.2, 1.0, (n, n_arms))
    spend = rng.uniform(0.1, 2.0, (n, n_arms))
    budget = float(rng.uniform(0.2, 0.6) * spend.sum() / n_arms)
    max_contacts = int(rng.integers(1, n)) if seed % 2 else None
    arm_max = rng.integers(0, n, n_arms) if seed % 3 == 0 else None
    solution = solve_knapsack(gain, spend, budget=budget, max_contacts=max_contacts, arm_max=arm_max)
    total_gain, total_spend = _totals(solution.arm, gain, spend)
    optimum = _lp_optimum(gain, spend, budget, max_contacts, arm_max)
    n_constraints = 1 + (max_contacts is not None) + (0 if arm_max is None else n_arms)
    assert total_spend <= budget
    # the reported bound holds for integer plans (it may be below the LP optimum when the exact search of
    # small plans tightens it); tests/test_adversarial/test_campaign_properties.py checks it against milp
    assert total_gain <= solution.upper_bound + 1e-9 * max(1.0, abs(total_gain))
    assert total_gain >= optimum - n_constraints * np.abs(gain).max() - 1e-9, (total_gain, optimum)


@pytest.mark.parametrize("seed", range(10))
def test_budget_only_matches_brute_force_within_one_customer(seed):
    rng = np.random.default_rng(100 + seed)
    n, n_arms = 6, 2
    gain = rng.normal(0.5, 1.0, (n, n_arms))
    spend = rng.uniform(0.1, 1.0, (n, n_arms))
    budget = float(spend.sum() / 4)
    grids = np.array(np.meshgrid(*[range(n_arms + 1)] * n)).reshape(n, -1).T
    best = -np.inf
    for arms in grids:
        total_gain, total_spend = _totals(arms, gain, spend)
        if total_spend <= budget:
            best = max(best, total_gain)
    total_gain, _ = _totals(solve_knapsack(gain, spend, budget=budget).arm, gain, spend)
    assert best - np.abs(gain).max() <= total_gain <= best + 1e-12


def test_budget_path_is_concave_and_ends_at_the_unconstrained_optimum():
    rng = np.random.default_rng(3)
    gain = rng.normal(0.0, 1.0, (200, 3))
    spend = rng.uniform(0.0, 1.0, (200, 3))
    x, y = budget_path(gain, spend)
    slopes = np.diff(y) / np.maximum(np.diff(x), 1e-300)
    assert (np.diff(slopes) <= 1e-9).all()
    assert y[-1] == pytest.approx(np.maximum(gain.max(axis=1), 0).sum())
    # every integer plan lies on or below the LP curve
    for budget in (1.0, 5.0, 20.0):
        total_gain, total_spend = _totals(solve_knapsack(gain, spend, budget=budget).arm, gain, spend)
        assert total_gain <= np.interp(budget, x, y) + 1e-9
        assert total_spend <= budget


def test_profit_curve_by_budget_and_depth_agree_without_budget():
    outcomes = np.array([[0.50, 0.55], [0.01, 0.04], [0.02, 0.06], [0.1, 0.1]])
    x_depth, y_depth = profit_curve(outcomes, SURE_THING_ECONOMICS, by="depth")
    x_budget, y_budget = profit_curve(outcomes, SURE_THING_ECONOMICS, by="budget")
    assert y_depth.max() == pytest.approx(y_budget[-1]) == pytest.approx(0.9)
    assert x_depth.tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(y_depth, [0.0, 0.5, 0.9, -0.2, -4.3])  # then −1.10 (p 0.1 → 0.1) and −4.10
    np.testing.assert_allclose(x_budget, [0.0, 0.5, 1.2])


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40), n_arms=st.integers(1, 3), seed=st.integers(0, 10_000),
    budget_share=st.floats(0.0, 1.0), cap_share=st.one_of(st.none(), st.floats(0.0, 1.0)),
    arm_cap=st.one_of(st.none(), st.integers(0, 10)),
)
def test_constraints_are_never_exceeded(n, n_arms, seed, budget_share, cap_share, arm_cap):
    rng = np.random.default_rng(seed)
    outcomes = rng.uniform(0, 1, (n, n_arms + 1))
    economics = Economics(value=rng.uniform(1, 50), contact_cost=rng.uniform(0, 1, n_arms).tolist(),
                          conversion_cost=rng.uniform(0, 20, n_arms).tolist())
    scores = economics.score(outcomes)
    budget = budget_share * float(scores.spend.max(axis=1).sum())
    max_contacts = None if cap_share is None else int(cap_share * n)
    arm_max = None if arm_cap is None else [arm_cap] * n_arms
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty plans warn; here only feasibility matters
        plan = plan_campaign(outcomes, economics, budget=budget, max_contacts=max_contacts, arm_max=arm_max)
    assert plan.expected_spend.sum() <= budget
    if max_contacts is not None:
        assert plan.n_contacts <= max_contacts
    if arm_max is not None:
        assert (plan.contacts_per_arm().to_numpy() <= arm_cap).all()
    assert (plan.expected_profit[plan.arm > 0] > 0).all()  # without minimums nobody is contacted at a loss


def test_repair_steps_on_the_rows_they_touch_equal_the_whole_plan():
    """Each repair step, given only the rows it can move and the caps less what the other rows hold (as the
    Spark planner calls it), moves exactly the rows it moves on the whole plan."""
    from uplift.campaign._hull import _slopes
    from uplift.campaign._optimizer import repair_arms, repair_budget, repair_contacts

    rng = np.random.default_rng(11)
    n, n_arms = 400, 3
    gain = rng.normal(1.0, 1.0, (n, n_arms))
    spend = rng.uniform(0.1, 2.0, (n, n_arms))
    arm = rng.integers(0, n_arms + 1, n)
    rows = np.arange(n)
    chosen = np.where(arm > 0, gain[rows, np.maximum(arm - 1, 0)], -np.inf)
    counts = np.bincount(arm, minlength=n_arms + 1)[1:]

    def check(whole, subset, sub):
        assert (whole != arm).sum() >= 5  # the step moved customers: this test can fail
        expected = arm.copy()
        expected[subset] = sub
        np.testing.assert_array_equal(whole, expected)

    # arm 1 over its cap: its least profitable members; arm 2 rewarded beyond its minimum: those earning more elsewhere
    arm_max, arm_min, prices = np.array([counts[0] - 20, np.inf, np.inf]), np.array([0.0, 60.0, 0.0]), np.array(
        [0.0, -0.5, 0.0])
    whole = repair_arms(arm, gain, arm_min, arm_max, prices)
    over = np.flatnonzero(arm == 1)[np.argsort(chosen[arm == 1], kind="stable")[:20]]
    members = np.flatnonzero(arm == 2)
    better = np.maximum(np.delete(gain[members], 1, axis=1).max(axis=1), 0.0) - gain[members, 1]
    order = np.argsort(-better, kind="stable")[: members.size - 60]
    rewarded = members[order[better[order] > 0]]
    subset = np.sort(np.r_[over, rewarded])
    rest = counts - np.bincount(arm[subset], minlength=n_arms + 1)[1:]
    check(whole, subset, repair_arms(arm[subset], gain[subset], arm_min - rest, arm_max - rest, prices))
    # contacts over the cap: the least profitable contacts
    contacted = np.flatnonzero(arm > 0)
    whole = repair_contacts(arm, gain, contacted.size - 30)
    subset = np.sort(contacted[np.argsort(chosen[contacted], kind="stable")[:30]])
    check(whole, subset, repair_contacts(arm[subset], gain[subset], 0))
    # spend over the budget: a tail in decreasing profit per unit of spend whose spend covers the overdraft
    cost = spend[contacted, arm[contacted] - 1]
    budget = 0.8 * cost.sum()
    whole = repair_budget(arm, gain, spend, budget)
    tail = contacted[np.argsort(-_slopes(cost, chosen[contacted]), kind="stable")][-int(0.3 * contacted.size):]
    subset = np.sort(tail)
    rest = cost.sum() - spend[subset, arm[subset] - 1].sum()
    check(whole, subset, repair_budget(arm[subset], gain[subset], spend[subset], budget - rest))


def test_caps_priced_on_a_sample_of_price_sample_rows():
    """With more than 2 * price_sample customers the caps are priced on price_sample of them (the draw of
    price_positions, the constraints scaled), and the plan still meets every constraint."""
    from uplift.campaign._optimizer import price_positions, sample_prices

    rng = np.random.default_rng(2)
    outcomes = np.column_stack([rng.uniform(0.0, 0.2, 600), rng.uniform(0.0, 0.4, (600, 2))])
    economics = Economics(value=20.0, contact_cost=[0.5, 1.0])
    scores = economics.score(outcomes)
    active = np.flatnonzero(scores.gain.max(axis=1) > 0)
    assert active.size > 2 * 100
    plan = plan_campaign(outcomes, economics, max_contacts=150, arm_max=[100, 60], price_sample=100)
    sample = price_positions(active.size, 100, 0)
    assert sample.size == 100 and price_positions(active.size, -(-active.size // 2), 0) is None
    contact, prices = sample_prices(scores.gain[active][sample], scores.spend[active][sample], active.size, None, 150,
                                    None, np.array([100.0, 60.0]))
    assert plan.solution.contact_price == contact
    np.testing.assert_array_equal(plan.solution.arm_prices, prices)
    assert plan.n_contacts <= 150 and (plan.contacts_per_arm().to_numpy() <= [100, 60]).all()
