"""``chainrule.nn.modules.sparse``: the import path of PyTorch\'s
``torch.nn.modules.sparse``.

The names resolve to chainrule's own classes (see :mod:`chainrule._namespace`).

Example:
    >>> import chainrule.nn.modules.sparse as mod
    >>> set(mod.__all__) <= set(dir(mod))
    True
"""

from chainrule._namespace import alias_module

_NAMES = (
    "Embedding",
    "EmbeddingBag",
)
__getattr__, _present = alias_module(
    __name__, "torch.nn.modules.sparse", _NAMES, ("chainrule.nn", "chainrule.nn.layers.embedding")
)
__all__ = [n for n in _present() if not n.startswith("_")]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_present()))
