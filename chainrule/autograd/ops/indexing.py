"""Indexing ops: ``x[idx]``, gather/scatter_add, index_select, masked_fill, one_hot, tril/triu.

Backward of indexing scatters the gradient into a zero tensor of the input's shape. With
advanced (integer-array) indices the same element can be picked several times; the scatter then
*accumulates* (``np.add.at``), so every pick contributes its gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops._util import normalize_dim
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.tensor import Tensor

_wrap = Tensor._wrap


class IndexOutOfBoundsError(IndexError, RuntimeError):
    """An index outside its dimension. PyTorch raises ``RuntimeError`` here; this is both an
    ``IndexError`` and a ``RuntimeError``, so either ``except`` clause catches it."""


def check_index_bounds(op: str, idx: np.ndarray, dim: int, n: int) -> None:
    """Refuse indices outside ``[0, n)`` (PyTorch's gather/scatter/index_select do not wrap
    negative indices), naming the first bad one as PyTorch does."""
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexOutOfBoundsError(
            f"{op}: index {bad} is out of bounds for dimension {dim} with size {n}"
        )


def _convert_index(index: Any) -> tuple[Any, bool]:
    """Turn a user index into a NumPy index; report whether it is advanced (array-based)."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    advanced = False
    for it in items:
        if isinstance(it, Tensor):
            it = it._data
            if it.dtype.kind not in "iub":
                raise IndexError(
                    f"indexing: tensors used as indices must be integer or bool, got {it.dtype}"
                )
        elif isinstance(it, list):
            it = np.asarray(it)
        if isinstance(it, np.ndarray):
            advanced = True
            if it.dtype.kind == "f":
                raise IndexError(f"indexing: array indices must be integer or bool, got {it.dtype}")
        out.append(it)
    return tuple(out), advanced


