"""``uplift check``: is the experiment sound, and is there a signal to target?"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._results import Result, jsonable
from ..diagnostics import ExperimentReport, SignalCheckResult, check_experiment, signal_check
from ..validation import renamed_parameters
from ._common import Progress, _arm_rows, _as_table, _no_progress
from ._table import ExperimentTable

__all__ = ["CheckResult", "check"]

@dataclass(frozen=True, repr=False)
class CheckResult(Result):
    """Experiment checks and, for each treated arm, the signal check.

    Attributes
    ----------
    table : ExperimentTable
        The experiment that was checked.
    experiment : ExperimentReport
        The experiment checks (:func:`uplift.diagnostics.check_experiment`).
    signal : dict
        Treated arm label -> its :class:`~uplift.diagnostics.SignalCheckResult`.
    unchecked : list of str
        Text columns the experiment checks left out (the signal check uses every feature).

    See Also
    --------
    check : Computes it.
    """

    table: ExperimentTable
    experiment: ExperimentReport
    signal: dict[Any, SignalCheckResult]
    unchecked: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return self.experiment.verdict

    def summary(self) -> pd.DataFrame:
        """One row per check: the experiment checks (:meth:`ExperimentReport.summary`), then one per arm's signal.

        A signal row's ``value`` is the RATE of the naive ranking and its ``p_value`` one-sided.

        Returns
        -------
        DataFrame
            One row per check.
        """
        signal = [{"check": f"signal ({arm})", "verdict": result.verdict, "statistic": f"RATE ({result.target})",
                   "value": result.rate.estimate, "p_value": result.rate.p_value}
                  for arm, result in self.signal.items()]
        return pd.concat([self.experiment.summary(), pd.DataFrame(signal)], ignore_index=True)

    def _headline(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "detected": {str(arm): r.detected for arm, r in self.signal.items()}}

    def __str__(self) -> str:
        lines = [*self.table.notes(), "", str(self.experiment)]
        if self.unchecked:
            lines.append(f"Balance and predictability use the numeric columns; not checked (text): "
                         f"{', '.join(self.unchecked)}. The signal check uses every feature.")
        for arm, result in self.signal.items():
            lines += ["", f"Arm {arm!r} versus control {self.table.control_value!r}:", str(result)]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"experiment": self.experiment, "unchecked_text_columns": self.unchecked,
                         "signal": self.signal, "dropped_id_columns": self.table.dropped})


@renamed_parameters(n_splits="n_repeats")
def check(
    data: ExperimentTable | str | Path | pd.DataFrame,
    *,
    treatment: str | None = None,
    outcome: str | None = None,
    control: str | None = None,
    id_column: str | None = None,
    n_repeats: int = 10,
    random_state: int = 0,
    progress: Progress | None = None,
) -> CheckResult:
    """Is the experiment sound (sample ratio, balance, predictability, ATE), and is there a signal to target?

    Parameters
    ----------
    data : ExperimentTable, path or DataFrame
        The experiment (see :func:`read_experiment` for ``treatment``, ``outcome``, ``control``, ``id_column``).
    treatment, outcome : str, optional
        Names of the arm and outcome columns (required unless ``data`` is an ``ExperimentTable``).
    control : str, optional
        Label of the control arm (default: the smallest label).
    id_column : str, optional
        Customer id column, never a feature.
    n_repeats : int, default 10
        Repeated halvings of :func:`uplift.diagnostics.signal_check` (``n_splits=`` is a deprecated alias).
    random_state : int, default 0
    progress : callable, optional
        ``progress(done, total, description)`` after each stage.

    Returns
    -------
    CheckResult

    See Also
    --------
    uplift.diagnostics.check_experiment : The experiment checks on arrays.
    uplift.diagnostics.signal_check : The signal check on arrays.

    Examples
    --------
    >>> from uplift.datasets import make_uplift_classification
    >>> data = make_uplift_classification(2000, random_state=1)
    >>> frame = data.X.assign(t=data.treatment, y=data.y)
    >>> result = check(frame, treatment="t", outcome="y", n_repeats=2)
    >>> result.verdict, sorted(result.signal)
    ('pass', [1])
    """
    table = _as_table(data, treatment, outcome, control, id_column)
    progress = progress or _no_progress
    total = 1 + len(table.arms)
    progress(0, total, "experiment checks")
    numeric, text = _numeric_columns(table.X)
    experiment = check_experiment(table.X[numeric], table.y, treatment=table.treatment,
                                  control_value=table.control_value,
                                  random_state=random_state)
    signal = {}
    for k, arm in enumerate(table.arms, start=1):
        progress(k, total, f"signal check, arm {arm}")
        rows = _arm_rows(table, arm)
        signal[arm] = signal_check(table.X.iloc[rows], table.y[rows], treatment=table.treatment[rows],
                                   control_value=table.control_value, n_repeats=n_repeats,
                                   random_state=random_state)
    progress(total, total, "done")
    return CheckResult(table, experiment, signal, text)


def _numeric_columns(X: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Numeric (and boolean) columns, and the others (text, categories): balance is checked on numbers."""
    numeric = [str(c) for c, d in X.dtypes.items() if pd.api.types.is_numeric_dtype(d) or pd.api.types.is_bool_dtype(d)]
    return numeric, [str(c) for c in X.columns if str(c) not in numeric]
