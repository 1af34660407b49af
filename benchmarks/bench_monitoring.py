"""Done-when checks of uplift.monitoring on make_uplift_stream: false alarms, detection, holdout coverage.

    nice python benchmarks/bench_monitoring.py --no-change-runs 11 --change-runs 20 --coverage-runs 400

- false alarms: streams without change (20 periods); a model (T-learner, logistic regression, for
  speed) is fitted on period 0 with its reference histograms; ``monitor`` runs on periods 1..19
  with the period's randomized rows as holdout; share of periods not ``ok`` with its Clopper-Pearson
  95% interval, against the nominal family-wise level ``alpha``;
- detection: streams with a change at period 10 (features shifted by 0.5 SD, or the effect's sign
  flipped for the segment x2 > 0); detected when period 10 or 11 is flagged (``drift`` or
  ``decay``); periods 1..9 of these runs add to the false-alarm count;
- coverage: a Policy decides with ``explore=0.2``; the policy's incremental profit per customer is
  estimated by AIPW on the explore rows only (evaluate_policy, propensity 1/2) and its 95% interval
  is checked against the true value (computed on 10^6 fresh customers).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from scipy import stats
from sklearn.linear_model import LogisticRegression

from uplift.campaign import Economics, Policy, evaluate_policy
from uplift.datasets import make_uplift_stream
from uplift.learners import TLearner
from uplift.monitoring import monitor, reference_histograms


def clopper_pearson(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    low = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high


def training_figures(model: TLearner, stream, rows: np.ndarray, n_resamples: int) -> dict[str, float]:
    """RATE and policy value (treat where the predicted effect > 0) on a validation period, with SEs."""
    from uplift.evaluation import rate_score

    X, y, treatment = stream.X[rows], stream.y[rows], stream.treatment[rows]
    score, outcomes = model.predict(X), model.predict_outcomes(X)
    rate = rate_score(y, score, treatment=treatment, propensity=0.5, outcome_predictions=outcomes,
                      n_resamples=n_resamples,
                      random_state=0)
    value = evaluate_policy((score > 0).astype(int), y, treatment=treatment, economics=Economics(value=1.0),
                            outcomes=outcomes,
                            propensity=0.5, control_value=0, arms=[1]).value
    n = len(y)
    return {"rate": rate.estimate, "rate_std_error": rate.std_error, "value_per_customer": value.estimate / n,
            "value_std_error": value.std_error / n}


def run_stream(n_periods: int, n_samples: int, change_period: int | None, change: str, seed: int,
               alpha: float, n_resamples: int, with_training: bool = False) -> list[str]:
    stream = make_uplift_stream(n_periods, n_samples, change_period=change_period, change=change,
                                random_state=seed)
    first = stream.time == 0
    model = TLearner(LogisticRegression()).fit(stream.X[first], stream.y[first], treatment=stream.treatment[first])
    reference = reference_histograms(stream.X[first], scores=model.predict(stream.X[first]))
    training = training_figures(model, stream, stream.time == 1, n_resamples) if with_training else None
    statuses = ["train"] + (["validation"] if with_training else [])
    for period in range(len(statuses), n_periods):
        rows = stream.time == period
        report = monitor(model, stream.X[rows], y=stream.y[rows], treatment=stream.treatment[rows],
                         propensity=0.5, reference=reference, training=training, alpha=alpha,
                         n_resamples=n_resamples, random_state=seed * 100 + period)
        statuses.append(report.status)
    return statuses


def coverage(runs: int, n_samples: int, explore: float) -> dict[str, float]:
    economics = Economics(value=10.0, contact_cost=0.5)
    train = make_uplift_stream(1, 5000, random_state=10_000)
    model = TLearner(LogisticRegression()).fit(train.X, train.y, treatment=train.treatment)
    policy = Policy(model, economics).fit(train.X)
    big = make_uplift_stream(1, 1_000_000, random_state=10_001)
    chosen = policy.decide(big.X)["arm"].to_numpy() == 1
    truth = float(np.mean(np.where(chosen, 10.0 * big.tau - 0.5, 0.0)))
    covered, estimates = 0, []
    for run in range(runs):
        period = make_uplift_stream(1, n_samples, random_state=20_000 + run)
        decisions = policy.decide(period.X, explore=explore, random_state=run)
        rng = np.random.default_rng(30_000 + run)
        arm = decisions["arm"].to_numpy().astype(int)
        y = (rng.random(n_samples) < period.mu[np.arange(n_samples), arm]).astype(float)
        holdout = (decisions["holdout"] == "explore").to_numpy()
        policy_arm = decisions["policy_arm"].to_numpy().astype(np.intp)[holdout]
        result = evaluate_policy(policy_arm, y[holdout], treatment=arm[holdout], economics=economics, propensity=0.5,
                                 outcomes=model.predict_outcomes(period.X[holdout]), arms=[1], control_value=0)
        n = int(holdout.sum())
        covered += result.value.ci_low / n <= truth <= result.value.ci_high / n
        estimates.append(result.value.estimate / n)
    low, high = clopper_pearson(covered, runs)
    return {"runs": runs, "explore_rows_per_run": round(explore * n_samples), "true_value_per_customer": truth,
            "mean_estimate": float(np.mean(estimates)), "coverage": covered / runs, "coverage_ci": [low, high]}


def example_report(directory: str) -> None:
    """The report of docs/monitoring.md: a period where the features moved and the effect flipped."""
    from uplift.campaign import Economics, Policy

    stream = make_uplift_stream(2, 6000, change_period=1, change="both", random_state=7)
    first, late = stream.time == 0, stream.time == 1
    model = TLearner(LogisticRegression()).fit(stream.X[first], stream.y[first], treatment=stream.treatment[first])
    policy = Policy(model, Economics(value=10.0, contact_cost=0.3)).fit(stream.X[first])
    reference = reference_histograms(stream.X[first], scores=model.predict(stream.X[first]))
    report = monitor(policy, stream.X[late], y=stream.y[late], treatment=stream.treatment[late], propensity=0.5,
                     reference=reference, random_state=0)
    print(report.to_html(directory))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-change-runs", type=int, default=11)
    parser.add_argument("--change-runs", type=int, default=20)
    parser.add_argument("--coverage-runs", type=int, default=400)
    parser.add_argument("--n-samples", type=int, default=2000, help="customers per period")
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--n-resamples", type=int, default=100)
    parser.add_argument("--changes", nargs="+", default=["features", "effect"], choices=["features", "effect", "both"])
    parser.add_argument("--seed-offset", type=int, default=0, help="first seed of the change runs (minus 1000)")
    parser.add_argument("--training-figures", action="store_true",
                        help="period 1 is a validation period: its RATE and policy value (with SEs) are the "
                        "training figures the decay tests compare with; monitoring starts at period 2")
    parser.add_argument("--example-report", default=None, help="only write the example report into this folder")
    args = parser.parse_args()
    if args.example_report:
        example_report(args.example_report)
        return
    started = time.perf_counter()
    alarms, checked = 0, 0
    for run in range(args.no_change_runs):
        statuses = run_stream(20, args.n_samples, None, "features", run, args.alpha, args.n_resamples,
                              args.training_figures)
        monitored = [s for s in statuses if s not in ("train", "validation")]
        alarms += sum(s != "ok" for s in monitored)
        checked += len(monitored)
    detection = {}
    for change in args.changes:
        detected = 0
        for run in range(args.seed_offset, args.seed_offset + args.change_runs):
            statuses = run_stream(12, args.n_samples, 10, change, 1000 + run, args.alpha, args.n_resamples,
                                  args.training_figures)
            before = [s for s in statuses[:10] if s not in ("train", "validation")]
            alarms += sum(s != "ok" for s in before)
            checked += len(before)
            detected += statuses[10] != "ok" or statuses[11] != "ok"
        low, high = clopper_pearson(detected, args.change_runs)
        detection[change] = {"detected": detected, "runs": args.change_runs, "rate": detected / args.change_runs,
                             "ci": [low, high]}
    low, high = clopper_pearson(alarms, checked) if checked else (float("nan"), float("nan"))
    result = {"alpha": args.alpha, "n_samples": args.n_samples, "training_figures": args.training_figures,
              "false_alarms": {"alarms": alarms, "periods": checked, "rate": alarms / max(checked, 1),
                               "ci": [low, high]},
              "detection_within_two_periods": detection}
    if args.coverage_runs:
        result["coverage"] = coverage(args.coverage_runs, 10_000, 0.2)
    result["seconds"] = round(time.perf_counter() - started)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
