"""dtype conversion: ``to``, ``float``, ``double``, ``half``, ``long``, ``int``, ``bool``."""

from __future__ import annotations

from typing import Any

from chainrule.autograd.ops.elementwise import Cast
from chainrule.autograd.ops.registry import register
from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt


def parse_to_args(op: str, args: tuple, kwargs: dict) -> tuple[Any, Any, bool]:
    """Read PyTorch's ``to(...)`` call forms into ``(device, dtype, copy)``:
    ``to(dtype)``, ``to(device, dtype=None)``, ``to(other_tensor)`` (its device and dtype), each
    with optional ``non_blocking=`` and ``copy=`` (positional too), and ``memory_format=``.
    Shared by ``Tensor.to`` and ``Module.to``.

    Example:
        >>> import chainrule
        >>> parse_to_args("to", ("cpu", chainrule.float64), {})
        ('cpu', dtype('float64'), False)
    """
    from chainrule.backend.device import _TYPES, device

    kw = dict(kwargs)
    dev = kw.pop("device", None)
    dtype = kw.pop("dtype", None)
    kw.pop("non_blocking", None)
    kw.pop("memory_format", None)
    copy = bool(kw.pop("copy", False))
    if kw:
        raise TypeError(f"{op}() got unexpected keyword arguments {sorted(kw)}")
    rest = list(args)
    if rest:
        a = rest.pop(0)
        if isinstance(a, Tensor):
            dev, dtype = a.device, a.dtype
        elif isinstance(a, device) or (isinstance(a, int) and not isinstance(a, bool)):
            dev = a
        elif isinstance(a, str) and a.partition(":")[0] in _TYPES:
            dev = a
        else:
            dtype = a
        if rest and dev is not None and not isinstance(a, Tensor) and not isinstance(rest[0], bool):
            dtype = rest.pop(0)
        flags = [bool(r) for r in rest]
        if len(flags) > 2 or any(not isinstance(r, bool) for r in rest):
            raise TypeError(f"{op}(): unexpected positional arguments {tuple(args)}")
        if len(flags) == 2:
            copy = flags[1]
    return dev, dtype, copy


@register("to")
def to(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Convert to another dtype and/or device, as PyTorch's ``Tensor.to``: ``x.to(dtype)``,
    ``x.to("cpu")``, ``x.to(device, dtype)``, ``x.to(other)``; ``non_blocking=`` and
    ``copy=`` are accepted. Only the CPU exists: another device raises a clear error.
    Gradients flow through float-to-float conversions.

    Example:
        >>> import chainrule
        >>> chainrule.ones(2).to(chainrule.float64).dtype
        dtype('float64')
        >>> chainrule.ones(2).to("cpu", chainrule.float64, non_blocking=True).dtype
        dtype('float64')
    """
    from chainrule.backend.device import check_device

    dev, target, copy = parse_to_args("to", args, kwargs)
    check_device(dev, "to")
    if target is None:
        return input.clone() if copy else input
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
