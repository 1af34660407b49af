"""Benchmark runner: learners (ours and peers) on public data sets, honest splits, intervals, resumable.

A TOML config names data sets, learners, seeds, folds and metrics (see ``docs/benchmark.md``);
:func:`run_benchmark` runs every (data set, learner, seed, fold) task and appends each finished
one to ``results.jsonl``; :func:`summarize` regenerates ``summary.md``, ``summary.csv`` and the
figures from that file. The CLI is ``uplift benchmark CONFIG``.
"""

from __future__ import annotations

from ._config import BenchmarkConfig, DatasetSpec, LearnerSpec, load_config, parse_config
from ._learners import LEARNERS, RandomScores, build_learner
from ._metrics import compute_fold_scores, parse_metrics
from ._runner import BenchmarkRun, load_benchmark_dataset, make_splits, run_benchmark
from ._store import ResultsStore
from ._summary import aggregate, summarize

__all__ = [
    "LEARNERS",
    "BenchmarkConfig",
    "BenchmarkRun",
    "DatasetSpec",
    "LearnerSpec",
    "RandomScores",
    "ResultsStore",
    "aggregate",
    "build_learner",
    "compute_fold_scores",
    "load_benchmark_dataset",
    "load_config",
    "make_splits",
    "parse_config",
    "parse_metrics",
    "run_benchmark",
    "summarize",
]
