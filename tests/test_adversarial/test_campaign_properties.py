"""Campaign plans against the integer optimum (scipy.optimize.milp) on random small instances.

Every plan must respect the budget and the caps, never earn less than contacting nobody (without arm
minimums, which may force a loss), meet the minimums whenever some plan does, reach at least 95% of
the integer optimum, and report an upper bound no lower than that optimum. The same instances run
through the heuristic alone (the exact search of small plans switched off), which large plans use.
``benchmarks/bench_campaign_optimality.py`` runs the full audit (500 instances).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from uplift.campaign import Economics, _optimizer, plan_campaign
from uplift.exceptions import UpliftWarning

KINDS = ("budget", "fixed", "caps", "mixed")


def _instance(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    kind = KINDS[seed % 4]
    n, n_arms = int(rng.integers(3, 16)), int(rng.integers(1, 4))
    p0 = rng.uniform(0.0, 0.5, n)
    outcomes = np.column_stack([p0, np.clip(p0[:, None] + rng.normal(0.05, 0.1, (n, n_arms)), 0.0, 1.0)])
    value = float(rng.uniform(5.0, 50.0))
    contact = rng.uniform(0.0, 1.0, n_arms)
    conversion = rng.uniform(0.0, value / 2, n_arms) * (rng.random(n_arms) < 0.7)
    scores = Economics(value=value, contact_cost=contact, conversion_cost=conversion).score(outcomes)
    positive = scores.gain.max(axis=1) > 0
    full = float(scores.spend[positive].min(axis=1).sum()) if positive.any() else 1.0
    problem = {"outcomes": outcomes, "budget": None, "max_contacts": None, "arm_min": None, "arm_max": None,
               "fixed_cost": 0.0}
    if kind in ("budget", "mixed") or rng.random() < 0.5:
        problem["budget"] = float(rng.uniform(0.05, 0.8) * max(full, 0.5))
    if kind in ("fixed", "mixed"):
        problem["fixed_cost"] = float(rng.uniform(0.0, 1.2) * max(np.maximum(scores.gain, 0).max(axis=1).sum(), 0.1))
        if problem["budget"] is not None:
            problem["budget"] += problem["fixed_cost"]
    if kind in ("caps", "mixed"):
        problem["arm_min"] = rng.integers(0, 3, n_arms)
        problem["arm_max"] = problem["arm_min"] + rng.integers(0, max(2, n // 3), n_arms)
    if kind == "mixed":
        least = max(1, int(problem["arm_min"].sum()))
        problem["max_contacts"] = int(rng.integers(least, max(least, n) + 1))
    problem["economics"] = Economics(value=value, contact_cost=contact, conversion_cost=conversion,
                                     fixed_cost=problem["fixed_cost"])
    return problem


def _optimum(problem: dict) -> float | None:
    """max Σ g·x − F·y over binary x (one arm per customer), y (anyone contacted); None if infeasible."""
    scores = problem["economics"].score(problem["outcomes"])
    n, n_arms = scores.gain.shape
    size = n * n_arms + 1
    rows, lower, upper = [], [], []

    def add(coefficients, low, high):
        rows.append(coefficients), lower.append(low), upper.append(high)

    for i in range(n):
        add(np.r_[np.zeros(i * n_arms), np.ones(n_arms), np.zeros(size - (i + 1) * n_arms)], -np.inf, 1.0)
        add(np.r_[np.zeros(i * n_arms), np.ones(n_arms), np.zeros(size - (i + 1) * n_arms - 1), -1.0], -np.inf, 0.0)
    if problem["budget"] is not None:
        add(np.r_[scores.spend.ravel(), problem["fixed_cost"]], -np.inf, problem["budget"])
    if problem["max_contacts"] is not None:
        add(np.r_[np.ones(n * n_arms), 0.0], -np.inf, problem["max_contacts"])
    for k in range(n_arms):
        column = np.r_[(np.arange(n * n_arms) % n_arms == k).astype(float), 0.0]
        low = 0 if problem["arm_min"] is None else problem["arm_min"][k]
        high = np.inf if problem["arm_max"] is None else problem["arm_max"][k]
        add(column, low, high)
    result = milp(np.r_[-scores.gain.ravel(), problem["fixed_cost"]], integrality=np.ones(size), bounds=Bounds(0, 1),
                  constraints=LinearConstraint(np.array(rows), lower, upper))
    assert result.status in (0, 2), result.message
    return None if result.status == 2 else float(-result.fun)


def _check(problem: dict, *, exact: bool) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UpliftWarning)  # empty plans and unmet minimums warn, by design
        plan = plan_campaign(problem["outcomes"], problem["economics"], budget=problem["budget"],
                             max_contacts=problem["max_contacts"], arm_min=problem["arm_min"],
                             arm_max=problem["arm_max"])
    totals = plan.totals()
    counts = plan.contacts_per_arm().to_numpy()
    optimum = _optimum(problem)
    profit = totals["expected_incremental_profit"]
    tolerance = 1e-9 * max(1.0, abs(optimum or 0.0))
    if problem["budget"] is not None:
        assert totals["expected_spend"] <= problem["budget"]
    if problem["max_contacts"] is not None:
        assert totals["contacts"] <= problem["max_contacts"]
    if problem["arm_max"] is not None:
        assert (counts <= problem["arm_max"]).all()
    forced = problem["arm_min"] is not None and (problem["arm_min"] > 0).any()
    if not forced:
        assert profit >= 0.0
    if optimum is None:
        return np.nan
    assert totals["upper_bound"] >= optimum - tolerance, (totals["upper_bound"], optimum)
    if exact:
        if forced:
            assert (counts >= problem["arm_min"]).all()
        if optimum > tolerance:
            assert profit >= 0.95 * optimum, (profit, optimum)
        else:
            assert profit >= optimum - tolerance
    elif forced and (counts < problem["arm_min"]).any():
        return np.nan  # the heuristic alone may miss a minimum (warned); the exact search meets it
    return profit / optimum if optimum > tolerance else 1.0


@pytest.mark.parametrize("seed", range(60))
def test_plan_is_feasible_bounded_and_near_the_integer_optimum(seed):
    _check(_instance(seed), exact=True)


def test_heuristic_alone_is_feasible_bounded_and_close(monkeypatch):
    # what plans too large for the exact search get: measured on these 60 instances, mean 0.9986 of the
    # optimum (budget-only 0.994 on the 500 of the benchmark); 0.97 leaves room for a few weak instances
    monkeypatch.setattr(_optimizer, "_EXACT_OPTIONS", 0)
    ratios = np.array([_check(_instance(seed), exact=False) for seed in range(60)])
    assert np.nanmean(ratios) >= 0.97
