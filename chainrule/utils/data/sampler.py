"""``chainrule.utils.data.sampler``: PyTorch's ``torch.utils.data.sampler`` import path.

Example:
    >>> import chainrule
    >>> from chainrule.utils.data.sampler import RandomSampler
    >>> RandomSampler is chainrule.data.RandomSampler
    True
"""

from chainrule._namespace import alias_module

_NAMES = (
    "BatchSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
)
__getattr__, _present = alias_module(
    __name__, "torch.utils.data.sampler", _NAMES, ("chainrule.data",)
)
__all__ = _present()


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_present()))
