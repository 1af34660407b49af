"""``uplift plan``: the contact list under a budget, and the saved policy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import io
from .._results import Result, jsonable
from ..campaign import CampaignPlan, Economics, Policy
from ._common import Progress, _check_columns, _feature_names, _load_learner, _no_progress, _training_id
from ._table import TableWriter, read_table

__all__ = ["PlanResult", "contact_list", "plan"]

@dataclass(frozen=True, repr=False)
class PlanResult(Result):
    """The campaign plan on a customer file and where the contact list (and policy) went.

    Attributes
    ----------
    plan : CampaignPlan
        The plan.
    output : Path or None
        Where the contact list went.
    policy_path : Path or None
        Where the policy went.
    policy : Policy
        The policy fitted with the plan's prices.
    currency : str
        Shown with amounts.

    See Also
    --------
    plan : Returns it.
    """

    plan: CampaignPlan
    output: Path | None
    policy_path: Path | None
    policy: Policy
    currency: str = "$"

    def summary(self) -> pd.DataFrame:
        """The plan's per-arm table (:meth:`uplift.campaign.CampaignPlan.summary`).

        Returns
        -------
        DataFrame
            One row per arm.
        """
        return self.plan.summary()

    def to_dict(self) -> dict[str, Any]:
        """The plan's :meth:`~uplift.campaign.CampaignPlan.to_dict` and where the contact list and policy went.

        Returns
        -------
        dict
            JSON-ready.
        """
        return jsonable({"plan": self.plan, "output": self.output, "policy_path": self.policy_path,
                         "currency": self.currency})

    def _headline(self) -> dict[str, Any]:
        return {**self.plan._headline(), "output": None if self.output is None else str(self.output)}

    def __str__(self) -> str:
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

    Parameters
    ----------
    plan : CampaignPlan
        The plan (:func:`uplift.campaign.plan_campaign`).
    id_name : str, default "id"
        Name of the id column.

    Returns
    -------
    DataFrame
        One row per contacted customer: id, arm, expected incremental profit and expected spend.

    See Also
    --------
    plan : Writes it to the ``output`` file.

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

    See Also
    --------
    uplift.campaign.plan_campaign : The optimizer on arrays.
    contact_list : The contact list it writes.
    score : Scores alone, without a plan.
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
        policy_path = io.save(policy, Path(policy_output), overwrite=overwrite)
    progress(3, 3, "done")
    return PlanResult(result, written, policy_path, policy, currency)
