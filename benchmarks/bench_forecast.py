"""Is the plan's profit forecast honest? Forecast versus truth before and after calibration.

Usage::

    python benchmarks/bench_forecast.py synthetic --n 10000 60000 --seconds 240   # every learner
    python benchmarks/bench_forecast.py synthetic --base light --learners T S --n 10000 --repeats 200
    python benchmarks/bench_forecast.py public --splits 3                            # Hillstrom, Starbucks
    python benchmarks/bench_forecast.py public --learners S T --splits 8 --first-split 4 > p.md  # splits 4-11
    python benchmarks/bench_forecast.py public-summary --rows p.md q.md   # z against the halves' own share
    python benchmarks/bench_forecast.py synthetic --learners T --n 10000 --cv 3 --n-repeats 3 --no-raw --rows after.csv
    python benchmarks/bench_forecast.py summary --before before.csv --after after.csv  # paired on common seeds
    # two processes on disjoint seeds, then fold maps vs all-rows maps of the same fits:
    python benchmarks/bench_forecast.py synthetic --learners T --n 10000 --no-raw --rows a.csv --first-seed 0 &
    python benchmarks/bench_forecast.py synthetic --learners T --n 10000 --no-raw --rows b.csv --first-seed 1000 &
    python benchmarks/bench_forecast.py summary --rows a.csv b.csv
    python benchmarks/bench_forecast.py current --rows a.csv b.csv c.csv  # one row per learner and size
    # Starbucks-shaped data with known truth (StarbucksWorld): independent draws, then the public protocol on one
    # draw (its rows gain the plan's true profit), then whether a fold's own outcomes steer its selection:
    python benchmarks/bench_forecast.py synthetic --world starbucks --learners T --n 42267 --no-raw --rows w.csv
    python benchmarks/bench_forecast.py public --datasets starbucks-world --world-sample 1 --learners T --splits 6
    python benchmarks/bench_forecast.py world-folds --learners T --n 42267 --first-seed 11 --repeats 2
    python benchmarks/bench_forecast.py world-truth   # why the world's truth is the shallow T-learner
    python benchmarks/bench_forecast.py world-errors --learners T --n 42267 --repeats 30  # where the excess sits
    python benchmarks/bench_forecast.py world-errors --rows e0.md e30.md   # the spreads of two runs pooled
    python benchmarks/bench_forecast.py world-refits --learners T --n 42267 --repeats 2   # refits cannot see it
    python benchmarks/bench_forecast.py synthetic --world starbucks --world-scale 4 --learners T --n 42267 --no-raw
    python benchmarks/bench_forecast.py synthetic --world starbucks --world-draw without --learners T --n 42267 --no-raw
    python benchmarks/bench_forecast.py world-blocks --learners T --n 42267 --repeats 30 > b.md   # block refits
    python benchmarks/bench_forecast.py world-blocks --rows b.md   # do their products hold the covariance?
    python benchmarks/bench_forecast.py synthetic --world starbucks --learners T --n 42267 --no-raw --forecast-blocks 5

``--n-repeats 0`` runs ``CalibratedLearner`` without the argument (for a checkout before it), so that
the same script and seeds measure the code before and after.

Every repetition plans the same new customers with two predictors of the same fit: the learner's
own (``predict_outcomes``: each repeat's first-fold model through the all-rows maps,
``calibration_maps_``; the ``all_*`` columns of ``--rows``) and the exact match of a training row's
predictor (each model through the map fitted without its fold, ``fold_maps_``; the ``cal_*``,
``forecast``, ``low``, ``high`` columns). Both plans are forecast from the same cross-fit, so the
comparison is paired and costs one fit (``summary --rows`` tabulates both). The CSVs written while
``predict`` used the fold maps (the morning of 2026-11-30) have the same columns with the same meaning. ``--n-jobs``
(default 1) goes to the learners' XGBoost models: on a 2-core machine one thread is fastest.

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
``--datasets`` picks by key: ``hillstrom`` and ``starbucks`` (the default), ``starbucks-test`` (halves of the
test file, an independent sample of the same experiment), ``starbucks-cross`` (fitted on a half of the train
file, planned and measured on the whole test file: training and holdout rows from separate samples) and
``lenta`` (the 50,000-row Lenta sample; an SMS is worth a response at ``LENTA_VALUE``, ``LENTA_CONTACT`` per SMS).
The last column is the split's own share of the discrepancy: the training half's average effect minus
the holdout half's, in its standard error (no model involved); a plan that contacts most customers
is forecast from the one and measured on the other, so its z follows this one.
"""

from __future__ import annotations

import argparse
import inspect
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy import stats
from xgboost import XGBClassifier

from uplift.campaign import Economics, evaluate_policy, plan_campaign, score_profit
from uplift.campaign._forecast import _corrections, training_decisions
from uplift.datasets import load_hillstrom, load_lenta_sample, load_starbucks, make_uplift_classification
from uplift.learners import CalibratedLearner, DRLearner, RLearner, SLearner, TLearner, XLearner

SYNTHETIC = Economics(value=30.0, contact_cost=[0.05, 0.05, 0.10], conversion_cost=[0.0, 2.0, 4.0])
N_NEW = 20_000
#: Lenta's economics (ours: the data set states none): a response worth 10, an SMS costing 0.10, so a
#: customer is worth an SMS when it lifts their response by more than 1 point (the average lift is 0.9): the plan
#: must pick, as on Starbucks
LENTA_VALUE, LENTA_CONTACT = 10.0, 0.10
#: ``CalibratedLearner``'s own default, so that the bench follows the library
LIBRARY_REPEATS: int = inspect.signature(CalibratedLearner).parameters["n_repeats"].default


def make_learner(name: str, base: str, n_jobs: int | None = 1):
    if base == "light":
        from sklearn.linear_model import LinearRegression, LogisticRegression

        outcome, effect = LogisticRegression(), LinearRegression()
        return {"S": SLearner(outcome, interactions=True), "T": TLearner(outcome),
                "X": XLearner(outcome, effect_model=effect), "DR": DRLearner(outcome, effect_model=effect),
                "R": RLearner(outcome, effect_model=effect)}[name]
    kind = {"S": SLearner, "T": TLearner, "X": XLearner, "DR": DRLearner, "R": RLearner}[name]
    return kind(random_state=0, n_jobs=n_jobs)


def _truth(plan, gain: np.ndarray) -> float:
    chosen = plan.arm > 0
    return float(gain[chosen, plan.arm[chosen] - 1].sum())


def calibrated(name: str, base: str, cv: int, method: str, n_repeats: int, n_jobs: int | None = 1,
               forecast_blocks: int = 0) -> CalibratedLearner:
    """``CalibratedLearner`` of the learner; ``n_repeats=0``: without the argument (for the code before it);
    ``forecast_blocks`` only when not 0 (likewise)."""
    extra = {} if n_repeats == 0 else {"n_repeats": n_repeats}
    if forecast_blocks:
        extra["forecast_blocks"] = forecast_blocks
    return CalibratedLearner(make_learner(name, base, n_jobs), method=method, cv=cv, **extra)


def mapped_outcomes(learner: CalibratedLearner, X: np.ndarray, maps_per_model) -> np.ndarray:
    """What ``learner.predict_outcomes(X)`` computes, with the calibration maps of each model given:
    ``maps_per_model[r]`` (one map per arm) applied to ``learner.estimators_[r]``'s effects minus its level
    (``effect_levels_[r]``), averaged,
    bounded into probabilities as the learner does for a binary outcome."""
    control = np.mean([np.asarray(model.predict_outcomes(X))[:, 0] for model in learner.estimators_], axis=0)
    levels = learner.effect_levels_ or [0.0] * len(learner.estimators_)  # the maps take centred effects
    effects = np.mean([np.column_stack([mapping(np.asarray(model.predict(X)).reshape(len(X), -1) - level)
                                        for mapping in maps])
                       for model, maps, level in zip(learner.estimators_, maps_per_model, levels, strict=True)],
                      axis=0)
    control = np.clip(control, 0.0, 1.0)
    effects = np.clip(effects, -control[:, None], 1.0 - control[:, None])
    return np.column_stack([control, control[:, None] + effects])


def fold_map_outcomes(learner: CalibratedLearner, frame, own: np.ndarray) -> np.ndarray:
    """The alternative predictor of the same fit: every model through the map fitted without its fold
    (``fold_maps_``). Checks first that :func:`mapped_outcomes` reproduces ``own`` (the learner's
    ``predict_outcomes(frame)``) with the all-rows ``calibration_maps_``."""
    X = learner._check_X(frame)  # the fold models were fitted on the learner's encoded array
    np.testing.assert_allclose(mapped_outcomes(learner, X, [learner.calibration_maps_] * len(learner.estimators_)),
                               own, rtol=0, atol=1e-9)
    return mapped_outcomes(learner, X, learner.fold_maps_)


