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


def install(tensor_cls: type, namespace: dict[str, Any]) -> None:
    """Attach every registered op to ``tensor_cls`` and export it into ``namespace``."""
    for entry in OPS.values():
        exported = entry.export and not entry.name.startswith("__")
        if exported:
            namespace[entry.name] = entry.fn
        for alias in entry.aliases:
            if exported:
                namespace[alias] = entry.fn
            if entry.method:
                setattr(tensor_cls, alias, entry.fn)
        if entry.method:
            setattr(tensor_cls, entry.method, entry.fn)
        for op in entry.operators:
            setattr(tensor_cls, op, entry.fn)
