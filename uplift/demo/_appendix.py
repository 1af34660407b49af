"""Report appendix: every score of the holdout ranking in each library's convention."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..evaluation import Convention, qini_auc_score, uplift_at_k, uplift_auc_score
from ._context import ReportContext


def conventions_section(context: ReportContext) -> None:
    report, table = context.report, context.table
    learner, (_, test) = context.results["learner"], context.results["split"]
    outcomes = context.results["outcomes_test"]
    y, treatment = table.y[test], table.treatment[test]
    report.heading("Appendix A. The same ranking in other libraries' conventions", anchor="conventions")
    conventions: tuple[Convention, ...] = ("uplift", "sklift", "causalml", "grf")
    rows = []
    for k, arm in enumerate(learner.treatment_arms_):
        members = (treatment == arm) | (treatment == table.control_value)
        effect = outcomes[members, k + 1] - outcomes[members, 0]
        treated = (treatment[members] == arm).astype(np.int8)
        for convention in conventions:
            rows.append({"arm": str(arm), "score": "Qini AUC", "convention": convention,
                         "value": float(qini_auc_score(y[members], effect, treatment=treated, convention=convention))})
        for convention in conventions[:3]:
            rows.append({"arm": str(arm), "score": "uplift AUC", "convention": convention,
                         "value": float(uplift_auc_score(y[members], effect, treatment=treated,
                                                         convention=convention))})
        rows.append({"arm": str(arm), "score": "uplift@30%", "convention": "overall",
                     "value": float(uplift_at_k(y[members], effect, treatment=treated, k=0.3))})
    frame = pd.DataFrame(rows)
    report.table(frame, caption=(
        "'uplift' is our convention (the headline above); 'sklift', 'causalml' and 'grf' reproduce those "
        "libraries' numbers for the same ranking, so a number can be compared with theirs (docs/metrics.md "
        "gives the formulas). They measure the same ranking: do not read them as four different models."))
    report.summary["conventions"] = frame.to_dict(orient="records")
