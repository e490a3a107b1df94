"""Upsampling layers: ``Upsample``, ``UpsamplingNearest2d``, ``UpsamplingBilinear2d``, and the
deprecated functional forms ``upsample``, ``upsample_nearest``, ``upsample_bilinear``, with
PyTorch's names, arguments and defaults. The kernels live in ``chainrule.autograd.ops.resample``.
"""

from __future__ import annotations

import warnings
from typing import Any

from chainrule.autograd.ops.resample import interpolate
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]
__functional__ = ["upsample", "upsample_nearest", "upsample_bilinear"]


def upsample(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """Deprecated alias of :func:`chainrule.nn.functional.interpolate` (warns, as PyTorch).

    Example:
        >>> import warnings
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     F.upsample(chainrule.ones(1, 1, 2), scale_factor=2).shape
        (1, 1, 4)
    """
    warnings.warn(
        "nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(input, size, scale_factor, mode='nearest')`` (warns).

    Example:
        >>> import warnings
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     F.upsample_nearest(chainrule.ones(1, 1, 2, 2), 4).shape
        (1, 1, 4, 4)
    """
    warnings.warn(
        "nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)`` (warns).

    Example:
        >>> import warnings
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     F.upsample_bilinear(chainrule.ones(1, 1, 2, 2), scale_factor=2).shape
        (1, 1, 4, 4)
    """
    warnings.warn(
        "nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def _floats(v: Any) -> Any:
    if v is None:
        return None
    return tuple(float(f) for f in v) if isinstance(v, (tuple, list)) else float(v)


class Upsample(Module):
    """Upsample (N, C, *spatial) input to ``size`` or by ``scale_factor``, as
    ``torch.nn.Upsample`` (``mode``: nearest, nearest-exact, linear, bilinear, bicubic,
    trilinear; see :func:`chainrule.nn.functional.interpolate`).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> up = nn.Upsample(scale_factor=2, mode="bilinear")
        >>> up(chainrule.ones(1, 3, 4, 5)).shape
        (1, 3, 8, 10)
        >>> up
        Upsample(scale_factor=2.0, mode='bilinear')
    """

    def __init__(
        self,
        size: Any = None,
        scale_factor: Any = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        self.scale_factor = _floats(scale_factor)
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        """Resize ``input``."""
        return interpolate(
            input,
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """2-D nearest-neighbour upsampling, as ``torch.nn.UpsamplingNearest2d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.UpsamplingNearest2d(scale_factor=2)(chainrule.ones(1, 1, 2, 3)).shape
        (1, 1, 4, 6)
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """2-D bilinear upsampling with ``align_corners=True``, as ``torch.nn.UpsamplingBilinear2d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.UpsamplingBilinear2d(size=(3, 3))(chainrule.ones(1, 1, 2, 2)).shape
        (1, 1, 3, 3)
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
