"""Activation modules: thin ``Module`` wrappers around the registered activation ops.

``inplace=True`` is accepted for PyTorch compatibility but the result is always computed out of
place (a new tensor): in-place activations save memory in PyTorch, but they overwrite values the
backward pass may need, and chainrule prefers always-correct gradients.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.creation import full
from chainrule.autograd.ops.registry import OPS
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter

__all__ = [
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "SELU",
    "GELU",
    "SiLU",
    "Mish",
    "Sigmoid",
    "LogSigmoid",
    "Tanh",
    "Softplus",
    "Softsign",
    "Softmax",
    "Softmin",
    "LogSoftmax",
    "Hardtanh",
    "Hardsigmoid",
    "Hardswish",
]
__functional__ = ["relu6", "prelu", "mish", "softmin", "hardsigmoid", "hardswish"]
__all__ += ["CELU", "GLU", "Hardshrink", "Softshrink", "Tanhshrink", "Threshold", "RReLU"]
__all__ += ["Softmax2d"]
__functional__ += ["celu", "glu", "hardshrink", "softshrink", "tanhshrink", "threshold", "rrelu"]

_relu = OPS["relu"].fn
_leaky_relu = OPS["leaky_relu"].fn
_elu = OPS["elu"].fn
_selu = OPS["selu"].fn
_gelu = OPS["gelu"].fn
_silu = OPS["silu"].fn
_sigmoid = OPS["sigmoid"].fn
_logsigmoid = OPS["logsigmoid"].fn
_tanh = OPS["tanh"].fn
_softplus = OPS["softplus"].fn
_softsign = OPS["softsign"].fn
_softmax = OPS["softmax"].fn
_log_softmax = OPS["log_softmax"].fn
_hardtanh = OPS["hardtanh"].fn


# -- functional forms that are compositions of registered ops ------------------------------------
def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(x, 0), 6)`` (``hardtanh(x, 0, 6)``); ``inplace`` is ignored (out of place).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.relu6(chainrule.tensor([-1.0, 3.0, 9.0])).tolist()
        [0.0, 3.0, 6.0]
    """
    return _hardtanh(input, 0.0, 6.0)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``: a piecewise-linear sigmoid; ``inplace`` is ignored.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.hardsigmoid(chainrule.tensor([-4.0, 0.0, 4.0])).tolist()
        [0.0, 0.5, 1.0]
    """
    return _hardtanh(input + 3.0, 0.0, 6.0) / 6.0


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6`` (MobileNetV3); ``inplace`` is ignored.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.hardswish(chainrule.tensor([-4.0, 0.0, 4.0])).tolist()
        [-0.0, 0.0, 4.0]
    """
    return input * hardsigmoid(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``; ``inplace`` is ignored.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.mish(chainrule.zeros(2)).tolist()
        [0.0, 0.0]
    """
    return input * _tanh(_softplus(input))


def softmin(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``softmax(-x, dim)``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> [round(v, 4) for v in F.softmin(chainrule.tensor([0.0, 1.0]), dim=0).tolist()]
        [0.7311, 0.2689]
    """
    return _softmax(-input, dim=dim, dtype=dtype)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``max(0, x) + weight * min(0, x)``, with one slope per channel (dimension 1) or a single
    shared slope.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.prelu(chainrule.tensor([-2.0, 2.0]), chainrule.tensor([0.25])).tolist()
        [-0.5, 2.0]
    """
    w = weight
    if weight.numel() != 1:
        if input.ndim < 2 or input.shape[1] != weight.numel():
            raise ValueError(
                f"prelu: weight has {weight.numel()} slopes but input (shape {input.shape}) "
                f"has {input.shape[1] if input.ndim >= 2 else 1} channels in dimension 1"
            )
        w = weight.reshape(weight.numel(), *([1] * (input.ndim - 2)))
    elif weight.ndim != 0:
        w = weight.reshape(())
    return _relu(input) - w * _relu(-input)


# -- modules -------------------------------------------------------------------------------------
class _Activation(Module):
    """Base for parameter-free activations: ``extra_repr`` shows the constructor arguments."""

    _repr_keys: tuple[str, ...] = ()

    def extra_repr(self) -> str:
        parts = []
        for k in self._repr_keys:
            v = getattr(self, k)
            if k == "inplace":
                if v:
                    parts.append("inplace=True")
                continue
            parts.append(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}")
        return ", ".join(parts)


class _InplaceActivation(_Activation):
    """An activation whose PyTorch twin takes ``inplace``: accepted and shown in the repr, but
    computed out of place (see docs/deviations.md)."""

    _repr_keys = ("inplace",)

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace


class ReLU(_InplaceActivation):
    """``max(0, x)``. ``inplace`` is accepted but computed out of place.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ReLU()(chainrule.tensor([-1.0, 2.0])).tolist()
        [0.0, 2.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return _relu(input)


class ReLU6(_InplaceActivation):
    """``min(max(0, x), 6)``. ``inplace`` is accepted but computed out of place.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ReLU6()(chainrule.tensor([-1.0, 7.0])).tolist()
        [0.0, 6.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return relu6(input)


class LeakyReLU(_Activation):
    """``x`` if ``x >= 0`` else ``negative_slope * x``. ``inplace`` is computed out of place.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.LeakyReLU(0.1)(chainrule.tensor([-1.0, 2.0])).tolist()
        [-0.10000000149011612, 2.0]
    """

    _repr_keys = ("negative_slope", "inplace")

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return _leaky_relu(input, self.negative_slope)


class PReLU(Module):
    """Leaky ReLU with learned slope(s): ``num_parameters`` = 1 (shared) or the number of
    channels (dimension 1), initialized to ``init`` (0.25, as in PyTorch).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.PReLU()(chainrule.tensor([-4.0, 4.0])).tolist()
        [-1.0, 4.0]
    """

    def __init__(
        self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(full((num_parameters,), init, dtype=dtype))

    def reset_parameters(self) -> None:
        """Reset the slopes to ``init``.

        Example:
            >>> from chainrule import nn
            >>> nn.PReLU(3).reset_parameters()
        """
        self.weight._data[...] = self.init
        self.weight._version[0] += 1

    def forward(self, input: Tensor) -> Tensor:
        return prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(_Activation):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``. ``inplace`` is computed out of place.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ELU()(chainrule.tensor([0.0, 2.0])).tolist()
        [0.0, 2.0]
    """

    _repr_keys = ("alpha", "inplace")

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return _elu(input, self.alpha)


class SELU(_InplaceActivation):
    """Scaled ELU (self-normalizing networks). ``inplace`` is computed out of place.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.SELU()(chainrule.tensor([0.0])).tolist()
        [0.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return _selu(input)


class GELU(_Activation):
    """``x * Phi(x)`` (``approximate="none"``) or its tanh approximation (``"tanh"``).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.GELU(approximate="tanh")
        GELU(approximate='tanh')
        >>> nn.GELU()(chainrule.tensor([0.0])).tolist()
        [0.0]
    """

    _repr_keys = ("approximate",)

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return _gelu(input, approximate=self.approximate)


class SiLU(_InplaceActivation):
    """``x * sigmoid(x)`` (a.k.a. swish). ``inplace`` is computed out of place.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.SiLU()(chainrule.tensor([0.0])).tolist()
        [0.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return _silu(input)


class Mish(_InplaceActivation):
    """``x * tanh(softplus(x))``. ``inplace`` is computed out of place.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Mish()(chainrule.tensor([0.0])).tolist()
        [0.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return mish(input)


class Sigmoid(_Activation):
    """``1 / (1 + exp(-x))`` (computed stably).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Sigmoid()(chainrule.tensor([0.0])).tolist()
        [0.5]
    """

    def forward(self, input: Tensor) -> Tensor:
        return _sigmoid(input)


class LogSigmoid(_Activation):
    """``log(sigmoid(x))`` (computed stably).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> round(nn.LogSigmoid()(chainrule.tensor([0.0])).item(), 4)
        -0.6931
    """

    def forward(self, input: Tensor) -> Tensor:
        return _logsigmoid(input)


class Tanh(_Activation):
    """Hyperbolic tangent.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Tanh()(chainrule.tensor([0.0])).tolist()
        [0.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return _tanh(input)


class Softplus(_Activation):
    """``log(1 + exp(beta * x)) / beta``, linear above ``threshold`` (for stability).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Softplus()(chainrule.tensor([30.0])).tolist()
        [30.0]
    """

    _repr_keys = ("beta", "threshold")

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return _softplus(input, self.beta, self.threshold)


class Softsign(_Activation):
    """``x / (1 + |x|)``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Softsign()(chainrule.tensor([1.0])).tolist()
        [0.5]
    """

    def forward(self, input: Tensor) -> Tensor:
        return _softsign(input)


class Softmax(_Activation):
    """``exp(x) / sum(exp(x))`` along ``dim`` (computed stably).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Softmax(dim=1)(chainrule.zeros(1, 4)).tolist()
        [[0.25, 0.25, 0.25, 0.25]]
    """

    _repr_keys = ("dim",)

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return _softmax(input, self.dim)


class Softmin(_Activation):
    """``softmax(-x)`` along ``dim``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Softmin(dim=0)(chainrule.zeros(2)).tolist()
        [0.5, 0.5]
    """

    _repr_keys = ("dim",)

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return softmin(input, self.dim)


class LogSoftmax(_Activation):
    """``log(softmax(x))`` along ``dim`` (computed stably, as ``x - logsumexp(x)``).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> round(nn.LogSoftmax(dim=0)(chainrule.zeros(2))[0].item(), 4)
        -0.6931
    """

    _repr_keys = ("dim",)

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return _log_softmax(input, self.dim)


class Hardtanh(_Activation):
    """``clamp(x, min_val, max_val)``. ``inplace`` is computed out of place.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Hardtanh()(chainrule.tensor([-2.0, 0.5, 2.0])).tolist()
        [-1.0, 0.5, 1.0]
    """

    _repr_keys = ("min_val", "max_val", "inplace")

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if max_val <= min_val:
            raise ValueError(f"Hardtanh: max_val ({max_val}) must be greater than min_val")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return _hardtanh(input, self.min_val, self.max_val)


class Hardsigmoid(_InplaceActivation):
    """``relu6(x + 3) / 6``. ``inplace`` is computed out of place.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Hardsigmoid()(chainrule.tensor([0.0])).tolist()
        [0.5]
    """

    def forward(self, input: Tensor) -> Tensor:
        return hardsigmoid(input)


class Hardswish(_InplaceActivation):
    """``x * relu6(x + 3) / 6``. ``inplace`` is computed out of place.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Hardswish()(chainrule.tensor([4.0])).tolist()
        [4.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return hardswish(input)


# -- nnmisc: CELU, GLU, shrinkage, Threshold, RReLU, Softmax2d -----------------------------------
def _check_float(op: str, input: Any) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor input, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise TypeError(
            f"{op}: expected a floating-point input, got dtype {input.dtype} (shape {input.shape})"
        )


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``; ``inplace`` is ignored.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> [round(v, 4) for v in F.celu(chainrule.tensor([-1.0, 2.0]), alpha=2.0).tolist()]
        [-0.7869, 2.0]
    """
    _check_float("celu", input)
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides the input)")
    if alpha == 1.0:
        return _elu(input, 1.0)
    return _elu(input / alpha, 1.0) * alpha


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: split ``input`` in halves ``a, b`` along ``dim``; ``a * sigmoid(b)``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.glu(chainrule.tensor([[2.0, 0.0]])).tolist()
        [[1.0]]
    """
    _check_float("glu", input)
    if input.ndim == 0:
        raise ValueError("glu: does not support 0-d (scalar) tensors")
    d = dim + input.ndim if dim < 0 else dim
    if not 0 <= d < input.ndim:
        raise IndexError(f"glu: dim {dim} is out of range for input of shape {input.shape}")
    n = input.shape[d]
    if n % 2:
        raise ValueError(
            f"glu: halving dimension {dim} must have an even size, got {n} (shape {input.shape})"
        )
    a, b = input.split(n // 2, dim=d)
    return a * _sigmoid(b)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.hardshrink(chainrule.tensor([-1.0, 0.25, 1.0])).tolist()
        [-1.0, 0.0, 1.0]
    """
    _check_float("hardshrink", input)
    keep = (input._data > lambd) | (input._data < -lambd)
    return OPS["where"].fn(Tensor._wrap(keep), input, 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, 0 between.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.softshrink(chainrule.tensor([-1.0, 0.25, 1.0])).tolist()
        [-0.5, 0.0, 0.5]
    """
    _check_float("softshrink", input)
    if lambd < 0:
        raise ValueError(f"softshrink: lambd must be >= 0, got {lambd}")
    return input - input.clamp(-lambd, lambd)


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.tanhshrink(chainrule.zeros(2)).tolist()
        [0.0, 0.0]
    """
    _check_float("tanhshrink", input)
    return input - _tanh(input)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``; ``inplace`` is ignored (out of place).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.threshold(chainrule.tensor([-1.0, 0.5, 2.0]), 0.5, -9.0).tolist()
        [-9.0, -9.0, 2.0]
    """
    _check_float("threshold", input)
    return OPS["where"].fn(Tensor._wrap(input._data > threshold), input, float(value))


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Randomized leaky ReLU: negative inputs scaled by a slope drawn per element from
    ``U(lower, upper)`` in training, by the fixed slope ``(lower + upper) / 2`` in eval.

    The training slopes come from chainrule's seeded generator (different numbers than
    PyTorch's for the same seed); ``inplace`` is ignored.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.rrelu(chainrule.tensor([-3.0, 1.0]), 0.25, 0.75).tolist()
        [-1.5, 1.0]
    """
    _check_float("rrelu", input)
    if not 0 <= lower <= upper:
        raise ValueError(f"rrelu: expected 0 <= lower <= upper, got lower={lower}, upper={upper}")
    if not training:
        return _leaky_relu(input, (lower + upper) / 2)
    from chainrule.backend import default_generator

    dt = input._data.dtype
    a = default_generator().uniform(lower, upper, input.shape).astype(dt, copy=False)
    slope = np.where(input._data >= 0, np.ones((), dt), a)
    return input * Tensor._wrap(slope)


class CELU(ELU):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``. ``inplace`` is computed out of place.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.CELU(alpha=0.5)(chainrule.tensor([0.0, 2.0])).tolist()
        [0.0, 2.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return celu(input, self.alpha)


class GLU(_Activation):
    """Gated linear unit along ``dim`` (the size there halves).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.GLU()(chainrule.zeros(3, 4)).shape
        (3, 2)
    """

    _repr_keys = ("dim",)

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return glu(input, self.dim)


class Hardshrink(Module):
    """``x`` where ``|x| > lambd``, else 0.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Hardshrink(1.0)(chainrule.tensor([0.5, 2.0])).tolist()
        [0.0, 2.0]
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """``x -+ lambd`` outside ``[-lambd, lambd]``, else 0.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Softshrink(1.0)(chainrule.tensor([0.5, 2.0])).tolist()
        [0.0, 1.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return softshrink(input, self.lambd)


class Tanhshrink(_Activation):
    """``x - tanh(x)``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Tanhshrink()(chainrule.zeros(1)).tolist()
        [0.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return tanhshrink(input)


class Threshold(_Activation):
    """``x`` where ``x > threshold``, else ``value``. ``inplace`` is computed out of place.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Threshold(0.1, 20.0)(chainrule.tensor([0.0, 1.0])).tolist()
        [20.0, 1.0]
    """

    _repr_keys = ("threshold", "value", "inplace")

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return threshold(input, self.threshold, self.value)


class RReLU(_Activation):
    """Randomized leaky ReLU (random slopes in training, their mean in eval); see :func:`rrelu`.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.RReLU(0.25, 0.75).eval()(chainrule.tensor([-2.0])).tolist()
        [-1.0]
    """

    _repr_keys = ("lower", "upper", "inplace")

    def __init__(
        self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False
    ) -> None:
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return rrelu(input, self.lower, self.upper, self.training)


class Softmax2d(_Activation):
    """Softmax over the channels of a ``(N, C, H, W)`` or ``(C, H, W)`` input (dim -3).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Softmax2d()(chainrule.zeros(1, 2, 1, 1)).flatten().tolist()
        [0.5, 0.5]
    """

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise ValueError(
                f"Softmax2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape "
                f"{input.shape}"
            )
        return _softmax(input, -3)
