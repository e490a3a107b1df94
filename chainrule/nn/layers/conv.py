"""Convolution layers: ``Conv1d``, ``Conv2d``, ``Conv3d``, ``ConvTranspose1d``,
``ConvTranspose2d``, ``ConvTranspose3d``, ``Unfold``, ``Fold``.

Names, arguments, defaults and default initialization follow PyTorch: weight
``kaiming_uniform_(a=sqrt(5))`` (i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in))) and bias
U(-1/sqrt(fan_in), 1/sqrt(fan_in)). The kernels live in ``chainrule.autograd.ops.conv``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.autograd.ops.conv import (
    _tuple,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
    fold,
    unfold,
)
from chainrule.autograd.ops.movement import pad
from chainrule.autograd.tensor import Tensor
from chainrule.backend import default_generator, get_default_dtype, to_dtype
from chainrule.nn import init as _init
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d", "Unfold", "Fold"]
__all__ += ["Conv3d", "ConvTranspose3d"]
__functional__ = ["unfold", "fold"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _uniform_(t: Tensor, bound: float) -> None:
    """Fill ``t`` in place from U(-bound, bound) with chainrule's seeded generator."""
    t._data[...] = default_generator().uniform(-bound, bound, t.shape)
    t._version[0] += 1


def _fan_in(weight: Tensor) -> int:
    return weight.shape[1] * math.prod(weight.shape[2:])


