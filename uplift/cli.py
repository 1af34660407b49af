"""The `uplift` command line: `uplift demo`, `benchmark`, `datasets`, and the workflow `check`, `train`,
`score`, `plan`, `report` (see docs/workflow.md).

Only this module writes to the terminal. User mistakes end in one readable line on stderr and
exit code 2; failures of the program itself keep their traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import urllib.error
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import __version__
from .exceptions import UpliftInputError, UpliftTypeError

if TYPE_CHECKING:
    from .campaign import Economics

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran but produced nothing (every benchmark task failed)
EXIT_USAGE = 2


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    index = run_demo(args.output, random_state=args.random_state, quick=args.quick,
                     progress=_Tqdm(unit="section", disable=args.no_progress))
    print(f"Report written to {index}")
    print(f"Summary written to {index.parent / 'summary.json'}")
    return EXIT_OK


class _ProgressBar:
    """A one-line progress bar on stderr (the CLI's only; library code logs)."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream, self.width = stream or sys.stderr, width
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int, description: str) -> None:
        filled = int(self.width * done / max(total, 1))
        elapsed = time.perf_counter() - self.started
        line = f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {elapsed:5.0f}s {description}"
        self.stream.write(line[:150].ljust(150) if self.stream.isatty() else line + "\n")
        if done == total and self.stream.isatty():
            self.stream.write("\n")
        self.stream.flush()


def _benchmark(args: argparse.Namespace) -> int:
    from .benchmark import load_config, run_benchmark, summarize

    config = load_config(args.config, allow_imports=args.allow_import, data_dir=args.data_dir)
    progress = None if args.no_progress else _ProgressBar()
    run = run_benchmark(config, output_dir=args.output, resume=args.resume, progress=progress)
    table = summarize(run.output_dir, keys=run.keys, failures=run.failures)
    print(f"{run.n_run} task(s) run, {run.n_skipped} already finished, {len(run.failures)} learner/data set "
          f"pair(s) skipped")
    if table.empty:
        for failure in run.failures:
            print(f"  failed: {failure}", file=sys.stderr)
        print(f"uplift benchmark: error: no task finished, so no summary was written (every learner/data set "
              f"pair failed; see above). Results folder: {run.output_dir}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Results: {run.output_dir / 'results.jsonl'}")
    print(f"Summary: {run.output_dir / 'summary.md'}")
    return EXIT_OK


def _datasets_list(args: argparse.Namespace) -> int:
    from .datasets import DATASETS

    width = max(len(key) for key in DATASETS)
    for key, info in DATASETS.items():
        where = "download" if info.downloadable else ("bundled/generated" if key in ("hillstrom", "synthetic",
                                                      "synthetic_regression") else "local file (path=)")
        print(f"{key:<{width}}  {info.summary} [{where}; {info.licence}; checksum: {info.checksum}]")
    return EXIT_OK


def _datasets_fetch(args: argparse.Namespace) -> int:
    from .datasets import DATASETS, load_dataset

    info = DATASETS.get(args.name)
    if info is None:
        raise UpliftInputError(f"unknown data set {args.name!r}; run `uplift datasets list` for the names.")
    params: dict[str, object] = {}
    if args.path is not None:
        params["path"] = args.path
    if info.downloadable and args.data_home is not None:
        params["data_home"] = args.data_home
    try:
        data = load_dataset(args.name, **params)
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise UpliftInputError(f"download of {args.name!r} failed ({error}); check the network, or download the "
                               "file yourself and pass --path.") from error
    print(f"{args.name}: {data!r}")
    return EXIT_OK


