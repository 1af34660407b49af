"""Report section: fit the uplift model on 70% of the customers; the other 30% are the holdout."""

from __future__ import annotations

import time

import numpy as np

from ..learners import SLearner, default_classifier, default_regressor
from ..model_selection import train_test_split
from ._context import ReportContext

#: Share of the customers kept out of fitting, to measure what the plan earns.
HOLDOUT_SHARE = 0.3


def model_section(context: ReportContext) -> None:
    report, table = context.report, context.table
    rows = np.arange(len(table.y))
    binary = bool(np.isin(table.y, (0.0, 1.0)).all())
    train, test = train_test_split(rows, treatment=table.treatment, y=table.y, stratify_outcome=binary,
                                   control_value=table.control_value, test_size=HOLDOUT_SHARE,
                                   random_state=context.random_state)
    model = (default_classifier if binary else default_regressor)(random_state=context.random_state)
    if context.quick:
        model.set_params(n_estimators=100)
    learner = SLearner(outcome_model=model, control_value=table.control_value, random_state=context.random_state)
    started = time.perf_counter()
    learner.fit(table.X.iloc[train], table.y[train], treatment=table.treatment[train])
    seconds = time.perf_counter() - started
    report.heading("2. The uplift model", anchor="model")
    report.paragraph(
        f"An S-learner with XGBoost (the default model, docs/learners.md) was fitted on {len(train):,} customers "
        f"({100 * (1 - HOLDOUT_SHARE):.0f}%, split stratified by arm and outcome) in {seconds:.1f} s. The other "
        f"{len(test):,} customers are the holdout: the plan below is made for them and its profit measured on "
        "what they really did in the experiment."
    )
    context.results["learner"] = learner
    context.results["split"] = (train, test)
    context.results["outcomes_test"] = learner.predict_outcomes(table.X.iloc[test])
    report.summary["model"] = {"learner": "SLearner", "train_rows": len(train), "holdout_rows": len(test),
                               "seconds": round(seconds, 2)}