def world_truth_model() -> TLearner:
    """The model whose outcome probabilities are :class:`StarbucksWorld`'s truth: a T-learner of shallow boosted
    trees (``world-truth`` shows why this one)."""
    return TLearner(XGBClassifier(max_depth=3, n_estimators=150, learning_rate=0.05, min_child_weight=20, n_jobs=1,
                                  random_state=0))


class StarbucksWorld:
    """Starbucks-shaped data with known truth: the customers of both Starbucks files (126,184, drawn with
    replacement), a promotion at random to half of them, and a purchase drawn from outcome probabilities
    fitted once on all of them by a T-learner of shallow boosted trees (depth 3, 150 trees, learning rate
    0.05, at least 20 customers' weight a leaf; clipped into [1e-4, 1 - 1e-4]). ``scale`` multiplies those
    probabilities and the promotion's cost alike (``--world-scale``): the same customers are worth a
    promotion, with an outcome ``scale`` times as common. Fitted on the train file
    alone, that model's plan claims $945 on the test file and earns $663 [75, 1,250] there by AIPW; the
    default T-learner's claims $1,434 (its effects hold its noise) and the calibrated one's $459, a truth
    so flat that the plans learned in it earned little (``world-truth``; docs/benchmarks.md). It keeps
    what makes the public data hard: a purchase rate near 1%, an average effect of about 1 point against
    a break-even of 1.5 at $10 per purchase and $0.15 per promotion, so that the plan picks a minority,
    and an effect surface of the kind the learners find there."""

    economics = Economics(value=10.0, contact_cost=0.15)

    def __init__(self, data_dir: Path, scale: float = 1.0, replace: bool = True) -> None:
        files = [load_starbucks(split=split, path=data_dir / "starbucks") for split in ("train", "test")]
        self.X = pd.concat([data.X for data in files], ignore_index=True)
        y = np.concatenate([np.asarray(data.y, dtype=np.float64) for data in files])
        treatment = np.concatenate([(np.asarray(data.treatment) != data.control_value).astype(int)
                                    for data in files])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            truth = world_truth_model().fit(self.X, y, treatment=treatment)
        mu = np.asarray(truth.predict_outcomes(self.X), dtype=np.float64) * scale
        if mu.max() >= 1.0:
            raise ValueError(f"scale={scale} puts an outcome probability at {mu.max():.2f}; use a smaller scale")
        self.mu = np.clip(mu, 1e-4, 1 - 1e-4)
        # the promotion's price scales with the outcome, so that the same customers are worth it
        self.economics = Economics(value=10.0, contact_cost=0.15 * scale)
        self.replace = replace

    def draw(self, n: int, seed: int) -> SimpleNamespace:
        """``n`` customers with their promotion, purchase and true outcome probabilities ``mu``; drawn with
        replacement (a customer may appear twice, with outcomes of their own) unless ``replace=False``."""
        rng = np.random.default_rng(seed)
        if self.replace:
            rows = rng.integers(0, len(self.X), n)
        else:
            if n > len(self.X):
                raise ValueError(f"cannot draw {n:,} of {len(self.X):,} customers without replacement")
            rows = rng.permutation(len(self.X))[:n]
        treatment = rng.integers(0, 2, n)
        mu = self.mu[rows]
        y = (rng.random(n) < mu[np.arange(n), treatment]).astype(np.float64)
        return SimpleNamespace(X=self.X.iloc[rows].reset_index(drop=True), y=y, treatment=treatment, mu=mu,
                               control_value=0)

    def describe(self) -> str:
        gain = score_profit(self.mu, self.economics).gain[:, 0]
        rates = f"{self.mu[:, 0].mean():.4f} without and {self.mu[:, 1].mean():.4f} with the promotion"
        return (f"Starbucks world: {len(self.X):,} customers, promotion cost {self.economics.contact_cost:g}, "
                f"purchase rate {rates}; {np.mean(gain > 0):.1%} worth a promotion, the best plan earns "
                f"{gain[gain > 0].sum() / len(gain):.4f} per customer")


def synthetic_repeat(name: str, base: str, n: int, seed: int, cv: int, method: str, n_repeats: int,
                     raw: bool, n_jobs: int | None = 1, world: StarbucksWorld | None = None,
                     forecast_blocks: int = 0) -> dict:
    """One repetition: one fit, the plan of the fold-map predictor (``cal_*``, ``forecast``, ``low``,
    ``high``) and of the learner's own, all-rows-map predictor of the same fit (``all_*``), each with its
    forecast (the same cross-fit, so the same correction rule), and the raw learner's plan if ``raw``.
    With a ``world``, its draws (``n`` training rows and as many new customers) and economics replace the
    3-arm campaign's."""
    started = time.perf_counter()
    if world is None:
        train = make_uplift_classification(n, 6, n_arms=3, random_state=seed)
        new = make_uplift_classification(N_NEW, 6, n_arms=3, random_state=1_000_000 + seed)
        economics = SYNTHETIC
    else:
        train, new, economics = world.draw(n, seed), world.draw(n, 1_000_000 + seed), world.economics
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # poor-overlap notes of estimated propensities, empty plans
        learner = calibrated(name, base, cv, method, n_repeats, n_jobs, forecast_blocks).fit(
            train.X, train.y, treatment=train.treatment)
        own = learner.predict_outcomes(new.X)
        plan = plan_campaign(fold_map_outcomes(learner, new.X, own), economics, forecast_learner=learner)
        all_rows = plan_campaign(own, economics, forecast_learner=learner)
        if raw:
            alone = make_learner(name, base, n_jobs).fit(train.X, train.y, treatment=train.treatment)
            raw_plan = plan_campaign(alone.predict_outcomes(new.X), economics)
    gain = score_profit(new.mu, economics).gain
    forecast, all_forecast = plan.forecast.forecast, all_rows.forecast.forecast
    oracle = oracle_correction(all_rows, learner, score_profit(train.mu, economics).gain)
    raw_columns = {"raw_plug_in": np.nan, "raw_truth": np.nan}
    if raw:
        raw_columns = {"raw_plug_in": raw_plan.totals()["expected_incremental_profit"],
                       "raw_truth": _truth(raw_plan, gain)}
    return {**raw_columns, "cal_plug_in": plan.totals()["expected_incremental_profit"], "cal_truth": _truth(plan, gain),
            "forecast": forecast.estimate, "low": forecast.ci_low, "high": forecast.ci_high, "seed": seed,
            "all_plug_in": all_rows.totals()["expected_incremental_profit"], "all_truth": _truth(all_rows, gain),
            "all_forecast": all_forecast.estimate, "all_low": all_forecast.ci_low, "all_high": all_forecast.ci_high,
            "seconds": time.perf_counter() - started, **_linear_columns(plan, "lin"),
            **_linear_columns(all_rows, "all_lin"), "all_oracle": oracle,
            "inflation": plan.forecast.inflation, "all_inflation": all_rows.forecast.inflation,
            "choice": plan.forecast.model_choice_std_error, "all_choice": all_rows.forecast.model_choice_std_error,
            "blocks": plan.forecast.selection_covariance, "all_blocks": all_rows.forecast.selection_covariance}


def oracle_correction(plan, learner: CalibratedLearner, true_gain: np.ndarray) -> float:
    """What the forecast's correction estimates, computed from the true profits of the training rows:
    ``Σ_k n_k · mean(ΔΠ_i − ΔΠ̂_i | a_i = k)``, with ``ΔΠ̂`` from the out-of-fold outcomes
    (``cross_fit_.outcomes``) and ``a_i`` the plan's rule on them (``n_k`` the plan's contacts of arm ``k``).
    The forecast's correction minus this is its sampling error alone: mean 0 and the forecast's standard
    error when the correction is honest (``summary --rows`` shows it in SE units)."""
    cross_fit = learner.cross_fit_
    estimated = score_profit(cross_fit.outcomes, plan.economics, arms=plan.arm_labels)
    decision = training_decisions(estimated, plan.solution)
    total = 0.0
    for k in range(1, estimated.n_arms + 1):
        members = decision == k
        if members.any():
            error = true_gain[members, k - 1] - estimated.gain[members, k - 1]
            total += int((plan.arm == k).sum()) * float(error.mean())
    return total


