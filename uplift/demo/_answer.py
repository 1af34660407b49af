"""The first screen of the report: the answer to each question, in one line each, with the profit curve.

It runs after every section (it reads their results) and writes into the report's lead, which is
printed above the sections.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from ..workflow import format_p_value
from ._context import ReportContext

_QUESTIONS = ("Is the experiment sound?", "Is there anything to target?", "Whom to contact, with which offer?",
              "What does it earn?", "Versus the simple rules")


def _badge(verdict: str) -> str:
    words = {"pass": "YES", "warn": "CHECK", "fail": "NO", "info": "PLAN"}
    return f'<span class="badge badge-{verdict}">{words.get(verdict, verdict.upper())}</span>'


def answer_section(context: ReportContext) -> None:
    report, results = context.report, context.results
    items: list[tuple[str, str, str]] = []
    checks = results.get("checks")
    if checks is not None:
        failed = [name for name, verdict in (("sample ratio", checks.srm.verdict), ("balance", checks.balance.verdict),
                                              ("predictability", getattr(checks.predictability, "verdict", "pass")))
                  if verdict != "pass"]
        text = ("Arm sizes match the design (sample-ratio p "
                f"{format_p_value(checks.srm.p_value)}), the arms look alike on every feature, and the "
                "features do not predict who was treated." if not failed else
                f"Check {', '.join(failed)} before trusting any number below (section 1).")
        items.append((_QUESTIONS[0], checks.verdict, text))
    signal = results.get("signal")
    if signal:
        found = [str(arm) for arm, result in signal.items() if result.detected]
        p_values = ", ".join(f"{arm}: p {format_p_value(result.rate.p_value)}" for arm, result in signal.items())
        text = (f"The effect differs between customers for {', '.join(found)} ({p_values})." if found else
                f"No difference between customers detected ({p_values}): decide by the average effect; targeting "
                "is unlikely to beat the better of contacting everyone or no one.")
        items.append((_QUESTIONS[1], "pass" if found else "warn", text))
    plan, evaluation = results.get("plan"), results.get("evaluation")
    if plan is not None and evaluation is not None:
        totals, n = plan.totals(), len(plan.arm)
        per_arm = "; ".join(f"{count:,} with {arm}" for arm, count in totals["contacts_per_arm"].items() if count)
        text = (f"Contact {totals['contacts']:,} of the {n:,} holdout customers ({totals['contacts'] / n:.0%}): "
                f"{per_arm or 'nobody'}; leave the rest alone. The list is contact_list.csv; "
                "`uplift plan` makes it for a new customer file.")
        items.append((_QUESTIONS[2], "info", text))
        value = evaluation.value
        per_thousand = 1000 * value.estimate / n
        text = (f"{context.profit(value.estimate)} on the {n:,} holdout customers "
                f"(95% CI {context.money(value.ci_low)} to {context.money(value.ci_high)}), about "
                f"{context.money(per_thousand, decimals=2)} per 1,000 customers. "
                + _forecast_text(context, plan))
        sure = value.ci_low > 0
        items.append((_QUESTIONS[3], "pass" if sure else "warn", text))
        policies = _policies(plan, evaluation)
        items.append((_QUESTIONS[4], *_versus_text(context, policies)))
    markup = ['<h2 id="answer">The answer</h2><dl>']
    for question, verdict, text in items:
        markup.append(f"<dt>{html.escape(question)}</dt><dd>{_badge(verdict)}{html.escape(text)}</dd>")
    markup.append("</dl>")
    report.raw("".join(markup), lead=True)
    if plan is not None and evaluation is not None:
        report.raw(_versus_table(context, _policies(plan, evaluation)), lead=True)
    figure = results.get("profit_figure")
    if figure is not None:
        report.image(figure, caption=results.get("profit_caption"), lead=True)
    report.raw('<nav class="toc"><ul>' + "".join(
        f'<li><a href="#{anchor}">{html.escape(title)}</a></li>' for anchor, title in (
            ("experiment", "1. Experiment"), ("model", "2. Model"), ("signal", "3. Signal"),
            ("campaign", "4. Campaign"), ("forecast", "5. Forecast"), ("ranking", "6. Ranking"),
            ("calibration", "7. Calibration"), ("segments", "8. Segments"), ("conventions", "Appendix")))
        + "</ul></nav>",
        lead=True)
    report.summary["answer"] = [{"question": q, "verdict": v, "answer": t} for q, v, t in items]
    if plan is not None and evaluation is not None:
        report.summary["answer_numbers"] = {
            "contacts": int(plan.n_contacts), "holdout_customers": len(plan.arm),
            "holdout_profit": float(evaluation.value.estimate), "holdout_profit_ci": [
                float(evaluation.value.ci_low), float(evaluation.value.ci_high)],
            "expected_profit": float(plan.totals()["expected_incremental_profit"]),
            **({} if plan.forecast is None else {
                "forecast_profit": float(plan.forecast.forecast.estimate),
                "forecast_profit_interval": [float(plan.forecast.forecast.ci_low),
                                             float(plan.forecast.forecast.ci_high)]}),
            "share_contacted": float(np.mean(plan.arm > 0)),
        }


def _forecast_text(context: ReportContext, plan: Any) -> str:
    """The forecast made before the campaign (calibrated, cross-fitted), or the model's promise without one."""
    forecast = plan.forecast
    if forecast is None:
        return f"The model expected {context.money(plan.totals()['expected_incremental_profit'])}."
    estimate = forecast.forecast
    # the forecast section's note on a rare outcome, repeated where the interval is quoted
    rare = context.report.summary.get("forecast", {}).get("rare_outcome", False)
    caveat = ""
    if rare:
        if not forecast.n_blocks:
            caveat = "; with an outcome this rare it is too narrow, read it as about 90%"
        elif forecast.selection_covariance > 0:
            caveat = "; widened for an outcome this rare"
        else:
            caveat = "; refits for an outcome this rare found nothing to widen it by"
    return (f"Forecast before sending, from calibrated, cross-fitted effects: {context.money(estimate.estimate)} "
            f"(95% interval {context.money(estimate.ci_low)} to {context.money(estimate.ci_high)}{caveat}; "
            "section 5).")


