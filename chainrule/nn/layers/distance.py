"""Distance modules (``CosineSimilarity``, ``PairwiseDistance``) and ``F.normalize``.

The distances themselves are registered ops in ``chainrule.autograd.ops.distance`` (also
``chainrule.cdist`` / ``chainrule.pdist``); these are their module forms.
"""

from __future__ import annotations

from chainrule.autograd.ops.distance import (
    _check_float,
    _check_p,
    _vector_norm,
    cosine_similarity,
    pairwise_distance,
)
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]
__functional__ = ["normalize"]


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: None = None
) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.normalize(chainrule.tensor([[3.0, 4.0]])).tolist()
        [[0.6000000238418579, 0.800000011920929]]
    """
    _check_float("normalize", "input", input)
    p = _check_p("normalize", p)
    if out is not None:
        raise NotImplementedError("normalize: out= is not supported; use the returned tensor")
    if input.ndim == 0:
        raise ValueError("normalize: input must have at least 1 dimension, got a 0-d tensor")
    if not -input.ndim <= dim < input.ndim:
        raise IndexError(f"normalize: dim {dim} is out of range for input of shape {input.shape}")
    return input / _vector_norm(input, p, dim % input.ndim, keepdim=True).clamp(min=eps)


class CosineSimilarity(Module):
    """Module form of :func:`chainrule.cosine_similarity` along ``dim``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> round(nn.CosineSimilarity(dim=0)(chainrule.ones(3), -chainrule.ones(3)).item(), 6)
        -1.0
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """Module form of :func:`chainrule.pairwise_distance` (``||x1 - x2 + eps||_p``).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.PairwiseDistance(eps=0.0)(chainrule.ones(1, 4), chainrule.zeros(1, 4)).tolist()
        [2.0]
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
