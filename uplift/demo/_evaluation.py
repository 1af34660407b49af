"""Demo section: is there a signal, and how well does the default learner rank customers?"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
from sklearn.base import clone

from ..evaluation import (
    qini_auc_score,
    rate_score,
    score_interval,
    signal_check,
    uplift_at_k,
    uplift_auc_score,
)
from ..evaluation._checks import Convention
from ..evaluation._signal import naive_learner
from ..model_selection import cross_val_uplift
from ._context import DemoContext

logger = logging.getLogger(__name__)


def _scores_table(y: Any, effect: Any, treatment: Any, *, n_resamples: int, random_state: int) -> pd.DataFrame:
    """Every score of the out-of-fold ranking, with the convention it is computed in."""
    rows = []
    conventions: tuple[Convention, ...] = ("uplift", "sklift", "causalml", "grf")
    for convention in conventions:
        rows.append({"score": "Qini AUC", "convention": convention,
                     "value": float(qini_auc_score(y, effect, treatment, convention=convention))})
    for convention in conventions[:3]:
        rows.append({"score": "uplift AUC", "convention": convention,
                     "value": float(uplift_auc_score(y, effect, treatment, convention=convention))})
    rows.append({"score": "uplift@30%", "convention": "overall",
                 "value": float(uplift_at_k(y, effect, treatment, k=0.3))})
    table = pd.DataFrame(rows)
    ours = score_interval(qini_auc_score, y, effect, treatment, n_resamples=n_resamples, random_state=random_state)
    rate = rate_score(y, effect, treatment, target="AUTOC", n_bootstrap=n_resamples, random_state=random_state)
    extra = pd.DataFrame([
        {"score": "Qini AUC (95% bootstrap CI)", "convention": "uplift", "value": ours.estimate,
         "ci_low": ours.ci_low, "ci_high": ours.ci_high},
        {"score": "RATE (AUTOC)", "convention": "grf", "value": rate.estimate,
         "ci_low": rate.estimate - 1.959964 * rate.std_error, "ci_high": rate.estimate + 1.959964 * rate.std_error},
    ])
    return pd.concat([table, extra], ignore_index=True)


def evaluation_section(context: DemoContext) -> None:
    import matplotlib.pyplot as plt

    from ..plotting import QiniCurveDisplay, UpliftByPercentileDisplay, UpliftCurveDisplay

    report, data, seed = context.report, context.data, context.random_state
    n_folds = 2 if context.quick else 4
    n_resamples = 20 if context.quick else 200
    report.heading("3. Evaluation: is there a signal, and how well do we rank?")

    check = signal_check(data.X, data.y, data.treatment, n_splits=3 if context.quick else 10, n_folds=n_folds,
                         n_resamples=n_resamples, random_state=seed)
    report.verdict("Signal check (logistic T-learner on held-out halves)", "pass" if check.detected else "warn",
                   check.verdict + ".")
    report.preformatted(check.summary())

    learner = context.results.get("learner")
    learner = clone(learner) if learner is not None else naive_learner("binary", random_state=seed)
    name = type(learner).__name__
    cross_validated = cross_val_uplift(learner, data.X, data.y, treatment=data.treatment, cv=n_folds,
                                       scoring=["qini_auc", "uplift_auc", "uplift_at_30"], random_state=seed)
    effect = cross_validated.effect

    figure, (qini_ax, uplift_ax) = plt.subplots(1, 2, figsize=(12, 4.5))
    QiniCurveDisplay.from_predictions(data.y, effect, data.treatment, name=f"{name}, out-of-fold", ci=True,
                                      n_resamples=n_resamples, random_state=seed, ax=qini_ax, plot_perfect=False)
    UpliftCurveDisplay.from_predictions(data.y, effect, data.treatment, name=f"{name}, out-of-fold", ci=True,
                                        n_resamples=n_resamples, random_state=seed, ax=uplift_ax,
                                        plot_perfect=False)
    report.figure(figure, "evaluation_curves", caption=(
        f"Out-of-fold Qini and uplift curves of {name} ({n_folds}-fold cross-fit on all {len(data.y):,} rows) "
        f"with pointwise 95% bootstrap bands ({n_resamples} resamples) and the random-targeting line (the "
        "perfect ranking, far above on this scale, is left out; it scores 1 in our normalised convention, "
        "random scores 0). Scores in our convention ('uplift'; see docs/metrics.md)."))
    plt.close(figure)

    figure, ax = plt.subplots(figsize=(8, 4.5))
    deciles = UpliftByPercentileDisplay.from_predictions(data.y, effect, data.treatment, bins=10, ax=ax)
    report.figure(figure, "uplift_by_decile", caption=(
        "Observed uplift (treated minus control visit rate) in each decile of the out-of-fold predicted "
        "uplift, with 95% error bars, and the treated and control visit rates."))
    plt.close(figure)

    scores = _scores_table(data.y, effect, data.treatment, n_resamples=n_resamples, random_state=seed)
    report.table(scores, caption=(
        "Scores of the out-of-fold ranking. 'uplift' is our convention; 'sklift', 'causalml' and 'grf' "
        "reproduce those libraries' numbers for the same ranking (docs/metrics.md gives the formulas)."))
    report.table(cross_validated.fold_scores, caption="Scores of each test fold (our conventions).")
    context.results["cross_val"] = cross_validated
    report.summary["evaluation"] = {
        "signal_check": check.to_dict(),
        "learner": name,
        "n_folds": n_folds,
        "n_resamples": n_resamples,
        "cross_validation": cross_validated.to_dict(),
        "scores": scores.to_dict(orient="records"),
        "uplift_by_decile": deciles.table.reset_index().to_dict(orient="list"),
    }
