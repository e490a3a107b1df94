"""Sorting and selection: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, quantile,
nanquantile, unique, unique_consecutive, searchsorted, bucketize.

Values are gathered from the input at the selected indices (``gather``), so the gradient is routed
to exactly those elements, as in PyTorch. The exceptions are the global ``median()`` /
``nanmedian()`` (no ``dim``), which share the gradient evenly between all elements equal to the
result, as PyTorch's do. Sorting is stable (ties keep their original order, NaN sorts as the
largest value), which also decides which of several tied elements ``topk``/``kthvalue``/
``median(dim)`` select (PyTorch leaves that unspecified).
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops import return_types
from chainrule.autograd.ops._select import select_along
from chainrule.autograd.ops._util import normalize_dim
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.tensor import Tensor

_wrap = Tensor._wrap
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _check_tensor(input: Any, op: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")


def _argsort(a: np.ndarray, axis: int, descending: bool = False) -> np.ndarray:
    """Stable argsort along ``axis``; NaN is the largest value (first when descending)."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    # stable descending: reverse, sort ascending, reverse the order back
    n = a.shape[axis]
    rev = np.flip(a, axis=axis)
    return (n - 1) - np.flip(np.argsort(rev, axis=axis, kind="stable"), axis=axis)


def _order_masks(am: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(less, greater, equal)`` of ``am`` against the per-row value ``t`` in sort order (NaN
    is the largest value and equal to NaN)."""
    if am.dtype.kind != "f":
        return am < t, am > t, am == t
    na, nt = np.isnan(am), np.isnan(t)
    return (am < t) | (~na & nt), (am > t) | (na & ~nt), (am == t) | (na & nt)


def _kth_index(a: np.ndarray, axis: int, k: int) -> np.ndarray:
    """Index (keepdim-shaped) of the ``k``-th smallest (1-based) element along ``axis``: the one
    a stable sort puts at position ``k - 1``, found with a partition (O(n)) instead of a sort."""
    am = np.moveaxis(a, axis, -1)
    t = np.partition(am, k - 1, axis=-1)[..., k - 1 : k]
    less, _, equal = _order_masks(am, t)
    occurrence = k - less.sum(axis=-1, keepdims=True)  # which of the equal ones (1-based)
    pos = np.argmax(equal & (np.cumsum(equal, axis=-1) == occurrence), axis=-1, keepdims=True)
    return np.moveaxis(pos, -1, axis)


def _topk_index(a: np.ndarray, axis: int, k: int, largest: bool) -> np.ndarray:
    """Indices of the first ``k`` elements of a stable (descending when ``largest``) sort along
    ``axis``: a partition finds the k-th value, then only the ``k`` selected are sorted."""
    n = a.shape[axis]
    if k == 0 or 2 * k > n:
        return np.take(_argsort(a, axis, descending=largest), range(k), axis=axis)
    am = np.moveaxis(a, axis, -1)
    kth = n - k if largest else k - 1
    t = np.partition(am, kth, axis=-1)[..., kth : kth + 1]
    less, greater, equal = _order_masks(am, t)
    better = greater if largest else less
    need = k - better.sum(axis=-1, keepdims=True)
    sel = better | (equal & (np.cumsum(equal, axis=-1) <= need))  # exactly k per row
    cand = np.nonzero(sel.reshape(-1, n))[1].reshape(am.shape[:-1] + (k,))  # index order
    order = _argsort(np.take_along_axis(am, cand, axis=-1), -1, descending=largest)
    return np.moveaxis(np.take_along_axis(cand, order, axis=-1), -1, axis)


def _select(input: Tensor, d: int, idx: np.ndarray, keepdim: bool, kind: Any) -> Any:
    """``(values, indices)`` of ``input`` at ``idx`` (keepdim-shaped along ``d``)."""
    values = select_along(input, d, idx)
    if not keepdim:
        values = values.squeeze(d)
        idx = np.squeeze(idx, axis=d)
    return kind(values, _wrap(idx.astype(np.int64, copy=False)))


def _as_1d(input: Tensor) -> tuple[Tensor, bool]:
    """A 0-d tensor is handled as shape (1,) (its dim 0/-1), as PyTorch allows."""
    return (input.reshape(1), True) if input.ndim == 0 else (input, False)


def _scalar_out(res: Any, scalar: bool) -> Any:
    if not scalar:
        return res
    return type(res)(*(t.reshape(()) for t in res))


@register("sort")
def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """Sort along ``dim``: a named tuple ``(values, indices)``. Always stable (ties keep their
    order; ``stable=True`` asks for what is given anyway); NaN sorts as the largest value.

    Example:
        >>> import chainrule
        >>> r = chainrule.tensor([2.0, 1.0, 3.0]).sort(descending=True)
        >>> r.values.tolist(), r.indices.tolist()
        ([3.0, 2.0, 1.0], [2, 0, 1])
    """
    _check_tensor(input, "sort")
    x, scalar = _as_1d(input)
    d = normalize_dim(dim, x.ndim, "sort")
    idx = _argsort(x._data, d, descending)
    return _scalar_out(_select(x, d, idx, True, return_types.sort), scalar)


@register("argsort", differentiable=False)
def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """Indices that sort ``input`` along ``dim`` (stable).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([2.0, 1.0, 3.0]).argsort().tolist()
        [1, 0, 2]
    """
    _check_tensor(input, "argsort")
    if input.ndim == 0:
        normalize_dim(dim, 0, "argsort")
        return _wrap(np.zeros((), np.int64))
    d = normalize_dim(dim, input.ndim, "argsort")
    return _wrap(_argsort(input._data, d, descending).astype(np.int64, copy=False))


@register("msort")
def msort(input: Tensor) -> Tensor:
    """Sort along the first dimension; the values only (``sort(input, dim=0).values``).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([[2.0, 1.0], [0.0, 3.0]]).msort().tolist()
        [[0.0, 1.0], [2.0, 3.0]]
    """
    return sort(input, dim=0).values


def _size_along(input: Tensor, d: int) -> int:
    return input.shape[d] if input.ndim else 1


@register("topk")
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
    """The ``k`` largest (``largest=False``: smallest) elements along ``dim`` and their indices.
    The result is always sorted (``sorted=False`` allows any order; this one is it).

    Example:
        >>> import chainrule
        >>> r = chainrule.tensor([1.0, 5.0, 3.0, 4.0]).topk(2)
        >>> r.values.tolist(), r.indices.tolist()
        ([5.0, 4.0], [1, 3])
    """
    _check_tensor(input, "topk")
    x, scalar = _as_1d(input)
    d = normalize_dim(dim, x.ndim, "topk")
    n = x.shape[d]
    if not 0 <= k <= n:
        raise RuntimeError(
            f"topk: k ({k}) is out of range for dimension {dim} of size {n} "
            f"(input shape {input.shape}); expected 0 <= k <= {n}"
        )
    idx = _topk_index(x._data, d, k, largest)
    return _scalar_out(_select(x, d, idx, True, return_types.topk), scalar)


@register("kthvalue")
def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """The ``k``-th smallest element (1-based) along ``dim`` and its index. Of several equal
    elements, the index is the one a stable sort puts at position ``k`` (PyTorch: unspecified).

    Example:
        >>> import chainrule
        >>> r = chainrule.tensor([3.0, 1.0, 2.0]).kthvalue(2)
        >>> r.values.item(), r.indices.item()
        (2.0, 2)
    """
    _check_tensor(input, "kthvalue")
    x, scalar = _as_1d(input)
    d = normalize_dim(dim, x.ndim, "kthvalue")
    n = x.shape[d]
    if not 1 <= k <= n:
        raise RuntimeError(
            f"kthvalue: k ({k}) is out of range for dimension {dim} of size {n} "
            f"(input shape {input.shape}); expected 1 <= k <= {n}"
        )
    idx = _kth_index(x._data, d, k)
    return _scalar_out(_select(x, d, idx, keepdim or scalar, return_types.kthvalue), scalar)


@primitive
class EvenlyShared(Function):
    """A value selected from the input (e.g. the global median); its gradient is shared evenly
    between the input elements in ``mask`` (those equal to it), as PyTorch's
    ``evenly_distribute_backward``."""

    def forward(self, a, value, mask):
        self.mask = mask
        return np.asarray(value, dtype=a.dtype)

    def backward(self, g):
        share = self.mask / np.asarray(builtins.max(int(self.mask.sum()), 1), g.dtype)
        return g * _wrap(share.astype(g.dtype, copy=False))


def _global_median(input: Tensor, ignore_nan: bool) -> Tensor:
    op = "nanmedian" if ignore_nan else "median"
    a = input._data.reshape(-1)
    if a.size == 0:
        raise RuntimeError(f"{op}: cannot compute the median of an empty tensor")
    nan = np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, bool)
    valid = a[~nan] if ignore_nan else a
    if nan.all() or (nan.any() and not ignore_nan):
        value, mask = np.asarray(np.nan, a.dtype), nan
    else:
        value = np.sort(valid)[(valid.size - 1) // 2]
        mask = a == value
    return EvenlyShared.apply(input, value=value, mask=mask.reshape(input.shape))


def _median_dim(input: Tensor, dim: int, keepdim: bool, ignore_nan: bool, kind: Any) -> Any:
    op = kind.__name__
    x, scalar = _as_1d(input)
    d = normalize_dim(dim, x.ndim, op)
    a = x._data
    n = a.shape[d]
    if n == 0:
        raise IndexError(f"{op}: dimension {dim} of the input (shape {input.shape}) is empty")
    nan = np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, bool)
    n_nan = nan.sum(axis=d, keepdims=True)
    if ignore_nan:  # the position depends on the row's NaN count: a full (stable) sort
        pos = np.maximum((n - n_nan - 1) // 2, 0)
        idx = np.take_along_axis(_argsort(a, d), pos, axis=d)
    else:
        idx = _kth_index(a, d, (n - 1) // 2 + 1)
        first_nan = np.argmax(nan, axis=d, keepdims=True)
        idx = np.where(n_nan > 0, first_nan, idx)
    return _scalar_out(_select(x, d, idx, keepdim or scalar, kind), scalar)


@register("median")
def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower median of all elements (``dim=None``; NaN if any is NaN), or the named tuple
    ``(values, indices)`` along ``dim``. Without ``dim`` the gradient is shared evenly between
    the elements equal to the median, as PyTorch's. With ``dim``, of several equal elements the
    index is the one a stable sort puts at the median position (PyTorch: unspecified).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([4.0, 1.0, 3.0, 2.0]).median().item()
        2.0
        >>> chainrule.tensor([[4.0, 1.0, 3.0]]).median(dim=1).indices.tolist()
        [2]
    """
    _check_tensor(input, "median")
    if dim is None:
        return _global_median(input, ignore_nan=False)
    return _median_dim(input, dim, keepdim, False, return_types.median)


@register("nanmedian")
def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """``median`` ignoring NaN (NaN only where everything is NaN).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([1.0, float("nan"), 3.0, 2.0]).nanmedian().item()
        2.0
    """
    _check_tensor(input, "nanmedian")
    if dim is None:
        return _global_median(input, ignore_nan=True)
    return _median_dim(input, dim, keepdim, True, return_types.nanmedian)


@register("mode")
def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:
    """The most frequent value along ``dim`` (the smallest of several equally frequent ones) and
    the index of its last occurrence, as PyTorch's.

    Example:
        >>> import chainrule
        >>> r = chainrule.tensor([1.0, 2.0, 2.0, 1.0, 3.0]).mode()
        >>> r.values.item(), r.indices.item()
        (1.0, 3)
    """
    _check_tensor(input, "mode")
    x, scalar = _as_1d(input)
    d = normalize_dim(dim, x.ndim, "mode")
    if x.shape[d] == 0:
        raise IndexError(f"mode: dimension {dim} of the input (shape {input.shape}) is empty")
    a = np.moveaxis(x._data, d, -1)
    order = np.argsort(a, axis=-1, kind="stable")
    s = np.take_along_axis(a, order, axis=-1)
    n = s.shape[-1]
    ar = np.broadcast_to(np.arange(n), s.shape)
    new = np.ones(s.shape, bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    start = np.maximum.accumulate(np.where(new, ar, 0), axis=-1)
    end_new = np.ones(s.shape, bool)
    end_new[..., :-1] = new[..., 1:]
    end = np.flip(np.minimum.accumulate(np.flip(np.where(end_new, ar, n), -1), axis=-1), -1)
    best = np.argmax(end - start, axis=-1)[..., None]  # first = smallest value among ties
    last = np.take_along_axis(end, best, axis=-1)
    idx = np.moveaxis(np.take_along_axis(order, last, axis=-1), -1, d)
    return _scalar_out(_select(x, d, idx, keepdim or scalar, return_types.mode), scalar)


def _quantile(
    input: Tensor, q: Any, dim: Any, keepdim: bool, interpolation: str, ignore_nan: bool
) -> Tensor:
    op = "nanquantile" if ignore_nan else "quantile"
    _check_tensor(input, op)
    if input._data.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point input tensor, got dtype {input.dtype}")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(
            f"{op}: interpolation must be one of {', '.join(_INTERPOLATIONS)}; "
            f"got {interpolation!r}"
        )
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise ValueError(f"{op}: q must be a scalar or a 1-D tensor, got shape {q.shape}")
        if q.dtype != input.dtype:
            raise TypeError(
                f"{op}: q (dtype {q.dtype}) must have the input's dtype ({input.dtype})"
            )
        qa, q_scalar = np.asarray(q._data, np.float64).reshape(-1), q.ndim == 0
    elif isinstance(q, (int, float, np.number)) and not isinstance(q, bool):
        qa, q_scalar = np.asarray([q], np.float64), True
    else:
        raise TypeError(f"{op}: q must be a float or a Tensor, got {type(q).__name__}")
    if qa.size and (np.isnan(qa).any() or qa.min() < 0 or qa.max() > 1):
        raise ValueError(f"{op}: q values must be in the range [0, 1], got {qa.tolist()}")
    if input.numel() == 0:
        raise RuntimeError(f"{op}: input tensor is empty (shape {input.shape})")
    if dim is None:
        x, d = input.reshape(-1), 0
        out_shape = (1,) * input.ndim if keepdim else ()
    else:
        x, _ = _as_1d(input)
        d = normalize_dim(dim, x.ndim, op)
        out_shape = tuple(1 if i == d else s for i, s in enumerate(input.shape))
        if not keepdim:
            out_shape = tuple(s for i, s in enumerate(input.shape) if i != d)
    xm = x.movedim(d, -1)  # (..., n)
    n = xm.shape[-1]
    order = np.argsort(xm._data, axis=-1, kind="stable")
    srt = select_along(xm, xm.ndim - 1, order)  # sorted, NaN last; the gradient follows
    nan_count = np.isnan(xm._data).sum(axis=-1, keepdims=True)
    valid = (n - nan_count) if ignore_nan else np.full(nan_count.shape, n)
    dt = input._data.dtype
    rank = qa.astype(dt) * (valid - 1).astype(dt)  # (..., Q), in the input dtype as PyTorch
    # a row with NaN (quantile) or only NaN (nanquantile) gives NaN: point at the last element
    bad = (valid == 0) if ignore_nan else (nan_count > 0)
    rank = np.where(bad, np.asarray(n - 1, dt), rank)
    if interpolation == "lower":
        rank = np.floor(rank)
    elif interpolation == "higher":
        rank = np.ceil(rank)
    elif interpolation == "nearest":
        rank = np.round(rank)
    lo = np.floor(rank).astype(np.int64)
    hi = np.ceil(rank).astype(np.int64)
    v_lo = _pick(srt, lo)
    if interpolation in ("lower", "higher", "nearest"):
        out = v_lo
    else:
        v_hi = _pick(srt, hi)
        w = np.full(rank.shape, 0.5) if interpolation == "midpoint" else rank - lo
        w = _wrap(w.astype(dt))
        if interpolation == "linear" and isinstance(q, Tensor) and q.requires_grad:
            # the weight rank - lo = q * (n - 1) - lo is differentiable in q, as in PyTorch
            from chainrule.autograd.ops.elementwise import where

            w = q.reshape(-1) * _wrap((valid - 1).astype(dt)) - _wrap(lo.astype(dt))
            if bad.any():
                w = where(_wrap(~np.broadcast_to(bad, w.shape)), w, 0.0)
        out = v_lo + (v_hi - v_lo) * w
    # (..., Q) -> (Q, *out_shape)
    out = out.movedim(-1, 0).reshape((len(qa),) + out_shape)
    return out.reshape(out_shape) if q_scalar else out


def _pick(srt: Tensor, ranks: np.ndarray) -> Tensor:
    """``srt`` at ``ranks`` along its last axis (ranks may repeat: the general ``gather``)."""
    from chainrule.autograd.ops.indexing import gather

    return gather(srt, -1, _wrap(ranks))


@register("quantile")
def quantile(
    input: Tensor,
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """The ``q``-th quantiles (a float or a 1-D tensor in [0, 1]) over ``dim`` (all elements
    when None). ``interpolation``: linear, lower, higher, midpoint or nearest (halves to even).
    A tensor ``q`` puts its dimension first in the result (and, with linear interpolation, gets
    a gradient, as in PyTorch). NaN anywhere in a reduced row gives NaN.

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([0.0, 1.0, 2.0, 3.0])
        >>> x.quantile(0.5).item(), x.quantile(0.5, interpolation="lower").item()
        (1.5, 1.0)
    """
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=False)


@register("nanquantile")
def nanquantile(
    input: Tensor,
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """``quantile`` ignoring NaN (NaN only for rows that are all NaN).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([0.0, float("nan"), 2.0]).nanquantile(0.5).item()
        1.0
    """
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=True)


def _unique_result(out: np.ndarray, inverse: Any, counts: Any, ri: bool, rc: bool) -> Any:
    res = [_wrap(out)]
    if ri:
        res.append(_wrap(np.asarray(inverse, dtype=np.int64)))
    if rc:
        res.append(_wrap(np.asarray(counts, dtype=np.int64)))
    return res[0] if len(res) == 1 else tuple(res)


@register("unique", differentiable=False)
def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct elements (slices along ``dim``), sorted; optionally the index of each input
    element in the result (``return_inverse``) and how often each occurs (``return_counts``).
    Always sorted (``sorted=False`` allows any order, as PyTorch's CPU version also sorts).
    Not differentiable: the result never requires grad (PyTorch's raises in backward). Each NaN
    is distinct, as in PyTorch.

    Example:
        >>> import chainrule
        >>> out, inv = chainrule.tensor([3, 1, 3, 2]).unique(return_inverse=True)
        >>> out.tolist(), inv.tolist()
        ([1, 2, 3], [2, 0, 2, 1])
    """
    _check_tensor(input, "unique")
    a = input._data
    if dim is None:
        flat = a.reshape(-1)
        out, inv, cnt = np.unique(flat, return_inverse=True, return_counts=True, equal_nan=False)
        return _unique_result(out, inv.reshape(a.shape), cnt, return_inverse, return_counts)
    d = normalize_dim(dim, a.ndim, "unique")
    out, inv, cnt = np.unique(a, return_inverse=True, return_counts=True, axis=d)
    return _unique_result(out, inv.reshape(-1), cnt, return_inverse, return_counts)


@register("unique_consecutive", differentiable=False)
def unique_consecutive(
    input: Tensor,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """Collapse each run of equal consecutive elements (slices along ``dim``) to one.

    Example:
        >>> import chainrule
        >>> out, cnt = chainrule.tensor([1, 1, 2, 2, 1]).unique_consecutive(return_counts=True)
        >>> out.tolist(), cnt.tolist()
        ([1, 2, 1], [2, 2, 1])
    """
    _check_tensor(input, "unique_consecutive")
    a = input._data
    if dim is None:
        flat = a.reshape(-1)
        keep = np.ones(flat.shape, bool)
        keep[1:] = flat[1:] != flat[:-1]
        out = flat[keep]
        shape = a.shape
    else:
        d = normalize_dim(dim, a.ndim, "unique_consecutive")
        rows = np.moveaxis(a, d, 0).reshape(a.shape[d], -1)
        keep = np.ones(rows.shape[0], bool)
        keep[1:] = (rows[1:] != rows[:-1]).any(axis=1)
        out = np.compress(keep, a, axis=d)
        shape = (a.shape[d],)
    inverse = (np.cumsum(keep) - 1).reshape(shape)
    starts = np.flatnonzero(keep)
    counts = np.diff(np.append(starts, keep.size))
    return _unique_result(out, inverse, counts, return_inverse, return_counts)


def _int_out(a: np.ndarray, out_int32: bool) -> Tensor:
    return _wrap(np.asarray(a, dtype=np.int32 if out_int32 else np.int64))


@register("searchsorted", method=False, differentiable=False)
def searchsorted(
    sorted_sequence: Tensor,
    input: Any,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Any = None,
) -> Tensor:
    """Indices where ``input`` would be inserted into ``sorted_sequence`` (along its last
    dimension) to keep it sorted. ``right=True`` / ``side="right"``: after equal elements.
    ``sorter``: indices that sort an unsorted ``sorted_sequence``. An N-D sequence searches each
    row with the matching row of ``input`` (leading dimensions must match).

    Example:
        >>> import chainrule
        >>> seq = chainrule.tensor([1, 3, 5, 7])
        >>> chainrule.searchsorted(seq, chainrule.tensor([3, 6])).tolist()
        [1, 3]
        >>> chainrule.searchsorted(seq, 3, right=True).item()
        2
    """
    _check_tensor(sorted_sequence, "searchsorted")
    if side is not None:
        if side not in ("left", "right"):
            raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
        if right and side == "left":
            raise ValueError(
                "searchsorted: side and right can't be set to opposites, got side of left "
                "while right was True"
            )
        right = side == "right"
    how = "right" if right else "left"
    seq = sorted_sequence._data
    if seq.ndim == 0:
        raise ValueError("searchsorted: sorted_sequence must have at least 1 dimension, got 0-d")
    if sorter is not None:
        srt = sorter._data if isinstance(sorter, Tensor) else np.asarray(sorter)
        if srt.shape != seq.shape or srt.dtype.kind not in "iu":
            raise ValueError(
                f"searchsorted: sorter must be an integer tensor of the sequence's shape "
                f"{seq.shape}, got {srt.dtype} of shape {srt.shape}"
            )
        seq = np.take_along_axis(seq, srt, axis=-1)
    vals = input._data if isinstance(input, Tensor) else np.asarray(input)
    if seq.ndim == 1:
        return _int_out(np.searchsorted(seq, vals, side=how), out_int32)
    if vals.shape[:-1] != seq.shape[:-1]:
        raise ValueError(
            f"searchsorted: the leading dimensions of sorted_sequence (shape {seq.shape}) and "
            f"input (shape {vals.shape}) must match (all but the last)"
        )
    s2 = seq.reshape(-1, seq.shape[-1])
    v2 = vals.reshape(-1, vals.shape[-1])
    out = np.stack([np.searchsorted(s, v, side=how) for s, v in zip(s2, v2)])
    return _int_out(out.reshape(vals.shape), out_int32)


@register("bucketize", method=False, differentiable=False)
def bucketize(
    input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False
) -> Tensor:
    """Index of the bucket of each element of ``input`` given 1-D sorted ``boundaries``:
    ``boundaries[i-1] < x <= boundaries[i]`` (``right=True``: ``boundaries[i-1] <= x <
    boundaries[i]``).

    Example:
        >>> import chainrule
        >>> b = chainrule.tensor([1, 3, 5])
        >>> chainrule.bucketize(chainrule.tensor([0, 3, 6]), b).tolist()
        [0, 1, 3]
    """
    _check_tensor(boundaries, "bucketize")
    if boundaries.ndim != 1:
        raise ValueError(
            f"bucketize: boundaries must be a 1-D tensor, got shape {boundaries.shape}"
        )
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
