"""Dropout layers: inverted dropout (scaled by ``1 / (1 - p)`` in training, identity in eval).

Masks come from chainrule's seeded generator (:func:`chainrule.manual_seed`) and have the input's
dtype, so a float32 model stays float32. ``dropout2d`` (and ``dropout1d``/``dropout3d``) zero
whole channels.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.grad_mode import state
from chainrule.autograd.ops.elementwise import Mul
from chainrule.autograd.tensor import Tensor
from chainrule.backend import default_generator
from chainrule.nn.module import Module

__all__: list[str] = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d"]
__functional__: list[str] = ["dropout", "dropout1d", "dropout2d", "dropout3d"]

_wrap = Tensor._wrap


def _check_p(op: str, p: float) -> float:
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")
    return p


def _mask(shape: tuple, p: float, dtype: np.dtype) -> np.ndarray:
    """Keep-mask scaled by ``1 / (1 - p)``, in ``dtype`` (no float64 for float32 inputs)."""
    udt = np.float64 if dtype == np.float64 else np.float32
    u = default_generator().random(shape, dtype=udt)
    if p == 1.0:
        return np.zeros(shape, dtype)
    keep = u >= p
    return np.multiply(keep, dtype.type(1.0 / (1.0 - p)), dtype=dtype)


def _apply_mask(op: str, input: Tensor, mask: np.ndarray, inplace: bool) -> Tensor:
    if inplace and not (state.grad_enabled and input.requires_grad):
        input._data *= mask
        input._bump()
        return input
    return Mul.apply(input, _wrap(mask))


def _check_input(op: str, input: Tensor) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor input, got {type(input).__name__}")
    if input._data.dtype.kind != "f":
        raise TypeError(
            f"{op}: expected a floating-point input, got dtype {input.dtype} (shape {input.shape})"
        )


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    Identity when ``training=False``. With ``inplace=True`` the input is overwritten when it is
    not part of a recorded graph; otherwise (chainrule never rewrites a recorded graph in place)
    the out-of-place result is returned, which gives the same values and gradients.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> x = chainrule.ones(1000)
        >>> y = F.dropout(x, p=0.5)
        >>> sorted(set(y.tolist())), F.dropout(x, 0.5, training=False) is x
        ([0.0, 2.0], True)
    """
    p = _check_p("dropout", p)
    _check_input("dropout", input)
    if not training or p == 0.0:
        return input
    return _apply_mask("dropout", input, _mask(input.shape, p, input._data.dtype), inplace)


def _feature_dropout(
    op: str, input: Tensor, p: float, training: bool, inplace: bool, batched_ndim: int | None
) -> Tensor:
    p = _check_p(op, p)
    _check_input(op, input)
    nd = input.ndim
    if batched_ndim is not None and nd not in (batched_ndim - 1, batched_ndim):
        raise ValueError(
            f"{op}: expected a {batched_ndim - 1}-D (unbatched) or {batched_ndim}-D (batched) "
            f"input, got shape {input.shape}"
        )
    if nd < 2 and batched_ndim is None:
        raise ValueError(f"{op}: expected an input of shape (N, C, *), got shape {input.shape}")
    if not training or p == 0.0:
        return input
    lead = 1 if batched_ndim is not None and nd == batched_ndim - 1 else 2
    mshape = input.shape[:lead] + (1,) * (nd - lead)
    return _apply_mask(op, input, _mask(mshape, p, input._data.dtype), inplace)


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of an ``(N, C, L)`` or ``(C, L)`` input with probability ``p``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> y = F.dropout1d(chainrule.ones(2, 8, 5))
        >>> bool(((y == 0).all(dim=2) | (y == 2).all(dim=2)).all())
        True
    """
    return _feature_dropout("dropout1d", input, p, training, inplace, 3)


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels (feature maps) of an ``(N, C, H, W)`` input with probability ``p``
    and scale the others by ``1 / (1 - p)``.

    As in PyTorch, a 3-D input is read as ``(N, C, L)`` (channel-wise 1-D dropout); PyTorch's
    deprecation warning for that case is not reproduced.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> y = F.dropout2d(chainrule.ones(2, 8, 3, 3))
        >>> bool(((y == 0).all(dim=(2, 3)) | (y == 2).all(dim=(2, 3))).all())
        True
    """
    return _feature_dropout("dropout2d", input, p, training, inplace, None)


