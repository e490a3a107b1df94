"""Logarithms, exponentials and friends: log2, log10, exp2, logaddexp, logaddexp2, xlogy,
logit, copysign, hypot, nan_to_num.

``logaddexp``/``logaddexp2`` are computed stably (NumPy's ``logaddexp``: ``max + log1p(exp(-|a -
b|))``), so they stay finite and exact at +-1e3. ``xlogy(0, y)`` is 0 even for ``y = 0``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops._util import binary_operands
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.ops.trig import float_input, unary_op
from chainrule.autograd.tensor import Tensor

_wrap = Tensor._wrap
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def float_pair(input: Any, other: Any, op: str) -> tuple[Tensor, Tensor]:
    """Both operands as floating-point Tensors of one dtype, with broadcastable shapes."""
    a, b = binary_operands(input, other, op)
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together "
            "(trailing dimensions must be equal or 1)"
        ) from None
    return float_input(a, op), float_input(b, op)


@primitive
class Log2(Function):
    saves_inputs = True

    def forward(self, a):
        return np.log2(a)

    def backward(self, g):
        return g / (self.inputs[0] * _LN2)


@primitive
class Log10(Function):
    saves_inputs = True

    def forward(self, a):
        return np.log10(a)

    def backward(self, g):
        return g / (self.inputs[0] * _LN10)


@primitive
class Exp2(Function):
    saves_output = True

    def forward(self, a):
        return np.exp2(a)

    def backward(self, g):
        return g * self.output() * _LN2


log2 = unary_op(
    "log2",
    Log2,
    "Base-2 logarithm.\n\nExample:\n    >>> import chainrule\n"
    "    >>> chainrule.tensor([1.0, 8.0]).log2().tolist()\n    [0.0, 3.0]\n",
)
log10 = unary_op(
    "log10",
    Log10,
    "Base-10 logarithm.\n\nExample:\n    >>> import chainrule\n"
    "    >>> chainrule.tensor([1.0, 100.0]).log10().tolist()\n    [0.0, 2.0]\n",
)
exp2 = unary_op(
    "exp2",
    Exp2,
    "2 ** x, elementwise.\n\nExample:\n    >>> import chainrule\n"
    "    >>> chainrule.tensor([0.0, 3.0]).exp2().tolist()\n    [1.0, 8.0]\n",
)


@primitive
class LogAddExp(Function):
    """``log(e**a + e**b)`` (``base2``: ``log2(2**a + 2**b)``); gradients are the softmax
    weights ``sigmoid(a - b)`` and ``sigmoid(b - a)`` (of ``(a - b) * ln 2`` for base 2)."""

    saves_inputs = True

    def forward(self, a, b, base2=False):
        self.base2 = base2
        return _logaddexp(a, b, base2)

    def backward(self, g):
        # sigmoid of the difference (as PyTorch): exact also where the output is large
        a, b = self.inputs
        d = a - b
        if self.base2:
            d = d * _LN2
        ga = g * d.sigmoid() if a.requires_grad else None
        gb = g * (-d).sigmoid() if b.requires_grad else None
        return ga, gb


def _logaddexp(a: np.ndarray, b: np.ndarray, base2: bool) -> np.ndarray:
    """NumPy's logaddexp formula ``max + log1p(exp(-|a - b|))`` in whole-array passes (several
    times faster than the ``np.logaddexp`` ufunc in float32); equal inputs (also +-inf) give
    ``a + log(2)``."""
    with np.errstate(invalid="ignore"):
        d = -np.abs(a - b)  # NaN where a == b == +-inf (then `same` is used)
        out = np.maximum(a, b)
        if base2:
            out += np.log1p(np.exp2(d)) * (1 / _LN2)
        else:
            out += np.log1p(np.exp(d))
        eq = a == b
        if np.any(eq):
            out = np.where(eq, a + (1.0 if base2 else _LN2), out)
        return out


@register("logaddexp")
def logaddexp(input: Tensor, other: Any) -> Tensor:
    """``log(exp(input) + exp(other))``, stable for any magnitude.

    Example:
        >>> import chainrule
        >>> chainrule.logaddexp(chainrule.tensor([1000.0]), chainrule.tensor([1000.0])).tolist()
        [1000.6931762695312]
    """
    a, b = float_pair(input, other, "logaddexp")
    return LogAddExp.apply(a, b, base2=False)


@register("logaddexp2")
def logaddexp2(input: Tensor, other: Any) -> Tensor:
    """``log2(2**input + 2**other)``, stable for any magnitude.

    Example:
        >>> import chainrule
        >>> chainrule.logaddexp2(chainrule.tensor([3.0]), chainrule.tensor([3.0])).tolist()
        [4.0]
    """
    a, b = float_pair(input, other, "logaddexp2")
    return LogAddExp.apply(a, b, base2=True)


@primitive
class Xlogy(Function):
    """``x * log(y)``, 0 where ``x == 0`` (unless y is NaN), as PyTorch's xlogy."""

    saves_inputs = True

    def forward(self, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = a * np.log(b)
        return np.where((a == 0) & ~np.isnan(b), np.zeros((), out.dtype), out)

    def backward(self, g):
        x, y = self.inputs
        gx = gy = None
        if x.requires_grad:
            gx = Xlogy.apply(g, y)
            gx = _masked(gx, (x._data == 0) & (y._data <= 0))
        if y.requires_grad:
            gy = g * x / y
            gy = _masked(gy, x._data == 0)
        return gx, gy


def _masked(t: Tensor, zero: np.ndarray) -> Tensor:
    """``t`` with the positions in ``zero`` set to 0 (no gradient flows through them)."""
    if not zero.any():
        return t
    from chainrule.autograd.ops.elementwise import where

    return where(_wrap(~np.broadcast_to(zero, t.shape)), t, 0.0)


@register("xlogy")
def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, with ``xlogy(0, y) = 0`` (also for ``y = 0``); either argument may
    be a number. At ``input = other = 0`` the gradient w.r.t. ``other`` is 0 (PyTorch: NaN).

    Example:
        >>> import chainrule
        >>> chainrule.xlogy(chainrule.tensor([0.0, 2.0]), chainrule.tensor([0.0, 1.0])).tolist()
        [0.0, 0.0]
    """
    a, b = float_pair(input, other, "xlogy")
    return Xlogy.apply(a, b)


@register("logit")
def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``; with ``eps``, p is first clamped to ``[eps, 1 - eps]``.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([0.5]).logit().tolist()
        [0.0]
    """
    p = float_input(input, "logit")
    if eps is not None:
        p = p.clamp(eps, 1.0 - eps)
    return p.log() - (1 - p).log()


@primitive
class Copysign(Function):
    """``|a|`` with the sign of ``b``; gradient ``out / a`` for a (0 where a == 0), 0 for b."""

    saves_inputs = True
    saves_output = True

    def forward(self, a, b):
        return np.copysign(a, b)

    def backward(self, g):
        a, b = self.inputs
        ga = gb = None
        if a.requires_grad:
            ratio = np.copysign(np.ones((), self.out.dtype), self.out) * np.copysign(
                np.ones((), self.out.dtype), a._data
            )
            ratio = np.where(a._data == 0, np.zeros((), ratio.dtype), ratio)
            ga = g * _wrap(ratio)
        if b.requires_grad:
            gb = _wrap(np.zeros(np.broadcast_shapes(g.shape, b.shape), g.dtype))
        return ga, gb


@register("copysign")
def copysign(input: Tensor, other: Any) -> Tensor:
    """Magnitude of ``input`` with the sign of ``other`` (a tensor or a number).

    Example:
        >>> import chainrule
        >>> chainrule.copysign(chainrule.tensor([1.0, -2.0]), -1.0).tolist()
        [-1.0, -2.0]
    """
    a, b = float_pair(input, other, "copysign")
    return Copysign.apply(a, b)


@primitive
class Hypot(Function):
    saves_inputs = True
    saves_output = True

    def forward(self, a, b):
        return np.hypot(a, b)

    def backward(self, g):
        a, b = self.inputs
        r = g / self.output()
        return (r * a if a.requires_grad else None), (r * b if b.requires_grad else None)


@register("hypot")
def hypot(input: Tensor, other: Any) -> Tensor:
    """``sqrt(input**2 + other**2)`` without overflow.

    Example:
        >>> import chainrule
        >>> chainrule.hypot(chainrule.tensor([3.0]), chainrule.tensor([4.0])).tolist()
        [5.0]
    """
    a, b = float_pair(input, other, "hypot")
    return Hypot.apply(a, b)


@primitive
class NanToNum(Function):
    """Replace NaN / +inf / -inf; the gradient passes only where the input is finite."""

    saves_inputs = True

    def forward(self, a, nan, posinf, neginf):
        return np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, g):
        return g * _wrap(np.isfinite(self.inputs[0]._data).astype(g.dtype))


@register("nan_to_num")
def nan_to_num(
    input: Tensor,
    nan: float = 0.0,
    posinf: float | None = None,
    neginf: float | None = None,
) -> Tensor:
    """Replace NaN by ``nan``, +inf by ``posinf`` and -inf by ``neginf`` (default: the dtype's
    largest / lowest finite value).

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([float("nan"), float("inf"), -1.0])
        >>> chainrule.nan_to_num(x, posinf=9.0).tolist()
        [0.0, 9.0, -1.0]
    """
    if input._data.dtype.kind != "f":
        return _wrap(input._data.copy())
    return NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)


@register("sinc")
def sinc(input: Tensor) -> Tensor:
    """Normalized sinc ``sin(pi x) / (pi x)``, 1 at x = 0 (where its gradient is 0).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([0.0, 0.5]).sinc().tolist()
        [1.0, 0.6366197466850281]
    """
    from chainrule.autograd.ops.elementwise import where

    x = float_input(input, "sinc")
    zero = _wrap(x._data == 0)
    px = where(zero, 1.0, x) * math.pi
    return where(zero, 1.0, px.sin() / px)
