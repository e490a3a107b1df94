"""``chainrule.nn.modules.instancenorm``: the import path of PyTorch\'s
``torch.nn.modules.instancenorm``.

The names resolve to chainrule's own classes (see :mod:`chainrule._namespace`).

Example:
    >>> import chainrule.nn.modules.instancenorm as mod
    >>> set(mod.__all__) <= set(dir(mod))
    True
"""

from chainrule._namespace import alias_module

_NAMES = (
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LazyInstanceNorm1d",
    "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
    "_InstanceNorm",
)
__getattr__, _present = alias_module(
    __name__,
    "torch.nn.modules.instancenorm",
    _NAMES,
    ("chainrule.nn", "chainrule.nn.layers.normalization"),
)
__all__ = [n for n in _present() if not n.startswith("_")]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_present()))