class _ConvNd(Module):
    """Shared machinery of the convolution layers (parameters, init, repr)."""

    _nd = 2
    _transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        output_padding: Any,
        groups: int,
        bias: bool,
        padding_mode: str,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        nd = self._nd
        if groups <= 0 or in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{name}: groups={groups} must be positive and divide in_channels "
                f"{in_channels} and out_channels {out_channels}"
            )
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"{name}: padding_mode must be one of {_PADDING_MODES}, got {padding_mode!r}"
            )
        if self._transposed and padding_mode != "zeros":
            raise ValueError(f"{name}: only 'zeros' padding_mode is supported")
        if device not in (None, "cpu"):
            raise ValueError(f"{name}: only device='cpu' is supported, got {device!r}")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _tuple(kernel_size, nd, "kernel_size", name)
        self.stride = _tuple(stride, nd, "stride", name)
        self.dilation = _tuple(dilation, nd, "dilation", name)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: padding must be 'same', 'valid', an int or a tuple")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(
                    f"{name}: padding='same' is not supported for strided convolutions"
                )
            self.padding = padding
        else:
            self.padding = _tuple(padding, nd, "padding", name)
        self.output_padding = _tuple(output_padding, nd, "output_padding", name)
        self.transposed = self._transposed
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad order (last dim first) for the non-zero padding modes.
        if self.padding == "same":
            pads = []
            for k, d in zip(reversed(self.kernel_size), reversed(self.dilation)):
                total = d * (k - 1)
                pads += [total // 2, total - total // 2]
        elif self.padding == "valid":
            pads = [0, 0] * nd
        else:
            pads = [p for p in reversed(self.padding) for _ in range(2)]
        self._reversed_padding_repeated_twice = tuple(pads)
        dt = get_default_dtype() if dtype is None else to_dtype(dtype)
        if self._transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(Tensor._wrap(np.zeros(shape, dtype=dt)))
        if bias:
            self.bias = Parameter(Tensor._wrap(np.zeros((out_channels,), dtype=dt)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default init: weight ``kaiming_uniform_(a=sqrt(5))``, bias
        U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
        fan_in = _fan_in(self.weight)
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        kaiming = getattr(_init, "kaiming_uniform_", None)
        if kaiming is not None:
            kaiming(self.weight, a=math.sqrt(5))
        else:  # kaiming_uniform_(a=sqrt(5)): gain sqrt(1/3), bound sqrt(3)*gain/sqrt(fan_in)
            _uniform_(self.weight, bound)
        if self.bias is not None:
            _uniform_(self.bias, bound)

    def forward(self, input: Tensor) -> Tensor:
        """Apply the convolution (``padding_mode`` other than zeros pads explicitly first)."""
        if self.padding_mode != "zeros":
            input = pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return self._functional(
                input, self.weight, self.bias, self.stride, 0, self.dilation, self.groups
            )
        return self._functional(
            input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )

    def extra_repr(self) -> str:
        """PyTorch's summary line, e.g. ``3, 8, kernel_size=(3, 3), stride=(1, 1)``."""
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        nd = self._nd
        if self.padding != (0,) * nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution layer, as ``torch.nn.Conv2d``: input (N, C_in, H, W) or (C_in, H, W),
    weight (out_channels, in_channels/groups, kH, kW). ``padding`` may be an int, a pair,
    ``'valid'`` or ``'same'``; ``padding_mode`` is 'zeros', 'reflect', 'replicate' or 'circular'.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> conv = nn.Conv2d(3, 8, kernel_size=3, padding=1)
        >>> conv(chainrule.randn(2, 3, 16, 16)).shape
        (2, 8, 16, 16)
        >>> conv
        Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    """

    _nd = 2
    _functional = staticmethod(conv2d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        dilation: int | tuple[int, int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            0,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )


class Conv1d(_ConvNd):
    """1-D convolution layer, as ``torch.nn.Conv1d``: input (N, C_in, L) or (C_in, L).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Conv1d(4, 6, kernel_size=3, padding="same")(chainrule.randn(2, 4, 10)).shape
        (2, 6, 10)
    """

    _nd = 1
    _functional = staticmethod(conv1d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int],
        stride: int | tuple[int] = 1,
        padding: int | tuple[int] | str = 0,
        dilation: int | tuple[int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            0,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )


class _ConvTransposeNd(_ConvNd):
    _transposed = True

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        """Apply the transposed convolution (``output_size`` picks ``output_padding``)."""
        op = self._output_padding(input, output_size)
        return self._functional(
            input, self.weight, self.bias, self.stride, self.padding, op, self.groups, self.dilation
        )

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple[int, ...]:
        """``output_padding`` that gives ``output_size`` (PyTorch's rule), or the default."""
        nd = self._nd
        if output_size is None:
            return self.output_padding
        output_size = tuple(int(v) for v in output_size)[-nd:]
        if len(output_size) != nd:
            raise ValueError(
                f"{type(self).__name__}: output_size must have {nd} or {nd + 2} elements, got "
                f"{output_size}"
            )
        result = []
        for i in range(nd):
            n = input.shape[input.ndim - nd + i]
            lo = (
                (n - 1) * self.stride[i]
                - 2 * self.padding[i]
                + self.dilation[i] * (self.kernel_size[i] - 1)
                + 1
            )
            hi = lo + max(self.stride[i], self.dilation[i]) - 1
            if not lo <= output_size[i] <= hi:
                raise ValueError(
                    f"{type(self).__name__}: requested output size {output_size} is not in the "
                    f"valid range [{lo}, {hi}] for dim {i} (input shape {input.shape})"
                )
            result.append(output_size[i] - lo)
        return tuple(result)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution layer, as ``torch.nn.ConvTranspose2d``: weight
    (in_channels, out_channels/groups, kH, kW); ``forward(input, output_size=None)``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> up = nn.ConvTranspose2d(8, 4, kernel_size=2, stride=2)
        >>> up(chainrule.randn(1, 8, 5, 5)).shape
        (1, 4, 10, 10)
    """

    _nd = 2
    _functional = staticmethod(conv_transpose2d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        output_padding: int | tuple[int, int] = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple[int, int] = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            output_padding,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution layer, as ``torch.nn.ConvTranspose1d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ConvTranspose1d(4, 2, kernel_size=3, stride=2)(chainrule.randn(1, 4, 5)).shape
        (1, 2, 11)
    """

    _nd = 1
    _functional = staticmethod(conv_transpose1d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int],
        stride: int | tuple[int] = 1,
        padding: int | tuple[int] = 0,
        output_padding: int | tuple[int] = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple[int] = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            output_padding,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )


class Unfold(Module):
    """Extract sliding local blocks (im2col), as ``torch.nn.Unfold``; see
    :func:`chainrule.nn.functional.unfold`.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Unfold(kernel_size=2)(chainrule.ones(1, 3, 4, 4)).shape
        (1, 12, 9)
    """

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        dilation: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        stride: int | tuple[int, int] = 1,
    ) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = (
            kernel_size,
            dilation,
            padding,
            stride,
        )

    def forward(self, input: Tensor) -> Tensor:
        """Unfold ``input``."""
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return (
            f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
            f"stride={self.stride}"
        )


class Fold(Module):
    """Combine sliding local blocks into a tensor (col2im), as ``torch.nn.Fold``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Fold(output_size=(4, 4), kernel_size=2)(chainrule.ones(1, 12, 9)).shape
        (1, 3, 4, 4)
    """

    def __init__(
        self,
        output_size: int | tuple[int, int],
        kernel_size: int | tuple[int, int],
        dilation: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        stride: int | tuple[int, int] = 1,
    ) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        """Fold ``input``."""
        return fold(
            input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride
        )

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return (
            f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
            f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}"
        )


class Conv3d(_ConvNd):
    """3-D convolution layer, as ``torch.nn.Conv3d``: input (N, C_in, D, H, W) or
    (C_in, D, H, W), weight (out_channels, in_channels/groups, kD, kH, kW); ``padding`` an int,
    a triple, ``'valid'`` or ``'same'``; ``padding_mode`` 'zeros', 'reflect', 'replicate' or
    'circular'.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> conv = nn.Conv3d(2, 4, kernel_size=3, padding=1)
        >>> conv(chainrule.randn(1, 2, 5, 6, 7)).shape
        (1, 4, 5, 6, 7)
        >>> conv
        Conv3d(2, 4, kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=(1, 1, 1))
    """

    _nd = 3
    _functional = staticmethod(conv3d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int, int],
        stride: int | tuple[int, int, int] = 1,
        padding: int | tuple[int, int, int] | str = 0,
        dilation: int | tuple[int, int, int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            0,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution layer, as ``torch.nn.ConvTranspose3d``: weight
    (in_channels, out_channels/groups, kD, kH, kW); ``forward(input, output_size=None)``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> up = nn.ConvTranspose3d(4, 2, kernel_size=2, stride=2)
        >>> up(chainrule.randn(1, 4, 2, 3, 3)).shape
        (1, 2, 4, 6, 6)
    """

    _nd = 3
    _functional = staticmethod(conv_transpose3d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int, int],
        stride: int | tuple[int, int, int] = 1,
        padding: int | tuple[int, int, int] = 0,
        output_padding: int | tuple[int, int, int] = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple[int, int, int] = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            output_padding,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )
