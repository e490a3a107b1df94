"""``chainrule.nn.modules.distance``: the import path of PyTorch\'s
``torch.nn.modules.distance``.

The names resolve to chainrule's own classes (see :mod:`chainrule._namespace`).

Example:
    >>> import chainrule.nn.modules.distance as mod
    >>> set(mod.__all__) <= set(dir(mod))
    True
"""

from chainrule._namespace import alias_module

_NAMES = (
    "PairwiseDistance",
    "CosineSimilarity",
)
__getattr__, _present = alias_module(
    __name__, "torch.nn.modules.distance", _NAMES, ("chainrule.nn",)
)
__all__ = [n for n in _present() if not n.startswith("_")]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_present()))
