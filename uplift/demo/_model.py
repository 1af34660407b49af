"""Report section: fit the uplift model on 70% of the customers; the other 30% are the holdout.

The model is the default S-learner wrapped in :class:`uplift.learners.CalibratedLearner`: its effects
are cross-fitted and calibrated against doubly robust effects, which the forecast, the calibration
and the segment sections read (``results["learner"]``, its ``cross_fit_``; the inner learner's
settings under ``results["inner_learner"]``).
"""

from __future__ import annotations

import time

import numpy as np

from ..exceptions import UpliftInputError
from ..learners import CalibratedLearner, SLearner, default_classifier, default_regressor
from ..model_selection import train_test_split
from ._context import ReportContext
from ._forecast import forecast_blocks_for

#: Share of the customers kept out of fitting, to measure what the plan earns.
HOLDOUT_SHARE = 0.3
#: Folds of the calibration's cross-fit (3 with ``quick``).
CALIBRATION_FOLDS = 5
_PARTS = {2: "half", 3: "third", 4: "quarter", 5: "fifth"}


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
    inner = SLearner(outcome_model=model, control_value=table.control_value, random_state=context.random_state)
    folds = 3 if context.quick else CALIBRATION_FOLDS
    blocks = forecast_blocks_for(table.y[train])  # a rare outcome: refits for the forecast's interval
    learner = CalibratedLearner(inner, cv=folds, forecast_blocks=blocks, random_state=context.random_state)
    started, refits_failed = time.perf_counter(), ""
    try:
        learner.fit(table.X.iloc[train], table.y[train], treatment=table.treatment[train])
    except UpliftInputError as error:
        if not blocks:
            raise
        # a refit on 4/5 of few buyers can miss a class the whole fit has: the forecast keeps the plain interval
        refits_failed, blocks = str(error.__cause__ or error), 0  # the refit's own reason, not the library's advice
        learner = CalibratedLearner(inner, cv=folds, random_state=context.random_state)
        learner.fit(table.X.iloc[train], table.y[train], treatment=table.treatment[train])
    seconds = time.perf_counter() - started
    report.heading("2. The uplift model", anchor="model")
    report.paragraph(
        f"An S-learner with XGBoost (the default model, docs/learners.md) was fitted {folds * learner.n_repeats} "
        f"times on the {len(train):,} training customers ({100 * (1 - HOLDOUT_SHARE):.0f}%, split stratified by arm "
        f"and outcome; {seconds:.1f} s in all{', with the refits below' if blocks else ''}): {learner.n_repeats} "
        f"rounds of {folds}, each fit leaving out a "
        f"different {_PARTS.get(folds, f'1/{folds}')} of them, so every training customer also has an effect "
        f"predicted by {learner.n_repeats} models that never saw them (averaged). Those out-of-fold "
        "effects are compared with what the customers' arms and outcomes say (doubly robust effects) to "
        "calibrate the model: its predicted effects are mapped onto the effects really measured for customers "
        "with such predictions (section 7). The other "
        f"{len(test):,} customers are the holdout: the plan below is made for them and its profit measured on "
        "what they really did in the experiment."
        + (f" Because {context.outcome_plural} are rare here, the whole fit was also repeated {blocks} times, each "
           f"without a different {_PARTS.get(blocks, f'1/{blocks}')} of the training customers, to measure how "
           "much their outcomes move one another's selection (section 5)." if blocks else "")
        + (f" {context.outcome_plural.capitalize()} are rare here, but the refits that would measure how much their "
           f"outcomes move one another's selection could not be fitted ({refits_failed}), so the forecast's "
           "interval is the one of independent customers (section 5)." if refits_failed else "")
    )
    context.results["learner"] = learner
    context.results["inner_learner"] = inner
    context.results["split"] = (train, test)
    context.results["outcomes_test"] = learner.predict_outcomes(table.X.iloc[test])
    report.summary["model"] = {"learner": "CalibratedLearner(SLearner)", "calibration_folds": folds,
                               "calibration_repeats": learner.n_repeats, "forecast_blocks": blocks,
                               "train_rows": len(train), "holdout_rows": len(test), "seconds": round(seconds, 2)}