class _Tqdm:
    """Adapter from the workflow's ``progress(done, total, description)`` callback to a tqdm bar.

    The bar appears only for steps that last more than a second (``delay=1``), only on stderr, and
    only when stderr is a terminal (a log file gets no carriage-return noise).
    """

    def __init__(self, unit: str = "step", disable: bool = False) -> None:
        self.unit = unit
        self.bar: Any = None
        self.disable: bool | None = True if disable else None  # None: tqdm disables it off a terminal

    def __call__(self, done: int, total: int, description: str) -> None:
        from tqdm import tqdm  # the CLI's progress bar; library code only calls back

        if self.bar is None:
            self.bar = tqdm(total=total or None, unit=self.unit, unit_scale=self.unit == "row", delay=1.0,
                            disable=self.disable, file=sys.stderr, leave=False, dynamic_ncols=True)
        self.bar.set_description_str(description)
        self.bar.update(done - self.bar.n)
        if total and done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _experiment_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", metavar="DATA", help="the experiment: a .csv or .parquet file, one row per customer")
    parser.add_argument("--treatment", "-t", required=True, help="column holding each customer's arm")
    parser.add_argument("--outcome", "-y", required=True, help="column holding the outcome (0/1 or an amount)")
    parser.add_argument("--control", default=None,
                        help="label of the control arm in the treatment column (default: the smallest)")
    parser.add_argument("--id", dest="id_column", default=None,
                        help="customer id column (kept for outputs, never a feature)")
    parser.add_argument("--random-state", type=int, default=0, help="seed of splits and models (default: 0)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def _cost(text: str) -> float | dict[str, float]:
    """``0.1`` (every arm) or ``email=0.1,sms=0.4`` (per arm label)."""
    if "=" not in text:
        return float(text)
    costs = {}
    for part in text.split(","):
        label, _, value = part.partition("=")
        costs[label.strip()] = float(value)
    return costs


def _economics_arguments(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--value", type=float, required=required, default=None,
                        help="margin earned per conversion (binary outcome)" + ("" if required else
                        " (default: 1, i.e. count incremental conversions)"))
    parser.add_argument("--contact-cost", type=_cost, default=0.0,
                        help="cost of one contact: a number, or LABEL=COST,... per arm (default: 0)")
    parser.add_argument("--conversion-cost", type=_cost, default=0.0,
                        help="cost paid for every treated conversion, e.g. a coupon (default: 0)")
    parser.add_argument("--budget", type=float, default=None, help="cap on the expected spend")
    parser.add_argument("--max-contacts", type=int, default=None, help="cap on the number of customers contacted")
    parser.add_argument("--currency", default="$", help="currency symbol for the outputs (default: $)")


def _economics(args: argparse.Namespace, arms: Sequence[object] | None = None) -> Economics:
    from .campaign import Economics

    def by_label(spec: float | dict[str, float]) -> Any:
        if not isinstance(spec, dict) or arms is None:
            return spec
        labels = {str(a): a for a in arms}
        unknown = [k for k in spec if k not in labels]
        if unknown:
            raise UpliftInputError(f"cost given for unknown arm(s) {unknown}; the arms are {list(labels)}.")
        return {labels[k]: v for k, v in spec.items()}

    value = 1.0 if args.value is None else args.value
    return Economics(value=value, contact_cost=by_label(args.contact_cost),
                     conversion_cost=by_label(args.conversion_cost))


def _check(args: argparse.Namespace) -> int:
    from .workflow import check

    progress = _Tqdm(disable=args.no_progress)
    result = check(args.data, treatment=args.treatment, outcome=args.outcome, control=args.control,
                   id_column=args.id_column, n_repeats=args.repeats, random_state=args.random_state,
                   progress=progress)
    print(result)
    return EXIT_OK


def _train(args: argparse.Namespace) -> int:
    from .workflow import train

    progress = _Tqdm(disable=args.no_progress)
    result = train(args.data, treatment=args.treatment, outcome=args.outcome, control=args.control,
                   id_column=args.id_column, learner=args.learner, n_folds=args.folds, output=args.output,
                   overwrite=args.overwrite, random_state=args.random_state, progress=progress)
    print(result)
    return EXIT_OK


def _score(args: argparse.Namespace) -> int:
    from .workflow import score

    progress = _Tqdm(unit="row", disable=args.no_progress)
    result = score(args.model, args.data, output=args.output, id_column=args.id_column, chunksize=args.chunksize,
                   progress=progress)
    progress.close()
    print(result)
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    from . import io
    from .workflow import plan

    learner = io.load(args.model)  # loaded once here for the arm labels of per-arm costs
    progress = _Tqdm(disable=args.no_progress)
    policy_output = args.policy
    if policy_output is None:
        output = Path(args.output)
        policy_output = output.with_name(output.name.split(".")[0] + ".policy")
    result = plan(args.model, args.data, economics=_economics(args, list(learner.treatment_arms_)), budget=args.budget,
                  max_contacts=args.max_contacts, id_column=args.id_column, output=args.output,
                  policy_output=policy_output, overwrite=args.overwrite, currency=args.currency, progress=progress)
    print(result)
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from .demo import run_report

    stated = args.value is not None or args.contact_cost or args.conversion_cost
    index = run_report(args.data, output_dir=args.output, treatment=args.treatment, outcome=args.outcome,
                       control=args.control, id_column=args.id_column,
                       economics=_economics(args) if stated else None,
                       budget=args.budget, max_contacts=args.max_contacts, currency=args.currency,
                       random_state=args.random_state, quick=args.quick,
                       progress=_Tqdm(unit="section", disable=args.no_progress))
    print(f"Report written to {index}")
    return EXIT_OK


def _monitor(args: argparse.Namespace) -> int:
    from .io import load, read_manifest
    from .monitoring import monitor
    from .workflow import read_table

    manifest = read_manifest(args.model)
    reference = manifest.get("reference")
    if reference is None:
        raise UpliftInputError(f"{args.model} has no reference histograms; save it with "
                               "uplift.io.save(model, path, reference=X_train).")
    frame = read_table(args.data)
    given = [c for c in (args.outcome, args.treatment, args.propensity) if c is not None]
    missing = [c for c in [*given, *reference["features"]] if c not in frame.columns]
    if missing:
        raise UpliftInputError(f"{args.data} lacks column(s) {missing[:8]}; got {list(frame.columns)[:12]}.")
    report = monitor(
        load(args.model), frame[list(reference["features"])], reference=reference, training=manifest.get("training"),
        y=None if args.outcome is None else frame[args.outcome].to_numpy(),
        treatment=None if args.treatment is None else frame[args.treatment].to_numpy(),
        propensity=None if args.propensity is None else frame[args.propensity].to_numpy(),
        alpha=args.alpha, random_state=args.random_state,
    )
    index = report.to_html(args.output)
    print(f"status: {report.status}")
    for reason in report.reasons:
        print(f"  - {reason}")
    print(f"Report written to {index}")
    return EXIT_OK


def _add_workflow_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from .workflow import LEARNERS

    check = commands.add_parser(
        "check", help="is the experiment sound, and is there a signal to target?",
        description="Sample ratio, covariate balance, treatment predictability and average effect of the "
        "experiment in DATA, then the signal check (is the effect different between customers?).",
    )
    _experiment_arguments(check)
    check.add_argument("--repeats", "--splits", dest="repeats", type=int, default=10,
                       help="repeated sample splits of the signal check (default: 10; fewer is faster, less "
                       "stable; --splits is the former name)")
    check.set_defaults(handler=_check)

    train = commands.add_parser(
        "train", help="fit an uplift model on an experiment and save it",
        description="Cross-validate the learner (Qini AUC with a 95% bootstrap interval, printed and stored "
        "with the model), fit it on every row of DATA, and save it to MODEL (a folder, or a .zip).",
    )
    _experiment_arguments(train)
    train.add_argument("--learner", default="s_learner", choices=list(LEARNERS),
                       help="the uplift learner (default: s_learner)")
    train.add_argument("--folds", type=int, default=5, help="cross-validation folds (default: 5)")
    train.add_argument("--output", "-o", required=True, metavar="MODEL", help="where to save the model")
    train.add_argument("--overwrite", action="store_true", help="replace a model already saved at MODEL")
    train.set_defaults(handler=_train)

    score = commands.add_parser(
        "score", help="score a customer file with a saved model, chunk by chunk",
        description="Per-arm effects and expected outcomes for every row of DATA, keyed by --id, written to "
        "FILE (.csv or .parquet). The file is read in chunks, so it may be larger than memory.",
    )
    score.add_argument("model", metavar="MODEL", help="a model saved by `uplift train`")
    score.add_argument("data", metavar="DATA", help="customer file (.csv or .parquet) with the model's features")
    score.add_argument("--output", "-o", required=True, metavar="FILE", help="scores file (.csv or .parquet)")
    score.add_argument("--id", dest="id_column", default=None, help="customer id column (default: row number)")
    score.add_argument("--chunksize", type=int, default=100_000, help="rows per chunk (default: 100000)")
    score.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    score.set_defaults(handler=_score)

    plan = commands.add_parser(
        "plan", help="whom to contact with which offer: the contact list and a saved policy",
        description="Plan the campaign on the customers of DATA with a saved model: the contact list (id, arm, "
        "expected incremental profit) goes to FILE, the policy (to decide on new customers with the same "
        "prices) to --policy.",
    )
    plan.add_argument("model", metavar="MODEL", help="a model saved by `uplift train`")
    plan.add_argument("data", metavar="DATA", help="customer file (.csv or .parquet) with the model's features")
    _economics_arguments(plan, required=True)
    plan.add_argument("--id", dest="id_column", default=None, help="customer id column (default: row number)")
    plan.add_argument("--output", "-o", required=True, metavar="FILE", help="contact list (.csv or .parquet)")
    plan.add_argument("--policy", default=None,
                      help="where to save the policy (default: next to FILE, named FILE_STEM.policy)")
    plan.add_argument("--overwrite", action="store_true", help="replace a policy already saved there")
    plan.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    plan.set_defaults(handler=_plan)

    report = commands.add_parser(
        "report", help="the HTML report on your own experiment",
        description="Check the experiment in DATA, fit an uplift model on 70% of it, plan the campaign on the "
        "other 30% and measure what the plan earns there, against treat-all, treat-none and rank-by-response. "
        "Writes index.html and summary.json into --output.",
    )
    _experiment_arguments(report)
    _economics_arguments(report, required=False)
    report.add_argument("--output", "-o", required=True, metavar="DIR", help="report folder")
    report.add_argument("--quick", action="store_true", help="smaller settings, for a fast look")
    report.set_defaults(handler=_report)


def _retrain(args: argparse.Namespace) -> int:
    from .io import load, read_manifest, save
    from .monitoring import retrain_policy
    from .workflow import read_table

    champion = load(args.model)
    if not hasattr(champion, "decide"):
        raise UpliftInputError(f"{args.model} holds a {type(champion).__name__}; uplift retrain needs a saved Policy.")
    features = list((read_manifest(args.model).get("reference") or {}).get("features", {}))
    frame = read_table(args.data)
    needed = [args.outcome, args.treatment, *([args.holdout] if args.holdout else []), *features]
    missing = [c for c in needed if c not in frame.columns]
    if missing or not features:
        raise UpliftInputError(f"{args.data} lacks column(s) {missing[:8]} (or the model has no reference features).")
    if args.holdout:
        frame = frame[frame[args.holdout] == "explore"]
    challenger, comparison = retrain_policy(
        champion, frame[features].reset_index(drop=True), frame[args.outcome].to_numpy(),
        treatment=frame[args.treatment].to_numpy(), margin=args.margin, random_state=args.random_state)
    print(comparison.reason)
    if comparison.promote:
        path = save(challenger, args.output, reference=frame[features])
        print(f"challenger promoted: written to {path}")
    else:
        print("champion kept: nothing written")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="uplift",
        description="Uplift modeling for targeted marketing: estimate who responds *because* of a "
        "campaign, and plan campaigns by incremental profit.",
    )
    parser.add_argument("--version", action="version", version=f"uplift {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser(
        "demo", help="run the main job on the bundled Hillstrom data and write an HTML report",
        description="Check the Hillstrom experiment, fit and evaluate uplift models, plan a "
        "campaign, and write index.html and summary.json.",
    )
    demo.add_argument("--output", "-o", default="reports/demo", help="report folder (default: reports/demo)")
    demo.add_argument("--random-state", type=int, default=0, help="seed for splits and models (default: 0)")
    demo.add_argument("--quick", action="store_true", help="smaller settings, for a fast look")
    demo.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    demo.set_defaults(handler=_demo)

    benchmark = commands.add_parser(
        "benchmark", help="run learners (ours and peers) on data sets as a TOML config says",
        description="Run every (data set, learner, seed, fold) task of CONFIG, append each finished task to "
        "OUTPUT/results.jsonl, and write summary.md, summary.csv and figures. See docs/benchmark.md.",
    )
    benchmark.add_argument("config", metavar="CONFIG", help="benchmark configuration file (.toml)")
    benchmark.add_argument("--output", "-o", default=None,
                           help="results folder (default: the config's output, else benchmark-results/NAME)")
    benchmark.add_argument("--resume", action="store_true",
                           help="continue a run in the results folder, skipping finished tasks")
    benchmark.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    benchmark.add_argument("--data-dir", default=None, metavar="DIR",
                           help="folder holding the reference files (starbucks/, ihdp/, ...); overrides the "
                           "config's data_dir (default: UPLIFT_DATA_HOME or ~/.cache/uplift)")
    benchmark.add_argument("--allow-import", action="append", default=[], metavar="MODULE",
                           help="let the config name classes from MODULE (repeatable); by default only uplift, "
                           "sklearn, xgboost, lightgbm, causalml and sklift (a config is code: see "
                           "docs/reliability.md)")
    benchmark.set_defaults(handler=_benchmark)

    datasets = commands.add_parser(
        "datasets", help="list or fetch data sets",
        description="List the registered data sets, or download / read and verify one of them.",
    )
    datasets_commands = datasets.add_subparsers(dest="datasets_command", metavar="ACTION", required=True)
    listing = datasets_commands.add_parser("list", help="registered data sets with source, licence and checksum",
                                           description="Print every registered data set.")
    listing.set_defaults(handler=_datasets_list)
    fetch = datasets_commands.add_parser(
        "fetch", help="download (or read from --path) and verify a data set",
        description="Download NAME into the cache (UPLIFT_DATA_HOME or the user cache folder) with checksum, "
        "header and row-count verification, or read and check a copy you have with --path.",
    )
    fetch.add_argument("name", metavar="NAME", help="data set key (see `uplift datasets list`)")
    fetch.add_argument("--path", default=None, help="a local copy (file, or folder holding it) instead of a download")
    fetch.add_argument("--data-home", default=None, help="cache folder (default: UPLIFT_DATA_HOME or ~/.cache/uplift)")
    fetch.set_defaults(handler=_datasets_fetch)
    _add_workflow_commands(commands)

    monitoring = commands.add_parser(
        "monitor", help="check a new period against a saved model: feature/score drift and uplift decay",
        description="Compare DATA (CSV or Parquet) with the reference histograms stored in MODEL; with "
        "--outcome and --treatment (a randomized holdout) also test uplift decay. Writes index.html and "
        "summary.json. See docs/monitoring.md.",
    )
    monitoring.add_argument("model", metavar="MODEL", help="model saved by uplift.io.save (folder or .zip)")
    monitoring.add_argument("data", metavar="DATA", help="new period: .csv or .parquet with the model's features")
    monitoring.add_argument("--outcome", default=None, help="outcome column of the holdout rows")
    monitoring.add_argument("--treatment", default=None, help="column with the arm actually given")
    monitoring.add_argument("--propensity", default=None, help="column with P(treated) of each row")
    monitoring.add_argument("--alpha", type=float, default=0.05, help="family-wise false-alarm level (0.05)")
    monitoring.add_argument("--random-state", type=int, default=0, help="seed of the bootstrap (default: 0)")
    monitoring.add_argument("--output", "-o", default="reports/monitor", help="report folder")
    monitoring.set_defaults(handler=_monitor)

    retrain = commands.add_parser(
        "retrain", help="retrain a saved Policy on its exploration holdout and keep the better one",
        description="Fit the champion's learner again on half of the randomized rows of DATA, compare both "
        "policies on the other half (paired), and write the challenger to --output only if it wins by more "
        "than --margin per customer.",
    )
    retrain.add_argument("model", metavar="MODEL", help="the deployed Policy, saved by uplift.io.save")
    retrain.add_argument("data", metavar="DATA", help="accumulated holdout: .csv or .parquet")
    retrain.add_argument("--outcome", required=True, help="outcome column")
    retrain.add_argument("--treatment", required=True, help="column with the arm actually given")
    retrain.add_argument("--holdout", default="holdout",
                         help="column of Policy.decide's holdout group; only 'explore' rows are used ('' = all rows)")
    retrain.add_argument("--margin", type=float, default=0.0, help="per-customer gain needed to switch (0)")
    retrain.add_argument("--random-state", type=int, default=0, help="seed of the train/evaluation split")
    retrain.add_argument("--output", "-o", required=True, help="where to write the challenger if it wins")
    retrain.set_defaults(handler=_retrain)
    return parser


