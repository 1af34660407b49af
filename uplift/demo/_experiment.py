"""Demo section: is the Hillstrom experiment sound, and what is its average effect?"""

from __future__ import annotations

from ..diagnostics import average_treatment_effect, check_experiment, srm_test
from ._context import DemoContext


def experiment_section(context: DemoContext) -> None:
    report, data = context.report, context.data
    report.heading("1. The experiment")
    report.paragraph(
        f"Data: Hillstrom e-mail experiment, {data.arm_names[1]} versus {data.arm_names[0]}, "
        f"outcome '{data.target_name}', {len(data):,} customers, {len(data.feature_names)} "
        "pre-treatment features."
    )
    checks = check_experiment(data.X, data.y, data.treatment, cv=3 if context.quick else 5,
                              random_state=context.random_state)
    all_arms = srm_test(context.data_all_arms.treatment)
    report.verdict("Sample ratio (all three arms)", all_arms.verdict, all_arms.summary())
    report.verdict("Sample ratio (this comparison)", checks.srm.verdict, checks.srm.summary())
    report.verdict("Covariate balance", checks.balance.verdict, checks.balance.summary())
    if checks.predictability is not None:
        report.verdict("Treatment predictability", checks.predictability.verdict,
                       checks.predictability.summary())
    ate = average_treatment_effect(data.y, data.treatment)
    ate_all = average_treatment_effect(context.data_all_arms.y, context.data_all_arms.treatment)
    frame = ate_all.to_frame()
    frame.insert(1, "arm name", [context.data_all_arms.arm_names[a] for a in frame["arm"]])
    report.table(
        frame[["arm", "arm name", "n", "mean", "estimate", "std_error", "ci_low", "ci_high", "p_value"]],
        caption=(f"Average effect on {data.target_name} of each e-mail versus no e-mail "
                 "(difference in means, Welch SE, 95% normal interval)."),
    )
    context.report.summary["experiment"] = {
        "data": {"name": "hillstrom", "arms": "womens", "outcome": data.target_name, "n": len(data)},
        "checks": checks.to_dict(),
        "srm_all_arms": all_arms.to_dict(),
        "ate": ate.to_dict(),
        "ate_all_arms": ate_all.to_dict(),
    }
