"""Files written whole or not at all, and the lock that keeps two builds out of one folder.

Every file Casebook writes (outputs, ``manifest.json``, ``index.html``, the Word reference
template) goes to a temporary file beside its target and is moved into place with
``os.replace``, so a reader never sees half a file. ``fcntl`` is imported only when a lock is
taken: the rest of Casebook (``check``, ``list``, the library) works where it does not exist.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

__all__ = [
    "TEMP_GLOB",
    "LockBusy",
    "LockRefused",
    "fsync_dir",
    "locked",
    "remove_temporaries",
    "unlink_quietly",
    "write_atomic",
    "write_temporary",
]

#: The names of temporary files: ``.<target name>.tmp-<random>``.
TEMP_GLOB = ".*.tmp-*"


class LockBusy(Exception):
    """Another process holds the lock and the caller would not wait."""


def write_temporary(target: Path, data: bytes) -> Path:
    """Write ``data`` to a new temporary file beside ``target``, synced to disk."""
    name = ""
    try:
        with tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=f".{target.name}.tmp-", delete=False
        ) as handle:
            name = handle.name
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(name, 0o644)
    except BaseException:
        if name:
            unlink_quietly(Path(name))
        raise
    return Path(name)


def write_atomic(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data`` in one step; an OSError names ``target``."""
    try:
        temp = write_temporary(target, data)
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(target)) from error
    try:
        os.replace(temp, target)
    except OSError as error:
        unlink_quietly(temp)
        raise OSError(error.errno, error.strerror, str(target)) from error
    except BaseException:
        unlink_quietly(temp)
        raise


def fsync_dir(directory: Path) -> None:
    """Make the renames in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def is_plain_file(path: Path) -> bool:
    """True if ``path`` is a file itself, not a link or a folder."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def unlink_quietly(path: Path) -> None:
    """Remove ``path`` if it is there."""
    with suppress(FileNotFoundError):
        path.unlink()


def remove_temporaries(directory: Path) -> None:
    """Remove temporary files left in ``directory`` by a process that was killed (call it
    only while holding the lock: then none of them is still being written)."""
    for path in directory.glob(TEMP_GLOB):
        if path.is_file() and not path.is_symlink():
            unlink_quietly(path)


class LockRefused(Exception):
    """The lock file is a link or not a plain file (something planted there): it is never
    opened through, so the build makes no file outside its folder."""


def _open_lock(lock_file: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(lock_file, flags, 0o644)
    except OSError:
        if lock_file.is_symlink():
            raise LockRefused(
                f"{lock_file} is a link; remove it (the build makes its own)"
            ) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LockRefused(f"{lock_file} is not a plain file; remove it (the build makes its own)")
    return fd


@contextmanager
def locked(
    lock_file: Path, wait: bool, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file`` (created if needed) for the ``with`` block.

    If another process holds it: raise LockBusy when ``wait`` is false, otherwise call
    ``on_wait`` and block until it is free. OSError if the file cannot be made.
    """
    import fcntl  # POSIX only, and only a build takes the lock

    fd = _open_lock(lock_file)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise LockBusy(str(lock_file)) from None
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