def prefer_passive_openmp() -> None:
    """Make OpenMP's waiting threads sleep instead of spin, unless the environment says otherwise.

    The one place the project sets ``OMP_WAIT_POLICY`` (the CLI, the test suite's ``conftest.py``
    and the benchmark scripts call it; library code never changes the process's environment).
    XGBoost's and scikit-learn's OpenMP threads spin while waiting; on a shared or oversubscribed
    machine that made a T-learner fit on Hillstrom take 60 s instead of 0.6 s (measured on 2 shared
    cores). Passive waiting is not free on small fits: on a quiet 2-core VM, ``uplift check`` on
    2,000 rows took 39 s with XGBoost's two threads waiting passively, 5.2 s with them spinning and
    3.7 s with ``OMP_NUM_THREADS=1`` (each thread's sleeps at every barrier cost more than the work).
    On small data, ``OMP_NUM_THREADS=1`` is the fastest and load-proof setting; it is left to the
    user because it would slow large fits on many cores. It must run before an OpenMP runtime
    loads (importing this module loads none); an explicit setting in the environment wins.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``uplift`` console script; returns the exit code."""
    prefer_passive_openmp()  # before any heavy import: those happen later, inside the handlers
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose + 1, 2),
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args))
    except (UpliftInputError, UpliftTypeError, OSError) as error:
        # user mistakes (bad data, a missing file, an output path that is not a folder): one line
        print(f"uplift {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as error:
        if not _unreadable_file(error):
            raise
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"uplift {args.command}: error: the file could not be read as a table ({first}); check that it is "
              "a well-formed CSV or Parquet file.", file=sys.stderr)
        return EXIT_USAGE


def _unreadable_file(error: BaseException) -> bool:
    """A malformed CSV (pandas' ParserError, EmptyDataError) or Parquet file (pyarrow's ArrowInvalid)."""
    module = type(error).__module__
    return module.startswith(("pandas.errors", "pyarrow"))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
