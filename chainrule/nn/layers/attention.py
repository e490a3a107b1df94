"""Attention: ``scaled_dot_product_attention`` and ``MultiheadAttention`` (PyTorch layouts).

Masks follow PyTorch, which uses two opposite bool conventions:

* ``scaled_dot_product_attention(attn_mask=...)``: bool ``True`` = *take part*;
* ``MultiheadAttention`` (``attn_mask``, ``key_padding_mask``): bool ``True`` = *ignore*.

Float masks are added to the attention scores in both. Masks are constants (no gradient flows
into a bool mask; a float mask that requires grad does get one).

Fully masked rows (a query that may attend to no key at all) give an all-zero row of attention
weights, hence a zero output row, and zero gradients for that row: never NaN. PyTorch's
``scaled_dot_product_attention`` does the same since 2.5; ``MultiheadAttention`` with
``need_weights=True`` in PyTorch returns NaN there instead.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.autograd.ops.linalg import linear
from chainrule.autograd.ops.movement import cat
from chainrule.autograd.tensor import Tensor
from chainrule.nn import init
from chainrule.nn.layers.linear import Linear
from chainrule.nn.layers.recurrent import _dtype, _param
from chainrule.nn.module import Module

__all__ = ["MultiheadAttention"]
__functional__ = ["scaled_dot_product_attention"]

_wrap = Tensor._wrap


def _check_qkv(op: str, query: Tensor, key: Tensor, value: Tensor) -> None:
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
        if t.ndim < 2:
            raise ValueError(
                f"{op}: {name} needs at least 2 dims (..., seq, features), got {t.shape}"
            )
        if t.dtype.kind != "f":
            raise TypeError(f"{op}: {name} must be floating point, got {t.dtype}")
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(
            f"{op}: query and key must have the same feature size (last dim), got query "
            f"{query.shape} and key {key.shape}"
        )
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"{op}: key and value must have the same sequence length (dim -2), got key "
            f"{key.shape} and value {value.shape}"
        )
    if not (query.dtype == key.dtype == value.dtype):
        raise TypeError(
            f"{op}: dtype mismatch query {query.dtype}, key {key.dtype}, value {value.dtype}"
        )


def _attend(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    allowed: np.ndarray | None,
    additive: Tensor | None,
    dropout_p: float,
    scale: float,
) -> tuple[Tensor, Tensor]:
    """softmax(q k^T * scale + additive, masked by ``allowed``) (dropped out) @ v.

    Returns ``(output, weights)``. Rows that attend to nothing get zero weights (no NaN).
    """
    scores = (q @ k.transpose(-2, -1)) * scale
    if additive is not None:
        scores = scores + additive
    if allowed is not None:
        bias = np.where(allowed, 0.0, -np.inf).astype(scores.dtype)
        scores = scores + _wrap(bias)
    if allowed is not None or additive is not None:
        s = scores._data
        dead = np.isneginf(s).all(axis=-1, keepdims=True)
        if dead.any():
            # Rows with no admissible key: softmax would be 0/0. Give them finite scores, then
            # zero their weights, so both the output and every gradient stay finite.
            scores = scores.masked_fill(_wrap(dead), 0.0)
            weights = scores.softmax(dim=-1) * _wrap((~dead).astype(s.dtype))
        else:
            weights = scores.softmax(dim=-1)
    else:
        weights = scores.softmax(dim=-1)
    if dropout_p > 0.0:
        from chainrule.nn.layers.dropout import dropout

        weights = dropout(weights, dropout_p, training=True)
    return weights @ v, weights


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
) -> Tensor:
    """``softmax(query @ key^T * scale + mask) @ value`` over the last two dims, as in PyTorch.

    Shapes: query ``(..., L, E)``, key ``(..., S, E)``, value ``(..., S, Ev)`` -> ``(..., L, Ev)``.
    ``attn_mask`` broadcasts to ``(..., L, S)``: bool ``True`` means *take part*, a float mask is
    added to the scores. ``is_causal=True`` lets query ``i`` see keys ``j <= i`` (cannot be
    combined with ``attn_mask``). ``scale`` defaults to ``1 / sqrt(E)``. Dropout with
    ``dropout_p`` is applied to the attention weights whenever ``dropout_p > 0`` (pass 0.0 in
    eval mode, as with PyTorch). A query row with no admissible key returns zeros (no NaN).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> q = chainrule.ones(2, 3, 4); kv = chainrule.ones(2, 5, 4)
        >>> F.scaled_dot_product_attention(q, kv, kv, is_causal=True).shape
        (2, 3, 4)
    """
    op = "scaled_dot_product_attention"
    _check_qkv(op, query, key, value)
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"{op}: dropout_p must be in [0, 1), got {dropout_p}")
    L, S = query.shape[-2], key.shape[-2]
    allowed = None
    additive = None
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{op}: pass either attn_mask or is_causal=True, not both")
        allowed = np.tril(np.ones((L, S), dtype=bool))
    elif attn_mask is not None:
        m = attn_mask if isinstance(attn_mask, Tensor) else _wrap(np.asarray(attn_mask))
        try:
            np.broadcast_shapes(m.shape, query.shape[:-2] + (L, S))
        except ValueError:
            raise ValueError(
                f"{op}: attn_mask of shape {m.shape} does not broadcast to the scores shape "
                f"{query.shape[:-2] + (L, S)} (query {query.shape}, key {key.shape})"
            ) from None
        if m.dtype == np.bool_:
            allowed = m._data
        elif m.dtype.kind == "f":
            additive = m if m.dtype == query.dtype else m.to(query.dtype)
        else:
            raise TypeError(f"{op}: attn_mask must be bool or float, got {m.dtype}")
    sc = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    out, _ = _attend(query, key, value, allowed, additive, dropout_p, sc)
    return out


def _mha_mask(
    op: str, mask: Any, shape: tuple, what: str, dtype: np.dtype
) -> tuple[np.ndarray | None, Tensor | None]:
    """A MultiheadAttention mask (bool True = ignore, or float added) as ``(allowed, additive)``
    broadcastable to ``shape = (N, heads, L, S)``."""
    if mask is None:
        return None, None
    m = mask if isinstance(mask, Tensor) else _wrap(np.asarray(mask))
    N, h, L, S = shape
    if what == "key_padding_mask":
        if m.shape != (N, S):
            raise ValueError(f"{op}: expected key_padding_mask of shape {(N, S)}, got {m.shape}")
        m = m.reshape(N, 1, 1, S)
    elif m.ndim == 2:
        if m.shape != (L, S):
            raise ValueError(f"{op}: expected 2-D attn_mask of shape {(L, S)}, got {m.shape}")
    elif m.ndim == 3:
        if m.shape != (N * h, L, S):
            raise ValueError(
                f"{op}: expected 3-D attn_mask of shape {(N * h, L, S)} (batch * num_heads, L, S), "
                f"got {m.shape}"
            )
        m = m.reshape(N, h, L, S)
    else:
        raise ValueError(f"{op}: attn_mask must be 2-D or 3-D, got shape {m.shape}")
    if m.dtype == np.bool_:
        return ~m._data, None
    if m.dtype.kind == "f":
        return None, (m if m.dtype == dtype else m.to(dtype))
    raise TypeError(f"{op}: {what} must be bool or float, got {m.dtype}")


class MultiheadAttention(Module):
    """Multi-head attention as in PyTorch: ``out_proj(concat_h softmax(Q_h K_h^T / sqrt(d)) V_h)``.

    Parameters and their layouts match PyTorch, so state dicts are interchangeable:
    ``in_proj_weight (3E, E)`` / ``in_proj_bias (3E)`` when ``kdim == vdim == embed_dim``
    (otherwise ``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight``), ``out_proj`` (a
    :class:`Linear`), and ``bias_k``/``bias_v`` with ``add_bias_kv``. Initialization as in
    PyTorch (Xavier-uniform projections, zero biases).

    ``forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)`` returns ``(attn_output, attn_weights)``; inputs
    are ``(L, N, E)`` (``(N, L, E)`` with ``batch_first``) or unbatched ``(L, E)``. Bool masks:
    ``True`` = ignore that key. Differences from PyTorch: a query row that can attend to no key
    gets zero weights and a zero attention result (PyTorch returns NaN there), and
    ``is_causal=True`` without ``attn_mask`` builds the causal mask (PyTorch raises).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> mha = nn.MultiheadAttention(8, 2, batch_first=True)
        >>> x = chainrule.randn(3, 5, 8)
        >>> out, w = mha(x, x, x)
        >>> out.shape, w.shape
        ((3, 5, 8), (3, 5, 5))
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"MultiheadAttention: embed_dim and num_heads must be positive, got {embed_dim} "
                f"and {num_heads}"
            )
        if embed_dim % num_heads:
            raise ValueError(
                f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by num_heads "
                f"({num_heads})"
            )
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = float(dropout)
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        dt = _dtype(dtype)
        E = embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = _param((3 * E, E), dt)
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = _param((E, E), dt)
            self.k_proj_weight = _param((E, self.kdim), dt)
            self.v_proj_weight = _param((E, self.vdim), dt)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = _param((3 * E,), dt)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(E, E, bias=bias, dtype=dt)
        if self.out_proj.weight.dtype != dt:
            self.out_proj.to(dt)
        if add_bias_kv:
            self.bias_k = _param((1, 1, E), dt)
            self.bias_v = _param((1, 1, E), dt)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def _projections(self, query: Tensor, key: Tensor, value: Tensor) -> tuple:
        E = self.embed_dim
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E : 2 * E], b[2 * E :])
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            if query is key and key is value:  # self-attention: one GEMM for q, k and v
                qkv = linear(query, w, b)
                return qkv[..., :E], qkv[..., E : 2 * E], qkv[..., 2 * E :]
            wq, wk, wv = w[:E], w[E : 2 * E], w[2 * E :]
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        return linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """Return ``(attn_output, attn_weights)`` (weights ``None`` if not ``need_weights``).

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> mha = nn.MultiheadAttention(4, 2)
            >>> q = chainrule.randn(3, 4)  # unbatched (L, E)
            >>> out, w = mha(q, q, q, average_attn_weights=False)
            >>> out.shape, w.shape
            ((3, 4), (2, 3, 3))
        """
        op = "MultiheadAttention"
        for name, t, size in (
            ("query", query, self.embed_dim),
            ("key", key, self.kdim),
            ("value", value, self.vdim),
        ):
            if not isinstance(t, Tensor):
                raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
            if t.ndim not in (2, 3) or t.shape[-1] != size:
                raise ValueError(
                    f"{op}: expected {name} of shape (L, N, {size}) or (L, {size}), got {t.shape}"
                )
        if not query.ndim == key.ndim == value.ndim:
            raise ValueError(
                f"{op}: query, key and value must all be batched or all unbatched, got shapes "
                f"{query.shape}, {key.shape}, {value.shape}"
            )
        batched = query.ndim == 3
        same = query is key and key is value
        if not batched:
            query, key, value = (t.unsqueeze(1) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.reshape(1, -1)
        elif self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        if same:
            key = value = query
        L, N, E = query.shape
        h, d = self.num_heads, self.head_dim
        if key.shape[:2] != value.shape[:2] or key.shape[1] != N:
            raise ValueError(
                f"{op}: key and value must have the same sequence length and batch size as each "
                f"other (and the query's batch size), got query {query.shape}, key {key.shape}, "
                f"value {value.shape}"
            )
        if is_causal and attn_mask is None:
            attn_mask = _wrap(~np.tril(np.ones((L, key.shape[0]), dtype=bool)))
        q, k, v = self._projections(query, key, value)
        if self.bias_k is not None:
            k = cat([k, self.bias_k.expand(1, N, E)], dim=0)
            v = cat([v, self.bias_v.expand(1, N, E)], dim=0)
            attn_mask = _pad_last(attn_mask)
            key_padding_mask = _pad_last(key_padding_mask)
        S = k.shape[0]
        # (L, N, E) -> (N, h, L, d); PyTorch's (N * h) batch index is n * h + head.
        q = q.reshape(L, N, h, d).permute(1, 2, 0, 3)
        k = k.reshape(S, N, h, d).permute(1, 2, 0, 3)
        v = v.reshape(S, N, h, d).permute(1, 2, 0, 3)
        if self.add_zero_attn:
            z = Tensor._wrap(np.zeros((N, h, 1, d), dtype=k.dtype))
            k, v = cat([k, z], dim=2), cat([v, z], dim=2)
            S += 1
            attn_mask = _pad_last(attn_mask)
            key_padding_mask = _pad_last(key_padding_mask)
        shape = (N, h, L, S)
        a1, f1 = _mha_mask(op, attn_mask, shape, "attn_mask", q.dtype)
        a2, f2 = _mha_mask(op, key_padding_mask, shape, "key_padding_mask", q.dtype)
        allowed = a1 if a2 is None else (a2 if a1 is None else a1 & a2)
        additive = f1 if f2 is None else (f2 if f1 is None else f1 + f2)
        p = self.dropout if self.training else 0.0
        out, weights = _attend(q, k, v, allowed, additive, p, 1.0 / math.sqrt(d))
        out = out.permute(2, 0, 1, 3).reshape(L, N, E)
        out = self.out_proj(out)
        if not batched:
            out = out.squeeze(1)
        elif self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            weights = weights.squeeze(0)
        return out, weights

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}"


def _pad_last(mask: Any) -> Any:
    """Append one admissible key column to a MultiheadAttention mask (bias_k / zero_attn)."""
    if mask is None:
        return None
    m = mask if isinstance(mask, Tensor) else _wrap(np.asarray(mask))
    pad = np.zeros(m.shape[:-1] + (1,), dtype=m.dtype)
    return (
        Tensor._wrap(np.concatenate([m._data, pad], axis=-1))
        if not m.requires_grad
        else cat([m, Tensor._wrap(pad)], dim=-1)
    )
