"""The op registry: where each public operation is declared once.

``@register("exp")`` on a public function records it under its name and derives from that one
declaration:

* the Tensor method (``x.exp()``) and, when ``operators=`` is given, the Python operators;
* the top-level function (``chainrule.exp``) and, with ``functional=True``, the entry in
  ``chainrule.nn.functional``;
* the entry the registry-driven test suite (``tests/autograd/test_ops.py``) checks: the tests
  fail for any registered differentiable op that has no test case.

Primitives (``Function`` subclasses) are listed in :data:`PRIMITIVES` by :func:`primitive`, so
the tests can also verify that every primitive is exercised.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class OpEntry:
    """One public operation: its function and the names it is exposed under."""

    name: str
    fn: Callable[..., Any]
    method: str | None
    operators: tuple[str, ...] = ()
    functional: bool = False
    differentiable: bool = True
    aliases: tuple[str, ...] = field(default_factory=tuple)
    export: bool = True  # False: a Tensor method only, not a top-level chainrule function


OPS: dict[str, OpEntry] = {}
PRIMITIVES: dict[str, type] = {}


def register(
    name: str,
    *,
    method: str | bool | None = True,
    operators: tuple[str, ...] = (),
    functional: bool = False,
    differentiable: bool = True,
    aliases: tuple[str, ...] = (),
    export: bool = True,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a public operation (see the module docstring).

    Example:
        >>> from chainrule.autograd.ops.registry import OPS
        >>> OPS["exp"].method
        'exp'
    """

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in OPS:
            raise ValueError(f"op {name!r} registered twice")
        m = name if method is True else (method or None)
        OPS[name] = OpEntry(name, fn, m, operators, functional, differentiable, aliases, export)
        return fn

    return deco


def primitive(cls: type) -> type:
    """Class decorator listing a ``Function`` subclass in :data:`PRIMITIVES`."""
    PRIMITIVES[cls.__name__] = cls
    return cls


_NUMPY_NAMES = (("axis", "dim"), ("keepdims", "keepdim"))


def numpy_names(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` accepting PyTorch's NumPy-style keyword aliases ``axis=`` (for ``dim=``) and
    ``keepdims=`` (for ``keepdim=``), where ``fn`` has ``dim``/``keepdim``; ``fn`` itself
    otherwise. Applied centrally by :func:`install` to the Tensor methods and top-level functions.

    Example:
        >>> import chainrule
        >>> chainrule.ones(2, 3).sum(axis=1, keepdims=True).shape
        (2, 1)
    """
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return fn
    renames = tuple((a, b) for a, b in _NUMPY_NAMES if b in params and a not in params)
    if not renames:
        return fn

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            for alias, real in renames:
                if alias in kwargs:
                    if real in kwargs:
                        raise TypeError(f"{name}(): got both {real}= and its alias {alias}=")
                    kwargs[real] = kwargs.pop(alias)
        return fn(*args, **kwargs)

    return functools.update_wrapper(wrapper, fn)


def install(tensor_cls: type, namespace: dict[str, Any]) -> None:
    """Attach every registered op to ``tensor_cls`` and export it into ``namespace``."""
    for entry in OPS.values():
        fn = numpy_names(entry.name, entry.fn)
        exported = entry.export and not entry.name.startswith("__")
        if exported:
            namespace[entry.name] = fn
        for alias in entry.aliases:
            if exported:
                namespace[alias] = fn
            if entry.method:
                setattr(tensor_cls, alias, fn)
        if entry.method:
            setattr(tensor_cls, entry.method, fn)
        for op in entry.operators:
            setattr(tensor_cls, op, fn)
