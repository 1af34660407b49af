"""Where does the forecast's error come from? Plan error, rows' error and the correction, arm by arm.

Usage::

    python benchmarks/bench_forecast_decompose.py run --learner T --n 10000 --first-seed 0 --repeats 150 --rows a.csv
    python benchmarks/bench_forecast_decompose.py summary --rows a.csv b.csv
    python benchmarks/bench_forecast_decompose.py folds --learner S --repeats 80 --rows folds.csv  # A/B of the folds
    python benchmarks/bench_forecast_decompose.py folds-summary --rows folds.csv
    python benchmarks/bench_forecast_decompose.py levels --learner S --repeats 6 --rows -  # models' level spread
    python benchmarks/bench_forecast_decompose.py redraw --learner T --first-seed 1 --repeats 2 --draws 50 --rows r.csv
    python benchmarks/bench_forecast_decompose.py redraw-summary --rows r.csv  # fold models held fixed
    python benchmarks/bench_forecast_decompose.py redraw --learner S --repeats 4 --pin-map-levels --rows p.csv
    python benchmarks/bench_forecast_decompose.py level-covariance --learner S --repeats 3 --n-repeats 3 --rows -
    python benchmarks/bench_forecast_decompose.py choice --learner S --repeats 8 --draws 20 --rows c.csv  # fold models
    python benchmarks/bench_forecast_decompose.py choice-summary --rows c.csv

On the 3-arm synthetic campaign of ``bench_forecast.py`` (same training sets, customers and economics), each
repetition fits ``CalibratedLearner(learner)`` at the library defaults (``n_jobs=1``; ``--n-repeats`` the
library's, 6 since commit b13e529: the measurements in docs/benchmarks.md before it pass ``--n-repeats 3``),
plans the new customers with its ``predict_outcomes`` and forecasts the plan. For each arm ``k``, with
``n_k`` the plan's contacts and ``a_i`` the plan's rule on the training rows' out-of-fold outcomes, it records

- ``A_k``: the plan's plug-in minus its true profit on its own customers (the selected error of the plan);
- ``B_k = n_k · mean(ΔΠ_i − ΔΠ̂_i | a_i = k)``: the oracle correction, from the training rows' true profits;
- ``C_k``: the forecast's correction (``forecast_profit``'s per-arm ``correction``) and its standard error.

So ``forecast − truth = (A + B) + (C − B)``: ``A + B`` is how far the plan's selected error is from the
rows' (the predictor mismatch), ``C − B`` the correction's own sampling error, mean 0 and standard
deviation 1 in units of the forecast's standard error when the correction and its interval are honest.
``summary`` prints both in those units. Run it with the tree to measure first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import time
import warnings
from pathlib import Path

import numpy as np
from bench_forecast import LIBRARY_REPEATS, N_NEW, SYNTHETIC, calibrated
from scipy import stats

import uplift.learners._calibration as calibration_module
from uplift.campaign import forecast_profit, plan_campaign, score_profit
from uplift.campaign._forecast import training_decisions
from uplift.datasets import make_uplift_classification
from uplift.evaluation import dr_pseudo_outcome
from uplift.learners import CalibratedLearner
from uplift.learners._calibration import CalibratedState, CrossFit
from uplift.learners._plan import FitPlan
from uplift.learners._propensity import pair_propensity

ARMS = (1, 2, 3)
COLUMNS = ["learner", "n", "seed", "truth", "forecast", "se", "plug_in",
           *[f"{name}{k}" for k in ARMS for name in ("n", "m", "A", "B", "C", "se")], "seconds"]


def repetition(learner_name: str, n: int, seed: int, n_repeats: int) -> list[float]:
    """One fit, plan and forecast; the columns of ``COLUMNS`` after ``learner`` and ``n``."""
    started = time.perf_counter()
    train = make_uplift_classification(n, 6, n_arms=3, random_state=seed)
    new = make_uplift_classification(N_NEW, 6, n_arms=3, random_state=1_000_000 + seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        learner = calibrated(learner_name, "default", 5, "isotonic", n_repeats, 1).fit(train.X, train.y,
                                                                                        treatment=train.treatment)
        plan = plan_campaign(learner.predict_outcomes(new.X), SYNTHETIC, forecast_learner=learner)
    true_new, estimated_new = score_profit(new.mu, SYNTHETIC).gain, plan.scores.gain
    rows = score_profit(learner.cross_fit_.outcomes, SYNTHETIC)
    true_rows = score_profit(train.mu, SYNTHETIC).gain
    decision = training_decisions(rows, plan.solution)
    table = plan.forecast.per_arm
    parts: list[float] = []
    for k in ARMS:
        chosen, members = plan.arm == k, decision == k
        n_k = int(chosen.sum())
        plan_error = float((estimated_new[chosen, k - 1] - true_new[chosen, k - 1]).sum())
        row_error = true_rows[members, k - 1] - rows.gain[members, k - 1]
        oracle = n_k * float(row_error.mean()) if members.any() else 0.0
        parts += [n_k, int(members.sum()), plan_error, oracle, float(table["correction"].iloc[k - 1]),
                  float(table["std_error"].iloc[k - 1])]
    forecast = plan.forecast.forecast
    truth = float(true_new[plan.arm > 0, plan.arm[plan.arm > 0] - 1].sum())
    return [seed, truth, forecast.estimate, forecast.std_error, plan.forecast.plug_in, *parts,
            time.perf_counter() - started]


def run(args: argparse.Namespace) -> None:
    for seed in range(args.first_seed, args.first_seed + args.repeats):
        values = repetition(args.learner, args.n, seed, args.n_repeats)
        with open(args.rows[0], "a") as out:  # every repetition at once: a stopped run keeps what it measured
            out.write(",".join([args.learner, str(args.n)] + [f"{value:.9g}" for value in values]) + "\n")


def fit_patched(learner_name: str, train, owner: type, name: str, replacement, n_repeats: int) -> CalibratedLearner:
    """``CalibratedLearner(learner)`` at the defaults fitted on ``train`` with ``owner.name`` replaced during the
    fit (restored after, whatever happens)."""
    original = getattr(owner, name)
    setattr(owner, name, replacement)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return calibrated(learner_name, "default", 5, "isotonic", n_repeats, 1).fit(train.X, train.y,
                                                                                        treatment=train.treatment)
    finally:
        setattr(owner, name, original)


def _forced_folds(by_outcome: bool):
    """``FitPlan.folds`` stratified by outcome or not, whatever ``CalibratedLearner`` asks for."""
    original = FitPlan.folds

    def forced(plan, data, **_ignored):
        return original(plan, data, by_outcome=by_outcome)
    return forced


def folds(args: argparse.Namespace) -> None:
    """Paired: the plan's true profit and forecast / truth with CalibratedLearner's folds stratified by arm ×
    outcome (as before 2026-11-30) and by arm only (now), on the same training sets and customers."""
    for seed in range(args.first_seed, args.first_seed + args.repeats):
        train = make_uplift_classification(args.n, 6, n_arms=3, random_state=seed)
        new = make_uplift_classification(N_NEW, 6, n_arms=3, random_state=1_000_000 + seed)
        gain = score_profit(new.mu, SYNTHETIC).gain
        values: list[float] = [seed]
        for by_outcome in (True, False):
            learner = fit_patched(args.learner, train, FitPlan, "folds", _forced_folds(by_outcome), args.n_repeats)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                plan = plan_campaign(learner.predict_outcomes(new.X), SYNTHETIC, forecast_learner=learner)
            chosen = plan.arm > 0
            values += [float(gain[chosen, plan.arm[chosen] - 1].sum()), plan.forecast.forecast.estimate]
        with open(args.rows[0], "a") as out:
            out.write(",".join(f"{value:.9g}" for value in values) + "\n")


def folds_summary(args: argparse.Namespace) -> None:
    table = np.array([[float(x) for x in line.split(",")] for path in args.rows
                      for line in Path(path).read_text().splitlines()])
    gap = table[:, 3] - table[:, 1]
    print(f"{len(table)} paired repetitions: true profit of the plan {table[:, 1].mean():,.0f} (arm × outcome) → "
          f"{table[:, 3].mean():,.0f} (arm only), {gap.mean():+,.0f} ± {gap.std(ddof=1) / np.sqrt(len(gap)):,.0f}; "
          f"forecast / truth {np.mean(table[:, 2] / table[:, 1]):.3f} → {np.mean(table[:, 4] / table[:, 3]):.3f}")


def levels(args: argparse.Namespace) -> None:
    """How much the mean effect of each arm varies between the models ``predict`` keeps (one per repeat), with
    the folds stratified by arm × outcome and by arm only, against the spread of the effects across customers:
    a check of why the S-learner's plans earn less with folds not stratified by outcome."""
    for seed in range(args.first_seed, args.first_seed + args.repeats):
        train = make_uplift_classification(args.n, 6, n_arms=3, random_state=seed)
        cells = [str(seed)]
        for by_outcome in (True, False):
            learner = fit_patched(args.learner, train, FitPlan, "folds", _forced_folds(by_outcome), args.n_repeats)
            X = learner._check_X(train.X)
            level = np.array([np.asarray(model.predict(X)).reshape(len(X), -1).mean(axis=0)
                              for model in learner.estimators_])
            cells.append(np.array2string(level.std(axis=0, ddof=1), precision=4))
        spread = np.asarray(learner.cross_fit_.effect).std(axis=0)
        print(f"seed {cells[0]}: SD of the models' mean effect per arm, arm × outcome folds {cells[1]}, arm only "
              f"{cells[2]}; SD of the effects across customers {np.array2string(spread, precision=4)}", flush=True)


