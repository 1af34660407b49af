"""Report section: is the experiment sound, and what is the average effect of each arm?"""

from __future__ import annotations

import pandas as pd

from ..diagnostics import check_experiment
from ..inference import average_treatment_effect
from ..workflow import format_p_value
from ._context import ReportContext


def experiment_section(context: ReportContext) -> None:
    report, table = context.report, context.table
    report.heading("1. The experiment", anchor="experiment")
    for note in table.notes():
        report.paragraph(note)
    numeric = [c for c, d in table.X.dtypes.items()
               if pd.api.types.is_numeric_dtype(d) or pd.api.types.is_bool_dtype(d)]
    if len(numeric) < table.X.shape[1]:
        report.paragraph("Balance and predictability are checked on the numeric columns; text columns ("
                         f"{', '.join(c for c in table.X.columns if c not in numeric)}) are used by the model only.")
    checks = check_experiment(table.X[numeric], table.y, treatment=table.treatment, control_value=table.control_value,
                              cv=3 if context.quick else 5, random_state=context.random_state)
    report.verdict("Sample ratio", checks.srm.verdict, str(checks.srm))
    report.verdict("Covariate balance", checks.balance.verdict, str(checks.balance))
    if checks.predictability is not None:
        report.verdict("Treatment predictability", checks.predictability.verdict, str(checks.predictability))
    ate = average_treatment_effect(table.y, treatment=table.treatment, control_value=table.control_value)
    n_control = int((table.treatment == table.control_value).sum())
    rows = [{"arm": f"{table.control_value} (control)", "customers": n_control,
             f"{context.outcome_name} rate": ate.control_mean, "effect": float("nan"), "95% CI": "", "p": ""}]
    for arm, estimate in ate.estimates.items():
        rows.append({"arm": str(arm), "customers": ate.counts[arm], f"{context.outcome_name} rate": ate.arm_means[arm],
                     "effect": estimate.estimate, "95% CI": f"[{estimate.ci_low:+.4f}, {estimate.ci_high:+.4f}]",
                     "p": format_p_value(estimate.p_value)})
    report.table(pd.DataFrame(rows), caption=(
        f"Average effect of each arm on the {context.outcome_name} rate versus the control (difference in means, "
        "Welch standard error, 95% normal interval, two-sided p-value)."))
    context.results["checks"] = checks
    context.results["ate"] = ate
    report.summary["experiment"] = {"checks": checks.to_dict(), "ate": ate.to_dict(),
                                    "n": len(table.y), "dropped_id_columns": table.dropped}
