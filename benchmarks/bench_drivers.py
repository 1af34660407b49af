"""The report's drivers (permutation importance): what they cost, and what their intervals cover.

Usage::

    python benchmarks/bench_drivers.py cost            # the demo's step, old and new settings, side by side
    python benchmarks/bench_drivers.py cost --quick    # the same with `uplift demo --quick`'s model
    python benchmarks/bench_drivers.py coverage --repeats 200

``cost``: fits the demo's model (``uplift.demo``'s model section on Hillstrom: a CalibratedLearner of
the default S-learner) and times, for both arms, the drivers as they were (one fold model
``learner.estimators_[0]``, 5 shuffles per feature, 3 with ``--quick``, the shuffles' t interval),
the drivers as the report now computes them (the calibrated learner, 1 shuffle, bootstrap intervals
from 100 resamples of the holdout, 50 with ``--quick``), then the old ones again, in one run.

``coverage``: a model weighs a feature that is independent of the outcome and the arm (its true drop
is exactly 0); on fresh holdouts of ``--rows`` rows, how often each interval covers 0.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from uplift.campaign import Economics
from uplift.demo import DEMO_BUDGET_SHARE, DEMO_ECONOMICS, ReportContext, hillstrom_table
from uplift.demo._model import model_section
from uplift.demo._report import Report
from uplift.demo._segments import N_REPEATS, N_RESAMPLES, _features, _importance
from uplift.segments import permutation_importance


def cost(quick: bool) -> None:
    table = hillstrom_table()
    context = ReportContext(table=table, economics=Economics(**DEMO_ECONOMICS),
                            report=Report(Path(tempfile.mkdtemp()), "bench"), outcome_name="visit",
                            budget_share=DEMO_BUDGET_SHARE, data_name="hillstrom", random_state=0, quick=quick)
    model_section(context)
    learner, (_, test) = context.results["learner"], context.results["split"]
    matrix = _features(context).iloc[test].to_numpy()
    arms = list(learner.treatment_arms_)

    def old() -> float:
        started = time.perf_counter()
        for arm in arms:
            permutation_importance(learner.estimators_[0], matrix, table.y[test], treatment=table.treatment[test],
                                   treatment_value=arm, n_repeats=3 if quick else 5, interval="shuffles")
        return time.perf_counter() - started

    def new() -> float:
        started = time.perf_counter()
        for arm in arms:
            _importance(context, arm, 50 if quick else N_RESAMPLES)
        return time.perf_counter() - started

    first, now, again = old(), new(), old()
    print(f"{'quick' if quick else 'full'} demo model, {len(test):,} holdout rows, {len(arms)} arms: "
          f"old {first:.1f} s / {again:.1f} s, new ({N_REPEATS} shuffle, calibrated learner, bootstrap) {now:.1f} s, "
          f"ratio {now / ((first + again) / 2):.2f}")


class LinearScore:
    """A fitted "learner" whose effect is ``X @ weights``."""

    def __init__(self, weights: list[float]) -> None:
        self.weights = np.asarray(weights)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return X @ self.weights


def coverage(repeats: int, rows: int) -> None:
    rng = np.random.RandomState(0)
    covered = {"bootstrap (1 shuffle, 100 resamples)": 0, "shuffles (3 shuffles)": 0}
    for _ in range(repeats):
        X = rng.normal(size=(rows, 2))
        treatment = rng.permutation(np.arange(rows) % 2)
        y = (rng.uniform(size=rows) < 0.3 + 0.3 * treatment * (X[:, 0] > 0)).astype(np.int64)
        seed = rng.randint(2**31 - 1)
        for name in covered:
            bootstrap = name.startswith("bootstrap")
            result = permutation_importance(LinearScore([1.0, 0.7]), X, y, treatment=treatment,
                                            n_repeats=1 if bootstrap else 3,
                                            interval="bootstrap" if bootstrap else "shuffles", n_resamples=100,
                                            random_state=seed)
            row = result.summary().set_index("feature").loc["x1"]
            covered[name] += bool(row["ci_low"] <= 0.0 <= row["ci_high"])
    for name, count in covered.items():
        print(f"{name}: covers the true drop 0 in {count} of {repeats} holdouts of {rows} rows ({count / repeats:.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("cost", "coverage"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--rows", type=int, default=600)
    arguments = parser.parse_args()
    if arguments.what == "cost":
        cost(arguments.quick)
    else:
        coverage(arguments.repeats, arguments.rows)


if __name__ == "__main__":
    main()
