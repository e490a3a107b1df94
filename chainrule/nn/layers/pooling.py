"""Pooling layers: ``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``, ``AdaptiveAvgPool1d/2d/3d``,
``AdaptiveMaxPool1d/2d/3d``, ``LPPool1d/2d/3d``, ``MaxUnpool1d/2d/3d``, with PyTorch's names,
arguments and defaults. The kernels live in ``chainrule.autograd.ops.pool``.
"""

from __future__ import annotations

from typing import Any

from chainrule.autograd.ops.pool import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    lp_pool1d,
    lp_pool2d,
    lp_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
)
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module

__all__ = [
    "MaxPool1d",
    "MaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
]
__all__ += ["MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d"]
__all__ += ["LPPool1d", "LPPool2d", "LPPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"]
__functional__: list[str] = []  # the functional forms are registered ops (ops/pool.py)


def _single(v: Any) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


class _MaxPoolNd(Module):
    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling, as ``torch.nn.MaxPool2d`` (see :func:`chainrule.nn.functional.max_pool2d`).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.MaxPool2d(2)(chainrule.randn(1, 3, 8, 8)).shape
        (1, 3, 4, 4)
        >>> nn.MaxPool2d(3, stride=2, padding=1)
        MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)
    """

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(kernel_size, stride, padding, dilation, return_indices, ceil_mode)

    def forward(self, input: Tensor) -> Any:
        """Pool ``input`` (returns ``(output, indices)`` when ``return_indices``)."""
        return max_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling, as ``torch.nn.MaxPool1d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.MaxPool1d(2)(chainrule.randn(1, 3, 8)).shape
        (1, 3, 4)
    """

    def __init__(
        self,
        kernel_size: int | tuple[int],
        stride: int | tuple[int] | None = None,
        padding: int | tuple[int] = 0,
        dilation: int | tuple[int] = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(kernel_size, stride, padding, dilation, return_indices, ceil_mode)

    def forward(self, input: Tensor) -> Any:
        """Pool ``input`` (returns ``(output, indices)`` when ``return_indices``)."""
        return max_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )


class AvgPool2d(Module):
    """2-D average pooling, as ``torch.nn.AvgPool2d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.AvgPool2d(2)(chainrule.ones(1, 3, 8, 8)).shape
        (1, 3, 4, 4)
        >>> nn.AvgPool2d(3, stride=2, padding=1)
        AvgPool2d(kernel_size=3, stride=2, padding=1)
    """

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        """Pool ``input``."""
        return avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(Module):
    """1-D average pooling, as ``torch.nn.AvgPool1d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.AvgPool1d(2)(chainrule.ones(1, 3, 8)).shape
        (1, 3, 4)
    """

    def __init__(
        self,
        kernel_size: int | tuple[int],
        stride: int | tuple[int] | None = None,
        padding: int | tuple[int] = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        # PyTorch stores AvgPool1d's arguments as 1-tuples (and shows them so in the repr).
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        """Pool ``input``."""
        return avg_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
        )

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptivePool(Module):
    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptivePool):
    """Average pooling to a fixed output size, as ``torch.nn.AdaptiveAvgPool2d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.AdaptiveAvgPool2d((1, 1))(chainrule.ones(2, 8, 5, 5)).shape
        (2, 8, 1, 1)
    """

    def __init__(self, output_size: int | tuple[int | None, int | None]) -> None:
        super().__init__(output_size)

    def forward(self, input: Tensor) -> Tensor:
        """Pool ``input``."""
        return adaptive_avg_pool2d(input, self.output_size)


class AdaptiveAvgPool1d(_AdaptivePool):
    """1-D adaptive average pooling, as ``torch.nn.AdaptiveAvgPool1d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.AdaptiveAvgPool1d(3)(chainrule.ones(2, 8, 7)).shape
        (2, 8, 3)
    """

    def __init__(self, output_size: int | tuple[int]) -> None:
        super().__init__(output_size)

    def forward(self, input: Tensor) -> Tensor:
        """Pool ``input``."""
        return adaptive_avg_pool1d(input, self.output_size)


