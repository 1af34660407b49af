"""`uplift score` throughput and peak memory on a large CSV and Parquet file vs an in-process predict.

For each file format the script runs, each in a fresh process (so peak RSS is that run's own):

- ``uplift score MODEL FILE --chunksize C``: reads the file in chunks, predicts, writes the scores;
- ``in-process predict``: reads the whole file into memory with pandas, then ``learner.predict_outcomes``
  on every row at once (the time of the predict call alone gives the throughput, the stricter
  baseline; ``read+predict`` adds reading the file, the in-process route from the same file; the
  peak memory is the whole process).

``score rows/s`` is the command's own scoring time (reading, predicting and writing every chunk, as
it prints it); ``incl. start-up`` adds Python's start, the imports and loading the model. Each is
the best of ``--repeats`` alternated runs.

Target: ``uplift score`` reaches at least 0.8 of the in-process predict's rows/s, and its memory is
bounded by the chunk size, not the file size (checked by running two file sizes).

Run:  nice python benchmarks/bench_score.py [--rows 2000000] [--chunksize 100000] [--folder /tmp/bench_score]
Numbers: docs/benchmarks.md, section "Scoring a customer file".
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

from uplift.cli import prefer_passive_openmp

N_FEATURES = 10

_IN_PROCESS = """
import json, resource, sys, time
import pandas as pd
from uplift.io import load
from uplift.workflow import read_table
model, path = load(sys.argv[1]), sys.argv[2]
started = time.perf_counter()
frame = read_table(path)
read = time.perf_counter() - started
started = time.perf_counter()
outcomes = model.predict_outcomes(frame[list(model.feature_names_in_)])
predict = time.perf_counter() - started
print(json.dumps({"read_seconds": read, "predict_seconds": predict, "rows": len(frame),
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


def child_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_score(model: Path, data: Path, output: Path, chunksize: int) -> dict[str, float]:
    """``uplift score`` in its own process: wall time with start-up, its own scoring time, peak RSS."""
    command = [sys.executable, "-m", "uplift.cli", "score", str(model), str(data), "--output", str(output),
               "--id", "customer_id", "--chunksize", str(chunksize), "--no-progress"]
    script = ("import resource, subprocess, sys, time; s = time.perf_counter(); "
              "r = subprocess.run(sys.argv[1:], check=True, capture_output=True, text=True); "
              "print(time.perf_counter() - s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024); "
              "print(r.stdout)")
    lines = subprocess.run([sys.executable, "-c", script, *command], check=True, capture_output=True,
                           text=True).stdout.splitlines()
    wall, peak = lines[0].split()
    # "Scored 1,000,000 rows in 52.1 s (...)": reading, predicting and writing, without start-up
    scoring = float(next(line for line in lines if line.startswith("Scored")).split(" in ")[1].split(" s")[0])
    return {"wall_seconds": float(wall), "seconds": scoring, "peak_rss_mb": float(peak)}


def run_in_process(model: Path, data: Path) -> dict[str, float]:
    result = subprocess.run([sys.executable, "-c", _IN_PROCESS, str(model), str(data)], check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--chunksize", type=int, default=100_000)
    parser.add_argument("--folder", default="/tmp/bench_score")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    prefer_passive_openmp()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    model = train_model(folder)
    rows = []
    for n in (args.rows // 4, args.rows):
        started = time.perf_counter()
        files = write_files(folder, n)
        print(f"files of {n:,} rows ready in {time.perf_counter() - started:.0f} s "
              f"(CSV {files['csv'].stat().st_size / 1e6:,.0f} MB, Parquet {files['parquet'].stat().st_size / 1e6:,.0f} "
              "MB)", flush=True)
        for kind, path in files.items():
            # alternate the two, `--repeats` times, and keep each one's best: the machine is shared and noisy
            scores, plains = [], []
            for _ in range(args.repeats):
                scores.append(run_score(model, path, folder / f"scores_{n}.{kind}", args.chunksize))
                plains.append(run_in_process(model, path))
            score = min(scores, key=lambda r: r["seconds"])
            plain = min(plains, key=lambda r: r["predict_seconds"])
            rows.append({
                "rows": n, "format": kind,
                "score rows/s": n / score["seconds"],
                "score rows/s incl. start-up": n / score["wall_seconds"],
                "predict rows/s": n / plain["predict_seconds"],
                "ratio": plain["predict_seconds"] / score["seconds"],
                # the in-process route from the same file: read it whole, then predict
                "read+predict rows/s": n / (plain["read_seconds"] + plain["predict_seconds"]),
                "ratio vs read+predict": (plain["read_seconds"] + plain["predict_seconds"]) / score["seconds"],
                "score peak RSS MB": max(r["peak_rss_mb"] for r in scores),
                "in-process peak RSS MB": max(r["peak_rss_mb"] for r in plains),
            })
            print(json.dumps(rows[-1]), flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))


if __name__ == "__main__":
    main()
