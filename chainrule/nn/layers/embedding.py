"""Embedding: a lookup table of vectors indexed by integer ids.

The lookup is one primitive whose backward scatters the incoming gradient into a dense
``(num_embeddings, embedding_dim)`` gradient, *accumulating* repeated indices (a 1-D
``np.add.at`` over flattened positions, several times faster than the 2-D form), with the
``padding_idx`` row left at zero.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.ops.registry import primitive
from chainrule.autograd.tensor import Tensor
from chainrule.backend import default_generator
from chainrule.backend import dtypes as _dt
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter

__all__: list[str] = ["Embedding"]
__functional__: list[str] = ["embedding"]

_wrap = Tensor._wrap


def _scatter_rows(g: np.ndarray, idx: np.ndarray, num: int, padding_idx: int | None, freq: bool):
    """Dense ``(num, D)`` array with ``g``'s rows added at ``idx`` (repeats accumulate)."""
    d = g.shape[-1]
    g2 = g.reshape(-1, d)
    flat = idx.reshape(-1)
    if freq:
        counts = np.bincount(flat, minlength=num)
        g2 = g2 / counts[flat].astype(g.dtype)[:, None]
    out = np.zeros((num, d), dtype=g.dtype)
    if flat.size:
        pos = flat * d
        np.add.at(out.reshape(-1), (pos[:, None] + np.arange(d)).reshape(-1), g2.reshape(-1))
    if padding_idx is not None:
        out[padding_idx] = 0
    return out


def _row_factor(idx: np.ndarray, num: int, padding_idx: int | None, freq: bool, dtype):
    """Per-position factor of the scatter (1/count, 0 at padding), shaped to broadcast."""
    flat = idx.reshape(-1)
    f = np.ones(flat.shape, dtype)
    if freq:
        f /= np.bincount(flat, minlength=num)[flat].astype(dtype)
    if padding_idx is not None:
        f[flat == padding_idx] = 0
    return f.reshape(idx.shape + (1,))


@primitive
class EmbeddingLookup(Function):
    """``weight[idx]``; the gradient scatters back into ``weight``'s rows (accumulating)."""

    def forward(self, weight, *, idx, padding_idx=None, scale_grad_by_freq=False):
        self.idx, self.num, self.pad, self.freq = (
            idx,
            weight.shape[0],
            padding_idx,
            scale_grad_by_freq,
        )
        return np.take(weight, idx, axis=0)

    def backward(self, g):
        return EmbeddingScatter.apply(
            g, idx=self.idx, num=self.num, padding_idx=self.pad, scale_grad_by_freq=self.freq
        )

    def vjp(self, g):
        return _scatter_rows(g, self.idx, self.num, self.pad, self.freq)


@primitive
class EmbeddingScatter(Function):
    """The gradient of :class:`EmbeddingLookup` as an op (for double backward)."""

    def forward(self, g, *, idx, num, padding_idx=None, scale_grad_by_freq=False):
        self.idx, self.num, self.pad, self.freq = idx, num, padding_idx, scale_grad_by_freq
        return _scatter_rows(g, idx, num, padding_idx, scale_grad_by_freq)

    def backward(self, gg):
        out = EmbeddingLookup.apply(gg, idx=self.idx)
        if self.pad is None and not self.freq:
            return out
        return out * _wrap(_row_factor(self.idx, self.num, self.pad, self.freq, gg.dtype))


def _indices(op: str, input: Any, num: int, weight_shape: tuple) -> np.ndarray:
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"{op}: indices must be an integer tensor (int64 or int32), got dtype {idx.dtype} "
            f"(shape {idx.shape}); convert with .long()"
        )
    if idx.size:
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= num:
            bad = lo if lo < 0 else hi
            raise IndexError(
                f"{op}: index {bad} is out of range for an embedding table of {num} rows "
                f"(weight shape {weight_shape}); valid indices are 0..{num - 1}"
            )
    return idx


def _padding(op: str, padding_idx: int | None, num: int) -> int | None:
    if padding_idx is None:
        return None
    p = int(padding_idx)
    if not -num <= p < num:
        raise ValueError(
            f"{op}: padding_idx={padding_idx} must be within the {num} rows of the table "
            f"(-{num} <= padding_idx < {num})"
        )
    return p % num


