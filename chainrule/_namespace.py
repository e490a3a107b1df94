"""Alias modules for PyTorch's import paths (``chainrule.nn.modules.linear``, ...).

An alias module lists the names PyTorch has at that path and resolves each one, on first access,
from chainrule's own modules (PEP 562 ``__getattr__``). Names chainrule does not have yet raise an
``AttributeError`` that says so; names added to chainrule later appear without editing the alias.

Example:
    >>> import chainrule.nn.modules.linear as L
    >>> import chainrule
    >>> L.Linear is chainrule.nn.Linear
    True
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any


def alias_module(
    modname: str, torch_path: str, names: Iterable[str], sources: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for an alias module.

    ``names`` are the public names PyTorch has at ``torch_path``; each is looked up in the
    modules ``sources`` (in order). Private names (``_Loss``, ``_ConvNd`` ...) may be listed too.

    Example:
        >>> get, names = alias_module("m", "torch.nn.modules.linear", ["Linear"], ["chainrule.nn"])
        >>> get("Linear").__name__, names()
        ('Linear', ['Linear'])
    """
    wanted = tuple(names)
    srcs = tuple(sources)

    def lookup(name: str) -> Any:
        for src in srcs:
            mod = importlib.import_module(src)
            if hasattr(mod, name):
                return getattr(mod, name)
        raise AttributeError(name)

    def __getattr__(name: str) -> Any:  # noqa: N807  (PEP 562 module hook)
        if name in wanted:
            try:
                return lookup(name)
            except AttributeError:
                pass
            raise AttributeError(
                f"module {modname!r} has no attribute {name!r}: chainrule does not implement "
                f"{torch_path}.{name} yet"
            )
        raise AttributeError(f"module {modname!r} has no attribute {name!r}")

    def present() -> list[str]:
        out = []
        for n in wanted:
            try:
                lookup(n)
            except AttributeError:
                continue
            out.append(n)
        return out

    return __getattr__, present
