"""More of PyTorch's creation functions: ``asarray``, ``scalar_tensor``, ``empty_strided``,
``range`` (deprecated in PyTorch, still used), ``logspace``, ``randint_like`` and the window
functions (``hann_window``, ``hamming_window``, ``blackman_window``, ``bartlett_window``,
``kaiser_window``) with PyTorch's ``periodic=True`` default.

Example:
    >>> import chainrule
    >>> chainrule.hann_window(4).tolist()
    [0.0, 0.5, 1.0, 0.5]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.autograd.creation import empty, randint, tensor
from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt
from chainrule.backend.device import check_device

__all__ = [
    "asarray",
    "bartlett_window",
    "blackman_window",
    "empty_strided",
    "hamming_window",
    "hann_window",
    "kaiser_window",
    "logspace",
    "randint_like",
    "range",
    "scalar_tensor",
]


def _finish(arr: np.ndarray, requires_grad: bool, device: Any, op: str) -> Tensor:
    check_device(device, op)
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def asarray(
    obj: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    copy: bool | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """``obj`` as a tensor, sharing memory with a NumPy array or tensor when it can (``copy``:
    None shares when possible, True always copies, False refuses to copy).

    Example:
        >>> import chainrule, numpy as np
        >>> a = np.zeros(2, np.float32); chainrule.asarray(a).numpy() is a
        True
    """
    from chainrule.autograd.creation import as_tensor

    check_device(device, "asarray")
    if copy:
        return tensor(obj, dtype=dtype, requires_grad=requires_grad)
    t = as_tensor(obj, dtype=dtype)
    src = obj._data if isinstance(obj, Tensor) else obj
    if copy is False and isinstance(src, np.ndarray) and t._data is not src:
        raise ValueError("asarray: copy=False but the data cannot be shared (dtype change)")
    if requires_grad:
        if t is obj:
            t = t.detach()
        t.requires_grad_(True)
    return t


def scalar_tensor(
    s: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A 0-d tensor holding ``s`` (the default float dtype unless ``dtype`` is given).

    Example:
        >>> import chainrule
        >>> chainrule.scalar_tensor(3).dtype, chainrule.scalar_tensor(3).item()
        (dtype('float32'), 3.0)
    """
    return _finish(np.asarray(s, dtype=_dt.to_dtype(dtype)), requires_grad, device, "scalar_tensor")


def empty_strided(
    size: Any,
    stride: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of ``size`` (zeros; ``stride`` is accepted, the layout is row-major).

    Example:
        >>> import chainrule
        >>> chainrule.empty_strided((2, 3), (1, 2)).shape
        (2, 3)
    """
    check_device(device, "empty_strided")
    if len(tuple(stride)) != len(tuple(size)):
        raise RuntimeError(
            f"empty_strided: mismatch in length of strides and shape ({stride} vs {size})"
        )
    return empty(tuple(size), dtype=dtype, requires_grad=requires_grad)


def range(  # noqa: A001  (PyTorch's name)
    start: Any = 0,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from ``start`` to ``end`` *inclusive* in steps of ``step``, in the default float
    dtype (PyTorch's deprecated ``torch.range``; prefer ``arange``).

    Example:
        >>> import chainrule
        >>> chainrule.range(1, 4).tolist()
        [1.0, 2.0, 3.0, 4.0]
    """
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    arr = (start + step * np.arange(max(n, 0))).astype(_dt.to_dtype(dtype))
    return _finish(arr, requires_grad, device, "range")


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` values from ``base**start`` to ``base**end``, evenly spaced in the exponent.

    Example:
        >>> import chainrule
        >>> chainrule.logspace(0, 2, 3).tolist()
        [1.0, 10.0, 100.0]
    """
    arr = np.logspace(start, end, steps, base=base).astype(_dt.to_dtype(dtype))
    return _finish(arr, requires_grad, device, "logspace")


def randint_like(
    input: Tensor,
    low: int = 0,
    high: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    generator: Any = None,
) -> Tensor:
    """Random integers in ``[low, high)`` with ``input``'s shape and dtype
    (``randint_like(x, high)`` form accepted).

    Example:
        >>> import chainrule
        >>> t = chainrule.randint_like(chainrule.zeros(2, 3), 5); t.shape, t.dtype
        ((2, 3), dtype('float32'))
    """
    check_device(device, "randint_like")
    if high is None:
        low, high = 0, low
    d = input.dtype if dtype is None else _dt.to_dtype(dtype)
    return randint(low, high, input.shape, generator=generator).to(d)


def _window(name: str, n: int, periodic: bool, dtype: Any, device: Any, rg: bool, f: Any) -> Tensor:
    if n < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={n}")
    d = _dt.to_dtype(dtype)
    if d.kind != "f":
        raise RuntimeError(f"{name} expects floating point dtypes, got: {d}")
    if n <= 1:
        return _finish(np.ones(n, dtype=d), rg, device, name)
    m = n + 1 if periodic else n
    w = f(np.arange(m, dtype=np.float64), m)[:n]
    return _finish(w.astype(d), rg, device, name)


def hann_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """The Hann window (``periodic=True``: for spectral analysis, as PyTorch's default).

    Example:
        >>> import chainrule
        >>> chainrule.hann_window(3, periodic=False).tolist()
        [0.0, 1.0, 0.0]
    """

    def f(k: np.ndarray, m: int) -> np.ndarray:
        return 0.5 - 0.5 * np.cos(2 * np.pi * k / (m - 1))

    return _window("hann_window", window_length, periodic, dtype, device, requires_grad, f)


def hamming_window(
    window_length: int,
    periodic: bool = True,
    alpha: float = 0.54,
    beta: float = 0.46,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """The Hamming window ``alpha - beta * cos(2 pi k / (N - 1))``.

    Example:
        >>> import chainrule
        >>> [round(v, 2) for v in chainrule.hamming_window(3, periodic=False).tolist()]
        [0.08, 1.0, 0.08]
    """

    def f(k: np.ndarray, m: int) -> np.ndarray:
        return alpha - beta * np.cos(2 * np.pi * k / (m - 1))

    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad, f)


def blackman_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """The Blackman window.

    Example:
        >>> import chainrule
        >>> [abs(round(v, 4)) for v in chainrule.blackman_window(3, periodic=False).tolist()]
        [0.0, 1.0, 0.0]
    """

    def f(k: np.ndarray, m: int) -> np.ndarray:
        x = 2 * np.pi * k / (m - 1)
        return 0.42 - 0.5 * np.cos(x) + 0.08 * np.cos(2 * x)

    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad, f)


def bartlett_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """The Bartlett (triangular) window.

    Example:
        >>> import chainrule
        >>> chainrule.bartlett_window(5, periodic=False).tolist()
        [0.0, 0.5, 1.0, 0.5, 0.0]
    """

    def f(k: np.ndarray, m: int) -> np.ndarray:
        return 1 - np.abs(2 * k / (m - 1) - 1)

    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad, f)


def kaiser_window(
    window_length: int,
    periodic: bool = True,
    beta: float = 12.0,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """The Kaiser window with shape parameter ``beta``.

    Example:
        >>> import chainrule
        >>> chainrule.kaiser_window(3, periodic=False, beta=0.0).tolist()
        [1.0, 1.0, 1.0]
    """

    def f(k: np.ndarray, m: int) -> np.ndarray:
        return np.i0(beta * np.sqrt(1 - (2 * k / (m - 1) - 1) ** 2)) / np.i0(beta)

    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad, f)
