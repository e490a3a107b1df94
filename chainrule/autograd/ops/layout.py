"""More movement ops: ``Tensor.unfold`` (sliding windows, a view), rot90, fliplr/flipud,
tril_indices/triu_indices, meshgrid, cartesian_prod, combinations, the stacks (hstack, vstack,
dstack, column_stack), tensor_split and h/v/dsplit, select, atleast_1d/2d/3d, block_diag and
broadcast_tensors.

The only primitives are :class:`Unfold` (an ``as_strided`` view) and its adjoint
:class:`UnfoldBackward` (overlapping windows add up); the rest is composed from movement and
indexing ops.
"""

from __future__ import annotations

import builtins
import itertools
from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops._util import normalize_dim
from chainrule.autograd.ops.movement import ShapeError, cat, flip, pad, stack, transpose
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt

_wrap = Tensor._wrap


def _tensors(tensors: tuple, op: str) -> list[Tensor]:
    """``f(a, b)`` and ``f([a, b])`` both accepted, as in PyTorch."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for k, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: argument {k} is a {type(t).__name__}, expected a Tensor")
    return list(tensors)


# ---------------------------------------------------------------------------------------------
# Tensor.unfold
# ---------------------------------------------------------------------------------------------
@primitive
class Unfold(Function):
    """Windows of ``size`` every ``step`` along ``axis``, as a new last dim (a strided view)."""

    is_view = True

    def forward(self, a, axis, size, step):
        self.axis, self.size, self.step, self.shape = axis, size, step, a.shape
        n = a.shape[axis] if a.ndim else 1
        nwin = (n - size) // step + 1
        if a.ndim == 0:
            return a.reshape(1)
        shape = a.shape[:axis] + (nwin,) + a.shape[axis + 1 :] + (size,)
        strides = a.strides[:axis] + (a.strides[axis] * step,) + a.strides[axis + 1 :]
        strides += (a.strides[axis],)
        return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=a.flags.writeable)

    def backward(self, g):
        return UnfoldBackward.apply(
            g, axis=self.axis, size=self.size, step=self.step, shape=self.shape
        )

    def vjp(self, g):
        return _unfold_adjoint(g, self.axis, self.size, self.step, self.shape)


def _unfold_adjoint(g, axis, size, step, shape):
    out = np.zeros(shape, dtype=g.dtype)
    if not shape:
        return g.reshape(())
    nwin = g.shape[axis]
    for k in range(size):  # window offset k: every window adds its k-th element
        idx = [slice(None)] * len(shape)
        idx[axis] = slice(k, k + step * (nwin - 1) + 1, step)
        out[tuple(idx)] += g[..., k]
    return out


@primitive
class UnfoldBackward(Function):
    def forward(self, g, axis, size, step, shape):
        self.axis, self.size, self.step = axis, size, step
        return _unfold_adjoint(g, axis, size, step, shape)

    def backward(self, gg):
        return Unfold.apply(gg, axis=self.axis, size=self.size, step=self.step)


@register("tensor_unfold", method="unfold", export=False)
def tensor_unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """``Tensor.unfold``: all windows of ``size`` elements every ``step`` along ``dimension``,
    as a new last dimension. A view of ``input``, as in PyTorch.

    Example:
        >>> import chainrule
        >>> chainrule.arange(5.0).unfold(0, 2, 2).tolist()
        [[0.0, 1.0], [2.0, 3.0]]
    """
    d = normalize_dim(dimension, input.ndim, "unfold")
    n = input.shape[d] if input.ndim else 1
    if step <= 0:
        raise ShapeError(f"unfold: step is {step} but must be > 0")
    if size < 0 or size > n:
        raise ShapeError(
            f"unfold: maximum size for tensor at dimension {d} is {n} but size is {size}"
        )
    return Unfold.apply(input, axis=d, size=int(size), step=int(step))


# ---------------------------------------------------------------------------------------------
# flips and rotations
# ---------------------------------------------------------------------------------------------
@register("rot90")
def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane ``dims`` (from the first towards the second
    axis).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([[1, 2], [3, 4]]).rot90().tolist()
        [[2, 4], [1, 3]]
    """
    dims = list(dims)
    if len(dims) != 2:
        raise ShapeError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise ShapeError(f"rot90: expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = (normalize_dim(d, input.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise ShapeError(f"rot90: expected rotation dims to be different, got {d0} and {d1}")
    k = k % 4
    if k == 1:
        return transpose(flip(input, d1), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, d0), d0, d1)
    return input.clone()


