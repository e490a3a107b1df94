"""Matrix products: ``matmul``/``@`` (1-D, 2-D and batched with broadcasting) and ``linear``."""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops._util import binary_operands
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.tensor import Tensor
from chainrule.backend import kernels


def _matmul_error(a: Any, b: Any) -> ValueError:
    if a.ndim == 0 or b.ndim == 0:
        return ValueError(
            f"matmul: both arguments need at least 1 dim, got shapes {a.shape} and {b.shape}"
        )
    k1 = a.shape[-1]
    k2 = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k1 != k2:
        return ValueError(
            f"matmul: shapes {a.shape} and {b.shape} are not aligned: the last dim of the first "
            f"({k1}) must equal the {'second-to-last' if b.ndim > 1 else 'only'} dim of the "
            f"second ({k2})"
        )
    return ValueError(f"matmul: batch dims of {a.shape} and {b.shape} cannot be broadcast")


@primitive
class MatMul(Function):
    saves_inputs = True

    def forward(self, a, b):
        try:
            return np.matmul(a, b)
        except ValueError:
            raise _matmul_error(a, b) from None

    def backward(self, g):
        a, b = self.inputs
        ga = gb = None
        a_vec, b_vec = a.ndim == 1, b.ndim == 1
        if a_vec and b_vec:  # dot product: g is a scalar
            return (g * b if a.requires_grad else None), (g * a if b.requires_grad else None)
        a2 = a.unsqueeze(0) if a_vec else a
        b2 = b.unsqueeze(-1) if b_vec else b
        g2 = g
        if a_vec:
            g2 = g2.unsqueeze(-2)
        if b_vec:
            g2 = g2.unsqueeze(-1)
        if a.requires_grad:
            ga = g2 @ b2.transpose(-1, -2)
            if a_vec:
                ga = ga.squeeze(-2)
                if ga.ndim > 1:  # batch dims from b broadcast: the engine sums them
                    pass
        if b.requires_grad:
            gb = a2.transpose(-1, -2) @ g2
            if b_vec:
                gb = gb.squeeze(-1)
        return ga, gb

    def vjp(self, g):
        a, b = self.inputs
        ad, bd = a._data, b._data
        if ad.ndim == 2 and bd.ndim == 2:  # the common case, without reshaping
            return (g @ bd.T if a.requires_grad else None), (ad.T @ g if b.requires_grad else None)
        if ad.ndim == 1 and bd.ndim == 1:
            return (g * bd if a.requires_grad else None), (g * ad if b.requires_grad else None)
        a2 = ad[None, :] if ad.ndim == 1 else ad
        b2 = bd[:, None] if bd.ndim == 1 else bd
        g2 = g
        if ad.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        if bd.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        ga = gb = None
        if a.requires_grad:
            ga = g2 @ np.swapaxes(b2, -1, -2)
            if ad.ndim == 1:
                ga = np.squeeze(ga, -2)
        if b.requires_grad:
            gb = np.swapaxes(a2, -1, -2) @ g2
            if bd.ndim == 1:
                gb = np.squeeze(gb, -1)
        return ga, gb


@register("matmul", operators=("__matmul__",))
def matmul(input: Any, other: Any) -> Tensor:
    """Matrix product with NumPy/PyTorch semantics: 1-D vectors, 2-D matrices, and batched
    products whose batch dims broadcast.

    Example:
        >>> import chainrule
        >>> (chainrule.ones(2, 3) @ chainrule.ones(3, 4)).shape
        (2, 4)
    """
    a, b = binary_operands(input, other, "matmul")
    return MatMul.apply(a, b)


@register("rmatmul", method="__rmatmul__")
def rmatmul(input: Tensor, other: Any) -> Tensor:
    """``other @ input`` for an array ``other``.

    Example:
        >>> import chainrule, numpy as np
        >>> (np.ones((1, 2), dtype=np.float32) @ chainrule.ones(2, 1)).tolist()
        [[2.0]]
    """
    a, b = binary_operands(other, input, "matmul")
    return MatMul.apply(a, b)


@register("mm")
def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """2-D matrix product.

    Example:
        >>> import chainrule
        >>> chainrule.mm(chainrule.eye(2), chainrule.ones(2, 1)).tolist()
        [[1.0], [1.0]]
    """
    if input.ndim != 2 or mat2.ndim != 2:
        raise ValueError(f"mm: expects 2-D tensors, got shapes {input.shape} and {mat2.shape}")
    return matmul(input, mat2)


