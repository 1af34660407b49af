"""`uplift score` throughput and peak memory on a large CSV and Parquet file vs an in-process predict.

For each file size and format the script runs, each in a fresh process (so peak RSS is that run's own):

- ``score``: ``uplift.cli.main(["score", MODEL, FILE, "--chunksize", C, ...])`` called in a Python
  process, timed around the call (loading the model, reading, predicting and writing every chunk;
  not Python's start or the imports);
- ``in-process``: reads the whole file into memory (``uplift.workflow.read_table``), then
  ``learner.predict_outcomes`` on every row at once; ``predict-only`` is the time of that call alone
  (the stricter baseline: no file is read or written), ``read+predict`` adds reading the file (the
  in-process route from the same file);
- once per size and format, the ``uplift score`` command itself (``python -m uplift.cli``), timed
  from outside, start-up and imports included.

The runs are alternated ``--repeats`` times; the table gives the median and the spread (min-max) of
each rate, and the CPU time (user + system, all threads) per route, which moves far less than the
wall time on a shared machine. Peak RSS is the largest over the repeats.

Target (issue 11): ``uplift score`` reaches at least 0.8 of the predict-only rows/s, and its memory
is bounded by the chunk size, not the file size (checked by running two file sizes).

Run:  nice python benchmarks/bench_score.py [--rows 10000000] [--chunksize 200000] [--repeats 3]
Numbers: docs/benchmarks.md, section "Scoring a customer file".
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from uplift.cli import prefer_passive_openmp

N_FEATURES = 10

_IN_PROCESS = """
import json, resource, sys, time
from uplift.io import load
from uplift.workflow import read_table
model, path = load(sys.argv[1]), sys.argv[2]
wall, cpu = time.perf_counter(), time.process_time()
frame = read_table(path)
read_wall, read_cpu = time.perf_counter() - wall, time.process_time() - cpu
wall, cpu = time.perf_counter(), time.process_time()
outcomes = model.predict_outcomes(frame[list(model.feature_names_in_)])
print(json.dumps({"read_seconds": read_wall, "read_cpu": read_cpu, "predict_seconds": time.perf_counter() - wall,
                  "predict_cpu": time.process_time() - cpu, "rows": len(frame),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_SCORE = """
import json, resource, sys, time
import pyarrow.csv, pyarrow.parquet, tqdm, xgboost  # imported before the clock starts, as in-process has them
import uplift.io, uplift.workflow
from uplift.cli import main
wall, cpu = time.perf_counter(), time.process_time()
code = main(["score", *sys.argv[1:]])
print(json.dumps({"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "code": code,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def write_files(folder: Path, rows: int, seed: int = 0) -> dict[str, Path]:
    """A customer file of ``rows`` rows (id + 10 float features) as CSV and Parquet, written in blocks."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv, parquet = folder / f"customers_{rows}.csv", folder / f"customers_{rows}.parquet"
    if csv.exists() and parquet.exists():
        return {"csv": csv, "parquet": parquet}
    rng = np.random.default_rng(seed)
    writer = None
    block = 500_000
    for start in range(0, rows, block):
        n = min(block, rows - start)
        frame = pd.DataFrame(rng.standard_normal((n, N_FEATURES)).astype(np.float32),
                             columns=[f"x{i}" for i in range(N_FEATURES)])
        frame.insert(0, "customer_id", np.arange(start, start + n))
        frame.to_csv(csv, mode="a" if start else "w", header=not start, index=False, float_format="%.5g")
        table = pa.Table.from_pandas(frame, preserve_index=False)
        writer = writer or pq.ParquetWriter(parquet, table.schema)
        writer.write_table(table)
    if writer is not None:
        writer.close()
    return {"csv": csv, "parquet": parquet}


def train_model(folder: Path) -> Path:
    """The default S-learner (XGBoost) on 20,000 synthetic rows with two treated arms, saved by uplift.io."""
    from uplift.datasets import make_uplift_classification
    from uplift.io import save
    from uplift.learners import SLearner

    path = folder / "model"
    if not path.exists():
        data = make_uplift_classification(20_000, N_FEATURES, n_arms=2, random_state=0)
        save(SLearner(random_state=0).fit(data.X, data.y, treatment=data.treatment), path)
    return path


def _score_arguments(model: Path, data: Path, output: Path, chunksize: int) -> list[str]:
    return [str(model), str(data), "--output", str(output), "--id", "customer_id", "--chunksize", str(chunksize),
            "--no-progress"]


def run_score(model: Path, data: Path, output: Path, chunksize: int) -> dict[str, float]:
    """The CLI's entry point called in a fresh Python process: scoring wall and CPU time, peak RSS."""
    result = subprocess.run([sys.executable, "-c", _SCORE, *_score_arguments(model, data, output, chunksize)],
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_command(model: Path, data: Path, output: Path, chunksize: int) -> float:
    """``python -m uplift.cli score ...`` timed from outside: start-up, imports and loading included."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "uplift.cli", "score", *_score_arguments(model, data, output, chunksize)],
                   check=True, capture_output=True, text=True)
    return time.perf_counter() - started


def run_in_process(model: Path, data: Path) -> dict[str, float]:
    result = subprocess.run([sys.executable, "-c", _IN_PROCESS, str(model), str(data)], check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _spread(values: list[float]) -> str:
    """Median and range, e.g. ``212,000 (180,000-240,000)``; ratios with two decimals."""
    digits = ",.2f" if max(values) < 10 else ",.0f"
    median = float(np.median(values))
    if len(values) == 1:
        return format(median, digits)
    return f"{median:{digits}} ({min(values):{digits}}-{max(values):{digits}})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--chunksize", type=int, default=200_000)
    parser.add_argument("--folder", default="/tmp/bench_score")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default="0.25,1", help="fractions of --rows to run (default: 1/4 and all)")
    parser.add_argument("--formats", default="csv,parquet", help="file formats to run (default: both)")
    parser.add_argument("--no-command", action="store_true", help="skip timing the command from outside")
    args = parser.parse_args()
    prefer_passive_openmp()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    model = train_model(folder)
    rows = []
    for n in (int(args.rows * float(f)) for f in args.sizes.split(",")):
        started = time.perf_counter()
        files = write_files(folder, n)
        print(f"files of {n:,} rows ready in {time.perf_counter() - started:.0f} s "
              f"(CSV {files['csv'].stat().st_size / 1e6:,.0f} MB, Parquet {files['parquet'].stat().st_size / 1e6:,.0f} "
              "MB)", flush=True)
        for kind, path in files.items():
            if kind not in args.formats.split(","):
                continue
            output = folder / f"scores_{n}.{kind}"
            scores, plains = [], []
            for _ in range(args.repeats):  # alternated: the machine is shared and its load moves
                scores.append(run_score(model, path, output, args.chunksize))
                plains.append(run_in_process(model, path))
                print(json.dumps({"rows": n, "format": kind, "score": scores[-1], "in_process": plains[-1]}),
                      flush=True)
            command = None if args.no_command else run_command(model, path, output, args.chunksize)
            score_rate = [n / r["seconds"] for r in scores]
            predict_rate = [n / r["predict_seconds"] for r in plains]
            read_predict_rate = [n / (r["read_seconds"] + r["predict_seconds"]) for r in plains]
            rows.append({
                "rows": n, "format": kind,
                "score rows/s": _spread(score_rate),
                "command rows/s (incl. start-up)": "-" if command is None else f"{n / command:,.0f}",
                "predict-only rows/s": _spread(predict_rate),
                "read+predict rows/s": _spread(read_predict_rate),
                # each repeat's pair was measured back to back: ratios within a pair, then their median
                "ratio vs predict-only": _spread([r["predict_seconds"] / s["seconds"]
                                                  for s, r in zip(scores, plains, strict=True)]),
                "ratio vs read+predict": _spread([(r["read_seconds"] + r["predict_seconds"]) / s["seconds"]
                                                  for s, r in zip(scores, plains, strict=True)]),
                "CPU ratio vs predict-only": _spread([r["predict_cpu"] / s["cpu"] for s, r in zip(scores, plains,
                                                                                                  strict=True)]),
                "CPU s score / predict / read+predict": "{:.1f} / {:.1f} / {:.1f}".format(
                    np.median([s["cpu"] for s in scores]), np.median([r["predict_cpu"] for r in plains]),
                    np.median([r["read_cpu"] + r["predict_cpu"] for r in plains])),
                "score peak RSS MB": f"{max(r['peak_rss_mb'] for r in scores):,.0f}",
                "in-process peak RSS MB": f"{max(r['peak_rss_mb'] for r in plains):,.0f}",
            })
            print(json.dumps(rows[-1]), flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
