"""Optimizers (``SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad``, ``Adadelta``) and
learning-rate schedulers (``chainrule.optim.lr_scheduler``), with PyTorch's names, signatures
and update rules.

Example:
    >>> import chainrule
    >>> from chainrule import optim
    >>> w = chainrule.tensor([3.0], requires_grad=True)
    >>> opt = optim.SGD([w], lr=0.25)
    >>> for _ in range(3):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> w.tolist()
    [0.375]
"""

from chainrule.optim.optimizer import Optimizer
from chainrule.optim.sgd import SGD
from chainrule.optim.adam import Adam
from chainrule.optim.adamw import AdamW
from chainrule.optim.rmsprop import RMSprop
from chainrule.optim.adagrad import Adagrad
from chainrule.optim.adadelta import Adadelta
from chainrule.optim import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "lr_scheduler"]

# nnmisc: more optimizers
from chainrule.optim.adamax import Adamax  # noqa: E402
from chainrule.optim.asgd import ASGD  # noqa: E402
from chainrule.optim.lbfgs import LBFGS  # noqa: E402
from chainrule.optim.nadam import NAdam  # noqa: E402
from chainrule.optim.radam import RAdam  # noqa: E402
from chainrule.optim.rprop import Rprop, SparseAdam  # noqa: E402

__all__ += ["Adamax", "ASGD", "LBFGS", "NAdam", "RAdam", "Rprop", "SparseAdam"]
