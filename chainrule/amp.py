"""``chainrule.amp``: PyTorch's automatic mixed precision names, for a float32 CPU library.

* :class:`autocast` is accepted for every device type and dtype, as a context manager or a
  decorator, and **changes nothing**: operations keep computing in their input dtype (float32
  for a float32 model). PyTorch would run matmuls/convs in bfloat16/float16 inside the block; here
  the numbers are the float32 ones (stated in docs/deviations.md).
* :class:`GradScaler` follows PyTorch. For CUDA (the default device) it disables itself with a
  warning, as PyTorch does on a machine without CUDA, and then passes everything through
  (``scale(loss)`` is ``loss``, ``step(opt)`` is ``opt.step()``, ``get_scale()`` is 1.0). With
  ``device="cpu"`` it scales the loss, unscales the gradients, skips steps whose gradients are
  not finite and grows/backs off the scale exactly as PyTorch's.

Example:
    >>> import chainrule
    >>> with chainrule.amp.autocast("cpu", dtype=chainrule.bfloat16):
    ...     y = chainrule.ones(2, 2) @ chainrule.ones(2, 2)
    >>> y.dtype
    dtype('float32')
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["GradScaler", "autocast", "custom_bwd", "custom_fwd", "is_autocast_available"]

_state = {"enabled": False}


def _check_device_type(device_type: Any, op: str) -> str:
    from chainrule.backend.device import _TYPES

    if not isinstance(device_type, str) or device_type.partition(":")[0] not in _TYPES:
        raise ValueError(
            f"{op}: expected a device type string such as 'cpu' or 'cuda', got {device_type!r}"
        )
    return device_type.partition(":")[0]


class autocast:  # noqa: N801  (PyTorch's name)
    """Mixed-precision region (``torch.autocast``): accepted, computes in float32 (a no-op).

    Works as a context manager and as a decorator; ``dtype``, ``enabled`` and ``cache_enabled``
    are accepted. Inside an enabled block :func:`chainrule.is_autocast_enabled` is True.

    Example:
        >>> import chainrule
        >>> @chainrule.autocast("cpu")
        ... def f(x):
        ...     return x * 2
        >>> f(chainrule.ones(1)).dtype
        dtype('float32')
    """

    def __init__(
        self,
        device_type: str,
        dtype: Any = None,
        enabled: bool = True,
        cache_enabled: bool | None = None,
    ) -> None:
        self.device = _check_device_type(device_type, "autocast")
        self.fast_dtype = dtype
        self._enabled = bool(enabled)
        self._prev: list[bool] = []

    def __enter__(self) -> autocast:
        self._prev.append(_state["enabled"])
        _state["enabled"] = self._enabled
        return self

    def __exit__(self, *exc: object) -> None:
        _state["enabled"] = self._prev.pop()

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapper


def is_autocast_available(device_type: str) -> bool:
    """True for the device types :class:`autocast` accepts (it is a no-op on each).

    Example:
        >>> is_autocast_available("cpu")
        True
    """
    return _check_device_type(device_type, "is_autocast_available") in ("cpu", "cuda")


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """True inside an enabled :class:`autocast` block.

    Example:
        >>> import chainrule
        >>> with chainrule.autocast("cpu"):
        ...     chainrule.is_autocast_enabled()
        True
    """
    return _state["enabled"]


def custom_fwd(fwd: Any = None, *, device_type: str = "cuda", cast_inputs: Any = None) -> Any:
    """Decorator for a custom ``Function.forward`` under autocast (``torch.amp.custom_fwd``):
    returns the function unchanged, since autocast changes nothing here.

    Example:
        >>> @custom_fwd(device_type="cpu")
        ... def forward(x):
        ...     return x
        >>> forward(3)
        3
    """
    if fwd is None:
        return lambda f: f
    return fwd


def custom_bwd(bwd: Any = None, *, device_type: str = "cuda") -> Any:
    """Decorator for a custom ``Function.backward`` under autocast: returns it unchanged.

    Example:
        >>> custom_bwd(device_type="cpu")(abs)(-2)
        2
    """
    if bwd is None:
        return lambda f: f
    return bwd


class GradScaler:
    """Loss scaling for mixed precision (``torch.amp.GradScaler``; see the module docstring).

    Example:
        >>> import chainrule
        >>> from chainrule import nn, optim
        >>> m = nn.Linear(2, 1); opt = optim.SGD(m.parameters(), lr=0.1)
        >>> scaler = GradScaler("cpu", init_scale=4.0)
        >>> scaler.scale(m(chainrule.ones(1, 2)).sum()).backward()
        >>> scaler.step(opt); scaler.update(); scaler.get_scale()
        4.0
    """

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        self._device = _check_device_type(device, "GradScaler")
        if enabled and self._device != "cpu":
            warnings.warn(
                f"GradScaler is enabled, but {self._device.upper()} is not available "
                "(chainrule runs on the CPU). Disabling.",
                stacklevel=2,
            )
            enabled = False
        self._enabled = bool(enabled)
        if growth_factor <= 1.0:
            raise ValueError(f"GradScaler: growth_factor should be > 1, got {growth_factor}")
        if not 0.0 < backoff_factor < 1.0:
            raise ValueError(f"GradScaler: backoff_factor should be < 1, got {backoff_factor}")
        self._scale = float(init_scale)
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._growth_tracker = 0
        self._per_optimizer: dict[int, dict[str, Any]] = {}

    def is_enabled(self) -> bool:
        """Whether scaling happens (False for CUDA on this CPU build, or ``enabled=False``)."""
        return self._enabled

    def scale(self, outputs: Any) -> Any:
        """Multiply a loss (or nested lists/tuples of them) by the current scale."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        return outputs * self._scale

    def _opt_state(self, optimizer: Any) -> dict[str, Any]:
        return self._per_optimizer.setdefault(id(optimizer), {"unscaled": False, "inf": False})

    def unscale_(self, optimizer: Any) -> None:
        """Divide the gradients of ``optimizer``'s parameters by the scale, in place, and note
        whether any is not finite."""
        if not self._enabled:
            return
        st = self._opt_state(optimizer)
        if st["unscaled"]:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        import numpy as np

        inv = 1.0 / self._scale
        found = False
        for group in optimizer.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                g._data = g._data * np.asarray(inv, dtype=g._data.dtype)
                g._version[0] += 1
                if not found and not np.isfinite(g._data).all():
                    found = True
        st["unscaled"], st["inf"] = True, found

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """``optimizer.step()``, after unscaling; skipped (returns None) if a gradient is not
        finite."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        st = self._opt_state(optimizer)
        if not st["unscaled"]:
            self.unscale_(optimizer)
        if st["inf"]:
            return None
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale: Any = None) -> None:
        """Back off the scale after a step with non-finite gradients, grow it after
        ``growth_interval`` good steps (or set it to ``new_scale``)."""
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale)
        else:
            if any(st["inf"] for st in self._per_optimizer.values()):
                self._scale *= self._backoff_factor
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    self._scale *= self._growth_factor
                    self._growth_tracker = 0
            if not math.isfinite(self._scale):
                self._scale = float("inf")
        self._per_optimizer.clear()

    def get_scale(self) -> float:
        """The current scale (1.0 when disabled)."""
        return self._scale if self._enabled else 1.0

    def get_growth_factor(self) -> float:
        """The factor the scale grows by."""
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        """Set the growth factor."""
        self._growth_factor = float(new_factor)

    def get_backoff_factor(self) -> float:
        """The factor the scale backs off by."""
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        """Set the backoff factor."""
        self._backoff_factor = float(new_factor)

    def get_growth_interval(self) -> int:
        """Good steps between growths."""
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        """Set the growth interval."""
        self._growth_interval = int(new_interval)

    def state_dict(self) -> dict[str, Any]:
        """The scaler state (empty when disabled, as in PyTorch)."""
        if not self._enabled:
            return {}
        return {
            "scale": self._scale,
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._growth_tracker,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a :meth:`state_dict`."""
        if not self._enabled:
            return
        if not state_dict:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved from a disabled "
                "instance of GradScaler."
            )
        self._scale = float(state_dict["scale"])
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])
