"""Selection ops: nonzero/argwhere, masked_select, diagonal/diag/diag_embed, take/take_along_dim,
index_add/index_fill/index_copy, scatter (with ``reduce=``), scatter_reduce, repeat_interleave.

Primitives: :class:`Diagonal` (a writable view, as PyTorch's) with its adjoint
:class:`DiagonalScatter`, :class:`Scatter` (overwrite) and :class:`ScatterReduce`. The rest is
composed from gather/scatter_add/index_select/where and gets its gradient for free. Duplicate
indices accumulate wherever PyTorch accumulates (index_add, scatter_reduce "sum").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops._util import normalize_dim
from chainrule.autograd.ops.indexing import (
    Gather,
    ScatterAdd,
    _along_axis_index,
    _check_gather_index,
    check_index_bounds,
)
from chainrule.autograd.ops.movement import ShapeError
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt

_wrap = Tensor._wrap


def _arr(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


# ---------------------------------------------------------------------------------------------
# nonzero, argwhere, masked_select
# ---------------------------------------------------------------------------------------------
@register("nonzero", differentiable=False)
def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """Indices of the non-zero entries: an ``(n, ndim)`` int64 tensor, or with ``as_tuple=True``
    one 1-D index tensor per dimension.

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([[0, 1], [2, 0]])
        >>> x.nonzero().tolist(), [i.tolist() for i in x.nonzero(as_tuple=True)]
        ([[0, 1], [1, 0]], [[0, 1], [1, 0]])
    """
    a = _arr(input)
    if as_tuple:
        return tuple(_wrap(i.astype(_dt.int64)) for i in np.nonzero(np.atleast_1d(a)))
    if a.ndim == 0:
        return _wrap(np.zeros((int(a != 0), 0), dtype=_dt.int64))
    return _wrap(np.argwhere(a).astype(_dt.int64))


@register("argwhere", differentiable=False)
def argwhere(input: Tensor) -> Tensor:
    """Same as ``nonzero(input)``: an ``(n, ndim)`` tensor of the non-zero positions.

    Example:
        >>> import chainrule
        >>> chainrule.argwhere(chainrule.tensor([0.0, 3.0, 4.0])).tolist()
        [[1], [2]]
    """
    return nonzero(input)


def _bool_mask(op: str, mask: Any) -> np.ndarray:
    m = _arr(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"{op}: mask must be a bool tensor, got {m.dtype}")
    return m


@register("masked_select")
def masked_select(input: Tensor, mask: Any) -> Tensor:
    """The entries of ``input`` where ``mask`` (broadcast with it) is true, as a 1-D tensor.

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x.masked_select(x > 2).tolist()
        [3.0, 4.0]
    """
    m = _bool_mask("masked_select", mask)
    try:
        shape = np.broadcast_shapes(m.shape, input.shape)
    except ValueError:
        raise ShapeError(
            f"masked_select: mask shape {m.shape} does not broadcast with input shape {input.shape}"
        ) from None
    x = input.expand(shape) if input.shape != shape else input
    return x[_wrap(np.broadcast_to(m, shape))]


# ---------------------------------------------------------------------------------------------
# diagonals
# ---------------------------------------------------------------------------------------------
def _diag_view(a: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
    v = np.diagonal(a, offset, d1, d2)
    if a.flags.writeable:
        v.flags.writeable = True  # NumPy hands out a read-only view; PyTorch's is writable
    return v


@primitive
class Diagonal(Function):
    is_view = True

    def forward(self, a, offset, d1, d2):
        self.offset, self.d1, self.d2, self.shape = offset, d1, d2, a.shape
        return _diag_view(a, offset, d1, d2)

    def backward(self, g):
        return DiagonalScatter.apply(
            g, shape=self.shape, offset=self.offset, d1=self.d1, d2=self.d2
        )

    def vjp(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        _diag_view(out, self.offset, self.d1, self.d2)[...] = g
        return out


@primitive
class DiagonalScatter(Function):
    """Zeros of ``shape`` with ``g`` written on the diagonal ``(offset, d1, d2)``."""

    def forward(self, g, shape, offset, d1, d2):
        self.offset, self.d1, self.d2 = offset, d1, d2
        out = np.zeros(shape, dtype=g.dtype)
        _diag_view(out, offset, d1, d2)[...] = g
        return out

    def backward(self, gg):
        return Diagonal.apply(gg, offset=self.offset, d1=self.d1, d2=self.d2)

    def vjp(self, gg):
        return np.diagonal(gg, self.offset, self.d1, self.d2).copy()


def _two_dims(op: str, dim1: int, dim2: int, ndim: int) -> tuple[int, int]:
    d1, d2 = normalize_dim(dim1, ndim, op), normalize_dim(dim2, ndim, op)
    if d1 == d2:
        raise ShapeError(f"{op}: diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


@register("diagonal")
def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal ``offset`` of the (``dim1``, ``dim2``) planes, appended as the last dim. A
    view: writes through it reach ``input``, as in PyTorch.

    Example:
        >>> import chainrule
        >>> x = chainrule.arange(9.0).reshape(3, 3)
        >>> x.diagonal().tolist(), x.diagonal(1).tolist(), x.diagonal(-1).tolist()
        ([0.0, 4.0, 8.0], [1.0, 5.0], [3.0, 7.0])
    """
    if input.ndim < 2:
        raise ShapeError(f"diagonal: expects at least 2 dims, got shape {input.shape}")
    d1, d2 = _two_dims("diagonal", dim1, dim2, input.ndim)
    return Diagonal.apply(input, offset=int(offset), d1=d1, d2=d2)


