"""Trigonometric and hyperbolic functions: tan, sinh, cosh, asin, acos, atan, atan2, asinh,
acosh, atanh, each also under NumPy's ``arc*`` name (``arcsin``, ``arctan2``, ...) as PyTorch.

Integer and bool inputs give the default float dtype, as in PyTorch. Each derivative is written
with Tensor ops, so double backward works.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt


def float_input(input: Any, op: str) -> Tensor:
    """``input`` as a floating-point Tensor: integer/bool tensors take the default float dtype."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    if input._data.dtype.kind not in "fc":
        return input.to(_dt.get_default_dtype())
    return input


def unary_op(name: str, cls: type, doc: str, aliases: tuple = ()) -> Any:
    """Register ``name`` (and ``aliases``) as ``cls.apply`` on a floating-point input."""

    def fn(input: Tensor) -> Tensor:
        return cls.apply(float_input(input, name))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    fn.__annotations__ = {"input": "Tensor", "return": "Tensor"}
    return register(name, aliases=aliases)(fn)


def _doc(summary: str, call: str, value: str) -> str:
    return (
        f"{summary}\n\nExample:\n    >>> import chainrule\n"
        f"    >>> [round(v, 4) for v in chainrule.tensor([{call}]).{{}}().tolist()]\n"
        f"    [{value}]\n"
    )


@primitive
class Tan(Function):
    saves_output = True

    def forward(self, a):
        return np.tan(a)

    def backward(self, g):
        y = self.output()
        return g * (1 + y * y)


@primitive
class Sinh(Function):
    saves_inputs = True

    def forward(self, a):
        return np.sinh(a)

    def backward(self, g):
        return g * Cosh.apply(self.inputs[0])


@primitive
class Cosh(Function):
    saves_inputs = True

    def forward(self, a):
        return np.cosh(a)

    def backward(self, g):
        return g * Sinh.apply(self.inputs[0])


@primitive
class Asin(Function):
    saves_inputs = True

    def forward(self, a):
        return np.arcsin(a)

    def backward(self, g):
        x = self.inputs[0]
        return g * (1 - x * x).rsqrt()


@primitive
class Acos(Function):
    saves_inputs = True

    def forward(self, a):
        return np.arccos(a)

    def backward(self, g):
        x = self.inputs[0]
        return -(g * (1 - x * x).rsqrt())


@primitive
class Atan(Function):
    saves_inputs = True

    def forward(self, a):
        return np.arctan(a)

    def backward(self, g):
        x = self.inputs[0]
        return g / (1 + x * x)


@primitive
class Asinh(Function):
    saves_inputs = True

    def forward(self, a):
        return np.arcsinh(a)

    def backward(self, g):
        x = self.inputs[0]
        return g * (x * x + 1).rsqrt()


@primitive
class Acosh(Function):
    saves_inputs = True

    def forward(self, a):
        return np.arccosh(a)

    def backward(self, g):
        x = self.inputs[0]
        return g * (x * x - 1).rsqrt()


@primitive
class Atanh(Function):
    saves_inputs = True

    def forward(self, a):
        return np.arctanh(a)

    def backward(self, g):
        x = self.inputs[0]
        return g / (1 - x * x)


for _name, _cls, _summary, _call, _value, _aliases in [
    ("tan", Tan, "Tangent.", "0.0, 1.0", "0.0, 1.5574", ()),
    ("sinh", Sinh, "Hyperbolic sine.", "0.0, 1.0", "0.0, 1.1752", ()),
    ("cosh", Cosh, "Hyperbolic cosine.", "0.0, 1.0", "1.0, 1.5431", ()),
    ("asin", Asin, "Inverse sine (x in [-1, 1]).", "0.0, 1.0", "0.0, 1.5708", ("arcsin",)),
    ("acos", Acos, "Inverse cosine (x in [-1, 1]).", "1.0, 0.0", "0.0, 1.5708", ("arccos",)),
    ("atan", Atan, "Inverse tangent.", "0.0, 1.0", "0.0, 0.7854", ("arctan",)),
    ("asinh", Asinh, "Inverse hyperbolic sine.", "0.0, 1.0", "0.0, 0.8814", ("arcsinh",)),
    ("acosh", Acosh, "Inverse hyperbolic cosine (x >= 1).", "1.0, 2.0", "0.0, 1.317", ("arccosh",)),
    (
        "atanh",
        Atanh,
        "Inverse hyperbolic tangent (|x| < 1).",
        "0.0, 0.5",
        "0.0, 0.5493",
        ("arctanh",),
    ),
]:
    globals()[_name] = unary_op(_name, _cls, _doc(_summary, _call, _value).format(_name), _aliases)


@primitive
class Atan2(Function):
    saves_inputs = True

    def forward(self, a, b):
        return np.arctan2(a, b)

    def backward(self, g):
        y, x = self.inputs
        r = g / (x * x + y * y)
        return (r * x if y.requires_grad else None), (-(r * y) if x.requires_grad else None)


@register("atan2", aliases=("arctan2",))
def atan2(input: Tensor, other: Any) -> Tensor:
    """Angle of the point ``(other, input)``: ``atan(input / other)`` in the right quadrant.

    Example:
        >>> import chainrule
        >>> y = chainrule.atan2(chainrule.ones(2), chainrule.tensor([1.0, -1.0]))
        >>> [round(v, 4) for v in y.tolist()]
        [0.7854, 2.3562]
    """
    from chainrule.autograd.ops.logexp import float_pair

    return Atan2.apply(*float_pair(input, other, "atan2"))
