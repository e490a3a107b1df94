"""Linear layers: ``Linear``, ``Bilinear``, ``Identity``, ``Flatten``, ``Unflatten``."""

from __future__ import annotations

import math
from typing import Any

from chainrule.autograd.creation import empty
from chainrule.autograd.ops.linalg import linear as _linear
from chainrule.autograd.tensor import Tensor
from chainrule.nn import init
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter

__all__ = ["Identity", "Linear", "Bilinear", "Flatten", "Unflatten"]
__functional__ = ["bilinear"]


class Identity(Module):
    """Returns its input unchanged (any constructor arguments are ignored), e.g. to remove a
    layer from a model without changing its structure.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Identity(54, unused="x")(chainrule.ones(2)).tolist()
        [1.0, 1.0]
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """Affine map ``y = x @ weight.T + bias`` over the last dimension.

    ``weight`` has shape ``(out_features, in_features)`` and, like PyTorch, is initialized with
    ``kaiming_uniform_(a=sqrt(5))``, i.e. U(-1/sqrt(in_features), 1/sqrt(in_features)); ``bias``
    is U(-1/sqrt(in_features), 1/sqrt(in_features)).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> fc = nn.Linear(20, 30)
        >>> fc(chainrule.zeros(128, 20)).shape, fc
        ((128, 30), Linear(in_features=20, out_features=30, bias=True))
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw the weights with PyTorch's default scheme (see the class docstring).

        Example:
            >>> from chainrule import nn
            >>> nn.Linear(4, 2).reset_parameters()
        """
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return _linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Bilinear form ``y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j]
    + bias[o]``.

    Composite of ``matmul``/``mul``/``sum`` (gradients come from those ops): ``input1`` is
    multiplied by the weight reshaped to ``(in1, out * in2)``, one GEMM, then contracted with
    ``input2``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.bilinear(chainrule.ones(4, 2), chainrule.ones(4, 3), chainrule.ones(5, 2, 3)).shape
        (4, 5)
    """
    if weight.ndim != 3:
        raise ValueError(f"bilinear: weight must be 3-D (out, in1, in2), got shape {weight.shape}")
    out_f, in1, in2 = weight.shape
    if input1.shape[-1:] != (in1,) or input2.shape[-1:] != (in2,):
        raise ValueError(
            f"bilinear: inputs of shapes {input1.shape} and {input2.shape} do not match weight "
            f"shape {weight.shape} (expected last dimensions {in1} and {in2})"
        )
    if input1.shape[:-1] != input2.shape[:-1]:
        raise ValueError(
            f"bilinear: input1 and input2 must have the same batch shape, got {input1.shape} "
            f"and {input2.shape}"
        )
    batch = input1.shape[:-1]
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    w = weight.permute(1, 0, 2).reshape(in1, out_f * in2)
    t = (x1 @ w).reshape(-1, out_f, in2)
    y = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(*batch, out_f)


class Bilinear(Module):
    """``y = x1^T A x2 + b`` for each output feature.

    ``weight`` has shape ``(out_features, in1_features, in2_features)``; weight and bias are
    initialized U(-1/sqrt(in1_features), 1/sqrt(in1_features)) as in PyTorch.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> m = nn.Bilinear(20, 30, 40)
        >>> m(chainrule.zeros(128, 20), chainrule.zeros(128, 30)).shape
        (128, 40)
    """

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in1_features, in2_features, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw weight and bias from U(-1/sqrt(in1_features), 1/sqrt(in1_features)).

        Example:
            >>> from chainrule import nn
            >>> nn.Bilinear(2, 3, 4).reset_parameters()
        """
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


class Flatten(Module):
    """Flatten dimensions ``start_dim`` .. ``end_dim`` into one (default: all but the batch).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Flatten()(chainrule.zeros(32, 1, 5, 5)).shape
        (32, 25)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expand dimension ``dim`` into the shape ``unflattened_size`` (the inverse of ``Flatten``).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Unflatten(1, (2, 5, 5))(chainrule.zeros(2, 50)).shape
        (2, 2, 5, 5)
    """

    def __init__(self, dim: int, unflattened_size: tuple[int, ...]) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