class AdaptiveMaxPool2d(_AdaptivePool):
    """Max pooling to a fixed output size, as ``torch.nn.AdaptiveMaxPool2d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.AdaptiveMaxPool2d(2)(chainrule.ones(2, 8, 5, 5)).shape
        (2, 8, 2, 2)
    """

    def __init__(
        self, output_size: int | tuple[int | None, int | None], return_indices: bool = False
    ) -> None:
        super().__init__(output_size, return_indices)

    def forward(self, input: Tensor) -> Any:
        """Pool ``input`` (returns ``(output, indices)`` when ``return_indices``)."""
        return adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool1d(_AdaptivePool):
    """1-D adaptive max pooling, as ``torch.nn.AdaptiveMaxPool1d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.AdaptiveMaxPool1d(3)(chainrule.ones(2, 8, 7)).shape
        (2, 8, 3)
    """

    def __init__(self, output_size: int | tuple[int], return_indices: bool = False) -> None:
        super().__init__(output_size, return_indices)

    def forward(self, input: Tensor) -> Any:
        """Pool ``input`` (returns ``(output, indices)`` when ``return_indices``)."""
        return adaptive_max_pool1d(input, self.output_size, self.return_indices)


class MaxPool3d(_MaxPoolNd):
    """3-D max pooling, as ``torch.nn.MaxPool3d`` (see :func:`chainrule.nn.functional.max_pool3d`).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.MaxPool3d(2)(chainrule.randn(1, 3, 4, 6, 8)).shape
        (1, 3, 2, 3, 4)
        >>> nn.MaxPool3d(3, stride=2)
        MaxPool3d(kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=False)
    """

    def __init__(
        self,
        kernel_size: int | tuple[int, int, int],
        stride: int | tuple[int, int, int] | None = None,
        padding: int | tuple[int, int, int] = 0,
        dilation: int | tuple[int, int, int] = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(kernel_size, stride, padding, dilation, return_indices, ceil_mode)

    def forward(self, input: Tensor) -> Any:
        """Pool ``input`` (returns ``(output, indices)`` when ``return_indices``)."""
        return max_pool3d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )


