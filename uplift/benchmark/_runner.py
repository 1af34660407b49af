"""Run a benchmark: every (data set, learner, seed, fold) task, resumable, one result line per task."""

from __future__ import annotations

import inspect
import json
import logging
import os
import platform
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result
from ..datasets import DATASETS, UpliftDataset, load_dataset, load_table
from ..exceptions import UpliftInputError
from ..model_selection import UpliftStratifiedGroupKFold, UpliftStratifiedKFold, UpliftTimeSeriesSplit
from ..validation import check_outcome, check_treatment
from ._config import BenchmarkConfig, DatasetSpec, _hash
from ._integrity import check_same_data, data_fingerprint, output_lock
from ._learners import build_learner
from ._metrics import compute_fold_scores, parse_metrics
from ._store import RESULT_FIELDS, ResultsStore, task_key, write_atomic

__all__ = ["BenchmarkRun", "load_benchmark_dataset", "make_splits", "run_benchmark"]

logger = logging.getLogger(__name__)

#: Called after each task with (tasks done, tasks in total, description of the task).
ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True, repr=False)
class BenchmarkRun(Result):
    """What :func:`run_benchmark` did.

    Attributes
    ----------
    output_dir : Path
        The results folder.
    n_tasks, n_run, n_skipped : int
        Tasks of the config, run now, and already in the results (skipped on ``resume``).
    failures : tuple of str
        One line per learner/data set pair that failed (its remaining tasks were not run).
    keys : frozenset of str
        Keys of the config's tasks (to summarise only them).

    See Also
    --------
    run_benchmark : Returns it.
    summarize : The tables of the results.
    """

    output_dir: Path
    n_tasks: int
    n_run: int = 0
    n_skipped: int = 0
    failures: tuple[str, ...] = ()
    keys: frozenset[str] = frozenset()

    def summary(self) -> pd.DataFrame:
        """One row: ``output_dir, n_tasks, n_run, n_skipped, n_failures``.

        Returns
        -------
        DataFrame
            One row.
        """
        return pd.DataFrame([{"output_dir": str(self.output_dir), "n_tasks": self.n_tasks, "n_run": self.n_run,
                              "n_skipped": self.n_skipped, "n_failures": len(self.failures)}])

    def __str__(self) -> str:
        return (f"{self.n_run} task(s) run, {self.n_skipped} already finished, {len(self.failures)} learner/data "
                f"set pair(s) failed; results in {self.output_dir}")

    def _headline(self) -> dict[str, Any]:
        return {"n_tasks": self.n_tasks, "n_run": self.n_run, "n_skipped": self.n_skipped,
                "n_failures": len(self.failures)}


def load_benchmark_dataset(spec: DatasetSpec, data_dir: Path | None = None) -> UpliftDataset:
    """Load the data set named by ``spec``; ``data_dir`` is passed as ``path=`` to loaders that read files.

    Without ``data_dir`` (and without ``path`` in the data set's params), file readers search the
    data home (``UPLIFT_DATA_HOME``, see :func:`uplift.datasets.data_home`).

    Parameters
    ----------
    spec : DatasetSpec
        A data set of the config: registry key and loader parameters.
    data_dir : Path, optional
        Folder of the reference files (``--data-dir``), passed as ``path=`` to file readers.

    Returns
    -------
    UpliftDataset
        Features, outcome, treatment and the raw ``frame``.

    Raises
    ------
    UpliftInputError
        The data set cannot be loaded; a missing file names ``--data-dir`` and ``UPLIFT_DATA_HOME``.

    See Also
    --------
    uplift.datasets.load_dataset : The registry it loads from.
    """
    if spec.table is not None:
        table = dict(spec.table)
        path = table.pop("path")
        try:
            return load_table(path, **table)
        except UpliftInputError as error:
            raise UpliftInputError(f"data set {spec.name!r}: {error}") from error
    if spec.key not in DATASETS:
        raise UpliftInputError(
            f"data set {spec.name!r}: unknown key {spec.key!r}; registered data sets are {sorted(DATASETS)}."
        )
    params = dict(spec.params)
    accepts_path = "path" in inspect.signature(DATASETS[spec.key].loader).parameters
    if data_dir is not None and accepts_path and "path" not in params and spec.key != "hillstrom":
        params["path"] = data_dir
    for name, value in params.items():  # arms = ["Neighbors"] in TOML -> tuple for the loader
        if isinstance(value, list):
            params[name] = tuple(value)
    try:
        return load_dataset(str(spec.key), **params)
    except UpliftInputError as error:
        raise UpliftInputError(f"data set {spec.name!r}: {error}") from error
    except FileNotFoundError as error:
        searched = getattr(error, "searched", str(error))  # without the loader's own advice (path=)
        where = f"--data-dir {data_dir}" if data_dir is not None else "the data home (UPLIFT_DATA_HOME)"
        raise UpliftInputError(
            f"data set {spec.name!r}: {searched}, searched from {where}. Pass --data-dir DIR (a folder holding "
            f"{spec.key}/), set UPLIFT_DATA_HOME=DIR, or give data_dir or params.path in the config."
        ) from error


