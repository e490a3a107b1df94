"""Scans along a dimension: cumprod, cummax, cummin, logcumsumexp, and diff.

``cumprod``'s gradient is exact also when the input holds zeros (the product of the *other*
factors, from the first zero of each slice on), and it is written with Tensor ops, so double
backward works. ``logcumsumexp`` is a running ``logaddexp`` (exact and finite at +-1e3, whatever
the spread of the values); its gradient uses PyTorch's stable form. ``cummax``/``cummin`` return
``(values, indices)`` (ties and NaN: the latest index, as PyTorch); the gradient goes to the
selected elements.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops import return_types
from chainrule.autograd.ops._select import select_along
from chainrule.autograd.ops._util import normalize_dim
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.tensor import Tensor

_wrap = Tensor._wrap


def _rev_cumsum(t: Tensor, axis: int) -> Tensor:
    return t.flip(axis).cumsum(axis).flip(axis)


@primitive
class Cumprod(Function):
    saves_inputs = True
    saves_output = True

    def forward(self, a, axis):
        self.axis = axis
        return np.cumprod(a, axis=axis)

    def vjp(self, g):
        x, y, ax = self.inputs[0]._data, self.out, self.axis
        zero = x == 0
        if not zero.any():
            return _rev_cumsum_a(g * y, ax) / x
        # k: position along the axis; z: the first zero of each slice (n if none)
        n = x.shape[ax]
        k = np.arange(n).reshape((n,) + (1,) * (x.ndim - 1 - ax))
        z = np.where(zero.any(axis=ax, keepdims=True), np.argmax(zero, axis=ax, keepdims=True), n)
        one = np.ones((), x.dtype)
        # before the first zero: the usual formula (the output is 0 from z on)
        x_before = np.where(k < z, x, one)
        gx = np.where(k < z, _rev_cumsum_a(g * y, ax) / x_before, 0 * one)
        # at the first zero: prod(x[:z]) * sum_{i >= z} g_i prod(x[z+1..i]); after it: 0
        after = np.cumprod(np.where(k <= z, one, x), axis=ax)
        s = np.sum(np.where(k >= z, g * after, 0 * one), axis=ax, keepdims=True)
        at = np.prod(x_before, axis=ax, keepdims=True) * s
        return np.where(k == z, at, gx)

    def backward(self, g):
        (x,) = self.inputs
        ax = self.axis
        if not (x._data == 0).any():
            return _rev_cumsum(g * self.output(), ax) / x
        # With zeros, differentiable again (double backward): the exact O(n^2) form
        # grad_k = prod(x[:k]) * sum_{i >= k} g_i prod(x[k+1..i]), along the last axis.
        from chainrule.autograd.ops.elementwise import where
        from chainrule.autograd.ops.movement import cat

        xm, gm = x.movedim(ax, -1), g.movedim(ax, -1)
        n = xm.shape[-1]
        one = _wrap(np.ones(xm.shape[:-1] + (1,), xm.dtype))
        excl = cat([one, xm.narrow(-1, 0, n - 1)], dim=-1).cumprod(-1)
        upper = np.triu(np.ones((n, n), bool))  # [k, i]: i >= k
        strict = np.triu(np.ones((n, n), bool), 1)  # i > k
        rows = xm.unsqueeze(-2).expand(*xm.shape[:-1], n, n)
        b = where(_wrap(strict), rows, 1.0).cumprod(-1)  # b[k, i] = prod(x[k+1..i])
        s = where(_wrap(upper), gm.unsqueeze(-2) * b, 0.0).sum(dim=-1)
        return (excl * s).movedim(-1, ax)


def _rev_cumsum_a(a: np.ndarray, axis: int) -> np.ndarray:
    return np.flip(np.cumsum(np.flip(a, axis), axis=axis), axis)


@register("cumprod")
def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Cumulative product along ``dim``; exact gradients also with zeros in the input.

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([2.0, 0.0, 3.0], requires_grad=True)
        >>> x.cumprod(0).sum().backward()
        >>> x.cumprod(0).tolist(), x.grad.tolist()
        ([2.0, 0.0, 0.0], [1.0, 8.0, 0.0])
    """
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "bu" or input._data.dtype == np.int32:
        input = input.to(np.int64)  # PyTorch accumulates bool/int in int64
    if input.ndim == 0:
        normalize_dim(dim, 0, "cumprod")
        return input * 1
    return Cumprod.apply(input, axis=normalize_dim(dim, input.ndim, "cumprod"))


