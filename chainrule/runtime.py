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
    "get_default_device",
    "get_float32_matmul_precision",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
    "is_warn_always_enabled",
    "set_anomaly_enabled",
    "set_default_device",
    "set_flush_denormal",
    "set_float32_matmul_precision",
    "set_printoptions",
    "set_warn_always",
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


def get_default_device() -> Any:
    """``device(type='cpu')``: the only device there is.

    Example:
        >>> get_default_device()
        device(type='cpu')
    """
    from chainrule.backend.device import CPU

    return CPU


def set_default_device(device: Any) -> None:
    """Accepts the CPU (or ``None``); any other device raises the CPU-only error.

    Example:
        >>> set_default_device("cpu")
    """
    from chainrule.backend.device import check_device

    check_device(device, "set_default_device")


def is_anomaly_enabled() -> bool:
    """True inside :func:`chainrule.autograd.detect_anomaly` (or after
    :func:`set_anomaly_enabled` ``(True)``).

    Example:
        >>> is_anomaly_enabled()
        False
    """
    from chainrule.autograd.grad_mode import state

    return bool(state.anomaly)


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly mode checks outputs for NaN.

    Example:
        >>> is_anomaly_check_nan_enabled()
        True
    """
    from chainrule.autograd.grad_mode import state

    return bool(state.anomaly_check_nan)


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Switch anomaly mode on or off for the whole process (as ``detect_anomaly`` does for a
    block).

    Example:
        >>> set_anomaly_enabled(True); is_anomaly_enabled()
        True
        >>> set_anomaly_enabled(False)
    """
    from chainrule.autograd.grad_mode import state

    state.anomaly = bool(enabled)
    state.anomaly_check_nan = bool(check_nan)


def set_warn_always(b: bool) -> None:
    """Record PyTorch's "warn always" flag (chainrule warns through :mod:`warnings` as usual).

    Example:
        >>> set_warn_always(False); is_warn_always_enabled()
        False
    """
    _settings["warn_always"] = bool(b)


def is_warn_always_enabled() -> bool:
    """The value last given to :func:`set_warn_always` (False at start).

    Example:
        >>> is_warn_always_enabled()
        False
    """
    return bool(_settings.get("warn_always", False))


def set_flush_denormal(mode: bool) -> bool:
    """False: flushing denormals is not supported by the NumPy backend (PyTorch's answer where
    the CPU cannot); nothing changes.

    Example:
        >>> set_flush_denormal(True)
        False
    """
    return False


def set_printoptions(
    precision: int | None = None,
    threshold: int | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Options for printing tensors (PyTorch's names): ``precision`` digits, ``threshold``
    elements before summarizing, ``edgeitems`` shown per end, ``linewidth``, ``sci_mode``
    (True: always scientific, False: never), ``profile`` ``"default"`` (reset), ``"short"``
    or ``"full"``.

    Example:
        >>> import chainrule
        >>> set_printoptions(precision=2); chainrule.tensor([1.23456])
        tensor([1.23])
        >>> set_printoptions(profile="default")
    """
    from chainrule.autograd.tensor import _PRINT_DEFAULTS, PRINT_OPTIONS

    if profile is not None:
        if profile not in ("default", "short", "full"):
            raise ValueError(f"set_printoptions: unknown profile {profile!r}")
        PRINT_OPTIONS.clear()
        PRINT_OPTIONS.update(_PRINT_DEFAULTS)
        if profile == "short":
            PRINT_OPTIONS.update(precision=2, threshold=1000, edgeitems=2)
        elif profile == "full":
            PRINT_OPTIONS.update(threshold=2**62)
    given = {
        "precision": precision,
        "threshold": threshold,
        "edgeitems": edgeitems,
        "linewidth": linewidth,
    }
    PRINT_OPTIONS.update({k: v for k, v in given.items() if v is not None})
    if sci_mode is not None:
        PRINT_OPTIONS["sci_mode"] = sci_mode
