"""Bitwise ops on integer and bool tensors: ``bitwise_and/or/xor/not``, the shifts, and the
operators ``& | ^ ~ << >>`` with their reflected forms (the in-place ``&=`` ... come from the
``*_`` methods, see aliases.py).

As in PyTorch, a floating-point operand is an error (``NotImplementedError``; ``~`` of a float
tensor is a ``TypeError``); bool ``&``/``|``/``^`` stay bool. A shift by at least the bit width
gives 0 (left) or the sign fill (right), as PyTorch does, not NumPy's wrapped shift count.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.ops._util import binary_operands
from chainrule.autograd.ops.registry import register
from chainrule.autograd.tensor import Tensor

_wrap = Tensor._wrap


def _dtype_name(dt: np.dtype) -> str:
    names = {np.float16: "Half", np.float32: "Float", np.float64: "Double", np.bool_: "Bool"}
    return names.get(dt.type, str(dt))


def _int_operands(input: Any, other: Any, op: str, allow_bool: bool = True) -> tuple:
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{op}: expected at least one Tensor, got {type(input).__name__}")
    a, b = binary_operands(input, other, op)
    for t in (a, b):
        k = t._data.dtype.kind
        if k not in "iub" or (k == "b" and not allow_bool):
            raise NotImplementedError(
                f"{op}: not implemented for dtype {_dtype_name(t._data.dtype)} (operand shapes "
                f"{a.shape} and {b.shape}); bitwise ops take integer or bool tensors"
            )
    return a._data, b._data


def _broadcast(ufunc: Any, a: Any, b: Any, op: str) -> Any:
    try:
        return ufunc(a, b)
    except ValueError:
        raise ValueError(
            f"{op}: shapes {np.shape(a)} and {np.shape(b)} cannot be broadcast together"
        ) from None


def _bitwise(name: str, ufunc: Any, operator: str, symbol: str) -> None:
    def fn(input: Any, other: Any) -> Tensor:
        a, b = _int_operands(input, other, name)
        return _wrap(_broadcast(ufunc, a, b, name))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"Elementwise bitwise ``{symbol}`` of integer/bool tensors (operator ``{symbol}``).\n\n"
        "Example:\n    >>> import chainrule\n"
        f"    >>> chainrule.{name}(chainrule.tensor([12]), chainrule.tensor([10])).tolist()\n"
        f"    [{int(ufunc(12, 10))}]\n"
    )
    fn.__annotations__ = {"input": "Any", "other": "Any", "return": "Tensor"}
    register(name, operators=(operator,), differentiable=False)(fn)


_bitwise("bitwise_and", np.bitwise_and, "__and__", "&")
_bitwise("bitwise_or", np.bitwise_or, "__or__", "|")
_bitwise("bitwise_xor", np.bitwise_xor, "__xor__", "^")


@register("bitwise_not", operators=("__invert__",), differentiable=False)
def bitwise_not(input: Tensor) -> Tensor:
    """Elementwise bitwise not (``~``): logical not on bool tensors.

    Example:
        >>> import chainrule
        >>> (~chainrule.tensor([0, 5])).tolist(), (~chainrule.tensor([True])).tolist()
        ([-1, -6], [False])
    """
    a = input._data
    if a.dtype.kind not in "iub":
        raise TypeError(
            f"~ (bitwise_not) is only implemented on integer and Boolean-type tensors, got "
            f"dtype {_dtype_name(a.dtype)} (shape {input.shape})"
        )
    return _wrap(np.logical_not(a) if a.dtype == np.bool_ else np.invert(a))


def _shift(a: np.ndarray, b: np.ndarray, left: bool, op: str) -> np.ndarray:
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        raise NotImplementedError(f"{op}: not implemented for dtype Bool")
    dt = np.promote_types(a.dtype, b.dtype)
    if dt == np.bool_:
        dt = np.dtype(np.int64)
    a, b = a.astype(dt, copy=False), b.astype(dt, copy=False)
    bits = dt.itemsize * 8
    big = b >= bits  # NumPy wraps the count; PyTorch gives 0 / the sign fill
    safe = np.where(big, 0, b) if np.any(big) else b
    out = _broadcast(np.left_shift if left else np.right_shift, a, safe, op)
    if np.any(big):
        fill = np.zeros((), dt) if left else np.where(a < 0, -1, 0).astype(dt)
        out = np.where(big, fill, out).astype(dt)
    return out


@register("bitwise_left_shift", differentiable=False)
def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    """``input << other`` on integer tensors (bits shifted out are lost).

    Example:
        >>> import chainrule
        >>> (chainrule.tensor([1, 3]) << 2).tolist()
        [4, 12]
    """
    a, b = _int_operands(input, other, "bitwise_left_shift")
    return _wrap(_shift(a, b, True, "bitwise_left_shift"))


@register("bitwise_right_shift", differentiable=False)
def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    """``input >> other`` on integer tensors (arithmetic shift: the sign is kept).

    Example:
        >>> import chainrule
        >>> (chainrule.tensor([-8, 12]) >> 2).tolist()
        [-2, 3]
    """
    a, b = _int_operands(input, other, "bitwise_right_shift")
    return _wrap(_shift(a, b, False, "bitwise_right_shift"))


@register("__rlshift__", method="__rlshift__", differentiable=False, export=False)
def __rlshift__(input: Tensor, other: Any) -> Tensor:
    """``other << input`` (a Python number on the left).

    Example:
        >>> import chainrule
        >>> (1 << chainrule.tensor([3])).tolist()
        [8]
    """
    return bitwise_left_shift(other, input)


@register("__rrshift__", method="__rrshift__", differentiable=False, export=False)
def __rrshift__(input: Tensor, other: Any) -> Tensor:
    """``other >> input`` (a Python number on the left).

    Example:
        >>> import chainrule
        >>> (64 >> chainrule.tensor([3])).tolist()
        [8]
    """
    return bitwise_right_shift(other, input)
