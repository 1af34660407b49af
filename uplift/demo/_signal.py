"""Report section: is there anything to target (does the effect differ between customers)?"""

from __future__ import annotations

import numpy as np

from ..diagnostics import signal_check
from ..workflow import format_p_value
from ._context import ReportContext


def signal_section(context: ReportContext) -> None:
    report, table = context.report, context.table
    report.heading("3. Is there anything to target?", anchor="signal")
    report.paragraph(
        "The signal check asks whether the effect differs between customers: a simple model (logistic "
        "T-learner) is fitted on random halves of the data and ranks the other half; if its ranking is no "
        "better than random, targeting cannot beat contacting everyone or no one."
    )
    results = {}
    for arm in table.arms:
        rows = np.flatnonzero((table.treatment == arm) | (table.treatment == table.control_value))
        check = signal_check(table.X.iloc[rows], table.y[rows], treatment=table.treatment[rows],
                             control_value=table.control_value, n_repeats=3 if context.quick else 10,
                             n_folds=2 if context.quick else 5, n_resamples=50 if context.quick else 200,
                             random_state=context.random_state)
        results[arm] = check
        words = ("the effect differs between customers" if check.detected
                 else "no difference between customers found at this sample size")
        report.verdict(f"{arm} versus {table.control_value}", "pass" if check.detected else "warn",
                       f"{words} (RATE {check.rate.estimate:.4f}, one-sided p {format_p_value(check.rate.p_value)}; "
                       f"Qini AUC of the simple ranking {check.qini.estimate:.3f}, 95% CI "
                       f"[{check.qini.ci_low:.3f}, {check.qini.ci_high:.3f}]).")
    context.results["signal"] = results
    report.summary["signal"] = {str(arm): check.to_dict() for arm, check in results.items()}
