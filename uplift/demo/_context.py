"""State passed from one report section to the next, and the report's number formats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..campaign import Economics
from ..workflow import ExperimentTable
from ._report import Report

__all__ = ["ReportContext", "money", "outcome_words"]


@dataclass
class ReportContext:
    """What the report sections share: the experiment, the economics, the report and earlier results.

    Sections read what earlier ones left in ``results`` (a fitted learner under ``"learner"``, the
    train/test rows under ``"split"``, the plan under ``"plan"``...) and add their own. A new section
    (as the calibration and the segments are) is a function ``section(context) -> None`` added to ``SECTIONS``.

    Attributes
    ----------
    table : ExperimentTable
        The experiment: features, outcome, arm labels (the control included), ids.
    economics : Economics
        Value of a conversion and costs of each arm (arm labels as in ``table.treatment``).
    outcome_name : str
        What one unit of the outcome is, in words ("visit"): axes say "incremental visits".
    budget, max_contacts : optional
        Constraints of the plan on the holdout customers.
    currency : str
    economics_given : bool
        False when the user stated no economics: "profit" then counts incremental outcomes.
    data_name : str
        Where the data came from, for the title.
    report : Report
        The HTML report being written.
    budget_share : float, optional
        Without ``budget``: the budget as a share of what the plan without a budget would spend.
    random_state : int
        Seed of every split and model.
    quick : bool
        Smaller settings (fewer trees, resamples and splits).
    results : dict
        What earlier sections left for later ones (``"learner"``, ``"split"``, ``"plan"``, ...).

    See Also
    --------
    build_report : Runs the sections on a context.
    """

    table: ExperimentTable
    economics: Economics
    report: Report
    outcome_name: str
    budget: float | None = None
    budget_share: float | None = None
    max_contacts: int | None = None
    currency: str = "$"
    economics_given: bool = True
    data_name: str = ""
    random_state: int = 0
    quick: bool = False
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def outcome_plural(self) -> str:
        return outcome_words(self.outcome_name)

    @property
    def unit(self) -> str:
        """What amounts are counted in: the currency, or the outcome when no economics were given."""
        return self.currency or self.outcome_plural

    @property
    def effect_unit(self) -> str:
        """How effects are shown: ``"extra visits per 100 customers"`` (an effect times 100)."""
        return f"extra {self.outcome_plural} per 100 customers"

    def effect(self, value: float) -> str:
        """An effect per customer in the report's unit: 0.0123 -> "1.23" (extra outcomes per 100 customers).

        Parameters
        ----------
        value : float
            The effect per customer (a difference of probabilities or of means).

        Returns
        -------
        str
            The effect times 100 with two decimals, or ``"n/a"`` when it is not finite.
        """
        return "n/a" if not np.isfinite(value) else f"{100 * value:,.2f}"

    def money(self, value: float, *, decimals: int = 0) -> str:
        """An amount in the currency of the report (``"$1,552"``).

        Parameters
        ----------
        value : float
            The amount.
        decimals : int, default 0
            Digits after the decimal point.

        Returns
        -------
        str
        """
        return money(value, self.currency, decimals=decimals)

    def profit(self, value: float) -> str:
        """"$1,552 of incremental profit", or "4 incremental visits" when no economics were given.

        Parameters
        ----------
        value : float
            Incremental profit (or incremental outcomes when no economics were given).

        Returns
        -------
        str
        """
        if self.economics_given:
            return f"{self.money(value)} of incremental profit"
        return f"{self.money(value)} incremental {self.outcome_plural}"


def outcome_words(name: str) -> str:
    """The plural of an outcome's name, for axis labels ("visit" -> "visits").

    Examples
    --------
    >>> outcome_words("visit"), outcome_words("sales"), outcome_words("spend_usd"), outcome_words("converted")
    ('visits', 'sales', 'spend usd', 'converted customers')
    """
    words = name.replace("_", " ").strip()
    if words.endswith(("s", "usd", "amount", "revenue", "spend")):
        return words
    if words.endswith("ed"):  # "converted" -> "converted customers"
        return words + " customers"
    return words + "s"


def money(value: float, currency: str = "$", *, decimals: int = 0) -> str:
    """An amount with its currency and thousands separators; the sign before the symbol.

    Examples
    --------
    >>> money(1234.5), money(-80.2, "€", decimals=2), money(float("nan"))
    ('$1,234', '-€80.20', 'n/a')
    """
    if not np.isfinite(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    return f"{sign}{currency}{abs(value):,.{decimals}f}"
