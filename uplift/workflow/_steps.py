"""The steps of a campaign, each one function: check, train, score, plan.

Each step takes file paths or an :class:`ExperimentTable`, returns a result object with a
``summary()`` (what the command line prints) and ``to_dict()`` (what it stores), and reports
progress through an optional ``progress(done, total, description)`` callback; nothing here prints.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..campaign import CampaignPlan, Economics, Policy
from ..diagnostics import ExperimentReport, check_experiment
from ..evaluation import SignalCheckResult, qini_auc_score, score_interval, signal_check
from ..exceptions import UpliftInputError
from ..learners import (
    ClassTransformation,
    DRLearner,
    RLearner,
    SLearner,
    TLearner,
    TransformedOutcome,
    XLearner,
)
from ..model_selection import UpliftStratifiedKFold, cross_val_uplift
from ._table import (
    ExperimentTable,
    TableWriter,
    _check_exists,
    _columns_of,
    iter_chunks,
    read_experiment,
    read_table,
    table_format,
    table_rows,
)

__all__ = [
    "LEARNERS",
    "CheckResult",
    "PlanResult",
    "ScoreResult",
    "TrainResult",
    "check",
    "make_learner",
    "plan",
    "score",
    "train",
]

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]

#: Learners by the name ``uplift train --learner`` takes.
LEARNERS: dict[str, type] = {
    "s_learner": SLearner,
    "t_learner": TLearner,
    "x_learner": XLearner,
    "r_learner": RLearner,
    "dr_learner": DRLearner,
    "class_transformation": ClassTransformation,
    "transformed_outcome": TransformedOutcome,
}
DEFAULT_LEARNER = "s_learner"


def _no_progress(done: int, total: int, description: str) -> None:
    """Progress callback that does nothing (library default)."""


def make_learner(name: str, *, control_value: Any = None, random_state: int | None = 0) -> Any:
    """An unfitted learner by its command-line name (``s_learner``, ``t_learner``, ...).

    Examples
    --------
    >>> type(make_learner("t_learner")).__name__
    'TLearner'
    """
    if name not in LEARNERS:
        raise UpliftInputError(f"--learner must be one of {', '.join(LEARNERS)}; got {name!r}.")
    return LEARNERS[name](control_value=control_value, random_state=random_state)


def _as_table(data: ExperimentTable | str | Path | pd.DataFrame, treatment: str | None, outcome: str | None,
              control: str | None, id_column: str | None) -> ExperimentTable:
    if isinstance(data, ExperimentTable):
        return data
    if treatment is None or outcome is None:
        raise UpliftInputError("treatment= and outcome= name the columns of the experiment; give both.")
    return read_experiment(data, treatment=treatment, outcome=outcome, control=control, id_column=id_column)


def _arm_rows(table: ExperimentTable, arm: Any) -> np.ndarray:
    return np.flatnonzero((table.treatment == arm) | (table.treatment == table.control_value))


# --------------------------------------------------------------------------- check


@dataclass(frozen=True)
class CheckResult:
    """Experiment checks and, for each treated arm, the signal check."""

    table: ExperimentTable = field(repr=False)
    experiment: ExperimentReport
    signal: dict[Any, SignalCheckResult]
    unchecked: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return self.experiment.verdict

    def summary(self) -> str:
        lines = [*self.table.notes(), "", self.experiment.summary()]
        if self.unchecked:
            lines.append(f"Balance and predictability use the numeric columns; not checked (text): "
                         f"{', '.join(self.unchecked)}. The signal check uses every feature.")
        for arm, result in self.signal.items():
            lines += ["", f"Arm {arm!r} versus control {self.table.control_value!r}:", result.summary()]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"experiment": self.experiment.to_dict(), "unchecked_text_columns": self.unchecked,
                "signal": {str(arm): result.to_dict() for arm, result in self.signal.items()},
                "dropped_id_columns": self.table.dropped}


def check(
    data: ExperimentTable | str | Path | pd.DataFrame,
    *,
    treatment: str | None = None,
    outcome: str | None = None,
    control: str | None = None,
    id_column: str | None = None,
    n_splits: int = 10,
    random_state: int = 0,
    progress: Progress | None = None,
) -> CheckResult:
    """Is the experiment sound (sample ratio, balance, predictability, ATE), and is there a signal to target?

    Parameters
    ----------
    data : ExperimentTable, path or DataFrame
        The experiment (see :func:`read_experiment` for ``treatment``, ``outcome``, ``control``, ``id_column``).
    n_splits : int, default 10
        Sample splits of :func:`uplift.evaluation.signal_check`.
    random_state : int, default 0
    progress : callable, optional
        ``progress(done, total, description)`` after each stage.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> from uplift.datasets import make_uplift_classification
    >>> data = make_uplift_classification(2000, random_state=1)
    >>> frame = data.X.assign(t=data.treatment, y=data.y)
    >>> result = check(frame, treatment="t", outcome="y", n_splits=2)
    >>> result.verdict, sorted(result.signal)
    ('pass', [1])
    """
    table = _as_table(data, treatment, outcome, control, id_column)
    progress = progress or _no_progress
    total = 1 + len(table.arms)
    progress(0, total, "experiment checks")
    numeric, text = _numeric_columns(table.X)
    experiment = check_experiment(table.X[numeric], table.y, table.treatment, control_value=table.control_value,
                                  random_state=random_state)
    signal = {}
    for k, arm in enumerate(table.arms, start=1):
        progress(k, total, f"signal check, arm {arm}")
        rows = _arm_rows(table, arm)
        signal[arm] = signal_check(table.X.iloc[rows], table.y[rows], table.treatment[rows],
                                   control_value=table.control_value, n_splits=n_splits,
                                   random_state=random_state)
    progress(total, total, "done")
    return CheckResult(table, experiment, signal, text)


def _numeric_columns(X: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Numeric (and boolean) columns, and the others (text, categories): balance is checked on numbers."""
    numeric = [c for c, d in X.dtypes.items() if pd.api.types.is_numeric_dtype(d) or pd.api.types.is_bool_dtype(d)]
    return numeric, [c for c in X.columns if c not in numeric]