@register("bmm")
def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched 3-D matrix product (no broadcasting of the batch dim, as in PyTorch).

    Example:
        >>> import chainrule
        >>> chainrule.bmm(chainrule.ones(5, 2, 3), chainrule.ones(5, 3, 4)).shape
        (5, 2, 4)
    """
    if input.ndim != 3 or mat2.ndim != 3 or input.shape[0] != mat2.shape[0]:
        raise ValueError(
            f"bmm: expects 3-D tensors with equal batch size, got shapes "
            f"{input.shape} and {mat2.shape}"
        )
    return matmul(input, mat2)


@register("dot")
def dot(input: Tensor, other: Tensor) -> Tensor:
    """Inner product of two 1-D tensors.

    Example:
        >>> import chainrule
        >>> chainrule.dot(chainrule.ones(3), chainrule.ones(3)).item()
        3.0
    """
    if input.ndim != 1 or other.ndim != 1:
        raise ValueError(f"dot: expects 1-D tensors, got shapes {input.shape} and {other.shape}")
    return matmul(input, other)


@register("outer", aliases=("ger",))
def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """Outer product of two 1-D tensors.

    Example:
        >>> import chainrule
        >>> chainrule.outer(chainrule.ones(2), chainrule.ones(3)).shape
        (2, 3)
    """
    return input.unsqueeze(1) * vec2.unsqueeze(0)


def _mm(a: Any, b: Any) -> Any:
    """2-D ``a @ b`` with the compiled GEMM where it applies (float32, AVX-512, a product big
    enough to gain), else NumPy. The size test comes first: tiny layers pay nothing extra."""
    if a.shape[0] * a.shape[1] * b.shape[1] >= kernels.GEMM_MIN:
        out = kernels.matmul(a, b)
        if out is not None:
            return out
    return a @ b


@primitive
class Linear(Function):
    """Fused ``x @ W.T + b`` (one node instead of three: the hot path of every MLP). Tested
    against the composite ``matmul(x, W.t()) + b``."""

    saves_inputs = True

    def forward(self, x, w, b=None):
        if x.ndim == 2 and w.ndim == 2 and x.shape[1] == w.shape[1]:
            out = _mm(x, w.T)
        elif x.ndim > 2 and w.ndim == 2 and x.shape[-1] == w.shape[1] and x.flags.c_contiguous:
            # one (prod(batch), in) @ (in, out) GEMM: NumPy's matmul runs a batched input as one
            # small GEMM per leading index (1.7x slower for an LSTM's (T, B, in) projection)
            out = _mm(x.reshape(-1, x.shape[-1]), w.T).reshape(*x.shape[:-1], w.shape[0])
        else:
            try:
                out = x @ w.T
            except ValueError:
                raise _matmul_error(x, w.T) from None
        if b is not None:
            out += b
        return out

    def backward(self, g):
        x, w = self.inputs[0], self.inputs[1]
        gx = g @ w if x.requires_grad else None
        gw = None
        if w.requires_grad:
            g2 = g.reshape(-1, g.shape[-1])
            gw = g2.t() @ x.reshape(-1, x.shape[-1])
        if len(self.inputs) == 2:
            return gx, gw
        b = self.inputs[2]
        gb = g.reshape(-1, g.shape[-1]).sum(dim=0) if b.requires_grad else None
        return gx, gw, gb

    def vjp(self, g):
        x, w = self.inputs[0], self.inputs[1]
        xd = x._data
        g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        gx = None
        if x.requires_grad:  # one 2-D GEMM for batched inputs (see forward)
            if g.ndim <= 2:
                gx = _mm(g, w._data) if g.ndim == 2 else g @ w._data
            else:
                gx = _mm(g2, w._data).reshape(*g.shape[:-1], -1)
        gw = None
        if w.requires_grad:
            gw = _mm(g2.T, xd.reshape(-1, xd.shape[-1]) if xd.ndim != 2 else xd)
        if len(self.inputs) == 2:
            return gx, gw
        gb = None
        if self.inputs[2].requires_grad:
            # a vector-matrix product beats the axis-0 sum 1.5-2x from ~100 rows on
            gb = np.ones(g2.shape[0], g2.dtype) @ g2 if g2.shape[0] >= 64 else g2.sum(axis=0)
        return gx, gw, gb


@register("linear", method=False, functional=True)
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` with PyTorch's (out_features, in_features) weight layout.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.linear(chainrule.ones(4, 3), chainrule.ones(2, 3), chainrule.zeros(2)).shape
        (4, 2)
    """
    xd, wd = input._data, weight._data
    if bias is not None and xd.ndim == 2 and wd.ndim == 2 and xd.shape[1] == wd.shape[1]:
        # the common case, checked on the arrays directly (the hot path of every MLP)
        bd = bias._data
        if bd.shape == wd.shape[:1] and xd.dtype == wd.dtype == bd.dtype:
            return Linear.apply(input, weight, bias)
    if input.shape[-1:] != weight.shape[-1:]:
        raise ValueError(
            f"linear: input has {input.shape[-1] if input.ndim else None} features "
            f"(shape {input.shape}) but weight expects {weight.shape[-1]} "
            f"(weight shape {weight.shape})"
        )
    if weight.ndim != 2 or input.ndim == 0:
        raise ValueError(
            f"linear: weight must be 2-D and input at least 1-D, got shapes "
            f"{weight.shape} and {input.shape}"
        )
    if bias is None:
        return Linear.apply(input, weight)
    if bias.shape != weight.shape[:1]:
        raise ValueError(
            f"linear: bias shape {bias.shape} does not match out_features {weight.shape[0]}"
        )
    if not (input.dtype == weight.dtype == bias.dtype):
        raise TypeError(
            f"linear: dtype mismatch input {input.dtype}, weight {weight.dtype}, bias {bias.dtype}"
        )
    return Linear.apply(input, weight, bias)