@register("diag_embed")
def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Put the last dim of ``input`` on the diagonal ``offset`` of new (``dim1``, ``dim2``)
    planes, zeros elsewhere.

    Example:
        >>> import chainrule
        >>> chainrule.diag_embed(chainrule.tensor([1.0, 2.0])).tolist()
        [[1.0, 0.0], [0.0, 2.0]]
    """
    if input.ndim < 1:
        raise ShapeError(f"diag_embed: expects at least 1 dim, got shape {input.shape}")
    nd = input.ndim + 1
    d1, d2 = _two_dims("diag_embed", dim1, dim2, nd)
    m = input.shape[-1] + abs(int(offset))
    rest = list(input.shape[:-1])
    shape = []
    for d in range(nd):
        shape.append(m if d in (d1, d2) else rest.pop(0))
    return DiagonalScatter.apply(input, shape=tuple(shape), offset=int(offset), d1=d1, d2=d2)


@register("diag")
def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """1-D input: a square matrix with it on diagonal ``diagonal``; 2-D input: that diagonal as
    a 1-D tensor (a copy, as ``torch.diag``).

    Example:
        >>> import chainrule
        >>> chainrule.diag(chainrule.tensor([1.0, 2.0]), 1).tolist()
        [[0.0, 1.0, 0.0], [0.0, 0.0, 2.0], [0.0, 0.0, 0.0]]
        >>> chainrule.diag(chainrule.eye(2)).tolist()
        [1.0, 1.0]
    """
    if input.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.ndim == 2:
        return Diagonal.apply(input, offset=int(diagonal), d1=0, d2=1).clone()
    raise ShapeError(f"diag: expects a 1-D or 2-D tensor, got shape {input.shape}")


# ---------------------------------------------------------------------------------------------
# take, take_along_dim
# ---------------------------------------------------------------------------------------------
def _int_index(op: str, index: Any) -> np.ndarray:
    idx = _arr(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer tensor, got {idx.dtype}")
    return idx


@register("take")
def take(input: Tensor, index: Any) -> Tensor:
    """Entries of the flattened ``input`` at ``index`` (any shape; negative indices count from
    the end, as in PyTorch).

    Example:
        >>> import chainrule
        >>> chainrule.arange(6.0).reshape(2, 3).take(chainrule.tensor([[0, -1]])).tolist()
        [[0.0, 5.0]]
    """
    idx = _int_index("take", index)
    n = input.numel()
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.min() if idx.min() < -n else idx.max()
        raise IndexError(f"take: index {bad} out of range for tensor of size {n}")
    return input.reshape(-1)[_wrap(idx % max(n, 1))]


@register("take_along_dim")
def take_along_dim(input: Tensor, indices: Any, dim: int | None = None) -> Tensor:
    """``gather`` with broadcasting of ``input`` and ``indices`` (and on the flattened input when
    ``dim`` is None); negative indices count from the end.

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([[10.0, 30.0, 20.0]])
        >>> x.take_along_dim(x.argmax(1, keepdim=True), dim=1).tolist()
        [[30.0]]
    """
    idx = _int_index("take_along_dim", indices)
    if dim is None:
        return take(input, idx.reshape(-1))
    if idx.ndim != input.ndim:
        raise ShapeError(
            f"take_along_dim: input and indices should have the same number of dimensions, got "
            f"shapes {input.shape} and {idx.shape}"
        )
    d = normalize_dim(dim, input.ndim, "take_along_dim")
    n = input.shape[d]
    try:
        bshape = np.broadcast_shapes(
            tuple(1 if k == d else s for k, s in enumerate(input.shape)),
            tuple(1 if k == d else s for k, s in enumerate(idx.shape)),
        )
    except ValueError:
        raise ShapeError(
            f"take_along_dim: shapes {input.shape} and {idx.shape} do not broadcast outside dim {d}"
        ) from None
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"take_along_dim: index out of range for dim {d} of size {n}")
    x_shape = tuple(n if k == d else s for k, s in enumerate(bshape))
    i_shape = tuple(idx.shape[d] if k == d else s for k, s in enumerate(bshape))
    x = input.expand(x_shape) if input.shape != x_shape else input
    return Gather.apply(x, axis=d, index=np.broadcast_to(idx % max(n, 1), i_shape))


# ---------------------------------------------------------------------------------------------
# index_add, index_fill, index_copy
# ---------------------------------------------------------------------------------------------
def _index_1d(op: str, input: Tensor, dim: int, index: Any) -> tuple[int, np.ndarray]:
    d = normalize_dim(dim, input.ndim, op)
    idx = _int_index(op, index)
    if idx.ndim > 1:
        raise ShapeError(f"{op}: index must be 0-D or 1-D, got shape {idx.shape}")
    idx = idx.reshape(-1)
    check_index_bounds(op, idx, d, input.shape[d] if input.ndim else 1)
    return d, idx


def _source_index(op: str, input: Tensor, d: int, idx: np.ndarray, source: Tensor) -> np.ndarray:
    """The 1-D ``idx`` along ``d`` expanded to ``source``'s shape (for scatter-style ops)."""
    want = input.shape[:d] + (len(idx),) + input.shape[d + 1 :]
    if source.shape != want:
        raise ShapeError(
            f"{op}: source shape {source.shape} must be the input shape {input.shape} with dim "
            f"{d} of size len(index) = {len(idx)}, i.e. {want}"
        )
    if source.dtype != input.dtype:
        raise TypeError(f"{op}: source dtype {source.dtype} differs from input dtype {input.dtype}")
    shp = [1] * input.ndim
    shp[d] = len(idx)
    return np.broadcast_to(idx.reshape(shp), want)