# --------------------------------------------------------------------------- train


@dataclass(frozen=True)
class TrainResult:
    """A fitted learner and its cross-validated quality (Qini AUC with a bootstrap interval, per arm)."""

    learner: Any = field(repr=False)
    learner_name: str
    qini: dict[Any, Any]
    n_folds: int
    n_rows: int
    feature_names: list[str]
    dropped: list[str]
    id_column: str | None
    treatment_name: str
    outcome_name: str
    seconds: float
    path: Path | None = None

    def summary(self) -> str:
        lines = [f"{self.learner_name} fitted on {self.n_rows:,} rows and {len(self.feature_names)} feature(s) "
                 f"in {self.seconds:.1f} s."]
        if self.dropped:
            lines.append(f"Not used as features (identifiers): {', '.join(self.dropped)}.")
        for arm, estimate in self.qini.items():
            lines.append(
                f"Arm {arm!r}: cross-validated Qini AUC ({self.n_folds} folds, out-of-fold ranking; 1 = perfect, "
                f"0 = random) {estimate.estimate:.4f}, 95% CI [{estimate.ci_low:.4f}, {estimate.ci_high:.4f}], "
                f"p {format_p_value(estimate.p_value)}.")
        if self.path is not None:
            lines.append(f"Model saved to {self.path}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "learner": self.learner_name,
            "n_rows": self.n_rows,
            "n_folds": self.n_folds,
            "features": self.feature_names,
            "dropped_id_columns": self.dropped,
            "id_column": self.id_column,
            "treatment": self.treatment_name,
            "outcome": self.outcome_name,
            "cross_validated_qini_auc": {str(arm): e.to_dict() for arm, e in self.qini.items()},
            "fit_seconds": round(self.seconds, 2),
        }


def format_p_value(p_value: float | None) -> str:
    """A p-value as people read it: ``= 0.032``, ``< 0.001``, ``n/a``.

    Examples
    --------
    >>> format_p_value(0.0), format_p_value(0.0321), format_p_value(None)
    ('< 0.001', '= 0.032', 'n/a')
    """
    if p_value is None or not np.isfinite(p_value):
        return "n/a"
    return "< 0.001" if p_value < 0.001 else f"= {p_value:.3f}"


