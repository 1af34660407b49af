"""The benchmark configuration: a TOML file naming data sets, learners, seeds, folds and metrics."""

from __future__ import annotations

import hashlib
import inspect
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from .._literals import SplitKind
from ..datasets import DATASETS
from ..datasets._fetch import check_subsample
from ..exceptions import UpliftInputError
from ..validation import warn_deprecated
from ._metrics import parse_metrics

__all__ = [
    "ALLOWED_IMPORTS", "BenchmarkConfig", "DatasetSpec", "LearnerSpec", "SplitKind", "check_import_allowed",
    "load_config", "parse_config",
]


DEFAULT_METRICS = (
    "qini_auc:uplift", "qini_auc:sklift", "qini_auc:causalml", "uplift_auc:sklift", "uplift_at_k:0.3", "rate:AUTOC",
)
_TOP_KEYS = {"name", "seeds", "n_folds", "metrics", "output", "data_dir", "datasets", "learners", "n_resamples",
             "n_bootstrap", "description"}
_TABLE_KEYS = ("path", "treatment", "outcome", "control_value", "features", "drop", "group", "time", "id",
               "positive_outcome", "true_outcomes", "max_categories", "description")


def _hash(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class DatasetSpec:
    """One data set of a benchmark: a registry ``key`` with ``params``, or a :func:`load_table` spec.

    ``split`` chooses the cross-validation: ``"auto"`` is grouped when the data has groups,
    temporal when it has a time column, stratified by arm × outcome otherwise.

    Attributes
    ----------
    name : str
        Name in the results.
    key : str, optional
        A key of :data:`uplift.datasets.DATASETS`.
    params : dict
        Keyword arguments of the loader.
    table : dict, optional
        A :func:`uplift.datasets.load_table` spec instead of a key.
    split : {"auto", "stratified", "grouped", "temporal"}, default "auto"
        The cross-validation.

    See Also
    --------
    load_benchmark_dataset : Loads it.
    """

    name: str
    key: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    table: dict[str, Any] | None = None
    split: SplitKind = "auto"

    def fingerprint(self) -> str:
        """A hash of what defines the data set: part of each task key, so a changed spec is a new task.

        Returns
        -------
        str
        """
        return _hash({"key": self.key, "params": self.params, "table": self.table, "split": self.split})


@dataclass(frozen=True)
class LearnerSpec:
    """One learner of a benchmark: a registry ``key`` or an import path ``module:Class``, with ``params``.

    A parameter given as a table with a ``class`` entry (and optional ``params``) is built as an
    object first, so base models can be configured:
    ``params = { outcome_model = { class = "sklearn.linear_model:LogisticRegression" } }``.

    Attributes
    ----------
    name : str
        Name in the results.
    key : str, optional
        A key of :data:`LEARNERS`.
    class_path : str, optional
        ``module:Class`` instead of a key.
    params : dict
        Parameters of the learner (tables with a ``class`` entry are built first).

    See Also
    --------
    build_learner : Builds it.
    """

    name: str
    key: str | None = None
    class_path: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """A hash of what defines the learner: part of each task key, so a changed spec is a new task.

        Returns
        -------
        str
        """
        return _hash({"key": self.key, "class": self.class_path, "params": self.params})


@dataclass(frozen=True)
class BenchmarkConfig:
    """A parsed benchmark configuration (see ``docs/benchmark.md`` for the file format).

    Attributes
    ----------
    name : str
        Name of the benchmark (and of its default output folder).
    datasets : tuple of DatasetSpec
        The data sets.
    learners : tuple of LearnerSpec
        The learners.
    seeds : tuple of int, default (0,)
        Seeds of the folds and of the learners.
    n_folds : int, default 5
        Cross-validation folds per seed.
    metrics : tuple of str
        Metric names of :func:`uplift.evaluation.get_scorer`.
    output : Path, optional
        Results folder.
    data_dir : Path, optional
        Folder of the reference files.
    n_resamples : int, default 200
        Half-samples of RATE's standard error.
    description : str
        Free text for the summary.
    allow_imports : tuple of str
        Modules beyond :data:`ALLOWED_IMPORTS` whose classes the config may name.

    See Also
    --------
    load_config : Reads one from a TOML file.
    run_benchmark : Runs it.
    """

    name: str
    datasets: tuple[DatasetSpec, ...]
    learners: tuple[LearnerSpec, ...]
    seeds: tuple[int, ...] = (0,)
    n_folds: int = 5
    metrics: tuple[str, ...] = DEFAULT_METRICS
    output: Path | None = None
    data_dir: Path | None = None
    n_resamples: int = 200
    description: str = ""
    allow_imports: tuple[str, ...] = ()

    @property
    def n_tasks(self) -> int:
        return len(self.datasets) * len(self.learners) * len(self.seeds) * self.n_folds


#: Packages a benchmark config may import classes from; others need ``--allow-import MODULE``.
ALLOWED_IMPORTS = ("uplift", "sklearn", "xgboost", "lightgbm", "causalml", "sklift")
#: Fewest RATE bootstrap resamples: the standard error of a bootstrap SE from B resamples is
#: about SE / sqrt(2 (B - 1)), so below 20 the SE itself is off by more than 16%.
MIN_RESAMPLES = 20
_IMPORT_PATH = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z]\w*$")
_MODULE_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_FORBIDDEN_IN_NAMES = ("/", "\\", "|", "\0", ":")


