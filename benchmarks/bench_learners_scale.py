"""Cost at scale: fit + predict wall time and peak memory of each learner, beside the raw
base-model fits it wraps and beside causalml's equivalent, in one run.

Data: :func:`uplift.datasets.make_criteo_like` (12 float32 features, 85% treated, visits about
4.7%). Every case runs in its own child process (a fresh interpreter that builds the same data
with the same seed), so that its peak RSS (``resource.getrusage``: ``ru_maxrss``) is its own.
"fit MiB" is that peak minus the RSS just before fitting (interpreter, imported libraries and
data), i.e. the memory the fit itself adds; causalml's import alone weighs about 150 MiB.
Base models: :func:`uplift.learners.default_classifier` / ``default_regressor`` everywhere; the
design propensity 0.85 is passed where a learner uses one (it is an experiment). "raw" is the same
sequence of base-model fits and predictions written by hand with numpy (the floor any wrapper
pays); its ratio to ours is the overhead of the package.

Usage::

    .venv/bin/python benchmarks/bench_learners_scale.py --sizes 100000 1000000
    .venv/bin/python benchmarks/bench_learners_scale.py --sizes 100000 --learners S T --n-jobs 1 --repeat 3

With one thread per model the CPU time of a case is its work, whatever else the machine runs;
on a shared machine read the CPU ratio, the wall-clock one is as noisy as the neighbours.

``--repeat k`` runs every case k times (interleaved: raw, ours, causalml, raw, ...) and keeps the
fastest time and the smallest peak of each, the usual way to read timings on a noisy machine.

``--n-jobs`` sets the threads of every XGBoost model in every case alike (default: all cores). On
a shared, oversubscribed machine use 1: two OpenMP threads that wait for each other at every
barrier made one fit 9x slower there.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import subprocess
import sys
import time
from typing import Any

import numpy as np

LEARNERS = ["S", "T", "X", "R", "DR", "CT", "TO"]
CAUSALML = {"S", "T", "X", "R", "DR"}
PROPENSITY = 0.85


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _current_mib() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024.0


# -- the cases (run in the child) ---------------------------------------------------------------------
def ours(name: str, X: Any, y: np.ndarray, t: np.ndarray, n_jobs: int | None) -> np.ndarray:
    from uplift import learners

    known = {"propensity": PROPENSITY, "random_state": 0, "n_jobs": n_jobs}
    learner = {
        "S": lambda: learners.SLearner(random_state=0, n_jobs=n_jobs),
        "T": lambda: learners.TLearner(random_state=0, n_jobs=n_jobs),
        "X": lambda: learners.XLearner(**known),
        "R": lambda: learners.RLearner(**known),
        "DR": lambda: learners.DRLearner(**known),
        "CT": lambda: learners.ClassTransformation(**known),
        "TO": lambda: learners.TransformedOutcome(**known),
    }[name]()
    return learner.fit(X, y, treatment=t).predict(X)


def raw(name: str, X: Any, y: np.ndarray, t: np.ndarray, n_jobs: int | None) -> np.ndarray:
    """The same base-model fits as our learner, by hand."""
    from sklearn.model_selection import StratifiedKFold

    from uplift.learners import default_classifier, default_regressor
    from uplift.model_selection import uplift_strata

    X = X.to_numpy()
    e = PROPENSITY

    def proba(model: Any, Z: np.ndarray) -> np.ndarray:
        return model.predict_proba(Z)[:, 1]

    def arm_models(rows_X: np.ndarray, rows_y: np.ndarray, rows_t: np.ndarray) -> list[Any]:
        return [default_classifier(0, n_jobs=n_jobs).fit(rows_X[rows_t == k], rows_y[rows_t == k]) for k in (0, 1)]

    if name == "S":
        model = default_classifier(0, n_jobs=n_jobs).fit(np.hstack([t[:, None].astype(X.dtype), X]), y)
        ones, zeros = np.ones((len(y), 1), X.dtype), np.zeros((len(y), 1), X.dtype)
        return proba(model, np.hstack([ones, X])) - proba(model, np.hstack([zeros, X]))
    if name == "T":
        mu0, mu1 = arm_models(X, y, t)
        return proba(mu1, X) - proba(mu0, X)
    if name == "X":
        mu0, mu1 = arm_models(X, y, t)
        X0, X1 = X[t == 0], X[t == 1]
        tau0 = default_regressor(0, n_jobs=n_jobs).fit(X0, proba(mu1, X0) - y[t == 0])
        tau1 = default_regressor(0, n_jobs=n_jobs).fit(X1, y[t == 1] - proba(mu0, X1))
        return e * tau0.predict(X) + (1 - e) * tau1.predict(X)
    if name in ("R", "DR"):
        mu = np.empty((len(y), 2))
        folds = StratifiedKFold(3, shuffle=True, random_state=0).split(X, uplift_strata(y,
            treatment=t))  # the learners' key
        for train, test in folds:
            for k, model in enumerate(arm_models(X[train], y[train], t[train])):
                mu[test, k] = proba(model, X[test])
        if name == "R":
            target, weight = (y - (e * mu[:, 1] + (1 - e) * mu[:, 0])) / (t - e), (t - e) ** 2
        else:
            target = mu[:, 1] - mu[:, 0] + t * (y - mu[:, 1]) / e - (1 - t) * (y - mu[:, 0]) / (1 - e)
            weight = None
        return default_regressor(0, n_jobs=n_jobs).fit(X, target, sample_weight=weight).predict(X)
    control = default_classifier(0, n_jobs=n_jobs).fit(X[t == 0], y[t == 0])  # the control model of predict_outcomes
    del control
    if name == "CT":
        z = np.where(t == 1, y, 1 - y)
        weight = np.where(t == 1, 0.5 / e, 0.5 / (1 - e))
        return 2 * proba(default_classifier(0, n_jobs=n_jobs).fit(X, z, sample_weight=weight), X) - 1
    transformed = y * (t - e) / (e * (1 - e))
    return default_regressor(0, n_jobs=n_jobs).fit(X, transformed).predict(X)


def causalml(name: str, X: Any, y: np.ndarray, t: np.ndarray, n_jobs: int | None) -> np.ndarray:
    from causalml.inference import meta

    from uplift.learners import default_classifier, default_regressor

    p = np.full(len(y), PROPENSITY)
    clf, reg = default_classifier(0, n_jobs=n_jobs), default_regressor(0, n_jobs=n_jobs)
    if name == "S":
        return meta.BaseSClassifier(learner=clf).fit(X, treatment=t, y=y).predict(X)
    if name == "T":
        return meta.BaseTClassifier(learner=clf).fit(X, treatment=t, y=y).predict(X)
    if name == "X":
        model = meta.BaseXClassifier(outcome_learner=clf, effect_learner=reg)
        return model.fit(X, treatment=t, y=y, p=p).predict(X, p=p)
    if name == "R":
        model = meta.BaseRClassifier(outcome_learner=clf, effect_learner=reg, random_state=0)
        return model.fit(X, treatment=t, y=y, p=p).predict(X)
    model = meta.BaseDRClassifier(learner=clf, treatment_effect_learner=reg)
    return model.fit(X, treatment=t, y=y, p=p, seed=0).predict(X)


def child(kind: str, name: str, n_samples: int, n_jobs: int | None) -> None:
    import warnings

    from uplift.datasets import make_criteo_like

    warnings.simplefilter("ignore")
    import sklearn.model_selection  # noqa: F401  (imports of every case, before the baseline)
    import xgboost  # noqa: F401

    if kind == "causalml":
        importlib.import_module("causalml.inference.meta")
    data = make_criteo_like(n_samples, random_state=0)
    y, t = np.asarray(data.y, dtype=np.float64), np.asarray(data.treatment, dtype=np.int64)
    data_mib = _current_mib()  # interpreter, libraries and data: what every case holds before fitting
    started, started_cpu = time.perf_counter(), time.process_time()
    case = {"ours": ours, "raw": raw, "causalml": causalml}[kind]
    effect = case(name, data.X, y, t, n_jobs)  # n_jobs reaches every base model of every case
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    corr = float(np.corrcoef(np.ravel(effect), data.tau)[0, 1])
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mib": _peak_mib(), "data_mib": data_mib, "corr": corr}))


# -- the parent ---------------------------------------------------------------------------------------
def run_case(kind: str, name: str, n_samples: int, n_jobs: int | None) -> dict[str, float]:
    extra = [] if n_jobs is None else ["--n-jobs", str(n_jobs)]
    out = subprocess.run([sys.executable, __file__, "--child", kind, name, str(n_samples), *extra],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--learners", nargs="+", default=LEARNERS, choices=LEARNERS)
    parser.add_argument("--n-jobs", type=int, default=None, help="threads per XGBoost model (default: all cores)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case; the minimum is kept")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]), args.n_jobs)
        return
    print("| rows | learner | ours s | raw s | ours/raw | causalml s | causalml/raw | ours MiB | raw MiB "
          "| ours/raw | causalml MiB | causalml/raw | fit MiB ours / raw / causalml "
          "| CPU s ours / raw / causalml | CPU ours/raw | corr(tau) |")
    print("|" + "---|" * 16)
    for n_samples in args.sizes:
        for name in args.learners:
            kinds = ["raw", "ours", "causalml"] if name in CAUSALML else ["raw", "ours"]
            runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
            for _ in range(args.repeat):
                for kind in kinds:
                    runs[kind].append(run_case(kind, name, n_samples, args.n_jobs))
            best = {kind: {key: min(run[key] for run in results) for key in results[0]}
                    for kind, results in runs.items()}
            base, mine, peer = best["raw"], best["ours"], best.get("causalml")
            peer_cells = (["n/a"] * 4 if peer is None else
                          [f"{peer['seconds']:.1f}", f"{peer['seconds'] / base['seconds']:.2f}",
                           f"{peer['peak_mib']:.0f}", f"{peer['peak_mib'] / base['peak_mib']:.2f}"])
            cells = [f"{n_samples:,}", name, f"{mine['seconds']:.1f}", f"{base['seconds']:.1f}",
                     f"{mine['seconds'] / base['seconds']:.2f}", *peer_cells[:2], f"{mine['peak_mib']:.0f}",
                     f"{base['peak_mib']:.0f}", f"{mine['peak_mib'] / base['peak_mib']:.2f}", *peer_cells[2:],
                     " / ".join(f"{r['peak_mib'] - r['data_mib']:.0f}" if r else "n/a" for r in (mine, base, peer)),
                     " / ".join(f"{r['cpu']:.1f}" if r else "n/a" for r in (mine, base, peer)),
                     f"{mine['cpu'] / base['cpu']:.2f}", f"{mine['corr']:.3f}"]
            print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
