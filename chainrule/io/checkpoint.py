"""Safe checkpoints: ``save`` / ``load`` of state dicts and nested structures, in safetensors.

File layout (a standard safetensors file, readable by any safetensors reader)::

    8 bytes    little-endian u64 N: length of the JSON header
    N bytes    JSON header: {"__metadata__": {...},
                            "<key>": {"dtype", "shape", "data_offsets"}, ...}
    rest       the raw tensor bytes

* Every tensor (and NumPy array) in the saved object is stored as one safetensors tensor under
  its dotted path: ``{"model": {"fc.weight": W}, "optim": {"state": {0: {"exp_avg": m}}}}``
  stores ``model.fc.weight`` and ``optim.state.0.exp_avg``. A flat state dict is therefore stored
  under exactly its own names, so ``safetensors.torch.load_file`` reads it as a PyTorch state dict.
* Everything else (numbers, strings, booleans, ``None``, lists, tuples, dicts, and where each
  tensor sits) is one JSON document in ``__metadata__["chainrule.structure"]``, in which a tensor
  is ``{"__tensor__": "<key>"}``, a NumPy array ``{"__ndarray__": "<key>"}``, a tuple
  ``{"__tuple__": [...]}`` and a dict whose keys are not all strings (optimizer state is keyed by
  int) ``{"__dict__": [[key, value], ...]}``. ``__metadata__["chainrule.format"]`` is
  ``"chainrule.checkpoint/1"``.
* ``__metadata__["chainrule.sha256"]`` maps every tensor key to the SHA-256 of its bytes and
  ``__metadata__["chainrule.structure.sha256"]`` hashes the structure (safetensors has no
  checksum of its own): a damaged file is a :class:`CheckpointError` naming the tensor, never
  different numbers. Files without them (PyTorch-written) load unverified. Headers are
  validated by safetensors itself, whatever the dtypes (bfloat16 included).

Loading never runs code: there is no pickle anywhere, only JSON and raw numbers. A file without
chainrule's metadata (e.g. written by ``safetensors.torch.save_file(model.state_dict(), path)``)
loads as a flat ``dict`` of name -> :class:`~chainrule.Tensor`.

Writes are atomic: the bytes go to a temporary file in the target's directory, which is flushed,
fsync'ed and then renamed over the target (``os.replace``), so a crash leaves either the old file
or the new one, never a torn one.

``safetensors`` is imported only inside these functions (``import chainrule`` needs only NumPy).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import struct
from collections.abc import Mapping
from typing import IO, Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.backend import to_numpy
from chainrule.io import atomic
from chainrule.io.atomic import _write_all  # a module global: tests patch it

__all__ = ["CheckpointError", "load", "load_model", "save", "save_model"]

PathLike = str | os.PathLike

FORMAT_KEY = "chainrule.format"
FORMAT_VALUE = "chainrule.checkpoint/1"
STRUCTURE_KEY = "chainrule.structure"
# JSON {tensor key: SHA-256 hex of its bytes}: safetensors itself has no checksum, so without
# it a flipped data byte would load as a different number without a word
SHA256_KEY = "chainrule.sha256"
STRUCTURE_SHA256_KEY = "chainrule.structure.sha256"

_T, _A, _TUPLE, _DICT = "__tensor__", "__ndarray__", "__tuple__", "__dict__"
_MARKERS = frozenset({_T, _A, _TUPLE, _DICT})

# dtypes chainrule stores as they are; others are refused on save.
_SAVE_DTYPES = frozenset(
    np.dtype(d)
    for d in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")
)
# safetensors dtype names NumPy can read directly
_ST_DTYPES = {
    "BOOL": "bool",
    "U8": "uint8",
    "I8": "int8",
    "I16": "int16",
    "U16": "uint16",
    "I32": "int32",
    "U32": "uint32",
    "I64": "int64",
    "U64": "uint64",
    "F16": "float16",
    "F32": "float32",
    "F64": "float64",
}
_ITEMSIZE = {k: np.dtype(v).itemsize for k, v in _ST_DTYPES.items()} | {"BF16": 2}
_MAX_HEADER = 100 * 1024 * 1024  # the limit safetensors itself enforces


class CheckpointError(ValueError):
    """A checkpoint file that cannot be loaded: truncated, corrupt, not safetensors, or not
    matching the model it is loaded into. The message names the file and the problem.

    Example:
        >>> import io
        >>> from chainrule.io import load, CheckpointError
        >>> try:
        ...     load(io.BytesIO(b"hello"))
        ... except CheckpointError as e:
        ...     print(e)
        <BytesIO>: file is too short (5 bytes) to be a safetensors checkpoint (empty or truncated)
    """


def _safetensors_numpy() -> Any:
    try:
        import safetensors.numpy as stnp
    except ImportError as e:  # pragma: no cover - safetensors is installed in the test env
        raise ImportError(
            "chainrule.io needs the 'safetensors' package to save and load checkpoints: "
            "pip install safetensors  (or: pip install 'chainrule[io]')"
        ) from e
    return stnp


def _name(path: Any) -> str:
    if isinstance(path, (str, os.PathLike)):
        return os.fspath(path)
    return getattr(path, "name", None) or f"<{type(path).__name__}>"


# -- encoding ------------------------------------------------------------------------------------
class _Encoder:
    """Turns a nested object into (JSON structure, {key: array})."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._seen: dict[int, str] = {}  # id(tensor) -> key: a tensor saved twice is stored once
        self._alive: list[Any] = []

    def _key(self, where: str) -> str:
        key = where or "tensor"
        if key in self.arrays:
            n = 1
            while f"{key}__{n}" in self.arrays:
                n += 1
            key = f"{key}__{n}"
        return key

    def _array(self, obj: Any, arr: Any, where: str, marker: str) -> dict[str, str]:
        key = self._seen.get(id(obj))
        if key is None:
            arr = to_numpy(arr)
            if not arr.flags.c_contiguous:  # (np.ascontiguousarray would make 0-d arrays 1-d)
                arr = arr.copy(order="C")
            if arr.dtype not in _SAVE_DTYPES:
                raise TypeError(
                    f"save: the array at {where or '<root>'!r} has dtype {arr.dtype}, which "
                    "checkpoints do not store; expected one of "
                    f"{sorted(str(d) for d in _SAVE_DTYPES)}"
                )
            key = self._key(where)
            self.arrays[key] = arr
            self._seen[id(obj)] = key
            self._alive.append(obj)
        return {marker: key}

    def encode(self, obj: Any, where: str) -> Any:
        if isinstance(obj, Tensor):
            return self._array(obj, obj._data, where, _T)
        if isinstance(obj, np.ndarray):
            return self._array(obj, obj, where, _A)
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, list):
            return [self.encode(v, _join(where, i)) for i, v in enumerate(obj)]
        if isinstance(obj, tuple):
            return {_TUPLE: [self.encode(v, _join(where, i)) for i, v in enumerate(obj)]}
        if isinstance(obj, Mapping):
            plain = all(isinstance(k, str) for k in obj) and not (
                len(obj) == 1 and _MARKERS & set(obj)
            )
            if plain:
                return {k: self.encode(v, _join(where, k)) for k, v in obj.items()}
            items = []
            for k, v in obj.items():
                if isinstance(k, np.generic):
                    k = k.item()
                if not (k is None or isinstance(k, (bool, int, float, str))):
                    raise TypeError(
                        f"save: dict keys must be strings, numbers, booleans or None; "
                        f"got a key of type {type(k).__name__} at {where or '<root>'!r}"
                    )
                items.append([k, self.encode(v, _join(where, k))])
            return {_DICT: items}
        raise TypeError(
            f"save: cannot store an object of type {type(obj).__name__} at {where or '<root>'!r}. "
            "Checkpoints hold tensors, NumPy arrays, numbers, strings, booleans, None, lists, "
            "tuples and dicts (never pickle); save a module or optimizer through its state_dict()"
        )


