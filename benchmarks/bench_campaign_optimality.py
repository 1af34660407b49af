"""How close plan_campaign comes to the integer optimum: an audit against scipy.optimize.milp.

Usage::

    python benchmarks/bench_campaign_optimality.py                  # 500 instances, 125 of each kind
    python benchmarks/bench_campaign_optimality.py --n-instances 100 --seed 1

Small random instances (3 to 40 customers, 1 to 3 treated arms, random value and costs per arm)
of four kinds: ``budget`` (a binding budget only), ``fixed`` (a fixed cost, with or without a
budget), ``caps`` (arm minimums and maximums, with or without a budget) and ``mixed`` (budget,
contact cap, arm minimums and maximums and a fixed cost together). Each plan is solved exactly as
a mixed-integer program by HiGHS (``scipy.optimize.milp``): binary ``x_ik`` (customer ``i`` gets
arm ``k``) and ``y`` (anyone contacted: the fixed cost is paid), maximise ``Σ g·x − F·y`` subject to
``Σ_k x_ik ≤ 1``, ``x_ik ≤ y``, ``Σ c·x + F·y ≤ B``, ``Σ x ≤ M``, ``min_k ≤ Σ_i x_ik ≤ max_k``.

Printed per kind and overall: the ratio of the plan's expected incremental profit to the optimum
(mean, 5th percentile, minimum; 1 where both are 0), the number of plans that exceed a constraint,
that fall below contacting nobody (instances without minimums), and whose reported upper bound is
below the optimum. ``--heuristic-only`` switches off the exact small-problem search of the
optimizer (``_EXACT_OPTIONS = 0``) to show what the greedy/Lagrangian part achieves alone.
"""

from __future__ import annotations

import argparse
import time
import warnings
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from uplift.campaign import Economics, _optimizer, plan_campaign
from uplift.exceptions import UpliftWarning

KINDS = ("budget", "fixed", "caps", "mixed")


def make_instance(kind: str, rng: np.random.Generator) -> dict[str, Any]:
    """One random planning problem of the given kind (outcomes, economics, constraints)."""
    n, n_arms = int(rng.integers(3, 41)), int(rng.integers(1, 4))
    p0 = rng.uniform(0.0, 0.5, n)
    treated = np.clip(p0[:, None] + rng.normal(0.05, 0.1, (n, n_arms)), 0.0, 1.0)
    outcomes = np.column_stack([p0, treated])
    value = float(rng.uniform(5.0, 50.0))
    contact = rng.uniform(0.0, 1.0, n_arms)
    conversion = rng.uniform(0.0, value / 2, n_arms) * (rng.random(n_arms) < 0.7)
    base = Economics(value=value, contact_cost=contact, conversion_cost=conversion)
    scores = base.score(outcomes)
    best = np.maximum(scores.gain.max(axis=1), 0.0)
    positive = scores.gain.max(axis=1) > 0
    full_spend = float(scores.spend[positive].min(axis=1).sum()) if positive.any() else 1.0
    problem: dict[str, Any] = {"outcomes": outcomes, "budget": None, "max_contacts": None, "arm_min": None,
                               "arm_max": None, "fixed_cost": 0.0}
    if kind in ("budget", "mixed") or rng.random() < 0.5:
        problem["budget"] = float(rng.uniform(0.05, 0.8) * max(full_spend, 0.5))
    if kind in ("fixed", "mixed"):
        problem["fixed_cost"] = float(rng.uniform(0.0, 1.2) * max(best.sum(), 0.1))
        if problem["budget"] is not None:  # the budget covers the fixed cost and some contacts
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


