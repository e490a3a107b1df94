"""Transformer encoder: ``TransformerEncoderLayer`` and ``TransformerEncoder`` (PyTorch layouts).

Submodule and parameter names match PyTorch (``self_attn.in_proj_weight``, ``linear1``,
``linear2``, ``norm1``, ``norm2``, ``layers.0....``), so state dicts load either way.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.nn.containers import ModuleList
from chainrule.nn.layers.attention import MultiheadAttention
from chainrule.nn.layers.dropout import Dropout
from chainrule.nn.layers.linear import Linear
from chainrule.nn.layers.normalization import LayerNorm
from chainrule.nn.module import Module

__all__ = ["TransformerEncoderLayer", "TransformerEncoder"]
__functional__: list[str] = []


def _activation(activation: str | Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    if callable(activation):
        return activation
    from chainrule.nn import functional as F

    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise ValueError(
        f"TransformerEncoderLayer: activation should be 'relu' or 'gelu' (or a callable), "
        f"got {activation!r}"
    )


class TransformerEncoderLayer(Module):
    """Self-attention block then feed-forward block, each with a residual connection and
    LayerNorm (after the residual, or before each block with ``norm_first=True``).

    ``forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False)``; ``src`` is
    ``(S, N, E)`` (``(N, S, E)`` with ``batch_first``) or unbatched ``(S, E)``. Masks as in
    :class:`MultiheadAttention` (bool ``True`` = ignore). Differs from PyTorch in that
    ``is_causal=True`` without ``src_mask`` builds the causal mask instead of raising.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16)
        >>> layer(chainrule.randn(5, 3, 8)).shape
        (5, 3, 8)
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation_relu_or_gelu = (
            1 if activation == "relu" else (2 if activation == "gelu" else 0)
        )
        self.activation = _activation(activation)

    def _sa_block(
        self, x: Tensor, attn_mask: Tensor | None, key_padding_mask: Tensor | None, is_causal: bool
    ) -> Tensor:
        x = self.self_attn(
            x,
            x,
            x,
            attn_mask=attn_mask,
            key_padding_mask=key_padding_mask,
            need_weights=False,
            is_causal=is_causal,
        )[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)

    def forward(
        self,
        src: Tensor,
        src_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool = False,
    ) -> Tensor:
        """Return the encoded sequence (same shape as ``src``).

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, norm_first=True)
            >>> layer(chainrule.randn(3, 5, 8), is_causal=True).shape
            (3, 5, 8)
        """
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x


class TransformerEncoder(Module):
    """A stack of ``num_layers`` deep copies of ``encoder_layer`` (``layers.0``, ``layers.1``,
    ...), then the optional final ``norm``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)
        >>> enc = nn.TransformerEncoder(layer, num_layers=2, norm=nn.LayerNorm(8))
        >>> enc(chainrule.randn(5, 3, 8)).shape
        (5, 3, 8)
    """

    def __init__(
        self,
        encoder_layer: TransformerEncoderLayer,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__()
        if not isinstance(num_layers, int) or num_layers < 0:
            raise ValueError(
                f"TransformerEncoder: num_layers must be a non-negative int, got {num_layers!r}"
            )
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor  # accepted for compatibility; no effect
        self.mask_check = mask_check

    def forward(
        self,
        src: Tensor,
        mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        """Run ``src`` through every layer (and ``norm``), passing the masks to each.

        ``is_causal=None`` (default) detects whether ``mask`` is exactly the causal mask, as
        PyTorch does; the result is the same either way.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 1, 8), 1)
            >>> enc(chainrule.randn(3, 4), is_causal=True).shape
            (3, 4)
        """
        if is_causal is None:
            is_causal = _is_causal_mask(mask)
        x = src
        for layer in self.layers:
            x = layer(
                x, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=is_causal
            )
        if self.norm is not None:
            x = self.norm(x)
        return x


def _is_causal_mask(mask: Tensor | None) -> bool:
    """Whether ``mask`` is the square causal mask (bool upper triangle, or -inf above it)."""
    if mask is None or mask.ndim != 2 or mask.shape[0] != mask.shape[1]:
        return False
    m = mask._data
    upper = np.triu(np.ones(m.shape, dtype=bool), 1)
    if m.dtype == np.bool_:
        return bool(np.array_equal(m, upper))
    return bool(np.all(np.isneginf(m[upper])) and np.all(m[~upper] == 0))
