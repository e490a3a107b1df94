"""Padding layers, as ``torch.nn``'s: ``ZeroPad*``, ``ConstantPad*``, ``ReflectionPad*``,
``ReplicationPad*`` and ``CircularPad*`` in 1-, 2- and 3-d. Each is :func:`F.pad
<chainrule.autograd.ops.movement.pad>` with its mode; ``padding`` is an int (the same on every
side) or a tuple of (left, right) pairs starting from the last dimension.
"""

from __future__ import annotations

from typing import Any

from chainrule.autograd.ops.movement import pad
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module

__all__ = [
    f"{kind}Pad{n}d"
    for kind in ("Zero", "Constant", "Reflection", "Replication", "Circular")
    for n in (1, 2, 3)
]
__functional__: list[str] = []  # F.pad is a registered op (ops/movement.py)


def _ntuple(padding: Any, n: int, name: str) -> tuple[int, ...]:
    if isinstance(padding, int):
        return (padding,) * (2 * n)
    out = tuple(int(p) for p in padding)
    if len(out) != 2 * n:
        raise ValueError(f"{name}: padding must be an int or {2 * n} values, got {padding!r}")
    return out


class _PadNd(Module):
    _mode = "constant"
    _n = 1

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _ntuple(padding, self._n, type(self).__name__)

    def forward(self, input: Tensor) -> Tensor:
        """Pad ``input``."""
        return pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        """PyTorch's summary line: the padding."""
        return f"{self.padding}"


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input: Tensor) -> Tensor:
        """Pad ``input`` (the input must be (N+1)-d or (N+2)-d, as PyTorch checks)."""
        if input.ndim not in (self._n + 1, self._n + 2):
            raise ValueError(
                f"expected {self._n + 1}D or {self._n + 2}D input (got {input.ndim}D input) "
                f"in {type(self).__name__} (input shape {input.shape})"
            )
        return pad(input, self.padding, "circular")


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        """Pad ``input`` with ``value``."""
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        """PyTorch's summary line."""
        return f"padding={self.padding}, value={self.value}"


class _ReflectionPadNd(_PadNd):
    _mode = "reflect"


class _ReplicationPadNd(_PadNd):
    _mode = "replicate"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension with a constant, as ``torch.nn.ConstantPad1d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ConstantPad1d((1, 2), 3.5)(chainrule.zeros(1, 2)).tolist()
        [[3.5, 0.0, 0.0, 3.5, 3.5]]
    """

    _n = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dimensions with a constant, as ``torch.nn.ConstantPad2d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ConstantPad2d(1, 2.0)(chainrule.zeros(1, 1, 1)).tolist()
        [[[2.0, 2.0, 2.0], [2.0, 0.0, 2.0], [2.0, 2.0, 2.0]]]
    """

    _n = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dimensions with a constant, as ``torch.nn.ConstantPad3d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ConstantPad3d((1, 0, 0, 1, 2, 0), 1.0)(chainrule.zeros(1, 2, 2, 2)).shape
        (1, 4, 3, 3)
    """

    _n = 3


class ZeroPad1d(ConstantPad1d):
    """Pad the last dimension with zeros, as ``torch.nn.ZeroPad1d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ZeroPad1d(1)(chainrule.ones(1, 2)).tolist()
        [[0.0, 1.0, 1.0, 0.0]]
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        """PyTorch's summary line: the padding."""
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dimensions with zeros, as ``torch.nn.ZeroPad2d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ZeroPad2d((1, 1, 0, 1))(chainrule.ones(1, 1, 2, 2)).shape
        (1, 1, 3, 4)
        >>> nn.ZeroPad2d(2)
        ZeroPad2d((2, 2, 2, 2))
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        """PyTorch's summary line: the padding."""
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dimensions with zeros, as ``torch.nn.ZeroPad3d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ZeroPad3d(1)(chainrule.ones(1, 1, 2, 2, 2)).shape
        (1, 1, 4, 4, 4)
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        """PyTorch's summary line: the padding."""
        return f"{self.padding}"


class ReflectionPad1d(_ReflectionPadNd):
    """Pad the last dimension with its reflection (edge not repeated), as
    ``torch.nn.ReflectionPad1d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ReflectionPad1d(2)(chainrule.arange(4.0).reshape(1, 1, 4)).tolist()
        [[[2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0, 1.0]]]
    """

    _n = 1


class ReflectionPad2d(_ReflectionPadNd):
    """Pad the last two dimensions by reflection, as ``torch.nn.ReflectionPad2d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ReflectionPad2d(1)(chainrule.ones(1, 1, 3, 3)).shape
        (1, 1, 5, 5)
    """

    _n = 2


class ReflectionPad3d(_ReflectionPadNd):
    """Pad the last three dimensions by reflection, as ``torch.nn.ReflectionPad3d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ReflectionPad3d(1)(chainrule.ones(1, 1, 2, 2, 2)).shape
        (1, 1, 4, 4, 4)
    """

    _n = 3


class ReplicationPad1d(_ReplicationPadNd):
    """Pad the last dimension by repeating its edge values, as ``torch.nn.ReplicationPad1d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ReplicationPad1d((2, 1))(chainrule.arange(3.0).reshape(1, 1, 3)).tolist()
        [[[0.0, 0.0, 0.0, 1.0, 2.0, 2.0]]]
    """

    _n = 1


class ReplicationPad2d(_ReplicationPadNd):
    """Pad the last two dimensions by repeating edges, as ``torch.nn.ReplicationPad2d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ReplicationPad2d(1)(chainrule.ones(1, 1, 2, 2)).shape
        (1, 1, 4, 4)
    """

    _n = 2


class ReplicationPad3d(_ReplicationPadNd):
    """Pad the last three dimensions by repeating edges, as ``torch.nn.ReplicationPad3d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.ReplicationPad3d(1)(chainrule.ones(1, 1, 1, 1, 1)).shape
        (1, 1, 3, 3, 3)
    """

    _n = 3


class CircularPad1d(_CircularPadNd):
    """Pad the last dimension by wrapping around, as ``torch.nn.CircularPad1d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.CircularPad1d((1, 2))(chainrule.arange(3.0).reshape(1, 3)).tolist()
        [[2.0, 0.0, 1.0, 2.0, 0.0, 1.0]]
    """

    _n = 1


class CircularPad2d(_CircularPadNd):
    """Pad the last two dimensions by wrapping around, as ``torch.nn.CircularPad2d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.CircularPad2d(1)(chainrule.ones(1, 1, 2, 2)).shape
        (1, 1, 4, 4)
    """

    _n = 2


class CircularPad3d(_CircularPadNd):
    """Pad the last three dimensions by wrapping around, as ``torch.nn.CircularPad3d``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.CircularPad3d(1)(chainrule.ones(1, 1, 2, 2, 2)).shape
        (1, 1, 4, 4, 4)
    """

    _n = 3
