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
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..datasets._fetch import file_mode
from ..exceptions import UpliftInputError

__all__ = ["RESULT_FIELDS", "ResultsStore", "task_key", "write_atomic"]

#: Entries every benchmark result line must have (the summaries read them).
RESULT_FIELDS = ("key", "dataset", "learner", "seed", "fold", "n_train", "n_test", "scores", "qini_curves")

logger = logging.getLogger(__name__)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (never half a file)."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, file_mode())  # mkstemp makes 0600; a result file follows the umask
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def task_key(dataset: str, learner: str, seed: int, fold: int, fingerprint: str) -> str:
    """Identity of one task; ``fingerprint`` changes when the data set, learner or protocol changes."""
    return f"{dataset}|{learner}|seed={seed}|fold={fold}|{fingerprint}"


class ResultsStore:
    """Append-only store of finished tasks in ``path`` (JSON lines).

    Parameters
    ----------
    path : path
    required : sequence of str, default ("key",)
        Entries every line must have (the benchmark passes :data:`RESULT_FIELDS`); a line without
        one is refused with its number.

    Raises
    ------
    UpliftInputError
        A line is not UTF-8, not JSON, not a JSON object, or lacks a required entry.

    See Also
    --------
    run_benchmark : Appends each finished task here.
    summarize : Reads the store back into tables.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> store = ResultsStore(pathlib.Path(tempfile.mkdtemp()) / "results.jsonl")
    >>> store.append({"key": "a", "value": 1.0})
    >>> store.append({"key": "a", "value": 2.0})  # already finished: ignored
    >>> [r["value"] for r in store.records()], "a" in store
    ([1.0], True)
    """

    def __init__(self, path: str | Path, *, required: Sequence[str] = ("key",)) -> None:
        self.path = Path(path)
        self.required = tuple(required)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._keys: set[str] = set()
        self._repair()

    def _repair(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):
            if self._is_whole_record(data[end:]):
                # a finished task written without its newline (by hand or another tool): keep it
                with open(self.path, "ab") as handle:
                    handle.write(b"\n")
                    handle.flush()
                    os.fsync(handle.fileno())
            else:
                logger.warning("%s: dropping a torn last line (%d bytes) left by an interrupted run", self.path,
                               len(data) - end)
                with open(self.path, "r+b") as handle:
                    handle.truncate(end)
                    handle.flush()
                    os.fsync(handle.fileno())
        for record in self._read():
            self._keys.add(record["key"])

    def _is_whole_record(self, tail: bytes) -> bool:
        try:
            record = json.loads(tail.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return False
        return isinstance(record, dict) and all(name in record for name in self.required)

    def _read(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        fix = "The file was edited or corrupted: remove that line (the task runs again on --resume)."
        with open(self.path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise UpliftInputError(f"{self.path}: line {number} is not UTF-8 text ({error}). {fix}") from error
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise UpliftInputError(f"{self.path}: line {number} is not valid JSON ({error}). {fix}") from error
                if not isinstance(record, dict):
                    raise UpliftInputError(
                        f"{self.path}: line {number} is a JSON {type(record).__name__}, not an object with a task "
                        f"key; this is not a results file, or it was edited. {fix}"
                    )
                missing = [name for name in self.required if name not in record]
                if missing or not isinstance(record.get("key"), str):
                    raise UpliftInputError(
                        f"{self.path}: line {number} lacks {missing or ['a text key']} (every line needs "
                        f"{list(self.required)}); this is not a results file, or it was edited. {fix}"
                    )
                if "scores" in self.required and not (isinstance(record["scores"], list) and all(
                        isinstance(score, dict) and {"metric", "arm", "value", "std_error"} <= set(score)
                        for score in record["scores"])):
                    raise UpliftInputError(
                        f"{self.path}: line {number} has 'scores' that are not a list of {{metric, arm, value, "
                        f"std_error}} objects. {fix}"
                    )
                yield record

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def records(self) -> list[dict[str, Any]]:
        """Every finished task, first occurrence of each key, in file order.

        Returns
        -------
        list of dict
            Every finished task, first occurrence of each key, in file order.
        """
        seen: set[str] = set()
        out = []
        for record in self._read():
            if record["key"] not in seen:
                seen.add(record["key"])
                out.append(record)
        return out

    def append(self, record: dict[str, Any]) -> None:
        """Append one finished task durably; a key already present is not written again.

        Parameters
        ----------
        record : dict
            One finished task; its ``"key"`` identifies it.

        Returns
        -------
        None
        """
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
