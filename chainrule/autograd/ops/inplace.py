"""In-place methods (``add_``, ``mul_``, ``zero_``, ``fill_``, ``clamp_``, ``copy_`` ...).

They write into the tensor's array and bump its version counter, so a backward pass that
needs the old value raises instead of silently using the new one. On a tensor that requires
grad they are refused while gradients are being recorded: parameter updates belong inside
``no_grad()`` (optimizers do this).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.ops.registry import register
from chainrule.autograd.tensor import Tensor


def _value(other: Any, ref: Tensor, op: str) -> Any:
    if isinstance(other, Tensor):
        v = other._data
        if v.dtype != ref._data.dtype and v.dtype.kind == "f" and ref._data.dtype.kind == "f":
            raise TypeError(f"{op}: dtype mismatch {ref.dtype} vs {v.dtype}")
        return v
    return other


def _shape_check(op: str, ref: Tensor, v: Any) -> None:
    shp = getattr(v, "shape", ())
    if shp == ref._data.shape or shp == ():
        return
    if np.broadcast_shapes(shp, ref.shape) != ref.shape:
        raise ValueError(
            f"{op}: a value of shape {shp} cannot be written into a tensor of shape "
            f"{ref.shape} in place"
        )


def _inplace(name: str, ufunc: Any) -> None:
    def fn(input: Tensor, other: Any, *, alpha: Any = None) -> Tensor:
        input._check_inplace(name)
        v = _value(other, input, name)
        _shape_check(name, input, v)
        if alpha is not None:
            v = v * alpha
        ufunc(input._data, v, out=input._data, casting="same_kind")
        input._bump()
        return input

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"In-place ``{ufunc.__name__}``; returns the tensor.\n\nExample:\n"
        f"    >>> import chainrule\n    >>> chainrule.ones(2).{name}(2).shape\n"
        "    (2,)\n"
    )
    register(name, differentiable=False)(fn)


_inplace("add_", np.add)
_inplace("sub_", np.subtract)
_inplace("mul_", np.multiply)
_inplace("div_", np.true_divide)


@register("pow_", differentiable=False)
def pow_(input: Tensor, exponent: Any) -> Tensor:
    """In-place power.

    Example:
        >>> import chainrule
        >>> chainrule.full((1,), 3.0).pow_(2).tolist()
        [9.0]
    """
    input._check_inplace("pow_")
    np.power(input._data, _value(exponent, input, "pow_"), out=input._data)
    input._bump()
    return input


@register("zero_", differentiable=False)
def zero_(input: Tensor) -> Tensor:
    """Fill with zeros in place.

    Example:
        >>> import chainrule
        >>> chainrule.ones(2).zero_().tolist()
        [0.0, 0.0]
    """
    return fill_(input, 0)


@register("fill_", differentiable=False)
def fill_(input: Tensor, value: Any) -> Tensor:
    """Fill with ``value`` in place.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2).fill_(3).tolist()
        [3.0, 3.0]
    """
    input._check_inplace("fill_")
    input._data[...] = value._data if isinstance(value, Tensor) else value
    input._bump()
    return input


@register("clamp_", aliases=("clip_",), differentiable=False)
def clamp_(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Clamp in place.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-2.0, 2.0]).clamp_(-1, 1).tolist()
        [-1.0, 1.0]
    """
    input._check_inplace("clamp_")
    lo = min._data if isinstance(min, Tensor) else min
    hi = max._data if isinstance(max, Tensor) else max
    np.clip(input._data, lo, hi, out=input._data)
    input._bump()
    return input


@register("copy_", differentiable=False)
def copy_(input: Tensor, src: Any) -> Tensor:
    """Copy ``src``'s values into this tensor in place (broadcasting, casting to this dtype).

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2).copy_(chainrule.ones(2)).tolist()
        [1.0, 1.0]
    """
    input._check_inplace("copy_")
    v = src._data if isinstance(src, Tensor) else np.asarray(src)
    _shape_check("copy_", input, v)
    np.copyto(input._data, v, casting="unsafe")
    input._bump()
    return input


@register("uniform_", differentiable=False)
def uniform_(input: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill in place with samples from U(a, b) drawn from the seeded global generator.

    Example:
        >>> import chainrule
        >>> bool((chainrule.zeros(3).uniform_(2, 3) >= 2).all())
        True
    """
    from chainrule.backend import default_generator

    input._check_inplace("uniform_")
    g = generator or default_generator()
    input._data[...] = g.uniform(a, b, size=input.shape).astype(input.dtype)
    input._bump()
    return input


@register("normal_", differentiable=False)
def normal_(input: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    """Fill in place with samples from N(mean, std**2) drawn from the seeded global generator.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(1000).normal_(0, 0.1).std().item() < 0.2
        True
    """
    from chainrule.backend import default_generator

    input._check_inplace("normal_")
    g = generator or default_generator()
    input._data[...] = (g.standard_normal(size=input.shape) * std + mean).astype(input.dtype)
    input._bump()
    return input


def _augmented(name: str, inplace_name: str, out_of_place: str) -> None:
    def fn(input: Tensor, other: Any) -> Tensor:
        from chainrule.autograd.grad_mode import state

        if input.requires_grad and state.grad_enabled:
            # Recorded graph: compute out of place and let Python rebind the name (PyTorch
            # would write in place; the value seen through this name is the same).
            return getattr(input, out_of_place)(other)
        return getattr(input, inplace_name)(other)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"``x {name[2:-2]}= y``: in place (``{inplace_name}``) when no gradient is being recorded "
        "for ``x``, otherwise out of place.\n\nExample:\n    >>> import chainrule\n"
        "    >>> x = chainrule.ones(2); x += 1; x.tolist()\n    [2.0, 2.0]\n"
    )
    register(name, differentiable=False)(fn)


_augmented("__iadd__", "add_", "__add__")
_augmented("__isub__", "sub_", "__sub__")
_augmented("__imul__", "mul_", "__mul__")
_augmented("__itruediv__", "div_", "__truediv__")
