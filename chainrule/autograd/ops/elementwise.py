"""Elementwise primitives: arithmetic, math functions and activations.

Kinks and ties (documented subgradients): ``relu``/``leaky_relu``/``hardtanh`` take the slope of
the right-hand side's inner branch at their kinks as PyTorch does (relu'(0) = 0, clamp passes the
gradient at its bounds), ``abs'(0) = 0``, and ``maximum``/``minimum`` split the gradient evenly
between equal inputs. ``where`` and masked gradients multiply by a 0/1 mask of the branch taken,
so a NaN or Inf in the branch not taken never reaches the gradient.

Zero cotangents stay zero: ops whose derivative can be infinite or undefined (div, sqrt, rsqrt,
log, log1p, pow, exp) return 0, not NaN, where the incoming gradient is exactly 0 and
``gradient * derivative`` is not finite. So ``where(x > 0, x.sqrt(), 0)`` has a finite gradient
(0) at ``x = -1`` and ``x = 0``, also in double backward. PyTorch returns NaN there (0 * inf);
this is a deliberate difference.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops._util import binary_operands, scalar_like
from chainrule.autograd.ops._util import zero_cotangent_vjp as _guard
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.tensor import Tensor
from chainrule.backend import kernels

_wrap = Tensor._wrap


def _guard_t(g: Tensor, r: Tensor | None) -> Tensor | None:
    """Tensor form of the zero-cotangent guard (``_util.zero_cotangent_vjp``)."""
    if r is None:
        return r
    fin = np.isfinite(r._data)
    if fin.all():
        return r
    return Where.apply(r, scalar_like(0, r), cond=fin | (g._data != 0))


def _broadcast_error(op: str, a: Any, b: Any) -> ValueError:
    return ValueError(
        f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together "
        "(trailing dimensions must be equal or 1)"
    )


# ----------------------------------------------------------------------------------------------
# binary arithmetic
# ----------------------------------------------------------------------------------------------
@primitive
class Add(Function):
    def forward(self, a, b):
        try:
            return a + b
        except ValueError:
            raise _broadcast_error("add", a, b) from None

    def backward(self, g):
        return g, g

    def vjp(self, g):
        return g, g


@primitive
class Sub(Function):
    def forward(self, a, b):
        try:
            return a - b
        except ValueError:
            raise _broadcast_error("sub", a, b) from None

    def backward(self, g):
        return g, -g

    def vjp(self, g):
        return g, -g


@primitive
class Mul(Function):
    saves_inputs = True

    def forward(self, a, b):
        try:
            return a * b
        except ValueError:
            raise _broadcast_error("mul", a, b) from None

    def backward(self, g):
        a, b = self.inputs
        return (g * b if a.requires_grad else None), (g * a if b.requires_grad else None)

    def vjp(self, g):
        a, b = self.inputs
        return (g * b._data if a.requires_grad else None), (
            g * a._data if b.requires_grad else None
        )


@primitive
class Div(Function):
    saves_inputs = True

    def forward(self, a, b):
        try:
            return a / b
        except ValueError:
            raise _broadcast_error("div", a, b) from None

    def backward(self, g):
        a, b = self.inputs
        ga = _guard_t(g, g / b) if a.requires_grad else None
        gb = _guard_t(g, -(g * a) / (b * b)) if b.requires_grad else None
        return ga, gb

    def vjp(self, g):
        a, b = self.inputs
        bd = b._data
        ga = _guard(g, g / bd) if a.requires_grad else None
        gb = _guard(g, -(g * a._data) / (bd * bd)) if b.requires_grad else None
        return ga, gb


@primitive
class Pow(Function):
    """``a ** b`` with both sides tensors. d/db uses log(a), taken as 0 where a <= 0."""

    saves_inputs = True
    saves_output = True

    def forward(self, a, b):
        try:
            return a**b
        except ValueError:
            raise _broadcast_error("pow", a, b) from None

    def backward(self, g):
        a, b = self.inputs
        ga = None
        if a.requires_grad:
            ga = g * b * a ** (b - 1)
            if (b._data == 0).any():  # d(a**0)/da = 0, also at a = 0 (not 0 * inf), as PyTorch
                ga = where(_wrap(b._data != 0), ga, scalar_like(0, ga))
            ga = _guard_t(g, ga)
        gb = None
        if b.requires_grad:
            pos = a._data > 0
            safe_a = where(_wrap(pos), a, scalar_like(1, a))
            gb = _guard_t(g, g * self.output() * safe_a.log())
        return ga, gb


@primitive
class PowScalar(Function):
    """``a ** p`` for a Python number ``p``."""

    saves_inputs = True

    def forward(self, a, p):
        self.p = p
        if p == 2:
            return a * a
        return a**p

    def backward(self, g):
        (a,) = self.inputs
        p = self.p
        if p == 2:
            return g * a * 2
        if p == 1:
            return g
        if p == 0:
            return g * 0
        return _guard_t(g, g * p * a ** (p - 1))

    def vjp(self, g):
        a = self.inputs[0]._data
        p = self.p
        if p == 2:
            return g * a * np.asarray(2, a.dtype)
        if p == 0:
            return np.zeros_like(g)
        return _guard(g, g * np.asarray(p, a.dtype) * a ** np.asarray(p - 1, a.dtype))


@primitive
class RPowScalar(Function):
    """``c ** a`` for a Python number ``c``."""

    saves_output = True

    def forward(self, a, c):
        self.c = c
        return np.asarray(c, dtype=a.dtype) ** a

    def backward(self, g):
        return g * self.output() * math.log(self.c) if self.c > 0 else g * 0


def _binary(cls, op):
    def fn(input, other):
        a, b = binary_operands(input, other, op)
        return cls.apply(a, b)

    return fn


def _rbinary(cls, op):
    def fn(input, other):
        a, b = binary_operands(other, input, op)
        return cls.apply(a, b)

    return fn


@register("add", operators=("__add__", "__radd__"))
def add(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """Elementwise ``input + alpha * other`` with broadcasting.

    Example:
        >>> import chainrule
        >>> chainrule.add(chainrule.ones(2), 2.0).tolist()
        [3.0, 3.0]
    """
    a, b = binary_operands(input, other, "add")
    if alpha != 1:
        b = b * alpha
    return Add.apply(a, b)


@register("sub", operators=("__sub__",), aliases=("subtract",))
def sub(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """Elementwise ``input - alpha * other``.

    Example:
        >>> import chainrule
        >>> (chainrule.ones(2) - 3).tolist()
        [-2.0, -2.0]
    """
    a, b = binary_operands(input, other, "sub")
    if alpha != 1:
        b = b * alpha
    return Sub.apply(a, b)


@register("rsub", method="__rsub__")
def rsub(input: Any, other: Any) -> Tensor:
    """``other - input`` (the reflected subtraction).

    Example:
        >>> import chainrule
        >>> (3 - chainrule.ones(2)).tolist()
        [2.0, 2.0]
    """
    a, b = binary_operands(other, input, "rsub")
    return Sub.apply(a, b)


@register("mul", operators=("__mul__", "__rmul__"), aliases=("multiply",))
def mul(input: Any, other: Any) -> Tensor:
    """Elementwise product with broadcasting.

    Example:
        >>> import chainrule
        >>> (chainrule.ones(2) * 3).tolist()
        [3.0, 3.0]
    """
    a, b = binary_operands(input, other, "mul")
    return Mul.apply(a, b)


@register("div", operators=("__truediv__",), aliases=("divide", "true_divide"))
def div(input: Any, other: Any) -> Tensor:
    """Elementwise true division (integer inputs give the default float dtype).

    Example:
        >>> import chainrule
        >>> (chainrule.ones(2) / 4).tolist()
        [0.25, 0.25]
    """
    a, b = binary_operands(input, other, "div")
    if a._data.dtype.kind != "f":
        from chainrule.backend import get_default_dtype

        a, b = a.to(get_default_dtype()), b.to(get_default_dtype())
    return Div.apply(a, b)


@register("rdiv", method="__rtruediv__")
def rdiv(input: Any, other: Any) -> Tensor:
    """``other / input`` (the reflected division).

    Example:
        >>> import chainrule
        >>> (1 / chainrule.full((2,), 4.0)).tolist()
        [0.25, 0.25]
    """
    return div(
        other
        if isinstance(other, Tensor)
        else scalar_like(other, input)
        if input.dtype.kind == "f"
        else other,
        input,
    )


@register("pow", operators=("__pow__",))
def pow(input: Any, exponent: Any) -> Tensor:
    """Elementwise power; ``exponent`` may be a Python number or a tensor.

    Example:
        >>> import chainrule
        >>> (chainrule.full((2,), 3.0) ** 2).tolist()
        [9.0, 9.0]
    """
    if not isinstance(input, Tensor):
        return rpow(exponent, input)
    if isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
        return PowScalar.apply(input, p=exponent)
    a, b = binary_operands(input, exponent, "pow")
    return Pow.apply(a, b)


@register("rpow", method="__rpow__")
def rpow(input: Tensor, base: Any) -> Tensor:
    """``base ** input`` for a number ``base`` (the reflected power).

    Example:
        >>> import chainrule
        >>> (2 ** chainrule.full((1,), 3.0)).tolist()
        [8.0]
    """
    if isinstance(base, (int, float)) and not isinstance(base, bool):
        return RPowScalar.apply(input, c=base)
    a, b = binary_operands(base, input, "pow")
    return Pow.apply(a, b)


@register("floor_divide", operators=("__floordiv__",), differentiable=False)
def floor_divide(input: Any, other: Any) -> Tensor:
    """Elementwise floor division (no gradient, as in PyTorch).

    Example:
        >>> import chainrule
        >>> (chainrule.tensor([7, 8]) // 3).tolist()
        [2, 2]
    """
    a, b = binary_operands(input, other, "floor_divide")
    return _wrap(a._data // b._data)


@primitive
class Remainder(Function):
    """``a - q * b`` with ``q = floor(a / b)`` (remainder, the sign of ``b``) or ``trunc(a / b)``
    (fmod, the sign of ``a``). ``q`` is piecewise constant, so ``d/da = 1`` and ``d/db = -q``
    (PyTorch's formulas; the jumps where ``a / b`` is an integer get no gradient)."""

    saves_inputs = True

    def forward(self, a, b, truncate=False):
        self.truncate = truncate
        try:
            return np.fmod(a, b) if truncate else np.remainder(a, b)
        except ValueError:
            raise _broadcast_error("fmod" if truncate else "remainder", a, b) from None

    def backward(self, g):
        a, b = self.inputs
        gb = None
        if b.requires_grad:
            ratio = a._data / b._data
            q = np.trunc(ratio) if self.truncate else np.floor(ratio)
            gb = g * _wrap(-q.astype(g.dtype, copy=False))
        return (g if a.requires_grad else None), gb


def _integer_remainder(a: Tensor, b: Tensor, truncate: bool) -> Tensor:
    return _wrap(np.fmod(a._data, b._data) if truncate else np.remainder(a._data, b._data))


@register("remainder", operators=("__mod__",))
def remainder(input: Any, other: Any) -> Tensor:
    """Elementwise remainder with the sign of the divisor (Python's ``%``, ``torch.remainder``);
    gradients ``1`` for ``input`` and ``-floor(input / other)`` for ``other``.

    Example:
        >>> import chainrule
        >>> (chainrule.tensor([7, 8]) % 3).tolist()
        [1, 2]
        >>> chainrule.remainder(chainrule.tensor([-3.0, 3.0]), 2.0).tolist()
        [1.0, 1.0]
    """
    a, b = binary_operands(input, other, "remainder")
    if a.dtype.kind != "f":
        return _integer_remainder(a, b, False)
    return Remainder.apply(a, b)


@register("fmod")
def fmod(input: Any, other: Any) -> Tensor:
    """Elementwise remainder with the sign of the dividend (C's ``fmod``, ``torch.fmod``);
    gradients ``1`` for ``input`` and ``-trunc(input / other)`` for ``other``.

    Example:
        >>> import chainrule
        >>> chainrule.fmod(chainrule.tensor([-3.0, 3.0]), 2.0).tolist()
        [-1.0, 1.0]
    """
    a, b = binary_operands(input, other, "fmod")
    if a.dtype.kind != "f":
        return _integer_remainder(a, b, True)
    return Remainder.apply(a, b, truncate=True)


@primitive
class Maximum(Function):
    saves_inputs = True

    def forward(self, a, b):
        try:
            return np.maximum(a, b)
        except ValueError:
            raise _broadcast_error("maximum", a, b) from None

    def backward(self, g):
        a, b = self.inputs
        w = (a._data > b._data).astype(g.dtype) + (a._data == b._data).astype(g.dtype) * 0.5
        ga = g * _wrap(w) if a.requires_grad else None
        gb = g * _wrap(1 - w) if b.requires_grad else None
        return ga, gb


@register("maximum")
def maximum(input: Any, other: Any) -> Tensor:
    """Elementwise maximum; equal inputs share the gradient equally.

    Example:
        >>> import chainrule
        >>> chainrule.maximum(chainrule.tensor([1.0, 5.0]), chainrule.tensor([3.0, 2.0])).tolist()
        [3.0, 5.0]
    """
    a, b = binary_operands(input, other, "maximum")
    return Maximum.apply(a, b)


@register("minimum")
def minimum(input: Any, other: Any) -> Tensor:
    """Elementwise minimum; equal inputs share the gradient equally.

    Example:
        >>> import chainrule
        >>> chainrule.minimum(chainrule.tensor([1.0, 5.0]), chainrule.tensor([3.0, 2.0])).tolist()
        [1.0, 2.0]
    """
    a, b = binary_operands(input, other, "minimum")
    return -Maximum.apply(-a, -b)


@primitive
class Where(Function):
    def forward(self, a, b, cond):
        self.cond = cond
        try:
            return np.where(cond, a, b)
        except ValueError:
            raise ValueError(
                f"where: condition {cond.shape}, input {a.shape} and other {b.shape} cannot be "
                "broadcast together"
            ) from None

    def backward(self, g):
        a, b = self.inputs
        zero = scalar_like(0, g)
        c = self.cond
        ga = Where.apply(g, zero, cond=c) if a.requires_grad else None
        gb = Where.apply(zero, g, cond=c) if b.requires_grad else None
        return ga, gb

    def vjp(self, g):
        a, b = self.inputs
        c = self.cond
        zero = np.zeros((), g.dtype)
        return (np.where(c, g, zero) if a.requires_grad else None), (
            np.where(c, zero, g) if b.requires_grad else None
        )


@register("where", method=True)
def where(condition: Any, input: Any = None, other: Any = None) -> Tensor:
    """Pick ``input`` where ``condition`` is true, else ``other``. The branch not taken gets
    exactly zero gradient (never NaN, even if it holds NaN or Inf).

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([-1.0, 2.0])
        >>> chainrule.where(x > 0, x, 0.0).tolist()
        [0.0, 2.0]
    """
    if input is None and other is None:  # where(condition): nonzero(condition, as_tuple=True)
        return condition.nonzero(as_tuple=True)
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)
    a, b = binary_operands(input, other, "where")
    return Where.apply(a, b, cond=cond)


@register("lerp")
def lerp(input: Tensor, end: Any, weight: Any) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)``.

    Example:
        >>> import chainrule
        >>> chainrule.lerp(chainrule.zeros(2), chainrule.ones(2), 0.25).tolist()
        [0.25, 0.25]
    """
    return input + weight * (end - input)


# ----------------------------------------------------------------------------------------------
# unary math
# ----------------------------------------------------------------------------------------------
@primitive
class Neg(Function):
    def forward(self, a):
        return -a

    def backward(self, g):
        return -g

    def vjp(self, g):
        return -g


@register("neg", operators=("__neg__",), aliases=("negative",))
def neg(input: Tensor) -> Tensor:
    """Elementwise negation.

    Example:
        >>> import chainrule
        >>> (-chainrule.ones(1)).tolist()
        [-1.0]
    """
    return Neg.apply(input)


def _unary(name: str, cls: type, doc: str, functional: bool = False, operators=()):
    def fn(input: Tensor) -> Tensor:
        return cls.apply(input)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    register(name, functional=functional, operators=operators)(fn)
    return fn


@primitive
class Exp(Function):
    saves_output = True

    def forward(self, a):
        return np.exp(a)

    def backward(self, g):
        return _guard_t(g, g * self.output())

    def vjp(self, g):
        return _guard(g, g * self.out)


@primitive
class Log(Function):
    saves_inputs = True

    def forward(self, a):
        return np.log(a)

    def backward(self, g):
        return _guard_t(g, g / self.inputs[0])

    def vjp(self, g):
        return _guard(g, g / self.inputs[0]._data)


@primitive
class Log1p(Function):
    saves_inputs = True

    def forward(self, a):
        return np.log1p(a)

    def backward(self, g):
        return _guard_t(g, g / (self.inputs[0] + 1))


@primitive
class Expm1(Function):
    saves_output = True

    def forward(self, a):
        return np.expm1(a)

    def backward(self, g):
        return g * (self.output() + 1)


@primitive
class Sqrt(Function):
    saves_output = True

    def forward(self, a):
        return np.sqrt(a)

    def backward(self, g):
        return _guard_t(g, g / (self.output() * 2))

    def vjp(self, g):
        return _guard(g, g / (self.out * np.asarray(2, self.out.dtype)))


@primitive
class Rsqrt(Function):
    saves_output = True

    def forward(self, a):
        return 1 / np.sqrt(a)

    def backward(self, g):
        y = self.output()
        return _guard_t(g, g * (y * y * y) * -0.5)


@primitive
class Sin(Function):
    saves_inputs = True

    def forward(self, a):
        return np.sin(a)

    def backward(self, g):
        return g * self.inputs[0].cos()


@primitive
class Cos(Function):
    saves_inputs = True

    def forward(self, a):
        return np.cos(a)

    def backward(self, g):
        return -(g * self.inputs[0].sin())


@primitive
class Tanh(Function):
    saves_output = True

    def forward(self, a):
        return np.tanh(a)

    def backward(self, g):
        y = self.output()
        return g * (1 - y * y)

    def vjp(self, g):
        y = self.out
        t = y * y
        if not isinstance(t, np.ndarray):  # 0-d: NumPy returned a scalar
            return g * (1 - t)
        np.subtract(1, t, out=t)  # one temporary instead of three: same values
        t *= g
        return t


@primitive
class Sigmoid(Function):
    """Stable logistic: never evaluates exp of a large positive number."""

    saves_output = True

    def forward(self, a):
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)

    def backward(self, g):
        y = self.output()
        return g * y * (1 - y)

    def vjp(self, g):
        y = self.out
        return g * y * (1 - y)


@primitive
class Abs(Function):
    saves_inputs = True

    def forward(self, a):
        return np.abs(a)

    def backward(self, g):
        return g * _wrap(np.sign(self.inputs[0]._data))


@primitive
class Relu(Function):
    """relu'(0) = 0, as in PyTorch."""

    saves_output = True

    def forward(self, a):
        return np.maximum(a, 0)

    def backward(self, g):
        return g * _wrap((self.out > 0).astype(g.dtype))

    def vjp(self, g):
        gx = kernels.relu_backward(g, self.out)  # one pass where the compiled kernel applies
        return g * (self.out > 0) if gx is None else gx


