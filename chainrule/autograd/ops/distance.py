"""Distances and similarities: ``cdist``, ``pdist``, ``pairwise_distance``, ``cosine_similarity``.

All are composites of registered ops (differences, ``norm``, sums), so their gradients and
double backward come for free. Where a distance is exactly 0 the gradient is 0 (finite), as in
PyTorch: ``norm`` takes ``x / ||x||`` as 0 there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.ops.reduce import norm
from chainrule.autograd.ops.registry import register
from chainrule.autograd.tensor import Tensor

_wrap = Tensor._wrap
_INF = float("inf")


def _check_float(op: str, what: str, t: Any) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: {what} must be a Tensor, got {type(t).__name__}")
    if t.dtype.kind != "f":
        raise TypeError(f"{op}: {what} must be floating point, got dtype {t.dtype} ({t.shape})")
    return t


def _check_p(op: str, p: Any) -> float:
    if not isinstance(p, (int, float)) or p < 0 or p != p:
        raise ValueError(f"{op}: p must be a non-negative number (0, 1, 2, inf, ...), got {p!r}")
    return float(p)


def _vector_norm(d: Tensor, p: float, dim: int, keepdim: bool = False) -> Tensor:
    """p-norm of ``d`` over ``dim``; p = 0 counts the non-zero entries (no gradient, as the
    derivative is 0 almost everywhere)."""
    if p == 0:
        return _wrap(np.count_nonzero(d._data, axis=dim, keepdims=keepdim).astype(d.dtype))
    return norm(d, p, dim=dim, keepdim=keepdim)


def _check_same_dtype(op: str, a: Tensor, b: Tensor) -> None:
    if a.dtype != b.dtype:
        raise TypeError(f"{op}: x1 dtype {a.dtype} differs from x2 dtype {b.dtype}")


@register("cdist", method=False)
def cdist(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    compute_mode: str = "use_mm_for_euclid_dist_if_necessary",
) -> Tensor:
    """p-norm distance between each row of ``x1`` (..., P, M) and each row of ``x2`` (..., R, M):
    a (..., P, R) tensor (batch dims broadcast).

    ``p`` = 0 (count of differing coordinates), 1, 2, inf or any positive number. For p = 2,
    ``compute_mode`` chooses, as in PyTorch, the matrix-product form
    ``sqrt(|x|^2 + |y|^2 - 2 x.y)`` (fast, less accurate for close points) when P or R exceeds
    25 ("use_mm_for_euclid_dist_if_necessary"), always ("use_mm_for_euclid_dist") or never
    ("donot_use_mm_for_euclid_dist"). The gradient at a zero distance is 0. For p = inf with
    tied maxima the gradient is split over the ties (PyTorch gives each tie the full gradient).

    Example:
        >>> import chainrule
        >>> a = chainrule.tensor([[0.0, 0.0], [1.0, 1.0]])
        >>> chainrule.cdist(a, chainrule.tensor([[3.0, 4.0]])).tolist()
        [[5.0], [3.605551242828369]]
    """
    op = "cdist"
    _check_float(op, "x1", x1)
    _check_float(op, "x2", x2)
    _check_same_dtype(op, x1, x2)
    p = _check_p(op, p)
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise ValueError(
            f"{op}: x1 and x2 must be (..., P, M) and (..., R, M) with the same M, got "
            f"{x1.shape} and {x2.shape}"
        )
    modes = (
        "use_mm_for_euclid_dist_if_necessary",
        "use_mm_for_euclid_dist",
        "donot_use_mm_for_euclid_dist",
    )
    if compute_mode not in modes:
        raise ValueError(f"{op}: compute_mode must be one of {modes}, got {compute_mode!r}")
    P, R = x1.shape[-2], x2.shape[-2]
    use_mm = p == 2 and (
        compute_mode == "use_mm_for_euclid_dist"
        or (compute_mode == modes[0] and (P > 25 or R > 25))
    )
    if use_mm:
        from chainrule.autograd.ops.reduce import _root_at_zero_safe

        sq = (x1 * x1).sum(dim=-1).unsqueeze(-1) + (x2 * x2).sum(dim=-1).unsqueeze(-2)
        d2 = (sq - 2.0 * (x1 @ x2.transpose(-2, -1))).clamp(min=0.0)
        return _root_at_zero_safe(d2, 2)
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)  # (..., P, R, M)
    return _vector_norm(diff, p, -1)


@register("pdist", method=False, functional=True)
def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """p-norm distances between all pairs of rows ``i < j`` of an (N, M) input, as a flat
    tensor of N (N - 1) / 2 entries (the upper triangle of ``cdist(input, input)``).

    Example:
        >>> import chainrule
        >>> chainrule.pdist(chainrule.tensor([[0.0], [1.0], [3.0]])).tolist()
        [1.0, 3.0, 2.0]
    """
    op = "pdist"
    _check_float(op, "input", input)
    p = _check_p(op, p)
    if input.ndim != 2:
        raise ValueError(f"{op}: input must be 2-D (N, M), got shape {input.shape}")
    i, j = np.triu_indices(input.shape[0], 1)
    return _vector_norm(input[i] - input[j], p, -1)


@register("pairwise_distance", method=False, functional=True)
def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dimension (inputs broadcast), as PyTorch.

    Example:
        >>> import chainrule
        >>> d = chainrule.pairwise_distance(chainrule.tensor([[3.0, 4.0]]), chainrule.zeros(1, 2),
        ...                                 eps=0.0)
        >>> d.tolist()
        [5.0]
    """
    op = "pairwise_distance"
    _check_float(op, "x1", x1)
    _check_float(op, "x2", x2)
    _check_same_dtype(op, x1, x2)
    p = _check_p(op, p)
    nd = max(x1.ndim, x2.ndim)
    if nd == 0:
        raise ValueError(f"{op}: inputs must have at least 1 dimension, got {x1.shape}, {x2.shape}")
    return _vector_norm(x1 - x2 + eps, p, nd - 1, keepdim)


@register("cosine_similarity", method=False, functional=True)
def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``sum(x1 / max(|x1|, eps) * x2 / max(|x2|, eps))`` along ``dim`` (inputs broadcast).

    As in PyTorch 2, each norm is clamped to ``eps`` separately and the gradient flows through
    the clamp as if it were not there.

    Example:
        >>> import chainrule
        >>> a = chainrule.tensor([[1.0, 0.0], [1.0, 1.0]])
        >>> [round(v, 4) for v in chainrule.cosine_similarity(a, chainrule.ones(2, 2)).tolist()]
        [0.7071, 1.0]
    """
    op = "cosine_similarity"
    _check_float(op, "x1", x1)
    _check_float(op, "x2", x2)
    _check_same_dtype(op, x1, x2)
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(
            f"{op}: x1 {x1.shape} and x2 {x2.shape} cannot be broadcast together"
        ) from None
    if not -len(shape) <= dim < max(len(shape), 1):
        raise IndexError(f"{op}: dim {dim} is out of range for inputs of shape {shape}")
    if x1.shape != shape:
        x1 = x1.expand(*shape)
    if x2.shape != shape:
        x2 = x2.expand(*shape)
    d = dim % len(shape) if shape else 0

    def _unit(x: Tensor) -> Tensor:
        n = norm(x, 2, dim=d, keepdim=True)
        n = n + _wrap(np.maximum(n._data, eps).astype(n.dtype) - n._data)  # clamp, straight-through
        return x / n

    return (_unit(x1) * _unit(x2)).sum(dim=d)
