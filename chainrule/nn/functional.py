"""``chainrule.nn.functional``: the functional forms of layers, activations and losses.

Ops declared in the registry with ``functional=True`` (activations, softmax, linear, pad,
one_hot, ...) are exported here automatically; layer kernels and losses are added below them.

Example:
    >>> import chainrule
    >>> import chainrule.nn.functional as F
    >>> F.relu(chainrule.tensor([-1.0, 1.0])).tolist()
    [0.0, 1.0]
"""

from __future__ import annotations

from chainrule.autograd.ops.registry import OPS as _OPS

globals().update({_name: _e.fn for _name, _e in _OPS.items() if _e.functional})
