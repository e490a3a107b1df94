"""``chainrule.nn.modules.batchnorm``: the import path of PyTorch\'s
``torch.nn.modules.batchnorm``.

The names resolve to chainrule's own classes (see :mod:`chainrule._namespace`).

Example:
    >>> import chainrule.nn.modules.batchnorm as mod
    >>> set(mod.__all__) <= set(dir(mod))
    True
"""

from chainrule._namespace import alias_module

_NAMES = (
    "BatchNorm1d",
    "LazyBatchNorm1d",
    "BatchNorm2d",
    "LazyBatchNorm2d",
    "BatchNorm3d",
    "LazyBatchNorm3d",
    "SyncBatchNorm",
    "_NormBase",
    "_BatchNorm",
)
__getattr__, _present = alias_module(
    __name__,
    "torch.nn.modules.batchnorm",
    _NAMES,
    ("chainrule.nn", "chainrule.nn.layers.normalization"),
)
__all__ = [n for n in _present() if not n.startswith("_")]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_present()))
