"""Why one learner can take minutes on a busy machine: OpenMP threads that spin while they wait.

Fits every learner on ``make_uplift_classification(N, n_arms=3)`` (default 60,000 rows, three
treated arms, the default XGBoost base models on all cores) in a fresh child process, once with
``OMP_WAIT_POLICY`` unset (OpenMP's default: waiting threads spin) and once with
``OMP_WAIT_POLICY=PASSIVE`` (waiting threads sleep), and prints wall and CPU time per fit.
Interleaved, so both settings see the same neighbours.

Learners that fit many small base models (R and DR: folds x arms outcome models plus the effect
models) cross many OpenMP barriers; when another process holds the cores, every spinning thread
burns its time slice waiting for a thread that is not running, and the fit crawls.

Usage::

    .venv/bin/python benchmarks/bench_learners_threads.py                  # 60,000 rows, T X R DR
    .venv/bin/python benchmarks/bench_learners_threads.py --rows 20000 --learners T R
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CHILD = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
from uplift import learners
from uplift.datasets import make_uplift_classification
data = make_uplift_classification({rows}, n_arms=3, random_state=0)
learner = getattr(learners, "{name}")(random_state=0)
wall, cpu = time.perf_counter(), time.process_time()
learner.fit(data.X, data.y, treatment=data.treatment)
print(json.dumps({{"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}}))
"""

NAMES = {"S": "SLearner", "T": "TLearner", "X": "XLearner", "R": "RLearner", "DR": "DRLearner"}


def run(name: str, rows: int, policy: str | None) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if policy is not None:
        env["OMP_WAIT_POLICY"] = policy
    code = CHILD.format(rows=rows, name=NAMES[name])
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--learners", nargs="+", default=["T", "X", "R", "DR"], choices=sorted(NAMES))
    args = parser.parse_args()
    print(f"{args.rows:,} rows x 3 treated arms, default XGBoost base models on {os.cpu_count()} cores")
    print("| learner | wait policy | wall s | CPU s |")
    print("|---|---|---|---|")
    for name in args.learners:
        for policy in (None, "PASSIVE"):
            result = run(name, args.rows, policy)
            print(f"| {name} | {policy or 'unset (spin)'} | {result['wall']:.1f} | {result['cpu']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
