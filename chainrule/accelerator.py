"""``chainrule.accelerator``: PyTorch's ``torch.accelerator`` names; this build has none.

Example:
    >>> import chainrule
    >>> chainrule.accelerator.is_available(), chainrule.accelerator.current_accelerator()
    (False, None)
"""

from __future__ import annotations

from typing import Any

__all__ = ["current_accelerator", "device_count", "is_available", "synchronize"]


def is_available() -> bool:
    """False: chainrule computes on the CPU only.

    Example:
        >>> is_available()
        False
    """
    return False


def current_accelerator(check_available: bool = False) -> Any:
    """``None``: there is no accelerator (PyTorch's answer on a CPU-only build).

    Example:
        >>> current_accelerator() is None
        True
    """
    return None


def device_count() -> int:
    """0 accelerators.

    Example:
        >>> device_count()
        0
    """
    return 0


def synchronize(device: Any = None) -> None:
    """Nothing to wait for.

    Example:
        >>> synchronize()
    """