def redraw(args: argparse.Namespace) -> None:
    """The correction's own error with every fold model held fixed: where does its excess spread come from?

    Fits ``CalibratedLearner(learner)`` once per seed, keeps every fold model's out-of-fold predictions, then
    redraws each training row's arm (the design's 1/4 each) and outcome (from its true probabilities) ``--draws``
    times. Each draw recomputes what depends on the outcomes (pseudo-outcomes, arm shares, every calibration map,
    the plan of the new customers, the forecast and the oracle ``B``) but not the fold models, whose noise is then
    independent of the outcomes the correction averages. If the correction's error ``(C − B) / SE`` still has a
    standard deviation above 1, the maps and the plan's selection make the excess; if about 1, the fold models'
    dependence on the other folds' outcomes does.
    """
    captured: dict[str, object] = {}
    calibrate = CalibratedLearner._calibrate
    levels: list[float] = []  # --pin-map-levels: each map's level in the fit, in the order the maps are fitted

    def spy(self, repeats, data, method):
        captured.update(repeats=repeats, data=data)
        levels.clear()
        with _map_levels(levels, pin=False):
            return calibrate(self, repeats, data, method)

    for seed in range(args.first_seed, args.first_seed + args.repeats):
        train = make_uplift_classification(args.n, 6, n_arms=3, random_state=seed)
        new = make_uplift_classification(N_NEW, 6, n_arms=3, random_state=1_000_000 + seed)
        learner = fit_patched(args.learner, train, CalibratedLearner, "_calibrate", spy, args.n_repeats)
        repeats, data = captured["repeats"], captured["data"]
        state, X_new, mu = learner._fitted(), learner._check_X(new.X), np.asarray(train.mu)
        true_new, true_rows = score_profit(new.mu, SYNTHETIC).gain, score_profit(mu, SYNTHETIC).gain
        rng = np.random.default_rng(seed + 77)
        for draw in range(-1, args.draws):  # draw -1: the training set's own outcomes, to check the replay
            if draw < 0:
                codes, y = data.codes, data.y
            else:
                codes = rng.integers(0, 4, len(data.y))
                y = (rng.random(len(codes)) < mu[np.arange(len(codes)), codes]).astype(np.float64)
            redrawn = dataclasses.replace(data, y=y, codes=codes)
            shares = np.broadcast_to(np.bincount(codes, minlength=4) / len(codes), (len(codes), 4))
            replayed = []
            for repeat in repeats:
                pseudo = np.full_like(repeat.pseudo, np.nan)
                for code in ARMS:
                    rows = np.flatnonzero((codes == 0) | (codes == code))
                    mu0 = repeat.control[rows]
                    pseudo[rows, code - 1] = dr_pseudo_outcome(y[rows], (codes[rows] == code).astype(np.float64),
                                                               mu0, mu0 + repeat.effect[rows, code - 1],
                                                               pair_propensity(shares[rows], code))
                replayed.append(dataclasses.replace(repeat, pseudo=pseudo, probabilities=shares))
            with _map_levels(list(levels), pin=args.pin_map_levels):
                maps, fold_maps, calibrated_effect = learner._calibrate(replayed, redrawn, "isotonic")
            control = np.mean([repeat.control for repeat in replayed], axis=0)
            outcomes = np.clip(np.column_stack([control, control[:, None] + calibrated_effect]), 0.0, 1.0)
            cross_fit = CrossFit(np.mean([repeat.effect for repeat in replayed], axis=0), calibrated_effect, outcomes,
                                 np.mean([repeat.pseudo for repeat in replayed], axis=0), shares, y, codes, None)
            replay = CalibratedState(state.inner, maps, cross_fit, True, fold_maps, state.levels)
            plan = plan_campaign(learner._outcomes_and_effects(replay, X_new)[0], SYNTHETIC)
            forecast = forecast_profit(plan, cross_fit)
            rows = score_profit(outcomes, SYNTHETIC)
            decision = training_decisions(rows, plan.solution)
            oracle = sum(int((plan.arm == k).sum()) * float((true_rows[decision == k, k - 1]
                                                              - rows.gain[decision == k, k - 1]).mean())
                         for k in ARMS if (decision == k).any())
            chosen = plan.arm > 0
            truth = float(true_new[chosen, plan.arm[chosen] - 1].sum())
            if draw < 0:  # the replay of the fit's own data must be the learner's own forecast
                own = plan_campaign(learner.predict_outcomes(new.X), SYNTHETIC, forecast_learner=learner)
                assert abs(own.forecast.forecast.estimate - forecast.forecast.estimate) < 1e-6
                continue
            with open(args.rows[0], "a") as out:
                out.write(",".join(f"{value:.9g}" for value in (
                    seed, draw, truth, forecast.forecast.estimate, forecast.forecast.std_error, forecast.plug_in,
                    forecast.correction, oracle)) + "\n")


