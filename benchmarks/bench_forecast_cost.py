"""What the forecast's bootstrap of the calibration maps costs, next to the fit it comes with.

``forecast_profit(plan, learner)`` widens the standard error of independent rows by a wild bootstrap
that refits every fold map of the learner ``n_draws`` times (``n_draws=200`` by default; ``0``: no
bootstrap). The script fits ``CalibratedLearner`` (the library's defaults: 5 folds × 6 repeats) on
:func:`uplift.datasets.make_uplift_classification` (6 features, 3 treated arms; ``--n`` training
rows), plans 20,000 new customers with the 3-arm economics of ``bench_forecast.py`` and prints, for
each learner and size, the fastest of ``--rounds`` timings of: the fit, the plan without a forecast,
``forecast_profit`` with ``n_draws=0`` and with each of ``--draws``, and the bootstrap's time as a
share of the fit's. One process; run it on a quiet machine (``OMP_NUM_THREADS=1``: one core).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_forecast_cost.py --learners S T --n 10000 60000 --rounds 3
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from uplift.campaign import Economics, forecast_profit, plan_campaign
from uplift.datasets import make_uplift_classification
from uplift.learners import CalibratedLearner, SLearner, TLearner

ECONOMICS = Economics(value=30.0, contact_cost=[0.05, 0.05, 0.10], conversion_cost=[0.0, 2.0, 4.0])


def _fastest(call, rounds: int) -> tuple[float, object]:
    best, result = np.inf, None
    for _ in range(rounds):
        started = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", nargs="+", default=["S", "T"], choices=["S", "T"])
    parser.add_argument("--n", nargs="+", type=int, default=[10_000])
    parser.add_argument("--draws", nargs="+", type=int, default=[100, 200])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    draws_header = " | ".join(f"forecast, {d} draws (s)" for d in args.draws)
    print(f"| learner | training rows | fit (s) | plan (s) | forecast, no bootstrap (s) | {draws_header} | "
          f"inflation at {args.draws[-1]} draws | bootstrap / fit |")
    print("|---|---:|---:|---:|---:|" + "---:|" * len(args.draws) + "---:|---:|")
    for n in args.n:
        train = make_uplift_classification(n, 6, n_arms=3, random_state=0)
        new = make_uplift_classification(20_000, 6, n_arms=3, random_state=1)
        for name in args.learners:
            print(_row(name, n, train, new, args.draws, args.rounds), flush=True)


def _row(name: str, n: int, train, new, draws: list[int], rounds: int) -> str:
    kind = {"S": SLearner, "T": TLearner}[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty-plan and overlap notes are not what is timed
        # one fit: it is the context, not the subject
        fit, learner = _fastest(lambda: CalibratedLearner(kind(random_state=0, n_jobs=1)).fit(
            train.X, train.y, treatment=train.treatment), 1)
        outcomes = learner.predict_outcomes(new.X)
        planned, plan = _fastest(lambda: plan_campaign(outcomes, ECONOMICS), rounds)
        plain, _ = _fastest(lambda: forecast_profit(plan, learner, n_draws=0), rounds)
        timed = [_fastest(lambda d=d: forecast_profit(plan, learner, n_draws=d), rounds) for d in draws]
    cells = " | ".join(f"{seconds:.2f}" for seconds, _ in timed)
    last_seconds, last = timed[-1]
    return (f"| {name} | {n:,} | {fit:.1f} | {planned:.2f} | {plain:.3f} | {cells} | {last.inflation:.3f} | "
            f"{(last_seconds - plain) / fit:.2f} |")


if __name__ == "__main__":
    main()
