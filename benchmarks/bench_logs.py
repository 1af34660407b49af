"""Time and peak memory of build_uplift_table on generated logs (10^7 / 10^8 events written to Parquet in chunks).

    nice python benchmarks/bench_logs.py --events 10000000 --customers 1000000 --dir /tmp/logs7

The logs: ``--customers`` customers, ``--campaigns`` campaigns (every customer is assigned once per
campaign, arm drawn among control/email/sms), events spread uniformly over one year (70% visits,
20% purchases with log-normal amounts, 10% carts). The build runs in a child process, so the peak
resident memory reported (ru_maxrss of the child) is the build's alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

START = pd.Timestamp("2024-01-01")


def generate(directory: Path, n_events: int, n_customers: int, n_campaigns: int, chunk: int, seed: int) -> float:
    import pyarrow as pa
    import pyarrow.parquet as pq

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    (directory / "events").mkdir(parents=True, exist_ok=True)
    days = np.linspace(120, 300, n_campaigns)
    assignments = pd.DataFrame({
        "customer_id": np.tile(np.arange(n_customers, dtype=np.int64), n_campaigns),
        "time": np.repeat(START + pd.to_timedelta(days, unit="D"), n_customers),
        "arm": rng.choice(np.array(["control", "email", "sms"]), n_customers * n_campaigns),
    })
    assignments.to_parquet(directory / "assignments.parquet", index=False)
    kinds = np.array(["visit", "purchase", "cart"])
    written = 0
    part = 0
    while written < n_events:
        size = min(chunk, n_events - written)
        kind = rng.choice(3, size, p=[0.7, 0.2, 0.1])
        seconds = rng.integers(0, 365 * 86400, size)
        table = pa.table({
            "customer_id": rng.integers(0, n_customers, size, dtype=np.int64),
            "time": pa.array((START.value // 1000 + seconds * 1_000_000).astype("datetime64[us]")),
            "event": pa.DictionaryArray.from_arrays(kind.astype(np.int8), kinds),
            "amount": np.where(kind == 1, np.round(rng.lognormal(3.0, 0.8, size), 2), 0.0),
        })
        pq.write_table(table, directory / "events" / f"part-{part:04d}.parquet")
        written += size
        part += 1
    return time.perf_counter() - started


def build(directory: Path, threads: int, memory_limit: str) -> None:
    """Runs in the child: build the table and print its size and the build time as JSON."""
    from uplift.datasets import build_uplift_table

    started = time.perf_counter()
    result = build_uplift_table(
        directory / "assignments.parquet", str(directory / "events" / "*.parquet"), window="14D",
        lookbacks=["30D", "90D"], as_of=START + pd.Timedelta(days=365), threads=threads, memory_limit=memory_limit,
    )
    elapsed = time.perf_counter() - started
    print(json.dumps({"rows": len(result.table), "features": len(result.feature_names),
                      "n_censored": result.n_censored, "overlaps": len(result.overlaps),
                      "conversion_rate": float(result.table["y"].mean()), "build_seconds": round(elapsed, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--campaigns", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=5_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/uplift-bench-logs"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="6GB")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--skip-generate", action="store_true", help="reuse the logs already in --dir")
    args = parser.parse_args()
    if args.child:
        build(args.dir, args.threads, args.memory_limit)
        return
    generated = None
    if not args.skip_generate:
        generated = generate(args.dir, args.events, args.customers, args.campaigns, args.chunk, args.seed)
    started = time.perf_counter()
    child = subprocess.run([sys.executable, __file__, "--child", "--dir", str(args.dir), "--threads",
                            str(args.threads), "--memory-limit", args.memory_limit],
                           check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB -> MiB on Linux
    size = sum(f.stat().st_size for f in (args.dir / "events").glob("*.parquet")) / 2**20
    print(json.dumps({"events": args.events, "customers": args.customers, "campaigns": args.campaigns,
                      "events_parquet_mib": round(size), "generate_seconds": None if generated is None else
                      round(generated, 1), "child_wall_seconds": round(wall, 1), "peak_rss_mib": round(peak),
                      **json.loads(child.stdout.strip().splitlines()[-1])}))


if __name__ == "__main__":
    main()
