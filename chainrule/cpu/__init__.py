"""``chainrule.cpu``: PyTorch's ``torch.cpu`` names (the device chainrule computes on).

Example:
    >>> import chainrule
    >>> chainrule.cpu.is_available(), chainrule.cpu.device_count(), chainrule.cpu.current_device()
    (True, 1, 'cpu')
"""

from __future__ import annotations

from typing import Any

from chainrule.cpu import amp

__all__ = ["amp", "current_device", "device_count", "is_available", "synchronize"]


def is_available() -> bool:
    """True: the CPU is always there.

    Example:
        >>> is_available()
        True
    """
    return True


def device_count() -> int:
    """1 (PyTorch's answer for the CPU).

    Example:
        >>> device_count()
        1
    """
    return 1


def current_device() -> str:
    """``'cpu'``.

    Example:
        >>> current_device()
        'cpu'
    """
    return "cpu"


def synchronize(device: Any = None) -> None:
    """Nothing to wait for: CPU work is synchronous.

    Example:
        >>> synchronize()
    """
