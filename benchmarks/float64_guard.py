"""A debug guard that fails as soon as a float64 array appears in a computation.

``with no_float64(): step()`` wraps, for the duration of the block, the ``forward`` and ``vjp``
of every :class:`~chainrule.autograd.function.Function` subclass, and the engine's tensor
constructors (``Tensor._wrap`` / ``Tensor._from_op``), so that any op output, first-order
gradient or new tensor of dtype float64 raises ``Float64Error`` naming the op. Nothing is
wrapped outside the block: the hot path pays nothing for it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.tensor import Tensor


class Float64Error(AssertionError):
    """A float64 array appeared inside a guarded (float32) computation."""


def _check(value: Any, where: str) -> None:
    if isinstance(value, tuple | list):
        for i, v in enumerate(value):
            _check(v, f"{where}[{i}]")
        return
    dt = getattr(value, "dtype", None)
    if dt is not None and dt == np.float64:
        shape = getattr(value, "shape", None)
        raise Float64Error(f"{where} produced a float64 array (shape {shape})")


def _all_functions() -> list[type]:
    out, stack = [], [Function]
    while stack:
        cls = stack.pop()
        out.append(cls)
        stack.extend(cls.__subclasses__())
    return out


def _wrap_method(cls: type, attr: str, what: str):
    fn = cls.__dict__[attr]

    def checked(self, *args: Any, **kwargs: Any) -> Any:
        r = fn(self, *args, **kwargs)
        _check(r, f"{type(self).__name__}.{what}")
        return r

    return checked


@contextlib.contextmanager
def no_float64() -> Iterator[None]:
    """Raise ``Float64Error`` if any op output, gradient or tensor in the block is float64.

    Example:
        >>> import chainrule
        >>> with no_float64():
        ...     (chainrule.ones(2, requires_grad=True) * 2).sum().backward()
    """
    saved: list[tuple[type, str, Any]] = []
    try:
        for cls in _all_functions():
            for attr in ("forward", "vjp"):
                if callable(cls.__dict__.get(attr)):
                    saved.append((cls, attr, cls.__dict__[attr]))
                    setattr(cls, attr, _wrap_method(cls, attr, attr))
        for attr in ("_wrap", "_from_op"):
            orig = Tensor.__dict__[attr]
            saved.append((Tensor, attr, orig))
            inner = orig.__func__

            def checked(*args: Any, _inner=inner, _attr=attr) -> Any:
                _check(args[0], f"Tensor.{_attr}")
                return _inner(*args)

            setattr(Tensor, attr, staticmethod(checked))
        yield
    finally:
        for cls, attr, orig in reversed(saved):
            setattr(cls, attr, orig)
