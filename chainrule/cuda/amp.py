"""``chainrule.cuda.amp``: PyTorch's legacy ``torch.cuda.amp`` names (see :mod:`chainrule.amp`).

``autocast(...)`` is ``chainrule.autocast("cuda", ...)`` (a no-op: computes in float32);
``GradScaler(...)`` is ``chainrule.amp.GradScaler("cuda", ...)``, which disables itself with a
warning as PyTorch's does without CUDA.

Example:
    >>> import chainrule
    >>> with chainrule.cuda.amp.autocast():
    ...     (chainrule.ones(2) * 2).dtype
    dtype('float32')
"""

from __future__ import annotations

from typing import Any

from chainrule import amp as _amp
from chainrule.amp import custom_bwd, custom_fwd

__all__ = ["GradScaler", "autocast", "custom_bwd", "custom_fwd"]


class autocast(_amp.autocast):  # noqa: N801
    """``torch.cuda.amp.autocast(enabled=True, dtype=torch.float16, cache_enabled=True)``.

    Example:
        >>> autocast(enabled=False).device
        'cuda'
    """

    def __init__(self, enabled: bool = True, dtype: Any = None, cache_enabled: bool = True) -> None:
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_amp.GradScaler):
    """``torch.cuda.amp.GradScaler``: disabled (with a warning) when enabled, as PyTorch's is
    on a machine without CUDA.

    Example:
        >>> GradScaler(enabled=False).get_scale()
        1.0
    """

    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        super().__init__(
            "cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled
        )
