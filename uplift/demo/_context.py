"""State passed from one demo section to the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..datasets import UpliftDataset
from ._report import Report


@dataclass
class DemoContext:
    """What the demo sections share: the data, the report, and results of earlier sections.

    Sections read what earlier ones left in ``results`` (for example a fitted learner under
    ``"learner"`` or a train/test split under ``"split"``) and add their own.
    """

    data: UpliftDataset
    data_all_arms: UpliftDataset
    report: Report
    random_state: int = 0
    quick: bool = False
    results: dict[str, Any] = field(default_factory=dict)