def _erf_approx(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26: |error| < 1.5e-7, below float32 resolution near 1.
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (
        ((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592
    ) * t * np.exp(-a * a)
    return (s * y).astype(x.dtype, copy=False)


_erf64 = np.frompyfunc(math.erf, 1, 1)


def erf_array(x: np.ndarray) -> np.ndarray:
    """erf on an array: exact (``math.erf``) in float64, a 1.5e-7 approximation otherwise.

    NumPy has no erf and the core depends on NumPy alone; float64 (used by gradient checks)
    gets the exact value, float32/16 a polynomial accurate to their resolution.
    """
    if x.dtype == np.float64:
        return np.asarray(_erf64(x), dtype=np.float64)  # (0-d input: frompyfunc gives a float)
    return _erf_approx(x)


@primitive
class Erf(Function):
    saves_inputs = True

    def forward(self, a):
        return erf_array(a)

    def backward(self, g):
        x = self.inputs[0]
        return g * (-(x * x)).exp() * (2 / math.sqrt(math.pi))


_unary(
    "exp",
    Exp,
    "Elementwise e**x.\n\nExample:\n    >>> import chainrule\n"
    "    >>> chainrule.zeros(1).exp().tolist()\n    [1.0]\n",
)
_unary(
    "log",
    Log,
    "Natural logarithm.\n\nExample:\n    >>> import chainrule\n"
    "    >>> chainrule.ones(1).log().tolist()\n    [0.0]\n",
)
_unary(
    "log1p",
    Log1p,
    "log(1 + x), accurate for small x.\n\nExample:\n    >>> import chainrule\n"
    "    >>> chainrule.zeros(1).log1p().tolist()\n    [0.0]\n",
)
_unary(
    "expm1",
    Expm1,
    "exp(x) - 1, accurate for small x.\n\nExample:\n    >>> import chainrule\n"
    "    >>> chainrule.zeros(1).expm1().tolist()\n    [0.0]\n",
)
_unary(
    "sqrt",
    Sqrt,
    "Square root.\n\nExample:\n    >>> import chainrule\n"
    "    >>> chainrule.full((1,), 4.0).sqrt().tolist()\n    [2.0]\n",
)
_unary(
    "rsqrt",
    Rsqrt,
    "1 / sqrt(x).\n\nExample:\n    >>> import chainrule\n"
    "    >>> chainrule.full((1,), 4.0).rsqrt().tolist()\n    [0.5]\n",
)
_unary(
    "sin",
    Sin,
    "Sine.\n\nExample:\n    >>> import chainrule\n"
    "    >>> chainrule.zeros(1).sin().tolist()\n    [0.0]\n",
)
_unary(
    "cos",
    Cos,
    "Cosine.\n\nExample:\n    >>> import chainrule\n"
    "    >>> chainrule.zeros(1).cos().tolist()\n    [1.0]\n",
)
_unary(
    "tanh",
    Tanh,
    "Hyperbolic tangent (stable at +-1e3).\n\nExample:\n"
    "    >>> import chainrule\n    >>> chainrule.zeros(1).tanh().tolist()\n    [0.0]\n",
    functional=True,
)
_unary(
    "sigmoid",
    Sigmoid,
    "Logistic sigmoid 1 / (1 + e**-x), computed stably.\n\nExample:\n"
    "    >>> import chainrule\n    >>> chainrule.zeros(1).sigmoid().tolist()\n    [0.5]\n",
    functional=True,
)
_unary(
    "abs",
    Abs,
    "Absolute value (abs'(0) = 0).\n\nExample:\n    >>> import chainrule\n"
    "    >>> chainrule.tensor([-2.0]).abs().tolist()\n    [2.0]\n",
    operators=("__abs__",),
)
_unary(
    "relu",
    Relu,
    "max(x, 0); relu'(0) = 0.\n\nExample:\n    >>> import chainrule\n"
    "    >>> chainrule.tensor([-1.0, 2.0]).relu().tolist()\n    [0.0, 2.0]\n",
    functional=True,
)
_unary(
    "erf",
    Erf,
    "The error function.\n\nExample:\n    >>> import chainrule\n"
    "    >>> chainrule.zeros(1).erf().tolist()\n    [0.0]\n",
)


@register("sign", differentiable=False)
def sign(input: Tensor) -> Tensor:
    """Elementwise sign (-1, 0 or 1); its gradient is zero, so it records nothing.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-3.0, 0.0, 2.0]).sign().tolist()
        [-1.0, 0.0, 1.0]
    """
    return _wrap(np.sign(input._data))


@register("reciprocal")
def reciprocal(input: Tensor) -> Tensor:
    """1 / x.

    Example:
        >>> import chainrule
        >>> chainrule.full((1,), 4.0).reciprocal().tolist()
        [0.25]
    """
    return rdiv(input, 1)


@register("square")
def square(input: Tensor) -> Tensor:
    """x * x.

    Example:
        >>> import chainrule
        >>> chainrule.full((1,), 3.0).square().tolist()
        [9.0]
    """
    return PowScalar.apply(input, p=2)


# ----------------------------------------------------------------------------------------------
# activations
# ----------------------------------------------------------------------------------------------
@primitive
class LeakyRelu(Function):
    saves_inputs = True

    def forward(self, a, slope):
        self.slope = slope
        return np.where(a > 0, a, a * np.asarray(slope, a.dtype))

    def backward(self, g):
        x = self.inputs[0]._data
        return g * _wrap(np.where(x > 0, 1, self.slope).astype(g.dtype))


@register("leaky_relu", functional=True)
def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, ``negative_slope * x`` otherwise (slope at 0: negative_slope).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-1.0, 2.0]).leaky_relu(0.1).tolist()
        [-0.10000000149011612, 2.0]
    """
    return LeakyRelu.apply(input, slope=negative_slope)


@primitive
class Elu(Function):
    saves_inputs = True
    saves_output = True

    def forward(self, a, alpha):
        self.alpha = alpha
        return np.where(a > 0, a, np.expm1(np.minimum(a, 0)) * np.asarray(alpha, a.dtype))

    def backward(self, g):
        x = self.inputs[0]
        pos = _wrap(x._data > 0)
        return where(pos, g, g * (self.output() + self.alpha))


@register("elu", functional=True)
def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, ``alpha * (exp(x) - 1)`` otherwise.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([0.0, 2.0]).elu().tolist()
        [0.0, 2.0]
    """
    return Elu.apply(input, alpha=alpha)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@register("selu", functional=True)
def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """Scaled ELU with the self-normalizing constants of Klambauer et al. (2017).

    Example:
        >>> import chainrule
        >>> round(chainrule.ones(1).selu().item(), 4)
        1.0507
    """
    return Elu.apply(input, alpha=_SELU_ALPHA) * _SELU_SCALE


@primitive
class Gelu(Function):
    """Exact GELU x * Phi(x); backward Phi(x) + x * phi(x), written with tensor ops."""

    saves_inputs = True

    def forward(self, a):
        return (a * 0.5 * (1 + erf_array(a * np.asarray(1 / math.sqrt(2), a.dtype)))).astype(
            a.dtype, copy=False
        )

    def backward(self, g):
        x = self.inputs[0]
        cdf = ((x * (1 / math.sqrt(2))).erf() + 1) * 0.5
        pdf = (x * x * -0.5).exp() * (1 / math.sqrt(2 * math.pi))
        return g * (cdf + x * pdf)


@register("gelu", functional=True)
def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit; ``approximate="tanh"`` uses the tanh formula.

    Example:
        >>> import chainrule
        >>> round(chainrule.ones(1).gelu().item(), 4)
        0.8413
    """
    if approximate == "none":
        return Gelu.apply(input)
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        return input * 0.5 * (((input + input**3 * 0.044715) * k).tanh() + 1)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


@primitive
class Silu(Function):
    saves_inputs = True

    def forward(self, a):
        e = np.exp(-np.abs(a))
        s = np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)
        return a * s

    def backward(self, g):
        x = self.inputs[0]
        s = x.sigmoid()
        return g * (s * (x * (1 - s) + 1))


@register("silu", functional=True)
def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish).

    Example:
        >>> import chainrule
        >>> chainrule.zeros(1).silu().tolist()
        [0.0]
    """
    return Silu.apply(input)


@primitive
class Softplus(Function):
    """log(1 + exp(beta x)) / beta, as max(z, 0) + log1p(exp(-|z|)): no overflow at any x."""

    saves_inputs = True

    def forward(self, a, beta, threshold):
        self.beta = beta
        self.threshold = threshold
        z = a * np.asarray(beta, a.dtype)
        soft = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / np.asarray(beta, a.dtype)
        return np.where(z > threshold, a, soft).astype(a.dtype, copy=False)

    def backward(self, g):
        x = self.inputs[0]
        lin = _wrap(x._data * self.beta > self.threshold)
        return where(lin, g, g * (x * self.beta).sigmoid())


@register("softplus", functional=True)
def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Smooth ReLU ``log(1 + exp(beta * x)) / beta``; linear above ``threshold`` (as PyTorch).

    Example:
        >>> import chainrule
        >>> round(chainrule.zeros(1).softplus().item(), 4)
        0.6931
    """
    return Softplus.apply(input, beta=beta, threshold=threshold)


@register("softsign", functional=True)
def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|).

    Example:
        >>> import chainrule
        >>> chainrule.ones(1).softsign().tolist()
        [0.5]
    """
    return input / (input.abs() + 1)


@primitive
class Clamp(Function):
    """Clamp to [lo, hi]; the gradient passes where lo <= x <= hi (bounds included, as
    PyTorch's clamp), or strictly inside with ``inclusive=False`` (PyTorch's hardtanh)."""

    saves_inputs = True

    def forward(self, a, lo, hi, inclusive=True):
        self.lo, self.hi, self.inclusive = lo, hi, inclusive
        return np.clip(a, lo, hi)

    def _mask(self, dtype):
        x = self.inputs[0]._data
        m = np.ones(x.shape, dtype=bool)
        if self.lo is not None:
            m &= (x >= self.lo) if self.inclusive else (x > self.lo)
        if self.hi is not None:
            m &= (x <= self.hi) if self.inclusive else (x < self.hi)
        return m.astype(dtype)

    def backward(self, g):
        return g * _wrap(self._mask(g.dtype))

    def vjp(self, g):
        return g * self._mask(g.dtype)


@register("clamp", aliases=("clip",))
def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Limit values to ``[min, max]`` (numbers or tensors; either may be None).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-2.0, 0.5, 3.0]).clamp(-1, 1).tolist()
        [-1.0, 0.5, 1.0]
    """
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    return Clamp.apply(input, lo=min, hi=max)


@register("hardtanh", functional=True)
def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """Clamp to ``[min_val, max_val]``. As in PyTorch, the gradient is 0 at the bounds
    themselves (``clamp`` passes it there).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-2.0, 0.5]).hardtanh().tolist()
        [-1.0, 0.5]
    """
    return Clamp.apply(input, lo=min_val, hi=max_val, inclusive=False)


@register("logsigmoid", functional=True)
def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) computed stably as -softplus(-x).

    Example:
        >>> import chainrule
        >>> round(chainrule.zeros(1).logsigmoid().item(), 4)
        -0.6931
    """
    return -Softplus.apply(-input, beta=1.0, threshold=20.0)


# ----------------------------------------------------------------------------------------------
# dtype conversion
# ----------------------------------------------------------------------------------------------
@primitive
class Cast(Function):
    def forward(self, a, dtype):
        self.src = a.dtype
        return a.astype(dtype)

    def backward(self, g):
        return Cast.apply(g, dtype=self.src)

    def vjp(self, g):
        return g.astype(self.src)
