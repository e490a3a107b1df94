"""Anomaly mode: find the first operation whose forward output holds NaN, or whose gradient
holds NaN or Inf, or a loss that is not finite.

Inside ``detect_anomaly()`` every op records the line of user code that created it (a stack walk,
which is why this is a debugging mode and off by default) and checks its output for NaN; the
engine checks the tensor ``backward()`` starts from (the loss) for NaN/Inf and every gradient it
produces for NaN/Inf. The error names the op and that line.

Why Inf is allowed in a forward output: ``-inf`` is a legitimate value inside a computation
(attention masks: ``scores.masked_fill(mask, -inf).softmax(-1)``, a causal ``attn_mask``), and
PyTorch's ``detect_anomaly`` accepts it too. An Inf only matters once it reaches the loss or a
gradient, and both are checked.
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
    if array.dtype.kind not in "fc":
        return False
    import numpy as np

    return not bool(np.isfinite(array).all())


def _has_nan(array: Any) -> bool:
    if array.dtype.kind not in "fc":
        return False
    import numpy as np

    return bool(np.isnan(array).any())


def check_forward(node: Any, out: Any) -> None:
    """Raise :class:`AnomalyError` if ``out`` (the forward result of ``node``) holds NaN
    (Inf is allowed: see the module docstring)."""
    if state.anomaly_check_nan and _has_nan(out):
        raise AnomalyError(
            f"detect_anomaly: the forward of {type(node).__name__} produced NaN "
            f"(output shape {tuple(out.shape)}), created at {node.site}"
        )


def check_root(tensor: Any) -> None:
    """Raise :class:`AnomalyError` if the tensor ``backward()`` starts from is not finite (an
    Inf that reached the loss)."""
    if state.anomaly_check_nan and _nonfinite(tensor._data):
        fn = tensor.grad_fn
        where = f", computed by {fn.name()} created at {fn.site}" if fn is not None else ""
        raise AnomalyError(
            f"detect_anomaly: backward() started from a tensor holding NaN/Inf "
            f"(shape {tuple(tensor.shape)}, e.g. a loss that overflowed){where}"
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
