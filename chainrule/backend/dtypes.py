"""dtypes: PyTorch-style names for NumPy dtypes, the default dtype and dtype parsing."""

from __future__ import annotations

from typing import Union

import numpy as np

float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int8 = np.dtype("int8")
int16 = np.dtype("int16")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")

DTypeLike = Union[np.dtype, type, str, None]  # noqa: UP007 (a runtime alias on 3.10)

_ALIASES = {
    "float": float32,
    "float32": float32,
    "double": float64,
    "float64": float64,
    "half": float16,
    "float16": float16,
    "int": int64,
    "long": int64,
    "int64": int64,
    "int32": int32,
    "int16": int16,
    "int8": int8,
    "uint8": uint8,
    "bool": bool_,
}
_SUPPORTED = frozenset(_ALIASES.values())

_default_dtype = float32


def get_default_dtype() -> np.dtype:
    """Return the dtype that float data gets when none is given (float32 unless changed).

    Example:
        >>> get_default_dtype()
        dtype('float32')
    """
    return _default_dtype


def set_default_dtype(dtype: DTypeLike) -> None:
    """Set the default floating dtype (``float32`` or ``float64``; ``float16`` for experiments).

    Example:
        >>> set_default_dtype("float64"); set_default_dtype("float32")
    """
    global _default_dtype
    d = to_dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"set_default_dtype: expected a floating dtype, got {d}")
    _default_dtype = d


def to_dtype(dtype: DTypeLike) -> np.dtype:
    """Turn a dtype given as a name, a NumPy dtype or a Python type into a supported ``np.dtype``.

    Example:
        >>> to_dtype("float64"), to_dtype(bool)
        (dtype('float64'), dtype('bool'))
    """
    if dtype is None:
        return _default_dtype
    if isinstance(dtype, str):
        key = dtype.removeprefix("torch.").removeprefix("chainrule.")
        if key in _ALIASES:
            return _ALIASES[key]
        raise TypeError(f"unknown dtype {dtype!r}; expected one of {sorted(_ALIASES)}")
    if dtype is float:
        return _default_dtype
    if dtype is int:
        return int64
    if dtype is bool:
        return bool_
    d = getattr(dtype, "dtype", None)
    if isinstance(d, np.dtype):
        dtype = d
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"unknown dtype {dtype!r}") from None
    if d not in _SUPPORTED:
        raise TypeError(f"dtype {d} is not supported; expected one of {sorted(_ALIASES)}")
    return d


def is_floating(dtype: np.dtype) -> bool:
    """True for floating dtypes, the only ones that can carry gradients.

    Example:
        >>> is_floating(float32), is_floating(int64)
        (True, False)
    """
    return dtype.kind == "f"
