"""A weekly campaign with the public API only: train, save, load, score, plan under budget, check.

The story. Last quarter we ran a randomized test (no offer, an e-mail, or an SMS, one third each)
on 20,000 customers. Every week since, a new customer file arrives; we score it with the saved
model, plan under the week's budget, and hold back a random 20% of the file, who get a random arm
(the *returning holdout*). When their outcomes come back, the holdout tells us what the plan
really earned, with a confidence interval, without trusting the model.

The data are synthetic (:func:`uplift.datasets.make_uplift_classification`), so the script also
prints the *true* expected profit of the plan, which a real campaign never sees.

Run:  python experiments/weekly_campaign.py [--output reports/weekly_campaign] [--seed 0]

The same steps from the command line: docs/workflow.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from uplift.campaign import Economics, Policy, evaluate_policy
from uplift.datasets import make_uplift_classification
from uplift.io import load, read_manifest
from uplift.workflow import check, score, train

ARMS = np.array(["none", "email", "sms"])
# A purchase is worth $30 of margin; an e-mail costs $0.20, an SMS $0.60; a purchase made by a
# contacted customer costs a $5 coupon (also when the customer would have bought anyway).
ECONOMICS = Economics(value=30.0, contact_cost={"email": 0.20, "sms": 0.60}, conversion_cost=5.0)
WEEKLY_BUDGET = 1_500.0
HOLDOUT_SHARE = 0.2


def customer_file(n: int, seed: int, first_id: int) -> tuple[pd.DataFrame, np.ndarray]:
    """A customer file (id + features + the experiment's arm and outcome) and the true outcomes per arm."""
    data = make_uplift_classification(n, n_arms=2, random_state=seed)
    frame = data.X.copy()
    frame.insert(0, "customer_id", np.arange(first_id, first_id + n))
    frame["offer"] = ARMS[data.treatment]
    frame["bought"] = data.y.astype(int)
    return frame, data.mu


def dollars(amount: float) -> str:
    """$1,234 or -$512."""
    return f"{'-' if amount < 0 else ''}${abs(amount):,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="reports/weekly_campaign")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)

    # 1. last quarter's randomized test, as the CRM exports it
    experiment, _ = customer_file(20_000, args.seed, first_id=1_000_000)
    experiment.to_csv(folder / "experiment.csv", index=False)
    checked = check(folder / "experiment.csv", treatment="offer", outcome="bought", control="none", n_repeats=5)
    print(f"Experiment checks: {checked.verdict}; signal: "
          + ", ".join(f"{arm}: {'yes' if r.detected else 'no'}" for arm, r in checked.signal.items()))

    # 2. train and save (the cross-validated Qini goes into the manifest)
    trained = train(folder / "experiment.csv", treatment="offer", outcome="bought", control="none",
                    id_column="customer_id", learner="t_learner", n_folds=3, output=folder / "model.zip",
                    overwrite=True)
    print(trained)

    # 3. a week later: load the model (nothing is unpickled) and score the new customer file
    model = load(folder / "model.zip")
    print("Manifest says: trained on", read_manifest(folder / "model.zip")["training"]["n_rows"], "rows")
    week, true_outcomes = customer_file(10_000, args.seed + 1, first_id=2_000_000)
    week.drop(columns=["offer", "bought"]).to_csv(folder / "week.csv", index=False)
    scored = score(folder / "model.zip", folder / "week.csv", output=folder / "week_scores.csv", chunksize=2_500)
    print(scored)

    # 4. plan under the week's budget; a random 20% of the file is the returning holdout
    features = week[list(model.feature_names_in_)].set_index(week["customer_id"])
    rng = np.random.default_rng(args.seed)
    holdout = rng.random(len(week)) < HOLDOUT_SHARE
    policy = Policy(model, ECONOMICS, budget=WEEKLY_BUDGET * (1 - HOLDOUT_SHARE)).fit(features[~holdout])
    plan = policy.plan(features[~holdout])
    totals = plan.totals()
    print(f"Plan: contact {totals['contacts']:,} of {len(plan.arm):,} customers {totals['contacts_per_arm']}, "
          f"expected spend {dollars(totals['expected_spend'])}, expected incremental profit "
          f"{dollars(totals['expected_incremental_profit'])}")
    plan.to_csv(folder / "week_plan.csv")

    # 5. the holdout returns: its customers got a random arm (the file's randomized `offer`); the
    #    policy's decision for each of them, evaluated against what they really did
    returned = week.loc[holdout]
    decided = policy.decide(features[holdout])
    codes = {label: k for k, label in enumerate(ARMS)}
    policy_arm = decided["arm"].map(codes).to_numpy()
    result = evaluate_policy(policy_arm, returned["bought"].to_numpy(), treatment=returned["offer"].to_numpy(),
                             economics=ECONOMICS,
                             outcomes=model.predict_outcomes(features[holdout]), control_value="none",
                             arms=list(ARMS[1:]))
    value = result.value
    scale = (~holdout).sum() / holdout.sum()
    print(f"Returning holdout ({holdout.sum():,} customers): the policy earns {dollars(value.estimate)} "
          f"(95% CI {dollars(value.ci_low)} to {dollars(value.ci_high)}), i.e. about "
          f"{dollars(value.estimate * scale)} on the planned customers")
    print(result.comparisons[["policy", "contacts", "estimate", "ci_low", "ci_high", "difference",
                              "difference_p_value"]].round(2).to_string(index=False))

    # what a real campaign never sees: the true expected profit of the plan
    mu = true_outcomes[~holdout]
    rows = np.arange(len(plan.arm))
    chosen = mu[rows, plan.arm]
    conversion_cost = np.where(plan.arm > 0, 5.0 * chosen, 0.0)
    contact = np.select([plan.arm == 1, plan.arm == 2], [0.20, 0.60], 0.0)
    truth = float((30.0 * (chosen - mu[:, 0]) - conversion_cost - contact).sum())
    print(f"True expected incremental profit of the plan (synthetic data only): {dollars(truth)}")


if __name__ == "__main__":
    main()
