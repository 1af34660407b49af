"""Speed and peak memory of uplift.evaluation against scikit-uplift and causalml, and the chunked path.

Usage (the numbers in docs/benchmarks.md come from these commands):

    .venv/bin/python benchmarks/bench_metrics.py --sizes 1000000 10000000
    .venv/bin/python benchmarks/bench_metrics.py --chunked 100000000
    .venv/bin/python benchmarks/bench_metrics.py --conventions   # the table of docs/metrics.md
    .venv/bin/python benchmarks/bench_metrics.py --warm-cold 10000000 --metrics qini   # the speed row

``--warm-cold N`` times ours and scikit-uplift on N rows (float64 scores) both *cold* (the first
call in a fresh process: nothing cached, every buffer newly mapped) and *warm* (repeated calls in
one process after a first one), taking turns library by library, ``--repeat`` times each, and
reports the minimum of each and the ratios, with the time of one ``np.sort`` of the scores (the
floor of any exact method that sorts) for scale.

Each function is timed ``--repeat`` times per size on the same data in the same process (wall
clock; the libraries take turns run by run and each one's minimum is reported, since the
machine is shared), then called once more under ``tracemalloc`` for its peak of traced
allocations (numpy and pandas buffers are traced).
Ratios are peer time / our time. A peer whose 1M-row time predicts more than ``--peer-limit``
seconds at a larger size is skipped there and reported as capped.

The chunked run generates 10^8 rows in chunks of 10^6 (binary outcome, random arm, float64
scores with ties every ~1e-7), feeds them once to ``chunked_auc_scores`` in a fresh process and
reports the wall time (generation included and separately) and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import gc
import resource
import subprocess
import sys
import time
import tracemalloc
import warnings

import numpy as np


def make_data(n: int, seed: int = 0, float32_scores: bool = False):
    rng = np.random.default_rng(seed)
    treatment = rng.integers(0, 2, n)
    score = rng.random(n)
    if float32_scores:  # model outputs (XGBoost, LightGBM predict float32), passed as float64
        score = score.astype(np.float32).astype(np.float64)
    y = (rng.random(n) < 0.1 + 0.05 * treatment * (score > 0.5)).astype(np.int64)
    return y, score, treatment


def ours():
    from uplift.evaluation import qini_auc_score, uplift_auc_score

    return {"qini": lambda y, s, t: qini_auc_score(y, s, treatment=t),
            "uplift": lambda y, s, t: uplift_auc_score(y, s, treatment=t)}


def sklift():
    try:
        from sklift.metrics import qini_auc_score, uplift_auc_score
    except ImportError:
        return None
    return {"qini": qini_auc_score, "uplift": uplift_auc_score}


def causalml():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import matplotlib

            with matplotlib.rc_context():
                from causalml.metrics.visualize import auuc_score, qini_score
    except ImportError:
        return None
    import pandas as pd

    def frame(y, s, t):
        return pd.DataFrame({"y": y, "w": t, "model": s})

    return {
        "qini": lambda y, s, t: float(qini_score(frame(y, s, t))["model"]),
        "uplift": lambda y, s, t: float(auuc_score(frame(y, s, t))["model"]),
    }


def timed(function, y, s, t):
    gc.collect()
    start = time.perf_counter()
    value = function(y, s, t)
    return float(value), time.perf_counter() - start


def traced_peak(function, y, s, t) -> float:
    gc.collect()
    tracemalloc.start()
    function(y, s, t)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def run_sizes(sizes: list[int], peer_limit: float, repeat: int) -> None:
    warnings.simplefilter("ignore", FutureWarning)  # sklearn's stable_cumsum deprecation inside sklift
    libraries = {"uplift": ours(), "sklift": sklift(), "causalml": causalml()}
    first_time: dict[tuple[str, str], tuple[int, float]] = {}
    print("| rows | metric | library | value | seconds (best of runs) | peak MiB | peer / uplift time |")
    print("|---:|---|---|---:|---:|---:|---:|")
    for n, float32_scores in [(n, f32) for n in sizes for f32 in (False, True)]:
        y, s, t = make_data(n, float32_scores=float32_scores)
        rows = f"{n:,} ({'float32' if float32_scores else 'float64'} scores)"
        for metric in ("qini", "uplift"):
            active = {}
            for name, functions in libraries.items():
                if functions is None:
                    print(f"| {rows} | {metric} | {name} | not installed | | | |")
                    continue
                previous = first_time.get((name, metric))
                if previous is not None and previous[1] * n / previous[0] * 1.3 > peer_limit:
                    print(f"| {rows} | {metric} | {name} | capped: ~{previous[1] * n / previous[0]:.0f} s predicted "
                          f"from {previous[0]:,} rows > {peer_limit:.0f} s | | | |")
                    continue
                active[name] = functions[metric]
            # interleave the libraries run by run, so a burst of load on the shared machine hits
            # all of them alike; report each one's best run
            best = dict.fromkeys(active, np.inf)
            values = {}
            for _ in range(repeat):
                for name, function in active.items():
                    values[name], seconds = timed(function, y, s, t)
                    best[name] = min(best[name], seconds)
            for name, function in active.items():
                first_time.setdefault((name, metric), (n, best[name]))
                peak = traced_peak(function, y, s, t)
                ratio = "1" if name == "uplift" else f"{best[name] / best['uplift']:.1f}x"
                print(f"| {rows} | {metric} | {name} | {values[name]:.6f} | {best[name]:.2f} | {peak:.0f} | {ratio} |",
                      flush=True)


def chunk_stream(n: int, chunk: int = 1_000_000, seed: int = 1):
    rng = np.random.default_rng(seed)
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        treatment = rng.integers(0, 2, size, dtype=np.int8)
        score = np.round(rng.random(size), 7)
        y = (rng.random(size) < 0.1 + 0.05 * treatment * (score > 0.5)).astype(np.int8)
        yield y, score, treatment


def run_chunked(n: int) -> None:
    from uplift.evaluation import chunked_auc_scores

    start = time.perf_counter()
    for _ in chunk_stream(n):
        pass
    generation = time.perf_counter() - start
    start = time.perf_counter()
    result = chunked_auc_scores(chunk_stream(n))
    seconds = time.perf_counter() - start
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
    print(f"| {n:,} | chunked_auc_scores | qini {result['qini']:.6f}, uplift {result['uplift']:.6f} | "
          f"{seconds:.1f} s (data generation alone: {generation:.1f} s) | peak RSS {peak_rss:.2f} GiB |")


def run_conventions() -> None:
    """Every convention on Hillstrom (Womens E-Mail vs control, outcome visit) for one simple model."""
    from sklearn.linear_model import LogisticRegression

    from uplift.datasets import load_hillstrom
    from uplift.evaluation import qini_auc_score, rate_score, uplift_at_k, uplift_auc_score
    from uplift.model_selection import train_test_split

    data = load_hillstrom(outcome="visit", arms="womens")
    X, y, t = data.X.to_numpy(dtype=float), data.y, data.treatment
    train, test = train_test_split(np.arange(len(y)), treatment=t, y=y, test_size=0.5, random_state=0)
    models = [LogisticRegression(max_iter=1000).fit(X[train][t[train] == arm], y[train][t[train] == arm])
              for arm in (0, 1)]
    scores = {
        "T-learner (logistic)": models[1].predict_proba(X[test])[:, 1] - models[0].predict_proba(X[test])[:, 1],
        "random": np.random.default_rng(0).random(len(test)),
    }
    y_test, t_test = y[test], t[test]
    print(f"Hillstrom, Womens E-Mail vs No E-Mail, outcome visit: {len(test):,} test rows (50% split, seed 0)\n")
    print("| score | convention | qini_auc_score | uplift_auc_score |")
    print("|---|---|---:|---:|")
    for name, score in scores.items():
        for convention in ("uplift", "sklift", "causalml", "grf"):
            qini = qini_auc_score(y_test, score, treatment=t_test, convention=convention)
            uplift = ("n/a" if convention == "grf"
                      else f"{uplift_auc_score(y_test, score, treatment=t_test, convention=convention):.4f}")
            print(f"| {name} | {convention} | {qini:.4f} | {uplift} |")
        autoc = rate_score(y_test, score, treatment=t_test, target="AUTOC", random_state=0)
        rate_qini = rate_score(y_test, score, treatment=t_test, target="QINI", random_state=0)
        print(f"| {name} | RATE AUTOC (SE) | {autoc.estimate:.4f} ({autoc.std_error:.4f}) | |")
        print(f"| {name} | RATE QINI (SE) | {rate_qini.estimate:.4f} ({rate_qini.std_error:.4f}) | |")
        print(f"| {name} | uplift_at_k(k=0.3) | {uplift_at_k(y_test, score, treatment=t_test, k=0.3):.4f} | |")


def _cold_child(library: str, metric: str, n: int) -> None:
    """Print the seconds of the first call of ``library``'s ``metric`` in this (fresh) process."""
    functions = ours() if library == "uplift" else sklift()
    y, s, t = make_data(n)
    warnings.simplefilter("ignore", FutureWarning)
    print(timed(functions[metric], y, s, t)[1])


