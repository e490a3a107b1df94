"""Reductions built from the core ones in ``reduce.py``: std_mean, var_mean, aminmax, nansum,
nanmean, count_nonzero. All composites, so their gradients come from the primitives (aminmax
shares the gradient evenly between tied extremes, as PyTorch's).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.ops import return_types
from chainrule.autograd.ops._util import normalize_dims
from chainrule.autograd.ops.reduce import amax, amin, mean, std, sum, var
from chainrule.autograd.ops.registry import register
from chainrule.autograd.tensor import Tensor

_wrap = Tensor._wrap


def _float_only(input: Tensor, op: str) -> None:
    if input._data.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point tensor, got dtype {input.dtype}")


@register("var_mean", method=False)
def var_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    """``(var, mean)`` over ``dim`` in one call (``correction=1`` by default, as ``var``).

    Example:
        >>> import chainrule
        >>> v, m = chainrule.var_mean(chainrule.tensor([1.0, 3.0]))
        >>> v.item(), m.item()
        (2.0, 2.0)
    """
    _float_only(input, "var_mean")
    v = var(input, dim, unbiased, keepdim, correction=correction)
    return v, mean(input, dim, keepdim)


@register("std_mean", method=False)
def std_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    """``(std, mean)`` over ``dim`` in one call (``correction=1`` by default, as ``std``).

    Example:
        >>> import chainrule
        >>> s, m = chainrule.std_mean(chainrule.tensor([1.0, 3.0]), correction=0)
        >>> s.item(), m.item()
        (1.0, 2.0)
    """
    _float_only(input, "std_mean")
    s = std(input, dim, unbiased, keepdim, correction=correction)
    return s, mean(input, dim, keepdim)


@register("aminmax")
def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """``(min, max)`` over ``dim`` (all elements when None) as a named tuple ``.min``/``.max``.

    Example:
        >>> import chainrule
        >>> r = chainrule.tensor([[1.0, 4.0], [3.0, 2.0]]).aminmax(dim=0)
        >>> r.min.tolist(), r.max.tolist()
        ([1.0, 2.0], [3.0, 4.0])
    """
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"aminmax: dim must be an int or None, got {dim!r}")
    if input.numel() == 0:
        raise RuntimeError(f"aminmax: cannot reduce an empty tensor (shape {input.shape})")
    d = () if dim is None else dim
    if dim is None and keepdim:
        d = tuple(range(input.ndim))
    return return_types.aminmax(amin(input, d, keepdim), amax(input, d, keepdim))


def _nan_zeroed(input: Tensor) -> tuple[Tensor, np.ndarray]:
    nan = np.isnan(input._data)
    if not nan.any():
        return input, nan
    from chainrule.autograd.ops.elementwise import where

    return where(_wrap(~nan), input, 0.0), nan


@register("nansum")
def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum treating NaN as 0 (NaN positions get no gradient).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([1.0, float("nan"), 2.0]).nansum().item()
        3.0
    """
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        return sum(input, dim, keepdim)
    return sum(_nan_zeroed(input)[0], dim, keepdim)


@register("nanmean")
def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Mean of the non-NaN elements (NaN where all are NaN; the gradient there is 0, PyTorch's
    NaN).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([1.0, float("nan"), 2.0]).nanmean().item()
        1.5
    """
    if dtype is not None:
        input = input.to(dtype)
    _float_only(input, "nanmean")
    x, nan = _nan_zeroed(input)
    axes = normalize_dims(dim, input.ndim, "nanmean")
    count = np.sum(~nan, axis=axes, keepdims=keepdim).astype(input._data.dtype)
    return sum(x, dim, keepdim) / _wrap(count)


@register("count_nonzero", differentiable=False)
def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """Number of non-zero elements over ``dim`` (int64).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([[0.0, 1.0], [2.0, 3.0]]).count_nonzero(dim=1).tolist()
        [1, 2]
    """
    axes = normalize_dims(dim, input.ndim, "count_nonzero")
    return _wrap(np.asarray(np.count_nonzero(input._data, axis=axes), dtype=np.int64))
