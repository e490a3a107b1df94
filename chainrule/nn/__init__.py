"""Neural-network building blocks: ``Module``, ``Parameter``, containers, layers, losses, init.

Each family lives in its own module and lists its public names in ``__all__``; the functional
forms (``chainrule.nn.functional``) are collected from each module's ``__functional__`` list.

Example:
    >>> import chainrule
    >>> from chainrule import nn
    >>> isinstance(nn.functional, type(chainrule))
    True
"""

from chainrule.nn import init, utils
from chainrule.nn.containers import *
from chainrule.nn.layers import *
from chainrule.nn.losses import *
from chainrule.nn.module import *
from chainrule.nn.parameter import *
from chainrule.nn.summary import *

from chainrule.nn import functional  # last: it collects from the modules above
from chainrule.nn import parallel  # DistributedDataParallel, DataParallel (chainrule.distributed)
from chainrule.nn.parallel import DataParallel, SyncBatchNorm

from chainrule.nn import modules  # noqa: E402  (PyTorch import paths: nn.modules.linear ...)