def train(
    data: ExperimentTable | str | Path | pd.DataFrame,
    *,
    treatment: str | None = None,
    outcome: str | None = None,
    control: str | None = None,
    id_column: str | None = None,
    learner: str = DEFAULT_LEARNER,
    n_folds: int = 5,
    n_resamples: int = 200,
    output: str | Path | None = None,
    overwrite: bool = False,
    random_state: int = 0,
    progress: Progress | None = None,
) -> TrainResult:
    """Cross-validate a learner (Qini AUC with a bootstrap CI), fit it on every row, and save it.

    Parameters
    ----------
    data : ExperimentTable, path or DataFrame
        The experiment (see :func:`read_experiment`).
    learner : str, default "s_learner"
        A key of :data:`LEARNERS`.
    n_folds : int, default 5
        Folds of the cross-validation that measures quality (the final model sees every row).
    n_resamples : int, default 200
        Bootstrap resamples of the Qini interval.
    output : path, optional
        Where :func:`uplift.io.save` writes the model (a folder, or a ``.zip``); the training summary
        (:meth:`TrainResult.to_dict`) goes into its manifest, with the features' reference histograms
        for drift monitoring.
    overwrite : bool, default False
        Replace a model already saved at ``output``.
    random_state : int, default 0
    progress : callable, optional

    Returns
    -------
    TrainResult
    """
    table = _as_table(data, treatment, outcome, control, id_column)
    progress = progress or _no_progress
    model = make_learner(learner, control_value=table.control_value, random_state=random_state)
    started = time.perf_counter()
    total = n_folds + 2
    progress(0, total, f"cross-validating {learner}")
    # the splitter is built here because cross_val_uplift's default one is not told the control label
    folds = UpliftStratifiedKFold(n_folds, random_state=random_state, control_value=table.control_value)
    result = cross_val_uplift(model, table.X, table.y, treatment=table.treatment, cv=folds,
                              control_value=table.control_value, random_state=random_state)
    progress(n_folds, total, "Qini intervals")
    effect = result.effect.reshape(len(table.y), -1)
    qini = {}
    for k, arm in enumerate(result.treatment_arms):
        rows = _arm_rows(table, arm)
        treated = (table.treatment[rows] == arm).astype(np.int8)
        qini[arm] = score_interval(qini_auc_score, table.y[rows], effect[rows, k], treated,
                                   n_resamples=n_resamples, random_state=random_state)
    progress(n_folds + 1, total, f"fitting {learner} on all rows")
    model.fit(table.X, table.y, treatment=table.treatment)
    seconds = time.perf_counter() - started
    trained = TrainResult(model, learner, qini, n_folds, len(table.y), table.feature_names, table.dropped,
                          table.id_name, table.treatment_name, table.outcome_name, seconds)
    if output is not None:
        from .. import io  # the persistence layer sits above the learners; imported when saving

        path = Path(output)
        io.save(model, path, reference=table.X, summary=trained.to_dict(), overwrite=overwrite)
        trained = _with_path(trained, path)
    progress(total, total, "done")
    return trained


def _with_path(result: TrainResult, path: Path) -> TrainResult:
    from dataclasses import replace

    return replace(result, path=path)


def _load_learner(model: Any) -> Any:
    if isinstance(model, str | Path):
        from .. import io  # the persistence layer: imported when a path is given

        path = Path(model)
        if not path.exists():
            raise UpliftInputError(f"MODEL {str(path)!r} does not exist; train one with `uplift train`.")
        return io.load(path)
    return model


def _training_id(model: Any, data: Any, id_column: str | None) -> str | None:
    """The ``--id`` given, else the id column the model was trained with when ``data`` has it."""
    if id_column is not None or not isinstance(model, str | Path) or isinstance(data, pd.DataFrame):
        return id_column
    from .. import io  # the persistence layer: imported when a path is given

    training = io.read_manifest(model).get("training") or {}
    name = training.get("id_column")
    if name and name in _columns_of(Path(data), table_format(data)):
        logger.info("keying the output by %r, the id column the model was trained with", name)
        return str(name)
    return None


def _feature_names(learner: Any) -> list[str]:
    names = getattr(learner, "feature_names_in_", None)
    if names is None:
        raise UpliftInputError("the model was fitted without column names; train it on a table (uplift train).")
    return [str(n) for n in names]


def _arm_names(learner: Any) -> list[str]:
    return [str(a.item() if isinstance(a, np.generic) else a) for a in learner.treatment_arms_]


# --------------------------------------------------------------------------- score


