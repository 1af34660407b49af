"""Demo section: fit the default learner on a train split and report its test uplift@30%."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from ..learners import SLearner
from ._context import DemoContext

#: scikit-uplift's tutorial figure on the same task (Womens vs No E-Mail, visit): uplift@30% with a
#: 50/50 split and class transformation on depth-2 XGBoost (see ../shared/data/README.md).
PEER_UPLIFT_AT_30 = 0.0661


def uplift_at_k_sklift(y: np.ndarray, score: np.ndarray, treatment: np.ndarray, k: float = 0.3) -> float:
    """scikit-uplift's ``uplift_at_k(strategy="overall")``: the first ``int(n k)`` rows by score
    (stable sort, descending), treated mean minus control mean among them.

    >>> uplift_at_k_sklift(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.1, 0.2]), np.array([1, 0, 1, 0]), k=0.5)
    1.0
    """
    order = np.argsort(score, kind="mergesort")[::-1][: int(len(y) * k)]
    top_y, top_t = y[order], treatment[order]
    return float(top_y[top_t == 1].mean() - top_y[top_t == 0].mean())


def models_section(context: DemoContext) -> None:
    report, data = context.report, context.data
    report.heading("2. The uplift model")
    rows = np.arange(len(data.y))
    train, test = train_test_split(rows, test_size=0.3, stratify=data.treatment * 2 + data.y.astype(int),
                                   random_state=context.random_state)
    started = time.perf_counter()
    learner = SLearner(random_state=context.random_state)
    learner.fit(data.X.iloc[train], data.y[train], treatment=data.treatment[train])
    effect_test = learner.predict(data.X.iloc[test])
    seconds = time.perf_counter() - started
    at_30 = uplift_at_k_sklift(data.y[test], effect_test, data.treatment[test])
    report.paragraph(
        f"Default learner: {type(learner).__name__} with XGBoost base models (see docs/learners.md), fitted on "
        f"{len(train):,} training customers (70%, split stratified by treatment x outcome) in {seconds:.1f} s; "
        f"predicted effects on {len(test):,} test customers range from {effect_test.min():+.3f} to "
        f"{effect_test.max():+.3f} (mean {effect_test.mean():+.4f})."
    )
    table = pd.DataFrame({
        "model": [f"uplift {type(learner).__name__} (this run, 70/30 split)",
                  "scikit-uplift tutorial (ClassTransformation, depth-2 XGBoost, 50/50 split)"],
        "uplift@30% (sklift convention)": [at_30, PEER_UPLIFT_AT_30],
    })
    report.table(table, caption=("Test uplift among the 30% of customers with the highest predicted effect: "
                                 "visit rate of the e-mailed minus the not e-mailed among them. One split; "
                                 "the seed-to-seed sd is about 0.01 (docs/benchmarks.md)."))
    context.results["split"] = (train, test)
    context.results["learner"] = learner
    context.results["effect_test"] = effect_test
    report.summary["models"] = {
        "learner": type(learner).__name__, "train_rows": len(train), "test_rows": len(test),
        "uplift_at_30_sklift": at_30, "peer_uplift_at_30": PEER_UPLIFT_AT_30, "seconds": round(seconds, 2),
    }
