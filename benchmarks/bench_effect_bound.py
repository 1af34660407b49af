"""Cost of keeping a binary effect a difference of probabilities (issue 9, finding 12).

For a binary outcome, learners with a separate effect model (X, R, DR, CT, TO) now bound each
effect by the control outcome model ``mu0`` (``tau`` within ``[-mu0, 1 - mu0]``), so ``predict``
also evaluates ``mu0``. This script measures, in one run and side by side, the time of the
effect models alone ("raw", what ``predict`` cost before) and of the bounded ``predict``; and for
R and DR, whose ``mu0`` is now one model fitted on all control rows (it was the mean of the
cross-fitting folds' models), the share of the fit that model costs.

Data: :func:`uplift.datasets.make_uplift_classification` (8 features), 20,000 training rows,
200,000 rows to predict; default XGBoost base models; the design propensity 0.5 where a learner
uses one (R estimates its own). Times are the fastest of ``--repeat`` runs.

Usage::

    .venv/bin/python benchmarks/bench_effect_bound.py --repeat 3
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from uplift.datasets import make_uplift_classification
from uplift.learners import ClassTransformation, DRLearner, RLearner, TransformedOutcome, XLearner
from uplift.learners._base import fit_control_model
from uplift.learners._plan import FitData


def _fastest(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n-train", type=int, default=20_000)
    parser.add_argument("--n-predict", type=int, default=200_000)
    arguments = parser.parse_args()
    train = make_uplift_classification(arguments.n_train, 8, random_state=0)
    X = make_uplift_classification(arguments.n_predict, 8, random_state=1).X.to_numpy()
    print("| learner | effect models alone (s) | bounded predict (s) | ratio | fit (s) | extra control model (s) |")
    print("|---|---|---|---|---|---|")
    for cls in (XLearner, RLearner, DRLearner, TransformedOutcome, ClassTransformation):
        learner = cls(random_state=0) if cls is RLearner else cls(random_state=0, propensity=0.5)
        fit = _fastest(lambda: learner.fit(train.X, train.y, treatment=train.treatment), arguments.repeat)  # noqa: B023
        raw = _fastest(lambda: learner._raw_effects(learner.models_, X), arguments.repeat)  # noqa: B023
        bounded = _fastest(lambda: learner._effects(learner.models_, X), arguments.repeat)  # noqa: B023
        extra = "-"
        if cls in (RLearner, DRLearner):
            plan = learner._make_plan("binary", np.array([0, 1]))
            data = FitData(train.X.to_numpy(), train.y, train.treatment)
            seconds = _fastest(lambda: fit_control_model(plan, data), arguments.repeat)  # noqa: B023
            extra = f"{seconds:.2f} ({seconds / fit:.0%} of the fit)"
        print(f"| {cls.__name__} | {raw:.2f} | {bounded:.2f} | {bounded / raw:.2f} | {fit:.2f} | {extra} |")


if __name__ == "__main__":
    main()
