"""Elementwise numerics PyTorch has beyond the basics: ``deg2rad``, ``rad2deg``, ``fmax``,
``fmin``, ``float_power``, ``gcd``, ``lcm``, ``heaviside``, ``ldexp``, ``frexp``,
``nextafter``, ``signbit``, ``isneginf``, ``isposinf``, ``isreal``, ``angle``, ``real``,
``imag``, ``renorm``, ``dist``, and the Tensor/torch forms of ``hardshrink`` and ``prelu``.

chainrule has no complex dtypes: ``real`` returns its (real) input, ``imag`` raises as PyTorch
does for a real tensor, ``angle`` is 0 or pi, ``isreal`` is all True.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops import return_types
from chainrule.autograd.ops._util import binary_operands, scalar_like
from chainrule.autograd.ops.bitwise import _dtype_name
from chainrule.autograd.ops.logexp import float_pair
from chainrule.autograd.ops.registry import OPS, primitive, register
from chainrule.autograd.ops.return_types import _result_type
from chainrule.autograd.ops.trig import float_input
from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt

_wrap = Tensor._wrap
return_types.frexp = _result_type("frexp", ("mantissa", "exponent"))


def _where(cond: np.ndarray, a: Tensor, b: Tensor) -> Tensor:
    return OPS["where"].fn(_wrap(cond), a, b)


@register("deg2rad")
def deg2rad(input: Tensor) -> Tensor:
    """Degrees to radians.

    Example:
        >>> import chainrule
        >>> round(chainrule.tensor([180.0]).deg2rad().item(), 5)
        3.14159
    """
    x = float_input(input, "deg2rad")
    return x * (math.pi / 180.0)


@register("rad2deg")
def rad2deg(input: Tensor) -> Tensor:
    """Radians to degrees.

    Example:
        >>> import chainrule
        >>> round(chainrule.tensor([3.14159265]).rad2deg().item(), 3)
        180.0
    """
    x = float_input(input, "rad2deg")
    return x * (180.0 / math.pi)


@primitive
class FMax(Function):
    """``fmax``/``fmin``: the max (min) ignoring NaN; the gradient goes to the chosen side
    (``input`` on ties), as PyTorch's formula."""

    saves_inputs = True

    def forward(self, a, b, minimum=False):
        self.minimum = minimum
        try:
            return np.fmin(a, b) if minimum else np.fmax(a, b)
        except ValueError:
            raise ValueError(
                f"{'fmin' if minimum else 'fmax'}: shapes {a.shape} and {b.shape} cannot be "
                "broadcast together"
            ) from None

    def _mask(self):
        a, b = self.inputs[0]._data, self.inputs[1]._data
        pick_a = (a <= b) if self.minimum else (a >= b)
        return pick_a | np.isnan(b)

    def backward(self, g):
        m = self._mask()
        z = scalar_like(0, g)
        ga = _where(m, g, z) if self.inputs[0].requires_grad else None
        gb = _where(~m, g, z) if self.inputs[1].requires_grad else None
        return ga, gb

    def vjp(self, g):
        m = self._mask()
        return np.where(m, g, 0).astype(g.dtype), np.where(m, 0, g).astype(g.dtype)


@register("fmax")
def fmax(input: Tensor, other: Any) -> Tensor:
    """Elementwise maximum that ignores NaN (NaN only where both are NaN).

    Example:
        >>> import chainrule
        >>> chainrule.fmax(chainrule.tensor([1.0, float("nan")]), chainrule.tensor([2.0, 3.0]))
        tensor([2., 3.])
    """
    a, b = binary_operands(input, other, "fmax")
    return FMax.apply(a, b)


@register("fmin")
def fmin(input: Tensor, other: Any) -> Tensor:
    """Elementwise minimum that ignores NaN (NaN only where both are NaN).

    Example:
        >>> import chainrule
        >>> chainrule.fmin(chainrule.tensor([1.0, float("nan")]), chainrule.tensor([2.0, 3.0]))
        tensor([1., 3.])
    """
    a, b = binary_operands(input, other, "fmin")
    return FMax.apply(a, b, minimum=True)