def _renorm_(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rescale (in place, without gradient) the referenced rows whose norm exceeds max_norm."""
    rows = np.unique(idx)
    w = weight._data
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    over = norms > max_norm
    if over.any():
        r = rows[over]
        scale = (max_norm / (norms[over] + 1e-7)).astype(w.dtype)
        with no_grad():
            w[r] *= scale[:, None]
        weight._bump()


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Look up rows of ``weight`` (shape ``(num_embeddings, embedding_dim)``) at the integer
    ``input`` indices; the result has shape ``input.shape + (embedding_dim,)``.

    The ``padding_idx`` row receives no gradient. ``max_norm`` renormalizes the looked-up rows
    of ``weight`` in place, like PyTorch. ``sparse=True`` (sparse gradients) is not supported.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> w = chainrule.arange(6.0).reshape(3, 2)
        >>> F.embedding(chainrule.tensor([[2, 0]]), w).tolist()
        [[[4.0, 5.0], [0.0, 1.0]]]
    """
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise ValueError(
            "embedding: weight must be a 2-D tensor (num_embeddings, embedding_dim), got "
            f"{getattr(weight, 'shape', type(weight).__name__)}"
        )
    if sparse:
        raise NotImplementedError("embedding: sparse=True (sparse gradients) is not supported")
    num = weight.shape[0]
    idx = _indices("embedding", input, num, weight.shape)
    pad = _padding("embedding", padding_idx, num)
    if max_norm is not None:
        _renorm_(weight, idx, float(max_norm), float(norm_type))
    return EmbeddingLookup.apply(
        weight, idx=idx, padding_idx=pad, scale_grad_by_freq=bool(scale_grad_by_freq)
    )


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, looked up by index.

    The weight is initialized from N(0, 1), with the ``padding_idx`` row (if any) set to zero;
    that row never receives a gradient. ``sparse=True`` is not supported.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> emb = nn.Embedding(10, 3, padding_idx=0)
        >>> emb(chainrule.tensor([[0, 2, 9]])).shape, emb.weight[0].tolist()
        ((1, 3, 3), [0.0, 0.0, 0.0])
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if sparse:
            raise NotImplementedError("Embedding: sparse=True (sparse gradients) is not supported")
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        self.padding_idx = _padding("Embedding", padding_idx, self.num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            dt = _dt.get_default_dtype() if dtype is None else _dt.to_dtype(dtype)
            gdt = dt if dt in (_dt.float32, _dt.float64) else _dt.float32
            data = default_generator().standard_normal(shape, dtype=gdt).astype(dt, copy=False)
            if self.padding_idx is not None:
                data[self.padding_idx] = 0
            self.weight = Parameter(_wrap(data), requires_grad=not _freeze)
        else:
            if tuple(_weight.shape) != shape:
                raise ValueError(
                    f"Embedding: _weight has shape {tuple(_weight.shape)}, expected {shape}"
                )
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Re-draw the weight from N(0, 1) and zero the padding row."""
        w = self.weight._data
        w[...] = default_generator().standard_normal(w.shape).astype(w.dtype)
        if self.padding_idx is not None:
            w[self.padding_idx] = 0
        self.weight._bump()

    def forward(self, input: Tensor) -> Tensor:
        return embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2.0:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        return s

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose weight is ``embeddings`` (2-D; shared, not copied, like PyTorch),
        frozen (``requires_grad=False``) unless ``freeze=False``. The padding row is kept as
        given (not zeroed) but receives no gradient.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> emb = nn.Embedding.from_pretrained(chainrule.eye(3))
            >>> emb(chainrule.tensor([1])).tolist(), emb.weight.requires_grad
            ([[0.0, 1.0, 0.0]], False)
        """
        if not isinstance(embeddings, Tensor) or embeddings.ndim != 2:
            raise ValueError(
                "Embedding.from_pretrained: embeddings must be a 2-D tensor, got shape "
                f"{getattr(embeddings, 'shape', None)}"
            )
        rows, cols = embeddings.shape
        return cls(
            rows,
            cols,
            padding_idx=padding_idx,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            sparse=sparse,
            _weight=embeddings.detach(),
            _freeze=freeze,
        )