def _join(where: str, key: Any) -> str:
    return f"{where}.{key}" if where else str(key)


# -- decoding ------------------------------------------------------------------------------------
def _decode(node: Any, arrays: dict[str, np.ndarray], made: dict[str, Any], fname: str) -> Any:
    if isinstance(node, list):
        return [_decode(v, arrays, made, fname) for v in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        ((marker, value),) = node.items()
        if marker in (_T, _A):
            if not isinstance(value, str) or value not in arrays:
                raise CheckpointError(
                    f"{fname}: corrupt checkpoint: the structure refers to tensor {value!r}, "
                    "which is not in the file"
                )
            key = (marker, value)
            if key not in made:
                arr = arrays[value]
                made[key] = Tensor._wrap(arr) if marker == _T else arr
            return made[key]
        if marker == _TUPLE:
            return tuple(_decode(v, arrays, made, fname) for v in value)
        if marker == _DICT:
            return {
                (tuple(k) if isinstance(k, list) else k): _decode(v, arrays, made, fname)
                for k, v in value
            }
    return {k: _decode(v, arrays, made, fname) for k, v in node.items()}


# -- header checks -------------------------------------------------------------------------------
def _not_safetensors_hint(data: bytes) -> str:
    if data[:4] == b"PK\x03\x04":
        return (
            "it is a zip archive, probably a PyTorch torch.save() checkpoint (pickle), which "
            "chainrule never loads because unpickling can run code; in PyTorch, convert it with "
            "safetensors.torch.save_file(state_dict, 'model.safetensors')"
        )
    if data[:1] == b"\x80":
        return "it looks like a Python pickle, which chainrule never loads (it can run code)"
    if data[:6] == b"\x93NUMPY":
        return "it is a NumPy .npy file; load it with numpy.load"
    return "it is not a safetensors file"


def _parse_header(data: bytes, fname: str) -> tuple[dict[str, Any], int]:
    size = len(data)
    if size < 8:
        raise CheckpointError(
            f"{fname}: file is too short ({size} bytes) to be a safetensors checkpoint "
            "(empty or truncated)"
        )
    (n,) = struct.unpack("<Q", data[:8])
    if n > _MAX_HEADER or 8 + n > size:
        if n <= _MAX_HEADER and data[8:9] in (b"{", b""):
            raise CheckpointError(
                f"{fname}: file is truncated: its header says {n} bytes of header but the file "
                f"has only {size - 8} bytes after the length field"
            )
        raise CheckpointError(f"{fname}: cannot read checkpoint: {_not_safetensors_hint(data)}")
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except RecursionError:
        raise CheckpointError(
            f"{fname}: corrupt checkpoint: the header's JSON is nested too deeply"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        if data[8:9] != b"{":
            raise CheckpointError(
                f"{fname}: cannot read checkpoint: {_not_safetensors_hint(data)}"
            ) from None
        raise CheckpointError(
            f"{fname}: corrupt checkpoint: the header is not valid JSON ({e})"
        ) from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{fname}: corrupt checkpoint: the header is not a JSON object")
    body = size - 8 - n
    end = 0
    for key, info in header.items():
        if key == "__metadata__":
            if info is not None and not (
                isinstance(info, dict) and all(isinstance(v, str) for v in info.values())
            ):
                raise CheckpointError(
                    f"{fname}: corrupt checkpoint: __metadata__ must map strings to strings"
                )
            continue
        try:
            dtype, shape, (lo, hi) = info["dtype"], info["shape"], info["data_offsets"]
            ok = isinstance(dtype, str) and _is_int(lo) and _is_int(hi) and isinstance(shape, list)
            ok = ok and 0 <= lo <= hi and all(_is_int(s) and s >= 0 for s in shape)
        except (TypeError, KeyError, ValueError):
            ok = False
        if not ok:
            raise CheckpointError(f"{fname}: corrupt checkpoint: bad header entry for {key!r}")
        itemsize = _ITEMSIZE.get(dtype)
        # Python ints: a shape of 2**63 or more must be an error, not an OverflowError
        nbytes = None if itemsize is None else math.prod(shape) * itemsize
        if nbytes is not None and nbytes != hi - lo:
            raise CheckpointError(
                f"{fname}: corrupt checkpoint: tensor {key!r} of dtype {dtype} and shape {shape} "
                f"needs {nbytes} bytes, the header gives it {hi - lo}"
            )
        if hi > body:
            raise CheckpointError(
                f"{fname}: file is truncated: tensor {key!r} needs bytes {lo}..{hi} of the data "
                f"section, but only {body} bytes are present"
            )
        end = max(end, hi)
    if end != body:
        raise CheckpointError(
            f"{fname}: corrupt checkpoint: the tensors cover {end} bytes but the data section "
            f"has {body} bytes"
        )
    return header, 8 + n


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)  # JSON true is no size


def _bf16_to_f32(raw: Any, shape: list[int]) -> np.ndarray:
    bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
    return bits.view(np.float32).reshape(shape)


def _deserialize(data: bytes, fname: str) -> dict[str, tuple[str, list[int], bytearray]]:
    """Every tensor's (dtype, shape, bytes), parsed and validated by safetensors itself, so a
    file is accepted exactly when safetensors accepts it (offsets that overlap, leave gaps or
    run past the end, sizes that overflow, unknown dtypes...), whatever its dtypes."""
    _safetensors_numpy()  # the install hint when safetensors is missing
    from safetensors import deserialize

    try:
        items = deserialize(data)
    except Exception as e:  # safetensors raises its own SafetensorError
        msg = str(e).replace("Error while deserializing: ", "")
        raise CheckpointError(f"{fname}: corrupt checkpoint: {msg}") from None
    return {k: (v["dtype"], list(v["shape"]), v["data"]) for k, v in items}


def _hashes(meta: dict[str, str], fname: str) -> dict[str, str] | None:
    raw = meta.get(SHA256_KEY)
    if raw is None:
        return None  # written by PyTorch / safetensors / an older chainrule: nothing to verify
    try:
        hashes = json.loads(raw)
        ok = isinstance(hashes, dict) and all(isinstance(v, str) for v in hashes.values())
    except (json.JSONDecodeError, RecursionError):
        ok = False
    if not ok:
        raise CheckpointError(f"{fname}: corrupt checkpoint: its {SHA256_KEY} metadata is damaged")
    return hashes


def _verify(fname: str, what: str, raw: Any, expected: str | None) -> None:
    if expected is None:
        raise CheckpointError(f"{fname}: corrupt checkpoint: {what} has no SHA-256 checksum")
    if hashlib.sha256(raw).hexdigest() != expected:
        raise CheckpointError(
            f"{fname}: corrupt checkpoint: {what} fails its SHA-256 check (the file was damaged "
            "after it was written)"
        )


def _read_arrays(data: bytes, header: dict[str, Any], start: int, fname: str) -> dict[str, Any]:
    """Decode every tensor (checking its SHA-256 when the file carries them): bfloat16 (which
    NumPy lacks) widened to float32, unsigned 16/32-bit widened to int64 (chainrule has no
    such dtypes)."""
    tensors = _deserialize(data, fname)
    hashes = _hashes(header.get("__metadata__") or {}, fname)
    if hashes is not None:
        for k in hashes:
            if k not in tensors:
                raise CheckpointError(
                    f"{fname}: corrupt checkpoint: tensor {k!r} has a checksum but is not in "
                    "the file"
                )
    out: dict[str, Any] = {}
    for k in (k for k in header if k != "__metadata__"):  # file header order
        dtype, shape, raw = tensors[k]
        if hashes is not None:
            _verify(fname, f"tensor {k!r}", raw, hashes.get(k))
        if dtype == "BF16":
            arr = _bf16_to_f32(raw, shape)
        elif dtype in _ST_DTYPES:
            arr = np.frombuffer(raw, np.dtype(_ST_DTYPES[dtype]).newbyteorder("<")).reshape(shape)
            if not arr.dtype.isnative:  # big-endian hosts
                arr = arr.astype(arr.dtype.newbyteorder("="))
        else:
            raise CheckpointError(
                f"{fname}: tensor {k!r} has dtype {dtype}, which chainrule cannot represent"
            )
        if not arr.flags.writeable:  # older safetensors return bytes, not bytearrays
            arr = arr.copy()
        if arr.dtype in (np.dtype("uint16"), np.dtype("uint32")):
            arr = arr.astype(np.int64)
        elif arr.dtype == np.dtype("uint64"):
            raise CheckpointError(f"{fname}: tensor {k!r} has dtype uint64, which chainrule lacks")
        out[k] = arr
    return out


def _le_bytes(arr: np.ndarray) -> memoryview:
    """The bytes safetensors stores for ``arr`` (little-endian, C order)."""
    if arr.dtype.byteorder == ">" or (arr.dtype.byteorder == "=" and not np.little_endian):
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    return memoryview(np.ascontiguousarray(arr).reshape(-1).view(np.uint8))


# -- public API ----------------------------------------------------------------------------------
def save(obj: Any, f: PathLike | IO[bytes]) -> None:
    """Save ``obj`` (a state dict, or nested dicts/lists/tuples of tensors, NumPy arrays and
    JSON-able values) to ``f`` in the safetensors format, atomically. Never uses pickle.

    ``f`` is a path (written atomically: temp file in the same directory, fsync, rename) or a
    binary file object opened for writing.

    Example:
        >>> import os, tempfile, chainrule
        >>> from chainrule.io import save, load
        >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors")
        >>> save({"w": chainrule.ones(2), "epoch": 3, "betas": (0.9, 0.999)}, path)
        >>> ck = load(path)
        >>> ck["w"].tolist(), ck["epoch"], ck["betas"]
        ([1.0, 1.0], 3, (0.9, 0.999))
    """
    stnp = _safetensors_numpy()
    enc = _Encoder()
    root = enc.encode(obj, "")
    structure = json.dumps({"root": root}, separators=(",", ":"))
    hashes = {k: hashlib.sha256(_le_bytes(a)).hexdigest() for k, a in enc.arrays.items()}
    meta = {
        FORMAT_KEY: FORMAT_VALUE,
        STRUCTURE_KEY: structure,
        STRUCTURE_SHA256_KEY: hashlib.sha256(structure.encode("utf-8")).hexdigest(),
        SHA256_KEY: json.dumps(hashes, separators=(",", ":")),
    }
    data = stnp.save(enc.arrays, metadata=meta)
    if isinstance(f, (str, os.PathLike)):
        _atomic_write(os.fspath(f), data)
    else:
        _write_all(f, data)
        if hasattr(f, "flush"):
            f.flush()


def load(f: PathLike | IO[bytes], map_location: Any = None) -> Any:
    """Load a checkpoint written by :func:`save` (the same nested structure back, tensors as
    :class:`~chainrule.Tensor`), or any plain safetensors file (e.g. from
    ``safetensors.torch.save_file``) as a flat ``dict`` of name -> Tensor. Never runs code.

    ``map_location`` is accepted for PyTorch compatibility and ignored (data loads to the host).
    bfloat16 tensors are widened to float32, uint16/uint32 to int64. Raises
    :class:`CheckpointError` (a ``ValueError``) naming the file for a truncated, corrupt or
    non-safetensors file.

    Example:
        >>> import io, chainrule
        >>> from chainrule.io import save, load
        >>> buf = io.BytesIO(); save({"b": chainrule.zeros(3, dtype=chainrule.int64)}, buf)
        >>> load(io.BytesIO(buf.getvalue()))["b"]
        tensor([0, 0, 0])
    """
    fname = _name(f)
    if isinstance(f, (str, os.PathLike)):
        try:
            with open(f, "rb") as fh:
                data = fh.read()
        except IsADirectoryError:
            raise CheckpointError(f"{fname}: is a directory, not a checkpoint file") from None
    else:
        data = f.read()
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"load: {fname} must be opened in binary mode ('rb')")
        data = bytes(data)
    header, start = _parse_header(data, fname)
    arrays = _read_arrays(data, header, start, fname)
    meta = header.get("__metadata__") or {}
    if meta.get(FORMAT_KEY) is None:
        return {k: Tensor._wrap(a) for k, a in arrays.items()}
    if meta[FORMAT_KEY] != FORMAT_VALUE:
        raise CheckpointError(
            f"{fname}: checkpoint format {meta[FORMAT_KEY]!r} is not supported by this version "
            f"of chainrule (expected {FORMAT_VALUE!r})"
        )
    if meta.get(STRUCTURE_SHA256_KEY) is not None and STRUCTURE_KEY in meta:
        structure = meta[STRUCTURE_KEY].encode("utf-8")
        _verify(fname, "its structure metadata", structure, meta[STRUCTURE_SHA256_KEY])
    try:
        root = json.loads(meta[STRUCTURE_KEY])["root"]
    except RecursionError:
        raise CheckpointError(
            f"{fname}: corrupt checkpoint: its structure metadata is nested too deeply"
        ) from None
    except (KeyError, TypeError, json.JSONDecodeError) as e:
        raise CheckpointError(
            f"{fname}: corrupt checkpoint: cannot read its structure metadata ({e!r})"
        ) from None
    try:
        return _decode(root, arrays, {}, fname)
    except CheckpointError:
        raise
    except RecursionError:
        raise CheckpointError(
            f"{fname}: corrupt checkpoint: its structure metadata is nested too deeply"
        ) from None
    except (TypeError, ValueError) as e:
        raise CheckpointError(
            f"{fname}: corrupt checkpoint: bad structure metadata ({e})"
        ) from None


