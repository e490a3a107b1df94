"""``chainrule.cuda``: PyTorch's ``torch.cuda`` names on a CPU-only build.

The checks programs make before choosing a device answer "no GPU" (``is_available()`` False,
``device_count()`` 0, ``is_bf16_supported()`` False); the calls that are harmless without a GPU
do nothing (``manual_seed``, ``manual_seed_all``, ``synchronize``, ``empty_cache``, ``amp``);
calls that need a GPU (``current_device``, ``get_device_name``, ``set_device``,
``memory_allocated`` ...) raise the one device error saying this build runs on the CPU.

Example:
    >>> import chainrule
    >>> chainrule.cuda.is_available(), chainrule.cuda.device_count()
    (False, 0)
    >>> device = chainrule.device("cuda" if chainrule.cuda.is_available() else "cpu")
    >>> chainrule.zeros(2, device=device).device
    device(type='cpu')
"""

from __future__ import annotations

from typing import Any

from chainrule.cuda import amp

__all__ = [
    "amp",
    "current_device",
    "device_count",
    "empty_cache",
    "get_device_name",
    "is_available",
    "is_bf16_supported",
    "is_initialized",
    "manual_seed",
    "manual_seed_all",
    "max_memory_allocated",
    "memory_allocated",
    "reset_peak_memory_stats",
    "seed",
    "seed_all",
    "set_device",
    "synchronize",
]


def is_available() -> bool:
    """False: this build has no CUDA backend.

    Example:
        >>> is_available()
        False
    """
    return False


def is_initialized() -> bool:
    """False: CUDA is never initialized here.

    Example:
        >>> is_initialized()
        False
    """
    return False


def device_count() -> int:
    """0 GPUs.

    Example:
        >>> device_count()
        0
    """
    return 0


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False (no GPU).

    Example:
        >>> is_bf16_supported()
        False
    """
    return False


def manual_seed(seed: int) -> None:
    """Seed the GPU generators: nothing to seed here (as PyTorch without CUDA, silently
    ignored). Use :func:`chainrule.manual_seed` for chainrule's generator.

    Example:
        >>> manual_seed(0)
    """
    int(seed)


def manual_seed_all(seed: int) -> None:
    """Seed every GPU's generator: nothing to seed here.

    Example:
        >>> manual_seed_all(0)
    """
    int(seed)


def seed() -> None:
    """Seed the GPU generator randomly: nothing to seed here.

    Example:
        >>> seed()
    """


def seed_all() -> None:
    """Seed every GPU's generator randomly: nothing to seed here.

    Example:
        >>> seed_all()
    """


def synchronize(device: Any = None) -> None:
    """Wait for GPU work: there is none (CPU work is synchronous).

    Example:
        >>> synchronize()
    """


def empty_cache() -> None:
    """Release cached GPU memory: there is none.

    Example:
        >>> empty_cache()
    """


def _unavailable(op: str) -> Any:
    from chainrule.backend.device import check_device

    check_device("cuda", f"chainrule.cuda.{op}")


def current_device() -> int:
    """Raises: there is no current CUDA device on this build.

    Example:
        >>> try:
        ...     current_device()
        ... except RuntimeError as e:
        ...     print("CPU only" in str(e))
        True
    """
    return _unavailable("current_device")


def set_device(device: Any) -> None:
    """Raises: there is no CUDA device to select on this build.

    Example:
        >>> try:
        ...     set_device(0)
        ... except RuntimeError:
        ...     print("no GPU")
        no GPU
    """
    _unavailable("set_device")


def get_device_name(device: Any = None) -> str:
    """Raises: there is no CUDA device on this build.

    Example:
        >>> try:
        ...     get_device_name()
        ... except RuntimeError:
        ...     print("no GPU")
        no GPU
    """
    return _unavailable("get_device_name")


def memory_allocated(device: Any = None) -> int:
    """Raises: there is no GPU memory on this build.

    Example:
        >>> try:
        ...     memory_allocated()
        ... except RuntimeError:
        ...     print("no GPU")
        no GPU
    """
    return _unavailable("memory_allocated")


def max_memory_allocated(device: Any = None) -> int:
    """Raises: there is no GPU memory on this build.

    Example:
        >>> try:
        ...     max_memory_allocated()
        ... except RuntimeError:
        ...     print("no GPU")
        no GPU
    """
    return _unavailable("max_memory_allocated")


def reset_peak_memory_stats(device: Any = None) -> None:
    """Raises: there is no GPU memory on this build.

    Example:
        >>> try:
        ...     reset_peak_memory_stats()
        ... except RuntimeError:
        ...     print("no GPU")
        no GPU
    """
    _unavailable("reset_peak_memory_stats")
