"""Helpers shared by the op families: turning scalars into tensors and dtype promotion."""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt

_wrap = Tensor._wrap


def scalar_like(value: Any, ref: Tensor) -> Tensor:
    """A 0-d tensor holding ``value`` with ``ref``'s dtype (so a Python scalar never upcasts)."""
    return _wrap(np.asarray(value, dtype=ref._data.dtype))


def as_tensor_arg(value: Any, op: str) -> Tensor:
    """Accept a Tensor, array or Python number as an op argument."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float, np.ndarray, np.generic, list, tuple)):
        return (
            Tensor(value, dtype=None)
            if not isinstance(value, (bool, int, float))
            else (
                _wrap(
                    np.asarray(
                        value,
                        dtype=_dt.get_default_dtype()
                        if isinstance(value, float)
                        else (_dt.bool_ if isinstance(value, bool) else _dt.int64),
                    )
                )
            )
        )
    raise TypeError(f"{op}: expected a Tensor or a number, got {type(value).__name__}")


def binary_operands(a: Any, b: Any, op: str) -> tuple[Tensor, Tensor]:
    """Make ``a`` and ``b`` tensors of one dtype without silently upcasting floats.

    A Python number takes the tensor's dtype (a float with an integer tensor gives the default
    float dtype). Integer/bool tensors mixed with a float tensor take the float dtype. Two
    different float dtypes are an error: convert one explicitly with ``.to(dtype)``.
    """
    ta = isinstance(a, Tensor)
    tb = isinstance(b, Tensor)
    if ta and tb:
        da, db = a._data.dtype, b._data.dtype
        if da is db or da == db:
            return a, b
        return _promote(a, b, op)
    if ta:
        b = _scalar_for(b, a, op)
        return (a, b) if b._data.dtype == a._data.dtype else _promote(a, b, op)
    if tb:
        a = _scalar_for(a, b, op)
        return (a, b) if a._data.dtype == b._data.dtype else _promote(a, b, op)
    return as_tensor_arg(a, op), as_tensor_arg(b, op)


def _scalar_for(value: Any, ref: Tensor, op: str) -> Tensor:
    if isinstance(value, (int, float, bool, np.number, np.bool_)):
        kind = ref._data.dtype.kind
        if (
            kind == "f"
            or (kind in "iu" and not isinstance(value, (float, np.floating)))
            or (kind == "b" and isinstance(value, (bool, np.bool_)))
        ):
            return _wrap(np.asarray(value, dtype=ref._data.dtype))
        # float scalar with an int/bool tensor, or int scalar with a bool tensor
        return _wrap(
            np.asarray(
                value,
                dtype=_dt.get_default_dtype()
                if isinstance(value, (float, np.floating))
                else _dt.int64,
            )
        )
    if isinstance(value, np.ndarray):
        return binary_operands(ref, Tensor._wrap(value), op)[1]
    raise TypeError(
        f"{op}: unsupported operand of type {type(value).__name__} with a Tensor of dtype "
        f"{ref.dtype}; expected a Tensor or a Python number"
    )


def _promote(a: Tensor, b: Tensor, op: str) -> tuple[Tensor, Tensor]:
    da, db = a._data.dtype, b._data.dtype
    if da.kind == "f" and db.kind == "f":
        raise TypeError(
            f"{op}: dtype mismatch {da} vs {db} (shapes {a.shape} and {b.shape}); chainrule does "
            f"not upcast silently. Convert one side explicitly, e.g. `b.to(chainrule.{da})`."
        )
    if da.kind == "f":
        return a, b.to(da)
    if db.kind == "f":
        return a.to(db), b
    target = np.promote_types(da, db)
    return (a if da == target else a.to(target)), (b if db == target else b.to(target))


def zero_cotangent_vjp(g: Any, r: Any) -> Any:
    """Array VJP guard: where the incoming gradient ``g`` is exactly 0 and the result ``r``
    (``g`` times a local derivative) is not finite (``0 * inf``, ``0 / 0``), give 0.

    Used by ops whose derivative can be infinite or undefined (div, sqrt, rsqrt, log, log1p,
    pow, exp), so that ``where(x > 0, x.sqrt(), 0)`` has a finite gradient at ``x <= 0``: the
    branch not taken sends back exact zeros, and they stay zeros. PyTorch gives NaN there. Costs
    one ``isfinite`` pass when everything is finite.
    """
    if r is None:
        return r
    fin = np.isfinite(r)
    if fin.all():
        return r
    return np.where(~fin & (g == 0), np.zeros((), r.dtype), r)


def normalize_dim(dim: int, ndim: int, op: str) -> int:
    """Turn a possibly negative ``dim`` into an index, with a clear error when out of range."""
    if not -max(ndim, 1) <= dim < max(ndim, 1):
        raise IndexError(
            f"{op}: dim {dim} is out of range for a tensor with {ndim} dimensions "
            f"(expected {-max(ndim, 1)} <= dim < {max(ndim, 1)})"
        )
    return dim % max(ndim, 1)


def normalize_dims(dim: Any, ndim: int, op: str) -> tuple[int, ...] | None:
    """``None`` (all dims), an int or a sequence of ints, as a sorted tuple of indices."""
    if dim is None:
        return None
    if isinstance(dim, (int, np.integer)):
        return (normalize_dim(int(dim), ndim, op),)
    dims = tuple(normalize_dim(int(d), ndim, op) for d in dim)
    if len(set(dims)) != len(dims):
        raise ValueError(f"{op}: dim {dim} contains a repeated dimension")
    return tuple(sorted(dims))