def _fail(where: str, message: str) -> UpliftInputError:
    return UpliftInputError(f"benchmark config{where}: {message}")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "text", int: "an integer", float: "a number", bool: "true or false", list: "a list",
             dict: "a table"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _expect(value: Any, kind: type | tuple[type, ...], what: str, where: str) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise _fail(where, f"{what} must be {_kind_name(kind)}; got {value!r} ({type(value).__name__}).")
    return value


def _text_list(value: Any, what: str, where: str) -> list[str]:
    _expect(value, list, what, where)
    if not all(isinstance(item, str) for item in value):
        raise _fail(where, f"{what} must be a list of column names (text); got {value!r}.")
    return list(value)


def _safe_name(value: Any, what: str, where: str) -> str:
    """A name used in task keys and file names: text without path separators, '|' or ':'."""
    _expect(value, str, what, where)
    if not value.strip() or value.strip(".") == "" or any(c in value for c in _FORBIDDEN_IN_NAMES) \
            or len(value) > 100:
        raise _fail(where, f"{what} {value!r} cannot name files and task keys; use at most 100 characters "
                    "without '/', '\\', '|', ':' (letters, digits, '_', '-', '.' are safe).")
    return value


def check_import_allowed(path: str, allow_imports: tuple[str, ...], where: str) -> None:
    """Refuse an import path outside :data:`ALLOWED_IMPORTS` and the user's ``allow_imports``.

    A config names classes that are imported and called: a config is code. Without this check,
    ``class = "subprocess:Popen"`` with ``params = { args = [...] }`` would run a command while
    the config is being checked.

    Raises
    ------
    UpliftInputError
        ``path`` is malformed or its module is not allowed.
    """
    if not isinstance(path, str) or not _IMPORT_PATH.match(path):
        raise _fail(where, f"class must look like \"package.module:ClassName\"; got {path!r}.")
    module = path.partition(":")[0]
    allowed = (*ALLOWED_IMPORTS, *allow_imports)
    if not any(module == name or module.startswith(name + ".") for name in allowed):
        raise _fail(where, f"class {path!r} is not imported: a benchmark config may only name classes from "
                    f"{', '.join(ALLOWED_IMPORTS)}{' and ' + ', '.join(allow_imports) if allow_imports else ''} "
                    f"(a config is code). If you trust this config, pass --allow-import {module.split('.')[0]} "
                    "(allow_imports= in Python).")


def _check_model_tables(value: Any, where: str, allow_imports: tuple[str, ...]) -> None:
    """Check every ``{ class = ..., params = ... }`` table inside learner params, without importing."""
    if isinstance(value, dict) and "class" in value:
        unknown = set(value) - {"class", "params"}
        if unknown:
            raise _fail(where, f"a model table takes 'class' and 'params' only; got {sorted(unknown)}.")
        check_import_allowed(value["class"], allow_imports, where)
        _expect(value.get("params", {}), dict, "the params of a model table", where)
        value = value.get("params", {})
    if isinstance(value, dict):
        for name, item in value.items():
            _check_model_tables(item, f"{where}.{name}", allow_imports)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_model_tables(item, f"{where}[{index}]", allow_imports)


def _table(table: Any, here: str) -> dict[str, Any]:
    _expect(table, dict, "table", here)
    missing = {"path", "treatment", "outcome"} - set(table)
    if missing:
        raise _fail(here, f"table needs {sorted(missing)} (the file and its treatment and outcome columns).")
    unknown = set(table) - set(_TABLE_KEYS)
    if unknown:
        raise _fail(here, f"unknown table entries {sorted(unknown)}; allowed: {sorted(_TABLE_KEYS)}.")
    for name in ("path", "treatment", "outcome", "group", "time", "id", "description"):
        if name in table:
            _expect(table[name], str, f"table.{name}", here)
    for name in ("features", "drop", "true_outcomes"):
        if name in table:
            _text_list(table[name], f"table.{name}", here)
    for name in ("control_value", "positive_outcome"):
        if name in table:
            _expect(table[name], (str, int, float, bool), f"table.{name}", here)
    if "max_categories" in table and _expect(table["max_categories"], int, "table.max_categories", here) < 1:
        raise _fail(here, f"table.max_categories must be at least 1; got {table['max_categories']}.")
    return dict(table)


