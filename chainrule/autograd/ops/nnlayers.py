"""nn ops that PyTorch also exposes at the top level: ``channel_shuffle``, ``rms_norm``.

Both are composites of registered ops (reshape/transpose; square, mean, rsqrt), so their
gradients, double backward included, come from those ops.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.ops.registry import register
from chainrule.autograd.tensor import Tensor


@register("channel_shuffle", method=False, functional=True)
def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Split the channels (dim 1) of ``(N, C, *)`` into ``groups`` groups and interleave them:
    ``(N, g, C/g, *) -> (N, C/g, g, *)``, as ``torch.nn.functional.channel_shuffle``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.channel_shuffle(chainrule.arange(4.0).reshape(1, 4, 1), 2).flatten().tolist()
        [0.0, 2.0, 1.0, 3.0]
    """
    if input.ndim < 3:
        raise RuntimeError(
            "channel_shuffle: expects input to have at least 3 dimensions, but got input of "
            f"shape {input.shape}"
        )
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError(f"channel_shuffle: number of groups must be positive, got {groups}")
    n, c = input.shape[0], input.shape[1]
    if c % groups:
        raise RuntimeError(
            f"channel_shuffle: number of channels must be divisible by groups. Got {c} "
            f"channels and {groups} groups (input shape {input.shape})"
        )
    rest = tuple(input.shape[2:])
    x = input.reshape(n, groups, c // groups, *rest).transpose(1, 2)
    return x.reshape(input.shape)


@register("rms_norm", method=False, functional=True)
def rms_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """Root-mean-square normalization over the last ``len(normalized_shape)`` dims:
    ``x / sqrt(mean(x**2) + eps) * weight``, as ``torch.nn.functional.rms_norm``
    (``eps=None``: the machine epsilon of the input's dtype).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> [round(v, 4) for v in F.rms_norm(chainrule.tensor([3.0, 4.0]), [2], eps=0.0).tolist()]
        [0.8485, 1.1314]
    """
    shape = (int(normalized_shape),) if isinstance(normalized_shape, int) else tuple(
        int(s) for s in normalized_shape
    )  # fmt: skip
    k = len(shape)
    if k == 0 or tuple(input.shape[input.ndim - k :]) != shape or input.ndim < k:
        raise RuntimeError(
            f"rms_norm: given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size {list(input.shape)}"
        )
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(
            f"rms_norm: expected weight to be of the same shape as normalized_shape "
            f"{list(shape)}, but got weight of shape {list(weight.shape)}"
        )
    if eps is None:
        eps = float(np.finfo(input.dtype).eps) if input.dtype.kind == "f" else 1.1920929e-07
    dims = tuple(range(input.ndim - k, input.ndim))
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight
