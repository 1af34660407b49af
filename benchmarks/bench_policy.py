"""Policy.decide (frozen prices, one customer at a time) versus Policy.plan (re-solved per file).

Usage::

    python benchmarks/bench_policy.py            # 20,000 reference rows, new files of 20,000 and 10,000

A T-learner (logistic regressions) is fitted on a randomized experiment with 3 treated arms from
``make_uplift_classification``; the policy is fitted on a reference sample of 20,000 customers under
a budget that binds; then ``decide`` and ``plan`` are run on new samples from the same distribution
(same size, and half the size). For each we print contacts, expected spend, expected incremental
profit (predicted) and the true incremental profit (from the generator's true outcome probabilities).
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.linear_model import LogisticRegression

from uplift.campaign import Economics, Policy, score_profit
from uplift.datasets import make_uplift_classification
from uplift.learners import TLearner

ECONOMICS = Economics(value=30.0, contact_cost=[0.10, 0.10, 0.15], conversion_cost=[0.0, 2.0, 4.0])


def _row(name: str, arm: np.ndarray, predicted: np.ndarray, true_mu: np.ndarray) -> str:
    pred = score_profit(predicted, ECONOMICS)
    truth = score_profit(true_mu, ECONOMICS)
    rows = np.flatnonzero(arm > 0)
    column = arm[rows] - 1
    spend, expected, true = (pred.spend[rows, column].sum(), pred.gain[rows, column].sum(),
                             truth.gain[rows, column].sum())
    return (f"{name:<28} contacts {rows.size:>6}  spend {spend:>9.1f}  expected profit {expected:>9.1f}  "
            f"true profit {true:>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--budget", type=float, default=1_500.0)
    args = parser.parse_args()
    train = make_uplift_classification(20_000, n_arms=3, random_state=0)
    learner = TLearner(LogisticRegression(max_iter=1000)).fit(train.X, train.y, treatment=train.treatment)
    reference = make_uplift_classification(args.n, n_arms=3, random_state=1)
    policy = Policy(learner, ECONOMICS, budget=args.budget).fit(reference.X)
    print(f"budget {args.budget}, prices {policy.prices_}")
    print(f"reference plan: {policy.reference_plan_summary_}")
    for label, size, seed in (("new file, same size", args.n, 2), ("new file, half size", args.n // 2, 3)):
        new = make_uplift_classification(size, n_arms=3, random_state=seed)
        outcomes = learner.predict_outcomes(new.X)
        codes = {label: k for k, label in enumerate([learner.control_value_, *learner.treatment_arms_])}
        decided = np.asarray([codes[a] for a in policy.decide(new.X)["arm"]])
        planned = policy.plan(new.X).arm
        print(f"-- {label} ({size} rows); agreement decide/plan {np.mean(decided == planned):.4f}")
        print(_row("decide (frozen prices)", decided, outcomes, new.mu))
        print(_row("plan (re-solved)", planned, outcomes, new.mu))


if __name__ == "__main__":
    main()