@register("float_power")
def float_power(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent`` computed in float64 (the result is float64), as PyTorch.

    Example:
        >>> import chainrule
        >>> chainrule.float_power(chainrule.tensor([2]), 3)
        tensor([8.], dtype=float64)
    """
    f64 = _dt.float64
    if isinstance(input, Tensor):
        base = input.to(f64)
    else:
        base = float(input)
    exp = exponent.to(f64) if isinstance(exponent, Tensor) else float(exponent)
    if not isinstance(base, Tensor):
        return OPS["pow"].fn(_wrap(np.asarray(base, f64)), exp)
    return OPS["pow"].fn(base, exp)


def _int_pair(input: Any, other: Any, op: str) -> tuple:
    a, b = binary_operands(input, other, op)
    for t in (a, b):
        if t._data.dtype.kind not in "iu":
            raise NotImplementedError(
                f"{op}: not implemented for dtype {_dtype_name(t._data.dtype)} (shapes "
                f"{a.shape} and {b.shape}); {op} takes integer tensors"
            )
    return a._data, b._data


@register("gcd", differentiable=False)
def gcd(input: Tensor, other: Any) -> Tensor:
    """Elementwise greatest common divisor of integer tensors (non-negative).

    Example:
        >>> import chainrule
        >>> chainrule.gcd(chainrule.tensor([12, -9]), chainrule.tensor([18, 6])).tolist()
        [6, 3]
    """
    a, b = _int_pair(input, other, "gcd")
    return _wrap(np.gcd(a, b))


@register("lcm", differentiable=False)
def lcm(input: Tensor, other: Any) -> Tensor:
    """Elementwise least common multiple of integer tensors (non-negative).

    Example:
        >>> import chainrule
        >>> chainrule.lcm(chainrule.tensor([4, -3]), chainrule.tensor([6, 5])).tolist()
        [12, 15]
    """
    a, b = _int_pair(input, other, "lcm")
    return _wrap(np.lcm(a, b))


@register("heaviside", differentiable=False)
def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """Step function: 0 where ``input < 0``, 1 where ``> 0``, ``values`` where ``== 0``.
    Both tensors must have one dtype, as in PyTorch.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-1.0, 0.0, 2.0]).heaviside(chainrule.tensor([0.5])).tolist()
        [0.0, 0.5, 1.0]
    """
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside: values must be a Tensor, got {type(values).__name__}")
    if input._data.dtype != values._data.dtype:
        raise RuntimeError(
            "heaviside is not yet implemented for tensors with different dtypes "
            f"(input {input.dtype}, values {values.dtype})"
        )
    return _wrap(np.heaviside(input._data, values._data).astype(input._data.dtype))


@register("ldexp")
def ldexp(input: Tensor, other: Any) -> Tensor:
    """``input * 2 ** other`` (a floating-point result).

    Example:
        >>> import chainrule
        >>> chainrule.ldexp(chainrule.tensor([1.0, 3.0]), chainrule.tensor([2, 1])).tolist()
        [4.0, 6.0]
    """
    x = float_input(input, "ldexp")
    e = other if isinstance(other, Tensor) else _wrap(np.asarray(other))
    scale = np.exp2(e._data.astype(x._data.dtype))
    if isinstance(other, Tensor) and other.requires_grad:
        scale_t = OPS["exp2"].fn(other.to(x._data.dtype))
        return x * scale_t
    return x * _wrap(scale)


@primitive
class Frexp(Function):
    """The mantissa of ``frexp``; its gradient is ``g / 2 ** exponent`` (PyTorch's)."""

    saves_inputs = True

    def forward(self, a):
        return np.frexp(a)[0]

    def backward(self, g):
        e = np.frexp(self.inputs[0]._data)[1]
        return g * _wrap(np.exp2(-e).astype(g._data.dtype))


@register("frexp")
def frexp(input: Tensor) -> Any:
    """Split into mantissa in ``[0.5, 1)`` and int32 exponent: ``input = m * 2 ** e``.

    Example:
        >>> import chainrule
        >>> m, e = chainrule.tensor([8.0, 0.75]).frexp()
        >>> m.tolist(), e.tolist()
        ([0.5, 0.75], [4, 0])
    """
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"torch.frexp() only supports floating-point dtypes, got {input.dtype} "
            f"(shape {input.shape})"
        )
    exp = np.frexp(input._data)[1].astype(np.int32)
    return return_types.frexp(Frexp.apply(input), _wrap(exp))


@register("nextafter", differentiable=False)
def nextafter(input: Tensor, other: Any) -> Tensor:
    """The next representable float after ``input`` towards ``other``.

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([1.0])
        >>> bool(chainrule.nextafter(x, chainrule.tensor([2.0])) > x)
        True
    """
    a, b = binary_operands(input, other, "nextafter")
    if a._data.dtype.kind != "f":
        raise NotImplementedError(
            f"nextafter: not implemented for dtype {_dtype_name(a._data.dtype)}"
        )
    return _wrap(np.nextafter(a._data, b._data))


@register("signbit", differentiable=False)
def signbit(input: Tensor) -> Tensor:
    """True where the sign bit is set (also for -0.0).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-0.0, 0.0, -2.0]).signbit().tolist()
        [True, False, True]
    """
    return _wrap(np.signbit(input._data))


@register("isneginf", differentiable=False)
def isneginf(input: Tensor) -> Tensor:
    """True where the value is -inf.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-float("inf"), 1.0]).isneginf().tolist()
        [True, False]
    """
    a = input._data
    return _wrap(np.isneginf(a) if a.dtype.kind == "f" else np.zeros(a.shape, bool))


@register("isposinf", differentiable=False)
def isposinf(input: Tensor) -> Tensor:
    """True where the value is +inf.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([float("inf"), 1.0]).isposinf().tolist()
        [True, False]
    """
    a = input._data
    return _wrap(np.isposinf(a) if a.dtype.kind == "f" else np.zeros(a.shape, bool))


