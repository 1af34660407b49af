"""The report an analyst can act on: `uplift report` on the user's data, `uplift demo` on Hillstrom.

The first screen answers the questions in order (is the experiment sound, is there anything to
target, whom to contact with which offer, what it earns on a holdout with its interval, versus
the simple rules); the sections below give the evidence (the forecast made before the campaign, the
ranking, calibration with GATES, and the segments with the ranking's drivers). Each section is a function
``section(context) -> None`` that reads and adds to the shared :class:`ReportContext`; the order of
``SECTIONS`` is the order of the report, and ``APPENDIX`` follows it. A new section
is one more function in that list. :func:`answer_section` runs last and writes the
first screen from the sections' results.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..campaign import Economics
from ..datasets import load_hillstrom
from ..workflow import ExperimentTable, read_experiment
from ._answer import answer_section
from ._appendix import conventions_section
from ._benchmark import benchmark_section
from ._calibration import calibration_section
from ._campaign import campaign_section
from ._context import ReportContext
from ._experiment import experiment_section
from ._forecast import forecast_section
from ._model import model_section
from ._ranking import ranking_section
from ._report import Report
from ._segments import persuadables_section
from ._signal import signal_section

__all__ = ["APPENDIX", "SECTIONS", "ReportContext", "build_report", "run_demo", "run_report"]

logger = logging.getLogger(__name__)

Section = Callable[[ReportContext], None]
Progress = Callable[[int, int, str], None]

SECTIONS: tuple[Section, ...] = (
    experiment_section,
    model_section,
    signal_section,
    campaign_section,
    forecast_section,
    ranking_section,
    calibration_section,
    persuadables_section,
)
APPENDIX: tuple[Section, ...] = (conventions_section,)

#: The demo's economics (as experiments/hillstrom_campaign.py): a visit is worth $4.00 of margin, an
#: e-mail costs $0.10, and every e-mailed visitor gets a free-shipping banner worth $0.25.
DEMO_ECONOMICS = {"value": 4.00, "contact_cost": 0.10, "conversion_cost": 0.25}
#: The demo's budget: half of what e-mailing every customer expected to be profitable would spend.
DEMO_BUDGET_SHARE = 0.5


def build_report(context: ReportContext, *, sections: Sequence[Section] = SECTIONS,
                 appendix: Sequence[Section] = APPENDIX, progress: Progress | None = None) -> Path:
    """Run ``sections``, then ``appendix``, then the answer; write ``index.html`` and ``summary.json``.

    ``progress(done, total, description)`` is called before each section (the CLI draws it).

    Parameters
    ----------
    context : ReportContext
        The experiment, the economics and the report being written.
    sections : sequence of callables, default SECTIONS
        ``section(context) -> None`` functions, in the order of the report.
    appendix : sequence of callables, default APPENDIX
        Sections after the main ones.
    progress : callable, optional
        ``progress(done, total, description)``, called before each section (the CLI draws it).

    Returns
    -------
    Path
        The report's ``index.html``.

    See Also
    --------
    run_report : The report on a file, with its context built.
    run_demo : The report on the bundled Hillstrom data.
    """
    started = time.perf_counter()
    steps = (*sections, *appendix, answer_section)
    for done, section in enumerate(steps):
        logger.info("report section %s", section.__name__)
        if progress is not None:
            progress(done, len(steps), section.__name__.removesuffix("_section"))
        section(context)
    if progress is not None:
        progress(len(steps), len(steps), "done")
    elapsed = time.perf_counter() - started
    context.report.summary["elapsed_seconds"] = round(elapsed, 1)
    context.report.paragraph(f"Report written in {elapsed:.0f} s by uplift.", css_class="note")
    return context.report.write()


def run_report(
    data: str | Path | Any,
    *,
    output_dir: str | Path,
    treatment: str,
    outcome: str,
    control: str | None = None,
    id_column: str | None = None,
    economics: Economics | None = None,
    budget: float | None = None,
    max_contacts: int | None = None,
    currency: str = "$",
    outcome_name: str | None = None,
    title: str | None = None,
    random_state: int = 0,
    quick: bool = False,
    progress: Progress | None = None,
) -> Path:
    """The report on the user's own experiment (CSV, Parquet or DataFrame); returns the path of ``index.html``.

    Parameters
    ----------
    data : path or DataFrame
        The randomized experiment, one row per customer (see :func:`uplift.workflow.read_experiment`).
    output_dir : path
        Report folder (created if missing).
    treatment, outcome, control, id_column
        Columns of the experiment and the control label.
    economics : Economics, optional
        Value of a conversion and costs (per-arm costs as mappings keyed by the arm labels of the
        file). Default: no economics, so "profit" counts incremental outcomes (each worth 1, contacts
        free) and amounts are printed without a currency.
    budget, max_contacts : optional
        Constraints of the plan on the holdout customers.
    currency : str, default "$"
    outcome_name : str, optional
        What one unit of the outcome is ("visit"); default the outcome column's name.
    title : str, optional
    random_state : int, default 0
    quick : bool, default False
        Smaller settings (fewer trees, resamples and splits), for a fast look and for tests.
    progress : callable, optional
        ``progress(done, total, description)`` before each section.

    Returns
    -------
    Path

    See Also
    --------
    run_demo : The report on the bundled Hillstrom data.
    uplift.workflow.check : The experiment checks alone.
    """
    table = data if isinstance(data, ExperimentTable) else read_experiment(
        data, treatment=treatment, outcome=outcome, control=control, id_column=id_column)
    name = str(data) if isinstance(data, str | Path) else "a DataFrame"
    report = Report(Path(output_dir), title or f"Uplift report: {Path(name).name}")
    report.subtitle = (f"Data: {name}; treatment {table.treatment_name!r}, outcome {table.outcome_name!r}. "
                       "Every number is computed from this file; see the sections below for how.")
    context = ReportContext(
        table=table, economics=economics or Economics(value=1.0), report=report,
        outcome_name=outcome_name or table.outcome_name, budget=budget, max_contacts=max_contacts,
        currency=currency if economics is not None else "", economics_given=economics is not None,
        data_name=name, random_state=random_state, quick=quick,
    )
    return build_report(context, progress=progress)


def hillstrom_table() -> ExperimentTable:
    """Hillstrom (all three arms, outcome visit) with readable arm labels, as a user's file would hold them."""
    data = load_hillstrom(outcome="visit", arms="all")
    labels = np.asarray([data.arm_names[code] for code in data.treatment], dtype=object)
    return ExperimentTable(X=data.X, y=np.asarray(data.y, dtype=np.float64), treatment=labels,
                           ids=np.arange(len(data.y)), control_value=data.arm_names[data.control_value],
                           treatment_name="segment", outcome_name="visit")


