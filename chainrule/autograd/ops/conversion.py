"""dtype conversion: ``to``, ``float``, ``double``, ``half``, ``long``, ``int``, ``bool``."""

from __future__ import annotations

from typing import Any

from chainrule.autograd.ops.elementwise import Cast
from chainrule.autograd.ops.registry import register
from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt


@register("to")
def to(input: Tensor, *args: Any, dtype: Any = None, copy: bool = False, **kwargs: Any) -> Tensor:
    """Convert to another dtype (``x.to(chainrule.float64)``); a device string ``"cpu"`` is
    accepted and ignored. Gradients flow through float-to-float conversions.

    Example:
        >>> import chainrule
        >>> chainrule.ones(2).to(chainrule.float64).dtype
        dtype('float64')
    """
    target = dtype
    for a in args:
        if isinstance(a, Tensor):
            target = a.dtype
        elif (
            isinstance(a, str)
            and a in ("cpu", "cuda")
            or (isinstance(a, str) and a.startswith("cuda:"))
        ):
            if a != "cpu":
                raise RuntimeError(f"to: device {a!r} is not available (NumPy backend only)")
        else:
            target = a
    if target is None:
        return input
    d = _dt.to_dtype(target)
    if d == input._data.dtype and not copy:
        return input
    if d.kind != "f" or not input.requires_grad:
        return Tensor._wrap(input._data.astype(d))
    return Cast.apply(input, dtype=d)


def _caster(name: str, dtype: Any) -> None:
    def fn(input: Tensor) -> Tensor:
        return to(input, dtype)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"Convert to {dtype}.\n\nExample:\n    >>> import chainrule\n"
        f"    >>> chainrule.ones(1).{name}().dtype\n    dtype('{dtype}')\n"
    )
    register(name, differentiable=False, export=False)(fn)


_caster("float", _dt.float32)
_caster("double", _dt.float64)
_caster("half", _dt.float16)
_caster("long", _dt.int64)
_caster("int", _dt.int32)
_caster("bool", _dt.bool_)


@register("type_as")
def type_as(input: Tensor, other: Tensor) -> Tensor:
    """Convert to ``other``'s dtype.

    Example:
        >>> import chainrule
        >>> chainrule.ones(1).type_as(chainrule.zeros(1, dtype=chainrule.float64)).dtype
        dtype('float64')
    """
    return to(input, other.dtype)
