"""Save/load time and size on disk of every learner with uplift.io, beside joblib on the same object.

Each learner is fitted once on ``make_uplift_classification(rows)`` (10 features, binary outcome,
one treated arm) with its default base models (XGBoost, 300 trees of depth 3; the default
logistic propensity pipeline where a learner estimates one), optionally with
``Bootstrap(n_resamples=B)``. Then, interleaved and ``--repeat`` times (fastest kept, the usual
way to read timings on a noisy machine):

* ``uplift.io.save`` to a folder and to a ``.zip``, ``uplift.io.load`` of each;
* ``joblib.dump`` / ``joblib.load`` of the same learner (uncompressed, joblib's default).

joblib appears only here, as the yardstick users know (it is a pickle: loading one runs code from
the file; uplift.io never uses it). Predictions after each load are checked to equal the
original's bit for bit. Size is the bytes on disk (all files of the folder; the zip; the joblib file).

Usage::

    .venv/bin/python benchmarks/bench_io.py --rows 100000
    .venv/bin/python benchmarks/bench_io.py --rows 100000 --learners T DR --bootstrap 20
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import joblib
import numpy as np

LEARNERS = ["S", "T", "X", "R", "DR", "CT", "TO"]


def make(name: str) -> Any:
    from uplift import learners

    classes = {"S": learners.SLearner, "T": learners.TLearner, "X": learners.XLearner, "R": learners.RLearner,
               "DR": learners.DRLearner, "CT": learners.ClassTransformation, "TO": learners.TransformedOutcome}
    return classes[name](random_state=0)


def size_of(path: Path) -> int:
    if path.is_dir():
        return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())
    return path.stat().st_size


def timed(function: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def measure(learner: Any, X: Any, folder: Path, repeat: int) -> dict[str, float]:
    from uplift import io

    expected = learner.predict(X)
    best: dict[str, float] = {}

    def keep(key: str, seconds: float) -> None:
        best[key] = min(best.get(key, np.inf), seconds)

    for _ in range(repeat):
        for name in ("model", "model.zip", "model.joblib"):
            target = folder / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            kind = "joblib" if name.endswith(".joblib") else ("zip" if name.endswith(".zip") else "dir")
            if kind == "joblib":
                seconds, _ = timed(lambda target=target: joblib.dump(learner, target))
                keep("joblib_save", seconds)
                seconds, loaded = timed(lambda target=target: joblib.load(target))
                keep("joblib_load", seconds)
            else:
                seconds, _ = timed(lambda target=target: io.save(learner, target))
                keep(f"{kind}_save", seconds)
                seconds, loaded = timed(lambda target=target: io.load(target))
                keep(f"{kind}_load", seconds)
            if not np.array_equal(loaded.predict(X), expected):
                raise AssertionError(f"predictions differ after loading {name}")
            best[f"{kind}_bytes"] = size_of(target)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--learners", nargs="+", default=LEARNERS, choices=LEARNERS)
    parser.add_argument("--bootstrap", type=int, default=0, help="bootstrap resamples (0: no inference)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from uplift.datasets import make_uplift_classification
    from uplift.learners import Bootstrap

    data = make_uplift_classification(args.rows, random_state=0)
    inference = Bootstrap(args.bootstrap, random_state=0) if args.bootstrap else None
    print(f"rows={args.rows} bootstrap={args.bootstrap} repeat={args.repeat} (fastest of repeats)\n")
    print("| learner | fit s | save dir s | save zip s | joblib dump s | load dir s | load zip s | joblib load s "
          "| dir MB | zip MB | joblib MB | load dir / joblib |")
    print("|---|" + "---:|" * 11)
    for name in args.learners:
        with tempfile.TemporaryDirectory() as folder:
            learner = make(name)
            fit_seconds, _ = timed(lambda learner=learner: learner.fit(data.X, data.y, treatment=data.treatment,
                                                                      inference=inference))
            r = measure(learner, data.X, Path(folder), args.repeat)
        mb = 1e6
        print(f"| {name} | {fit_seconds:.1f} | {r['dir_save']:.3f} | {r['zip_save']:.3f} | {r['joblib_save']:.3f} "
              f"| {r['dir_load']:.3f} | {r['zip_load']:.3f} | {r['joblib_load']:.3f} | {r['dir_bytes'] / mb:.2f} "
              f"| {r['zip_bytes'] / mb:.2f} | {r['joblib_bytes'] / mb:.2f} | {r['dir_load'] / r['joblib_load']:.1f} |",
              flush=True)


if __name__ == "__main__":
    main()
