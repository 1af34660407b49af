"""What the workflow's steps share: the progress callback, reading a model and naming its columns."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import io
from .._utils import plain
from ..exceptions import UpliftInputError
from ._table import ExperimentTable, _check_exists, _columns_of, read_experiment, table_format

logger = logging.getLogger(__name__)


__all__ = ["Progress", "format_p_value"]

Progress = Callable[[int, int, str], None]


def _no_progress(done: int, total: int, description: str) -> None:
    """Progress callback that does nothing (library default)."""


def _as_table(data: ExperimentTable | str | Path | pd.DataFrame, treatment: str | None, outcome: str | None,
              control: str | None, id_column: str | None) -> ExperimentTable:
    if isinstance(data, ExperimentTable):
        return data
    if treatment is None or outcome is None:
        raise UpliftInputError("treatment= and outcome= name the columns of the experiment; give both.")
    return read_experiment(data, treatment=treatment, outcome=outcome, control=control, id_column=id_column)


def _arm_rows(table: ExperimentTable, arm: Any) -> np.ndarray:
    return np.flatnonzero((table.treatment == arm) | (table.treatment == table.control_value))


def format_p_value(p_value: float | None) -> str:
    """A p-value as people read it: ``= 0.032``, ``< 0.001``, ``n/a``.

    Parameters
    ----------
    p_value : float or None
        The p-value; None or NaN when there is none.

    Returns
    -------
    str

    See Also
    --------
    check : Prints its p-values with it.

    Examples
    --------
    >>> format_p_value(0.0), format_p_value(0.0321), format_p_value(None)
    ('< 0.001', '= 0.032', 'n/a')
    """
    if p_value is None or not np.isfinite(p_value):
        return "n/a"
    return "< 0.001" if p_value < 0.001 else f"= {p_value:.3f}"


def _load_learner(model: Any) -> Any:
    if isinstance(model, str | Path):
        path = Path(model)
        if not path.exists():
            raise UpliftInputError(f"MODEL {str(path)!r} does not exist; train one with `uplift train`.")
        return io.load(path)
    return model


def _training_id(model: Any, data: Any, id_column: str | None) -> str | None:
    """The ``--id`` given, else the id column the model was trained with when ``data`` has it."""
    if id_column is not None or not isinstance(model, str | Path) or isinstance(data, pd.DataFrame):
        return id_column
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
    return [str(plain(a)) for a in learner.treatment_arms_]


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