def linear_forecast(plan, n_customers: int) -> tuple[float, float]:
    """The forecast with the correction scaled by the *training rows'* share given each arm, not by the
    plan's contacts: plug-in + ``N · mean_i(Σ_k 1{a_i = k} c_i)`` over all training rows (``N`` the plan's
    customers), and its standard error. Read back from the forecast's per-arm table
    (``correction_k = n_k · mean(c | a = k)``, ``std_error_k = n_k · sd(c | a = k) / sqrt(m_k)``).
    A check of one explanation of a forecast that runs high: ``n_k · mean(c | a = k)`` couples this
    fit's plan size to the rows' error per contact (see docs/benchmarks.md)."""
    table, result = plan.forecast.per_arm, plan.forecast
    n_train = result.n_training
    contacts, rows = table["contacts"].to_numpy(float), table["training_rows"].to_numpy(float)
    used = (contacts > 0) & (rows > 0)
    mean = np.where(used, table["correction"].to_numpy(float) / np.maximum(contacts, 1), 0.0)
    sd = np.where(used, table["std_error"].to_numpy(float) / np.maximum(contacts, 1) * np.sqrt(rows), 0.0)
    share = rows / n_train
    correction = n_customers * float((share * mean).sum())
    second = float((share * (sd**2 * (rows - 1) / np.maximum(rows, 1) + mean**2)).sum())  # E[(Σ_k 1{a=k} c)²]
    variance = max(second - float((share * mean).sum()) ** 2, 0.0)
    return result.plug_in + correction, n_customers * np.sqrt(variance / n_train)


def _linear_columns(plan, prefix: str) -> dict[str, float]:
    estimate, std_error = linear_forecast(plan, len(plan.arm))
    return {f"{prefix}_forecast": estimate, f"{prefix}_se": std_error}


def _mean_se(values: np.ndarray) -> str:
    if len(values) < 2:
        return f"{values.mean():.2f}"
    return f"{values.mean():.2f} ± {values.std(ddof=1) / np.sqrt(len(values)):.2f}"


