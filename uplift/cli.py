"""The `uplift` command line: `uplift demo`, `uplift benchmark CONFIG`, `uplift datasets list|fetch NAME`.

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
from typing import TextIO

from . import __version__
from .exceptions import UpliftInputError, UpliftTypeError

EXIT_OK = 0
EXIT_USAGE = 2


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    index = run_demo(args.output, random_state=args.random_state, quick=args.quick)
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

    config = load_config(args.config)
    progress = None if args.no_progress else _ProgressBar()
    run = run_benchmark(config, output_dir=args.output, resume=args.resume, progress=progress)
    summarize(run.output_dir, keys=run.keys, failures=run.failures)
    print(f"{run.n_run} task(s) run, {run.n_skipped} already finished, {len(run.failures)} learner/data set "
          f"pair(s) skipped")
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


def _monitor(args: argparse.Namespace) -> int:
    import pandas as pd

    from .io import read_manifest
    from .monitoring import monitor

    reference = read_manifest(args.model).get("reference")
    if reference is None:
        raise UpliftInputError(f"{args.model} has no reference histograms; save it with "
                               "uplift.io.save(model, path, reference=X_train).")
    reader = pd.read_parquet if str(args.data).endswith(".parquet") else pd.read_csv
    frame = reader(args.data)
    given = [c for c in (args.outcome, args.treatment, args.propensity) if c is not None]
    missing = [c for c in [*given, *reference["features"]] if c not in frame.columns]
    if missing:
        raise UpliftInputError(f"{args.data} lacks column(s) {missing[:8]}; got {list(frame.columns)[:12]}.")
    report = monitor(
        args.model, frame[list(reference["features"])],
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


def _retrain(args: argparse.Namespace) -> int:
    import pandas as pd

    from .io import load, read_manifest, save
    from .monitoring import retrain_policy

    champion = load(args.model)
    if not hasattr(champion, "decide"):
        raise UpliftInputError(f"{args.model} holds a {type(champion).__name__}; uplift retrain needs a saved Policy.")
    features = list((read_manifest(args.model).get("reference") or {}).get("features", {}))
    reader = pd.read_parquet if str(args.data).endswith(".parquet") else pd.read_csv
    frame = reader(args.data)
    needed = [args.outcome, args.treatment, *([args.holdout] if args.holdout else []), *features]
    missing = [c for c in needed if c not in frame.columns]
    if missing or not features:
        raise UpliftInputError(f"{args.data} lacks column(s) {missing[:8]} (or the model has no reference features).")
    if args.holdout:
        frame = frame[frame[args.holdout] == "explore"]
    challenger, comparison = retrain_policy(
        champion, frame[features].reset_index(drop=True), frame[args.outcome].to_numpy(),
        frame[args.treatment].to_numpy(), margin=args.margin, random_state=args.random_state)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``uplift`` console script; returns the exit code."""
    # XGBoost's and scikit-learn's OpenMP threads spin while waiting; on a shared or oversubscribed
    # machine that made a T-learner fit on Hillstrom take 60 s instead of 0.6 s (measured on 2 shared
    # cores). Passive waiting costs nothing when cores are free. It must be set before an OpenMP
    # runtime loads (every heavy import below happens later, inside the handlers); an explicit
    # setting in the environment wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
