"""Weight initialization (``chainrule.nn.init``), with PyTorch's names, formulas and defaults.

Why initialization matters: in a deep network each layer multiplies the signal by its weights.
If the weights are too large the variance of the activations (forward) and of the gradients
(backward) grows geometrically with depth and training explodes; too small and it shrinks
geometrically, and the gradients vanish. The schemes below choose the weight variance so that it
stays roughly constant from layer to layer:

* **Xavier/Glorot** (``xavier_uniform_``, ``xavier_normal_``): ``Var(W) = 2 / (fan_in + fan_out)``
  (times ``gain**2``), a compromise between keeping the forward variance (``1/fan_in``) and the
  backward variance (``1/fan_out``) constant. Derived for activations that are linear around 0:
  tanh, sigmoid-like, or no activation.
* **He/Kaiming** (``kaiming_uniform_``, ``kaiming_normal_``): ``Var(W) = gain**2 / fan``. ReLU
  zeroes half of its inputs, halving the variance; ``gain = sqrt(2)`` compensates, so use it for
  ReLU-family layers. ``mode="fan_in"`` preserves the forward variance, ``"fan_out"`` the
  backward one.
* **Orthogonal** (``orthogonal_``): an orthogonal matrix preserves the norm of every vector, so
  repeated application (e.g. recurrent weights) neither explodes nor vanishes.

Every function fills the tensor in place under ``no_grad``, in the tensor's dtype, using chainrule's
seeded generator (``chainrule.manual_seed``), and returns the tensor.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.backend import default_generator

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "constant_",
    "zeros_",
    "ones_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
    "trunc_normal_",
]
__functional__: list[str] = []

_LINEAR_FNS = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


def _gen(generator: Any) -> np.random.Generator:
    return generator if generator is not None else default_generator()


def _fill(tensor: Tensor, values: Any) -> Tensor:
    with no_grad():
        tensor._data[...] = np.asarray(values).astype(tensor._data.dtype, copy=False)
        tensor._version[0] += 1
    return tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for an activation: the factor by which to scale the weight standard
    deviation so that the layer's output variance matches its input variance.

    ============  ===========================================
    linear/conv   1
    sigmoid       1
    tanh          5/3
    relu          sqrt(2)  (ReLU halves the variance)
    leaky_relu    sqrt(2 / (1 + negative_slope**2))
    selu          3/4  (self-normalizing; as in PyTorch)
    ============  ===========================================

    Example:
        >>> from chainrule.nn import init
        >>> round(init.calculate_gain("relu"), 4), init.calculate_gain("tanh")
        (1.4142, 1.6666666666666667)
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight: for ``(out, in, *kernel)`` it is
    ``(in * prod(kernel), out * prod(kernel))``.

    Example:
        >>> import chainrule
        >>> from chainrule.nn import init
        >>> init._calculate_fan_in_and_fan_out(chainrule.empty(16, 3, 5, 5))
        (75, 400)
    """
    if tensor.ndim < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            f"(got shape {tensor.shape})"
        )
    receptive = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _uniform(tensor: Tensor, a: float, b: float, generator: Any) -> Tensor:
    g = _gen(generator)
    dt = tensor._data.dtype
    if dt.kind == "f" and dt.itemsize >= 4:
        r = g.random(tensor.shape, dtype=dt)
    else:
        r = g.random(tensor.shape)
    return _fill(tensor, a + (b - a) * r)


