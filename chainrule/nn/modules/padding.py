"""``chainrule.nn.modules.padding``: the import path of PyTorch\'s
``torch.nn.modules.padding``.

The names resolve to chainrule's own classes (see :mod:`chainrule._namespace`).

Example:
    >>> import chainrule.nn.modules.padding as mod
    >>> set(mod.__all__) <= set(dir(mod))
    True
"""

from chainrule._namespace import alias_module

_NAMES = (
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
)
__getattr__, _present = alias_module(
    __name__, "torch.nn.modules.padding", _NAMES, ("chainrule.nn",)
)
__all__ = [n for n in _present() if not n.startswith("_")]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_present()))