@register("fliplr")
def fliplr(input: Tensor) -> Tensor:
    """Reverse the columns (dim 1) of a tensor with at least 2 dims.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([[1, 2]]).fliplr().tolist()
        [[2, 1]]
    """
    if input.ndim < 2:
        raise ShapeError(f"fliplr: input must be >= 2-d, got shape {input.shape}")
    return flip(input, 1)


@register("flipud")
def flipud(input: Tensor) -> Tensor:
    """Reverse the rows (dim 0) of a tensor with at least 1 dim.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([1, 2]).flipud().tolist()
        [2, 1]
    """
    if input.ndim < 1:
        raise ShapeError(f"flipud: input must be >= 1-d, got shape {input.shape}")
    return flip(input, 0)


# ---------------------------------------------------------------------------------------------
# index generators
# ---------------------------------------------------------------------------------------------
def _tri_indices(op: str, row: int, col: int, offset: int, dtype: Any, lower: bool) -> Tensor:
    if row < 0 or col < 0:
        raise ShapeError(f"{op}: row and col must be non-negative, got {row} and {col}")
    dt = _dt.int64 if dtype is None else _dt.to_dtype(dtype)
    mask = (
        np.tri(row, col, offset, dtype=bool) if lower else ~np.tri(row, col, offset - 1, dtype=bool)
    )
    return _wrap(np.stack(np.nonzero(mask)).astype(dt))


@register("tril_indices", method=False, differentiable=False)
def tril_indices(
    row: int,
    col: int,
    offset: int = 0,
    *,
    dtype: Any = None,
    device: Any = None,
    layout: Any = None,
) -> Tensor:
    """The ``(2, N)`` row/column indices of the lower triangle of a ``row x col`` matrix.

    Example:
        >>> import chainrule
        >>> chainrule.tril_indices(3, 3).tolist()
        [[0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]]
    """
    return _tri_indices("tril_indices", row, col, offset, dtype, lower=True)


@register("triu_indices", method=False, differentiable=False)
def triu_indices(
    row: int,
    col: int,
    offset: int = 0,
    *,
    dtype: Any = None,
    device: Any = None,
    layout: Any = None,
) -> Tensor:
    """The ``(2, N)`` row/column indices of the upper triangle of a ``row x col`` matrix.

    Example:
        >>> import chainrule
        >>> chainrule.triu_indices(3, 3, 1).tolist()
        [[0, 0, 1], [1, 2, 2]]
    """
    return _tri_indices("triu_indices", row, col, offset, dtype, lower=False)


@register("meshgrid", method=False)
def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    """Coordinate grids from 1-D (or 0-d) tensors; ``indexing="ij"`` (the default, matrix
    indexing) or ``"xy"`` (Cartesian: the first two grids' dims swapped).

    Example:
        >>> import chainrule
        >>> x, y = chainrule.meshgrid(chainrule.arange(2), chainrule.arange(3), indexing="xy")
        >>> x.shape, x.tolist()[0]
        ((3, 2), [0, 1])
    """
    ts = _tensors(tensors, "meshgrid")
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(
            f"meshgrid: indexing must be one of 'xy' or 'ij', but received: {indexing!r}"
        )
    for t in ts:
        if t.ndim > 1:
            raise ShapeError(f"meshgrid: expects 0-D or 1-D tensors, got shape {t.shape}")
    ts = [t.reshape(-1) for t in ts]
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.shape[0] for t in ts)
    n = len(ts)
    out = [
        t.reshape(tuple(-1 if j == i else 1 for j in range(n))).expand(shape)
        for i, t in enumerate(ts)
    ]
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


@register("cartesian_prod", method=False)
def cartesian_prod(*tensors: Tensor) -> Tensor:
    """All combinations of the entries of 1-D tensors, one per row (``itertools.product``).

    Example:
        >>> import chainrule
        >>> chainrule.cartesian_prod(chainrule.tensor([1, 2]), chainrule.tensor([3, 4])).tolist()
        [[1, 3], [1, 4], [2, 3], [2, 4]]
    """
    ts = _tensors(tensors, "cartesian_prod")
    if len(ts) == 1:
        return ts[0]
    return stack([g.reshape(-1) for g in meshgrid(*ts, indexing="ij")], dim=1)


