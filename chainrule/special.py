"""``chainrule.special``: the scientific functions of ``torch.special`` that chainrule has.

Each is the same op as its top-level form (``special.expit`` is ``chainrule.sigmoid``,
``special.expm1`` is ``chainrule.expm1``, ...), plus a few composites found only here
(``xlog1py``, ``ndtr``).

Example:
    >>> import chainrule
    >>> chainrule.special.expit(chainrule.zeros(1)).tolist()
    [0.5]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.autograd.ops.logexp import float_pair
from chainrule.autograd.ops.registry import OPS
from chainrule.autograd.ops.trig import float_input
from chainrule.autograd.tensor import Tensor

__all__ = [
    "erf",
    "exp2",
    "expit",
    "expm1",
    "log1p",
    "log_softmax",
    "logit",
    "logsumexp",
    "ndtr",
    "round",
    "sinc",
    "softmax",
    "xlog1py",
    "xlogy",
]


# the registered ops themselves (one definition each), as installed at the top level (the
# registry may wrap them there, e.g. to accept axis=/keepdims=)
def _op(name: str) -> Any:
    import chainrule

    return getattr(chainrule, name, OPS[name].fn)


erf = _op("erf")
exp2 = _op("exp2")
expit = _op("sigmoid")
expm1 = _op("expm1")
log1p = _op("log1p")
log_softmax = _op("log_softmax")
logit = _op("logit")
logsumexp = _op("logsumexp")
round = _op("round")  # noqa: A001
sinc = _op("sinc")
softmax = _op("softmax")
xlogy = _op("xlogy")


def xlog1py(input: Any, other: Any) -> Tensor:
    """``input * log1p(other)``, 0 where ``input == 0`` (also for ``other = -1``).

    Example:
        >>> import chainrule
        >>> x, y = chainrule.tensor([0.0, 2.0]), chainrule.tensor([-1.0, 0.0])
        >>> chainrule.special.xlog1py(x, y).tolist()
        [0.0, 0.0]
    """
    a, b = float_pair(input, other, "xlog1py")
    return xlogy(a, b + 1)


def ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF ``(1 + erf(x / sqrt(2))) / 2``.

    Example:
        >>> import chainrule
        >>> chainrule.special.ndtr(chainrule.zeros(1)).tolist()
        [0.5]
    """
    x = float_input(input, "ndtr")
    return (erf(x * np.asarray(1 / math.sqrt(2), x.dtype).item()) + 1) * 0.5
