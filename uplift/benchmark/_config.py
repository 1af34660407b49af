"""The benchmark configuration: a TOML file naming data sets, learners, seeds, folds and metrics."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .._literals import check_literal
from ..exceptions import UpliftInputError

__all__ = ["BenchmarkConfig", "DatasetSpec", "LearnerSpec", "SplitKind", "load_config", "parse_config"]

SplitKind = Literal["auto", "stratified", "grouped", "temporal"]

DEFAULT_METRICS = (
    "qini_auc:uplift", "qini_auc:sklift", "qini_auc:causalml", "uplift_auc:sklift", "uplift_at_k:0.3", "rate:AUTOC",
)
_TOP_KEYS = {"name", "seeds", "n_folds", "metrics", "output", "data_dir", "datasets", "learners", "n_bootstrap",
             "description"}
_TABLE_KEYS = {"path", "treatment", "outcome", "control_value", "features", "drop", "group", "time",
               "positive_outcome", "true_outcomes", "max_categories"}


def _hash(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class DatasetSpec:
    """One data set of a benchmark: a registry ``key`` with ``params``, or a :func:`load_table` spec.

    ``split`` chooses the cross-validation: ``"auto"`` is grouped when the data has groups,
    temporal when it has a time column, stratified by arm × outcome otherwise.
    """

    name: str
    key: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    table: dict[str, Any] | None = None
    split: SplitKind = "auto"

    def fingerprint(self) -> str:
        return _hash({"key": self.key, "params": self.params, "table": self.table, "split": self.split})


@dataclass(frozen=True)
class LearnerSpec:
    """One learner of a benchmark: a registry ``key`` or an import path ``module:Class``, with ``params``.

    A parameter given as a table with a ``class`` entry (and optional ``params``) is built as an
    object first, so base models can be configured:
    ``params = { outcome_model = { class = "sklearn.linear_model:LogisticRegression" } }``.
    """

    name: str
    key: str | None = None
    class_path: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def fingerprint(self) -> str:
        return _hash({"key": self.key, "class": self.class_path, "params": self.params})


@dataclass(frozen=True)
class BenchmarkConfig:
    """A parsed benchmark configuration (see ``docs/benchmark.md`` for the file format)."""

    name: str
    datasets: tuple[DatasetSpec, ...]
    learners: tuple[LearnerSpec, ...]
    seeds: tuple[int, ...] = (0,)
    n_folds: int = 5
    metrics: tuple[str, ...] = DEFAULT_METRICS
    output: Path | None = None
    data_dir: Path | None = None
    n_bootstrap: int = 200
    description: str = ""

    @property
    def n_tasks(self) -> int:
        return len(self.datasets) * len(self.learners) * len(self.seeds) * self.n_folds


def _fail(where: str, message: str) -> UpliftInputError:
    return UpliftInputError(f"benchmark config{where}: {message}")


def _expect(value: Any, kind: type | tuple[type, ...], what: str, where: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise _fail(where, f"{what} must be {getattr(kind, '__name__', kind)}; got {value!r}.")
    return value


def _dataset(entry: Any, index: int, where: str) -> DatasetSpec:
    here = f"{where}, datasets[{index}]"
    _expect(entry, dict, "each [[datasets]] entry", here)
    unknown = set(entry) - {"name", "key", "params", "table", "split"}
    if unknown:
        raise _fail(here, f"unknown entries {sorted(unknown)}; allowed: name, key, params, table, split.")
    if ("key" in entry) == ("table" in entry):
        raise _fail(here, "give exactly one of key = \"<registered name>\" or table = { path = ..., treatment = "
                    "..., outcome = ... }.")
    table = entry.get("table")
    if table is not None:
        _expect(table, dict, "table", here)
        missing = {"path", "treatment", "outcome"} - set(table)
        if missing:
            raise _fail(here, f"table needs {sorted(missing)} (the file and its treatment and outcome columns).")
        unknown = set(table) - _TABLE_KEYS
        if unknown:
            raise _fail(here, f"unknown table entries {sorted(unknown)}; allowed: {sorted(_TABLE_KEYS)}.")
    key = entry.get("key")
    name = entry.get("name") or key or Path(str(table["path"])).name.split(".")[0]  # type: ignore[index]
    split = entry.get("split", "auto")
    check_literal(split, SplitKind, f"datasets[{index}].split")
    params = _expect(entry.get("params", {}), dict, "params", here)
    return DatasetSpec(name=str(name), key=key, params=dict(params), table=dict(table) if table else None,
                       split=split)


def _learner(entry: Any, index: int, where: str) -> LearnerSpec:
    here = f"{where}, learners[{index}]"
    _expect(entry, dict, "each [[learners]] entry", here)
    unknown = set(entry) - {"name", "key", "class", "params"}
    if unknown:
        raise _fail(here, f"unknown entries {sorted(unknown)}; allowed: name, key, class, params.")
    if ("key" in entry) == ("class" in entry):
        raise _fail(here, "give exactly one of key = \"<registered learner>\" or class = \"module:Class\".")
    class_path = entry.get("class")
    if class_path is not None and (not isinstance(class_path, str) or ":" not in class_path):
        raise _fail(here, f"class must look like \"package.module:ClassName\"; got {class_path!r}.")
    params = _expect(entry.get("params", {}), dict, "params", here)
    name = entry.get("name") or entry.get("key") or class_path.rsplit(":", 1)[1]  # type: ignore[union-attr]
    return LearnerSpec(name=str(name), key=entry.get("key"), class_path=class_path, params=dict(params))


def parse_config(raw: dict[str, Any], *, base_dir: Path | None = None, source: str = "") -> BenchmarkConfig:
    """Build a :class:`BenchmarkConfig` from the parsed TOML ``raw``.

    Relative table paths and ``data_dir`` are resolved against ``base_dir`` (the folder of the
    config file). Raises :class:`~uplift.exceptions.UpliftInputError` naming the faulty entry.

    Examples
    --------
    >>> config = parse_config({"datasets": [{"key": "synthetic"}], "learners": [{"key": "random"}],
    ...                        "seeds": [0, 1], "n_folds": 3})
    >>> config.n_tasks
    6
    """
    where = f" {source}" if source else ""
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise _fail(where, f"unknown entries {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}.")
    datasets = raw.get("datasets")
    learners = raw.get("learners")
    if not datasets or not isinstance(datasets, list):
        raise _fail(where, "no data sets; add at least one [[datasets]] table.")
    if not learners or not isinstance(learners, list):
        raise _fail(where, "no learners; add at least one [[learners]] table.")
    base = base_dir or Path.cwd()
    dataset_specs = []
    for index, entry in enumerate(datasets):
        spec = _dataset(entry, index, where)
        if spec.table is not None and not Path(str(spec.table["path"])).is_absolute():
            spec.table["path"] = str(base / str(spec.table["path"]))
        dataset_specs.append(spec)
    learner_specs = [_learner(entry, index, where) for index, entry in enumerate(learners)]
    for kind, specs in (("data set", dataset_specs), ("learner", learner_specs)):
        names = [s.name for s in specs]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise _fail(where, f"{kind} names must be unique; {duplicated} appear more than once (add name = ...).")
    seeds = raw.get("seeds", [0])
    if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) and not isinstance(s, bool)
                                                           for s in seeds):
        raise _fail(where, f"seeds must be a non-empty list of integers; got {seeds!r}.")
    n_folds = _expect(raw.get("n_folds", 5), int, "n_folds", where)
    if n_folds < 2:
        raise _fail(where, f"n_folds must be at least 2; got {n_folds}.")
    metrics = raw.get("metrics", list(DEFAULT_METRICS))
    if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics) or not metrics:
        raise _fail(where, f"metrics must be a non-empty list of names such as \"qini_auc:sklift\"; got {metrics!r}.")
    output = raw.get("output")
    data_dir = raw.get("data_dir")
    return BenchmarkConfig(
        name=str(raw.get("name") or (Path(source).stem if source else "benchmark")),
        datasets=tuple(dataset_specs),
        learners=tuple(learner_specs),
        seeds=tuple(seeds),
        n_folds=n_folds,
        metrics=tuple(metrics),
        output=Path(output) if output else None,
        data_dir=(base / data_dir) if data_dir else None,
        n_bootstrap=_expect(raw.get("n_bootstrap", 200), int, "n_bootstrap", where),
        description=str(raw.get("description", "")),
    )


def load_config(path: str | Path) -> BenchmarkConfig:
    """Read and validate a benchmark configuration file (TOML).

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    UpliftInputError
        The file is not valid TOML or an entry is wrong (the message names it).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no benchmark config at {path}.")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise UpliftInputError(f"benchmark config {path} is not valid TOML: {error}.") from error
    return parse_config(raw, base_dir=path.resolve().parent, source=str(path))
