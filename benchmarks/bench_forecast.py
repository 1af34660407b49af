"""Is the plan's profit forecast honest? Forecast versus truth before and after calibration.

Usage::

    python benchmarks/bench_forecast.py synthetic --n 10000 60000 --seconds 240   # every learner
    python benchmarks/bench_forecast.py synthetic --base light --learners T S --n 10000 --repeats 200
    python benchmarks/bench_forecast.py public --splits 3                            # Hillstrom, Starbucks
    python benchmarks/bench_forecast.py synthetic --learners T --n 10000 --cv 3 --n-repeats 3 --no-raw --rows after.csv
    python benchmarks/bench_forecast.py summary --before before.csv --after after.csv  # paired on common seeds

``--n-repeats 0`` runs ``CalibratedLearner`` without the argument (for a checkout before it), so that
the same script and seeds measure the code before and after.

``synthetic``: a 3-arm campaign on ``make_uplift_classification`` (known true outcome probabilities):
a conversion is worth 30, arm 1 is an e-mail (0.05 per contact), arms 2 and 3 carry a 2- and 4-off
coupon paid by every treated buyer (0.05 and 0.10 per contact). Each repetition draws a training
set of ``n`` rows and a new population of 20,000 customers, fits ``CalibratedLearner(learner)``,
and plans the new population twice without constraints: with the raw learner (the same learner
fitted alone on all rows) and with the calibrated one. The true profit of a
plan is the sum of the true ΔΠ of its choices. Reported: the plug-in forecast / truth of each plan
(the plan's own ``expected_incremental_profit``), the honest forecast / truth
(:func:`uplift.campaign.forecast_profit`), and how often its 95% interval covers the truth.
Repetitions run until ``--repeats`` or ``--seconds`` per configuration, whichever comes first.

``public``: random 50/50 splits of Hillstrom (Womens E-Mail vs none, visit worth $2, $0.05 per
e-mail) and Starbucks (train file; $10 per purchase, $0.15 per promotion). The learner is fitted on
one half, the plan made on the other, whose realised profit is estimated by AIPW
(:func:`uplift.campaign.evaluate_policy`) with its interval. Needs /work/shared/data for Starbucks.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
from scipy import stats

from uplift.campaign import Economics, evaluate_policy, plan_campaign, score_profit
from uplift.datasets import load_hillstrom, load_starbucks, make_uplift_classification
from uplift.learners import CalibratedLearner, DRLearner, RLearner, SLearner, TLearner, XLearner

SYNTHETIC = Economics(value=30.0, contact_cost=[0.05, 0.05, 0.10], conversion_cost=[0.0, 2.0, 4.0])
N_NEW = 20_000


def make_learner(name: str, base: str):
    if base == "light":
        from sklearn.linear_model import LinearRegression, LogisticRegression

        outcome, effect = LogisticRegression(), LinearRegression()
        return {"S": SLearner(outcome, interactions=True), "T": TLearner(outcome),
                "X": XLearner(outcome, effect_model=effect), "DR": DRLearner(outcome, effect_model=effect),
                "R": RLearner(outcome, effect_model=effect)}[name]
    return {"S": SLearner(random_state=0), "T": TLearner(random_state=0), "X": XLearner(random_state=0),
            "DR": DRLearner(random_state=0), "R": RLearner(random_state=0)}[name]


def _truth(plan, gain: np.ndarray) -> float:
    chosen = plan.arm > 0
    return float(gain[chosen, plan.arm[chosen] - 1].sum())


def calibrated(name: str, base: str, cv: int, method: str, n_repeats: int) -> CalibratedLearner:
    """``CalibratedLearner`` of the learner; ``n_repeats=0``: without the argument (for the code before it)."""
    extra = {} if n_repeats == 0 else {"n_repeats": n_repeats}
    return CalibratedLearner(make_learner(name, base), method=method, cv=cv, **extra)


def synthetic_repeat(name: str, base: str, n: int, seed: int, cv: int, method: str, n_repeats: int,
                     raw: bool) -> dict:
    train = make_uplift_classification(n, 6, n_arms=3, random_state=seed)
    new = make_uplift_classification(N_NEW, 6, n_arms=3, random_state=1_000_000 + seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # poor-overlap notes of estimated propensities, empty plans
        learner = calibrated(name, base, cv, method, n_repeats).fit(train.X, train.y, treatment=train.treatment)
        plan = plan_campaign(learner.predict_outcomes(new.X), SYNTHETIC, forecast_learner=learner)
        if raw:
            alone = make_learner(name, base).fit(train.X, train.y, treatment=train.treatment)
            raw_plan = plan_campaign(alone.predict_outcomes(new.X), SYNTHETIC)
    gain = score_profit(new.mu, SYNTHETIC).gain
    forecast = plan.forecast.forecast
    raw_columns = {"raw_plug_in": np.nan, "raw_truth": np.nan}
    if raw:
        raw_columns = {"raw_plug_in": raw_plan.totals()["expected_incremental_profit"],
                       "raw_truth": _truth(raw_plan, gain)}
    return {**raw_columns, "cal_plug_in": plan.totals()["expected_incremental_profit"], "cal_truth": _truth(plan, gain),
            "forecast": forecast.estimate, "low": forecast.ci_low, "high": forecast.ci_high, "seed": seed}


def _mean_se(values: np.ndarray) -> str:
    if len(values) < 2:
        return f"{values.mean():.2f}"
    return f"{values.mean():.2f} ± {values.std(ddof=1) / np.sqrt(len(values)):.2f}"


def run_synthetic(args: argparse.Namespace) -> None:
    print(f"base models: {args.base}; calibration: {args.method}, cv={args.cv}, n_repeats={args.n_repeats or 'none'}; "
          f"new population {N_NEW:,} customers; seeds from {args.first_seed}")
    print("| learner | training rows | repetitions | raw plug-in / truth | calibrated plug-in / truth | "
          "forecast / truth | 95% interval covers truth | binomial range at 95% | interval half-width / truth | "
          "true profit raw → calibrated plan | seconds per repetition |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.n:
        for name in args.learners:
            started, rows = time.perf_counter(), []
            for seed in range(args.first_seed, args.first_seed + args.repeats):
                rows.append(synthetic_repeat(name, args.base, n, seed, args.cv, args.method, args.n_repeats,
                                             not args.no_raw))
                if time.perf_counter() - started > args.seconds:
                    break
            seconds = (time.perf_counter() - started) / len(rows)
            table = {key: np.array([row[key] for row in rows]) for key in rows[0]}
            covered = (table["low"] <= table["cal_truth"]) & (table["cal_truth"] <= table["high"])
            reps = len(rows)
            low, high = stats.binom.ppf([0.025, 0.975], reps, 0.95) / reps
            half = (table["high"] - table["low"]) / 2 / table["cal_truth"]
            print(f"| {name} | {n:,} | {reps} | {_mean_se(table['raw_plug_in'] / table['raw_truth'])} | "
                  f"{_mean_se(table['cal_plug_in'] / table['cal_truth'])} | "
                  f"{_mean_se(table['forecast'] / table['cal_truth'])} | "
                  f"{covered.mean():.2f} ({covered.sum()}/{reps}) | "
                  f"{low:.2f}–{high:.2f} | {np.median(half):.2f} | {table['raw_truth'].mean():,.0f} → "
                  f"{table['cal_truth'].mean():,.0f} | {seconds:.1f} |", flush=True)
            if args.rows:
                with open(args.rows, "a") as out:
                    for row in rows:
                        out.write(",".join([name, str(n), str(args.n_repeats), str(args.cv)]
                                           + [f"{row[key]:.9g}" for key in ROW_COLUMNS[4:]]) + "\n")


ROW_COLUMNS = ["learner", "n", "n_repeats", "cv", "cal_plug_in", "cal_truth", "forecast", "high", "low",
               "raw_plug_in", "raw_truth", "seed"]


def _read_rows(path: str) -> dict[tuple[str, int], dict[int, dict[str, float]]]:
    """``--rows`` CSV: (learner, n) -> seed -> that repetition's numbers."""
    table: dict[tuple[str, int], dict[int, dict[str, float]]] = {}
    for line in Path(path).read_text().splitlines():
        values = dict(zip(ROW_COLUMNS, line.split(","), strict=True))
        numbers = {key: float(value) for key, value in values.items() if key != "learner"}
        table.setdefault((values["learner"], int(numbers["n"])), {})[int(numbers["seed"])] = numbers
    return table


