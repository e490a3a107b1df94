"""Reductions along dimensions: sum, mean, prod, max/min, var/std, norm, logsumexp, softmax.

Every reduction takes ``dim`` (int, tuple of ints, or None for all) and ``keepdim`` like
PyTorch. A reduction's backward returns the gradient reshaped with the reduced dimensions kept
as size 1 and expanded to the input's shape.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops._util import normalize_dim, normalize_dims
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.tensor import Tensor

_wrap = Tensor._wrap


def _kept_shape(shape: tuple, axes: tuple | None) -> tuple:
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _expand_back(g: Tensor, shape: tuple, axes: tuple | None, keepdim: bool) -> Tensor:
    """Broadcast a reduced gradient back over the reduced dimensions."""
    if not keepdim:
        g = g.reshape(_kept_shape(shape, axes))
    return g.expand(shape)


#: Reduced gradients of at most this many elements are expanded into a fresh array (one cheap
#: C call) rather than a ``np.broadcast_to`` view (a slow Python-level helper).
_MATERIALIZE = 1 << 16


def _expand_array(g: Any, shape: tuple, axes: tuple | None, keepdim: bool) -> Any:
    """Array-level ``_expand_back``: the reduced gradient ``g`` broadcast back to ``shape``."""
    if not keepdim:
        g = np.reshape(g, _kept_shape(shape, axes))
    if isinstance(g, np.ndarray) and math.prod(shape) <= _MATERIALIZE:
        out = np.empty(shape, g.dtype)
        out[...] = g
        return out
    return np.broadcast_to(g, shape)


@primitive
class Sum(Function):
    def forward(self, a, axes, keepdim):
        self.shape, self.axes, self.keepdim = a.shape, axes, keepdim
        return np.sum(a, axis=axes, keepdims=keepdim)

    def backward(self, g):
        return _expand_back(g, self.shape, self.axes, self.keepdim)

    def vjp(self, g):
        return _expand_array(g, self.shape, self.axes, self.keepdim)


@primitive
class Mean(Function):
    def forward(self, a, axes, keepdim):
        self.shape, self.axes, self.keepdim = a.shape, axes, keepdim
        if isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.dtype.itemsize >= 4:
            # what np.mean computes (a same-dtype pairwise sum, then a division), minus its
            # Python-level wrapper
            return np.add.reduce(a, axis=axes, keepdims=keepdim) / _count(a.shape, axes)
        return np.mean(a, axis=axes, keepdims=keepdim)

    def backward(self, g):
        n = _count(self.shape, self.axes)
        return _expand_back(g * (1.0 / n), self.shape, self.axes, self.keepdim)

    def vjp(self, g):
        n = _count(self.shape, self.axes)
        g = g * np.asarray(1.0 / n, dtype=g.dtype)
        return _expand_array(g, self.shape, self.axes, self.keepdim)


def _count(shape: tuple, axes: tuple | None) -> int:
    if axes is None:
        return math.prod(shape)
    return math.prod([shape[i] for i in axes])


@register("sum")
def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum over ``dim`` (all dimensions when None).

    Example:
        >>> import chainrule
        >>> chainrule.ones(2, 3).sum(dim=1).tolist()
        [3.0, 3.0]
    """
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "bu" or input._data.dtype == np.int32:
        input = input.to(np.int64)  # PyTorch sums bool/int to int64
    return Sum.apply(input, axes=normalize_dims(dim, input.ndim, "sum"), keepdim=keepdim)


