"""chainrule: a NumPy deep-learning library built around its own backpropagation engine.

The API follows PyTorch's names, signatures and defaults, so ``import chainrule as torch``-style
ports work for the supported subset.

Example:
    >>> import chainrule
    >>> x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    >>> (x ** 2).sum().backward()
    >>> x.grad.tolist()
    [2.0, 4.0]
"""

import builtins as _builtins

from chainrule import autograd
from chainrule.autograd import ops as _ops
from chainrule.autograd.creation import *
from chainrule.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from chainrule.autograd.tensor import Tensor
from chainrule.backend import bool_ as bool  # noqa: A001  (PyTorch spells it chainrule.bool)
from chainrule.backend import (
    float16,
    float32,
    float64,
    get_default_dtype,
    get_rng_state,
    int8,
    int16,
    int32,
    int64,
    manual_seed,
    set_default_dtype,
    set_rng_state,
    uint8,
)

half = float16
float = float32  # noqa: A001
double = float64
long = int64
int = int32  # noqa: A001

__version__ = "0.1.0"


def _install() -> None:
    from chainrule.autograd.ops import indexing

    _ops.install(Tensor, globals())
    Tensor.__getitem__ = indexing.getitem
    Tensor.__setitem__ = indexing.setitem
    Tensor.T = property(
        lambda self: self.permute(*reversed(_builtins.range(self.ndim))),
        doc="The tensor with all dimensions reversed.",
    )
    Tensor.mT = property(
        lambda self: self.transpose(-2, -1), doc="Transpose of the last two dimensions."
    )
    _ops.habits.install_properties(Tensor)
    _ops.aliases.install_inplace(Tensor)  # after every op is installed
    _ops.aliases.install_aliases(Tensor, globals())  # after every op is installed


_install()

from chainrule import data, io, nn, optim  # noqa: E402  (after the ops are installed)
from chainrule import special  # noqa: E402  (torch.special's counterpart)
from chainrule.autograd.ops import return_types  # noqa: E402  (named tuples, as torch's)
from chainrule.autograd.ops.layout import broadcast_shapes  # noqa: E402

# PyTorch's namespaces and habits on a CPU build (devices, amp, legacy types, import paths)
from chainrule import accelerator, amp, backends, cpu, cuda, onnx, utils  # noqa: E402
from chainrule.amp import autocast, is_autocast_enabled  # noqa: E402
from chainrule.autograd.grad_mode import inference_mode, is_inference_mode_enabled  # noqa: E402
from chainrule.autograd.creation_habits import *  # noqa: E402
from chainrule.autograd.legacy import *  # noqa: E402
from chainrule.autograd.ops.habits import (  # noqa: E402
    Size,
    channels_last,
    channels_last_3d,
    contiguous_format,
    preserve_format,
    strided,
)
from chainrule.backend.device import device  # noqa: E402
from chainrule.backend.dtype_info import bfloat16, finfo, iinfo  # noqa: E402
from chainrule.runtime import *  # noqa: E402
from chainrule.serialization import load, save  # noqa: E402  (torch.load/torch.save signatures)
from chainrule import serialization  # noqa: E402
from numpy import dtype  # noqa: E402  (chainrule.dtype: the class of chainrule.float32 ...)

from chainrule.nn import toplevel as _toplevel  # noqa: E402  (torch.layer_norm, torch.dropout ...)

globals().update({_n: getattr(_toplevel, _n) for _n in _toplevel.NAMES if _n not in globals()})