def _coverage(table: dict[str, np.ndarray]) -> np.ndarray:
    return (table["low"] <= table["cal_truth"]) & (table["cal_truth"] <= table["high"])


def _mean_z(table: dict[str, np.ndarray]) -> str:
    """Mean of (forecast - truth) / SE, the SE read back from the 95% interval: about 0 ± 1/sqrt(n) if honest."""
    z = (table["forecast"] - table["cal_truth"]) / ((table["high"] - table["low"]) / (2 * stats.norm.ppf(0.975)))
    return _mean_se(z)


def _ratio_of_sums(table: dict[str, np.ndarray]) -> str:
    return f"{table['forecast'].sum() / table['cal_truth'].sum():.2f}"


def run_summary(args: argparse.Namespace) -> None:
    """Before versus after on the seeds both runs reached (paired: same training sets and customers)."""
    before, after = _read_rows(args.before), _read_rows(args.after)
    print("| learner | training rows | paired repetitions | raw plug-in / truth | forecast / truth before → after | "
          "Σ forecast / Σ truth before → after | "
          "interval covers truth before → after | binomial range at 95% | interval half-width / truth before → after "
          "| mean z before → after | true profit of the calibrated plan before → after |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in sorted(set(before) & set(after), key=lambda item: (item[1], item[0])):
        seeds = sorted(set(before[key]) & set(after[key]))
        if not seeds:
            continue
        old, new = ({column: np.array([rows[seed][column] for seed in seeds]) for column in ROW_COLUMNS[1:]}
                    for rows in (before[key], after[key]))
        reps = len(seeds)
        low, high = stats.binom.ppf([0.025, 0.975], reps, 0.95) / reps
        covered_old, covered_new = _coverage(old), _coverage(new)
        half_old, half_new = ((table["high"] - table["low"]) / 2 / table["cal_truth"] for table in (old, new))
        print(f"| {key[0]} | {key[1]:,} | {reps} | {_mean_se(old['raw_plug_in'] / old['raw_truth'])} | "
              f"{_mean_se(old['forecast'] / old['cal_truth'])} → {_mean_se(new['forecast'] / new['cal_truth'])} | "
              f"{_ratio_of_sums(old)} → {_ratio_of_sums(new)} | "
              f"{covered_old.sum()}/{reps} → {covered_new.sum()}/{reps} | {low:.2f}–{high:.2f} | "
              f"{np.median(half_old):.2f} → {np.median(half_new):.2f} | {_mean_z(old)} → {_mean_z(new)} | "
              f"{old['cal_truth'].mean():,.0f} → {new['cal_truth'].mean():,.0f} |")


def run_public(args: argparse.Namespace) -> None:
    data_sets = [("Hillstrom (Womens vs none, visit)", lambda: load_hillstrom(outcome="visit", arms="womens"),
                  Economics(value=2.0, contact_cost=0.05))]
    starbucks = Path(args.data) / "starbucks"
    if starbucks.is_dir():
        data_sets.append(("Starbucks (train file, purchase)", lambda: load_starbucks(path=starbucks),
                          Economics(value=10.0, contact_cost=0.15)))
    print("| data set | learner | split | holdout rows | contacts | raw plug-in | calibrated plug-in | "
          "forecast [95% CI] | holdout AIPW [95% CI] | z (forecast − holdout) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for title, load, economics in data_sets:
        if args.datasets and not any(word.lower() in title.lower() for word in args.datasets):
            continue
        data = load()
        X, y = data.X, np.asarray(data.y, dtype=np.float64)
        # arms as 0 (control), 1, ...: the default learners need no control_value then
        labels = [data.control_value, *sorted(set(np.asarray(data.treatment).tolist()) - {data.control_value})]
        codes = {label: code for code, label in enumerate(labels)}
        treatment = np.array([codes[value] for value in np.asarray(data.treatment).tolist()])
        for name in args.learners:
            for split in range(args.splits):
                rng = np.random.default_rng(split)
                half = rng.permutation(len(y)) < len(y) // 2
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    learner = calibrated(name, args.base, args.cv, args.method, args.n_repeats).fit(
                        X[half], y[half], treatment=treatment[half])
                    holdout = X[~half]
                    alone = make_learner(name, args.base).fit(X[half], y[half], treatment=treatment[half])
                    raw = plan_campaign(alone.predict_outcomes(holdout), economics,
                                        arms=learner.treatment_arms_)
                    plan = plan_campaign(learner.predict_outcomes(holdout), economics, arms=learner.treatment_arms_,
                                         forecast_learner=learner)
                    realised = evaluate_policy(plan, y[~half], treatment=treatment[~half], baselines=False,
                                               control_value=learner.control_value_).value
                forecast = plan.forecast.forecast
                z = (forecast.estimate - realised.estimate) / np.hypot(forecast.std_error, realised.std_error)
                print(f"| {title} | {name} | {split} | {int((~half).sum()):,} | {plan.n_contacts:,} | "
                      f"{raw.totals()['expected_incremental_profit']:,.0f} | "
                      f"{plan.totals()['expected_incremental_profit']:,.0f} | {forecast.estimate:,.0f} "
                      f"[{forecast.ci_low:,.0f}, {forecast.ci_high:,.0f}] | {realised.estimate:,.0f} "
                      f"[{realised.ci_low:,.0f}, {realised.ci_high:,.0f}] | {z:+.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["synthetic", "public", "summary"])
    parser.add_argument("--learners", nargs="+", default=["S", "T", "X", "DR", "R"])
    parser.add_argument("--n", nargs="+", type=int, default=[10_000, 60_000])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=600.0, help="time budget per configuration")
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--datasets", nargs="*", default=None, help="public: only these (hillstrom, starbucks)")
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--n-repeats", type=int, default=3,
                        help="CalibratedLearner(n_repeats=); 0: do not pass it (the code before n_repeats)")
    parser.add_argument("--first-seed", type=int, default=0, help="synthetic: seed of the first repetition")
    parser.add_argument("--no-raw", action="store_true", help="synthetic: skip the raw learner (its columns: nan)")
    parser.add_argument("--rows", default=None, help="synthetic: append every repetition's numbers to this CSV")
    parser.add_argument("--method", default="isotonic", choices=["isotonic", "linear"])
    parser.add_argument("--base", default="default", choices=["default", "light"],
                        help="default: the package's XGBoost base models; light: logistic/linear")
    parser.add_argument("--before", help="summary: --rows CSV of the run before")
    parser.add_argument("--after", help="summary: --rows CSV of the run after")
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    args = parser.parse_args()
    if args.what == "synthetic":
        run_synthetic(args)
    elif args.what == "summary":
        run_summary(args)
    else:
        run_public(args)


if __name__ == "__main__":
    main()
