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
from chainrule.autograd.ops import logexp, rounding, scan, sorting, stats, trig  # noqa: F401,E402
from chainrule.autograd.ops import contraction  # noqa: F401  (einsum, tensordot, addmm ...)
from chainrule.autograd.ops import selection  # noqa: F401  (nonzero, diagonal, scatter_reduce ...)
from chainrule.autograd.ops import index_inplace  # noqa: F401  (index_add_ ..., random fills, multinomial)
from chainrule.autograd.ops import layout  # noqa: F401  (unfold, rot90, meshgrid, stacks ...)
from chainrule.autograd.ops import distance  # noqa: F401, E402  (cdist, pdist, cosine_similarity)
from chainrule.autograd.ops import resample  # noqa: F401  (interpolate, pixel shuffle)
from chainrule.autograd.ops import inplace_math  # noqa: F401,E402  (floor_, sinh_, ...)
from chainrule.autograd.ops import habits  # noqa: F401  (tensor habits: type(), new_*, stride ...)
from chainrule.autograd.ops import aliases  # noqa: F401  (second names: absolute, greater ...)
from chainrule.autograd.ops import nnlayers  # noqa: F401,E402  (channel_shuffle, rms_norm ...)
from chainrule.autograd.ops import bitwise, numeric  # noqa: F401,E402  (bitwise ops, fmax, gcd ...)
from chainrule.autograd.ops import inplace_fns  # noqa: F401,E402  (torch.abs_ ..., torch.fill)
