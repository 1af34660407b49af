"""The `uplift` command line: `uplift demo` (and, as they land, benchmark and datasets commands).

Only this module writes to the terminal. User mistakes end in one readable line on stderr and
exit code 2; failures of the program itself keep their traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``uplift`` console script; returns the exit code."""
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
