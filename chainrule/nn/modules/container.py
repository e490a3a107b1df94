"""``chainrule.nn.modules.container``: the import path of PyTorch\'s
``torch.nn.modules.container``.

The names resolve to chainrule's own classes (see :mod:`chainrule._namespace`).

Example:
    >>> import chainrule.nn.modules.container as mod
    >>> set(mod.__all__) <= set(dir(mod))
    True
"""

from chainrule._namespace import alias_module

_NAMES = (
    "Container",
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "ParameterDict",
)
__getattr__, _present = alias_module(
    __name__, "torch.nn.modules.container", _NAMES, ("chainrule.nn", "chainrule.nn.containers")
)
__all__ = [n for n in _present() if not n.startswith("_")]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_present()))