def run_warm_cold(n: int, metrics: list[str], repeat: int) -> None:
    warnings.simplefilter("ignore", FutureWarning)  # sklearn's stable_cumsum deprecation inside sklift
    libraries = {"uplift": ours(), "sklift": sklift()}
    if libraries["sklift"] is None:
        print("scikit-uplift is not installed: nothing to compare with.")
        return
    y, s, t = make_data(n)
    sort_seconds = min(timed(lambda y, s, t: float(np.sort(s)[0]), y, s, t)[1] for _ in range(repeat))
    print(f"{n:,} rows, float64 scores; one np.sort of the scores: {sort_seconds:.2f} s (best of {repeat})\n")
    print("| rows | metric | library | value | cold s | warm s | sklift / uplift cold | sklift / uplift warm |")
    print("|---:|---|---|---:|---:|---:|---:|---:|")
    for metric in metrics:
        cold = dict.fromkeys(libraries, np.inf)
        warm = dict.fromkeys(libraries, np.inf)
        values = {}
        for name, functions in libraries.items():
            values[name] = timed(functions[metric], y, s, t)[0]  # the first call in this process: a warm-up
        for _ in range(repeat):
            for name, functions in libraries.items():  # turns: a burst of load hits both alike
                child = subprocess.run([sys.executable, __file__, "--_cold-child", name, metric, str(n)],
                                       check=True, capture_output=True, text=True)
                cold[name] = min(cold[name], float(child.stdout.split()[-1]))
                warm[name] = min(warm[name], timed(functions[metric], y, s, t)[1])
        for name in libraries:
            ratios = ("1", "1") if name == "uplift" else (f"{cold[name] / cold['uplift']:.1f}x",
                                                          f"{warm[name] / warm['uplift']:.1f}x")
            print(f"| {n:,} | {metric} | {name} | {values[name]:.6f} | {cold[name]:.2f} | {warm[name]:.2f} | "
                  f"{ratios[0]} | {ratios[1]} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[])
    parser.add_argument("--chunked", type=int, default=0, help="rows for the chunked run (in a fresh process)")
    parser.add_argument("--peer-limit", type=float, default=300.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--conventions", action="store_true", help="the conversion table of docs/metrics.md")
    parser.add_argument("--warm-cold", type=int, default=0, help="rows for the cold/warm comparison")
    parser.add_argument("--metrics", nargs="*", default=["qini", "uplift"], choices=["qini", "uplift"])
    parser.add_argument("--_chunked-child", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--_cold-child", nargs=3, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._chunked_child:
        run_chunked(args._chunked_child)
        return
    if args._cold_child:
        library, metric, n = args._cold_child
        _cold_child(library, metric, int(n))
        return
    if args.warm_cold:
        run_warm_cold(args.warm_cold, args.metrics, args.repeat)
    if args.conventions:
        run_conventions()
    if args.sizes:
        run_sizes(args.sizes, args.peer_limit, args.repeat)
    if args.chunked:
        print("| rows | function | scores | seconds | memory |\n|---:|---|---|---:|---:|", flush=True)
        subprocess.run([sys.executable, __file__, "--_chunked-child", str(args.chunked)], check=True)


if __name__ == "__main__":
    main()