def run_synthetic(args: argparse.Namespace) -> None:
    print(f"base models: {args.base}; calibration: {args.method}, cv={args.cv}, n_repeats={args.n_repeats or 'none'}; "
          f"n_jobs={args.n_jobs}; new population "
          f"{'as many as the training rows' if args.world == 'starbucks' else f'{N_NEW:,}'} customers; "
          f"seeds from {args.first_seed}")
    print("| learner | training rows | repetitions | raw plug-in / truth | calibrated plug-in / truth | "
          "forecast / truth | 95% interval covers truth | binomial range at 95% | interval half-width / truth | "
          "true profit raw → calibrated plan | seconds per repetition |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    if args.rows and len(args.rows) > 1:
        raise SystemExit("synthetic writes one --rows CSV; give one path")
    world = None
    if args.world == "starbucks":
        world = StarbucksWorld(Path(args.data), args.world_scale, args.world_draw == "with")
    if world is not None:
        print(world.describe(), flush=True)
    for n in args.n:
        for name in args.learners:
            started, rows = time.perf_counter(), []
            for seed in range(args.first_seed, args.first_seed + args.repeats):
                row = synthetic_repeat(name, args.base, n, seed, args.cv, args.method, args.n_repeats,
                                       not args.no_raw, args.n_jobs, world, args.forecast_blocks)
                rows.append(row)
                if args.rows:  # every repetition at once: a run stopped early keeps what it measured
                    with open(args.rows[0], "a") as out:
                        out.write(",".join([name, str(n), str(args.n_repeats), str(args.cv)]
                                           + [f"{row[key]:.9g}" for key in ROW_COLUMNS[4:]]) + "\n")
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


#: Columns of a ``--rows`` CSV (no header). Files written before the all-rows-map columns have the first 12, those
#: written before the forecast widened its interval for the maps' noise (2026-11-30, late) all but the last 4,
#: those written before ``forecast_blocks`` (2026-12-02) all but the last 2.
ROW_COLUMNS = ["learner", "n", "n_repeats", "cv", "cal_plug_in", "cal_truth", "forecast", "high", "low",
               "raw_plug_in", "raw_truth", "seed", "all_plug_in", "all_truth", "all_forecast", "all_high", "all_low",
               "seconds", "lin_forecast", "lin_se", "all_lin_forecast", "all_lin_se", "all_oracle", "inflation",
               "all_inflation", "choice", "all_choice", "blocks", "all_blocks"]

Key = tuple[str, int, int, int]  # learner, training rows, cv, n_repeats


def _read_rows(paths: list[str], by_setting: bool = False) -> dict[Key, dict[int, dict[str, float]]]:
    """``--rows`` CSVs: (learner, n, cv, n_repeats) -> seed -> that repetition's numbers (cv and n_repeats
    as 0 unless ``by_setting``: the before/after summary pairs files of one setting each). A seed
    found twice keeps its first row."""
    table: dict[Key, dict[int, dict[str, float]]] = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            fields = line.split(",")
            values = dict(zip(ROW_COLUMNS, fields, strict=False))
            numbers = {key: float(values.get(key, "nan")) for key in ROW_COLUMNS if key != "learner"}
            setting = (int(numbers["cv"]), int(numbers["n_repeats"])) if by_setting else (0, 0)
            key = (values["learner"], int(numbers["n"]), *setting)
            table.setdefault(key, {}).setdefault(int(numbers["seed"]), numbers)
    return table


def _columns(rows: dict[int, dict[str, float]], seeds: list[int]) -> dict[str, np.ndarray]:
    return {column: np.array([rows[seed][column] for seed in seeds]) for column in ROW_COLUMNS[1:]}


def _coverage(table: dict[str, np.ndarray]) -> np.ndarray:
    return (table["low"] <= table["cal_truth"]) & (table["cal_truth"] <= table["high"])


def _z(table: dict[str, np.ndarray]) -> np.ndarray:
    """(forecast - truth) / SE, the SE read back from the 95% interval: mean about 0 ± 1/sqrt(n) if honest."""
    return (table["forecast"] - table["cal_truth"]) / ((table["high"] - table["low"]) / (2 * stats.norm.ppf(0.975)))


def _mean_z(table: dict[str, np.ndarray]) -> str:
    return _mean_se(_z(table))


def _ratio_of_sums(table: dict[str, np.ndarray]) -> str:
    return f"{table['forecast'].sum() / table['cal_truth'].sum():.2f}"


def _variant(table: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """The columns of one predictor under the names of the fold-map one (``cal_truth``, ``forecast``...);
    ``lin`` / ``all_lin``: with the linear-share correction (:func:`linear_forecast`)."""
    half = stats.norm.ppf(0.975)
    if prefix == "cal":
        return table
    if prefix == "lin":
        return {**table, "forecast": table["lin_forecast"], "low": table["lin_forecast"] - half * table["lin_se"],
                "high": table["lin_forecast"] + half * table["lin_se"]}
    one = {**table, "cal_plug_in": table["all_plug_in"], "cal_truth": table["all_truth"],
           "forecast": table["all_forecast"], "low": table["all_low"], "high": table["all_high"]}
    if prefix == "all_lin":
        one.update(forecast=table["all_lin_forecast"], low=table["all_lin_forecast"] - half * table["all_lin_se"],
                   high=table["all_lin_forecast"] + half * table["all_lin_se"])
    return one


def run_variants(args: argparse.Namespace) -> None:
    """Fold maps (the learner's predictor) against all-rows maps, on the same fits (paired), per setting."""
    table = _read_rows(args.rows, by_setting=True)
    print("| learner | training rows | cv × repeats | repetitions | maps of the plan | plug-in / truth | "
          "forecast / truth | median forecast / truth | Σ forecast / Σ truth | mean forecast − truth | "
          "interval covers truth | "
          "binomial range at 95% | mean z | interval half-width / truth | true profit of the plan | "
          "true profit fold − all-rows (paired) | correction − oracle, in SE | seconds per repetition |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in sorted(table, key=lambda item: (item[1], ["T", "DR", "S", "X", "R"].index(item[0])
                                               if item[0] in ("T", "DR", "S", "X", "R") else 9, item[2:])):
        variants = [("fold maps", "cal", "all_truth"), ("all-rows maps (predict)", "all", "all_truth"),
                    ("fold, share-scaled correction", "lin", "lin_forecast"),
                    ("all rows, share-scaled correction", "all_lin", "lin_forecast")]
        for label, prefix, needed in variants:
            # the repetitions that measured this variant (older --rows files lack the later columns)
            seeds = sorted(seed for seed, row in table[key].items() if np.isfinite(row[needed]))
            both = _columns(table[key], seeds)
            # a plan that contacts nobody has no interval and nothing to measure (as in ``current``)
            planned = _variant(both, prefix)
            kept = planned["high"] > planned["low"]
            both = {column: values[kept] for column, values in both.items()}
            reps = int(kept.sum())
            if not reps:
                continue
            low, high = stats.binom.ppf([0.025, 0.975], reps, 0.95)
            gap = both["cal_truth"] - both["all_truth"]
            one = _variant(both, prefix)
            covered = _coverage(one)
            ratio = one["forecast"] / one["cal_truth"]
            half = (one["high"] - one["low"]) / 2 / one["cal_truth"]
            error = one["forecast"] - one["cal_truth"]
            paired = f"{gap.mean():+,.0f} ± {gap.std(ddof=1) / np.sqrt(reps):,.0f}" if prefix == "cal" and reps > 1 \
                else ""
            sampling = ""
            if prefix == "all" and np.isfinite(both["all_oracle"]).all():  # the correction's own error, in SE
                z = ((both["all_forecast"] - both["all_plug_in"] - both["all_oracle"])
                     / ((both["all_high"] - both["all_low"]) / (2 * stats.norm.ppf(0.975))))
                sampling = f"{_mean_se(z)} (sd {z.std(ddof=1):.2f})"
            print(f"| {key[0]} | {key[1]:,} | {key[2]} × {key[3]} | {reps} | {label} | "
                  f"{_mean_se(one['cal_plug_in'] / one['cal_truth'])} | {_mean_se(ratio)} | {np.median(ratio):.2f} | "
                  f"{_ratio_of_sums(one)} | {error.mean():+,.0f} ± {error.std(ddof=1) / np.sqrt(reps):,.0f} | "
                  f"{covered.sum()}/{reps} | {low:.0f}–{high:.0f} | {_mean_z(one)} | "
                  f"{np.median(half):.2f} | {one['cal_truth'].mean():,.0f} | {paired} | {sampling} | "
                  f"{np.nanmean(both['seconds']):.0f} |")


def run_summary(args: argparse.Namespace) -> None:
    """Before versus after on the seeds both runs reached (paired: same training sets and customers), for the
    learner's own predictor (``all_*`` columns; the fold maps' for files written before those columns), with the
    paired change of the plan's true profit; with ``--rows`` instead: fold maps versus all-rows maps of the same
    fits (:func:`run_variants`)."""
    if args.rows:
        run_variants(args)
        return
    before, after = _read_rows(args.before), _read_rows(args.after)
    print("| learner | training rows | paired repetitions | plan | raw plug-in / truth | "
          "forecast / truth before → after | Σ forecast / Σ truth before → after | "
          "interval covers truth before → after | binomial range at 95% | interval half-width / truth before → after "
          "| mean z before → after | true profit of the calibrated plan before → after | paired change | "
          "SE inflation after: mean (max) | model-choice SE / SE after: mean (max) |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in sorted(set(before) & set(after), key=lambda item: (item[1], item[0])):
        seeds = sorted(set(before[key]) & set(after[key]))
        if not seeds:
            continue
        old, new = (_columns(rows, seeds) for rows in (before[key], after[key]))
        # the learner's own predictor (all-rows maps) where both runs recorded it, else the fold maps (older files)
        own = np.isfinite(old["all_truth"]).all() and np.isfinite(new["all_truth"]).all()
        if own:
            old, new = _variant(old, "all"), _variant(new, "all")
        reps = len(seeds)
        low, high = stats.binom.ppf([0.025, 0.975], reps, 0.95) / reps
        covered_old, covered_new = _coverage(old), _coverage(new)
        half_old, half_new = ((table["high"] - table["low"]) / 2 / table["cal_truth"] for table in (old, new))
        change = new["cal_truth"] - old["cal_truth"]
        spread = change.std(ddof=1) / np.sqrt(reps) if reps > 1 else float("nan")
        print(f"| {key[0]} | {key[1]:,} | {reps} | {'predict (all-rows maps)' if own else 'fold maps'} | "
              f"{_mean_se(old['raw_plug_in'] / old['raw_truth'])} | "
              f"{_mean_se(old['forecast'] / old['cal_truth'])} → {_mean_se(new['forecast'] / new['cal_truth'])} | "
              f"{_ratio_of_sums(old)} → {_ratio_of_sums(new)} | "
              f"{covered_old.sum()}/{reps} → {covered_new.sum()}/{reps} | {low:.2f}–{high:.2f} | "
              f"{np.median(half_old):.2f} → {np.median(half_new):.2f} | {_mean_z(old)} → {_mean_z(new)} | "
              f"{old['cal_truth'].mean():,.0f} → {new['cal_truth'].mean():,.0f} | "
              f"{change.mean():+,.0f} ± {spread:,.0f} | {_inflation(new, own)} | {_choice_share(new, own)} |")


def run_current(args: argparse.Namespace) -> None:
    """One row per learner and training size, every ``--rows`` file pooled (the first row of a seed wins): the
    raw learner's plan before calibration against the learner's own calibrated predictor and its honest forecast.
    Only rows that recorded the model-choice term (written by the current forecast) count, and only plans that
    contacted someone."""
    table = _read_rows(args.rows)
    print("| learner | training rows | repetitions | raw plan: plug-in / truth | forecast / truth | "
          "Σ forecast / Σ truth | interval covers truth | binomial range at 95% | mean z (sd) | "
          "interval half-width / truth | true profit raw → calibrated plan (the raw plan's repetitions) | "
          "SE inflation (maps) | model-choice SE / SE | block covariance / SE² (max); the same seeds without it |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    order = ["S", "T", "X", "DR", "R"]
    for key in sorted(table, key=lambda item: (order.index(item[0]) if item[0] in order else 9, item[1])):
        recorded = [seed for seed, row in table[key].items() if np.isfinite(row["all_choice"])]
        # a plan that contacts nobody has a forecast of 0 with no interval and a truth of 0: nothing to measure
        seeds = sorted(seed for seed in recorded if table[key][seed]["all_high"] > table[key][seed]["all_low"])
        if not seeds:
            continue
        own = _variant(_columns(table[key], seeds), "all")
        reps = len(seeds)
        empty = f" ({len(recorded) - reps} empty plan(s) left out)" if len(recorded) > reps else ""
        low, high = stats.binom.ppf([0.025, 0.975], reps, 0.95)
        raw = np.isfinite(own["raw_truth"])
        raw_ratio = (f"{_mean_se(own['raw_plug_in'][raw] / own['raw_truth'][raw])}"
                     + ("" if raw.all() else f" ({raw.sum()} of them)")) if raw.any() else "(not run)"
        raw_profit = f"{own['raw_truth'][raw].mean():,.0f} → {own['cal_truth'][raw].mean():,.0f}" if raw.any() else ""
        z = _z(own)
        spread = f"{z.std(ddof=1) / np.sqrt(reps):.2f} ({z.std(ddof=1):.2f})" if reps > 1 else "(one repetition)"
        print(f"| {key[0]} | {key[1]:,} | {reps}{empty} | {raw_ratio} | "
              f"{_mean_se(own['forecast'] / own['cal_truth'])} | "
              f"{_ratio_of_sums(own)} | {_coverage(own).sum()}/{reps} | {low:.0f}–{high:.0f} | "
              f"{z.mean():+.2f} ± {spread} | "
              f"{np.median((own['high'] - own['low']) / 2 / own['cal_truth']):.2f} | {raw_profit} | "
              f"{_inflation(own, True)} | {_choice_share(own, True)} | {_block_share(own)} |")


def _inflation(table: dict[str, np.ndarray], own: bool) -> str:
    """Mean (max) of the bootstrap's widening of the standard error (blank for rows written before it)."""
    values = table["all_inflation" if own else "inflation"]
    return f"{np.mean(values):.3f} ({np.max(values):.2f})" if np.isfinite(values).all() else ""


def _block_share(table: dict[str, np.ndarray]) -> str:
    """Mean (max) of the block covariance over the forecast's variance, and the same repetitions without it (the
    standard error of independent rows and model choice, no maps' bootstrap): covered, z sd. Blank for rows without
    the block refits."""
    values = table["all_blocks"]
    if not np.isfinite(values).all() or not values.any():
        return ""
    variance = ((table["all_high"] - table["all_low"]) / (2 * stats.norm.ppf(0.975))) ** 2
    z = (table["all_forecast"] - table["all_truth"]) / np.sqrt(np.maximum(variance - values, 1e-12))
    return (f"{np.mean(values / variance):.2f} ({np.max(values / variance):.2f}); without it "
            f"{int(np.sum(np.abs(z) <= stats.norm.ppf(0.975)))}/{len(z)}, z sd {z.std(ddof=1):.2f}")


def _choice_share(table: dict[str, np.ndarray], own: bool) -> str:
    """Mean (max) of the model-choice standard error over the whole standard error (blank for rows without it)."""
    share = table["all_choice" if own else "choice"] / ((table["high"] - table["low"]) / (2 * stats.norm.ppf(0.975)))
    return f"{np.mean(share):.2f} ({np.max(share):.2f})" if np.isfinite(share).all() else ""


def halves_z(fit: tuple[np.ndarray, np.ndarray], held: tuple[np.ndarray, np.ndarray]) -> float:
    """The training rows' average effect (difference in means, every treated arm against control) minus the
    holdout's, in its standard error; each side is ``(y, treatment)``. How far the split alone puts the two
    apart: a plan that contacts nearly everyone is forecast from the training rows' effect and measured on the
    holdout's, so its z follows this one."""
    means, variances = [], []
    for y, treatment in (fit, held):
        treated, control = y[treatment > 0], y[treatment == 0]
        means.append(treated.mean() - control.mean())
        variances.append(treated.var(ddof=1) / len(treated) + control.var(ddof=1) / len(control))
    return float((means[0] - means[1]) / np.sqrt(sum(variances)))


def _arrays(data) -> tuple[object, np.ndarray, np.ndarray]:
    """Features, outcome as float, and arms as 0 (control), 1, ... (the default learners need no
    control_value then)."""
    labels = [data.control_value, *sorted(set(np.asarray(data.treatment).tolist()) - {data.control_value})]
    codes = {label: code for code, label in enumerate(labels)}
    arms = np.array([codes[value] for value in np.asarray(data.treatment).tolist()])
    return data.X, np.asarray(data.y, dtype=np.float64), arms


#: ``public``'s data sets by key: title, loader of the rows split in halves (or of the training file), loader of
#: a separate holdout file (None: the other half is the holdout), economics. The default runs the first two.
#: ``starbucks-world`` is one draw of :class:`StarbucksWorld` (``world_sample`` picks which), the size of the
#: train file: the public protocol on a sample whose truth is known.
def _public_sets(data_dir: Path, world_sample: int = 0) -> dict[str, tuple]:
    starbucks, lenta = data_dir / "starbucks", data_dir / "lenta"
    sets = {"hillstrom": ("Hillstrom (Womens vs none, visit)", lambda: load_hillstrom(outcome="visit", arms="womens"),
                          None, Economics(value=2.0, contact_cost=0.05))}
    if starbucks.is_dir():
        economics = Economics(value=10.0, contact_cost=0.15)
        sets["starbucks"] = ("Starbucks (train file, purchase)", lambda: load_starbucks(path=starbucks), None,
                             economics)
        sets["starbucks-test"] = ("Starbucks (test file, purchase)",
                                  lambda: load_starbucks(split="test", path=starbucks), None, economics)
        sets["starbucks-cross"] = ("Starbucks (train-file half, measured on the test file)",
                                   lambda: load_starbucks(path=starbucks),
                                   lambda: load_starbucks(split="test", path=starbucks), economics)
    if lenta.is_dir():
        sets["lenta"] = ("Lenta sample (SMS, response)", lambda: load_lenta_sample(path=lenta), None,
                         Economics(value=LENTA_VALUE, contact_cost=LENTA_CONTACT))
    if starbucks.is_dir():
        sets["starbucks-world"] = (f"Starbucks world (sample {world_sample}, 84,534 customers)",
                                   lambda: StarbucksWorld(data_dir).draw(84_534, 2_000_000 + world_sample), None,
                                   StarbucksWorld.economics)
    return sets


def run_public(args: argparse.Namespace) -> None:
    sets = _public_sets(Path(args.data), args.world_sample)
    keys = args.datasets or [key for key in ("hillstrom", "starbucks") if key in sets]
    unknown = sorted(set(keys) - set(sets))
    if unknown:
        raise SystemExit(f"--datasets: {unknown} not known or their files not under --data {args.data}; "
                         f"choose from {sorted(sets)}")
    print("| data set | learner | split | holdout rows | fold maps: contacts | raw plug-in | calibrated plug-in | "
          "forecast [95% CI] | holdout AIPW [95% CI] | z (forecast − holdout) | all-rows maps (predict): contacts | "
          "forecast [95% CI] | holdout AIPW [95% CI] | z | halves' effect difference, z | true profit (predict) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in keys:
        title, load, load_holdout, economics = sets[key]
        data = load()
        X, y, treatment = _arrays(data)
        mu = getattr(data, "mu", None)  # a world's true outcome probabilities
        separate = None if load_holdout is None else _arrays(load_holdout())
        for name in args.learners:
            for split in range(args.first_split, args.first_split + args.splits):
                rng = np.random.default_rng(split)
                half = rng.permutation(len(y)) < len(y) // 2
                fit = (X[half], y[half], treatment[half])
                held = (X[~half], y[~half], treatment[~half]) if separate is None else separate
                halves = halves_z(fit[1:], held[1:])
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    learner = calibrated(name, args.base, args.cv, args.method, args.n_repeats, args.n_jobs).fit(
                        fit[0], fit[1], treatment=fit[2])
                    holdout = held[0]
                    alone = make_learner(name, args.base, args.n_jobs).fit(fit[0], fit[1], treatment=fit[2])
                    raw = plan_campaign(alone.predict_outcomes(holdout), economics,
                                        arms=learner.treatment_arms_)
                    own = learner.predict_outcomes(holdout)
                    plans = [plan_campaign(outcomes, economics, arms=learner.treatment_arms_, forecast_learner=learner)
                             for outcomes in (fold_map_outcomes(learner, holdout, own), own)]  # fold maps, predict
                    realised = [evaluate_policy(plan, held[1], treatment=held[2], baselines=False,
                                                control_value=learner.control_value_).value for plan in plans]
                truth = "" if mu is None else f"{_truth(plans[1], score_profit(mu[~half], economics).gain):,.0f}"
                cells = []
                for plan, value in zip(plans, realised, strict=True):
                    forecast = plan.forecast.forecast
                    z = (forecast.estimate - value.estimate) / np.hypot(forecast.std_error, value.std_error)
                    cells.append(f"{forecast.estimate:,.0f} [{forecast.ci_low:,.0f}, {forecast.ci_high:,.0f}] | "
                                 f"{value.estimate:,.0f} [{value.ci_low:,.0f}, {value.ci_high:,.0f}] | {z:+.2f}")
                print(f"| {title} | {name} | {split} | {len(held[1]):,} | {plans[0].n_contacts:,} | "
                      f"{raw.totals()['expected_incremental_profit']:,.0f} | "
                      f"{plans[0].totals()['expected_incremental_profit']:,.0f} | {cells[0]} | "
                      f"{plans[1].n_contacts:,} | {cells[1]} | {halves:+.2f} | {truth} |", flush=True)


def run_world_truth(args: argparse.Namespace) -> None:
    """Which truth for :class:`StarbucksWorld`? Each candidate outcome model is fitted on the Starbucks train
    file, plans the test file's customers at the world's economics, and is measured there by AIPW: what its
    plan claims (the sum of its positive predicted profits) against what the plan earns. A candidate whose
    claim the test file contradicts, or that finds little, would make a world unlike the data."""
    starbucks = Path(args.data) / "starbucks"
    train, test = (load_starbucks(split=split, path=starbucks) for split in ("train", "test"))
    candidates = {
        "shallow T-learner (the world's truth)": world_truth_model,
        "default T-learner": lambda: TLearner(random_state=0, n_jobs=1),
        "default S-learner": lambda: SLearner(random_state=0, n_jobs=1),
        "calibrated T-learner (one cross-fit)": lambda: CalibratedLearner(TLearner(random_state=0, n_jobs=1),
                                                                          n_repeats=1),
    }
    print("| truth candidate | effect: 10th / 50th / 90th percentile | test customers contacted | plan claims | "
          "test file AIPW [95% CI] |")
    print("|---|---:|---:|---:|---:|")
    X, y, treatment = _arrays(train)
    X_test, y_test, treatment_test = _arrays(test)
    for label, make in candidates.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = make().fit(X, y, treatment=treatment)
        outcomes = np.clip(np.asarray(model.predict_outcomes(X_test), dtype=np.float64), 1e-4, 1 - 1e-4)
        plan = plan_campaign(outcomes, StarbucksWorld.economics)
        value = evaluate_policy(plan, y_test, treatment=treatment_test, baselines=False, control_value=0).value
        gain = score_profit(outcomes, StarbucksWorld.economics).gain[:, 0]
        effect = np.percentile(outcomes[:, 1] - outcomes[:, 0], [10, 50, 90])
        print(f"| {label} | {' / '.join(f'{100 * e:.2f}' for e in effect)} points | {plan.n_contacts:,} | "
              f"{gain[gain > 0].sum():,.0f} | {value.estimate:,.0f} [{value.ci_low:,.0f}, {value.ci_high:,.0f}] |",
              flush=True)


def run_world_folds(args: argparse.Namespace) -> None:
    """Is a training row's selection tied to its own outcome? In the Starbucks world (known outcome
    probabilities), per seed: fit ``CalibratedLearner(learner)`` on ``--n`` rows and, for every fold of every
    repeat, set its treated rows' own outcome noise (purchases minus their true probabilities, summed) against
    the share of them among the top 10% of treated rows by calibrated out-of-fold effect; then the mean own noise
    of the treated rows in that top 10% (z: in its standard error). Out of fold, a row's prediction never saw its
    outcome, so the top 10% should hold rows of every fold alike and their noise should average 0."""
    world = StarbucksWorld(Path(args.data), args.world_scale, args.world_draw == "with")
    for name in args.learners:
        for seed in range(args.first_seed, args.first_seed + args.repeats):
            train = world.draw(args.n[0], seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                learner = calibrated(name, args.base, args.cv, args.method, args.n_repeats, args.n_jobs).fit(
                    train.X, train.y, treatment=train.treatment)
            cross_fit, record = learner.cross_fit_, learner.cross_fit_.repeats
            rows = np.arange(len(train.y))
            noise = train.y - train.mu[rows, train.treatment]
            treated = train.treatment == 1
            effect = cross_fit.calibrated_effect[:, 0]
            top = treated & (effect >= np.quantile(effect[treated], 0.9))
            sums, shares = [], []
            for r in range(record.fold.shape[0]):
                for f in np.unique(record.fold[r]):
                    members = (record.fold[r] == f) & treated
                    sums.append(noise[members].sum())
                    shares.append(top[members].mean())
            picked = noise[top]
            z = picked.mean() / (picked.std(ddof=1) / np.sqrt(len(picked)))
            print(f"| {name} | {args.n[0]:,} | {seed} | {len(sums)} | {np.corrcoef(sums, shares)[0, 1]:+.2f} | "
                  f"{min(shares):.3f}–{max(shares):.3f} | {picked.mean():+.4f} (z {z:+.2f}) |", flush=True)


def _training_rule(learner: CalibratedLearner, plan, economics: Economics) -> tuple[object, np.ndarray, np.ndarray]:
    """The forecast's view of the training rows: their scores (from the out-of-fold outcomes), the plan's rule
    replayed on them, and each row's weight in the correction (its arm's ``n_k / m_k``; 0 off the rule)."""
    scores = score_profit(learner.cross_fit_.outcomes, economics, arms=plan.arm_labels)
    return scores, *_rule_weights(scores, plan)


def _rule_weights(scores, plan) -> tuple[np.ndarray, np.ndarray]:
    """The plan's rule replayed on ``scores`` (each row's arm, 0 for none) and each row's weight in the
    correction: its arm's plan contacts over the rows the rule gives that arm (0 off the rule)."""
    decision = training_decisions(scores, plan.solution)
    contacts = np.array([int((plan.arm == k).sum()) for k in range(1, scores.n_arms + 1)])
    used = np.array([int((decision == k).sum()) for k in range(1, scores.n_arms + 1)])
    scale = np.where(used > 0, contacts / np.maximum(used, 1), 0.0)
    return decision, np.where(decision > 0, scale[np.maximum(decision - 1, 0)], 0.0)


def _world_fit(name: str, args: argparse.Namespace, world: StarbucksWorld, seed: int):
    """One draw of ``--n`` training rows and as many new customers, the learner fitted and the plan made from
    its ``predict_outcomes`` with its forecast (as ``synthetic --world starbucks``)."""
    train, new = world.draw(args.n[0], seed), world.draw(args.n[0], 1_000_000 + seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        learner = calibrated(name, args.base, args.cv, args.method, args.n_repeats, args.n_jobs).fit(
            train.X, train.y, treatment=train.treatment)
        plan = plan_campaign(learner.predict_outcomes(new.X), world.economics, forecast_learner=learner)
    return train, learner, plan


def _world_seeds(args: argparse.Namespace, world: StarbucksWorld, name: str, blank: int):
    """Each seed's draw, fitted learner and plan (:func:`_world_fit`); a plan that contacts nobody has no correction
    to measure: its row says so (``blank`` empty cells after it) and the seed is skipped."""
    for seed in range(args.first_seed, args.first_seed + args.repeats):
        train, learner, plan = _world_fit(name, args, world, seed)
        if not (plan.arm > 0).any():
            print(f"| {name} | {args.n[0]:,} | {seed} | (the plan contacts nobody) |" + " |" * blank, flush=True)
            continue
        yield seed, train, learner, plan


def run_world_errors(args: argparse.Namespace) -> None:
    """Where the forecast's excess spread sits. In the Starbucks world, per seed: the correction's own error
    (the correction minus what it estimates, ``Σ_i s_i (c_i − e_i)`` over the rows the plan's rule picks, ``e_i``
    the row's true profit minus its plug-in, ``s_i`` its arm's ``n_k / m_k``), split exactly into the rows' own
    outcome noise (``c_i`` with the predictions replaced by the truth) and the assignment part,
    ``(1{T_i = a}/e_a − 1)`` times the prediction's error (the rest). Each part in its own standard error of
    independent rows (``sqrt(Σ_i (s_i part_i)²)``), the whole also in the forecast's standard error. Honest parts
    have a spread of 1 over the seeds. Last, the same for an inverse-propensity correction (the outcome's
    residual against 0 instead of the prediction: no prediction enters its error but through the rule), and its
    standard error over the doubly robust one's."""
    world = StarbucksWorld(Path(args.data), args.world_scale, args.world_draw == "with")
    for name in args.learners:
        z_parts: list[tuple[float, float, float, float]] = []
        for seed, train, learner, plan in _world_seeds(args, world, name, 4):
            cross_fit = learner.cross_fit_
            scores, decision, weight = _training_rule(learner, plan, world.economics)
            rows, column = np.arange(len(decision)), np.maximum(decision - 1, 0)
            truth = score_profit(train.mu, world.economics, arms=plan.arm_labels).gain
            own = _corrections(scores, decision, cross_fit.outcomes, cross_fit) - \
                (truth[rows, column] - scores.gain[rows, column])
            outcome = _corrections(scores, decision, train.mu, cross_fit)
            assignment = own - outcome
            # the inverse-propensity correction (the residuals against 0, not the predictions) minus its target:
            # the observed profit reweighted minus the true one, no prediction in it but the rule's
            ipw = _corrections(scores, decision, np.zeros_like(cross_fit.outcomes), cross_fit) - \
                (truth[rows, column] + scores.contact_cost[column])
            parts = [weight * values for values in (own, outcome, assignment, ipw)]
            z = [float(part.sum() / np.sqrt((part**2).sum())) for part in parts]
            z_parts.append((float(parts[0].sum() / plan.forecast.forecast.std_error), *z))
            share = float(np.sqrt((parts[2] ** 2).sum() / (parts[0] ** 2).sum()))
            width = float(np.sqrt((parts[3] ** 2).sum() / (parts[0] ** 2).sum()))
            print(f"| {name} | {args.n[0]:,} | {seed} | {z_parts[-1][0]:+.2f} | {z[0]:+.2f} | {z[1]:+.2f} | "
                  f"{z[2]:+.2f} | {share:.2f} | {z[3]:+.2f} | {width:.2f} |", flush=True)
        _errors_summary(name, args.n[0], z_parts)


def _errors_summary(name: str, n: int, z_parts: list[tuple[float, ...]]) -> None:
    """``world-errors``' last line: the spread of each z column over the seeds (honest: 1), and the correlation
    of the outcome and assignment parts (in the share column)."""
    if len(z_parts) < 2:
        return
    table = np.array(z_parts)
    sd = [f"sd {column.std(ddof=1):.2f}" for column in table.T]
    correlation = np.corrcoef(table[:, 2], table[:, 3])[0, 1]
    print(f"| {name} | {n:,} | {len(table)} seeds | {' | '.join(sd[:4])} | correlation of the outcome and "
          f"assignment parts {correlation:+.2f} | {sd[4]} | |", flush=True)


def run_world_errors_rows(paths: list[str]) -> None:
    """The pooled last line of saved ``world-errors`` outputs (seeds with an empty plan left out)."""
    parts: dict[tuple[str, int], list[tuple[float, ...]]] = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            fields = [field.strip() for field in line.strip().strip("|").split("|")]
            if len(fields) < 10 or not fields[2].isdigit() or not fields[3]:
                continue  # the header, a summary line, an empty plan
            key = (fields[0], int(fields[1].replace(",", "")))
            parts.setdefault(key, []).append(tuple(float(fields[column]) for column in (3, 4, 5, 6, 8)))
    for (name, n), z_parts in parts.items():
        _errors_summary(name, n, z_parts)


def run_world_refits(args: argparse.Namespace) -> None:
    """Could refits measure the excess? A parametric bootstrap of the whole cross-fit, tried in the Starbucks
    world: per seed, a world whose truth is the cross-fit's own out-of-fold outcomes; ``--n-refits`` draws of
    purchases from it (the promotion held), the learner refitted on each, the plan's rule replayed on the refitted
    out-of-fold outcomes; the spread of the correction's error against the refitted rows' own selected error in
    that world, over its spread with the predictions held (exact: the purchases' Bernoulli variance). The ratio
    is what the refits would widen the variance by; next to it, the share of rows the rule picks in the real
    cross-fit and in the refits, and the spread of the world's effects against the true ones."""
    world = StarbucksWorld(Path(args.data), args.world_scale, args.world_draw == "with")
    for name in args.learners:
        for seed, train, learner, plan in _world_seeds(args, world, name, 5):
            cross_fit = learner.cross_fit_
            scores, decision, weight = _training_rule(learner, plan, world.economics)
            n, rows = len(decision), np.arange(len(decision))
            mean = cross_fit.outcomes[rows, cross_fit.codes]
            slope = _corrections(scores, decision, cross_fit.outcomes, cross_fit, mean + 1.0)
            exact = float(((weight * slope) ** 2 * mean * (1.0 - mean)).sum())
            rng, held, refitted, picked = np.random.default_rng(seed), [], [], []
            for _ in range(args.n_refits):
                drawn = (rng.random(n) < mean).astype(np.float64)
                held.append(float((weight * _corrections(scores, decision, cross_fit.outcomes, cross_fit,
                                                         drawn)).sum()))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    again = calibrated(name, args.base, args.cv, args.method, args.n_repeats, args.n_jobs).fit(
                        train.X, drawn, treatment=train.treatment).cross_fit_
                moved = score_profit(again.outcomes, world.economics, arms=plan.arm_labels)
                rule, rule_weight = _rule_weights(moved, plan)
                column = np.maximum(rule - 1, 0)
                error = _corrections(moved, rule, again.outcomes, again, drawn) - \
                    (scores.gain[rows, column] - moved.gain[rows, column])
                refitted.append(float((rule_weight * error).sum()))
                picked.append(float((rule > 0).mean()))
            ratio = (exact + np.var(refitted, ddof=1) - np.var(held, ddof=1)) / exact if exact > 0 else float("nan")
            effect = cross_fit.outcomes[:, 1:] - cross_fit.outcomes[:, :1]
            true_effect = train.mu[:, 1:] - train.mu[:, :1]
            picks = f"{np.mean(picked):.3f} ({min(picked):.3f}–{max(picked):.3f})"
            print(f"| {name} | {args.n[0]:,} | {seed} | {args.n_refits} | {effect.std():.4f} | "
                  f"{true_effect.std():.4f} | {(decision > 0).mean():.3f} | {picks} | {ratio:.2f} |", flush=True)


def _block_terms(x_full: np.ndarray, refits: list[tuple[np.ndarray, np.ndarray]], block: np.ndarray) -> float:
    """``B/(B − 1) Σ_{a≠b} D_ab D_ba`` with ``D_ab = Σ_{i∈a} (x_i − x_i^{(−b)})``: ``x`` a row's weighted term of
    the correction from the whole fit, ``x^{(−b)}`` the same from the fit without block ``b`` (``refits[b]``: its
    rows' indices and terms)."""
    n_blocks = len(refits)
    moved = np.zeros((n_blocks, n_blocks))
    for b, (kept, x_refit) in enumerate(refits):
        difference = x_full[kept] - x_refit
        moved[:, b] = np.bincount(block[kept], weights=difference, minlength=n_blocks)
    products = moved * moved.T
    return float((products.sum() - np.trace(products)) * n_blocks / (n_blocks - 1))


def _block_values(fit, fit_scores, rule: np.ndarray, true_gain: np.ndarray, scale: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's weighted term under ``rule`` (one arm, weight ``scale`` on the rule's rows): its correction's
    true error, its correction ``c_i``, and its doubly robust profit ``ΔΠ̂_i + c_i`` (the correction's error
    plus the row's true profit: between two fits it differs by the true profit of the rows whose selection
    flips, where ``c_i`` differs by every selected row's change of prediction)."""
    rows, column = np.arange(len(rule)), np.maximum(rule - 1, 0)
    c = _corrections(fit_scores, rule, fit.outcomes, fit)
    own = c - (true_gain[rows, column] - fit_scores.gain[rows, column])
    s = scale * (rule > 0)
    return s * own, s * c, s * (fit_scores.gain[rows, column] + c)


def run_world_blocks(args: argparse.Namespace) -> None:
    """Can refits without a block of rows measure the excess? Per seed in the Starbucks world, the training rows
    are cut at random into ``--blocks`` blocks and the learner refitted without each. The correction's error is
    ``Σ_a G_a`` (``G_a`` block ``a``'s rows' weighted own errors); its variance is the independent rows' plus
    ``Σ_{a≠b} Cov(G_a, G_b)``, and ``D_ab``, what block ``a``'s sum loses when block ``b``'s outcomes are left
    out of the fit, has ``E[D_ab D_ba] = Cov(G_a, G_b)`` exactly (every other product holds a row's own
    outcome noise once, with mean 0). Scaled by ``B/(B − 1)`` for the pairs within a block. Reported per seed:
    the error, in the standard error of independent rows and then in that widened by the block products: from
    the rows' true errors (oracle), from their corrections ``c_i`` and from their doubly robust profits (what a
    forecast could use); and the share of rows whose selection a refit flips."""
    world = StarbucksWorld(Path(args.data), args.world_scale, args.world_draw == "with")
    for name in args.learners:
        for seed, train, learner, plan in _world_seeds(args, world, name, 6):
            cross_fit = learner.cross_fit_
            scores, decision, weight = _training_rule(learner, plan, world.economics)
            scale = weight[decision > 0].max()  # one arm: n_1 / m_1
            truth = score_profit(train.mu, world.economics, arms=plan.arm_labels).gain

            full = _block_values(cross_fit, scores, decision, truth, scale)
            rng = np.random.default_rng(10_000 + seed)
            block = rng.permutation(len(decision)) % args.blocks
            refits: list[list[tuple[np.ndarray, np.ndarray]]] = [[], [], []]
            flips = []
            for b in range(args.blocks):
                kept = np.flatnonzero(block != b)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    again = calibrated(name, args.base, args.cv, args.method, args.n_repeats, args.n_jobs).fit(
                        train.X.iloc[kept], train.y[kept], treatment=train.treatment[kept]).cross_fit_
                moved = score_profit(again.outcomes, world.economics, arms=plan.arm_labels)
                rule = training_decisions(moved, plan.solution)
                flips.append(float(((rule > 0) != (decision[kept] > 0)).mean()))
                for kind, values in enumerate(_block_values(again, moved, rule, truth[kept], scale)):
                    refits[kind].append((kept, values))
            error = float(full[0].sum())
            independent = float((full[0] ** 2).sum())
            selected = full[1][decision > 0]
            seen = float(((selected - selected.mean()) ** 2).sum())  # a forecast's variance of independent rows
            cross = [_block_terms(full[kind], refits[kind], block) for kind in range(3)]
            print(f"| {name} | {args.n[0]:,} | {seed} | {error:.2f} | {independent:.1f} | {seen:.1f} | "
                  f"{cross[0]:.1f} | {cross[1]:.1f} | {cross[2]:.1f} | {np.mean(flips):.3f} |", flush=True)


def run_world_blocks_rows(paths: list[str]) -> None:
    """``world-blocks``' summary over saved outputs: the error's mean square over the mean variance of
    independent rows, and over that plus each estimate of the cross terms (honest: 1); the spread of the error
    in each standard error and how often it lies within 1.96 of them."""
    rows = []
    for path in paths:
        for line in Path(path).read_text().splitlines():
            fields = [field.strip() for field in line.strip().strip("|").split("|")]
            if len(fields) >= 10 and fields[2].isdigit() and fields[3] and not fields[3].startswith("("):
                rows.append([float(field) for field in fields[3:10]])
    if len(rows) < 2:
        return
    error, independent, seen, oracle, raw, profits, flips = np.array(rows).T
    print(f"{len(error)} seeds; rows a refit flips: {flips.mean():.3f}")
    print("| variance | mean error² / mean variance | error / SE: sd | within ±1.96 |")
    print("|---|---:|---:|---:|")
    for label, variance in (("independent rows (true errors)", independent),
                            ("independent rows (corrections)", seen),
                            ("+ blocks, true errors", independent + oracle), ("+ blocks, corrections", seen + raw),
                            ("+ blocks, doubly robust profits", seen + profits)):
        positive = np.maximum(variance, 1e-9)
        z = error / np.sqrt(positive)
        print(f"| {label} | {np.mean(error**2) / np.mean(variance):.2f} | {z.std(ddof=1):.2f} | "
              f"{np.mean(np.abs(z) <= 1.96):.2f} ({int(np.sum(np.abs(z) <= 1.96))}/{len(z)}) |")


def _estimate_cell(cell: str) -> tuple[float, float]:
    """A ``public`` cell "1,046 [712, 1,380]" -> (1046, its standard error from the 95% interval)."""
    estimate, interval = cell.split("[")
    low, high = (float(value.replace(",", "")) for value in interval.rstrip("]").split(", "))
    return float(estimate.replace(",", "")), (high - low) / (2 * stats.norm.ppf(0.975))


def run_public_summary(args: argparse.Namespace) -> None:
    """Read ``public`` outputs (their markdown rows, with the halves' column) and, per data set and learner,
    set the learner's own z (all-rows maps) against the split's own share: ``z = a + b · halves``. The
    intercept ``a`` is the lean the split does not explain; splits whose plan contacted nobody (z nan) are left
    out. Rows with a true profit (a world's) give a second table: the forecast and the holdout estimate, each
    against the truth in its own standard error."""
    cells: dict[tuple[str, str], dict[int, tuple[float, ...]]] = {}
    for path in args.rows:
        for line in Path(path).read_text().splitlines():
            fields = [field.strip() for field in line.strip().strip("|").split("|")]
            if len(fields) not in (15, 16) or not fields[2].isdigit():  # 16: with the true-profit column
                continue
            z, halves = float(fields[13]), float(fields[14])
            # the learner's own forecast and its holdout estimate
            (forecast, forecast_se), (holdout, holdout_se) = (_estimate_cell(fields[column]) for column in (11, 12))
            truth = float(fields[15].replace(",", "")) if len(fields) == 16 and fields[15] else np.nan
            if np.isfinite(z):
                cells.setdefault((fields[0], fields[1]), {}).setdefault(
                    int(fields[2]), (z, halves, forecast, holdout, truth, forecast_se, holdout_se))
    print("| data set | learner | splits | mean z (sd) | below the holdout | halves' z, mean | "
          "z = a + b · halves: a | b | residual sd | correlation | mean forecast | mean holdout estimate | "
          "Σ forecast / Σ holdout |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    known = []
    for (title, name), by_split in sorted(cells.items()):
        z, halves, forecast, holdout, truth, forecast_se, holdout_se = np.array(list(by_split.values())).T
        design = np.column_stack([np.ones_like(halves), halves])
        coef, *_ = np.linalg.lstsq(design, z, rcond=None)
        residual = z - design @ coef
        scale = residual @ residual / max(len(z) - 2, 1)
        se = np.sqrt(np.diag(scale * np.linalg.inv(design.T @ design)))
        print(f"| {title} | {name} | {len(z)} | {_mean_se(z)} ({z.std(ddof=1):.2f}) | {(z < 0).sum()} | "
              f"{halves.mean():+.2f} | {coef[0]:+.2f} ± {se[0]:.2f} | {coef[1]:.2f} ± {se[1]:.2f} | "
              f"{np.sqrt(scale):.2f} | {np.corrcoef(z, halves)[0, 1]:.2f} | {forecast.mean():,.0f} | "
              f"{holdout.mean():,.0f} | {forecast.sum() / holdout.sum():.2f} |")
        if np.isfinite(truth).all():
            known.append((title, name, z, forecast, holdout, truth, forecast_se, holdout_se))
    print("\nThe ± of a mean treats the splits as independent. Splits of one sample share its noise: on four draws "
          "from the Starbucks world the mean z of a draw's splits ranged from -0.63 to +0.78, a shared part of about "
          "0.5 standard errors, three times the ± of Starbucks's 28 splits (docs/benchmarks.md). Read the ± as a "
          "lower bound.")
    if not known:
        return
    print("\n| data set | learner | splits | mean truth | Σ forecast / Σ truth | (forecast − truth) / its SE: "
          "mean (sd) | forecast's 95% interval covers truth | Σ holdout / Σ truth | (holdout − truth) / its SE: "
          "mean (sd) | mean z against the holdout |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for title, name, z, forecast, holdout, truth, forecast_se, holdout_se in known:
        off = (forecast - truth) / forecast_se
        measured = (holdout - truth) / holdout_se
        print(f"| {title} | {name} | {len(z)} | {truth.mean():,.0f} | {forecast.sum() / truth.sum():.2f} | "
              f"{_mean_se(off)} ({off.std(ddof=1):.2f}) | {(np.abs(off) <= stats.norm.ppf(0.975)).sum()}/{len(z)} | "
              f"{holdout.sum() / truth.sum():.2f} | {_mean_se(measured)} ({measured.std(ddof=1):.2f}) | "
              f"{_mean_se(z)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["synthetic", "public", "summary", "current", "public-summary",
                                         "world-folds", "world-truth", "world-errors", "world-refits",
                                         "world-blocks"])
    parser.add_argument("--learners", nargs="+", default=["S", "T", "X", "DR", "R"])
    parser.add_argument("--n", nargs="+", type=int, default=[10_000, 60_000])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=600.0, help="time budget per configuration")
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--first-split", type=int, default=0, help="public: seed of the first split")
    parser.add_argument("--datasets", nargs="*", default=None,
                        help="public: these keys (default hillstrom starbucks; also starbucks-test, starbucks-cross, "
                             "lenta)")
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--world-sample", type=int, default=0,
                        help="public --datasets starbucks-world: which draw of the world")
    parser.add_argument("--world", default="campaign", choices=["campaign", "starbucks"],
                        help="synthetic: the 3-arm campaign, or Starbucks-shaped data with known truth "
                             "(StarbucksWorld; needs --data)")
    parser.add_argument("--world-scale", type=float, default=1.0,
                        help="the Starbucks world's outcome probabilities and promotion cost times this (default 1)")
    parser.add_argument("--world-draw", default="with", choices=["with", "without"],
                        help="starbucks world: draw customers with replacement (the default: about 28%% of 42,267 "
                             "rows then share their features with another row) or without")
    parser.add_argument("--n-repeats", type=int, default=LIBRARY_REPEATS,
                        help=f"CalibratedLearner(n_repeats=), default the library's ({LIBRARY_REPEATS}); 0: do not "
                             "pass it (the code before n_repeats)")
    parser.add_argument("--n-refits", type=int, default=20, help="world-refits: refits per seed")
    parser.add_argument("--forecast-blocks", type=int, default=0,
                        help="synthetic: CalibratedLearner(forecast_blocks=) (0: without the argument)")
    parser.add_argument("--blocks", type=int, default=5, help="world-blocks: blocks of rows, one refit without each")
    parser.add_argument("--first-seed", type=int, default=0, help="synthetic: seed of the first repetition")
    parser.add_argument("--no-raw", action="store_true", help="synthetic: skip the raw learner (its columns: nan)")
    parser.add_argument("--rows", nargs="+", default=None,
                        help="synthetic: append every repetition's numbers to this CSV; summary: read these CSVs "
                             "and compare the fold maps with the all-rows maps of the same fits; public-summary: "
                             "the outputs of public runs; world-errors: pool the outputs of world-errors runs")
    parser.add_argument("--n-jobs", type=int, default=1,
                        help="n_jobs= of the learners' XGBoost models (1: on a 2-core machine, 5x faster than 2)")
    parser.add_argument("--method", default="isotonic", choices=["isotonic", "linear"])
    parser.add_argument("--base", default="default", choices=["default", "light"],
                        help="default: the package's XGBoost base models; light: logistic/linear")
    parser.add_argument("--before", nargs="+", help="summary: --rows CSVs of the run before")
    parser.add_argument("--after", nargs="+", help="summary: --rows CSVs of the run after")
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    args = parser.parse_args()
    if args.what == "synthetic":
        run_synthetic(args)
    elif args.what == "summary":
        run_summary(args)
    elif args.what == "current":
        run_current(args)
    elif args.what == "public-summary":
        run_public_summary(args)
    elif args.what == "world-truth":
        run_world_truth(args)
    elif args.what == "world-folds":
        print("| learner | training rows | seed | folds (cv × repeats) | correlation of a fold's own treated noise "
              "with its share of the top 10% | shares, lowest–highest | own noise of the top 10%'s treated rows |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        run_world_folds(args)
    elif args.what == "world-errors":
        print("| learner | training rows | seed | correction's own error / forecast SE | the same / its SE of "
              "independent rows | outcome part / its SE | assignment part / its SE | assignment part's share of "
              "that SE | inverse-propensity correction's own error / its SE | its SE / the doubly robust one's |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        if args.rows:
            run_world_errors_rows(args.rows)
        else:
            run_world_errors(args)
    elif args.what == "world-blocks":
        if args.rows:
            run_world_blocks_rows(args.rows)
        else:
            print("| learner | training rows | seed | correction's own error | its variance of independent rows | "
                  "the same from the corrections | block products: true errors | corrections | doubly robust profits | "
                  "rows a refit flips |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            run_world_blocks(args)
    elif args.what == "world-refits":
        print("| learner | training rows | seed | refits | world's effects: sd | true effects: sd | rows the rule "
              "picks: cross-fit | refits: mean (range) | refitted variance / held variance |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        run_world_refits(args)
    else:
        run_public(args)


if __name__ == "__main__":
    main()
