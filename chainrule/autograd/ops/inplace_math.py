"""In-place forms of the math ops (``floor_``, ``round_``, ``sinh_``, ``nan_to_num_``, ...).

Each computes its out-of-place op and writes the result into the tensor, bumping its version
counter, under the rules of ``inplace.py``: refused on a tensor that requires grad while
gradients are recorded. As in PyTorch, a result that cannot be stored in the tensor's dtype
(``sinh_`` of an integer tensor) is an error.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.ops.registry import OPS, register
from chainrule.autograd.tensor import Tensor

_NAMES = (
    "floor ceil round trunc fix frac tan sinh cosh asin acos atan asinh acosh atanh arcsin arccos "
    "arctan arcsinh arccosh arctanh atan2 arctan2 log2 log10 exp2 logit xlogy copysign hypot "
    "nan_to_num lerp sinc"
).split()


def _inplace_of(base: str) -> None:
    name = base + "_"

    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        input._check_inplace(name)
        with no_grad():
            out = (
                OPS[base].fn(input, *args, **kwargs)
                if base in OPS
                else _alias(base)(input, *args, **kwargs)
            )
        res = out._data
        if res.shape != input.shape:
            raise ValueError(
                f"{name}: the result has shape {res.shape}, which cannot be written into a "
                f"tensor of shape {input.shape} in place"
            )
        if res.dtype != input.dtype and not np.can_cast(res.dtype, input.dtype, "same_kind"):
            raise TypeError(
                f"{name}: result type {res.dtype} can't be cast to the tensor's dtype "
                f"{input.dtype} in place; use the out-of-place `{base}` instead"
            )
        np.copyto(input._data, res, casting="same_kind")
        input._bump()
        return input

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"In-place ``{base}``; returns the tensor.\n\nExample:\n    >>> import chainrule\n"
        f"    >>> chainrule.ones(2).{name}({_EXAMPLE_ARGS.get(base, '')}).shape\n    (2,)\n"
    )
    globals()[name] = register(name, differentiable=False)(fn)


_EXAMPLE_ARGS = {
    "atan2": "chainrule.ones(2)",
    "arctan2": "chainrule.ones(2)",
    "xlogy": "2.0",
    "copysign": "-1.0",
    "hypot": "chainrule.ones(2)",
    "lerp": "chainrule.zeros(2), 0.5",
}


def _alias(name: str) -> Any:
    """The op registered under an alias (``arcsin`` -> ``asin``)."""
    for entry in OPS.values():
        if name in entry.aliases:
            return entry.fn
    raise KeyError(name)


for _base in _NAMES:
    _inplace_of(_base)