def _normal(tensor: Tensor, mean: float, std: float, generator: Any) -> Tensor:
    g = _gen(generator)
    dt = tensor._data.dtype
    if dt.kind == "f" and dt.itemsize >= 4:
        r = g.standard_normal(tensor.shape, dtype=dt)
    else:
        r = g.standard_normal(tensor.shape)
    return _fill(tensor, r * std + mean)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with samples from the uniform distribution U(a, b).

    Example:
        >>> import chainrule
        >>> from chainrule.nn import init
        >>> w = init.uniform_(chainrule.empty(100), -0.1, 0.1)
        >>> bool((w.abs() <= 0.1).all())
        True
    """
    return _uniform(tensor, a, b, generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with samples from the normal distribution N(mean, std**2).

    Example:
        >>> import chainrule
        >>> from chainrule.nn import init
        >>> _ = chainrule.manual_seed(0)
        >>> round(init.normal_(chainrule.empty(10000), 0.0, 0.1).std().item(), 2)
        0.1
    """
    return _normal(tensor, mean, std, generator)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the constant ``val``.

    Example:
        >>> import chainrule
        >>> from chainrule.nn import init
        >>> init.constant_(chainrule.empty(2), 0.5).tolist()
        [0.5, 0.5]
    """
    return _fill(tensor, val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones.

    Example:
        >>> import chainrule
        >>> from chainrule.nn import init
        >>> init.ones_(chainrule.empty(2)).tolist()
        [1.0, 1.0]
    """
    return _fill(tensor, 1)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros (the usual bias init when a layer is followed by normalization).

    Example:
        >>> import chainrule
        >>> from chainrule.nn import init
        >>> init.zeros_(chainrule.ones(2)).tolist()
        [0.0, 0.0]
    """
    return _fill(tensor, 0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (the layer starts as an identity map).

    Example:
        >>> import chainrule
        >>> from chainrule.nn import init
        >>> init.eye_(chainrule.empty(2, 3)).tolist()
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    if tensor.ndim != 2:
        raise ValueError(f"Only tensors with 2 dimensions are supported, got shape {tensor.shape}")
    return _fill(tensor, np.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-D convolution weight with the Dirac delta: the convolution then passes
    its input channels through unchanged (an identity-initialized conv).

    Example:
        >>> import chainrule
        >>> from chainrule.nn import init
        >>> w = init.dirac_(chainrule.empty(2, 2, 3))
        >>> w[:, :, 1].tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    dims = tensor.ndim
    if dims not in (3, 4, 5):
        raise ValueError(f"Only tensors with 3, 4, or 5 dimensions are supported, got {dims}")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = sizes[0] // groups
    min_dim = min(out_per_group, sizes[1])
    w = np.zeros(sizes)
    centre = tuple(s // 2 for s in sizes[2:])
    for g in range(groups):
        for d in range(min_dim):
            w[(g * out_per_group + d, d, *centre)] = 1
    return _fill(tensor, w)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Xavier/Glorot uniform: U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    Keeps the variance of activations and of gradients roughly constant across layers whose
    activation is close to linear around zero (tanh, sigmoid-like, none); pick ``gain`` with
    :func:`calculate_gain`.

    Example:
        >>> import math, chainrule
        >>> from chainrule.nn import init
        >>> w = init.xavier_uniform_(chainrule.empty(30, 20))
        >>> bool(w.abs().max().item() <= math.sqrt(6 / 50))
        True
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return _uniform(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Xavier/Glorot normal: N(0, std**2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``
    (for tanh/sigmoid-like layers; see :func:`xavier_uniform_`).

    Example:
        >>> import chainrule
        >>> from chainrule.nn import init
        >>> _ = chainrule.manual_seed(0)
        >>> round(init.xavier_normal_(chainrule.empty(200, 200)).std().item(), 2)
        0.07
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return _normal(tensor, 0.0, std, generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float | None:
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    return gain / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    """He/Kaiming uniform: U(-b, b) with ``b = gain * sqrt(3 / fan)``, ``gain`` from
    ``calculate_gain(nonlinearity, a)``.

    For ReLU-family layers: ReLU zeroes half of its inputs and so halves the activation
    variance; the ``sqrt(2)`` gain compensates, keeping the variance constant with depth
    (``mode="fan_in"``: forward activations; ``"fan_out"``: backward gradients). ``a`` is the
    negative slope of a leaky ReLU. (PyTorch's ``nn.Linear`` default is this with
    ``a=sqrt(5)``, i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)).)

    Example:
        >>> import math, chainrule
        >>> from chainrule.nn import init
        >>> w = init.kaiming_uniform_(chainrule.empty(64, 50), nonlinearity="relu")
        >>> bool(w.abs().max().item() <= math.sqrt(6 / 50))
        True
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return _uniform(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    """He/Kaiming normal: N(0, std**2) with ``std = gain / sqrt(fan)`` (for ReLU-family
    layers; see :func:`kaiming_uniform_`).

    Example:
        >>> import chainrule
        >>> from chainrule.nn import init
        >>> _ = chainrule.manual_seed(0)
        >>> w = init.kaiming_normal_(chainrule.empty(256, 200), nonlinearity="relu")
        >>> round(w.std().item(), 2)  # sqrt(2 / 200)
        0.1
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return _normal(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix, scaled by ``gain`` (Saxe et al. 2013).

    The tensor is viewed as ``(shape[0], numel // shape[0])``. An orthogonal matrix preserves
    vector norms, so repeated products (deep linear stacks, recurrent weights) neither explode
    nor vanish.

    Example:
        >>> import numpy as np, chainrule
        >>> from chainrule.nn import init
        >>> w = init.orthogonal_(chainrule.empty(3, 5)).numpy()
        >>> bool(np.allclose(w @ w.T, np.eye(3), atol=1e-5))
        True
    """
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = _gen(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))  # make the decomposition unique (uniform over orthogonal mats)
    if rows < cols:
        q = q.T
    return _fill(tensor, (q * gain).reshape(tensor.shape))


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Any = None,
) -> Tensor:
    """Fill with samples from N(mean, std**2) truncated to ``[a, b]`` (absolute bounds, as in
    PyTorch). Used by transformer models: like a normal init without rare huge weights.

    Difference from PyTorch: sampled by rejection (redraw the values outside ``[a, b]``) rather
    than by the inverse CDF; the distribution is the same, the random stream is not.

    Example:
        >>> import chainrule
        >>> from chainrule.nn import init
        >>> w = init.trunc_normal_(chainrule.empty(1000), std=0.02, a=-0.04, b=0.04)
        >>> bool((w.abs() <= 0.04).all())
        True
    """
    g = _gen(generator)
    n = tensor.numel()
    out = g.standard_normal(n) * std + mean
    bad = (out < a) | (out > b)
    for _ in range(1000):
        k = int(bad.sum())
        if k == 0:
            break
        out[bad] = g.standard_normal(k) * std + mean
        bad = (out < a) | (out > b)
    else:  # pragma: no cover - only for bounds far in the tails
        out[bad] = g.uniform(a, b, int(bad.sum()))
    return _fill(tensor, out.reshape(tensor.shape))


# PyTorch's deprecated non-underscore aliases are intentionally not provided.