@register("combinations")
def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """Length-``r`` combinations of a 1-D tensor's entries, one per row
    (``itertools.combinations``; ``with_replacement`` as ``combinations_with_replacement``).

    Example:
        >>> import chainrule
        >>> chainrule.combinations(chainrule.tensor([1, 2, 3])).tolist()
        [[1, 2], [1, 3], [2, 3]]
    """
    if input.ndim != 1:
        raise ShapeError(f"combinations: expect a 1D vector, but got shape {input.shape}")
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    combos = np.array(list(gen(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    if r == 0 or combos.size == 0:
        return _wrap(np.zeros((0,) if r == 0 else (0, r), dtype=input.dtype))
    return input[_wrap(combos)]


# ---------------------------------------------------------------------------------------------
# stacks and splits
# ---------------------------------------------------------------------------------------------
@register("atleast_1d", method=True)
def atleast_1d(*tensors: Any) -> Any:
    """The tensor(s) viewed with at least 1 dim (several tensors give a tuple).

    Example:
        >>> import chainrule
        >>> chainrule.atleast_1d(chainrule.tensor(1.0)).shape
        (1,)
    """
    return _atleast(tensors, 1)


@register("atleast_2d", method=True)
def atleast_2d(*tensors: Any) -> Any:
    """The tensor(s) viewed with at least 2 dims (a 1-D tensor becomes one row).

    Example:
        >>> import chainrule
        >>> chainrule.atleast_2d(chainrule.ones(3)).shape
        (1, 3)
    """
    return _atleast(tensors, 2)


@register("atleast_3d", method=True)
def atleast_3d(*tensors: Any) -> Any:
    """The tensor(s) viewed with at least 3 dims (``(n,)`` -> ``(1, n, 1)``, ``(m, n)`` ->
    ``(m, n, 1)``).

    Example:
        >>> import chainrule
        >>> chainrule.atleast_3d(chainrule.ones(2, 3)).shape
        (2, 3, 1)
    """
    return _atleast(tensors, 3)


def _atleast(tensors: tuple, n: int) -> Any:
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    out = []
    for t in _tensors(tensors, f"atleast_{n}d"):
        s = t.shape
        if t.ndim < n:
            if n == 3:
                s = {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}[t.ndim]
            else:
                s = (1,) * (n - t.ndim) + s
            t = t.reshape(s)
        out.append(t)
    return out[0] if single else tuple(out)


@register("hstack", method=False)
def hstack(tensors: Any) -> Tensor:
    """Concatenate along dim 1 (dim 0 for 1-D tensors).

    Example:
        >>> import chainrule
        >>> chainrule.hstack([chainrule.ones(2, 1), chainrule.zeros(2, 2)]).shape
        (2, 3)
    """
    ts = _atleast(tuple(tensors), 1)
    ts = (ts,) if isinstance(ts, Tensor) else ts
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


@register("vstack", method=False, aliases=("row_stack",))
def vstack(tensors: Any) -> Tensor:
    """Concatenate along dim 0 after making every tensor at least 2-D.

    Example:
        >>> import chainrule
        >>> chainrule.vstack([chainrule.ones(3), chainrule.zeros(3)]).shape
        (2, 3)
    """
    ts = _atleast(tuple(tensors), 2)
    return cat((ts,) if isinstance(ts, Tensor) else ts, 0)


@register("dstack", method=False)
def dstack(tensors: Any) -> Tensor:
    """Concatenate along dim 2 after making every tensor at least 3-D.

    Example:
        >>> import chainrule
        >>> chainrule.dstack([chainrule.ones(2, 3), chainrule.zeros(2, 3)]).shape
        (2, 3, 2)
    """
    ts = _atleast(tuple(tensors), 3)
    return cat((ts,) if isinstance(ts, Tensor) else ts, 2)


@register("column_stack", method=False)
def column_stack(tensors: Any) -> Tensor:
    """Stack 0-d/1-D tensors as columns (and 2-D ones as they are) along dim 1.

    Example:
        >>> import chainrule
        >>> chainrule.column_stack([chainrule.ones(3), chainrule.zeros(3, 2)]).shape
        (3, 3)
    """
    ts = [t.reshape(-1, 1) if t.ndim <= 1 else t for t in _tensors(tuple(tensors), "column_stack")]
    return cat(ts, 1)


@register("tensor_split")
def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple:
    """Split into ``n`` nearly equal parts (the first ``size % n`` one larger), or at the given
    indices.

    Example:
        >>> import chainrule
        >>> [p.shape for p in chainrule.arange(7).tensor_split(3)]
        [(3,), (2,), (2,)]
        >>> [p.tolist() for p in chainrule.arange(5).tensor_split([1, 4])]
        [[0], [1, 2, 3], [4]]
    """
    d = normalize_dim(dim, input.ndim, "tensor_split")
    n = input.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        ios = ios.item() if ios.ndim == 0 else ios.tolist()
    if isinstance(ios, (int, np.integer)):
        k = int(ios)
        if k <= 0:
            raise ShapeError(f"tensor_split: number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        bounds = list(itertools.accumulate([q + 1] * r + [q] * (k - r)))[:-1]
    else:
        bounds = [int(i) for i in ios]
    idx = [slice(None)] * input.ndim
    out = []
    for start, stop in zip([0] + bounds, bounds + [None]):  # Python slice semantics, as torch
        idx[d] = slice(start, stop)
        out.append(input[tuple(idx)])
    return tuple(out)


def _split_dir(op: str, input: Tensor, ios: Any, dim: int, min_nd: int) -> tuple:
    if input.ndim < min_nd:
        raise ShapeError(f"{op}: requires a tensor with at least {min_nd} dims, got {input.shape}")
    if isinstance(ios, (int, np.integer)) and input.shape[dim] % int(ios):
        raise ShapeError(
            f"{op}: dim {dim} of size {input.shape[dim]} is not divisible by the split size {ios}"
        )
    return tensor_split(input, ios, dim)


@register("hsplit")
def hsplit(input: Tensor, indices_or_sections: Any) -> tuple:
    """``tensor_split`` along dim 1 (dim 0 for 1-D); equal sections must divide the size.

    Example:
        >>> import chainrule
        >>> len(chainrule.zeros(2, 4).hsplit(2))
        2
    """
    return _split_dir("hsplit", input, indices_or_sections, 0 if input.ndim == 1 else 1, 1)


@register("vsplit")
def vsplit(input: Tensor, indices_or_sections: Any) -> tuple:
    """``tensor_split`` along dim 0 of a tensor with at least 2 dims.

    Example:
        >>> import chainrule
        >>> len(chainrule.zeros(4, 2).vsplit([1]))
        2
    """
    return _split_dir("vsplit", input, indices_or_sections, 0, 2)


@register("dsplit")
def dsplit(input: Tensor, indices_or_sections: Any) -> tuple:
    """``tensor_split`` along dim 2 of a tensor with at least 3 dims.

    Example:
        >>> import chainrule
        >>> len(chainrule.zeros(1, 2, 4).dsplit(2))
        2
    """
    return _split_dir("dsplit", input, indices_or_sections, 2, 3)


@register("select")
def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at ``index`` along ``dim``, with that dim removed (a view).

    Example:
        >>> import chainrule
        >>> chainrule.arange(6).reshape(2, 3).select(1, -1).tolist()
        [2, 5]
    """
    d = normalize_dim(dim, input.ndim, "select")
    n = input.shape[d]
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {input.shape} at "
            f"dimension {d}"
        )
    idx = [slice(None)] * input.ndim
    idx[d] = int(index)
    return input[tuple(idx)]


@register("block_diag", method=False)
def block_diag(*tensors: Tensor) -> Tensor:
    """A block-diagonal matrix from 0-d, 1-D (one row) or 2-D blocks.

    Example:
        >>> import chainrule
        >>> chainrule.block_diag(chainrule.ones(1, 1), chainrule.ones(2, 2) * 2).tolist()
        [[1.0, 0.0, 0.0], [0.0, 2.0, 2.0], [0.0, 2.0, 2.0]]
    """
    ts = _tensors(tensors, "block_diag")
    if not ts:
        return _wrap(np.zeros((1, 0), dtype=_dt.get_default_dtype()))
    for t in ts:
        if t.ndim > 2:
            raise ShapeError(
                f"block_diag: Input tensors must have 2 or fewer dimensions, got {t.shape}"
            )
    mats = [t.reshape(1, -1) if t.ndim < 2 else t for t in ts]
    total = builtins.sum(m.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        rows.append(pad(m, (left, total - left - m.shape[1])))
        left += m.shape[1]
    return cat(rows, 0)


@register("broadcast_tensors", method=False)
def broadcast_tensors(*tensors: Tensor) -> tuple:
    """The tensors expanded to their common broadcast shape.

    Example:
        >>> import chainrule
        >>> [t.shape for t in chainrule.broadcast_tensors(chainrule.ones(3, 1), chainrule.ones(4))]
        [(3, 4), (3, 4)]
    """
    ts = _tensors(tensors, "broadcast_tensors")
    try:
        shape = np.broadcast_shapes(*(t.shape for t in ts))
    except ValueError:
        raise ShapeError(
            f"broadcast_tensors: shapes {[t.shape for t in ts]} cannot be broadcast together"
        ) from None
    return tuple(t if t.shape == shape else t.expand(shape) for t in ts)


def broadcast_shapes(*shapes: Any) -> tuple:
    """The shape that ``shapes`` broadcast to (``torch.broadcast_shapes``).

    Example:
        >>> import chainrule
        >>> chainrule.broadcast_shapes((3, 1), (4,))
        (3, 4)
    """
    try:
        return tuple(
            np.broadcast_shapes(*(tuple(s) if not isinstance(s, int) else (s,) for s in shapes))
        )
    except ValueError:
        raise ShapeError(f"broadcast_shapes: shapes {list(shapes)} cannot be broadcast") from None