@dataclass(frozen=True)
class ScoreResult:
    """Where the scores went and how fast they were computed."""

    output: Path
    n_rows: int
    columns: list[str]
    seconds: float

    def summary(self) -> str:
        rate = self.n_rows / self.seconds if self.seconds > 0 else float("inf")
        return (f"Scored {self.n_rows:,} rows in {self.seconds:.1f} s ({rate:,.0f} rows/s); columns "
                f"{', '.join(self.columns)}.\nScores written to {self.output}")


def score_frame(learner: Any, frame: pd.DataFrame, *, id_column: str | None, first_row: int = 0) -> pd.DataFrame:
    """Per-arm effects and expected outcomes of the customers in ``frame`` (one chunk).

    Columns: the id (``id_column``, else ``row``), ``effect_<arm>`` for each treated arm, then
    ``outcome_<control>`` and ``outcome_<arm>`` (expected outcome under each arm).
    """
    features = _feature_names(learner)
    outcomes = np.asarray(learner.predict_outcomes(frame.loc[:, features]))
    arms = _arm_names(learner)
    ids = frame[id_column].to_numpy() if id_column else np.arange(first_row, first_row + len(frame))
    values = [ids, *(outcomes[:, k] - outcomes[:, 0] for k in range(1, len(arms) + 1)),
              *(outcomes[:, k] for k in range(len(arms) + 1))]
    return pd.DataFrame(dict(zip(score_columns(learner, id_column), values, strict=True)))


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def score(
    model: Any,
    data: str | Path,
    *,
    output: str | Path,
    id_column: str | None = None,
    chunksize: int = 100_000,
    progress: Progress | None = None,
) -> ScoreResult:
    """Score a customer file chunk by chunk: per-arm effects and outcomes, keyed by id.

    Only the model's feature columns and the id are read, ``chunksize`` rows at a time, and each
    chunk is written before the next is read: memory is bounded by the chunk, not the file.

    Parameters
    ----------
    model : path or fitted learner
        A model saved by :func:`train` (``uplift.io``) or a fitted learner.
    data : path
        CSV or Parquet customer file with the model's feature columns.
    output : path
        ``.csv`` or ``.parquet`` file of scores (see :func:`score_frame` for the columns).
    id_column : str, optional
        Customer id column to key the scores by (default: the model's training id column when the
        file has it, else the row number, column ``row``).
    chunksize : int, default 100000
    progress : callable, optional
        ``progress(rows_done, total_rows_or_0, description)`` after each chunk (total 0 when unknown).

    Returns
    -------
    ScoreResult
    """
    id_column = _training_id(model, data, id_column)
    learner = _load_learner(model)
    progress = progress or _no_progress
    features = _feature_names(learner)
    columns = list(dict.fromkeys([*features, *([id_column] if id_column else [])]))
    _check_columns(data, columns, id_column)
    total = table_rows(data) or 0
    started = time.perf_counter()
    done = 0
    with TableWriter(output) as writer:
        for chunk in iter_chunks(data, chunksize=chunksize, columns=columns):
            writer.write(score_frame(learner, chunk, id_column=id_column, first_row=done))
            done += len(chunk)
            progress(done, total, "rows scored")
    seconds = time.perf_counter() - started
    return ScoreResult(Path(output), done, score_columns(learner, id_column), seconds)


def score_columns(learner: Any, id_column: str | None) -> list[str]:
    """Columns of :func:`score_frame`'s output, in order."""
    arms, control = _arm_names(learner), str(_plain(learner.control_value_))
    return [id_column or "row", *(f"effect_{a}" for a in arms), f"outcome_{control}",
            *(f"outcome_{a}" for a in arms)]


def _check_columns(data: str | Path, needed: Sequence[str], id_column: str | None) -> None:
    path = _check_exists(data, "DATA")
    present = set(_columns_of(path, table_format(path)))
    if id_column and id_column not in present:
        raise UpliftInputError(f"--id {id_column!r} is not a column of {str(path)!r}.")
    missing = [c for c in needed if c not in present]
    if missing:
        raise UpliftInputError(
            f"{str(path)!r} lacks the model's feature column(s) {', '.join(map(repr, missing[:8]))}; score a file "
            "with the same columns as the training data."
        )


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class PlanResult:
    """The campaign plan on a customer file and where the contact list (and policy) went."""

    plan: CampaignPlan = field(repr=False)
    output: Path | None
    policy_path: Path | None
    policy: Policy = field(repr=False)
    currency: str = "$"

    def summary(self) -> str:
        totals = self.plan.totals()
        per_arm = ", ".join(f"{arm}: {count:,}" for arm, count in totals["contacts_per_arm"].items())
        lines = [
            f"Contact {totals['contacts']:,} of {totals['customers']:,} customers ({per_arm}).",
            f"Expected spend {self.currency}{totals['expected_spend']:,.2f}; expected incremental profit "
            f"{self.currency}{totals['expected_incremental_profit']:,.2f} (model's expectation; check it on a "
            "holdout with `uplift report`).",
        ]
        if self.output is not None:
            lines.append(f"Contact list written to {self.output}")
        if self.policy_path is not None:
            lines.append(f"Policy saved to {self.policy_path}")
        return "\n".join(lines)


