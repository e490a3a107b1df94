"""Optional compiled kernels (numba) for memory-bound loops that NumPy runs as many passes.

``pip install chainrule[fast]`` installs numba; without it every op uses its NumPy code, which
computes the same numbers (the tests run both paths and compare them). numba is imported lazily,
on the first call of :func:`get` (from an op's forward), never at ``import chainrule``; each
kernel is compiled on first use per dtype/layout and cached on disk (``cache=True``), so only
the first run on a machine pays the compile time (a few seconds). Every later process still pays
~0.65 s once, at its first LSTM step (importing numba ~0.3 s, loading the cached kernels); a W3
step saves ~1-2 ms, so the kernels pay for themselves after some hundreds of steps. Set
``CHAINRULE_NUMBA=0`` for short scripts.

Where they are used: the LSTM cell (:mod:`chainrule.autograd.ops.recurrent`). A max-pooling
kernel was tried and measured 5-15x *slower* than the NumPy strided passes (per-window branches
and reductions do not vectorize in numba), so pooling stays in NumPy.

The kernels contain no transcendental functions: numba calls the scalar libm ``tanh``/``exp``
(~10 ns per element), while NumPy's own SIMD loops are ~20x faster, so ``tanh``/``exp`` stay in
NumPy and the kernels fuse the arithmetic around them.

:func:`set_enabled` switches them at run time.
"""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

__all__ = ["available", "get", "set_enabled"]

_state: dict[str, Any] = {"enabled": os.environ.get("CHAINRULE_NUMBA", "1") != "0", "k": None}


def set_enabled(flag: bool) -> bool:
    """Use (``True``) or bypass (``False``) the compiled kernels; returns the previous setting.

    Example:
        >>> from chainrule.backend import kernels
        >>> old = kernels.set_enabled(False); kernels.get() is None
        True
        >>> _ = kernels.set_enabled(old)
    """
    old = _state["enabled"]
    _state["enabled"] = bool(flag)
    return old


def available() -> bool:
    """Whether numba can be imported (the kernels may still be disabled).

    Example:
        >>> from chainrule.backend import kernels
        >>> isinstance(kernels.available(), bool)
        True
    """
    return _build() is not None


def get() -> Any:
    """The kernel namespace, or ``None`` when numba is missing or the kernels are disabled.

    Example:
        >>> from chainrule.backend import kernels
        >>> k = kernels.get()
        >>> k is None or hasattr(k, "lstm_gates")
        True
    """
    if not _state["enabled"]:
        return None
    return _build()


def _build() -> Any:
    k = _state["k"]
    if k is None:
        try:
            import numba  # noqa: F401
        except ImportError:
            k = False
        else:
            k = _compile()
        _state["k"] = k
    return k or None


def _compile() -> SimpleNamespace:  # pragma: no cover - exercised only where numba is installed
    from chainrule.backend import _numba_kernels as m

    return SimpleNamespace(lstm_gates=m.lstm_gates, lstm_out=m.lstm_out, lstm_back=m.lstm_back)
