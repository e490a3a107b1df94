"""``chainrule.utils.data``: PyTorch's ``torch.utils.data`` path for :mod:`chainrule.data`.

Every name is the same object as in :mod:`chainrule.data` (names added there later appear here
too), and the submodules PyTorch users import from resolve as well:
``chainrule.utils.data.dataloader``, ``.dataset`` (the chainrule modules themselves) and
``.sampler`` (the samplers).

Example:
    >>> import chainrule
    >>> from chainrule.utils.data import DataLoader, TensorDataset
    >>> from chainrule.utils.data.sampler import SequentialSampler
    >>> DataLoader is chainrule.data.DataLoader, list(SequentialSampler(range(3)))
    (True, [0, 1, 2])
"""

import sys
from typing import Any

from chainrule import data as _data
from chainrule.data import *  # noqa: F403
from chainrule.data import dataloader, dataset  # noqa: F401  (torch.utils.data submodules)

__all__ = list(_data.__all__)

sys.modules[__name__ + ".dataloader"] = dataloader
sys.modules[__name__ + ".dataset"] = dataset

from chainrule.utils.data import sampler  # noqa: E402, F401


def __getattr__(name: str) -> Any:
    if not name.startswith("__") and hasattr(_data, name):
        return getattr(_data, name)
    raise AttributeError(f"module 'chainrule.utils.data' has no attribute {name!r}")