def _split_kind(spec: DatasetSpec, data: UpliftDataset) -> str:
    if spec.split != "auto":
        return spec.split
    if data.groups is not None:
        return "grouped"
    if data.time is not None:
        return "temporal"
    return "stratified"


def make_splits(data: UpliftDataset, codes: np.ndarray, kind: str, n_folds: int, seed: int,
                name: str = "") -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation folds of ``data`` using :mod:`uplift.model_selection` splitters.

    ``kind`` is ``"stratified"`` (arm × outcome), ``"grouped"`` (no group in two folds) or
    ``"temporal"`` (train on earlier times, test on the next period). Every fold must contain
    every arm in its training and test rows; otherwise the error names the fold.

    Parameters
    ----------
    data : UpliftDataset
        The data set (its ``groups`` and ``time`` for grouped and temporal folds).
    codes : ndarray of int
        Arm code of each row (0 = control).
    kind : {"stratified", "grouped", "temporal"}
        The splitter.
    n_folds : int
        Number of folds.
    seed : int
        Seed of the folds.
    name : str, default ""
        Data set name, for error messages.

    Returns
    -------
    list of (ndarray, ndarray)
        ``(train, test)`` row indices of each fold.

    See Also
    --------
    uplift.model_selection.UpliftStratifiedKFold : The stratified splitter.
    """
    X = np.zeros((len(codes), 1))
    try:
        if kind == "stratified":
            return list(UpliftStratifiedKFold(n_folds, random_state=seed).split(X, data.y, treatment=codes))
        if kind == "grouped":
            if data.groups is None:
                raise UpliftInputError(f"data set {name!r}: split = \"grouped\" needs a group column (group = ...).")
            splitter = UpliftStratifiedGroupKFold(n_folds, random_state=seed)
            return list(splitter.split(X, data.y, groups=data.groups, treatment=codes))
        if data.time is None:
            raise UpliftInputError(f"data set {name!r}: split = \"temporal\" needs a time column (time = ...).")
        return list(UpliftTimeSeriesSplit(n_folds).split(X, data.y, treatment=codes, time=data.time))
    except UpliftInputError as error:
        raise UpliftInputError(f"data set {name!r}: {error}") from error


class _PeakMemory:
    """Peak resident memory (MiB) above the level at start, sampled every 10 ms (Linux /proc)."""

    def __init__(self) -> None:
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self._stop = threading.Event()
        self.peak_mib = float("nan")

    def _rss(self) -> int | None:
        try:
            with open("/proc/self/statm") as handle:
                return int(handle.read().split()[1]) * self._page
        except (OSError, ValueError, IndexError):
            return None

    def __enter__(self) -> _PeakMemory:
        self._start = self._rss()
        self._peak = self._start or 0
        if self._start is not None:
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.01):
            self._peak = max(self._peak, self._rss() or 0)

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._start is not None:
            self._thread.join()
            self._peak = max(self._peak, self._rss() or 0)
            self.peak_mib = (self._peak - self._start) / 2**20


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "machine": platform.machine(), "cpus": str(os.cpu_count())}
    for package in ("uplift", "numpy", "scikit-learn", "xgboost", "causalml", "scikit-uplift"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return out


def run_benchmark(
    config: BenchmarkConfig,
    *,
    output_dir: str | Path | None = None,
    resume: bool = False,
    progress: ProgressCallback | None = None,
) -> BenchmarkRun:
    """Run every task of ``config``, appending each finished one to ``output_dir/results.jsonl``.

    Parameters
    ----------
    config : BenchmarkConfig
    output_dir : path, optional
        Overrides ``config.output`` (default ``benchmark-results/<config name>``).
    resume : bool, default False
        Continue a run in ``output_dir``: finished tasks are skipped. Without it an existing
        ``results.jsonl`` is an error, so results of different runs never mix by accident. A data
        set whose content changed since its finished tasks ran is refused (each result line
        records a fingerprint of the data it was computed on).
    progress : callable, optional
        Called as ``progress(done, total, description)`` after every task (the CLI draws a bar).

    Returns
    -------
    BenchmarkRun
        Counts of tasks run and skipped, and the failures (a learner that cannot handle a data
        set, for example a binary-only method on a continuous outcome, is reported and skipped).

    Raises
    ------
    UpliftInputError
        ``results.jsonl`` exists without ``resume``, another run holds the folder's lock, a
        result line is unreadable, or a data set changed since a resumed run wrote its results.

    See Also
    --------
    load_config : Reads a TOML config.
    summarize : Tables and figures of the results.

    Notes
    -----
    Each task fits the learner on the training rows of one fold and predicts the test rows; the
    scores of every metric are computed on those test rows for every treated arm versus the
    control. Fit and predict time are wall-clock seconds; memory is the peak resident memory
    above the level before the fit, sampled every 10 ms.
    """
    output = Path(output_dir or config.output or Path("benchmark-results") / config.name)
    with output_lock(output):
        return _run_locked(config, output, resume, progress)


def _run_locked(config: BenchmarkConfig, output: Path, resume: bool,
                progress: ProgressCallback | None) -> BenchmarkRun:
    results_path = output / "results.jsonl"
    if results_path.exists() and results_path.stat().st_size > 0 and not resume:
        raise UpliftInputError(
            f"{results_path} already holds results; pass --resume (resume=True) to continue that run, or choose "
            "another --output folder."
        )
    specs = parse_metrics(config.metrics)
    for learner_spec in config.learners:  # fail fast on unknown keys and paths that do not import
        build_learner(learner_spec, random_state=0, allow_imports=config.allow_imports)
    store = ResultsStore(results_path, required=RESULT_FIELDS)
    recorded = {record["key"]: record.get("data") for record in store.records()} if len(store) else {}
    metadata: dict[str, Any] = {"config": config.name, "n_folds": config.n_folds, "seeds": list(config.seeds),
                                "metrics": list(config.metrics), "versions": _versions(), "datasets": {}}
    failures: list[str] = []
    keys: set[str] = set()
    done = n_run = n_skipped = 0
    for dataset_spec in config.datasets:
        data = load_benchmark_dataset(dataset_spec, config.data_dir)
        info = check_treatment(data.treatment, control_value=data.control_value, context=dataset_spec.name)
        y, _ = check_outcome(data.y, context=dataset_spec.name)
        codes = info.codes
        arm_labels = [str(data.arm_names.get(arm, arm)) for arm in info.arms.tolist()]
        kind = _split_kind(dataset_spec, data)
        X = data.X
        fingerprints = {learner_spec.name: _hash([dataset_spec.fingerprint(), learner_spec.fingerprint(),
                                                  config.n_folds, list(config.metrics), config.n_resamples, kind])
                        for learner_spec in config.learners}
        fingerprint_of_data = data_fingerprint(data)
        mine = [task_key(dataset_spec.name, learner, seed, fold, fingerprints[learner])
                for learner in fingerprints for seed in config.seeds for fold in range(config.n_folds)]
        check_same_data(dataset_spec.name, fingerprint_of_data, [recorded[k] for k in mine if k in recorded],
                        results_path)
        metadata["datasets"][dataset_spec.name] = fingerprint_of_data
        write_atomic(output / "run.json", json.dumps(metadata, indent=2) + "\n")  # once the data is checked
        for seed in config.seeds:
            splits = make_splits(data, codes, kind, config.n_folds, seed, dataset_spec.name)
            for learner_spec in config.learners:
                fingerprint = fingerprints[learner_spec.name]
                for fold, (train, test) in enumerate(splits):
                    key = task_key(dataset_spec.name, learner_spec.name, seed, fold, fingerprint)
                    keys.add(key)
                    done += 1
                    description = f"{dataset_spec.name} / {learner_spec.name} / seed {seed} / fold {fold + 1}"
                    if key in store:
                        n_skipped += 1
                    elif any(f.startswith(f"{dataset_spec.name} / {learner_spec.name}:") for f in failures):
                        pass
                    else:
                        record = _run_task(learner_spec, seed, fold, X, y, codes, train, test, specs, arm_labels,
                                           data, config, kind, failures, dataset_spec.name)
                        if record is not None:
                            record.update(key=key, dataset=dataset_spec.name, learner=learner_spec.name,
                                          seed=seed, fold=fold, split=kind, data=fingerprint_of_data)
                            store.append(record)
                            n_run += 1
                    if progress is not None:
                        progress(done, config.n_tasks, description)
    return BenchmarkRun(output_dir=output, n_tasks=config.n_tasks, n_run=n_run, n_skipped=n_skipped,
                        failures=tuple(failures), keys=frozenset(keys))


def _run_task(learner_spec: Any, seed: int, fold: int, X: Any, y: np.ndarray, codes: np.ndarray,
              train: np.ndarray, test: np.ndarray, specs: list[Any], arm_labels: list[str],
              data: UpliftDataset, config: BenchmarkConfig, kind: str, failures: list[str],
              dataset_name: str) -> dict[str, Any] | None:
    learner = build_learner(learner_spec, random_state=seed, allow_imports=config.allow_imports)
    logger.info("fitting %s on %s (seed %d, fold %d)", learner_spec.name, dataset_name, seed, fold + 1)
    try:
        with _PeakMemory() as memory, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            started = time.perf_counter()
            learner.fit(X.iloc[train], y[train], treatment=codes[train])
            fitted = time.perf_counter()
            effect = np.asarray(learner.predict(X.iloc[test]), dtype=np.float64)
            finished = time.perf_counter()
    except (UpliftInputError, ValueError, TypeError) as error:
        message = f"{dataset_name} / {learner_spec.name}: {type(error).__name__}: {error}"
        logger.warning("skipping %s", message)
        failures.append(message)
        return None
    if effect.shape[0] != len(test) or not np.isfinite(effect).all():
        message = f"{dataset_name} / {learner_spec.name}: predictions of shape {effect.shape} with non-finite values"
        failures.append(message)
        return None
    tau = None if data.tau is None else np.asarray(data.tau)[test]
    groups = None if data.groups is None else np.asarray(data.groups)[test]
    scores, curves = compute_fold_scores(specs, y[test], effect, codes[test], arm_labels, tau=tau, groups=groups,
                                         n_resamples=config.n_resamples, random_state=seed)
    return {
        "n_train": len(train), "n_test": len(test),
        "fit_seconds": round(fitted - started, 4), "predict_seconds": round(finished - fitted, 4),
        "peak_memory_mib": None if np.isnan(memory.peak_mib) else round(memory.peak_mib, 1),
        "scores": scores, "qini_curves": curves,
        "warnings": sorted({f"{w.category.__name__}: {str(w.message)[:200]}" for w in caught}),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
