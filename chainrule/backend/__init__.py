"""The array backend: which array module (``xp``) holds tensor data, dtypes, and seeded randomness.

Every array call in chainrule goes through :func:`get_array_module` (or the module-level ``np``
alias for code that only ever sees host arrays), so a CuPy backend can be added here without
touching operation code. CuPy is never imported at import time: it is looked up only when an
array that is not a NumPy array appears.
"""

from __future__ import annotations

import numpy as np

from chainrule.backend.dtypes import (
    DTypeLike,
    bool_,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    is_floating,
    set_default_dtype,
    to_dtype,
    uint8,
)
from chainrule.backend import memory  # noqa: F401  (tunes malloc at import)
from chainrule.backend.random import default_generator, get_rng_state, manual_seed, set_rng_state

__all__ = [
    "DTypeLike",
    "bool_",
    "default_generator",
    "float16",
    "float32",
    "float64",
    "get_array_module",
    "get_default_dtype",
    "get_rng_state",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_floating",
    "manual_seed",
    "set_default_dtype",
    "set_rng_state",
    "to_dtype",
    "to_numpy",
    "uint8",
]


def get_array_module(array: object):
    """Return the array module (``numpy`` or ``cupy``) that owns ``array``.

    Example:
        >>> import numpy as np
        >>> get_array_module(np.zeros(2)) is np
        True
    """
    if type(array).__module__.startswith("cupy"):  # pragma: no cover - no GPU in CI
        import cupy

        return cupy
    return np


def to_numpy(array: object) -> np.ndarray:
    """Copy ``array`` to host memory as a NumPy array (no copy for NumPy input).

    Example:
        >>> to_numpy(np.ones(2)).tolist()
        [1.0, 1.0]
    """
    if isinstance(array, np.ndarray):
        return array
    if hasattr(array, "get"):  # pragma: no cover - cupy arrays
        return array.get()
    return np.asarray(array)
