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


# -- nnmisc: decoder and the full encoder-decoder Transformer -----------------------------------
__all__ += ["TransformerDecoderLayer", "TransformerDecoder", "Transformer"]


class TransformerDecoderLayer(Module):
    """Self-attention, cross-attention over ``memory``, then feed-forward, each with a residual
    connection and LayerNorm (after the residual, or before each block with ``norm_first``).

    ``forward(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False)``; shapes and
    masks as in :class:`TransformerEncoderLayer` (``tgt_is_causal=True`` without ``tgt_mask``
    builds the causal mask). Parameter names match PyTorch (``self_attn``, ``multihead_attn``,
    ``linear1``, ``linear2``, ``norm1``-``norm3``).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> layer = nn.TransformerDecoderLayer(d_model=8, nhead=2, dim_feedforward=16)
        >>> layer(chainrule.randn(4, 3, 8), chainrule.randn(5, 3, 8)).shape
        (4, 3, 8)
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
        mha = dict(dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, **mha)
        self.multihead_attn = MultiheadAttention(d_model, nhead, **mha)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _activation(activation)

    def _attend(
        self,
        attn: MultiheadAttention,
        drop: Dropout,
        x: Tensor,
        mem: Tensor,
        mask: Tensor | None,
        key_padding_mask: Tensor | None,
        is_causal: bool,
    ) -> Tensor:
        out = attn(
            x,
            mem,
            mem,
            attn_mask=mask,
            key_padding_mask=key_padding_mask,
            need_weights=False,
            is_causal=is_causal,
        )[0]
        return drop(out)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """Return the decoded sequence (same shape as ``tgt``).

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> layer = nn.TransformerDecoderLayer(8, 2, 16, batch_first=True, norm_first=True)
            >>> layer(chainrule.randn(3, 4, 8), chainrule.randn(3, 6, 8), tgt_is_causal=True).shape
            (3, 4, 8)
        """
        x = tgt

        def sa(x: Tensor) -> Tensor:
            return self._attend(
                self.self_attn, self.dropout1, x, x, tgt_mask, tgt_key_padding_mask, tgt_is_causal
            )

        def ca(x: Tensor) -> Tensor:
            return self._attend(
                self.multihead_attn,
                self.dropout2,
                x,
                memory,
                memory_mask,
                memory_key_padding_mask,
                memory_is_causal,
            )

        if self.norm_first:
            x = x + sa(self.norm1(x))
            x = x + ca(self.norm2(x))
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + sa(x))
            x = self.norm2(x + ca(x))
            x = self.norm3(x + self._ff_block(x))
        return x


class TransformerDecoder(Module):
    """A stack of ``num_layers`` deep copies of ``decoder_layer``, then the optional ``norm``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16), num_layers=2)
        >>> dec(chainrule.randn(4, 3, 8), chainrule.randn(5, 3, 8)).shape
        (4, 3, 8)
    """

    def __init__(
        self, decoder_layer: TransformerDecoderLayer, num_layers: int, norm: Module | None = None
    ) -> None:
        super().__init__()
        if not isinstance(num_layers, int) or num_layers < 0:
            raise ValueError(
                f"TransformerDecoder: num_layers must be a non-negative int, got {num_layers!r}"
            )
        self.layers = ModuleList([copy.deepcopy(decoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """Run ``tgt`` through every layer (attending to ``memory``), then ``norm``.

        ``tgt_is_causal=None`` detects whether ``tgt_mask`` is the causal mask, as PyTorch.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 1, 8), 1)
            >>> mask = nn.Transformer.generate_square_subsequent_mask(3)
            >>> dec(chainrule.randn(3, 4), chainrule.randn(5, 4), tgt_mask=mask).shape
            (3, 4)
        """
        if tgt_is_causal is None:
            tgt_is_causal = _is_causal_mask(tgt_mask)
        x = tgt
        for layer in self.layers:
            x = layer(
                x,
                memory,
                tgt_mask=tgt_mask,
                memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=tgt_is_causal,
                memory_is_causal=memory_is_causal,
            )
        if self.norm is not None:
            x = self.norm(x)
        return x


class Transformer(Module):
    """The encoder-decoder Transformer (Vaswani et al., 2017) with PyTorch's layout
    (``encoder.layers.i...``, ``encoder.norm``, ``decoder.layers.i...``, ``decoder.norm``),
    matrices initialized with ``xavier_uniform_`` as in PyTorch.

    ``forward(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
    src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
    src_is_causal=None, tgt_is_causal=None, memory_is_causal=False)``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> model = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1,
        ...                        num_decoder_layers=1, dim_feedforward=16, batch_first=True)
        >>> tgt = chainrule.randn(2, 4, 8)
        >>> mask = model.generate_square_subsequent_mask(4)
        >>> model(chainrule.randn(2, 6, 8), tgt, tgt_mask=mask).shape
        (2, 4, 8)
    """

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = "relu",
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        kw = dict(
            d_model=d_model,
            nhead=nhead,
            dim_feedforward=dim_feedforward,
            dropout=dropout,
            activation=activation,
            layer_norm_eps=layer_norm_eps,
            batch_first=batch_first,
            norm_first=norm_first,
            bias=bias,
            dtype=dtype,
        )
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(
                TransformerEncoderLayer(**kw),
                num_encoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype),
            )
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(**kw),
                num_decoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype),
            )
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def _reset_parameters(self) -> None:
        from chainrule.nn import init

        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)

    def forward(
        self,
        src: Tensor,
        tgt: Tensor,
        src_mask: Tensor | None = None,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """Encode ``src``, then decode ``tgt`` attending to the encoding.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> m = nn.Transformer(8, 2, 1, 1, 16)
            >>> m(chainrule.randn(6, 2, 8), chainrule.randn(4, 2, 8)).shape
            (4, 2, 8)
        """
        batched = src.ndim == 3
        if batched and tgt.ndim == 3:
            bdim = 0 if self.batch_first else 1
            if src.shape[bdim] != tgt.shape[bdim]:
                raise RuntimeError(
                    f"Transformer: the batch number of src and tgt must be equal, got src "
                    f"{src.shape} and tgt {tgt.shape} (batch_first={self.batch_first})"
                )
        elif src.ndim != tgt.ndim:
            raise RuntimeError(
                f"Transformer: src and tgt must both be batched (3-D) or unbatched (2-D), got "
                f"{src.shape} and {tgt.shape}"
            )
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError(
                f"Transformer: the feature number of src and tgt must be equal to d_model "
                f"({self.d_model}), got src {src.shape} and tgt {tgt.shape}"
            )
        memory = self.encoder(
            src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal
        )
        return self.decoder(
            tgt,
            memory,
            tgt_mask=tgt_mask,
            memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask,
            tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """A float (sz, sz) mask: ``-inf`` above the diagonal (future positions), 0 elsewhere.

        Example:
            >>> from chainrule import nn
            >>> nn.Transformer.generate_square_subsequent_mask(3).tolist()
            [[0.0, -inf, -inf], [0.0, 0.0, -inf], [0.0, 0.0, 0.0]]
        """
        from chainrule.backend import get_default_dtype

        dt = np.dtype(dtype) if dtype is not None else get_default_dtype()
        return Tensor._wrap(np.triu(np.full((sz, sz), -np.inf, dt), 1))
