"""Comparisons and logical ops. They return bool tensors and record nothing (no gradient)."""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.ops._util import binary_operands
from chainrule.autograd.ops.registry import register
from chainrule.autograd.tensor import Tensor

_wrap = Tensor._wrap


def _cmp(name: str, ufunc: Any, operator: str, doc: str) -> None:
    def fn(input: Any, other: Any) -> Tensor:
        a, b = binary_operands(input, other, name)
        try:
            return _wrap(ufunc(a._data, b._data))
        except ValueError:
            raise ValueError(
                f"{name}: shapes {a.shape} and {b.shape} cannot be broadcast together"
            ) from None

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    register(name, operators=(operator,), differentiable=False)(fn)


_cmp(
    "eq",
    np.equal,
    "__eq__",
    "Elementwise ``==``.\n\nExample:\n    >>> import chainrule\n"
    "    >>> (chainrule.arange(3) == 1).tolist()\n    [False, True, False]\n",
)
_cmp(
    "ne",
    np.not_equal,
    "__ne__",
    "Elementwise ``!=``.\n\nExample:\n    >>> import chainrule\n"
    "    >>> (chainrule.arange(2) != 1).tolist()\n    [True, False]\n",
)
_cmp(
    "lt",
    np.less,
    "__lt__",
    "Elementwise ``<``.\n\nExample:\n    >>> import chainrule\n"
    "    >>> (chainrule.arange(2) < 1).tolist()\n    [True, False]\n",
)
_cmp(
    "le",
    np.less_equal,
    "__le__",
    "Elementwise ``<=``.\n\nExample:\n    >>> import chainrule\n"
    "    >>> (chainrule.arange(2) <= 1).tolist()\n    [True, True]\n",
)
_cmp(
    "gt",
    np.greater,
    "__gt__",
    "Elementwise ``>``.\n\nExample:\n    >>> import chainrule\n"
    "    >>> (chainrule.arange(2) > 0).tolist()\n    [False, True]\n",
)
_cmp(
    "ge",
    np.greater_equal,
    "__ge__",
    "Elementwise ``>=``.\n\nExample:\n"
    "    >>> import chainrule\n    >>> (chainrule.arange(2) >= 1).tolist()\n    [False, True]\n",
)


def _logical(name: str, ufunc: Any, operator: str | None, doc: str) -> None:
    def fn(input: Any, other: Any) -> Tensor:
        a = input._data if isinstance(input, Tensor) else np.asarray(input)
        b = other._data if isinstance(other, Tensor) else np.asarray(other)
        if operator is not None and (a.dtype != np.bool_ or b.dtype != np.bool_):
            bit = {"__and__": np.bitwise_and, "__or__": np.bitwise_or, "__xor__": np.bitwise_xor}[
                operator
            ]
            return _wrap(bit(a, b))
        return _wrap(ufunc(a, b))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    register(name, operators=(operator,) if operator else (), differentiable=False)(fn)


_logical(
    "logical_and",
    np.logical_and,
    "__and__",
    "Elementwise and (``&`` on bool tensors).\n\nExample:\n    >>> import chainrule\n"
    "    >>> t = chainrule.tensor([True, False])\n    >>> (t & True).tolist()\n"
    "    [True, False]\n",
)
_logical(
    "logical_or",
    np.logical_or,
    "__or__",
    "Elementwise or (``|`` on bool tensors).\n\nExample:\n    >>> import chainrule\n"
    "    >>> t = chainrule.tensor([True, False])\n    >>> (t | False).tolist()\n"
    "    [True, False]\n",
)
_logical(
    "logical_xor",
    np.logical_xor,
    "__xor__",
    "Elementwise xor (``^`` on bool tensors).\n\nExample:\n    >>> import chainrule\n"
    "    >>> t = chainrule.tensor([True, False])\n    >>> (t ^ True).tolist()\n"
    "    [False, True]\n",
)


@register("logical_not", operators=("__invert__",), differentiable=False)
def logical_not(input: Tensor) -> Tensor:
    """Elementwise not (``~`` on bool tensors).

    Example:
        >>> import chainrule
        >>> (~chainrule.tensor([True, False])).tolist()
        [False, True]
    """
    a = input._data
    return _wrap(np.logical_not(a) if a.dtype == np.bool_ else np.invert(a))


@register("isnan", differentiable=False)
def isnan(input: Tensor) -> Tensor:
    """True where the value is NaN.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([float("nan"), 1.0]).isnan().tolist()
        [True, False]
    """
    return _wrap(np.isnan(input._data))


@register("isinf", differentiable=False)
def isinf(input: Tensor) -> Tensor:
    """True where the value is +-Inf.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([float("inf"), 1.0]).isinf().tolist()
        [True, False]
    """
    return _wrap(np.isinf(input._data))


@register("isfinite", differentiable=False)
def isfinite(input: Tensor) -> Tensor:
    """True where the value is neither NaN nor Inf.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([float("inf"), 1.0]).isfinite().tolist()
        [False, True]
    """
    return _wrap(np.isfinite(input._data))


@register("isclose", differentiable=False)
def isclose(
    input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """Elementwise ``|a - b| <= atol + rtol * |b|``.

    Example:
        >>> import chainrule
        >>> chainrule.isclose(chainrule.ones(1), chainrule.ones(1) + 1e-9).tolist()
        [True]
    """
    a, b = binary_operands(input, other, "isclose")
    return _wrap(np.isclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


@register("allclose", differentiable=False)
def allclose(
    input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """True when every element is close (see ``isclose``); returns a Python bool.

    Example:
        >>> import chainrule
        >>> chainrule.allclose(chainrule.ones(2), chainrule.ones(2))
        True
    """
    a, b = binary_operands(input, other, "allclose")
    return bool(np.allclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


@register("equal", differentiable=False)
def equal(input: Tensor, other: Tensor) -> bool:
    """True when both tensors have the same shape and elements.

    Example:
        >>> import chainrule
        >>> chainrule.equal(chainrule.ones(2), chainrule.ones(2))
        True
    """
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))