@register("mean")
def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Mean over ``dim`` (all dimensions when None); floating tensors only, like PyTorch.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([[1.0, 3.0]]).mean(dim=-1).tolist()
        [2.0]
    """
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise TypeError(
            f"mean: expected a floating-point tensor, got dtype {input.dtype}; "
            "convert it first, e.g. x.float().mean()"
        )
    return Mean.apply(input, axes=normalize_dims(dim, input.ndim, "mean"), keepdim=keepdim)


@primitive
class Prod(Function):
    saves_inputs = True
    saves_output = True

    def forward(self, a, axis, keepdim):
        self.axis, self.keepdim = axis, keepdim
        return np.prod(a, axis=axis, keepdims=keepdim)

    def backward(self, g):
        (x,) = self.inputs
        axes = None if self.axis is None else (self.axis,)
        gk = _expand_back(g, x.shape, axes, self.keepdim)
        if not (x._data == 0).any():
            out = _expand_back(self.output(), x.shape, axes, self.keepdim)
            return gk * out / x
        # With zeros, out / x is undefined: use the product of the *other* elements, built from
        # exclusive cumulative products (a first-order formula: constant w.r.t. x).
        from chainrule.autograd.grad_mode import state

        if state.grad_enabled:
            raise RuntimeError(
                "prod: double backward through prod of a tensor containing zeros is not supported"
            )
        a = x._data
        ax = self.axis
        if ax is None:
            flat = a.reshape(-1)
            others = _prod_of_others(flat, 0).reshape(a.shape)
        else:
            others = _prod_of_others(a, ax)
        return gk * _wrap(others)


def _prod_of_others(a: np.ndarray, axis: int) -> np.ndarray:
    ones_shape = list(a.shape)
    ones_shape[axis] = 1
    one = np.ones(ones_shape, a.dtype)
    left = np.cumprod(np.concatenate([one, a], axis=axis), axis=axis)
    left = np.take(left, range(a.shape[axis]), axis=axis)
    rev = np.flip(a, axis=axis)
    right = np.cumprod(np.concatenate([one, rev], axis=axis), axis=axis)
    right = np.flip(np.take(right, range(a.shape[axis]), axis=axis), axis=axis)
    return left * right


@register("prod")
def prod(
    input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """Product over one dimension ``dim`` (all elements when None). Correct gradients also when
    the input holds zeros. Bool/integer tensors multiply in int64 unless ``dtype`` is given.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([2.0, 3.0]).prod().item()
        6.0
    """
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "bu" or input._data.dtype == np.int32:
        input = input.to(np.int64)  # as PyTorch (and sum)
    axis = None if dim is None else normalize_dim(dim, input.ndim, "prod")
    return Prod.apply(input, axis=axis, keepdim=keepdim)


@primitive
class AMax(Function):
    """Maximum over dims; ties share the gradient evenly (as PyTorch's amax)."""

    saves_inputs = True
    saves_output = True

    def forward(self, a, axes, keepdim, minimum):
        self.axes, self.keepdim = axes, keepdim
        if a.size == 0:
            raise RuntimeError(f"{'amin' if minimum else 'amax'}: cannot reduce an empty tensor")
        return (np.min if minimum else np.max)(a, axis=axes, keepdims=keepdim)

    def backward(self, g):
        (x,) = self.inputs
        out = _expand_back(_wrap(self.out), x.shape, self.axes, self.keepdim)._data
        mask = (x._data == out).astype(g.dtype)
        mask /= np.sum(mask, axis=self.axes, keepdims=True)
        return _expand_back(g, x.shape, self.axes, self.keepdim) * _wrap(mask)


@register("amax")
def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Maximum over ``dim`` (all dims for ``()``/None); ties share the gradient.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([[1.0, 4.0], [3.0, 2.0]]).amax(dim=0).tolist()
        [3.0, 4.0]
    """
    axes = normalize_dims(None if dim == () else dim, input.ndim, "amax")
    return AMax.apply(input, axes=axes, keepdim=keepdim, minimum=False)


@register("amin")
def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Minimum over ``dim`` (all dims for ``()``/None); ties share the gradient.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([[1.0, 4.0], [3.0, 2.0]]).amin(dim=1).tolist()
        [1.0, 2.0]
    """
    axes = normalize_dims(None if dim == () else dim, input.ndim, "amin")
    return AMax.apply(input, axes=axes, keepdim=keepdim, minimum=True)


class MaxResult(tuple):
    """``(values, indices)`` returned by ``max``/``min`` with ``dim``, like PyTorch's."""

    @property
    def values(self) -> Tensor:
        return self[0]

    @property
    def indices(self) -> Tensor:
        return self[1]


def _max_min(input: Tensor, dim: Any, keepdim: bool, other: Any, minimum: bool) -> Any:
    name = "min" if minimum else "max"
    if isinstance(dim, Tensor) and other is None:  # max(a, b): the elementwise form
        dim, other = None, dim
    if isinstance(other, Tensor) or (other is not None and not isinstance(dim, int)):
        from chainrule.autograd.ops.elementwise import maximum as _mx
        from chainrule.autograd.ops.elementwise import minimum as _mn

        return (_mn if minimum else _mx)(input, other)
    if dim is None:
        return AMax.apply(input, axes=None, keepdim=False, minimum=minimum)
    d = normalize_dim(dim, input.ndim, name)
    idx = (np.argmin if minimum else np.argmax)(input._data, axis=d, keepdims=True)
    # The gradient goes to the selected index only (PyTorch's behaviour for max(dim)).
    from chainrule.autograd.ops.indexing import gather

    values = gather(input, d, _wrap(idx))
    if not keepdim:
        values = values.squeeze(d)
        idx = np.squeeze(idx, axis=d)
    return MaxResult((values, _wrap(idx.astype(np.int64, copy=False))))


@register("max")
def max(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:
    """Maximum of all elements, or ``(values, indices)`` along ``dim``, or the elementwise
    maximum with a tensor ``max(a, b)``.

    Example:
        >>> import chainrule
        >>> v, i = chainrule.tensor([[1.0, 4.0], [3.0, 2.0]]).max(dim=1)
        >>> v.tolist(), i.tolist()
        ([4.0, 3.0], [1, 0])
    """
    return _max_min(input, dim, keepdim, other, minimum=False)


@register("min")
def min(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:
    """Minimum of all elements, or ``(values, indices)`` along ``dim``.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([3.0, 1.0]).min().item()
        1.0
    """
    return _max_min(input, dim, keepdim, other, minimum=True)


@register("argmax", differentiable=False)
def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the maximum (of the flattened tensor when ``dim`` is None).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([1.0, 5.0, 2.0]).argmax().item()
        1
    """
    if dim is None:
        return _wrap(np.asarray(np.argmax(input._data), dtype=np.int64))
    d = normalize_dim(dim, input.ndim, "argmax")
    return _wrap(np.argmax(input._data, axis=d, keepdims=keepdim).astype(np.int64))


@register("argmin", differentiable=False)
def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the minimum (of the flattened tensor when ``dim`` is None).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([1.0, 5.0, 0.0]).argmin().item()
        2
    """
    if dim is None:
        return _wrap(np.asarray(np.argmin(input._data), dtype=np.int64))
    d = normalize_dim(dim, input.ndim, "argmin")
    return _wrap(np.argmin(input._data, axis=d, keepdims=keepdim).astype(np.int64))


def _correction(unbiased: Any, correction: Any) -> float:
    if correction is not None:
        return float(correction)
    if unbiased is None:
        return 1.0
    return 1.0 if unbiased else 0.0


@register("var")
def var(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """Variance over ``dim`` with Bessel's correction by default (``correction=1``).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([1.0, 3.0]).var().item()
        2.0
    """
    c = _correction(unbiased, correction)
    axes = normalize_dims(dim, input.ndim, "var")
    n = _count(input.shape, axes)
    mu = Mean.apply(input, axes=axes, keepdim=True)
    d = input - mu
    return (d * d).sum(dim=axes, keepdim=keepdim) * (1.0 / np.maximum(n - c, 0))


@register("std")
def std(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """Standard deviation: ``sqrt(var(...))``. Where the std is 0 (constant input) the gradient is
    0, as in PyTorch (not ``inf * 0 = NaN``).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([1.0, 3.0]).std(correction=0).item()
        1.0
    """
    return _root_at_zero_safe(var(input, dim, unbiased, keepdim, correction=correction), 2)


def _root_at_zero_safe(s: Tensor, p: float) -> Tensor:
    """``s ** (1/p)`` for ``s >= 0`` whose gradient is 0 (not ``inf * 0 = NaN``) where ``s == 0``,
    as PyTorch's std/norm backward. Costs one comparison when no entry is 0."""
    zero = s._data == 0
    if p == 2 and not zero.any():
        return s.sqrt()
    if not zero.any():
        return s ** (1.0 / p)
    from chainrule.autograd.ops.elementwise import where

    keep = _wrap(~zero)
    safe = where(keep, s, 1.0)
    root = safe.sqrt() if p == 2 else safe ** (1.0 / p)
    return where(keep, root, 0.0)


@primitive
class Norm2(Function):
    """Euclidean norm; its gradient x / ||x|| is taken as 0 where the norm is 0."""

    saves_inputs = True
    saves_output = True

    def forward(self, a, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim
        return np.sqrt(np.sum(a * a, axis=axes, keepdims=keepdim))

    def backward(self, g):
        (x,) = self.inputs
        out = _expand_back(self.output(), x.shape, self.axes, self.keepdim)
        zero = _wrap(out._data == 0)
        from chainrule.autograd.ops.elementwise import where

        safe = where(zero, 1.0, out)
        return where(zero, 0.0, _expand_back(g, x.shape, self.axes, self.keepdim) * x / safe)


@register("norm")
def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    """Vector p-norm over ``dim`` (p = 2/"fro", 1, inf, -inf or any positive number).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([3.0, 4.0]).norm().item()
        5.0
    """
    axes = normalize_dims(dim, input.ndim, "norm")
    if p in ("fro", 2, 2.0):
        return Norm2.apply(input, axes=axes, keepdim=keepdim)
    if p == 1:
        return input.abs().sum(dim=axes, keepdim=keepdim)
    if p in (float("inf"), "inf"):
        return input.abs().amax(dim=axes if axes is not None else (), keepdim=keepdim)
    if p in (float("-inf"), "-inf"):
        return input.abs().amin(dim=axes if axes is not None else (), keepdim=keepdim)
    if isinstance(p, (int, float)) and p > 0:
        return _root_at_zero_safe((input.abs() ** p).sum(dim=axes, keepdim=keepdim), p)
    raise ValueError(f"norm: unsupported p={p!r}; expected 'fro', 1, 2, inf, -inf or p > 0")


@register("logsumexp")
def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """log(sum(exp(x))) over ``dim``, shifted by the maximum so it never overflows.

    Example:
        >>> import chainrule
        >>> round(chainrule.tensor([1000.0, 1000.0]).logsumexp(dim=0).item(), 3)
        1000.693
    """
    axes = normalize_dims(dim, input.ndim, "logsumexp")
    m = np.max(input._data, axis=axes, keepdims=True)
    m = np.where(np.isfinite(m), m, 0).astype(input.dtype, copy=False)
    mt = _wrap(m)
    out = (input - mt).exp().sum(dim=axes, keepdim=True).log() + mt
    if not keepdim:
        out = out.reshape(tuple(n for i, n in enumerate(out.shape) if i not in axes))
    return out


@primitive
class Softmax(Function):
    saves_output = True

    def forward(self, a, axis):
        self.axis = axis
        e = np.exp(a - np.max(a, axis=axis, keepdims=True))
        e /= np.sum(e, axis=axis, keepdims=True)
        return e

    def backward(self, g):
        y = self.output()
        return y * (g - (g * y).sum(dim=self.axis, keepdim=True))

    def vjp(self, g):
        y = self.out
        gy = g * y
        return gy - y * np.sum(gy, axis=self.axis, keepdims=True)


@primitive
class LogSoftmax(Function):
    saves_output = True

    def forward(self, a, axis):
        self.axis = axis
        shifted = a - np.max(a, axis=axis, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))

    def backward(self, g):
        return g - self.output().exp() * g.sum(dim=self.axis, keepdim=True)

    def vjp(self, g):
        return g - np.exp(self.out) * np.sum(g, axis=self.axis, keepdims=True)


def _softmax_dim(dim: Any, ndim: int, name: str) -> int:
    if dim is None:
        # PyTorch's legacy implicit choice; spelled out so users are not surprised.
        dim = 0 if ndim in (0, 1, 3) else 1
    return normalize_dim(dim, ndim, name)


@register("softmax", functional=True)
def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """Softmax along ``dim``, stable for any input magnitude.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([1000.0, 1000.0]).softmax(dim=0).tolist()
        [0.5, 0.5]
    """
    if dtype is not None:
        input = input.to(dtype)
    return Softmax.apply(input, axis=_softmax_dim(dim, input.ndim, "softmax"))


@register("log_softmax", functional=True)
def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """log(softmax(x)) along ``dim`` computed directly (never log of a rounded-to-0 value).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([0.0, -1000.0]).log_softmax(dim=0).tolist()
        [0.0, -1000.0]
    """
    if dtype is not None:
        input = input.to(dtype)
    return LogSoftmax.apply(input, axis=_softmax_dim(dim, input.ndim, "log_softmax"))


@primitive
class Cumsum(Function):
    def forward(self, a, axis):
        self.axis = axis
        return np.cumsum(a, axis=axis)

    def backward(self, g):
        return g.flip(self.axis).cumsum(self.axis).flip(self.axis)


@register("cumsum")
def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Cumulative sum along ``dim``.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([1.0, 2.0, 3.0]).cumsum(0).tolist()
        [1.0, 3.0, 6.0]
    """
    if dtype is not None:
        input = input.to(dtype)
    return Cumsum.apply(input, axis=normalize_dim(dim, input.ndim, "cumsum"))


@register("all", differentiable=False)
def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where all elements along ``dim`` are non-zero.

    Example:
        >>> import chainrule
        >>> chainrule.ones(2).all().item()
        True
    """
    axes = normalize_dims(dim, input.ndim, "all")
    return _wrap(np.asarray(np.all(input._data, axis=axes, keepdims=keepdim)))


@register("any", differentiable=False)
def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where any element along ``dim`` is non-zero.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2).any().item()
        False
    """
    axes = normalize_dims(dim, input.ndim, "any")
    return _wrap(np.asarray(np.any(input._data, axis=axes, keepdims=keepdim)))