@primitive
class GetItem(Function):
    def forward(self, a, index, advanced):
        self.index, self.advanced, self.shape = index, advanced, a.shape
        try:
            return a[index]
        except IndexError as e:
            raise IndexError(f"indexing: {e} (tensor shape {a.shape})") from None

    def backward(self, g):
        return IndexBackward.apply(g, index=self.index, advanced=self.advanced, shape=self.shape)

    def vjp(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        if self.advanced:
            np.add.at(out, self.index, g)
        else:
            out[self.index] = g
        return out


class _GetItemView(GetItem):
    """Basic indexing returns a view of the input, so the two share one version counter."""

    is_view = True

    @classmethod
    def name(cls) -> str:
        return "GetItemBackward"


@primitive
class IndexBackward(Function):
    """Scatter ``g`` into zeros of ``shape`` at ``index`` (accumulating repeated indices)."""

    def forward(self, g, index, advanced, shape):
        self.index, self.advanced = index, advanced
        out = np.zeros(shape, dtype=g.dtype)
        if advanced:
            np.add.at(out, index, g)
        else:
            out[index] = g
        return out

    def backward(self, gg):
        cls = GetItem if self.advanced else _GetItemView
        return cls.apply(gg, index=self.index, advanced=self.advanced)


def getitem(input: Tensor, index: Any) -> Tensor:
    """``input[index]``: ints, slices, None, Ellipsis, boolean masks and integer arrays.

    Example:
        >>> import chainrule
        >>> x = chainrule.arange(6).reshape(2, 3)
        >>> x[1, 1:].tolist(), x[x > 3].tolist(), x[[0, 0]].shape
        ([4, 5], [4, 5], (2, 3))
    """
    idx, advanced = _convert_index(index)
    return (GetItem if advanced else _GetItemView).apply(input, index=idx, advanced=advanced)


def setitem(input: Tensor, index: Any, value: Any) -> None:
    """``input[index] = value`` in place, for tensors that do not need gradients.

    Example:
        >>> import chainrule
        >>> x = chainrule.zeros(3); x[1] = 5.0; x.tolist()
        [0.0, 5.0, 0.0]
    """
    input._check_inplace("__setitem__")
    idx, _ = _convert_index(index)
    v = value._data if isinstance(value, Tensor) else value
    try:
        input._data[idx] = v
    except ValueError as e:
        raise ValueError(f"setitem: {e} (tensor shape {input.shape})") from None
    input._bump()


def _along_axis_index(idx: np.ndarray, axis: int) -> tuple:
    """Full index tuple selecting ``idx`` along ``axis`` and every position elsewhere."""
    nd = idx.ndim
    full = []
    for d in range(nd):
        if d == axis:
            full.append(idx)
        else:
            shape = [1] * nd
            shape[d] = idx.shape[d]
            full.append(np.arange(idx.shape[d]).reshape(shape))
    return tuple(full)


def _check_gather_index(op: str, input: Tensor, dim: int, index: Tensor) -> np.ndarray:
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer tensor, got {idx.dtype}")
    if idx.ndim != input.ndim:
        raise ValueError(
            f"{op}: index has {idx.ndim} dims but input has {input.ndim} "
            f"(shapes {idx.shape} and {input.shape})"
        )
    for d in range(idx.ndim):
        if d != dim and idx.shape[d] > input.shape[d]:
            raise ValueError(
                f"{op}: index shape {idx.shape} exceeds input shape {input.shape} in dim {d}"
            )
    check_index_bounds(op, idx, dim, input.shape[dim] if input.ndim else 1)
    return idx


@primitive
class Gather(Function):
    def forward(self, a, axis, index):
        self.axis, self.index, self.shape = axis, index, a.shape
        return a[_along_axis_index(index, axis)]

    def backward(self, g):
        zeros = _wrap(np.zeros(self.shape, dtype=g.dtype))
        return ScatterAdd.apply(zeros, g, axis=self.axis, index=self.index)


@primitive
class ScatterAdd(Function):
    def forward(self, a, src, axis, index):
        self.axis, self.index = axis, index
        out = a.copy()
        sl = tuple(slice(0, n) for n in index.shape)
        np.add.at(out, _along_axis_index(index, axis), src[sl])
        return out

    def backward(self, g):
        a, src = self.inputs
        ga = g if a.requires_grad else None
        gs = None
        if src.requires_grad:
            gs = Gather.apply(g, axis=self.axis, index=self.index)
            if gs.shape != src.shape:  # src may be larger than index: the rest gets no gradient
                from chainrule.autograd.ops.movement import pad

                widths = []
                for n_idx, n_src in reversed(list(zip(gs.shape, src.shape))):
                    widths += [0, n_src - n_idx]
                gs = pad(gs, tuple(widths))
        return ga, gs


@register("gather")
def gather(input: Tensor, dim: int, index: Any) -> Tensor:
    """``out[i][j] = input[i][index[i][j]]`` along ``dim`` (as ``torch.gather``).

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x.gather(1, chainrule.tensor([[1], [0]])).tolist()
        [[2.0], [3.0]]
    """
    d = normalize_dim(dim, input.ndim, "gather")
    idx = _check_gather_index("gather", input, d, index)
    return Gather.apply(input, axis=d, index=idx)


@register("scatter_add")
def scatter_add(input: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:
    """Out-of-place ``input.scatter_add_(dim, index, src)``: adds ``src`` at ``index`` along
    ``dim``, accumulating repeated indices.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(3).scatter_add(0, chainrule.tensor([0, 0, 2]),
        ...                                chainrule.ones(3)).tolist()
        [2.0, 0.0, 1.0]
    """
    d = normalize_dim(dim, input.ndim, "scatter_add")
    idx = _check_gather_index("scatter_add", input, d, index)
    if src.ndim != idx.ndim or any(a > b for a, b in zip(idx.shape, src.shape)):
        raise ValueError(
            f"scatter_add: src shape {src.shape} must be at least index shape "
            f"{idx.shape} in every dim"
        )
    if src.dtype != input.dtype:
        raise TypeError(
            f"scatter_add: src dtype {src.dtype} differs from input dtype {input.dtype}"
        )
    return ScatterAdd.apply(input, src, axis=d, index=idx)


@register("index_select")
def index_select(input: Tensor, dim: int, index: Any) -> Tensor:
    """Pick entries ``index`` (1-D integer) along ``dim``.

    Example:
        >>> import chainrule
        >>> chainrule.arange(6).reshape(3, 2).index_select(0, chainrule.tensor([2, 0])).tolist()
        [[4, 5], [0, 1]]
    """
    d = normalize_dim(dim, input.ndim, "index_select")
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.ndim != 1 or idx.dtype.kind not in "iu":
        raise ValueError(
            f"index_select: index must be a 1-D integer tensor, got shape "
            f"{idx.shape} dtype {idx.dtype}"
        )
    check_index_bounds("index_select", idx, d, input.shape[d] if input.ndim else 1)
    return GetItem.apply(input, index=(slice(None),) * d + (idx,), advanced=True)


@register("masked_fill")
def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    """Replace entries where ``mask`` is true by ``value`` (no gradient flows to them).

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([1.0, 2.0])
        >>> x.masked_fill(chainrule.tensor([True, False]), 0.0).tolist()
        [0.0, 2.0]
    """
    from chainrule.autograd.ops.elementwise import where

    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a bool tensor, got {m.dtype}")
    try:
        np.broadcast_shapes(m.shape, input.shape)
    except ValueError:
        raise ValueError(
            f"masked_fill: mask shape {m.shape} does not broadcast to the input shape {input.shape}"
        ) from None
    if isinstance(value, Tensor):
        value = value.to(input.dtype)
    return where(_wrap(m), value, input)


@register("one_hot", method=False, functional=True, differentiable=False)
def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Integer class indices to one-hot int64 vectors (as ``torch.nn.functional.one_hot``).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.one_hot(chainrule.tensor([0, 2]), 3).tolist()
        [[1, 0, 0], [0, 0, 1]]
    """
    idx = tensor._data
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected an integer tensor, got {idx.dtype}")
    if num_classes < 0:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise ValueError(
            f"one_hot: class values must be in [0, {num_classes}), got range "
            f"[{idx.min()}, {idx.max()}]"
        )
    return _wrap((idx[..., None] == np.arange(num_classes)).astype(np.int64))


def _tri(input: Tensor, diagonal: int, lower: bool) -> Tensor:
    if input.ndim < 2:
        raise ValueError(
            f"{'tril' if lower else 'triu'}: expects at least 2 dims, got shape {input.shape}"
        )
    n, m = input.shape[-2:]
    mask = np.tri(n, m, diagonal if lower else diagonal - 1, dtype=bool)
    if not lower:
        mask = ~mask
    from chainrule.autograd.ops.elementwise import where

    return where(_wrap(mask), input, _wrap(np.zeros((), input.dtype)))


@register("tril")
def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """Lower triangle of the last two dims (the rest set to 0).

    Example:
        >>> import chainrule
        >>> chainrule.ones(2, 2).tril().tolist()
        [[1.0, 0.0], [1.0, 1.0]]
    """
    return _tri(input, diagonal, lower=True)


@register("triu")
def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """Upper triangle of the last two dims (the rest set to 0).

    Example:
        >>> import chainrule
        >>> chainrule.ones(2, 2).triu().tolist()
        [[1.0, 1.0], [0.0, 1.0]]
    """
    return _tri(input, diagonal, lower=False)