@register("index_add")
def index_add(input: Tensor, dim: int, index: Any, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """``input`` with ``alpha * source`` added at ``index`` along ``dim``; repeated indices
    accumulate.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(3).index_add(0, chainrule.tensor([0, 0, 2]), chainrule.ones(3)).tolist()
        [2.0, 0.0, 1.0]
    """
    d, idx = _index_1d("index_add", input, dim, index)
    if input.ndim == 0:
        return input + (source.reshape(()) if alpha == 1 else source.reshape(()) * alpha)
    full = _source_index("index_add", input, d, idx, source)
    src = source if alpha == 1 else source * alpha
    return ScatterAdd.apply(input, src, axis=d, index=full)


def _index_mask(input: Tensor, d: int, idx: np.ndarray) -> np.ndarray:
    m = np.zeros(input.shape[d] if input.ndim else 1, dtype=bool)
    m[idx] = True
    shp = [1] * input.ndim
    if input.ndim:
        shp[d] = input.shape[d]
    return m.reshape(shp)


@register("index_fill")
def index_fill(input: Tensor, dim: int, index: Any, value: Any) -> Tensor:
    """``input`` with the slices ``index`` along ``dim`` set to ``value`` (a number or a 0-d
    tensor, which then gets the gradient of the filled entries).

    Example:
        >>> import chainrule
        >>> chainrule.ones(2, 3).index_fill(1, chainrule.tensor([0, 2]), -1.0).tolist()
        [[-1.0, 1.0, -1.0], [-1.0, 1.0, -1.0]]
    """
    d, idx = _index_1d("index_fill", input, dim, index)
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ShapeError(
            f"index_fill: only supports a 0-dimensional value tensor, got shape {value.shape}"
        )
    return input.masked_fill(_wrap(_index_mask(input, d, idx)), value)


@register("index_copy")
def index_copy(input: Tensor, dim: int, index: Any, source: Tensor) -> Tensor:
    """``input`` with the slices ``index`` along ``dim`` replaced by those of ``source``.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(3).index_copy(0, chainrule.tensor([2, 0]),
        ...                               chainrule.tensor([5.0, 7.0])).tolist()
        [7.0, 0.0, 5.0]
    """
    d, idx = _index_1d("index_copy", input, dim, index)
    if input.ndim == 0:
        return source.reshape(()) + input * 0
    full = _source_index("index_copy", input, d, idx, source)
    return Scatter.apply(input, source, axis=d, index=full)


# ---------------------------------------------------------------------------------------------
# scatter, scatter_reduce
# ---------------------------------------------------------------------------------------------
def _pad_to(gs: Any, shape: tuple, tensor: bool) -> Any:
    """Zero-pad a gradient of ``index``'s shape up to ``src``'s (larger) shape."""
    if gs.shape == shape:
        return gs
    if not tensor:
        out = np.zeros(shape, dtype=gs.dtype)
        out[tuple(slice(0, n) for n in gs.shape)] = gs
        return out
    from chainrule.autograd.ops.movement import pad

    widths: list[int] = []
    for n_idx, n_src in reversed(list(zip(gs.shape, shape))):
        widths += [0, n_src - n_idx]
    return pad(gs, tuple(widths))


@primitive
class Scatter(Function):
    """``out = a; out[index along axis] = src`` (the last write wins for repeated indices)."""

    def forward(self, a, src, axis, index):
        self.axis, self.index = axis, index
        full = _along_axis_index(index, axis)
        out = a.copy()
        out[full] = src[tuple(slice(0, n) for n in index.shape)]
        self.mask = np.zeros(a.shape, dtype=bool)
        self.mask[full] = True
        return out

    def backward(self, g):
        a, src = self.inputs
        ga = g.masked_fill(_wrap(self.mask), 0.0) if a.requires_grad else None
        gs = None
        if src.requires_grad:
            gs = _pad_to(Gather.apply(g, axis=self.axis, index=self.index), src.shape, True)
        return ga, gs

    def vjp(self, g):
        a, src = self.inputs
        ga = np.where(self.mask, np.zeros((), g.dtype), g) if a.requires_grad else None
        gs = None
        if src.requires_grad:
            gs = _pad_to(g[_along_axis_index(self.index, self.axis)], src.shape, False)
        return ga, gs


_REDUCE_UFUNC = {
    "sum": np.add,
    "prod": np.multiply,
    "mean": np.add,
    "amax": np.maximum,
    "amin": np.minimum,
}


@primitive
class ScatterReduce(Function):
    """``scatter_reduce``: combine ``src`` into ``a`` at ``index`` along ``axis`` with
    ``reduce``. The gradient weights (ties share evenly for amax/amin, 1/count for mean,
    products of the others for prod) are computed in forward; they are piecewise constant for
    every reduction but prod, whose second derivative is therefore refused."""

    def forward(self, a, src, axis, index, reduce, include_self):
        self.axis, self.index = axis, index
        full = _along_axis_index(index, axis)
        s = src[tuple(slice(0, n) for n in index.shape)]
        touched = np.zeros(a.shape, dtype=bool)
        touched[full] = True
        uf = _REDUCE_UFUNC[reduce]
        out = a.copy()
        if not include_self:
            init = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}[reduce]
            if a.dtype.kind != "f" and reduce in ("amax", "amin"):
                info = np.iinfo(a.dtype)
                init = info.min if reduce == "amax" else info.max
            out[touched] = init
        uf.at(out, full, s)
        count = None
        if reduce == "mean":
            count = np.zeros(a.shape, dtype=a.dtype)
            np.add.at(count, full, 1)
            if include_self:
                count += 1
            count = np.where(count == 0, 1, count)
            out = out / count if a.dtype.kind == "f" else out // count
            out = out.astype(a.dtype, copy=False)
        if a.dtype.kind == "f":  # gradient weights (integer tensors have no gradient)
            self.w_self, self.w_src = self._weights(a, s, out, full, touched, reduce, include_self)
            self.w_self = self.w_self.astype(a.dtype, copy=False)
            self.w_src = self.w_src.astype(a.dtype, copy=False)
            if count is not None:
                self.w_self = np.where(touched, self.w_self / count, self.w_self)
                self.w_src = self.w_src / count[full]
        return out

    @staticmethod
    def _weights(a, s, out, full, touched, reduce, include_self):
        keep = np.ones(a.shape) if include_self else (~touched).astype(np.float64)
        if reduce in ("sum", "mean"):
            return keep, np.ones(s.shape)
        if reduce in ("amax", "amin"):
            # PyTorch counts input's own value among the ties even when include_self=False
            # (it then gets no gradient itself)
            hit_self = (a == out).astype(np.float64)
            hit_src = (s == out[full]).astype(np.float64)
            ties = hit_self.copy()
            np.add.at(ties, full, hit_src)
            ties = np.where(ties == 0, 1, ties)
            return hit_self * keep / ties, hit_src / ties[full]
        # prod: d out / d x = product of the other contributors (exact with zeros)
        zeros = (a == 0) * keep
        np.add.at(zeros, full, (s == 0).astype(np.float64))
        nz = np.where((a == 0) | (keep == 0), 1.0, a).astype(np.float64)
        np.multiply.at(nz, full, np.where(s == 0, 1.0, s))
        w_self = np.where(a == 0, (zeros == 1) * nz, (zeros == 0) * nz / np.where(a == 0, 1, a))
        w_self = w_self * keep
        zf, nf = zeros[full], nz[full]
        w_src = np.where(s == 0, (zf == 1) * nf, (zf == 0) * nf / np.where(s == 0, 1, s))
        return w_self, w_src

    def backward(self, g):
        a, src = self.inputs
        ga = g * _wrap(self.w_self) if a.requires_grad else None
        gs = None
        if src.requires_grad:
            gs = Gather.apply(g, axis=self.axis, index=self.index) * _wrap(self.w_src)
            gs = _pad_to(gs, src.shape, True)
        return ga, gs

    def vjp(self, g):
        a, src = self.inputs
        ga = g * self.w_self if a.requires_grad else None
        gs = None
        if src.requires_grad:
            gs = g[_along_axis_index(self.index, self.axis)] * self.w_src
            gs = _pad_to(gs, src.shape, False)
        return ga, gs


