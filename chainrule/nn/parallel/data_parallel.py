"""``DataParallel`` / ``data_parallel``: PyTorch's single-process multi-GPU wrappers. On a CPU
build there is one device, so they run the module as it is (PyTorch does the same when no GPU
is visible)."""

from __future__ import annotations

from typing import Any

from chainrule.nn.module import Module


class DataParallel(Module):
    """Runs ``module`` on the one CPU device; ``.module`` is the wrapped module.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> dp = nn.DataParallel(nn.Linear(2, 1))
        >>> dp(chainrule.ones(3, 2)).shape
        (3, 1)
    """

    def __init__(
        self, module: Module, device_ids: Any = None, output_device: Any = None, dim: int = 0
    ) -> None:
        super().__init__()
        self.module = module
        self.dim = dim

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


def data_parallel(
    module: Module,
    inputs: Any,
    device_ids: Any = None,
    output_device: Any = None,
    dim: int = 0,
    module_kwargs: Any = None,
) -> Any:
    """The functional form: ``module(*inputs)`` on the CPU."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    return module(*inputs, **(module_kwargs or {}))
