"""Devices: ``chainrule.device`` objects and the one error for devices this build lacks.

chainrule computes on the CPU (NumPy). ``device("cpu")``, ``device("cpu:0")`` and
``device("cpu", 0)`` work like PyTorch's; ``device("cuda")`` / ``"mps"`` objects can be made
(programs build them before checking availability), but placing data on them raises
:class:`DeviceUnavailableError` from :func:`check_device`, the single place that decides.

Example:
    >>> from chainrule.backend.device import device
    >>> d = device("cpu:0")
    >>> d.type, d.index, str(d), d == device("cpu", 0)
    ('cpu', 0, 'cpu:0', True)
"""

from __future__ import annotations

from typing import Any

__all__ = ["DeviceUnavailableError", "check_device", "device", "is_cpu"]

_TYPES = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "hpu", "mtia", "privateuseone")


class DeviceUnavailableError(RuntimeError):
    """Raised when data is asked to live on a device other than the CPU.

    Example:
        >>> issubclass(DeviceUnavailableError, RuntimeError)
        True
    """


class device:  # noqa: N801  (PyTorch's name)
    """A device description: ``device("cpu")``, ``device("cpu:0")``, ``device("cuda", 1)``.

    ``.type`` is the device kind, ``.index`` the ordinal or ``None``. Two devices are equal
    when type and index are; as in PyTorch a device never equals a string (compare
    ``d.type == "cpu"`` or ``str(d) == "cpu"``). Used as a context manager, ``device("cpu")`` is
    accepted (it is the only default device there is).

    Example:
        >>> d = device("cpu")
        >>> d, str(d), d.index is None
        (device(type='cpu'), 'cpu', True)
    """

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): an index cannot be given with a device object")
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            # PyTorch: a bare ordinal means the current accelerator, which does not exist here
            raise DeviceUnavailableError(_message(f"device {type}"))
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string or an int, got {type.__class__.__name__}")
        kind, sep, ordinal = type.partition(":")
        if kind not in _TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_TYPES)} device type at start of device string: {type}"
            )
        if sep:
            if index is not None:
                raise RuntimeError(f"device(): type {type!r} already has an index; got {index}")
            if not ordinal.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(ordinal)
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type = kind
        self.index = index

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> Any:
        return (device, (self.type, self.index))

    def __enter__(self) -> device:
        check_device(self, "with device(...)")
        return self

    def __exit__(self, *exc: object) -> None:
        return None


CPU = device("cpu")


def _message(what: str) -> str:
    return (
        f"{what} is not available: this build of chainrule runs on the CPU only (NumPy backend). "
        "Use 'cpu' (or leave the device out). GPU support will come with the planned CuPy "
        "backend (then: pip install cupy-cuda12x)."
    )


def is_cpu(dev: Any) -> bool:
    """True if ``dev`` (a device, a string or an int) names the CPU.

    Example:
        >>> is_cpu("cpu:0"), is_cpu(device("cpu")), is_cpu("cuda")
        (True, True, False)
    """
    if isinstance(dev, device):
        return dev.type == "cpu"
    if isinstance(dev, str):
        return dev.partition(":")[0] == "cpu"
    return False


def check_device(dev: Any, op: str = "device") -> None:
    """Raise :class:`DeviceUnavailableError` unless ``dev`` is ``None`` or names the CPU.

    Example:
        >>> check_device("cpu"); check_device(None)
        >>> try:
        ...     check_device("cuda", "to")
        ... except DeviceUnavailableError as e:
        ...     print(str(e).split(":")[0])
        to
    """
    if dev is None or is_cpu(dev):
        return
    if isinstance(dev, str):
        device(dev)  # an unknown device string gets PyTorch's error
    raise DeviceUnavailableError(_message(f"{op}: device {str(dev)!r}"))