def integer_optimum(problem: dict[str, Any]) -> float | None:
    """The exact optimum by HiGHS, or None when the constraints cannot all be met."""
    scores = problem["economics"].score(problem["outcomes"])
    gain, spend = scores.gain, scores.spend
    n, n_arms = gain.shape
    size = n * n_arms + 1  # x_ik row-major, then y
    fixed = problem["fixed_cost"]
    objective = np.r_[-gain.ravel(), fixed]
    rows, lower, upper = [], [], []
    a = lil_matrix((n + n * n_arms + 4 + 2 * n_arms, size))
    r = 0
    for i in range(n):  # one arm per customer
        a[r, i * n_arms:(i + 1) * n_arms] = 1.0
        lower.append(-np.inf), upper.append(1.0)
        r += 1
    for j in range(n * n_arms):  # x_ik <= y
        a[r, j], a[r, size - 1] = 1.0, -1.0
        lower.append(-np.inf), upper.append(0.0)
        r += 1
    if problem["budget"] is not None:
        a[r, :n * n_arms] = spend.ravel()
        a[r, size - 1] = fixed
        lower.append(-np.inf), upper.append(problem["budget"])
        r += 1
    if problem["max_contacts"] is not None:
        a[r, :n * n_arms] = 1.0
        lower.append(-np.inf), upper.append(problem["max_contacts"])
        r += 1
    for k in range(n_arms):
        low = 0 if problem["arm_min"] is None else problem["arm_min"][k]
        high = np.inf if problem["arm_max"] is None else problem["arm_max"][k]
        if low > 0 or np.isfinite(high):
            a[r, k:n * n_arms:n_arms] = 1.0
            lower.append(low), upper.append(high)
            r += 1
    rows = a[:r].tocsr()
    result = milp(objective, constraints=LinearConstraint(rows, lower, upper), integrality=np.ones(size),
                  bounds=Bounds(0, 1))
    if result.status == 2:  # infeasible
        return None
    if result.status != 0:
        raise RuntimeError(f"milp failed: {result.message}")
    return float(-result.fun)


def audit(problem: dict[str, Any]) -> dict[str, Any]:
    """Plan one instance and compare it with the integer optimum."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UpliftWarning)
        plan = plan_campaign(problem["outcomes"], problem["economics"], budget=problem["budget"],
                             max_contacts=problem["max_contacts"], arm_min=problem["arm_min"],
                             arm_max=problem["arm_max"])
    totals = plan.totals()
    optimum = integer_optimum(problem)
    counts = np.bincount(plan.arm, minlength=plan.scores.n_arms + 1)[1:]
    scale = 1e-9 * max(1.0, abs(optimum or 0.0))
    violated = (
        (problem["budget"] is not None and totals["expected_spend"] > problem["budget"] + 1e-9)
        or (problem["max_contacts"] is not None and totals["contacts"] > problem["max_contacts"])
        or (problem["arm_max"] is not None and (counts > problem["arm_max"]).any())
        or (optimum is not None and problem["arm_min"] is not None and (counts < problem["arm_min"]).any())
    )
    profit = totals["expected_incremental_profit"]
    if optimum is None:
        ratio = np.nan
    elif optimum > scale:
        ratio = profit / optimum
    else:  # nothing to gain (0) or minimums forced at a loss (< 0)
        ratio = 1.0 if profit >= optimum - scale else (optimum / profit if profit < 0 else 0.0)
    has_min = problem["arm_min"] is not None and (problem["arm_min"] > 0).any()
    return {"ratio": ratio, "violated": bool(violated), "below_nothing": bool(not has_min and profit < -scale),
            "bound_below": bool(optimum is not None and totals["upper_bound"] < optimum - scale),
            "infeasible": optimum is None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-instances", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--heuristic-only", action="store_true")
    args = parser.parse_args()
    if args.heuristic_only:
        _optimizer._EXACT_OPTIONS = 0
    rng = np.random.default_rng(args.seed)
    results: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    start = time.perf_counter()
    for i in range(args.n_instances):
        kind = KINDS[i % len(KINDS)]
        results[kind].append(audit(make_instance(kind, rng)))
    elapsed = time.perf_counter() - start
    print(f"{args.n_instances} instances, seed {args.seed}, {elapsed:.1f} s"
          f"{' (heuristic only)' if args.heuristic_only else ''}")
    print(f"{'kind':<8} {'n':>4} {'infeasible':>10} {'mean':>7} {'p5':>7} {'min':>7} {'<0.99':>6} "
          f"{'violated':>8} {'below 0':>7} {'bound<opt':>9}")
    for kind in (*KINDS, "all"):
        rows = [r for k in KINDS for r in results[k]] if kind == "all" else results[kind]
        ratios = np.array([r["ratio"] for r in rows if not r["infeasible"]])
        print(f"{kind:<8} {len(rows):>4} {sum(r['infeasible'] for r in rows):>10} {ratios.mean():>7.4f} "
              f"{np.percentile(ratios, 5):>7.4f} {ratios.min():>7.4f} {(ratios < 0.99).sum():>6} "
              f"{sum(r['violated'] for r in rows):>8} {sum(r['below_nothing'] for r in rows):>7} "
              f"{sum(r['bound_below'] for r in rows):>9}")


if __name__ == "__main__":
    main()
