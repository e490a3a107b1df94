"""All operations, grouped by family. Importing this package registers them (see registry.py).

Families: elementwise (arithmetic, math, activations), reduce, movement (shapes), indexing,
linalg (matmul), compare (bool results, no gradient), conversion (dtypes), inplace.
"""

from chainrule.autograd.ops import (  # noqa: F401  (imported to register the ops)
    compare,
    conversion,
    elementwise,
    indexing,
    inplace,
    linalg,
    loss,
    movement,
    normalization,
    reduce,
)
from chainrule.autograd.ops import conv, pool  # noqa: F401  (conv/pool families)
from chainrule.autograd.ops import recurrent  # noqa: F401  (fused RNN/LSTM/GRU time loop)
from chainrule.autograd.ops.registry import OPS, PRIMITIVES, install
from chainrule.autograd.ops import habits  # noqa: F401  (tensor habits: type(), new_*, stride ...)
from chainrule.autograd.ops import aliases  # noqa: F401  (second names: absolute, greater ...)