def contact_list(plan: CampaignPlan, *, id_name: str = "id") -> pd.DataFrame:
    """The contacted customers, most profitable per unit of spend first: id, arm label, expected profit.

    Examples
    --------
    >>> from uplift.datasets import make_uplift_classification
    >>> data = make_uplift_classification(500, random_state=0)
    >>> from uplift.campaign import Economics, plan_campaign
    >>> plan = plan_campaign(data.mu, Economics(value=30.0, contact_cost=1.0))
    >>> list(contact_list(plan).columns)
    ['id', 'arm', 'expected_incremental_profit', 'expected_spend']
    """
    frame = plan.to_frame()
    contacted = frame.loc[frame["arm"] > 0].sort_values("rank", kind="mergesort")
    return pd.DataFrame({
        id_name: contacted["id"].to_numpy(),
        "arm": contacted["arm_label"].to_numpy(),
        "expected_incremental_profit": contacted["expected_profit"].to_numpy(),
        "expected_spend": contacted["expected_spend"].to_numpy(),
    })


def plan(
    model: Any,
    data: str | Path | pd.DataFrame,
    *,
    economics: Economics,
    budget: float | None = None,
    max_contacts: int | None = None,
    id_column: str | None = None,
    output: str | Path | None = None,
    policy_output: str | Path | None = None,
    overwrite: bool = False,
    currency: str = "$",
    progress: Progress | None = None,
) -> PlanResult:
    """Plan a campaign on a customer file: whom to contact with which arm, under a budget and caps.

    Parameters
    ----------
    model : path or fitted learner
    data : path or DataFrame
        Customer file with the model's feature columns.
    economics : Economics
        Value of a conversion and cost of each contact.
    budget : float, optional
        Cap on the expected spend.
    max_contacts : int, optional
        Cap on the number of customers contacted.
    id_column : str, optional
        Customer id column (default: the model's training id column when the file has it, else the
        row number).
    output : path, optional
        ``.csv`` or ``.parquet`` contact list (:func:`contact_list`).
    policy_output : path, optional
        Where the fitted :class:`uplift.campaign.Policy` is saved (``uplift.io``), to decide on new
        customers later with the same prices (``policy.decide``, one customer at a time).
    overwrite : bool, default False
        Replace a policy already saved at ``policy_output``.
    currency : str, default "$"
    progress : callable, optional

    Returns
    -------
    PlanResult
    """
    id_column = _training_id(model, data, id_column)
    learner = _load_learner(model)
    progress = progress or _no_progress
    features = _feature_names(learner)
    progress(0, 3, "reading customers")
    if isinstance(data, pd.DataFrame):
        frame = data
    else:
        _check_columns(data, [*features, *([id_column] if id_column else [])], id_column)
        frame = read_table(data, columns=list(dict.fromkeys([*features, *([id_column] if id_column else [])])))
    X = frame.loc[:, features]
    X.index = pd.Index(frame[id_column].to_numpy() if id_column else np.arange(len(frame)), name=id_column)
    progress(1, 3, "solving the plan on these customers")
    policy = Policy(learner, economics, budget=budget, max_contacts=max_contacts).fit(X)
    progress(2, 3, "writing the contact list")
    result = policy.plan(X)
    written = None
    if output is not None:
        with TableWriter(output) as writer:
            writer.write(contact_list(result, id_name=id_column or "row"))
        written = Path(output)
    policy_path = None
    if policy_output is not None:
        from .. import io  # the persistence layer: imported when saving

        policy_path = io.save(policy, Path(policy_output), overwrite=overwrite)
    progress(3, 3, "done")
    return PlanResult(result, written, policy_path, policy, currency)
