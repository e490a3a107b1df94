"""Rounding: floor, ceil, round(decimals=), trunc (fix), frac.

As in PyTorch, ``floor``/``ceil``/``round``/``trunc`` of a tensor that requires grad give an
output that requires grad with a zero gradient (so ``x.floor().sum().backward()`` works and
``x.grad`` is zeros), and ``frac`` (``x - trunc(x)``) has gradient 1. Integer and bool tensors
are returned unchanged (a copy), as PyTorch does.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.tensor import Tensor

_wrap = Tensor._wrap


@primitive
class Round(Function):
    """A piecewise-constant rounding function (``mode`` names it); its gradient is zero."""

    def forward(self, a, mode, decimals=0):
        if mode == "round":
            return np.round(a, decimals)
        return _UFUNCS[mode](a)

    def backward(self, g):
        return _wrap(np.zeros_like(g._data))

    def vjp(self, g):
        return np.zeros_like(g)


_UFUNCS = {"floor": np.floor, "ceil": np.ceil, "trunc": np.trunc}


def _rounded(input: Tensor, mode: str, decimals: int = 0) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{mode}: expected a Tensor, got {type(input).__name__}")
    if input._data.dtype.kind != "f":
        if mode == "round" and decimals < 0:
            return _wrap(np.round(input._data, decimals))
        return _wrap(input._data.copy())
    return Round.apply(input, mode=mode, decimals=decimals)


@register("floor")
def floor(input: Tensor) -> Tensor:
    """Largest integer <= x, elementwise (zero gradient).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-1.5, 0.5, 2.0]).floor().tolist()
        [-2.0, 0.0, 2.0]
    """
    return _rounded(input, "floor")


@register("ceil")
def ceil(input: Tensor) -> Tensor:
    """Smallest integer >= x, elementwise (zero gradient).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-1.5, 0.5, 2.0]).ceil().tolist()
        [-1.0, 1.0, 2.0]
    """
    return _rounded(input, "ceil")


@register("round")
def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Round to ``decimals`` decimal places, halves to even as PyTorch (zero gradient).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([0.5, 1.5, 2.25]).round().tolist()
        [0.0, 2.0, 2.0]
        >>> chainrule.tensor([1.2345], dtype=chainrule.float64).round(decimals=2).tolist()
        [1.23]
    """
    if not isinstance(decimals, (int, np.integer)) or isinstance(decimals, bool):
        raise TypeError(f"round: decimals must be an int, got {type(decimals).__name__}")
    return _rounded(input, "round", int(decimals))


@register("trunc", aliases=("fix",))
def trunc(input: Tensor) -> Tensor:
    """Round toward zero, elementwise (zero gradient); ``fix`` is the same op.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-1.7, 1.7]).trunc().tolist()
        [-1.0, 1.0]
    """
    return _rounded(input, "trunc")


@register("frac")
def frac(input: Tensor) -> Tensor:
    """Fractional part ``x - trunc(x)`` (keeps the sign of x); gradient 1.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-1.25, 2.5]).frac().tolist()
        [-0.25, 0.5]
    """
    if input._data.dtype.kind != "f":
        raise TypeError(f"frac: expected a floating-point tensor, got dtype {input.dtype}")
    return input - Round.apply(input, mode="trunc")