class _ScatterReduceProd(ScatterReduce):
    first_order_only = True

    @classmethod
    def name(cls) -> str:
        return "ScatterReduceBackward"


def _scatter_args(op: str, input: Tensor, dim: int, index: Any, src: Any) -> tuple:
    d = normalize_dim(dim, input.ndim, op) if input.ndim else 0
    idx = _check_gather_index(op, input, d, _int_index(op, index))
    if not isinstance(src, Tensor):
        src = _wrap(np.full(idx.shape, src, dtype=input.dtype))
    if src.ndim != idx.ndim or any(a > b for a, b in zip(idx.shape, src.shape)):
        raise ShapeError(
            f"{op}: src shape {src.shape} must be at least index shape {idx.shape} in every dim"
        )
    if src.dtype != input.dtype:
        raise TypeError(f"{op}: src dtype {src.dtype} differs from input dtype {input.dtype}")
    return d, idx, src


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


@register("scatter_reduce")
def scatter_reduce(
    input: Tensor, dim: int, index: Any, src: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    """Reduce ``src`` into ``input`` at ``index`` along ``dim`` with ``reduce`` in
    "sum", "prod", "mean", "amax", "amin"; ``include_self=False`` leaves ``input``'s own values
    out at the positions that receive something.

    Example:
        >>> import chainrule
        >>> x, i = chainrule.tensor([5.0, 1.0]), chainrule.tensor([0, 0, 1])
        >>> x.scatter_reduce(0, i, chainrule.tensor([2.0, 3.0, 4.0]), "amax").tolist()
        [5.0, 4.0]
        >>> x.scatter_reduce(0, i, chainrule.tensor([2.0, 3.0, 4.0]), "mean",
        ...                  include_self=False).tolist()
        [2.5, 4.0]
    """
    if reduce not in _REDUCES:
        raise ValueError(
            f"scatter_reduce: reduce argument must be one of {list(_REDUCES)}, got {reduce!r}"
        )
    d, idx, src = _scatter_args("scatter_reduce", input, dim, index, src)
    cls = _ScatterReduceProd if reduce == "prod" else ScatterReduce
    return cls.apply(input, src, axis=d, index=idx, reduce=reduce, include_self=include_self)


@register("scatter")
def scatter(
    input: Tensor, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None
) -> Tensor:
    """Out-of-place ``scatter_``: write ``src`` (a tensor, or a number ``value``) into
    ``input`` at ``index`` along ``dim``; ``reduce="add"`` / ``"multiply"`` combine instead.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 3).scatter(1, chainrule.tensor([[2], [0]]), 1.0).tolist()
        [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter: expected a src tensor or a value")
    d, idx, src = _scatter_args("scatter", input, dim, index, src)
    if reduce is None:
        return Scatter.apply(input, src, axis=d, index=idx)
    if reduce == "add":
        return ScatterAdd.apply(input, src, axis=d, index=idx)
    if reduce == "multiply":
        return _ScatterReduceProd.apply(
            input, src, axis=d, index=idx, reduce="prod", include_self=True
        )
    raise ValueError(f"scatter: reduce argument must be either add or multiply, got {reduce!r}")


# ---------------------------------------------------------------------------------------------
# repeat_interleave
# ---------------------------------------------------------------------------------------------
@register("repeat_interleave")
def repeat_interleave(
    input: Tensor, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
) -> Tensor:
    """Repeat each element ``repeats`` times (an int, or one count per element) along ``dim``
    (the flattened tensor when None). ``repeat_interleave(counts)`` alone repeats the indices.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([1.0, 2.0]).repeat_interleave(2).tolist()
        [1.0, 1.0, 2.0, 2.0]
        >>> chainrule.repeat_interleave(chainrule.tensor([2, 1])).tolist()
        [0, 0, 1]
    """
    if repeats is None:
        counts = _int_index("repeat_interleave", input)
        if counts.ndim != 1:
            raise ShapeError(f"repeat_interleave: repeats must be 1-D, got shape {counts.shape}")
        return _wrap(np.repeat(np.arange(len(counts), dtype=_dt.int64), counts))
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else normalize_dim(dim, input.ndim, "repeat_interleave")
    n = x.shape[d] if x.ndim else 1
    r = _arr(repeats) if isinstance(repeats, Tensor) else np.asarray(repeats)
    if r.dtype.kind not in "iu":
        raise TypeError(f"repeat_interleave: repeats must be integers, got {r.dtype}")
    if r.ndim > 1 or (r.ndim == 1 and r.size not in (1, n)):
        raise ShapeError(
            f"repeat_interleave: repeats must have the same size as input along dim {d} "
            f"({n}), got shape {r.shape}"
        )
    if r.size and r.min() < 0:
        raise ValueError("repeat_interleave: repeats can not be negative")
    sel = np.repeat(np.arange(n), r.reshape(-1) if r.size > 1 else int(r.reshape(-1)[0]))
    if output_size is not None and output_size != len(sel):
        raise ValueError(
            f"repeat_interleave: output_size {output_size} differs from the {len(sel)} entries "
            "the repeats give"
        )
    if x.ndim == 0:
        x = x.reshape(1)
    return x.index_select(d, _wrap(sel))
