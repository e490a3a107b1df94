"""Process-wide PyTorch switches that have nothing to do on a NumPy CPU build:
``compile``, ``set_float32_matmul_precision``, ``use_deterministic_algorithms``.

* :func:`compile` returns the model (or function) itself: there is no graph compiler yet, so
  the "compiled" model is the eager one (same numbers). It works as a decorator too and
  accepts PyTorch's ``fullgraph=``, ``dynamic=``, ``backend=``, ``mode=``, ``options=``.
* float32 matmuls always run in full float32 precision (no TF32/bfloat16 passes), so
  :func:`set_float32_matmul_precision` records the setting and changes nothing.
* NumPy's CPU kernels are deterministic, so :func:`use_deterministic_algorithms` only records.

Example:
    >>> import chainrule
    >>> m = chainrule.nn.Linear(2, 1)
    >>> chainrule.compile(m) is m
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "are_deterministic_algorithms_enabled",
    "compile",
    "get_float32_matmul_precision",
    "is_deterministic_algorithms_warn_only_enabled",
    "set_float32_matmul_precision",
    "use_deterministic_algorithms",
]

_settings: dict[str, Any] = {"matmul": "highest", "deterministic": False, "warn_only": False}
_MODES = (None, "default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


def compile(  # noqa: A001  (PyTorch's name)
    model: Callable[..., Any] | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: Any = "inductor",
    mode: str | None = None,
    options: dict[str, Any] | None = None,
    disable: bool = False,
) -> Any:
    """``torch.compile``: returns ``model`` unchanged (eager execution, identical results).

    ``chainrule.compile(fn)``, ``chainrule.compile(mode="max-autotune")(fn)`` and
    ``@chainrule.compile`` all work.

    Example:
        >>> import chainrule
        >>> @chainrule.compile(fullgraph=True)
        ... def f(x):
        ...     return x * 2
        >>> f(chainrule.ones(1)).tolist()
        [2.0]
    """
    if mode not in _MODES:
        raise RuntimeError(f"compile: unrecognized mode={mode!r}; expected one of {_MODES[1:]}")
    if mode is not None and options is not None:
        raise RuntimeError("compile: either mode or options can be specified, but both can't be")
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise RuntimeError(f"compile: the model must be callable, got {type(model).__name__}")
    return model


def set_float32_matmul_precision(precision: str) -> None:
    """Record PyTorch's float32 matmul precision (``"highest"``, ``"high"``, ``"medium"``);
    chainrule always computes float32 products in full float32.

    Example:
        >>> set_float32_matmul_precision("high"); get_float32_matmul_precision()
        'high'
        >>> set_float32_matmul_precision("highest")
    """
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(
            f"set_float32_matmul_precision: expected 'highest', 'high' or 'medium', "
            f"got {precision!r}"
        )
    _settings["matmul"] = precision


def get_float32_matmul_precision() -> str:
    """The value last given to :func:`set_float32_matmul_precision` (``"highest"`` at start).

    Example:
        >>> get_float32_matmul_precision()
        'highest'
    """
    return _settings["matmul"]


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record the flag; chainrule's kernels are deterministic whatever it says.

    Example:
        >>> use_deterministic_algorithms(True); are_deterministic_algorithms_enabled()
        True
        >>> use_deterministic_algorithms(False)
    """
    _settings["deterministic"] = bool(mode)
    _settings["warn_only"] = bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """The value last given to :func:`use_deterministic_algorithms`.

    Example:
        >>> are_deterministic_algorithms_enabled()
        False
    """
    return _settings["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """The ``warn_only`` value last given to :func:`use_deterministic_algorithms`.

    Example:
        >>> is_deterministic_algorithms_warn_only_enabled()
        False
    """
    return _settings["warn_only"]
