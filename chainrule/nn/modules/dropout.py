"""``chainrule.nn.modules.dropout``: the import path of PyTorch\'s
``torch.nn.modules.dropout``.

The names resolve to chainrule's own classes (see :mod:`chainrule._namespace`).

Example:
    >>> import chainrule.nn.modules.dropout as mod
    >>> set(mod.__all__) <= set(dir(mod))
    True
"""

from chainrule._namespace import alias_module

_NAMES = (
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "AlphaDropout",
    "FeatureAlphaDropout",
    "_DropoutNd",
)
__getattr__, _present = alias_module(
    __name__, "torch.nn.modules.dropout", _NAMES, ("chainrule.nn", "chainrule.nn.layers.dropout")
)
__all__ = [n for n in _present() if not n.startswith("_")]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_present()))
