"""Report section: whom to contact with which offer, and what the plan earned on the holdout."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..campaign import evaluate_policy, plan_campaign, policy_profit_curve
from ..workflow import contact_list, format_p_value
from ._context import ReportContext

#: Colours of the profit figure (colour-blind safe, from the Okabe-Ito palette).
_PLAN, _MODEL, _OTHER = "#0072B2", "#E69F00", "#555555"


def _policy_name(name: str, table: Any) -> str:
    return name.replace("treat none", "contact nobody").replace("treat all", "contact everyone")


def campaign_section(context: ReportContext) -> None:
    report, table = context.report, context.table
    learner, (_, test) = context.results["learner"], context.results["split"]
    outcomes = context.results["outcomes_test"]
    arms = np.asarray(learner.treatment_arms_)
    y, treatment, ids = table.y[test], table.treatment[test], table.ids[test]
    free = plan_campaign(outcomes, context.economics, arms=arms, ids=ids, max_contacts=context.max_contacts)
    budget = context.budget
    if budget is None and context.budget_share is not None:
        budget = context.budget_share * free.totals()["expected_spend"]
    plan = plan_campaign(outcomes, context.economics, arms=arms, ids=ids, budget=budget,
                         max_contacts=context.max_contacts, forecast_learner=learner)
    evaluation = evaluate_policy(plan, y, treatment=treatment, control_value=table.control_value)
    totals = plan.totals()

    report.heading("4. The campaign: whom to contact, and what it earns", anchor="campaign")
    report.paragraph(_economics_text(context, budget, free.totals()["expected_spend"]))
    columns = {"arm": "arm", "contacts": "customers contacted", "expected_spend": f"expected spend ({context.unit})",
               "expected_incremental_profit": f"the model's promise of incremental profit ({context.unit})"}
    summary = plan.summary()[list(columns)].rename(columns=columns)
    report.table(summary, float_format="{:,.2f}", caption=(
        f"The plan for the {len(test):,} holdout customers, as the model expects it (section 5 corrects the "
        "promise for the optimism of picking the largest predictions and gives its interval)."))

    comparisons = _comparison_table(context, evaluation.comparisons)
    report.table(comparisons, caption=(
        "What each way of choosing customers really earned on the holdout (AIPW estimate from the randomized "
        "arms, 95% CI), and the plan minus each (paired, so the interval is narrower than the difference of "
        "the two intervals). 'Same volume' rules contact as many customers as the plan: rank by uplift uses "
        "the model's best effect, rank by response the predicted outcome if contacted (the usual response model)."))

    figure = _profit_figure(context, free, plan, evaluation, y, treatment)
    context.results["profit_figure"] = report.save_figure(figure, "campaign_profit")
    context.results["profit_caption"] = (
        f"Incremental profit on the {len(test):,} holdout customers of contacting the customers with the highest "
        "expected profit first (each with their best offer): measured on the holdout with a pointwise 95% band, "
        "and as the model expects it. The dashed line marks the plan's volume; grey markers at 100%: contacting "
        "everyone.")
    report.paragraph("The profit curve is at the top of the report.", css_class="note")
    _close(figure)
    path = report.output_dir / "contact_list.csv"
    contact_list(plan, id_name=table.id_name or "row").to_csv(path, index=False)
    report.link(path.name, f"The contact list for the holdout customers ({totals['contacts']:,} rows: id, arm, "
                           "expected incremental profit, expected spend)")
    context.results["plan"] = plan
    context.results["evaluation"] = evaluation
    context.results["budget"] = budget
    report.summary["campaign"] = {
        "budget": budget,
        "holdout_customers": len(test),
        "contacts": totals["contacts"],
        "contacts_per_arm": {str(a): c for a, c in totals["contacts_per_arm"].items()},
        "expected_spend": totals["expected_spend"],
        "expected_incremental_profit": totals["expected_incremental_profit"],
        "holdout_incremental_profit": evaluation.value.to_dict(),
        "comparisons": evaluation.comparisons.to_dict(orient="records"),
    }


def _economics_text(context: ReportContext, budget: float | None, free_spend: float) -> str:
    economics = context.economics
    if not context.economics_given:
        return (f"No economics were given (--value, --contact-cost): every amount below counts incremental "
                f"{context.outcome_plural}, each worth 1, with free contacts. Give the value of one "
                f"{context.outcome_name} and the cost of a contact to plan by profit.")
    parts = [f"Economics (stated, not estimated): one {context.outcome_name} is worth "
             f"{_amount(economics.value, context)}"]
    parts.append(f"a contact costs {_amount(economics.contact_cost, context)}")
    if _positive(economics.conversion_cost):
        parts.append(f"every {context.outcome_name} of a contacted customer costs "
                     f"{_amount(economics.conversion_cost, context)} (also when it would have happened anyway)")
    text = "; ".join(parts) + "."
    if budget is not None:
        text += (f" Budget: {context.money(budget)} of expected spend (contacting every customer expected to be "
                 f"profitable would spend {context.money(free_spend)}).")
    if context.max_contacts is not None:
        text += f" At most {context.max_contacts:,} contacts."
    return text


def _positive(spec: Any) -> bool:
    values = list(spec.values()) if isinstance(spec, dict) else np.atleast_1d(spec).tolist()
    return any(float(v) > 0 for v in values)


def _amount(spec: Any, context: ReportContext) -> str:
    if isinstance(spec, dict):
        return ", ".join(f"{context.money(float(v), decimals=2)} ({arm})" for arm, v in spec.items())
    values = np.atleast_1d(np.asarray(spec, dtype=float))
    if len(values) == 1:
        return context.money(float(values[0]), decimals=2)
    return f"{context.money(float(values.min()), decimals=2)} to {context.money(float(values.max()), decimals=2)}"


def _comparison_table(context: ReportContext, comparisons: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for record in comparisons.to_dict(orient="records"):
        difference = ""
        if np.isfinite(record.get("difference", np.nan)):
            difference = (f"{context.money(record['difference'])} [{context.money(record['difference_ci_low'])}, "
                          f"{context.money(record['difference_ci_high'])}], p "
                          f"{format_p_value(record['difference_p_value'])}")
        rows.append({
            "policy": "the plan" if record["policy"] == "plan" else _policy_name(record["policy"], context.table),
            "customers contacted": f"{int(record['contacts']):,}",
            "incremental profit (95% CI)": f"{context.money(record['estimate'])} [{context.money(record['ci_low'])}, "
                                           f"{context.money(record['ci_high'])}]",
            "plan minus this (95% CI), p": difference,
        })
    return pd.DataFrame(rows)


def _profit_figure(context: ReportContext, free: Any, plan: Any, evaluation: Any, y: np.ndarray,
                   treatment: np.ndarray) -> Any:
    import matplotlib.pyplot as plt  # optional heavy dependency: only for the report's figures
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    n = len(y)
    x, total, low, high = policy_profit_curve(free, y, treatment=treatment, control_value=context.table.control_value)
    gain = free.scores.gain.max(axis=1)
    expected = np.r_[0.0, np.cumsum(np.sort(gain[gain > 0])[::-1])]
    figure, ax = plt.subplots(figsize=(9, 4.6))
    ax.fill_between(x / n, low, high, color=_PLAN, alpha=0.18, linewidth=0, label="measured, 95% band")
    ax.plot(x / n, total, color=_PLAN, linewidth=2, label="measured on the holdout")
    ax.plot(np.arange(len(expected)) / n, expected, color=_MODEL, linewidth=1.5, linestyle="-.",
            label="expected by the model")
    ax.axhline(0.0, color=_OTHER, linewidth=0.8)
    share = plan.n_contacts / n
    ax.axvline(share, color="black", linestyle="--", linewidth=1)
    value = evaluation.value
    ax.errorbar([share], [value.estimate], yerr=[[value.estimate - value.ci_low], [value.ci_high - value.estimate]],
                fmt="o", color="black", capsize=4, label=f"the plan ({share:.0%} contacted), 95% CI")
    comparisons = evaluation.comparisons
    everyone = comparisons.loc[comparisons["policy"].str.startswith("treat all")]
    for k, record in enumerate(everyone.to_dict(orient="records")):
        ax.errorbar([1.0], [record["estimate"]], yerr=[[record["estimate"] - record["ci_low"]],
                                                      [record["ci_high"] - record["estimate"]]],
                    fmt="sD^v<>"[k % 6], color=_OTHER, markersize=6, capsize=3,
                    label=_policy_name(record["policy"], context.table) + ", 95% CI")
    ax.set_xlim(0, 1.04)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: context.money(v)))
    ax.set_xlabel("share of customers contacted (most profitable first)")
    ax.set_ylabel(f"incremental profit ({context.unit}, holdout)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False, fontsize="small")
    figure.tight_layout()
    return figure


def _close(figure: Any) -> None:
    import matplotlib.pyplot as plt  # optional heavy dependency: only for the report's figures

    plt.close(figure)