def save_model(model: Any, f: PathLike | IO[bytes]) -> None:
    """Save ``model.state_dict()`` (flat names -> tensors, readable by
    ``safetensors.torch.load_file``), atomically.

    Example:
        >>> import os, tempfile, chainrule
        >>> from chainrule import nn
        >>> from chainrule.io import save_model, load_model
        >>> path = os.path.join(tempfile.mkdtemp(), "m.safetensors")
        >>> save_model(nn.Linear(2, 1), path)
        >>> load_model(nn.Linear(2, 1), path)
        ([], [])
    """
    save(dict(model.state_dict()), f)


def load_model(
    model: Any, f: PathLike | IO[bytes], strict: bool = True
) -> tuple[list[str], list[str]]:
    """Load a state dict saved by :func:`save_model` / :func:`save` (or by PyTorch's
    ``safetensors.torch.save_file``) into ``model``; returns ``(missing_keys, unexpected_keys)``.

    A file made for another model raises :class:`CheckpointError` naming the file and listing
    the missing and unexpected keys and the shape mismatches (``strict=False`` tolerates missing
    and unexpected keys, never shape mismatches).

    Example:
        >>> import io, chainrule
        >>> from chainrule import nn
        >>> from chainrule.io import save_model, load_model, CheckpointError
        >>> buf = io.BytesIO(); save_model(nn.Linear(3, 2), buf)
        >>> try:
        ...     load_model(nn.Linear(4, 2), io.BytesIO(buf.getvalue()))
        ... except CheckpointError as e:
        ...     print("shape" in str(e))
        True
    """
    fname = _name(f)
    sd = load(f)
    if not isinstance(sd, dict) or not all(isinstance(v, Tensor) for v in sd.values()):
        keys = list(sd) if isinstance(sd, dict) else type(sd).__name__
        raise CheckpointError(
            f"{fname}: not a model state dict (a flat dict of tensors); it holds {keys}. "
            "Use chainrule.io.load() and pass the model's part to model.load_state_dict()"
        )
    own = dict(model.state_dict())
    missing = [k for k in own if k not in sd]
    unexpected = [k for k in sd if k not in own]
    shapes = [
        f"{k}: checkpoint {tuple(sd[k].shape)} vs model {tuple(own[k].shape)}"
        for k in own
        if k in sd and tuple(sd[k].shape) != tuple(own[k].shape)
    ]
    if shapes or (strict and (missing or unexpected)):
        parts = []
        if missing:
            parts.append(f"missing keys {missing}")
        if unexpected:
            parts.append(f"unexpected keys {unexpected}")
        if shapes:
            parts.append("shape mismatches: " + "; ".join(shapes))
        raise CheckpointError(
            f"{fname}: checkpoint does not match {type(model).__name__}: " + ", ".join(parts)
        )
    model.load_state_dict({k: v for k, v in sd.items() if k in own}, strict=False)
    return missing, unexpected


# -- atomic write ----------------------------------------------------------------------------------
def _atomic_write(path: str, data: bytes) -> None:
    # ``_write_all`` is looked up at call time so tests can patch it to simulate a crash
    atomic.write_bytes(path, data, op="save", writer=lambda fh, d: _write_all(fh, d))
