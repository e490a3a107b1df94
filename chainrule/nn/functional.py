"""``chainrule.nn.functional``: the functional forms of layers, activations and losses.

Collected from two places, so each function is written once:

* ops declared in the registry with ``functional=True`` (activations, softmax, linear, conv,
  pooling, pad, one_hot, ...);
* the ``__functional__`` list of each ``chainrule.nn`` module (losses, dropout, normalization,
  embedding, attention, ...).

Example:
    >>> import chainrule
    >>> import chainrule.nn.functional as F
    >>> F.relu(chainrule.tensor([-1.0, 1.0])).tolist()
    [0.0, 1.0]
"""

from __future__ import annotations

import importlib

from chainrule.autograd.ops.registry import OPS as _OPS

globals().update({_name: _e.fn for _name, _e in _OPS.items() if _e.functional})

_MODULES = (
    "chainrule.nn.losses",
    "chainrule.nn.layers.activation",
    "chainrule.nn.layers.attention",
    "chainrule.nn.layers.conv",
    "chainrule.nn.layers.dropout",
    "chainrule.nn.layers.embedding",
    "chainrule.nn.layers.linear",
    "chainrule.nn.layers.normalization",
    "chainrule.nn.layers.pooling",
    "chainrule.nn.layers.recurrent",
    "chainrule.nn.layers.transformer",
    "chainrule.nn.layers.distance",
    "chainrule.nn.layers.upsampling",
    "chainrule.nn.layers.normalization_extra",
    "chainrule.nn.layers.functional_extra",
)
for _modname in _MODULES:
    _mod = importlib.import_module(_modname)
    for _name in getattr(_mod, "__functional__", ()):
        globals()[_name] = getattr(_mod, _name)
del _modname, _mod