def _registry_params(key: str, params: dict[str, Any], here: str) -> None:
    info = DATASETS.get(key)
    if info is None:
        raise _fail(here, f"unknown key {key!r}; registered data sets are {sorted(DATASETS)}.")
    accepted = [name for name in inspect.signature(info.loader).parameters]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise _fail(here, f"params: data set {key!r} takes no parameter(s) {unknown}; it takes {accepted}.")
    if "subsample" in params:
        try:
            check_subsample(params["subsample"], "params.subsample")
        except UpliftInputError as error:
            raise _fail(here, str(error)) from error


def _dataset(entry: Any, index: int, where: str) -> DatasetSpec:
    here = f"{where}, datasets[{index}]"
    _expect(entry, dict, "each [[datasets]] entry", here)
    unknown = set(entry) - {"name", "key", "params", "table", "split"}
    if unknown:
        raise _fail(here, f"unknown entries {sorted(unknown)}; allowed: name, key, params, table, split.")
    if ("key" in entry) == ("table" in entry):
        raise _fail(here, "give exactly one of key = \"<registered name>\" or table = { path = ..., treatment = "
                    "..., outcome = ... }.")
    table = _table(entry["table"], here) if "table" in entry else None
    key = _expect(entry["key"], str, "key", here) if "key" in entry else None
    params = dict(_expect(entry.get("params", {}), dict, "params", here))
    if key is not None:
        _registry_params(key, params, here)
    elif params:
        raise _fail(here, "params apply to a registered data set (key = ...); a table's options go inside table.")
    default = key or Path(str(table["path"])).name.split(".")[0]  # type: ignore[index]
    name = _safe_name(entry.get("name", default), "name", here)
    split = entry.get("split", "auto")
    if not isinstance(split, str) or split not in get_args(SplitKind):
        raise _fail(here, f"split must be one of {list(get_args(SplitKind))}; got {split!r}.")
    return DatasetSpec(name=name, key=key, params=params, table=table, split=split)  # type: ignore[arg-type]


def _learner(entry: Any, index: int, where: str, allow_imports: tuple[str, ...]) -> LearnerSpec:
    here = f"{where}, learners[{index}]"
    _expect(entry, dict, "each [[learners]] entry", here)
    unknown = set(entry) - {"name", "key", "class", "params"}
    if unknown:
        raise _fail(here, f"unknown entries {sorted(unknown)}; allowed: name, key, class, params.")
    if ("key" in entry) == ("class" in entry):
        raise _fail(here, "give exactly one of key = \"<registered learner>\" or class = \"module:Class\".")
    key = _expect(entry["key"], str, "key", here) if "key" in entry else None
    class_path = entry.get("class")
    if class_path is not None:
        check_import_allowed(class_path, allow_imports, here)
    params = dict(_expect(entry.get("params", {}), dict, "params", here))
    _check_model_tables(params, f"{here}: params", allow_imports)
    name = _safe_name(entry.get("name", key or str(class_path).rsplit(":", 1)[-1]), "name", here)
    return LearnerSpec(name=name, key=key, class_path=class_path, params=params)


def _path_entry(raw: dict[str, Any], name: str, where: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"{name} must be a folder path as text, such as {name} = \"results/run1\"; got "
                    f"{value!r} ({type(value).__name__}).")
    return value


