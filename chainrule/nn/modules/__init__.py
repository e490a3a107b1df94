"""``chainrule.nn.modules``: PyTorch's ``torch.nn.modules`` import paths.

``chainrule.nn.modules.linear.Linear``, ``chainrule.nn.modules.loss._Loss``, ... are the same
classes as ``chainrule.nn.Linear``, ... (each submodule is an alias; see
:mod:`chainrule._namespace`). The package itself exposes every ``chainrule.nn`` class, as
``torch.nn.modules`` does.

Example:
    >>> import chainrule
    >>> from chainrule.nn.modules.loss import MSELoss, _Loss
    >>> MSELoss is chainrule.nn.MSELoss, issubclass(MSELoss, _Loss)
    (True, True)
"""

from typing import Any

from chainrule.nn.modules import (  # noqa: F401  (the submodules PyTorch has)
    activation,
    adaptive,
    batchnorm,
    channelshuffle,
    container,
    conv,
    distance,
    dropout,
    flatten,
    fold,
    instancenorm,
    linear,
    loss,
    module,
    normalization,
    padding,
    pixelshuffle,
    pooling,
    rnn,
    sparse,
    transformer,
    upsampling,
    utils,
)


def __getattr__(name: str) -> Any:
    import chainrule.nn

    if not name.startswith("_") and hasattr(chainrule.nn, name):
        return getattr(chainrule.nn, name)
    raise AttributeError(f"module 'chainrule.nn.modules' has no attribute {name!r}")
