"""``results.jsonl``: one JSON line per finished task, appended atomically; the source of every summary.

A line is written with a single ``write`` of the whole line followed by ``flush`` and ``fsync``,
so after a crash the file holds whole lines plus, at worst, one torn last line. Opening the store
truncates such a torn tail (it is a task that never finished) and reads the finished task keys,
so a restarted run skips them and never writes a task twice.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..exceptions import UpliftInputError

__all__ = ["ResultsStore", "task_key", "write_atomic"]

logger = logging.getLogger(__name__)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (never half a file)."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def task_key(dataset: str, learner: str, seed: int, fold: int, fingerprint: str) -> str:
    """Identity of one task; ``fingerprint`` changes when the data set, learner or protocol changes."""
    return f"{dataset}|{learner}|seed={seed}|fold={fold}|{fingerprint}"


class ResultsStore:
    """Append-only store of finished tasks in ``path`` (JSON lines).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> store = ResultsStore(pathlib.Path(tempfile.mkdtemp()) / "results.jsonl")
    >>> store.append({"key": "a", "value": 1.0})
    >>> store.append({"key": "a", "value": 2.0})  # already finished: ignored
    >>> [r["value"] for r in store.records()], "a" in store
    ([1.0], True)
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._keys: set[str] = set()
        self._repair()

    def _repair(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):
            logger.warning("%s: dropping a torn last line (%d bytes) left by an interrupted run", self.path,
                           len(data) - end)
            with open(self.path, "r+b") as handle:
                handle.truncate(end)
                handle.flush()
                os.fsync(handle.fileno())
        for number, record in enumerate(self._read(), start=1):
            key = record.get("key")
            if not isinstance(key, str):
                raise UpliftInputError(f"{self.path}: line {number} has no task key; this is not a results file.")
            self._keys.add(key)

    def _read(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise UpliftInputError(
                        f"{self.path}: line {number} is not valid JSON ({error}); the file was edited or corrupted. "
                        "Remove that line to resume."
                    ) from error

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def records(self) -> list[dict[str, Any]]:
        """Every finished task, first occurrence of each key, in file order."""
        seen: set[str] = set()
        out = []
        for record in self._read():
            if record["key"] not in seen:
                seen.add(record["key"])
                out.append(record)
        return out

    def append(self, record: dict[str, Any]) -> None:
        """Append one finished task durably; a key already present is not written again."""
        key = record["key"]
        if key in self._keys:
            return
        line = (json.dumps(record, allow_nan=True, separators=(",", ":")) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            written = os.write(fd, line)
            while written < len(line):  # pragma: no cover - short writes are rare on local files
                written += os.write(fd, line[written:])
            os.fsync(fd)
        finally:
            os.close(fd)
        self._keys.add(key)
