"""Reading the files people give us: plain files only, inside their folder, never too large.

Every file Casebook reads from ``content/`` and ``layouts/`` comes through :func:`read_bounded`,
so a link out of the project, a named pipe, a device or a file of gigabytes is refused with a
message before anything is read (a pipe would hang the build, ``/dev/zero`` would fill memory).
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from pathlib import Path
from urllib.parse import unquote

__all__ = [
    "SHOWN_LENGTH",
    "FileRefused",
    "inside",
    "read_bounded",
    "read_data_address",
    "real_path",
    "shown_address",
    "size_text",
]

_CHUNK = 1 << 16
SHOWN_LENGTH = 60  # characters of an address a message quotes before "..."


class FileRefused(Exception):
    """A file that is not read: outside its folder, not a plain file, or too large. The
    message says why, without the path (the caller names the file and line)."""


def shown_address(address: str) -> str:
    """An address as a message quotes it: whole, or its start and "..." when it is long (a
    ``data:`` address may hold a whole picture)."""
    return address if len(address) <= SHOWN_LENGTH else address[:SHOWN_LENGTH] + "..."


def read_data_address(address: str) -> tuple[bytes, str]:
    """The bytes and media type a ``data:`` address holds (a stylesheet may write a small
    image out in full), decoded by urllib; FileRefused when it holds none. Base64 is read
    strictly (urllib would skip stray characters) and its marker in any capitals."""
    from urllib.error import URLError  # with http.client: only when a stylesheet has one
    from urllib.request import DataHandler, Request

    header, comma, payload = address.partition(",")
    if not comma or not payload:
        raise FileRefused("not a valid data: address")
    if header.lower().endswith(";base64"):
        try:
            base64.b64decode(unquote(payload), validate=True)
        except (binascii.Error, ValueError):
            raise FileRefused("not a valid data: address") from None
        address = f"{header[:-7]};base64,{payload}"
    try:
        with DataHandler().data_open(Request(address)) as response:
            return response.read(), response.headers.get("Content-Type", "text/plain")
    except (URLError, ValueError, binascii.Error):
        raise FileRefused("not a valid data: address") from None


def real_path(path: Path) -> Path:
    """``path`` with every link followed, without raising on a link that loops (the
    looping part is left as it is, and reading it fails with an ordinary OSError)."""
    return Path(os.path.realpath(path))


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, every link followed, is ``root`` or lies under it."""
    return real_path(path).is_relative_to(real_path(root))


def size_text(limit: int) -> str:
    """A byte limit as people read it: ``64 KiB``, ``20 MiB``."""
    if limit >= 1 << 20 and limit % (1 << 20) == 0:
        return f"{limit >> 20} MiB"
    if limit >= 1 << 10 and limit % (1 << 10) == 0:
        return f"{limit >> 10} KiB"
    return f"{limit} bytes"


def _amount(size: int) -> str:
    """A file's size as people read it, to one decimal: ``78.4 KiB``, ``8.0 GiB``."""
    if size < 1024:
        return f"{size} bytes"
    value, units = size / 1024, ["KiB", "MiB", "GiB", "TiB"]
    while value >= 1000 and len(units) > 1:
        value, units = value / 1024, units[1:]
    return f"{value:.1f} {units[0]}"


def _too_large(size: int, limit: int) -> FileRefused:
    amount = _amount(size)
    if amount == _amount(limit):  # just over: rounded, it would read as the limit itself
        amount = f"{size:,} bytes"
    return FileRefused(f"is {amount}, larger than the limit of {size_text(limit)}")


def read_bounded(path: Path, limit: int, root: Path | None = None, where: str = "") -> bytes:
    """The bytes of ``path``, a plain file of at most ``limit`` bytes lying (links followed)
    under ``root`` when one is given; ``where`` names ``root`` in messages ("the content
    folder"). Raises FileRefused, or OSError when the file cannot be opened."""
    if root is not None and not inside(path, root):
        raise FileRefused(f"is a link to a file outside {where or root}")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)  # non-blocking: opening a named pipe must not wait for a writer
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a pipe, device or socket"
            raise FileRefused(f"is not a plain file ({kind}); only plain files are read")
        if info.st_size > limit:
            raise _too_large(info.st_size, limit)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while we read it
            raise FileRefused(f"is larger than the limit of {size_text(limit)}")
        return b"".join(chunks)
    finally:
        os.close(fd)
