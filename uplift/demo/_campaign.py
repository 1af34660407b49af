"""Demo section: whom to e-mail, with which e-mail, to make the most money under a budget."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from ..campaign import Economics, evaluate_policy, plan_campaign
from ._context import DemoContext

logger = logging.getLogger(__name__)

#: The campaign's economics (the same as experiments/hillstrom_campaign.py): a visit is worth $4.00
#: of margin, an e-mail costs $0.10, and every e-mailed visitor gets a free-shipping banner worth $0.25.
VALUE_PER_VISIT = 4.00
CONTACT_COST = 0.10
COST_PER_VISIT = 0.25
BUDGET_SHARE = 0.5


def _learner_and_rows(context: DemoContext) -> tuple[Any, Any, np.ndarray, str]:
    """The learner of the models section and its test rows, or (without it) an S-learner on all arms."""
    learner, split = context.results.get("learner"), context.results.get("split")
    if learner is not None and split is not None:
        return learner, context.data, np.asarray(split[1]), "the models section's default learner"
    from ..learners import SLearner, default_classifier

    data = context.data_all_arms
    rows = np.arange(len(data))
    train, test = train_test_split(rows, test_size=0.3, stratify=data.treatment * 2 + data.y.astype(int),
                                   random_state=context.random_state)
    model = default_classifier(random_state=context.random_state)
    if context.quick:
        model.set_params(n_estimators=100)
    learner = SLearner(outcome_model=model, random_state=context.random_state)
    learner.fit(data.X.iloc[train], data.y[train], treatment=data.treatment[train])
    return learner, data, test, "an S-learner (default XGBoost) fitted here on all three arms"


def campaign_section(context: DemoContext) -> None:
    import matplotlib.pyplot as plt

    from ..plotting import ProfitCurveDisplay

    report = context.report
    report.heading("4. Campaign: whom to e-mail, to make the most money")
    learner, data, test, source = _learner_and_rows(context)
    outcomes = learner.predict_outcomes(data.X.iloc[test])
    arms = np.asarray(learner.treatment_arms_)
    economics = Economics(value=VALUE_PER_VISIT, contact_cost=CONTACT_COST, conversion_cost=COST_PER_VISIT)
    report.paragraph(
        f"Economics (stated, not estimated): a visit is worth ${VALUE_PER_VISIT:.2f} of margin, an e-mail costs "
        f"${CONTACT_COST:.2f}, and every visitor who was e-mailed gets a free-shipping banner that costs "
        f"${COST_PER_VISIT:.2f} per visit, also for customers who would have visited anyway. Expected incremental "
        f"profit per customer and e-mail: {VALUE_PER_VISIT:g}·(p_email − p_none) − {COST_PER_VISIT:g}·p_email − "
        f"{CONTACT_COST:g}. Visit probabilities come from {source}; the plan is made for the "
        f"{len(test):,} test customers."
    )
    free = plan_campaign(outcomes, economics, arms=arms)
    budget = BUDGET_SHARE * free.totals()["expected_spend"]
    plan = plan_campaign(outcomes, economics, arms=arms, budget=budget)
    summary = plan.summary()
    summary["arm"] = [data.arm_names.get(a, a) for a in summary["arm"]]
    report.table(summary, float_format="{:,.2f}", caption=(
        f"The plan under a budget of ${budget:,.0f} (half of what contacting every profitable customer would "
        f"spend, ${free.totals()['expected_spend']:,.0f}). Expected values come from the model."))
    result = evaluate_policy(plan, data.y[test], data.treatment[test])
    columns = ["policy", "contacts", "estimate", "ci_low", "ci_high", "difference", "difference_ci_low",
               "difference_ci_high", "difference_p_value"]
    comparisons = result.comparisons[columns].copy()
    comparisons["policy"] = [_named(p, data.arm_names) for p in comparisons["policy"]]
    report.table(comparisons, float_format="{:,.1f}", caption=(
        "What the plan really earned on the test customers, versus e-mailing nobody (AIPW estimate of realised "
        "profit, 95% CI), and paired differences plan minus each simple rule."))
    report.paragraph(
        f"The model expected {plan.totals()['expected_incremental_profit']:,.0f}; the randomized test rows say "
        f"{result.value.estimate:,.0f} (95% CI {result.value.ci_low:,.0f} to {result.value.ci_high:,.0f}). "
        "A gap between the two is the model's optimism about its own effects; the interval is what to trust."
    )
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    ProfitCurveDisplay.from_holdout(plan, data.y[test], data.treatment[test], by="depth", ax=left)
    ProfitCurveDisplay.from_plan(plan, by="depth", ax=left)
    left.set_title("profit versus customers e-mailed")
    ProfitCurveDisplay.from_holdout(plan, data.y[test], data.treatment[test], by="budget", ax=right)
    ProfitCurveDisplay.from_plan(plan, by="budget", ax=right)
    right.axvline(plan.totals()["expected_spend"], color="0.5", linestyle=":")
    right.set_title("profit versus budget (dotted: this plan's budget)")
    figure.tight_layout()
    report.figure(figure, "campaign_profit_curves", caption=(
        "Incremental profit of e-mailing the best customers first (each with their best e-mail): expected by the "
        "model, and estimated on the test customers with a pointwise 95% band."))
    plt.close(figure)
    totals = plan.totals()
    report.summary["campaign"] = {
        "economics": {"value_per_visit": VALUE_PER_VISIT, "contact_cost": CONTACT_COST,
                      "cost_per_visit": COST_PER_VISIT},
        "budget": budget,
        "customers": totals["customers"],
        "contacts_per_arm": {str(data.arm_names.get(a, a)): c for a, c in totals["contacts_per_arm"].items()},
        "expected_spend": totals["expected_spend"],
        "expected_incremental_profit": totals["expected_incremental_profit"],
        "holdout_incremental_profit": result.value.to_dict(),
        "comparisons": comparisons.to_dict(orient="records"),
    }


def _named(policy: str, arm_names: dict[Any, str]) -> str:
    for code, name in arm_names.items():
        policy = policy.replace(f"({code})", f"({name})")
    return policy
