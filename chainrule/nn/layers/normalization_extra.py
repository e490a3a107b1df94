"""More normalization layers, as ``torch.nn``'s: ``RMSNorm``, ``LocalResponseNorm``,
``CrossMapLRN2d``, and ``ChannelShuffle``; ``local_response_norm`` is the functional form
(``rms_norm`` and ``channel_shuffle`` are registered ops in ``autograd/ops/nnlayers.py``).

The cross-channel windows of the two LRN layers are written as a constant (C, C) band
matrix applied to the squared input, so the forward is one matmul and the gradient (double
backward too) comes from the composite.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.ops.nnlayers import channel_shuffle, rms_norm
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter

__all__ = ["RMSNorm", "LocalResponseNorm", "CrossMapLRN2d", "ChannelShuffle"]
__functional__ = ["local_response_norm"]


def _window_sum(sq: Tensor, band: np.ndarray) -> Tensor:
    """``out[:, c] = sum_j band[c, j] * sq[:, j]`` for ``sq`` of shape (N, C, *)."""
    n, c = sq.shape[0], sq.shape[1]
    m = Tensor._wrap(band.astype(sq.dtype))
    return (m @ sq.reshape(n, c, -1)).reshape(sq.shape)


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """Normalize each channel by its neighbours:
    ``x / (k + alpha * mean_{window} x**2) ** beta`` over a window of ``size`` channels
    (zero-padded, ``size // 2`` before and ``(size - 1) // 2`` after), as
    ``torch.nn.functional.local_response_norm``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.local_response_norm(chainrule.ones(1, 3, 2), 2, alpha=1.0, beta=1.0).shape
        (1, 3, 2)
    """
    if input.ndim < 3:
        raise ValueError(
            f"local_response_norm: expected 3D or higher dimensionality input (got {input.ndim} "
            f"dimensions, shape {input.shape})"
        )
    if input.numel() == 0:
        return input
    c = input.shape[1]
    i = np.arange(c)
    d = i[None, :] - i[:, None]  # j - c
    band = ((d >= -(size // 2)) & (d <= (size - 1) // 2)) / size
    div = (_window_sum(input * input, band) * alpha + k) ** beta
    return input / div


class LocalResponseNorm(Module):
    """Local response normalization across channels, as ``torch.nn.LocalResponseNorm``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.LocalResponseNorm(2)
        LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)
        >>> nn.LocalResponseNorm(2)(chainrule.ones(1, 4, 3, 3)).shape
        (1, 4, 3, 3)
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        """Normalize ``input``."""
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


def _cross_map_band(c: int, size: int) -> np.ndarray:
    # PyTorch's legacy CrossMapLRN2d builds each channel's window by a running sum (add the
    # next square, drop the one ``pre_pad`` behind); replaying that recursion on one-hot rows
    # gives exactly its window, off-by-one at the start included.
    pre_pad = int((size - 1) / 2 + 1)
    eye = np.eye(c)
    rows = [eye[: min(pre_pad, c)].sum(0)]
    for ch in range(1, c):
        r = rows[-1].copy()
        if ch < c - pre_pad + 1:
            r = r + eye[ch + pre_pad - 1]
        if ch > pre_pad:
            r = r - eye[ch - pre_pad]
        rows.append(r)
    return np.stack(rows)


class CrossMapLRN2d(Module):
    """PyTorch's legacy cross-channel LRN over 4-d input:
    ``x * (k + alpha / size * sum_{window} x**2) ** -beta``, as ``torch.nn.CrossMapLRN2d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.CrossMapLRN2d(3)
        CrossMapLRN2d(3, alpha=0.0001, beta=0.75, k=1)
        >>> nn.CrossMapLRN2d(3)(chainrule.ones(1, 4, 2, 2)).shape
        (1, 4, 2, 2)
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        """Normalize ``input`` of shape (N, C, H, W)."""
        if input.ndim != 4:
            raise ValueError(
                f"CrossMapLRN2d: Expected input to be 4D, got {input.ndim}D instead "
                f"(shape {input.shape})."
            )
        band = _cross_map_band(input.shape[1], self.size)
        scale = _window_sum(input * input, band) * (self.alpha / self.size) + self.k
        return input * scale ** (-self.beta)

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class RMSNorm(Module):
    """Root-mean-square normalization over the trailing ``normalized_shape`` dims with an
    elementwise ``weight`` (ones), as ``torch.nn.RMSNorm`` (``eps=None``: the dtype's machine
    epsilon).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> m = nn.RMSNorm(4)
        >>> m, list(m.state_dict()), m(chainrule.ones(2, 4)).shape
        (RMSNorm((4,), eps=None, elementwise_affine=True), ['weight'], (2, 4))
    """

    def __init__(
        self,
        normalized_shape: Any,
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(s) for s in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            from chainrule.backend import dtypes as _dt

            dt = np.dtype(dtype) if dtype is not None else _dt.get_default_dtype()
            self.weight = Parameter(Tensor._wrap(np.ones(self.normalized_shape, dt)))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        """Weight back to ones."""
        if self.weight is not None:
            self.weight._data[...] = 1
            self.weight._bump()

    def forward(self, x: Tensor) -> Tensor:
        """Normalize ``x``."""
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class ChannelShuffle(Module):
    """Interleave ``groups`` groups of channels, as ``torch.nn.ChannelShuffle``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ChannelShuffle(2)
        ChannelShuffle(groups=2)
        >>> nn.ChannelShuffle(2)(chainrule.arange(4.0).reshape(1, 4, 1, 1)).flatten().tolist()
        [0.0, 2.0, 1.0, 3.0]
    """

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        """Shuffle the channels of ``input``."""
        return channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return f"groups={self.groups}"
