"""Download public data files into a cache, atomically and verified.

A download streams into a temporary file beside its destination, is verified (SHA-256 or the
mirror's published MD5 when known, then the header and the row count), and only then renamed
into place. A file that fails verification is removed, so a partial or corrupt file never sits
under the name of a valid one. While it runs, the download holds a lock on its folder; temporary
files found there under that lock were left by a killed download and are removed.

A cached file is checked on every read against the digest shipped in the package when one is
known (SHA-256 or the mirror's MD5), so a replaced file is refused even with a matching
``NAME.sha256``. Only for files without a shipped digest is the SHA-256 recorded beside the file
after its first verified download (``NAME.sha256``) the reference (trust on first use).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import logging
import os
import tempfile
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from ..exceptions import ChecksumMismatchError, UpliftInputError

try:  # POSIX only; elsewhere (Windows) downloads are not locked
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["RemoteFile", "data_home", "download", "ensure_file", "file_mode", "file_sha256"]

logger = logging.getLogger(__name__)

#: Function opening a URL and returning a readable binary stream (tests pass a fake one).
Opener = Callable[[str], IO[bytes]]
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RemoteFile:
    """A published data file and what is known about it.

    Attributes
    ----------
    filename : str
        Name in the cache.
    url : str
        Canonical public location.
    columns : tuple of str
        Header the file must start with (checked after download).
    n_rows : int, optional
        Number of data rows (header excluded), checked after download.
    sha256 : str, optional
        SHA-256 of the downloaded bytes, when published.
    md5 : str, optional
        MD5 of the downloaded bytes published by a mirror (scikit-uplift's), when that is all
        that is known.
    """

    filename: str
    url: str
    columns: tuple[str, ...] = ()
    n_rows: int | None = None
    sha256: str | None = None
    md5: str | None = None

    @property
    def checksum_status(self) -> str:
        if self.sha256:
            return "SHA-256 verified"
        if self.md5:
            return "MD5 of the scikit-uplift mirror verified; schema and row count verified"
        return "no published checksum: schema and row count verified"


def data_home(path: str | Path | None = None) -> Path:
    """Folder where downloaded data sets are cached.

    ``path`` if given, else the environment variable ``UPLIFT_DATA_HOME``, else the user cache
    folder (``$XDG_CACHE_HOME/uplift`` or ``~/.cache/uplift``; ``%LOCALAPPDATA%\\uplift`` on
    Windows). Created when missing.

    Parameters
    ----------
    path : path, optional
        The folder to use; the default is ``UPLIFT_DATA_HOME``, else the user cache folder.

    Returns
    -------
    Path
        The folder, created when missing.

    See Also
    --------
    fetch_criteo : Downloads into this folder.
    load_dataset : Readers of local copies search it.

    Examples
    --------
    >>> import os, tempfile
    >>> os.environ["UPLIFT_DATA_HOME"] = tempfile.mkdtemp()
    >>> data_home().is_dir()
    True
    >>> del os.environ["UPLIFT_DATA_HOME"]
    """
    if path is None:
        path = os.environ.get("UPLIFT_DATA_HOME") or None
    if path is None:
        if os.name == "nt" and os.environ.get("LOCALAPPDATA"):  # pragma: no cover - Windows
            base = Path(os.environ["LOCALAPPDATA"])
        else:
            base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        path = base / "uplift"
    home = Path(path).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def file_mode() -> int:
    """Permission bits of a new regular file under the process umask (``0o666 & ~umask``).

    ``tempfile.mkstemp`` creates files readable by their owner only (0600); a file renamed into
    place from it gets these bits first, like a file opened with ``open(path, "w")``.
    """
    mask = os.umask(0o022)  # the only portable way to read the umask is to set it and restore it
    os.umask(mask)
    return 0o666 & ~mask


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on ``folder`` itself (no lock file); yield whether another holder was waited for."""
    if fcntl is None:  # pragma: no cover - Windows
        yield False
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            waited = False
        except BlockingIOError:
            logger.info("waiting for another process downloading into %s", folder)
            fcntl.flock(fd, fcntl.LOCK_EX)
            waited = True
        yield waited
    finally:
        os.close(fd)  # releases the lock


def _remove_stale_temporaries(folder: Path, filename: str) -> None:
    """Remove ``.NAME.*.part`` / ``.NAME.*.tmp`` files: under the folder lock, no download is writing them."""
    for stale in [*folder.glob(f".{filename}.*.part"), *folder.glob(f".{filename}.*.tmp")]:
        logger.warning("removing %s (%d bytes) left by an interrupted download", stale, stale.stat().st_size)
        stale.unlink(missing_ok=True)


def _open_text_lines(path: Path) -> IO[bytes]:
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def verify_schema(path: Path, remote: RemoteFile) -> None:
    """Check the header and the row count of a CSV (plain or gzip) against ``remote``.

    Raises
    ------
    ChecksumMismatchError
        The header or the row count differs, or the file is not readable.
    """
    if not remote.columns and remote.n_rows is None:
        return
    try:
        with _open_text_lines(path) as handle:
            header = handle.readline().decode("utf-8").strip().replace('"', "")
            rows = 0
            tail = b"\n"
            if remote.n_rows is not None:
                for chunk in iter(lambda: handle.read(_CHUNK), b""):
                    rows += chunk.count(b"\n")
                    tail = chunk[-1:]
                rows += tail != b"\n"  # last line without a trailing newline
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        raise ChecksumMismatchError(f"{remote.filename}: unreadable or truncated file ({error}).") from error
    columns = tuple(header.split(","))
    missing = [c for c in remote.columns if c not in columns]
    if missing:
        raise ChecksumMismatchError(
            f"{remote.filename}: unexpected header; columns {missing[:8]} are missing (got {list(columns)[:8]}"
            f"{' ...' if len(columns) > 8 else ''}). The file is not the published version."
        )
    if remote.n_rows is not None and rows != remote.n_rows:
        raise ChecksumMismatchError(
            f"{remote.filename}: expected {remote.n_rows:,} rows, got {rows:,}; the file is truncated or not "
            "the published version."
        )


def download(remote: RemoteFile, folder: Path, *, opener: Opener | None = None) -> Path:
    """Download ``remote`` into ``folder`` atomically and verify it; return the final path.

    Only ``https://`` (and ``file://``) URLs are fetched. The download holds a lock on ``folder``:
    a second process waits, then uses the file the first one verified. Temporary files of this
    file found under the lock were left by a killed download and are removed.

    Raises
    ------
    ChecksumMismatchError
        The downloaded bytes fail verification; nothing is left in ``folder``.
    UpliftInputError
        The URL is not HTTPS.
    OSError
        The download failed (no network, HTTP error); nothing is left in ``folder``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with folder_lock(folder) as waited:
        destination = folder / remote.filename
        if waited and destination.is_file():  # downloaded by the process we waited for
            _verify_cached(destination, remote, folder.name)
            return destination
        _remove_stale_temporaries(folder, remote.filename)
        return _download_locked(remote, folder, opener)


def _download_locked(remote: RemoteFile, folder: Path, opener: Opener | None) -> Path:
    destination = folder / remote.filename
    if not remote.url.startswith(("https://", "file://")) and opener is None:
        raise UpliftInputError(
            f"{remote.filename}: refusing to download over {remote.url.split(':', 1)[0]}:// ({remote.url}); only "
            "https:// is used, so the file cannot be replaced on the way. Download it yourself and pass path=."
        )
    open_url = opener or (lambda url: urllib.request.urlopen(url, timeout=60))
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{remote.filename}.", suffix=".part")
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    try:
        logger.info("downloading %s from %s", remote.filename, remote.url)
        with os.fdopen(fd, "wb") as out, open_url(remote.url) as stream:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                out.write(chunk)
                sha256.update(chunk)
                md5.update(chunk)
            out.flush()
            os.fsync(out.fileno())
        if remote.sha256 and sha256.hexdigest() != remote.sha256:
            raise ChecksumMismatchError(
                f"{remote.filename}: checksum mismatch after download from {remote.url}: expected SHA-256 "
                f"{remote.sha256}, got {sha256.hexdigest()}. The file was removed; try again later or "
                "download it yourself and pass path=."
            )
        if not remote.sha256 and remote.md5 and md5.hexdigest() != remote.md5:
            raise ChecksumMismatchError(
                f"{remote.filename}: checksum mismatch after download from {remote.url}: expected MD5 "
                f"{remote.md5}, got {md5.hexdigest()}. The file was removed; try again later or download "
                "it yourself and pass path=."
            )
        verify_schema(Path(temporary), remote)
        os.chmod(temporary, file_mode())
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _write_digest(destination, sha256.hexdigest())
    return destination


def _digest_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _write_digest(path: Path, digest: str) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(f"{digest}  {path.name}\n")
    os.chmod(temporary, file_mode())
    os.replace(temporary, _digest_path(path))


def ensure_file(
    remote: RemoteFile,
    *,
    name: str,
    data_home_path: str | Path | None = None,
    download_if_missing: bool = True,
    path: str | Path | None = None,
    opener: Opener | None = None,
) -> Path:
    """Return a verified local copy of ``remote``: the user's ``path``, the cache, or a download.

    A user's ``path`` is checked for its header (and its SHA-256 when published); its row count is
    not enforced, so a sample of the published file can be read too. A download is checked for
    header, row count and checksum; a cached file against the SHA-256 recorded when it was
    downloaded.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist, or the file is not cached and ``download_if_missing=False``.
    ChecksumMismatchError
        The file fails verification (a cached file that fails is removed).
    """
    if path is not None:
        local = Path(path).expanduser()
        if local.is_dir():
            local = local / remote.filename
        if not local.is_file():
            raise FileNotFoundError(f"{name}: no file at {local}; pass the path of {remote.filename}.")
        if remote.sha256 and file_sha256(local) != remote.sha256:
            raise ChecksumMismatchError(
                f"{name}: {local} does not have the published SHA-256 {remote.sha256}; it is corrupt or "
                "another version."
            )
        verify_schema(local, replace(remote, n_rows=None))
        return local
    folder = data_home(data_home_path) / name
    cached = folder / remote.filename
    if cached.is_file():
        _verify_cached(cached, remote, name)
        return cached
    if not download_if_missing:
        raise FileNotFoundError(
            f"{name}: {remote.filename} is not in {folder} and download_if_missing=False. Download it from "
            f"{remote.url} and pass path=, or allow the download."
        )
    return download(remote, folder, opener=opener)


def _recorded_digest(path: Path) -> str | None:
    """The SHA-256 in ``NAME.sha256``, or None when the file is missing, empty or malformed."""
    digest_file = _digest_path(path)
    if not digest_file.is_file():
        return None
    words = digest_file.read_text(encoding="utf-8", errors="replace").split()
    if not words or len(words[0]) != 64 or any(c not in "0123456789abcdef" for c in words[0]):
        logger.warning("%s is empty or malformed; verifying %s again", digest_file, path.name)
        return None
    return words[0]


def _verify_cached(cached: Path, remote: RemoteFile, name: str) -> None:
    """Check a cached file against the shipped digest, else the recorded one, else its schema; remove it on failure."""
    if remote.sha256 or remote.md5:
        expected, kind = (remote.sha256, "SHA-256") if remote.sha256 else (remote.md5, "MD5")
        actual = file_sha256(cached) if remote.sha256 else _file_md5(cached)
        source = f"the {kind} of the published file shipped with the package ({expected})"
    else:
        recorded = _recorded_digest(cached)
        if recorded is None:  # never recorded, or the record was lost: verify the file as after a download
            try:
                verify_schema(cached, remote)
            except ChecksumMismatchError:
                cached.unlink()
                _digest_path(cached).unlink(missing_ok=True)
                raise
            _write_digest(cached, file_sha256(cached))
            return
        expected, actual = recorded, file_sha256(cached)
        source = f"the SHA-256 recorded at download ({expected})"
    if actual != expected:
        cached.unlink()
        _digest_path(cached).unlink(missing_ok=True)
        raise ChecksumMismatchError(
            f"{name}: cached {cached} no longer matches {source}; it was removed. Run again to download it afresh."
        )


def check_subsample(n_rows: Any, name: str) -> int | float | None:
    """Validate a subsample size: None, a fraction in (0, 1] (float) or a row count of at least 2 (int).

    The int ``1`` is refused: it would mean one row, and is almost always meant as "all rows" (1.0).

    >>> check_subsample(1.0, "subsample"), check_subsample(500, "subsample")
    (1.0, 500)
    """
    if n_rows is None:
        return None
    if isinstance(n_rows, bool) or not isinstance(n_rows, int | float) or n_rows <= 0 or n_rows != n_rows:
        raise UpliftInputError(f"{name} must be a fraction in (0, 1] or a positive number of rows; got {n_rows!r}.")
    if isinstance(n_rows, int) and n_rows == 1:
        raise UpliftInputError(
            f"{name}=1 is ambiguous: as an int it means one row. Pass {name}=1.0 for every row, or a row count "
            "of at least 2."
        )
    if isinstance(n_rows, float) and n_rows > 1:
        raise UpliftInputError(f"{name} as a fraction must be at most 1; got {n_rows!r}. Pass an int for a row count.")
    return n_rows
