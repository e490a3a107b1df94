"""Whether operations record the graph: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

The flag lives on one small object (``state``) that :meth:`Function.apply` reads on every call,
so checking it costs a single attribute lookup.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    __slots__ = ("grad_enabled", "anomaly", "anomaly_check_nan")

    def __init__(self) -> None:
        self.grad_enabled = True
        self.anomaly = False
        self.anomaly_check_nan = True


state = _State()


def is_grad_enabled() -> bool:
    """True when operations record the graph for backward.

    Example:
        >>> import chainrule
        >>> with chainrule.no_grad():
        ...     chainrule.is_grad_enabled()
        False
    """
    return state.grad_enabled


class _GradModeContext:
    """Base for the context managers below; each also works as a decorator."""

    _mode: bool

    def __enter__(self) -> None:
        self._prev = state.grad_enabled
        state.grad_enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        state.grad_enabled = self._prev

    def __call__(self, fn: F) -> F:
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = state.grad_enabled
            state.grad_enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.grad_enabled = prev

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):
    """Context manager / decorator: operations inside record no graph (inference, updates).

    Example:
        >>> import chainrule
        >>> w = chainrule.ones(2, requires_grad=True)
        >>> with chainrule.no_grad():
        ...     y = w * 2
        >>> y.requires_grad
        False
    """

    _mode = False


class enable_grad(_GradModeContext):
    """Context manager / decorator: re-enable graph recording inside a ``no_grad`` block.

    Example:
        >>> import chainrule
        >>> with chainrule.no_grad(), chainrule.enable_grad():
        ...     chainrule.is_grad_enabled()
        True
    """

    _mode = True


class set_grad_enabled(_GradModeContext):
    """Set graph recording on or off: as a function call, a context manager or a decorator.

    Example:
        >>> import chainrule
        >>> with chainrule.set_grad_enabled(False):
        ...     chainrule.is_grad_enabled()
        False
    """

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._prev = state.grad_enabled
        state.grad_enabled = self._mode

    def __enter__(self) -> None:  # the switch already happened in __init__ (PyTorch semantics)
        pass

    def __exit__(self, *exc: object) -> None:
        state.grad_enabled = self._prev


_inference = [False]


class inference_mode(_GradModeContext):
    """Context manager / decorator for inference: like :class:`no_grad` (nothing is recorded);
    ``inference_mode(False)`` leaves recording as it is.

    Example:
        >>> import chainrule
        >>> with chainrule.inference_mode():
        ...     y = chainrule.ones(2, requires_grad=True) * 2
        >>> y.requires_grad
        False
        >>> @chainrule.inference_mode()
        ... def predict(x):
        ...     return chainrule.is_grad_enabled()
        >>> predict(None)
        False
    """

    def __init__(self, mode: bool = True) -> None:
        self._enabled = bool(mode)

    def __enter__(self) -> None:
        self._prev = (state.grad_enabled, _inference[0])
        if self._enabled:
            state.grad_enabled = False
            _inference[0] = True

    def __exit__(self, *exc: object) -> None:
        state.grad_enabled, _inference[0] = self._prev

    def __call__(self, fn: F) -> F:
        enabled = self._enabled

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(enabled):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def is_inference_mode_enabled() -> bool:
    """True inside an enabled :class:`inference_mode` block.

    Example:
        >>> import chainrule
        >>> with chainrule.inference_mode():
        ...     chainrule.is_inference_mode_enabled()
        True
        >>> chainrule.is_inference_mode_enabled()
        False
    """
    return _inference[0]
