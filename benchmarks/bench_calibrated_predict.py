"""CalibratedLearner: one prediction per fold model instead of two, and predict equal to the outcomes' differences.

Before, each of the ``n_repeats`` models that ``CalibratedLearner.predict_outcomes`` averages was
asked for ``predict`` and then for ``predict_outcomes`` (two full passes over its base models), and
so was every fold model at fit; ``predict`` returned the calibrated effects, which differ from the
differences of ``predict_outcomes`` by about 1e-16. After, every model is asked once
(``BaseUpliftLearner._predict_outcomes_and_effects``) and ``predict`` is exactly
``outcomes[:, 1:] - outcomes[:, :1]``.

The script runs two source trees side by side, alternating, each in its own process (``--before``:
a folder holding the old ``uplift/``, by default commit ``--before-commit`` of this repository taken
out with ``git archive``; ``--after``: this checkout), on
:func:`uplift.datasets.make_uplift_classification` (10,000 rows, 6 features, 3 treated arms) with
``CalibratedLearner(TLearner(random_state=0, n_jobs=1))`` (the defaults: 5 folds × ``n_repeats``,
3 repeats up to commit 0eec1fb and 6 after it, so 15 or 30 T-learner fits of 4 XGBoost models), and
prints the fastest time of each phase, the ratio, and how far the results moved between the trees
(largest absolute difference of ``cross_fit_.outcomes``, ``predict_outcomes`` and ``predict``; the
in-sample Qini of each arm's ``predict``, which treats tied effects as one block; the number of
distinct calibrated effects; whether ``predict`` equals the outcomes' differences bit for bit).

Usage::

    OMP_NUM_THREADS=1 nice python benchmarks/bench_calibrated_predict.py --rounds 3   # before: commit db83cc8
    OMP_NUM_THREADS=1 nice python benchmarks/bench_calibrated_predict.py --before /tmp/before
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from uplift.datasets import make_uplift_classification
from uplift.evaluation import qini_auc_score

#: The last commit before the change: predict and predict_outcomes asked separately, predict unrounded.
BEFORE_COMMIT = "db83cc8"

CHILD = """
import json, sys, time
import numpy as np
import uplift
from uplift.datasets import make_uplift_classification
from uplift.learners import CalibratedLearner, TLearner

data = make_uplift_classification({n}, 6, n_arms=3, random_state=0)
learner = CalibratedLearner(TLearner(random_state=0, n_jobs=1))
start = time.perf_counter()
learner.fit(data.X, data.y, treatment=data.treatment)
fit = time.perf_counter() - start
start = time.perf_counter()
outcomes = learner.predict_outcomes(data.X)
predict_outcomes = time.perf_counter() - start
start = time.perf_counter()
effects = learner.predict(data.X)
predict = time.perf_counter() - start
assert uplift.__file__.startswith(sys.argv[2]), uplift.__file__
np.savez(sys.argv[1], cross_fit=learner.cross_fit_.outcomes, outcomes=outcomes, effects=effects)
print(json.dumps({{"fit": fit, "predict_outcomes": predict_outcomes, "predict": predict}}))
"""


def _checkout(repository: Path, commit: str, folder: Path) -> Path:
    """The package ``uplift/`` as it was at ``commit``, written under ``folder``."""
    archive = subprocess.run(["git", "-C", str(repository), "archive", "--format=tar", commit, "uplift"],
                             capture_output=True, check=True).stdout
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def _run(tree: Path, n: int, output: Path) -> dict[str, float]:
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    # run from the output's folder: ``python -c`` puts the working directory first on sys.path
    finished = subprocess.run([sys.executable, "-c", CHILD.format(n=n), str(output), str(tree)], env=environment,
                              cwd=output.parent, capture_output=True, text=True, check=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="source tree holding the old uplift/ (default: --before-commit)")
    parser.add_argument("--before-commit", default=BEFORE_COMMIT, help="commit taken out when --before is not given")
    parser.add_argument("--after", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--n", type=int, default=10_000)
    arguments = parser.parse_args()
    times: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as folder:
        before = arguments.before or _checkout(arguments.after, arguments.before_commit, Path(folder) / "before")
        trees = {"before": before.resolve(), "after": arguments.after.resolve()}
        for round_number in range(arguments.rounds):
            order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
            for name in order:
                times[name].append(_run(trees[name], arguments.n, Path(folder) / f"{name}.npz"))
        results = {name: dict(np.load(Path(folder) / f"{name}.npz")) for name in trees}
    print(f"CalibratedLearner(TLearner(random_state=0, n_jobs=1)), {arguments.n:,} rows x 6 features, 3 treated "
          f"arms; fastest of {arguments.rounds} rounds (s)\n")
    print("| phase | before | after | after / before |")
    print("|---|---|---|---|")
    for phase in ("fit", "predict_outcomes", "predict"):
        before = min(run[phase] for run in times["before"])
        after = min(run[phase] for run in times["after"])
        print(f"| {phase} | {before:.3f} | {after:.3f} | {after / before:.2f} |")
    print("\n| array | largest absolute difference, after - before |")
    print("|---|---|")
    for key in ("cross_fit", "outcomes", "effects"):
        print(f"| {key} | {np.abs(results['after'][key] - results['before'][key]).max():.3g} |")
    print()
    data = make_uplift_classification(arguments.n, 6, n_arms=3, random_state=0)
    for name, result in results.items():  # Qini (in-sample) of each arm's predict: ties are blocks
        qini = []
        for k in range(result["effects"].shape[1]):
            rows = np.isin(data.treatment, [0, k + 1])
            treated = (data.treatment[rows] == k + 1).astype(int)
            qini.append(qini_auc_score(data.y[rows], result["effects"][rows, k], treatment=treated))
        print(f"{name}: Qini AUC of predict per arm {[f'{value:.6f}' for value in qini]}")
    for name, result in results.items():
        differences = result["outcomes"][:, 1:] - result["outcomes"][:, :1]
        distinct = [len(np.unique(result["effects"][:, k])) for k in range(result["effects"].shape[1])]
        print(f"{name}: predict == outcome differences bit for bit: {np.array_equal(result['effects'], differences)}; "
              f"largest gap {np.abs(result['effects'] - differences).max():.3g}; distinct predict values per arm "
              f"{distinct}, distinct outcome differences {[len(np.unique(d)) for d in differences.T]}")


if __name__ == "__main__":
    main()