def run_demo(output_dir: str | Path = "reports/demo", *, random_state: int = 0, quick: bool = False,
             benchmark: bool = True, progress: Progress | None = None) -> Path:
    """The report on the bundled Hillstrom e-mail experiment (plus a learner benchmark in the appendix).

    Parameters
    ----------
    output_dir : path
        Folder of the report (created if missing).
    random_state : int
        Seed of every split and model.
    quick : bool
        Smaller settings for tests (fewer bootstrap resamples, splits and trees).
    benchmark : bool, default True
        Add the learner benchmark (Appendix B).
    progress : callable, optional
        ``progress(done, total, description)`` before each section.

    Returns
    -------
    Path of ``index.html``.

    See Also
    --------
    run_report : The same report on your own experiment.
    """
    table = hillstrom_table()
    report = Report(Path(output_dir), "Uplift report: the Hillstrom e-mail campaign")
    report.subtitle = ("Demo on the bundled Hillstrom data (64,000 customers e-mailed at random with a women's "
                       "or a men's e-mail, or not at all; outcome: visited the site within two weeks). "
                       "`uplift report` writes the same report on your own file.")
    context = ReportContext(
        table=table, economics=Economics(**DEMO_ECONOMICS), report=report, outcome_name="visit",
        budget_share=DEMO_BUDGET_SHARE, data_name="hillstrom", random_state=random_state, quick=quick,
    )
    appendix = (*APPENDIX, benchmark_section) if benchmark else APPENDIX
    return build_report(context, appendix=appendix, progress=progress)