def parse_config(
    raw: dict[str, Any], *, base_dir: Path | None = None, source: str = "",
    allow_imports: tuple[str, ...] | list[str] = (), data_dir: str | Path | None = None,
) -> BenchmarkConfig:
    """Build a :class:`BenchmarkConfig` from the parsed TOML ``raw``, checking every entry.

    Every entry is checked against the format of ``docs/benchmark.md`` before anything is
    imported or run: unknown entries, wrong types, values out of range, names that cannot name
    a file, data set parameters the loader does not take, and classes outside the allowed
    packages are refused with the offending entry named.

    Parameters
    ----------
    raw : dict
        The parsed TOML.
    base_dir : path, optional
        Folder of the config file: relative table paths and ``data_dir`` are resolved against it.
    source : str
        Name of the config in messages.
    allow_imports : sequence of str
        Modules (with their sub-modules) a ``class`` may come from besides
        :data:`ALLOWED_IMPORTS` (the CLI's ``--allow-import``). Never read from the config.
    data_dir : path, optional
        Folder holding the reference files (``starbucks/``, ``ihdp/``...), overriding the config's
        ``data_dir`` (the CLI's ``--data-dir``). Without either, loaders search the data home
        (``UPLIFT_DATA_HOME``, see :func:`uplift.datasets.data_home`).

    Returns
    -------
    BenchmarkConfig

    Raises
    ------
    UpliftInputError
        An entry is wrong; the message names it.

    See Also
    --------
    load_config : Reads the TOML file first.

    Examples
    --------
    >>> config = parse_config({"datasets": [{"key": "synthetic"}], "learners": [{"key": "random"}],
    ...                        "seeds": [0, 1], "n_folds": 3})
    >>> config.n_tasks
    6
    >>> parse_config({"datasets": [{"key": "synthetic"}], "learners": [{"key": "random"}], "n_resamples": -5})
    Traceback (most recent call last):
    ...
    uplift.exceptions.UpliftInputError: benchmark config: n_resamples must be at least 20 ...; got -5.
    """
    where = f" {source}" if source else ""
    _expect(raw, dict, "the config", where)
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise _fail(where, f"unknown entries {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}.")
    allowed = tuple(allow_imports)
    bad = [m for m in allowed if not isinstance(m, str) or not _MODULE_NAME.match(m)]
    if bad:
        raise UpliftInputError(f"allow_imports must hold module names such as 'mypackage'; got {bad}.")
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
    learner_specs = [_learner(entry, index, where, allowed) for index, entry in enumerate(learners)]
    for kind, specs in (("data set", dataset_specs), ("learner", learner_specs)):
        names = [s.name for s in specs]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise _fail(where, f"{kind} names must be unique; {duplicated} appear more than once (add name = ...).")
    seeds = raw.get("seeds", [0])
    if not isinstance(seeds, list) or not seeds or not all(
            isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**32 for s in seeds):
        raise _fail(where, f"seeds must be a non-empty list of integers in [0, 2**32); got {seeds!r}.")
    if len(set(seeds)) != len(seeds):
        raise _fail(where, f"seeds must be distinct (a repeated seed repeats its tasks); got {seeds!r}.")
    n_folds = _expect(raw.get("n_folds", 5), int, "n_folds", where)
    if not 2 <= n_folds <= 100:
        raise _fail(where, f"n_folds must be between 2 and 100; got {n_folds}.")
    metrics = raw.get("metrics", list(DEFAULT_METRICS))
    if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics) or not metrics:
        raise _fail(where, f"metrics must be a non-empty list of names such as \"qini_auc:sklift\"; got {metrics!r}.")
    try:
        parse_metrics(metrics)
    except UpliftInputError as error:
        raise _fail(where, f"metrics: {error}") from error
    if "n_bootstrap" in raw:  # the key's name before 0.2
        if "n_resamples" in raw:
            raise _fail(where, "n_bootstrap is the deprecated name of n_resamples; keep only n_resamples.")
        warn_deprecated(f"the benchmark config entry n_bootstrap{where}", "n_resamples")
    key = "n_bootstrap" if "n_bootstrap" in raw else "n_resamples"
    n_resamples = _expect(raw.get(key, 200), int, key, where)
    if n_resamples < MIN_RESAMPLES:
        raise _fail(where, f"{key} must be at least {MIN_RESAMPLES} (fewer resamples give a RATE standard "
                    f"error off by more than 16%); got {n_resamples}.")
    name = _safe_name(raw.get("name", Path(source).stem if source else "benchmark"), "name", where)
    output = _path_entry(raw, "output", where)
    config_data_dir = _path_entry(raw, "data_dir", where)
    return BenchmarkConfig(
        name=name,
        datasets=tuple(dataset_specs),
        learners=tuple(learner_specs),
        seeds=tuple(seeds),
        n_folds=n_folds,
        metrics=tuple(metrics),
        output=Path(output) if output else None,
        data_dir=Path(data_dir).expanduser() if data_dir is not None
        else (base / config_data_dir) if config_data_dir else None,
        n_resamples=n_resamples,
        description=str(_expect(raw.get("description", ""), str, "description", where)),
        allow_imports=allowed,
    )


def load_config(path: str | Path, *, allow_imports: tuple[str, ...] | list[str] = (),
                data_dir: str | Path | None = None) -> BenchmarkConfig:
    """Read and validate a benchmark configuration file (TOML); see :func:`parse_config`.

    Parameters
    ----------
    path : str or Path
        The TOML file.
    allow_imports : sequence of str, default ()
        Modules beyond :data:`ALLOWED_IMPORTS` whose classes the config may name (``--allow-import``).
    data_dir : path, optional
        Folder of the reference files, overriding the config's (``--data-dir``).

    Returns
    -------
    BenchmarkConfig

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    UpliftInputError
        The file is not valid TOML or an entry is wrong (the message names it).

    See Also
    --------
    parse_config : The same from a parsed TOML dictionary.
    run_benchmark : Runs it.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no benchmark config at {path}.")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise UpliftInputError(f"benchmark config {path} is not valid TOML: {error}.") from error
    return parse_config(raw, base_dir=path.resolve().parent, source=str(path), allow_imports=allow_imports,
                        data_dir=data_dir)
