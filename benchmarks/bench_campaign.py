"""Campaign optimizer at scale: time and peak memory of plan_campaign on 10M customers x 3 arms.

Usage::

    python benchmarks/bench_campaign.py                 # 10M customers, 3 arms (the issue's target)
    python benchmarks/bench_campaign.py --n 1000000     # quicker

Outcomes come from ``make_uplift_classification`` (persuadables, sure things, lost causes, sleeping
dogs; arm k scales the effect from 1.0 to 1.5). Economics: a conversion is worth 30; arm 1 is a
plain e-mail (0.05 per contact), arm 2 a 2-off coupon, arm 3 a 4-off coupon (0.05 and 0.10 per
contact). Each phase runs in its own process so that its peak RSS is its own; the unit of time is
one ``np.argsort`` of the n x arms profit matrix (what a single global sort of all options costs).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

ECONOMICS = {"value": 30.0, "contact_cost": [0.05, 0.05, 0.10], "conversion_cost": [0.0, 2.0, 4.0]}


def _peak_mib() -> float:
    """Peak resident memory of this process (VmHWM: reset at exec, unlike ru_maxrss which is inherited)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _prepare(n: int, arms: int, folder: str) -> None:
    """Draw the outcomes and the constraints (in a child process, so the parent stays small)."""
    from uplift.campaign import Economics, plan_campaign
    from uplift.datasets import make_uplift_classification

    data = make_uplift_classification(n, n_features=4, n_arms=arms, random_state=0)
    outcomes = np.ascontiguousarray(data.mu)
    del data
    np.save(Path(folder) / "outcomes.npy", outcomes)
    economics = Economics(**{k: (v[:arms] if isinstance(v, list) else v) for k, v in ECONOMICS.items()})
    free = plan_campaign(outcomes, economics)
    per_arm = np.bincount(free.arm, minlength=arms + 1)[1:]
    constraints = {"budget": 0.3 * free.totals()["expected_spend"],
                   "arm_max": np.floor(0.25 * per_arm).astype(int).tolist(),
                   "max_contacts": int(0.1 * free.n_contacts)}
    (Path(folder) / "constraints.json").write_text(json.dumps(constraints))


def _phase(name: str, folder: str, queue: mp.Queue) -> None:
    from uplift.campaign import Economics, plan_campaign, profit_curve

    outcomes = np.load(Path(folder) / "outcomes.npy")
    constraints = json.loads((Path(folder) / "constraints.json").read_text())
    economics = Economics(**ECONOMICS)
    base = _peak_mib()  # imports and the outcome array
    started = time.perf_counter()
    result: dict = {}
    if name == "argsort (unit)":
        np.argsort(economics.score(outcomes).gain.ravel())
    elif name == "score":
        economics.score(outcomes)
    elif name == "plan: no constraint":
        plan = plan_campaign(outcomes, economics)
        result = plan.totals()
    elif name == "plan: budget":
        plan = plan_campaign(outcomes, economics, budget=constraints["budget"])
        result = plan.totals()
    elif name == "plan: budget + per-arm caps":
        plan = plan_campaign(outcomes, economics, budget=constraints["budget"], arm_max=constraints["arm_max"])
        result = plan.totals()
    elif name == "plan: budget + caps + contact cap":
        plan = plan_campaign(outcomes, economics, budget=constraints["budget"], arm_max=constraints["arm_max"],
                             max_contacts=constraints["max_contacts"])
        result = plan.totals()
    elif name == "profit curve vs budget":
        profit_curve(outcomes, economics, by="budget")
    seconds = time.perf_counter() - started
    queue.put({"phase": name, "seconds": seconds, "peak_mib": _peak_mib(), "extra_mib": _peak_mib() - base,
               **{k: result[k] for k in ("contacts", "contacts_per_arm", "expected_spend",
                                         "expected_incremental_profit", "upper_bound") if k in result}})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--arms", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    context = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder:
        preparation = context.Process(target=_prepare, args=(args.n, args.arms, folder))
        preparation.start()
        preparation.join()
        constraints = json.loads((Path(folder) / "constraints.json").read_text())
        rows = []
        for name in ("argsort (unit)", "score", "plan: no constraint", "plan: budget", "plan: budget + per-arm caps",
                     "plan: budget + caps + contact cap", "profit curve vs budget"):
            queue = context.Queue()
            process = context.Process(target=_phase, args=(name, folder, queue))
            process.start()
            rows.append(queue.get())
            process.join()
    unit = rows[0]["seconds"]
    print(f"n = {args.n:,} customers x {args.arms} arms; constraints: budget {constraints['budget']:.0f} "
          f"(30% of the unconstrained spend), arm_max {constraints['arm_max']}, max_contacts "
          f"{constraints['max_contacts']}")
    print(f"baseline of every phase (imports + outcome array): {rows[1]['peak_mib'] - rows[1]['extra_mib']:.0f} MiB")
    print("| phase | seconds | x argsort | peak RSS (MiB) | above baseline (MiB) | contacts | expected profit | "
          "gap to bound |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        gap = ""
        if row.get("upper_bound"):
            gap = f"{100 * (row['upper_bound'] - row['expected_incremental_profit']) / row['upper_bound']:.4f}%"
        profit = f"{row['expected_incremental_profit']:.0f}" if "expected_incremental_profit" in row else ""
        print(f"| {row['phase']} | {row['seconds']:.2f} | {row['seconds'] / unit:.2f} | {row['peak_mib']:.0f} | "
              f"{row['extra_mib']:.0f} | {row.get('contacts', '')} | {profit} | {gap} |")
    if args.json:
        args.json.write_text(json.dumps({"n": args.n, "arms": args.arms, "constraints": constraints, "rows": rows},
                                        indent=2))


if __name__ == "__main__":
    main()