@contextlib.contextmanager
def _map_levels(levels: list[float], pin: bool):
    """While inside: every calibration map fitted records its level (the weighted mean of its target) in
    ``levels`` or, with ``pin``, is shifted to the level recorded for it in the fit (the maps are fitted in the
    same order in every replay): their shapes follow the redrawn outcomes, their levels do not."""
    fit = calibration_module.fit_map
    calls = iter(range(len(levels))) if pin else None

    def fit_map(method, effects, target, weight, n_bins=20):
        mapping = fit(method, effects, target, weight, n_bins)
        level = float(np.average(target, weights=weight))
        if calls is None:
            levels.append(level)
            return mapping
        shift = levels[next(calls)] - level
        values = mapping.values + (shift if method == "isotonic" else np.r_[shift, 0.0])
        return dataclasses.replace(mapping, values=values)

    calibration_module.fit_map = fit_map
    try:
        yield
    finally:
        calibration_module.fit_map = fit


def _noise_weights(rule: np.ndarray, codes: np.ndarray, scores, prop: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Weight of each training row's outcome noise in the forecast's correction when the rule gives arm
    ``rule[i]`` (``scale[k - 1]``: the plan's contacts of arm ``k`` over the training rows given it)."""
    weight = np.zeros(len(rule))
    for k in ARMS:
        treated, control = (rule == k) & (codes == k), (rule == k) & (codes == 0)
        weight[treated] = (scores.unit_value[treated] - scores.unit_cost[treated, k - 1]) / prop[treated, k]
        weight[control] = -scores.unit_value[control] / prop[control, 0]
        weight[rule == k] *= scale[k - 1]
    return weight


def level_covariance(args: argparse.Namespace) -> None:
    """The first-order covariance between the calibration maps' levels and the plan's selection, as a share of
    the forecast's variance: could it be the correction's excess spread?

    Each training row's outcome noise moves every map's level (a weighted mean of pseudo-outcomes) by a known
    weight ``λ_ik``, and a level moves rows across the plan's rule, changing the weight ``κ_i`` of their own
    noise in the correction. Two rows' corrections then covary by ``Σ_{k,l} H_kl H_lk`` with
    ``H_kl = Σ_i (∂κ_i/∂level_l) λ_ik r_i²`` (``r_i`` the row's residual; the derivative a secant over ± one
    standard error of the level). Prints that term over the forecast's variance per fit.
    """
    for seed in range(args.first_seed, args.first_seed + args.repeats):
        train = make_uplift_classification(args.n, 6, n_arms=3, random_state=seed)
        new = make_uplift_classification(N_NEW, 6, n_arms=3, random_state=1_000_000 + seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            learner = calibrated(args.learner, "default", 5, "isotonic", args.n_repeats, 1).fit(
                train.X, train.y, treatment=train.treatment)
            plan = plan_campaign(learner.predict_outcomes(new.X), SYNTHETIC, forecast_learner=learner)
        fit = learner.cross_fit_
        n, codes, prop = len(fit.y), fit.codes, fit.propensity
        scores = score_profit(fit.outcomes, SYNTHETIC)
        decision = training_decisions(scores, plan.solution)
        contacts = np.array([(plan.arm == k).sum() for k in ARMS])
        members = np.array([(decision == k).sum() for k in ARMS])


        residual2 = (fit.y - fit.outcomes[np.arange(n), codes]) ** 2
        lam, step = np.zeros((n, len(ARMS))), np.zeros(len(ARMS))
        for k in ARMS:
            pair = (codes == 0) | (codes == k)
            share = prop[pair, k] / (prop[pair, k] + prop[pair, 0])
            lam[pair, k - 1] = np.where(codes[pair] == k, 1 / share, -1 / (1 - share)) / pair.sum()
            step[k - 1] = fit.pseudo_outcome[pair, k - 1].std(ddof=1) / np.sqrt(pair.sum())
        H, flips = np.zeros((len(ARMS), len(ARMS))), []
        for l_arm in range(len(ARMS)):
            moved = []
            for sign in (1, -1):
                shifted = fit.outcomes.copy()
                shifted[:, l_arm + 1] = np.clip(shifted[:, l_arm + 1] + sign * step[l_arm], 0, 1)
                rule = training_decisions(score_profit(shifted, SYNTHETIC), plan.solution)
                moved.append(_noise_weights(rule, codes, scores, prop, contacts / np.maximum(members, 1)))
            flips.append(int((moved[0] != moved[1]).sum()))
            slope = (moved[0] - moved[1]) / (2 * step[l_arm])
            H[:, l_arm] = (slope[:, None] * lam * residual2[:, None]).sum(axis=0)
        variance = plan.forecast.forecast.std_error ** 2
        print(f"{args.learner} seed {seed}: covariance term / forecast variance {np.sum(H * H.T) / variance:+.3f}; "
              f"rows moved by ± one SE of each arm's level {flips}", flush=True)


def redraw_summary(args: argparse.Namespace) -> None:
    table = np.array([[float(x) for x in line.split(",")] for path in args.rows
                      for line in Path(path).read_text().splitlines()])
    print("| seed | draws | (C − B) / SE: mean (sd) | (forecast − truth) / SE: mean (sd) | interval covers truth |")
    print("|---:|---:|---:|---:|---:|")
    for seed in np.unique(table[:, 0]):
        rows = table[table[:, 0] == seed]
        own = (rows[:, 6] - rows[:, 7]) / rows[:, 4]
        z = (rows[:, 3] - rows[:, 2]) / rows[:, 4]
        print(f"| {seed:.0f} | {len(rows)} | {_mean_se(own)} ({own.std(ddof=1):.2f}) | {_mean_se(z)} "
              f"({z.std(ddof=1):.2f}) | {int((np.abs(z) <= stats.norm.ppf(0.975)).sum())}/{len(rows)} |")


def _mean_se(values: np.ndarray) -> str:
    return f"{values.mean():+.2f} ± {values.std(ddof=1) / np.sqrt(len(values)):.2f}"


def summary(args: argparse.Namespace) -> None:
    rows = [line.split(",") for path in args.rows for line in Path(path).read_text().splitlines()]
    table = {name: np.array([float(row[i]) for row in rows]) for i, name in enumerate(COLUMNS) if i >= 1}
    reps = len(rows)
    mismatch = sum(table[f"A{k}"] + table[f"B{k}"] for k in ARMS) / table["se"]
    sampling = sum(table[f"C{k}"] - table[f"B{k}"] for k in ARMS) / table["se"]
    z = (table["forecast"] - table["truth"]) / table["se"]
    covered = int((np.abs(z) <= stats.norm.ppf(0.975)).sum())
    low, high = stats.binom.ppf([0.025, 0.975], reps, 0.95)
    print("| learner | training rows | repetitions | forecast / truth | interval covers truth | binomial range | "
          "mean z (sd) | mismatch (A + B) / SE: mean (sd) | sampling (C − B) / SE: mean (sd) | corr |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {rows[0][0]} | {int(table['n'][0]):,} | {reps} | {_mean_se(table['forecast'] / table['truth'])} | "
          f"{covered}/{reps} | {low:.0f}–{high:.0f} | {_mean_se(z)} ({z.std(ddof=1):.2f}) | "
          f"{_mean_se(mismatch)} ({mismatch.std(ddof=1):.2f}) | {_mean_se(sampling)} ({sampling.std(ddof=1):.2f}) | "
          f"{np.corrcoef(mismatch, sampling)[0, 1]:+.2f} |")


def choice(args: argparse.Namespace) -> None:
    """The plan's choice of fold models: what ``forecast_profit`` measures against what other choices do.

    Fits ``CalibratedLearner(learner)`` keeping every fold model (the learner keeps one per repeat), then plans
    the same new customers with ``--draws`` other choices of one fold model per repeat (each through the
    learner's own maps, at its own level) and records the variance of the plan's selected error (plug-in
    minus true profit) over those choices, next to what the forecast measures of it on the training rows with
    the selection held (``model_choice_std_error² / (1 + 1/cv)``: the plan's share) and the forecast's
    standard error. Columns: learner, n, seed, measured variance, direct variance, standard error.
    """
    cv = 5
    for seed in range(args.first_seed, args.first_seed + args.repeats):
        fitted: list = []
        fit_inner = CalibratedLearner._fit_inner

        def keep(self, *arguments, _fitted=fitted, _fit=fit_inner):
            model = _fit(self, *arguments)
            _fitted.append(model)
            return model

        train = make_uplift_classification(args.n, 6, n_arms=3, random_state=seed)
        new = make_uplift_classification(N_NEW, 6, n_arms=3, random_state=1_000_000 + seed)
        learner = fit_patched(args.learner, train, CalibratedLearner, "_fit_inner", keep, args.n_repeats)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            plan = plan_campaign(learner.predict_outcomes(new.X), SYNTHETIC, forecast_learner=learner)
        state, X_train, X_new = learner._fitted(), learner._check_X(train.X), learner._check_X(new.X)
        models = [fitted[r * cv:(r + 1) * cv] for r in range(args.n_repeats)]
        assert all(row[0] is kept for row, kept in zip(models, state.inner, strict=True))
        levels = [[np.asarray(model._predict_outcomes_and_effects(X_train)[1]).reshape(args.n, -1).mean(axis=0)
                   for model in row] for row in models]
        true_new, rng, errors = score_profit(new.mu, SYNTHETIC).gain, np.random.default_rng(seed), []
        for _ in range(args.draws):
            pick = rng.integers(0, cv, args.n_repeats)
            other = dataclasses.replace(state, inner=tuple(models[r][pick[r]] for r in range(args.n_repeats)),
                                        levels=tuple(levels[r][pick[r]] for r in range(args.n_repeats)))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                replan = plan_campaign(learner._outcomes_and_effects(other, X_new)[0], SYNTHETIC)
            chosen = replan.arm > 0
            errors.append(float((replan.scores.gain - true_new)[chosen, replan.arm[chosen] - 1].sum()))
        measured = plan.forecast.model_choice_std_error**2 / (1 + 1 / cv)
        with open(args.rows[0], "a") as out:
            out.write(f"{args.learner},{args.n},{seed},{measured:.9g},{np.var(errors, ddof=1):.9g},"
                      f"{plan.forecast.forecast.std_error:.9g}\n")


def choice_summary(args: argparse.Namespace) -> None:
    rows = [line.split(",") for path in args.rows for line in Path(path).read_text().splitlines()]
    print("| learner | training rows | seeds | measured / direct variance (pooled) | by seed | measured SE / SE | "
          "direct SE / SE |")
    print("|---|---:|---:|---:|---|---:|---:|")
    for key in sorted({(row[0], int(row[1])) for row in rows}, key=lambda item: (item[1], item[0])):
        table = np.array([[float(x) for x in row[3:]] for row in rows if (row[0], int(row[1])) == key])
        measured, direct, se = table.T
        print(f"| {key[0]} | {key[1]:,} | {len(table)} | {measured.sum() / direct.sum():.2f} | "
              f"{', '.join(f'{m / d:.2f}' for m, d in zip(measured, direct, strict=True))} | "
              f"{np.mean(np.sqrt(measured) / se):.2f} | {np.mean(np.sqrt(direct) / se):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["run", "summary", "folds", "folds-summary", "levels", "redraw",
                                         "redraw-summary", "level-covariance", "choice", "choice-summary"])
    parser.add_argument("--learner", default="T", choices=["S", "T", "X", "DR", "R"])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=150)
    parser.add_argument("--draws", type=int, default=50,
                        help="redraw: outcome draws per fit; choice: other choices of fold models per fit")
    parser.add_argument("--n-repeats", type=int, default=LIBRARY_REPEATS,
                        help=f"CalibratedLearner(n_repeats=), default the library's ({LIBRARY_REPEATS})")
    parser.add_argument("--pin-map-levels", action="store_true",
                        help="redraw: keep every calibration map's level at the fit's own (shapes still redrawn)")
    parser.add_argument("--rows", nargs="+", required=True, help="run: the CSV to append to; summary: CSVs to read")
    args = parser.parse_args()
    {"run": run, "summary": summary, "folds": folds, "folds-summary": folds_summary,
     "levels": levels, "redraw": redraw, "redraw-summary": redraw_summary,
     "level-covariance": level_covariance, "choice": choice, "choice-summary": choice_summary}[args.what](args)


if __name__ == "__main__":
    main()
