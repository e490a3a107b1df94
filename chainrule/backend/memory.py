"""Allocator settings for NumPy buffers: keep freed memory in the process between steps.

A training step allocates and frees the same few-megabyte arrays (activations, im2col columns,
gradients) every iteration. With glibc's defaults each of them is a fresh ``mmap`` (or a heap
extension that is trimmed back to the OS when freed), so every step pays for ``munmap`` and a page
fault per 4 KiB page of every large array it writes. On the 2-core VMs of the benchmarks that
costs 30-40 % of a CNN or LSTM step (W2: 25 -> 16 ms, W3: 17 -> 10 ms, chainrule alone, one
thread). :func:`tune_malloc` raises glibc's mmap threshold to its maximum (32 MiB) and the trim
threshold to 256 MiB, so freed buffers are reused from the heap instead.

It runs once when chainrule is imported, on Linux with glibc only; set the environment variable
``CHAINRULE_MALLOC_TUNE=0`` before the import to keep the C library's defaults. The cost: up to
``trim_threshold`` bytes of freed memory stay mapped in the process (as with PyTorch's caching
allocators), which is the working set of the next step anyway.
"""

from __future__ import annotations

import os
import sys

__all__ = ["malloc_tuned", "tune_malloc"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_state = {"tuned": False}


def tune_malloc(mmap_threshold: int = 32 << 20, trim_threshold: int = 256 << 20) -> bool:
    """Set glibc's ``M_MMAP_THRESHOLD`` and ``M_TRIM_THRESHOLD``; return whether it applied.

    A no-op returning ``False`` off Linux/glibc. Called at import (see the module docstring).

    Example:
        >>> import chainrule
        >>> isinstance(chainrule.backend.memory.tune_malloc(), bool)
        True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        getattr(libc, "gnu_get_libc_version")  # noqa: B009  (glibc only: mallopt differs elsewhere)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    ok = bool(mallopt(_M_MMAP_THRESHOLD, int(mmap_threshold)))
    ok = bool(mallopt(_M_TRIM_THRESHOLD, int(trim_threshold))) and ok
    _state["tuned"] = ok
    return ok


def malloc_tuned() -> bool:
    """Whether :func:`tune_malloc` has applied its settings in this process.

    Example:
        >>> import chainrule
        >>> isinstance(chainrule.backend.memory.malloc_tuned(), bool)
        True
    """
    return _state["tuned"]


if os.environ.get("CHAINRULE_MALLOC_TUNE", "1") != "0":
    tune_malloc()
