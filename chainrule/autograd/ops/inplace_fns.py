"""The torch-level function forms of in-place methods (``torch.abs_(x)`` is ``x.abs_()``),
for the names PyTorch has at the top level, plus ``torch.fill`` (out of place).

Each calls the Tensor method (defined by its op family or by aliases.py's ``install_inplace``),
so it follows that method's in-place rules.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.ops.registry import OPS, register
from chainrule.autograd.tensor import Tensor

_NAMES = (
    "abs_ addmv_ clamp_max_ clamp_min_ cos_ erf_ exp_ expm1_ log1p_ log_ neg_ negative_ "
    "reciprocal_ rsqrt_ sigmoid_ sin_ sqrt_ square_ tanh_ deg2rad_ rad2deg_ erfc_ gcd_ lcm_ "
    "ldexp_ i0_"
).split()


def _function_form(name: str) -> None:
    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"``input.{name}(...)``: in place, returns ``input``.\n\nExample:\n"
        "    >>> import chainrule\n"
        f"    >>> x = chainrule.ones(2); chainrule.{name} is not None\n    True\n"
    )
    register(name, method=False, differentiable=False)(fn)


for _n in _NAMES:
    if _n not in OPS:
        _function_form(_n)


@register("fill", method=False)
def fill(input: Tensor, value: Any) -> Tensor:
    """A new tensor like ``input`` filled with ``value`` (a number or a 0-d tensor, whose
    gradient is the sum of the incoming one).

    Example:
        >>> import chainrule
        >>> chainrule.fill(chainrule.zeros(2), 3.0).tolist()
        [3.0, 3.0]
    """
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(
                f"fill only supports 0-dimension value tensor but got tensor with "
                f"{value.ndim} dimensions (shape {value.shape})"
            )
        v = value if value.dtype == input.dtype else value.to(input.dtype)
        return v.expand(*input.shape).clone()
    return Tensor._wrap(np.full(input.shape, value, dtype=input._data.dtype))
