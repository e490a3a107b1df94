"""``chainrule.utils``: PyTorch's ``torch.utils`` import paths.

* :mod:`chainrule.utils.data` is :mod:`chainrule.data` (``Dataset``, ``DataLoader``, samplers ...);
* :mod:`chainrule.utils.tensorboard` has ``SummaryWriter`` over the optional ``tensorboardX``.

Example:
    >>> import chainrule
    >>> chainrule.utils.data.DataLoader is chainrule.data.DataLoader
    True
"""

from chainrule.utils import data  # noqa: F401

__all__ = ["data"]
