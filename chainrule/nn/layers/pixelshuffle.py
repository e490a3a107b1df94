"""Pixel shuffle layers: ``PixelShuffle`` and ``PixelUnshuffle``, as in PyTorch. The functional
forms (``pixel_shuffle``, ``pixel_unshuffle``) live in ``chainrule.autograd.ops.resample``.
"""

from __future__ import annotations

from chainrule.autograd.ops.resample import pixel_shuffle, pixel_unshuffle
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle"]
__functional__: list[str] = []  # registered ops (ops/resample.py)


class PixelShuffle(Module):
    """Rearrange (*, C*r*r, H, W) into (*, C, H*r, W*r), as ``torch.nn.PixelShuffle``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.PixelShuffle(2)(chainrule.ones(1, 8, 3, 3)).shape
        (1, 2, 6, 6)
        >>> nn.PixelShuffle(2)
        PixelShuffle(upscale_factor=2)
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        """Shuffle ``input``."""
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Rearrange (*, C, H*r, W*r) into (*, C*r*r, H, W), as ``torch.nn.PixelUnshuffle``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.PixelUnshuffle(2)(chainrule.ones(1, 2, 6, 6)).shape
        (1, 8, 3, 3)
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        """Unshuffle ``input``."""
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return f"downscale_factor={self.downscale_factor}"
