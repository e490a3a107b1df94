"""Anomaly mode: find the first operation whose forward output or gradient holds NaN or Inf.

Inside ``detect_anomaly()`` every op records the line of user code that created it (a stack walk,
which is why this is a debugging mode and off by default) and checks its output; the engine
checks every gradient it produces. The error names the op and that line.
"""

from __future__ import annotations

import os
import traceback
from typing import Any

from chainrule.autograd.grad_mode import state

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class AnomalyError(RuntimeError):
    """Raised in anomaly mode when an op's output or gradient contains NaN or Inf."""


def user_site() -> str:
    """Return ``file:line in function: code`` of the innermost frame outside chainrule."""
    for frame in reversed(traceback.extract_stack()):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}"
    return "<unknown>"


def _nonfinite(array: Any) -> bool:
    if array.dtype.kind != "f":
        return False
    import numpy as np

    return not bool(np.isfinite(array).all())


def check_forward(node: Any, out: Any) -> None:
    """Raise :class:`AnomalyError` if ``out`` (the forward result of ``node``) is not finite."""
    if state.anomaly_check_nan and _nonfinite(out):
        raise AnomalyError(
            f"detect_anomaly: the forward of {type(node).__name__} produced NaN/Inf "
            f"(output shape {tuple(out.shape)}), created at {node.site}"
        )


def check_backward(node: Any, index: int, grad: Any) -> None:
    """Raise :class:`AnomalyError` if the gradient for input ``index`` of ``node`` is not finite."""
    if state.anomaly_check_nan and _nonfinite(grad._data):
        raise AnomalyError(
            f"detect_anomaly: {node.name()} returned NaN/Inf in the gradient for its input "
            f"{index} (shape {tuple(grad.shape)}); the op was created at {node.site}"
        )


class detect_anomaly:
    """Context manager: raise at the first op whose output or gradient contains NaN/Inf.

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([0.0], requires_grad=True)
        >>> try:
        ...     with chainrule.autograd.detect_anomaly():
        ...         x.sqrt().sum().backward()
        ... except RuntimeError as e:
        ...     print("SqrtBackward" in str(e))
        True
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self._prev = (state.anomaly, state.anomaly_check_nan)
        state.anomaly = True
        state.anomaly_check_nan = self.check_nan

    def __exit__(self, *exc: object) -> None:
        state.anomaly, state.anomaly_check_nan = self._prev
