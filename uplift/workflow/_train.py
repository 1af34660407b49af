"""``uplift train``: cross-validated quality, the fit on every row, and the saved model."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import io
from .._results import Result, jsonable
from ..evaluation import qini_auc_score, score_interval
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
from ._common import Progress, _arm_rows, _as_table, _no_progress, format_p_value
from ._table import ExperimentTable

__all__ = ["DEFAULT_LEARNER", "LEARNERS", "TrainResult", "make_learner", "train"]

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


def make_learner(name: str, *, control_value: Any = None, random_state: int | None = 0) -> Any:
    """An unfitted learner by its command-line name (``s_learner``, ``t_learner``, ...).

    Parameters
    ----------
    name : str
        A key of :data:`LEARNERS`.
    control_value : object, optional
        Label of the control arm.
    random_state : int or None, default 0
        Seed of the learner.

    Returns
    -------
    estimator
        An unfitted learner.

    See Also
    --------
    LEARNERS : The names.
    train : Cross-validates and fits it.

    Examples
    --------
    >>> type(make_learner("t_learner")).__name__
    'TLearner'
    """
    if name not in LEARNERS:
        raise UpliftInputError(f"--learner must be one of {', '.join(LEARNERS)}; got {name!r}.")
    return LEARNERS[name](control_value=control_value, random_state=random_state)


@dataclass(frozen=True, repr=False)
class TrainResult(Result):
    """A fitted learner and its cross-validated quality (Qini AUC with a bootstrap interval, per arm).

    Attributes
    ----------
    learner : fitted learner
        Fitted on every row.
    learner_name : str
        Its key in :data:`LEARNERS`.
    qini : dict
        Treated arm label -> cross-validated Qini AUC (:class:`~uplift.inference.Estimate`).
    n_folds, n_rows : int
        Folds of the cross-validation and rows of the experiment.
    feature_names : list of str
        Features the learner uses.
    dropped : list of str
        Columns left out of the features (id-like).
    id_column : str or None
        The id column stored with the model.
    treatment_name, outcome_name : str
        Columns of the arm and of the outcome.
    seconds : float
        Wall time of the training.
    path : Path or None
        Where the model was saved.

    See Also
    --------
    train : Returns it.
    """

    learner: Any
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

    def summary(self) -> pd.DataFrame:
        """One row per treated arm: the cross-validated Qini AUC with its interval and p-value.

        Returns
        -------
        DataFrame
            One row per treated arm.
        """
        tables = [estimate.summary().assign(arm=[arm]) for arm, estimate in self.qini.items()]
        table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=["arm"])
        return table[["arm", *table.columns.drop("arm")]]

    def _headline(self) -> dict[str, Any]:
        return {"learner": self.learner_name, "n_rows": self.n_rows, "n_folds": self.n_folds,
                "seconds": round(self.seconds, 2)}

    def __str__(self) -> str:
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
        return jsonable({
            "learner": self.learner_name,
            "n_rows": self.n_rows,
            "n_folds": self.n_folds,
            "features": self.feature_names,
            "dropped_id_columns": self.dropped,
            "id_column": self.id_column,
            "treatment": self.treatment_name,
            "outcome": self.outcome_name,
            "cross_validated_qini_auc": self.qini,
            "fit_seconds": round(self.seconds, 2),
            "path": self.path,
        })


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
        The id column (``id_column``, else the one id-like column found) is stored with the model, so
        that ``score`` and ``plan`` key their outputs by it.
    treatment, outcome : str, optional
        Names of the arm and outcome columns (required unless ``data`` is an ``ExperimentTable``).
    control : str, optional
        Label of the control arm (default: the smallest label).
    id_column : str, optional
        Customer id column, never a feature.
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

    See Also
    --------
    score, plan : Use the saved model.
    uplift.model_selection.cross_val_uplift : The cross-validation on arrays.
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
        qini[arm] = score_interval(qini_auc_score, table.y[rows], effect[rows, k], treatment=treated,
                                   n_resamples=n_resamples, random_state=random_state)
    progress(n_folds + 1, total, f"fitting {learner} on all rows")
    model.fit(table.X, table.y, treatment=table.treatment)
    seconds = time.perf_counter() - started
    trained = TrainResult(model, learner, qini, n_folds, len(table.y), table.feature_names, table.dropped,
                          _output_id(table), table.treatment_name, table.outcome_name, seconds)
    if output is not None:
        path = Path(output)
        io.save(model, path, reference=table.X, summary=trained.to_dict(), overwrite=overwrite)
        trained = replace(trained, path=path)
    progress(total, total, "done")
    return trained


def _output_id(table: ExperimentTable) -> str | None:
    """The id that keys later outputs: ``--id``, else the one id-like column found, else none (row numbers)."""
    if table.id_name is not None:
        return table.id_name
    return table.dropped[0] if len(table.dropped) == 1 else None
