"""Quality of every learner on Hillstrom beside scikit-uplift and causalml, on the same splits.

Protocol (issue 3): Womens E-Mail vs No E-Mail, outcome ``visit``; 70/30 train/test split
stratified by treatment x outcome; seeds 0-4; scikit-uplift's own ``qini_auc_score``,
``uplift_auc_score`` and ``uplift_at_k(k=0.3, strategy="overall")`` (the "sklift convention")
on the test rows; mean ± sd over seeds. Our learners use their defaults (XGBoost base models) and,
where a propensity enters, the known design propensity 0.5 (an experiment). Peers use their
usual base models: scikit-uplift with LightGBM / XGBoost defaults, causalml with XGBoost defaults
and the same known propensity.

``--choose-defaults`` instead runs the small experiment that chose the default XGBoost settings:
a grid of settings for the S-learner (the recommended default learner), scored on Hillstrom
(same protocol) and on synthetic data with known effects, ranked by the average of the two ranks.

Usage::

    .venv/bin/python benchmarks/bench_learners_quality.py --n-jobs 1            # the comparison table
    .venv/bin/python benchmarks/bench_learners_quality.py --n-jobs 1 --choose-defaults

``--n-jobs`` sets the threads of every XGBoost/LightGBM model, ours and the peers' alike (on a
shared, oversubscribed machine one thread per model is much faster than two: OpenMP threads wait
for each other). It changes timings only, not the scores.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from uplift.datasets import load_hillstrom, make_uplift_classification
from uplift.learners import (
    ClassTransformation,
    DRLearner,
    RLearner,
    SLearner,
    TLearner,
    TransformedOutcome,
    XLearner,
    default_classifier,
)
from uplift.model_selection import train_test_split

SEEDS = range(5)
N_JOBS = [2]  # threads of every boosted model; set by --n-jobs


def splits(y: np.ndarray, treatment: np.ndarray):
    rows = np.arange(len(y))
    for seed in SEEDS:
        train, test = train_test_split(rows, treatment=treatment, y=y, test_size=0.3, random_state=seed)
        yield seed, train, test


def scores(y: np.ndarray, score: np.ndarray, treatment: np.ndarray) -> tuple[float, float, float]:
    from sklift.metrics import qini_auc_score, uplift_at_k, uplift_auc_score

    return (float(qini_auc_score(y, score, treatment=treatment)), float(uplift_auc_score(y, score,
                                                                                         treatment=treatment)),
            float(uplift_at_k(y, score, treatment=treatment, strategy="overall", k=0.3)))


def ours(seed: int) -> dict[str, Any]:
    known = {"propensity": 0.5, "random_state": seed, "n_jobs": N_JOBS[0]}
    return {
        "uplift SLearner (default)": SLearner(random_state=seed, n_jobs=N_JOBS[0]),
        "uplift SLearner(interactions)": SLearner(interactions=True, random_state=seed, n_jobs=N_JOBS[0]),
        "uplift TLearner": TLearner(random_state=seed, n_jobs=N_JOBS[0]),
        "uplift XLearner": XLearner(**known),
        "uplift RLearner": RLearner(**known),
        "uplift DRLearner": DRLearner(**known),
        "uplift ClassTransformation": ClassTransformation(random_state=seed),
        "uplift TransformedOutcome": TransformedOutcome(**known),
    }


def peers(seed: int) -> dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]]:
    """Fit-and-predict functions of the peers: (X_train, y_train, t_train, X_test) -> effect."""
    from causalml.inference import meta
    from lightgbm import LGBMClassifier
    from sklift import models as sk
    from xgboost import XGBClassifier, XGBRegressor

    def xgb() -> XGBClassifier:
        return XGBClassifier(random_state=seed, n_jobs=N_JOBS[0])

    def xgb_regressor() -> XGBRegressor:
        return XGBRegressor(random_state=seed, n_jobs=N_JOBS[0])

    lightgbm = LGBMClassifier(random_state=seed, verbose=-1, n_jobs=N_JOBS[0])

    def sklift(model: Any) -> Callable:
        return lambda X, y, t, X_test: model.fit(X, y, t).predict(X_test)

    def causalml(model: Any) -> Callable:
        def run(X, y, t, X_test):
            p_train, p_test = np.full(len(y), 0.5), np.full(len(X_test), 0.5)
            fitted = model.fit(X, treatment=t, y=y, p=p_train) if needs_p(model) else model.fit(X, treatment=t, y=y)
            out = fitted.predict(X_test, p=p_test) if needs_p(model) else fitted.predict(X_test)
            return np.ravel(out)
        return run

    def needs_p(model: Any) -> bool:
        return isinstance(model, meta.BaseXLearner | meta.BaseRLearner | meta.BaseDRLearner)

    return {
        "sklift SoloModel (LightGBM)": sklift(sk.SoloModel(lightgbm)),
        "sklift SoloModel (XGBoost)": sklift(sk.SoloModel(xgb())),
        "sklift TwoModels (XGBoost)": sklift(sk.TwoModels(xgb(), xgb(), method="vanilla")),
        "sklift ClassTransformation (XGBoost)": sklift(sk.ClassTransformation(xgb())),
        "causalml S (XGBoost)": causalml(meta.BaseSClassifier(learner=xgb())),
        "causalml T (XGBoost)": causalml(meta.BaseTClassifier(learner=xgb())),
        "causalml X (XGBoost)": causalml(meta.BaseXClassifier(
            outcome_learner=xgb(), effect_learner=xgb_regressor())),
        "causalml R (XGBoost)": causalml(meta.BaseRClassifier(
            outcome_learner=xgb(), effect_learner=xgb_regressor(), random_state=seed)),
        "causalml DR (XGBoost)": causalml(meta.BaseDRClassifier(
            learner=xgb(), treatment_effect_learner=xgb_regressor())),
    }


def compare() -> pd.DataFrame:
    data = load_hillstrom(outcome="visit", arms="womens")
    X, y, treatment = data.X.to_numpy(), data.y, data.treatment
    rows: list[dict[str, Any]] = []
    for seed, train, test in splits(y, treatment):
        candidates: dict[str, Callable] = {
            name: (lambda Xa, ya, ta, Xt, m=model: m.fit(Xa, ya, treatment=ta).predict(Xt))
            for name, model in ours(seed).items()
        }
        candidates.update(peers(seed))
        for name, run in candidates.items():
            started = time.perf_counter()
            effect = run(X[train], y[train], treatment[train], X[test])
            qini, auuc, at30 = scores(y[test], effect, treatment[test])
            rows.append({"model": name, "seed": seed, "qini_auc": qini, "uplift_auc": auuc, "uplift@30%": at30,
                         "seconds": time.perf_counter() - started})
            print(f"seed {seed} {name}: qini_auc {qini:.4f}", file=sys.stderr, flush=True)
    return pd.DataFrame(rows)


def summarise(frame: pd.DataFrame) -> pd.DataFrame:
    order = list(dict.fromkeys(frame["model"]))
    grouped = frame.groupby("model")
    table = pd.DataFrame({
        metric: grouped[metric].mean().map("{:.4f}".format) + " ± " + grouped[metric].std().map("{:.4f}".format)
        for metric in ("qini_auc", "uplift_auc", "uplift@30%")
    })
    table["fit+predict s"] = grouped["seconds"].mean().map("{:.1f}".format)
    return table.loc[order]


GRID = [
    {"max_depth": 3, "learning_rate": 0.05, "n_estimators": 200},
    {"max_depth": 2, "learning_rate": 0.05, "n_estimators": 200},
    {"max_depth": 4, "learning_rate": 0.05, "n_estimators": 200},
    {"max_depth": 3, "learning_rate": 0.1, "n_estimators": 200},
    {"max_depth": 3, "learning_rate": 0.1, "n_estimators": 300},
    {"max_depth": 3, "learning_rate": 0.1, "n_estimators": 400},
    {"max_depth": 3, "learning_rate": 0.05, "n_estimators": 400},
    {"max_depth": 2, "learning_rate": 0.1, "n_estimators": 400},
    {"max_depth": 2, "learning_rate": 0.2, "n_estimators": 400},
    {"max_depth": 3, "learning_rate": 0.05, "n_estimators": 200, "min_child_weight": 50.0},
]


def choose_defaults() -> pd.DataFrame:
    """Score each XGBoost setting on Hillstrom and synthetic data; rank by the average rank."""
    from sklift.metrics import qini_auc_score

    data = load_hillstrom(outcome="visit", arms="womens")
    X, y, treatment = data.X.to_numpy(), data.y, data.treatment
    train_synthetic = make_uplift_classification(20_000, random_state=1)
    test_synthetic = make_uplift_classification(20_000, random_state=2)
    rows = []
    for setting in GRID:  # each setting through default_classifier(params=): the defaults are never touched

        def learner(seed: int, setting: dict[str, Any] = setting) -> SLearner:
            return SLearner(default_classifier(seed, params=setting, n_jobs=N_JOBS[0]), random_state=seed)

        hillstrom = [
            scores(y[test], learner(seed).fit(X[train], y[train], treatment=treatment[train])
                   .predict(X[test]), treatment[test])[0]
            for seed, train, test in splits(y, treatment)
        ]
        effect = learner(0).fit(train_synthetic.X, train_synthetic.y,
                                treatment=train_synthetic.treatment).predict(test_synthetic.X)
        rows.append({**setting, "hillstrom qini_auc": np.mean(hillstrom), "hillstrom sd": np.std(hillstrom),
                     "synthetic corr(tau)": np.corrcoef(effect, test_synthetic.tau)[0, 1],
                     "synthetic qini_auc": qini_auc_score(test_synthetic.y, effect,
                                                          treatment=test_synthetic.treatment)})
    frame = pd.DataFrame(rows)
    frame["average rank"] = (frame["hillstrom qini_auc"].rank(ascending=False)
                             + frame["synthetic corr(tau)"].rank(ascending=False)) / 2
    return frame.sort_values("average rank")


def markdown(frame: pd.DataFrame, index: bool = True) -> str:
    """A pipe table (pandas' to_markdown needs the optional tabulate package)."""
    frame = frame.reset_index() if index else frame
    cells = [[str(c) for c in frame.columns]] + [[str(v) for v in row] for row in frame.to_numpy()]
    lines = ["| " + " | ".join(row) + " |" for row in cells]
    lines.insert(1, "|" + "---|" * len(frame.columns))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--choose-defaults", action="store_true", help="run the default-setting experiment")
    parser.add_argument("--n-jobs", type=int, default=None, help="threads per boosted model (default: all cores)")
    args = parser.parse_args()
    if args.n_jobs is not None:
        N_JOBS[0] = args.n_jobs  # passed to our learners' n_jobs and to the peers' models
    warnings.simplefilter("ignore")  # peers' deprecation warnings would drown the table
    started = time.perf_counter()
    if args.choose_defaults:
        print(markdown(choose_defaults().round(4), index=False))
    else:
        print(markdown(summarise(compare())))
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
