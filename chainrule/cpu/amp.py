"""``chainrule.cpu.amp``: PyTorch's legacy ``torch.cpu.amp`` names (see :mod:`chainrule.amp`).

Example:
    >>> import chainrule
    >>> with chainrule.cpu.amp.autocast(dtype=chainrule.bfloat16):
    ...     (chainrule.ones(2) * 2).dtype
    dtype('float32')
"""

from __future__ import annotations

from typing import Any

from chainrule import amp as _amp

__all__ = ["GradScaler", "autocast"]


class autocast(_amp.autocast):  # noqa: N801
    """``torch.cpu.amp.autocast(enabled=True, dtype=torch.bfloat16, cache_enabled=True)``: a
    no-op that computes in float32.

    Example:
        >>> autocast().device
        'cpu'
    """

    def __init__(self, enabled: bool = True, dtype: Any = None, cache_enabled: bool = True) -> None:
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_amp.GradScaler):
    """``torch.cpu.amp.GradScaler``: ``chainrule.amp.GradScaler("cpu", ...)``.

    Example:
        >>> GradScaler().get_scale()
        65536.0
    """

    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        super().__init__("cpu", init_scale, growth_factor, backoff_factor, growth_interval, enabled)
