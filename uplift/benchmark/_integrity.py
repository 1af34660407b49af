"""What keeps a benchmark's results honest on disk: one writer per output folder, and a fingerprint of the data.

Two runs appending to one ``results.jsonl`` at once would each write every task (the file then
holds two results per key); a run resumed on data that changed since it started would average
results of two data sets into one number. :func:`output_lock` refuses the first,
:func:`data_fingerprint` and :func:`check_same_data` the second.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..datasets import UpliftDataset
from ..exceptions import UpliftInputError

try:  # POSIX only; elsewhere (Windows) runs are not locked
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_NAME", "check_same_data", "data_fingerprint", "output_lock"]

logger = logging.getLogger(__name__)

#: File in the output folder that a running benchmark holds an exclusive lock on.
LOCK_NAME = ".uplift-benchmark.lock"


@contextlib.contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``output`` for the duration of a run (``fcntl.flock``).

    The lock dies with the process (a killed run never leaves a stale lock); the lock file stays.

    Raises
    ------
    UpliftInputError
        Another process holds the lock: another run writes to this folder.
    """
    output.mkdir(parents=True, exist_ok=True)
    path = output / LOCK_NAME
    handle = open(path, "a+")  # held open (and locked) for the whole run
    try:
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                raise UpliftInputError(
                    f"another benchmark run ({holder}) is writing to {output}; two runs on one folder would both "
                    "write every task. Wait for it to finish, or pass another --output folder."
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}\n")
            handle.flush()
        yield
    finally:
        handle.close()  # releases the lock


def _hash_column(values: Any) -> np.ndarray:
    series = pd.Series(np.asarray(values).ravel() if np.ndim(values) > 1 else values)
    if series.dtype == object:
        series = series.astype(str)  # mixed labels hash by their text
    return pd.util.hash_pandas_object(series, index=False).to_numpy()


def data_fingerprint(data: UpliftDataset) -> dict[str, Any]:
    """Identity of a data set as read: a content hash of the table plus size and mtime of its files.

    The hash covers the feature names, every value of ``X``, ``y``, ``treatment`` and, when set,
    ``groups``, ``time`` and ``tau``; it changes with any edit that changes the data a learner sees.
    ``files`` (path, bytes, modification time) says where it was read from, for the message.

    Examples
    --------
    >>> from uplift.datasets import make_uplift_classification
    >>> a = data_fingerprint(make_uplift_classification(100, random_state=0))
    >>> b = data_fingerprint(make_uplift_classification(100, random_state=1))
    >>> a["sha256"] == data_fingerprint(make_uplift_classification(100, random_state=0))["sha256"], a == b
    (True, False)
    """
    digest = hashlib.sha256()
    digest.update(repr([str(c) for c in data.X.columns]).encode())
    digest.update(pd.util.hash_pandas_object(data.X, index=False).to_numpy().tobytes())
    for part in (data.y, data.treatment, data.groups, data.time, data.tau):
        digest.update(b"|" if part is None else _hash_column(part).tobytes())
    files = []
    for file in getattr(data, "source_files", ()):
        stat = Path(file).stat()
        files.append({"path": str(Path(file).resolve()), "bytes": stat.st_size,
                      "modified": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds")})
    return {"sha256": digest.hexdigest(), "rows": len(data.y), "files": files}


def _describe(fingerprint: dict[str, Any]) -> str:
    files = "; ".join(f"{f['path']}, {f['bytes']:,} bytes, modified {f['modified']}" for f in fingerprint["files"])
    return f"content hash {fingerprint['sha256'][:12]}, {fingerprint['rows']:,} rows" + (f"; {files}" if files else "")


def check_same_data(name: str, current: dict[str, Any], previous: list[dict[str, Any] | None],
                    results: Path) -> None:
    """Refuse to resume when finished tasks of data set ``name`` were computed on other data.

    ``previous`` holds the ``data`` fingerprints recorded by those tasks (None for results written
    before fingerprints existed, which cannot be checked and are accepted).

    Raises
    ------
    UpliftInputError
        A recorded fingerprint differs from ``current``.
    """
    unchecked = sum(p is None for p in previous)
    if unchecked:
        logger.warning("%s: %d finished task(s) of data set %r were written without a data fingerprint (an older "
                       "version); their data cannot be checked against the data read now", results, unchecked, name)
    changed = [p for p in previous if p is not None and p.get("sha256") != current["sha256"]]
    if changed:
        raise UpliftInputError(
            f"data set {name!r} changed since {results} was written: {len(changed)} finished task(s) were "
            f"computed on data with {_describe(changed[0])}, but the data read now has {_describe(current)}. "
            "Resuming would mix results of both in one number. Restore the data the run started with (check "
            "--data-dir / data_dir), or start a fresh run in another --output folder."
        )
