"""Run every benchmark script in this folder, one after the other (`make bench`).

Each `bench_*.py` script is self-contained: it prints its table and says which part of
docs/benchmarks.md it feeds. Benchmarks are slow on purpose; they are never part of `make test`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from uplift.cli import prefer_passive_openmp


def main() -> int:
    prefer_passive_openmp()  # every script below inherits it
    here = Path(__file__).parent
    scripts = sorted(here.glob("bench_*.py"))
    failures = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script), *sys.argv[1:]], check=False)
        print(f"== {script.name}: exit {result.returncode} after {time.perf_counter() - started:.0f} s", flush=True)
        if result.returncode != 0:
            failures.append(script.name)
    if failures:
        print(f"failed: {', '.join(failures)}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
