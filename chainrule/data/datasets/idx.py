"""The IDX file format of MNIST and Fashion-MNIST (LeCun et al.): a 4-byte magic number
``0x00 0x00 <type> <ndim>``, ``ndim`` big-endian uint32 dimensions, then the data (big-endian
for multi-byte types). Files may be gzip-compressed (detected by their first bytes).

Example:
    >>> import numpy as np
    >>> from chainrule.data.datasets.idx import parse_idx, to_idx_bytes
    >>> a = np.arange(6, dtype=np.uint8).reshape(2, 3)
    >>> parse_idx(to_idx_bytes(a)).tolist()
    [[0, 1, 2], [3, 4, 5]]
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib

import numpy as np

__all__ = ["IDXError", "parse_idx", "read_idx", "to_idx_bytes"]

_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dt.newbyteorder("=").str[1:]: code for code, dt in _TYPES.items()}


class IDXError(ValueError):
    """A file is not a valid IDX file (wrong magic number, unknown type, truncated data).

    Example:
        >>> from chainrule.data.datasets.idx import IDXError, parse_idx
        >>> try:
        ...     parse_idx(b"\\x01\\x02\\x03\\x04")
        ... except IDXError as e:
        ...     print(str(e)[:30])
        IDX: bad magic number 01020304
    """


def parse_idx(data: bytes, source: str = "<bytes>") -> np.ndarray:
    """Parse the bytes of an IDX file (raw or gzip-compressed) into a native-endian array.

    Raises :class:`IDXError` naming ``source`` for a wrong magic number, an unknown data type or
    a truncated / oversized payload.

    Example:
        >>> import gzip, numpy as np
        >>> from chainrule.data.datasets.idx import parse_idx, to_idx_bytes
        >>> parse_idx(gzip.compress(to_idx_bytes(np.array([7, 2], np.uint8)))).tolist()
        [7, 2]
    """
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise IDXError(f"IDX: {source}: corrupt or truncated gzip data ({e})") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise IDXError(
            f"IDX: bad magic number {data[:4].hex()} (expected 0000<type><ndim>) in {source}: "
            "not an IDX file"
        )
    code, ndim = data[2], data[3]
    if code not in _TYPES:
        raise IDXError(f"IDX: unknown data type 0x{code:02x} in {source}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IDXError(f"IDX: {source} is truncated inside its header ({len(data)} bytes)")
    shape = struct.unpack(">" + "I" * ndim, data[4:header])
    dt = _TYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dt.itemsize
    got = len(data) - header
    if got != expected:
        what = "truncated" if got < expected else "longer than its header says"
        raise IDXError(
            f"IDX: {source} is {what}: shape {shape} of {dt.name} needs {expected} data bytes, "
            f"found {got}"
        )
    arr = np.frombuffer(data, dtype=dt, offset=header).reshape(shape)
    return arr.astype(dt.newbyteorder("="), copy=True)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (``.gz`` or raw) from disk; see :func:`parse_idx`.

    Example:
        >>> import os, tempfile, numpy as np
        >>> from chainrule.data.datasets.idx import read_idx, to_idx_bytes
        >>> p = os.path.join(tempfile.mkdtemp(), "x-idx1-ubyte")
        >>> _ = open(p, "wb").write(to_idx_bytes(np.array([1, 2, 3], np.uint8)))
        >>> read_idx(p).tolist()
        [1, 2, 3]
    """
    with open(path, "rb") as f:
        return parse_idx(f.read(), source=os.fspath(path))


def to_idx_bytes(array: np.ndarray) -> bytes:
    """Encode an array as IDX bytes (uint8, int8, int16, int32, float32 or float64).

    Example:
        >>> import numpy as np
        >>> from chainrule.data.datasets.idx import to_idx_bytes
        >>> to_idx_bytes(np.zeros((1, 2), np.uint8)).hex()
        '0000080200000001000000020000'
    """
    a = np.asarray(array)
    key = a.dtype.newbyteorder("=").str[1:]
    if key not in _CODES:
        raise IDXError(f"IDX: cannot encode dtype {a.dtype}")
    code = _CODES[key]
    head = bytes([0, 0, code, a.ndim]) + struct.pack(">" + "I" * a.ndim, *a.shape)
    return head + np.ascontiguousarray(a, dtype=_TYPES[code]).tobytes()
