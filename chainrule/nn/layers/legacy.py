"""``nn.Container``: PyTorch's deprecated container (a ``Module`` holding keyword modules)."""

from __future__ import annotations

import warnings
from typing import Any

from chainrule.nn.module import Module

__all__ = ["Container"]
__functional__: list[str] = []


class Container(Module):
    """Deprecated, as ``torch.nn.Container``: registers each keyword argument as a submodule
    and warns (``FutureWarning``); subclass ``Module`` instead.

    Example:
        >>> import warnings
        >>> from chainrule import nn
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     c = nn.Container(fc=nn.Linear(2, 2))
        >>> list(c.state_dict())
        ['fc.weight', 'fc.bias']
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        warnings.warn(
            "nn.Container is deprecated. All of it's functionality is now implemented in "
            "nn.Module. Subclass that instead.",
            FutureWarning,
            stacklevel=2,
        )
        for key, value in kwargs.items():
            self.add_module(key, value)