class AvgPool3d(Module):
    """3-D average pooling, as ``torch.nn.AvgPool3d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.AvgPool3d(2)(chainrule.ones(1, 3, 4, 4, 4)).shape
        (1, 3, 2, 2, 2)
        >>> nn.AvgPool3d(3, stride=2, padding=1)
        AvgPool3d(kernel_size=3, stride=2, padding=1)
    """

    def __init__(
        self,
        kernel_size: int | tuple[int, int, int],
        stride: int | tuple[int, int, int] | None = None,
        padding: int | tuple[int, int, int] = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        """Pool ``input``."""
        return avg_pool3d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool3d(_AdaptivePool):
    """Average pooling to a fixed output size, as ``torch.nn.AdaptiveAvgPool3d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.AdaptiveAvgPool3d((1, 2, 2))(chainrule.ones(2, 8, 3, 5, 5)).shape
        (2, 8, 1, 2, 2)
    """

    def __init__(self, output_size: int | tuple[int | None, int | None, int | None]) -> None:
        super().__init__(output_size)

    def forward(self, input: Tensor) -> Tensor:
        """Pool ``input``."""
        return adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool3d(_AdaptivePool):
    """Max pooling to a fixed output size, as ``torch.nn.AdaptiveMaxPool3d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.AdaptiveMaxPool3d(2)(chainrule.ones(2, 8, 3, 5, 5)).shape
        (2, 8, 2, 2, 2)
    """

    def __init__(
        self,
        output_size: int | tuple[int | None, int | None, int | None],
        return_indices: bool = False,
    ) -> None:
        super().__init__(output_size, return_indices)

    def forward(self, input: Tensor) -> Any:
        """Pool ``input`` (returns ``(output, indices)`` when ``return_indices``)."""
        return adaptive_max_pool3d(input, self.output_size, self.return_indices)


class _LPPoolNd(Module):
    _fn: Any = None

    def __init__(
        self, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False
    ) -> None:
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        """Pool ``input``."""
        return type(self)._fn(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPoolNd):
    """1-D power-average pooling, as ``torch.nn.LPPool1d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.LPPool1d(2, 2)(chainrule.tensor([[[3.0, 4.0]]])).tolist()
        [[[5.0]]]
    """

    _fn = staticmethod(lp_pool1d)

    def __init__(
        self, norm_type: float, kernel_size: int, stride: int | None = None, ceil_mode: bool = False
    ) -> None:
        super().__init__(norm_type, kernel_size, stride, ceil_mode)


class LPPool2d(_LPPoolNd):
    """2-D power-average pooling, as ``torch.nn.LPPool2d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.LPPool2d(2, 2)(chainrule.ones(1, 3, 4, 4)).shape
        (1, 3, 2, 2)
    """

    _fn = staticmethod(lp_pool2d)

    def __init__(
        self,
        norm_type: float,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(norm_type, kernel_size, stride, ceil_mode)


class LPPool3d(_LPPoolNd):
    """3-D power-average pooling, as ``torch.nn.LPPool3d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.LPPool3d(2, 2)(chainrule.ones(1, 3, 4, 4, 4)).shape
        (1, 3, 2, 2, 2)
    """

    _fn = staticmethod(lp_pool3d)

    def __init__(
        self,
        norm_type: float,
        kernel_size: int | tuple[int, int, int],
        stride: int | tuple[int, int, int] | None = None,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(norm_type, kernel_size, stride, ceil_mode)


def _ntuple(v: Any, n: int) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


class _MaxUnpoolNd(Module):
    _nd = 2
    _fn: Any = None

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        n = self._nd
        self.kernel_size = _ntuple(kernel_size, n)
        self.stride = _ntuple(stride if stride is not None else kernel_size, n)
        self.padding = _ntuple(padding, n)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        """Unpool ``input`` with the ``indices`` of the max pooling it came from."""
        return type(self)._fn(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Partial inverse of ``MaxPool1d``, as ``torch.nn.MaxUnpool1d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> y, i = nn.MaxPool1d(2, return_indices=True)(chainrule.tensor([[[1.0, 3.0, 2.0, 0.0]]]))
        >>> nn.MaxUnpool1d(2)(y, i).tolist()
        [[[0.0, 3.0, 2.0, 0.0]]]
    """

    _nd = 1
    _fn = staticmethod(max_unpool1d)

    def __init__(
        self,
        kernel_size: int | tuple[int],
        stride: int | tuple[int] | None = None,
        padding: int | tuple[int] = 0,
    ) -> None:
        super().__init__(kernel_size, stride, padding)


class MaxUnpool2d(_MaxUnpoolNd):
    """Partial inverse of ``MaxPool2d``, as ``torch.nn.MaxUnpool2d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> y, i = nn.MaxPool2d(2, return_indices=True)(chainrule.randn(1, 3, 4, 4))
        >>> nn.MaxUnpool2d(2)(y, i).shape
        (1, 3, 4, 4)
        >>> nn.MaxUnpool2d(2)
        MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))
    """

    _nd = 2
    _fn = staticmethod(max_unpool2d)

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
    ) -> None:
        super().__init__(kernel_size, stride, padding)


class MaxUnpool3d(_MaxUnpoolNd):
    """Partial inverse of ``MaxPool3d``, as ``torch.nn.MaxUnpool3d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> y, i = nn.MaxPool3d(2, return_indices=True)(chainrule.randn(1, 2, 4, 4, 4))
        >>> nn.MaxUnpool3d(2)(y, i).shape
        (1, 2, 4, 4, 4)
    """

    _nd = 3
    _fn = staticmethod(max_unpool3d)

    def __init__(
        self,
        kernel_size: int | tuple[int, int, int],
        stride: int | tuple[int, int, int] | None = None,
        padding: int | tuple[int, int, int] = 0,
    ) -> None:
        super().__init__(kernel_size, stride, padding)
