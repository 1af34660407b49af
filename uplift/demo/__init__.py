"""`uplift demo`: the main job on the bundled Hillstrom data, written as an HTML report.

Each section lives in its own module and adds to the shared :class:`DemoContext`; the order of
``SECTIONS`` is the order of the report.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from ..datasets import load_hillstrom
from ._benchmark import benchmark_section
from ._campaign import campaign_section
from ._context import DemoContext
from ._evaluation import evaluation_section
from ._experiment import experiment_section
from ._models import models_section
from ._report import Report

__all__ = ["SECTIONS", "DemoContext", "run_demo"]

logger = logging.getLogger(__name__)

SECTIONS: tuple[Callable[[DemoContext], None], ...] = (
    experiment_section,
    models_section,
    evaluation_section,
    campaign_section,
    benchmark_section,
)


def run_demo(output_dir: str | Path = "reports/demo", *, random_state: int = 0, quick: bool = False) -> Path:
    """Run every demo section on Hillstrom and write ``index.html`` and ``summary.json``.

    Parameters
    ----------
    output_dir : path
        Folder of the report (created if missing).
    random_state : int
        Seed of every split and model.
    quick : bool
        Smaller settings for tests (fewer bootstrap resamples and folds).

    Returns
    -------
    Path of ``index.html``.
    """
    started = time.perf_counter()
    report = Report(Path(output_dir), "uplift demo: Hillstrom e-mail campaign")
    context = DemoContext(
        data=load_hillstrom(outcome="visit", arms="womens"),
        data_all_arms=load_hillstrom(outcome="visit", arms="all"),
        report=report,
        random_state=random_state,
        quick=quick,
    )
    for section in SECTIONS:
        logger.info("demo section %s", section.__name__)
        section(context)
    elapsed = time.perf_counter() - started
    report.summary["elapsed_seconds"] = round(elapsed, 1)
    report.paragraph(f"Report written in {elapsed:.0f} s.", css_class="note")
    return report.write()