def dropout3d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of an ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.dropout3d(chainrule.ones(1, 2, 2, 2, 2), training=False).shape
        (1, 2, 2, 2, 2)
    """
    return _feature_dropout("dropout3d", input, p, training, inplace, 5)


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p = _check_p(type(self).__name__, p)
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Inverted dropout: in training, zero each element with probability ``p`` and scale the
    others by ``1 / (1 - p)``; identity in eval mode.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> d = nn.Dropout(0.25)
        >>> x = chainrule.ones(4, 100)
        >>> sorted(set(d(x).tolist()[0])), d.eval()(x) is x
        ([0.0, 1.3333333730697632], True)
    """

    def forward(self, input: Tensor) -> Tensor:
        return dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Channel dropout for ``(N, C, L)`` or ``(C, L)`` inputs (whole channels are zeroed).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Dropout1d(0.5)(chainrule.ones(2, 3, 4)).shape
        (2, 3, 4)
    """

    def forward(self, input: Tensor) -> Tensor:
        return dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Channel dropout for ``(N, C, H, W)`` inputs: each feature map is zeroed with
    probability ``p`` (the others scaled by ``1 / (1 - p)``); identity in eval mode.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> y = nn.Dropout2d(0.5)(chainrule.ones(4, 6, 2, 2))
        >>> bool(((y == 0).all(dim=(2, 3)) | (y == 2).all(dim=(2, 3))).all())
        True
    """

    def forward(self, input: Tensor) -> Tensor:
        return dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Channel dropout for ``(N, C, D, H, W)`` or ``(C, D, H, W)`` inputs.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.Dropout3d(0.5)(chainrule.ones(1, 2, 2, 2, 2)).shape
        (1, 2, 2, 2, 2)
    """

    def forward(self, input: Tensor) -> Tensor:
        return dropout3d(input, self.p, self.training, self.inplace)


# -- nnmisc: alpha dropout (keeps SELU's zero mean / unit variance) -----------------------------
__all__ += ["AlphaDropout", "FeatureAlphaDropout"]
__functional__ += ["alpha_dropout", "feature_alpha_dropout"]

_SELU_ALPHA_PRIME = 1.7580993408473766  # -scale * alpha of SELU: the value SELU saturates at


def _alpha_dropout(op: str, input: Tensor, p: float, training: bool, feature: bool) -> Tensor:
    p = _check_p(op, p)
    _check_input(op, input)
    if not training or p == 0.0:
        return input
    if feature and input.ndim < 2:
        raise ValueError(f"{op}: expected an input of shape (N, C, *), got shape {input.shape}")
    dt = input._data.dtype
    if p == 1.0:
        return input * _wrap(np.zeros((), dt))
    shape = input.shape[:2] + (1,) * (input.ndim - 2) if feature else input.shape
    udt = np.float64 if dt == np.float64 else np.float32
    keep = default_generator().random(shape, dtype=udt) >= p
    al = _SELU_ALPHA_PRIME
    a = 1.0 / np.sqrt((al * al * p + 1) * (1 - p))
    scale = np.multiply(keep, dt.type(a), dtype=dt)
    shift = np.where(keep, dt.type(al * a * p), dt.type(al * a * p - al * a)).astype(dt)
    return input * _wrap(scale) + _wrap(shift)


def alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Dropout for SELU networks: dropped elements are set to SELU's negative saturation value,
    then an affine map restores zero mean and unit variance. ``inplace`` is computed out of place.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> x = chainrule.zeros(4)
        >>> F.alpha_dropout(x, 0.5) is x  # training=False by default, as in PyTorch
        True
    """
    return _alpha_dropout("alpha_dropout", input, p, training, False)


def feature_alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Alpha dropout of whole channels of an ``(N, C, *)`` input.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.feature_alpha_dropout(chainrule.zeros(2, 3, 4), 0.5, training=True).shape
        (2, 3, 4)
    """
    return _alpha_dropout("feature_alpha_dropout", input, p, training, True)


class AlphaDropout(_DropoutNd):
    """Module form of :func:`alpha_dropout` (active in training mode).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.AlphaDropout(0.2)
        AlphaDropout(p=0.2, inplace=False)
    """

    def forward(self, input: Tensor) -> Tensor:
        return alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Module form of :func:`feature_alpha_dropout` (active in training mode).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.FeatureAlphaDropout()(chainrule.zeros(2, 3, 4)).shape
        (2, 3, 4)
    """

    def forward(self, input: Tensor) -> Tensor:
        return feature_alpha_dropout(input, self.p, self.training)