@register("isreal", differentiable=False)
def isreal(input: Tensor) -> Tensor:
    """True everywhere: chainrule has no complex dtypes.

    Example:
        >>> import chainrule
        >>> chainrule.tensor([1.0]).isreal().tolist()
        [True]
    """
    return _wrap(np.ones(input._data.shape, bool))


@primitive
class Angle(Function):
    """The argument of a real number; its gradient is 0 (PyTorch's for real inputs)."""

    def forward(self, a):
        out = np.where(a < 0, np.asarray(math.pi, a.dtype), np.zeros((), a.dtype))
        return np.where(np.isnan(a), a, out)

    def backward(self, g):
        return g * 0


@register("angle")
def angle(input: Tensor) -> Tensor:
    """The argument of a real number: pi where ``input < 0``, 0 elsewhere (NaN stays NaN).

    Example:
        >>> import chainrule
        >>> [round(v, 4) for v in chainrule.tensor([-2.0, 3.0]).angle().tolist()]
        [3.1416, 0.0]
    """
    return Angle.apply(float_input(input, "angle"))


@register("real", method=False)
def real(input: Tensor) -> Tensor:
    """The real part: the input itself (chainrule tensors are real).

    Example:
        >>> import chainrule
        >>> x = chainrule.ones(2); chainrule.real(x) is x
        True
    """
    return input


@register("imag", method=False, differentiable=False)
def imag(input: Tensor) -> Tensor:
    """Raises, as PyTorch does for a real tensor (chainrule has no complex dtypes).

    Example:
        >>> import chainrule
        >>> chainrule.imag(chainrule.ones(1))
        Traceback (most recent call last):
        ...
        RuntimeError: imag is not implemented for tensors with non-complex dtypes (got float32).
    """
    raise RuntimeError(
        f"imag is not implemented for tensors with non-complex dtypes (got {input.dtype})."
    )


@register("renorm")
def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Rescale each slice ``input.select(dim, i)`` whose p-norm exceeds ``maxnorm`` to norm
    ``maxnorm`` (PyTorch's ``maxnorm / (norm + 1e-7)`` factor).

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([[3.0, 4.0], [0.3, 0.4]])
        >>> [round(v, 4) for v in x.renorm(2, 0, 1.0).flatten().tolist()]
        [0.6, 0.8, 0.3, 0.4]
    """
    from chainrule.autograd.ops._util import normalize_dim

    if p <= 0:
        raise RuntimeError(f"renorm: non-positive-norm not supported (got p={p})")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if input.ndim <= 1:
        raise RuntimeError(
            f"renorm: input needs at least 2 dimensions, got {input.ndim} dimensions"
        )
    d = normalize_dim(dim, input.ndim, "renorm")
    others = tuple(i for i in range(input.ndim) if i != d)
    norm = OPS["norm"].fn(input, p, dim=others, keepdim=True)
    over = norm._data > maxnorm
    factor = _where(over, maxnorm / (norm + 1e-7), scalar_like(1, norm))
    return input * factor


@register("dist")
def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of ``input - other`` (broadcast), over all elements.

    Example:
        >>> import chainrule
        >>> chainrule.dist(chainrule.tensor([0.0, 0.0]), chainrule.tensor([3.0, 4.0])).item()
        5.0
    """
    a, b = float_pair(input, other, "dist")
    d = a - b
    if p == 0:
        return _wrap(np.asarray((d._data != 0).sum(), d._data.dtype))
    return OPS["norm"].fn(d, p)


@register("hardshrink")
def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``input`` where ``|input| > lambd``, 0 elsewhere (as ``nn.functional.hardshrink``).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-1.0, 0.25, 1.0]).hardshrink().tolist()
        [-1.0, 0.0, 1.0]
    """
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"hardshrink: expected a floating-point tensor, got {input.dtype}")
    a = input._data
    return _where((a > lambd) | (a < -lambd), input, scalar_like(0, input))


@register("prelu")
def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``max(0, x) + weight * min(0, x)``, ``weight`` per channel (dim 1) or one value
    (as ``nn.functional.prelu``).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([-2.0, 3.0]).prelu(chainrule.tensor([0.25])).tolist()
        [-0.5, 3.0]
    """
    w = weight
    if weight.numel() != 1:
        if input.ndim < 2 or input.shape[1] != weight.numel():
            raise RuntimeError(
                f"prelu: weight has {weight.numel()} slopes but input (shape {input.shape}) "
                f"has {input.shape[1] if input.ndim >= 2 else 1} channels in dimension 1"
            )
        w = weight.reshape(weight.numel(), *([1] * (input.ndim - 2)))
    elif weight.ndim != 0:
        w = weight.reshape(())
    z = scalar_like(0, input)
    pos = _where(input._data > 0, input, z)
    neg = _where(input._data > 0, z, input)
    return pos + w * neg