def _policies(plan: Any, evaluation: Any) -> list[dict[str, Any]]:
    """The plan and each simple rule: name, contacts, expected spend, measured profit and the difference."""
    spend, fixed = plan.scores.spend, plan.economics.fixed_cost
    labels = [str(a) for a in plan.arm_labels]
    rows = []
    for record in evaluation.comparisons.to_dict(orient="records"):
        name = str(record["policy"])
        if name == "plan":
            label, cost = "the plan", plan.totals()["expected_spend"]
        elif name == "treat none":
            label, cost = "contact nobody", 0.0
        elif name.startswith("treat all"):
            arm = name[len("treat all ("):-1] if "(" in name else labels[0]
            label = name.replace("treat all", "contact everyone")
            cost = float(spend[:, labels.index(arm)].sum() + fixed)
        else:
            label, cost = name, float("nan")
        rows.append({**record, "label": label, "spend": cost})
    return rows


def _versus_text(context: ReportContext, policies: list[dict[str, Any]]) -> tuple[str, str]:
    plan, others = policies[0], policies[1:]
    beaten = [p["label"] for p in others if p["difference_ci_low"] > 0]
    parts, noise = [], []
    if beaten:
        parts.append(f"The plan earns more than {', '.join(beaten)} (95% CI of the difference above zero).")
    for policy in others:
        if policy["difference_ci_low"] > 0:
            continue
        if policy["estimate"] > plan["estimate"] and np.isfinite(policy["spend"]) and policy["spend"] > plan["spend"]:
            label = policy["label"]
            parts.append(f"{label[:1].upper() + label[1:]} earns more in total ({context.money(policy['estimate'])}) "
                         f"but is expected to spend {context.money(policy['spend'])}, against the plan's "
                         f"{context.money(plan['spend'])}: raise the budget to compare like with like.")
        else:
            noise.append(policy["label"])
    if noise:
        parts.append(f"Against {', '.join(noise)} the difference is within the noise.")
    return ("pass" if not others or len(beaten) == len(others) else "warn"), " ".join(parts)


def _versus_table(context: ReportContext, policies: list[dict[str, Any]]) -> str:
    """The plan beside the simple rules: contacts, expected spend, measured profit, and the difference."""
    rows = []
    for policy in policies:
        difference = ("" if policy["label"] == "the plan" else
                      f"{context.money(policy['difference'])} [{context.money(policy['difference_ci_low'])}, "
                      f"{context.money(policy['difference_ci_high'])}]")
        spend = context.money(policy["spend"]) if np.isfinite(policy["spend"]) else "as the plan"
        rows.append((policy["label"], f"{int(policy['contacts']):,}", spend,
                     f"{context.money(policy['estimate'])} [{context.money(policy['ci_low'])}, "
                     f"{context.money(policy['ci_high'])}]", difference))
    head = ("policy", "contacted", "expected spend", "incremental profit, holdout (95% CI)", "plan minus it (95% CI)")
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return ('<div class="table-wrap"><table><thead><tr>' + "".join(f"<th>{html.escape(h)}</th>" for h in head)
            + f"</tr></thead><tbody>{body}</tbody></table></div>")
