"""Atomic file writes: a reader (or a crash) sees the old file or the new one, never half of
one. The data goes to a temporary file in the same folder, is flushed to disk, and is renamed
over the target (``os.replace`` is atomic on POSIX and Windows).

Example:
    >>> import os, tempfile
    >>> from chainrule.io.atomic import write_text
    >>> p = os.path.join(tempfile.mkdtemp(), "a.txt")
    >>> write_text(p, "hello\\n")
    >>> open(p).read()
    'hello\\n'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from typing import IO

__all__ = ["atomic_path", "write_bytes", "write_text"]


def _write_all(fh: IO[bytes], data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = fh.write(view)
        if n is None:  # unbuffered raw files may return None; buffered ones write all
            n = len(view)
        view = view[n:]


def _new_file_mode(path: str) -> int:
    """Keep an existing file's permissions; a new file gets the default (0o666 & ~umask)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        pass
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _fsync_dir(directory: str) -> None:
    try:  # make the rename itself durable (POSIX); not possible on every platform
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(dfd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(dfd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, op: str = "write") -> Iterator[str]:
    """A temporary path next to ``path`` to write to; on a clean exit it is renamed over
    ``path``, on an exception it is removed. For writers that want a file name (e.g.
    ``fig.savefig``). ``op`` names the operation in the error for a missing folder.

    Example:
        >>> import os, tempfile
        >>> from chainrule.io.atomic import atomic_path
        >>> p = os.path.join(tempfile.mkdtemp(), "x.bin")
        >>> with atomic_path(p) as tmp:
        ...     _ = open(tmp, "wb").write(b"12")
        >>> open(p, "rb").read()
        b'12'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"{op}: directory {directory!r} does not exist")
    mode = _new_file_mode(path)
    base, ext = os.path.splitext(os.path.basename(path))
    # keep the extension last: some writers pick the format from it (savefig)
    fd, tmp = tempfile.mkstemp(prefix="." + base + ".", suffix=".tmp" + ext, dir=directory)
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)


def write_bytes(
    path: str | os.PathLike,
    data: bytes,
    op: str = "write",
    writer: Callable[[IO[bytes], bytes], None] | None = None,
) -> None:
    """Write ``data`` to ``path`` atomically (``writer(fh, data)`` does the writing; a seam
    for tests that simulate a crash mid-write).

    Example:
        >>> import os, tempfile
        >>> from chainrule.io.atomic import write_bytes
        >>> p = os.path.join(tempfile.mkdtemp(), "b.bin")
        >>> write_bytes(p, b"\\x00\\x01")
        >>> os.path.getsize(p)
        2
    """
    with atomic_path(path, op) as tmp, open(tmp, "wb") as fh:
        (writer or _write_all)(fh, data)
        fh.flush()


def write_text(path: str | os.PathLike, text: str, op: str = "write") -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically.

    Example:
        >>> import os, tempfile
        >>> from chainrule.io.atomic import write_text
        >>> p = os.path.join(tempfile.mkdtemp(), "t.json")
        >>> write_text(p, "{}")
        >>> open(p).read()
        '{}'
    """
    write_bytes(path, text.encode("utf-8"), op)
