"""Functional forms PyTorch has beside the main ones: the in-place activations (``relu_``,
``elu_``, ... as ``torch.nn.functional``'s), the ``*_with_indices`` pooling forms,
``gumbel_softmax`` and ``assert_int_or_pair``.

The in-place forms follow the library's in-place rule (``inplace.py``): refused on a tensor
that requires grad while gradients are recorded (an error, never a silently wrong gradient).
"""

from __future__ import annotations

from typing import Any

from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.tensor import Tensor

__all__: list[str] = []
__functional__ = [
    "relu_",
    "elu_",
    "celu_",
    "selu_",
    "leaky_relu_",
    "hardtanh_",
    "rrelu_",
    "threshold_",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "gumbel_softmax",
    "assert_int_or_pair",
]


def _F() -> Any:
    import chainrule.nn.functional as F

    return F


def _inplace(name: str, input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    input._check_inplace(name)
    with no_grad():
        out = getattr(_F(), name[:-1])(input, *args, **kwargs)
    input._data[...] = out._data
    input._bump()
    return input


def relu_(input: Tensor) -> Tensor:
    """In-place ``relu``; returns ``input``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.relu_(chainrule.tensor([-1.0, 2.0])).tolist()
        [0.0, 2.0]
    """
    return _inplace("relu_", input)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``elu``; returns ``input``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.elu_(chainrule.tensor([0.0, 2.0])).tolist()
        [0.0, 2.0]
    """
    return _inplace("elu_", input, alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``celu``; returns ``input``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.celu_(chainrule.tensor([0.0, 2.0])).tolist()
        [0.0, 2.0]
    """
    return _inplace("celu_", input, alpha)


def selu_(input: Tensor) -> Tensor:
    """In-place ``selu``; returns ``input``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.selu_(chainrule.tensor([0.0])).tolist()
        [0.0]
    """
    return _inplace("selu_", input)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place ``leaky_relu``; returns ``input``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.leaky_relu_(chainrule.tensor([-1.0, 2.0]), 0.5).tolist()
        [-0.5, 2.0]
    """
    return _inplace("leaky_relu_", input, negative_slope)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place ``hardtanh``; returns ``input``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.hardtanh_(chainrule.tensor([-3.0, 0.5, 3.0])).tolist()
        [-1.0, 0.5, 1.0]
    """
    return _inplace("hardtanh_", input, min_val, max_val)


def rrelu_(
    input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False
) -> Tensor:
    """In-place ``rrelu``; returns ``input``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.rrelu_(chainrule.tensor([-1.0, 2.0]), 0.25, 0.25).tolist()
        [-0.25, 2.0]
    """
    return _inplace("rrelu_", input, lower, upper, training)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place ``threshold``; returns ``input``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.threshold_(chainrule.tensor([0.1, 2.0]), 0.5, -1.0).tolist()
        [-1.0, 2.0]
    """
    return _inplace("threshold_", input, threshold, value)


def _with_indices(name: str) -> Any:
    def fn(input: Tensor, *args: Any, return_indices: bool = True, **kwargs: Any) -> Any:
        kwargs["return_indices"] = True  # PyTorch's *_with_indices always return both
        return getattr(_F(), name)(input, *args, **kwargs)

    fn.__name__ = fn.__qualname__ = name + "_with_indices"
    fn.__doc__ = (
        f"``{name}(..., return_indices=True)``: returns ``(output, indices)``, as "
        f"``torch.nn.functional.{name}_with_indices``.\n\nExample:\n    >>> import chainrule\n"
        f"    >>> import chainrule.nn.functional as F\n"
        f"    >>> y, i = F.{name}_with_indices(chainrule.ones(1, 1{', 4' * int(name[-2])}), 2)\n"
        f"    >>> i.dtype\n    dtype('int64')\n"
    )
    return fn


max_pool1d_with_indices = _with_indices("max_pool1d")
max_pool2d_with_indices = _with_indices("max_pool2d")
max_pool3d_with_indices = _with_indices("max_pool3d")
adaptive_max_pool1d_with_indices = _with_indices("adaptive_max_pool1d")
adaptive_max_pool2d_with_indices = _with_indices("adaptive_max_pool2d")
adaptive_max_pool3d_with_indices = _with_indices("adaptive_max_pool3d")


def gumbel_softmax(
    logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """Sample from the Gumbel-softmax distribution: ``softmax((logits + g) / tau)`` with
    ``g = -log(Exponential(1))`` drawn from the global generator (seed it with
    ``chainrule.manual_seed``); ``hard=True`` returns one-hot samples whose gradient is the soft
    sample's (straight-through), as ``torch.nn.functional.gumbel_softmax``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> _ = chainrule.manual_seed(0)
        >>> y = F.gumbel_softmax(chainrule.zeros(2, 3), hard=True)
        >>> y.sum(-1).tolist()
        [1.0, 1.0]
    """
    from chainrule.autograd.creation import empty_like

    gumbels = -empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = y_soft.detach() * 0
    y_hard = y_hard.scatter(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def assert_int_or_pair(arg: Any, arg_name: str, message: str) -> None:
    """PyTorch's helper: an int or a pair, else ``AssertionError(message.format(arg_name))``.

    Example:
        >>> import chainrule.nn.functional as F
        >>> F.assert_int_or_pair((1, 2), "kernel_size", "{} must be an int or a pair")
    """
    assert isinstance(arg, int) or len(arg) == 2, message.format(arg_name)