def _cum_extreme(input: Tensor, dim: int, minimum: bool) -> Any:
    op = "cummin" if minimum else "cummax"
    kind = return_types.cummin if minimum else return_types.cummax
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    if input.ndim == 0:
        normalize_dim(dim, 0, op)
        return kind(input * 1, _wrap(np.zeros((), np.int64)))
    d = normalize_dim(dim, input.ndim, op)
    a = input._data
    run = (np.minimum if minimum else np.maximum).accumulate(a, axis=d)  # NaN propagates
    hit = a == run
    if a.dtype.kind == "f":
        hit |= np.isnan(a)
    n = a.shape[d]
    k = np.arange(n).reshape((n,) + (1,) * (a.ndim - 1 - d))
    idx = np.maximum.accumulate(np.where(hit, k, 0), axis=d)  # latest index reaching the run
    idx = idx.astype(np.int64, copy=False)
    return kind(select_along(input, d, idx, runs=True), _wrap(idx))


@register("cummax")
def cummax(input: Tensor, dim: int) -> Any:
    """Running maximum along ``dim`` and its index (``(values, indices)``; ties: the latest).

    Example:
        >>> import chainrule
        >>> r = chainrule.tensor([1.0, 3.0, 2.0, 3.0]).cummax(0)
        >>> r.values.tolist(), r.indices.tolist()
        ([1.0, 3.0, 3.0, 3.0], [0, 1, 1, 3])
    """
    return _cum_extreme(input, dim, minimum=False)


@register("cummin")
def cummin(input: Tensor, dim: int) -> Any:
    """Running minimum along ``dim`` and its index (``(values, indices)``; ties: the latest).

    Example:
        >>> import chainrule
        >>> r = chainrule.tensor([2.0, 1.0, 3.0]).cummin(0)
        >>> r.values.tolist(), r.indices.tolist()
        ([2.0, 1.0, 1.0], [0, 1, 1])
    """
    return _cum_extreme(input, dim, minimum=True)


@primitive
class LogCumSumExp(Function):
    saves_inputs = True
    saves_output = True

    def forward(self, a, axis):
        self.axis = axis
        return np.logaddexp.accumulate(a, axis=axis)

    def backward(self, g):
        from chainrule.autograd.ops.elementwise import where

        # PyTorch's stable form: split g by sign, work in log space
        x, ax = self.inputs[0], self.axis
        out = self.output()
        lowest = float(np.finfo(g._data.dtype).min)
        pos, neg = g._data > 0, g._data < 0
        log_abs = where(_wrap(pos | neg), g.abs(), 1.0).log()

        def rev_lcse(t: Tensor) -> Tensor:
            return LogCumSumExp.apply(t.flip(ax), axis=ax).flip(ax)

        gp = (rev_lcse(where(_wrap(pos), log_abs, lowest) - out) + x).exp()
        gn = (rev_lcse(where(_wrap(neg), log_abs, lowest) - out) + x).exp()
        return gp - gn


@register("logcumsumexp")
def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """``log(cumsum(exp(x)))`` along ``dim``, computed as a running ``logaddexp`` (no overflow,
    no underflow to -inf).

    Example:
        >>> import chainrule
        >>> [round(v, 4) for v in chainrule.tensor([-1e3, 0.0, 1e3]).logcumsumexp(0).tolist()]
        [-1000.0, 0.0, 1000.0]
    """
    if input._data.dtype.kind != "f":
        raise TypeError(f"logcumsumexp: expected a floating-point tensor, got dtype {input.dtype}")
    if input.ndim == 0:
        normalize_dim(dim, 0, "logcumsumexp")
        return input * 1
    return LogCumSumExp.apply(input, axis=normalize_dim(dim, input.ndim, "logcumsumexp"))


@register("diff")
def diff(
    input: Tensor, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None
) -> Tensor:
    """``n``-th forward difference along ``dim``, after concatenating ``prepend`` / ``append``
    (tensors) to the input along ``dim``. Bool tensors give ``!=`` of neighbours.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([1.0, 4.0, 9.0, 16.0]).diff().tolist()
        [3.0, 5.0, 7.0]
        >>> chainrule.tensor([1.0, 4.0]).diff(prepend=chainrule.zeros(1)).tolist()
        [1.0, 3.0]
    """
    from chainrule.autograd.ops.movement import cat

    if input.ndim == 0:
        raise RuntimeError("diff: expects input to be at least one-dimensional, got a 0-d tensor")
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"diff: order n must be a non-negative int, got {n!r}")
    d = normalize_dim(dim, input.ndim, "diff")
    parts = [p for p in (prepend, input, append) if p is not None]
    for p in parts:
        if not isinstance(p, Tensor):
            raise TypeError(f"diff: prepend/append must be Tensors, got {type(p).__name__}")
        if p.ndim != input.ndim:
            raise ValueError(
                f"diff: prepend/append must have the input's number of dimensions "
                f"({input.ndim}, shape {input.shape}), got shape {p.shape}"
            )
    x = cat(parts, dim=d) if len(parts) > 1 else input
    for _ in range(n):
        m = x.shape[d]
        if m == 0:
            break
        hi, lo = x.narrow(d, 1, m - 1), x.narrow(d, 0, m - 1)
        x = _wrap(hi._data != lo._data) if x.dtype == np.bool_ else hi - lo
    return x
