"""Loss functions (``chainrule.nn.functional.*``) and their module forms (``nn.MSELoss`` ...).

Names, signatures, defaults and reduction semantics follow PyTorch, including the weighted
mean of cross-entropy / NLL (divided by the sum of the weights of the non-ignored targets) and
the legacy ``size_average`` / ``reduce`` arguments. The numerically delicate parts live in
fused primitives (``chainrule.autograd.ops.loss``): cross-entropy goes through log-softmax
(never the log of a softmax), BCE-with-logits uses ``max(x, 0) - x y + log1p(exp(-|x|))``,
BCE clamps its logs to >= -100.

Deliberate differences from PyTorch (each prevents a silently wrong answer):

* Elementwise losses (``mse_loss``, ``l1_loss``, ``smooth_l1_loss``, ``huber_loss``,
  ``kl_div``, ``binary_cross_entropy[_with_logits]``) and ``margin_ranking_loss`` require
  ``input`` and ``target`` of the same shape and raise ``ValueError`` otherwise. PyTorch
  broadcasts (with only a warning for some of them): ``(N, 1)`` against ``(N,)`` silently
  becomes an ``(N, N)`` loss.
* Class-index targets are checked: integer dtype (``TypeError``), values in ``[0, C)`` unless
  equal to ``ignore_index`` (``ValueError`` naming the value and C), shape ``(N, d1, ...)``
  matching the input (``ValueError``).
* ``cosine_embedding_loss`` requires targets of 1 or -1 (PyTorch gives 0 loss for others).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from chainrule.autograd.ops.elementwise import where
from chainrule.autograd.ops.loss import (
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    SoftmaxCrossEntropy,
    SquaredError,
)
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module

__all__: list[str] = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CosineEmbeddingLoss",
    "CrossEntropyLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "MSELoss",
    "MarginRankingLoss",
    "NLLLoss",
    "SmoothL1Loss",
]
__functional__: list[str] = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cosine_embedding_loss",
    "cross_entropy",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "margin_ranking_loss",
    "mse_loss",
    "nll_loss",
    "smooth_l1_loss",
]

_wrap = Tensor._wrap
_REDUCTIONS = ("mean", "sum", "none")


# ----------------------------------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------------------------------
def _reduction(name: str, size_average: Any, reduce: Any, reduction: str, extra: tuple = ()) -> str:
    """The effective reduction, honouring PyTorch's deprecated ``size_average``/``reduce``."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if (reduce and size_average) else ("sum" if reduce else "none")
    if reduction not in _REDUCTIONS + extra:
        raise ValueError(
            f"{name}: reduction must be one of {_REDUCTIONS + extra}, got {reduction!r}"
        )
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _weighted_reduce(
    name: str, loss: Tensor, weight: Any, input: Tensor, reduction: str, by_weight: bool
) -> Tensor:
    """Reduce ``loss``, optionally scaled elementwise by ``weight`` (a Tensor gets gradients,
    as in PyTorch); ``by_weight``: 'mean' divides by ``weight.sum()``."""
    if weight is None:
        return _reduce(loss, reduction)
    w = weight if isinstance(weight, Tensor) else _wrap(_const(name, "weight", weight, input))
    if w.shape != input.shape:
        raise ValueError(f"{name}: weight shape {w.shape} must equal the input shape {input.shape}")
    loss = loss * w
    if reduction == "mean" and by_weight:
        return loss.sum() / w.sum()
    return _reduce(loss, reduction)


def _check_tensor(name: str, what: str, t: Any) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{name}: {what} must be a Tensor, got {type(t).__name__}")
    return t


def _check_pair(name: str, input: Any, target: Any) -> tuple[Tensor, Tensor]:
    """Same-shape float input/target (see the module docstring for why no broadcasting)."""
    _check_tensor(name, "input", input)
    _check_tensor(name, "target", target)
    if input.shape != target.shape:
        raise ValueError(
            f"{name}: input shape {input.shape} and target shape {target.shape} differ. "
            "chainrule does not broadcast them (PyTorch does, which silently computes a wrong "
            "loss, e.g. (N, 1) against (N,) gives an (N, N) loss); reshape one, e.g. "
            "`input.squeeze(-1)` or `target.view_as(input)`."
        )
    if input.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a floating-point tensor, got {input.dtype}")
    if target.dtype != input.dtype:
        raise TypeError(
            f"{name}: target dtype {target.dtype} differs from input dtype {input.dtype}; "
            f"convert it, e.g. `target.to(input.dtype)`"
        )
    return input, target


def _const(name: str, what: str, value: Any, input: Tensor) -> np.ndarray:
    """A constant (no-gradient) float argument such as a class weight, in the input dtype."""
    arr = value._data if isinstance(value, Tensor) else np.asarray(value)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{name}: {what} must be numeric, got dtype {arr.dtype}")
    return arr.astype(input.dtype, copy=False)


def _class_weight(name: str, weight: Any, input: Tensor, c: int) -> np.ndarray | None:
    if weight is None:
        return None
    w = _const(name, "weight", weight, input)
    if w.shape != (c,):
        raise ValueError(
            f"{name}: weight must have shape ({c},) (one entry per class), got {w.shape} "
            f"for input of shape {input.shape}"
        )
    return w


def _class_target(name: str, input: Tensor, target: Any, ignore_index: int) -> np.ndarray:
    """Validate class-index targets for ``input`` (C,), (N, C) or (N, C, d1, ...)."""
    _check_tensor(name, "target", target)
    t = target._data
    nd = input.ndim
    if nd == 0:
        raise ValueError(f"{name}: input must have at least 1 dimension (C,), got a 0-d tensor")
    expected = () if nd == 1 else (input.shape[0],) + input.shape[2:]
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: class-index target must be an integer tensor (e.g. int64), got dtype "
            f"{t.dtype} with shape {t.shape}. For class probabilities pass a float target of "
            f"the input's shape {input.shape}."
        )
    if t.shape != expected:
        raise ValueError(
            f"{name}: target shape {t.shape} does not match input shape {input.shape}: "
            f"class-index targets must have shape {expected} "
            + ("(batch size first, then the extra dims)" if nd > 1 else "(a 0-d tensor)")
        )
    c = input.shape[0 if nd == 1 else 1]
    if t.size and (t.min() < 0 or t.max() >= c):  # fast path: all in range
        valid = t[t != ignore_index]
        if valid.size:
            lo, hi = valid.min(), valid.max()
            if lo < 0 or hi >= c:
                bad = int(lo if lo < 0 else hi)
                raise ValueError(
                    f"{name}: target value {bad} is out of range for {c} classes "
                    f"(expected 0 <= target < {c}, or ignore_index={ignore_index})"
                )
    return t


# ----------------------------------------------------------------------------------------------
# regression losses
# ----------------------------------------------------------------------------------------------
def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean squared error ``(input - target)^2``, reduced.

    ``weight`` (the input's shape) scales each element; with it 'mean' divides by the sum of
    the weights (as PyTorch). Unlike PyTorch, input and target shapes must match exactly
    (see the module docstring).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.mse_loss(chainrule.tensor([1.0, 2.0]), chainrule.tensor([0.0, 0.0])).item()
        2.5
    """
    reduction = _reduction("mse_loss", size_average, reduce, reduction)
    input, target = _check_pair("mse_loss", input, target)
    if weight is None and reduction != "none":
        return SquaredError.apply(input, target, mean=reduction == "mean")  # fused, one node
    d = input - target
    return _weighted_reduce("mse_loss", d * d, weight, input, reduction, by_weight=True)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean absolute error ``|input - target|``, reduced (gradient 0 where they are equal).

    ``weight`` (the input's shape) scales each element; with it 'mean' divides by the sum of
    the weights (as PyTorch). Unlike PyTorch, input and target shapes must match exactly.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.l1_loss(chainrule.tensor([1.0, -3.0]), chainrule.zeros(2)).item()
        2.0
    """
    reduction = _reduction("l1_loss", size_average, reduce, reduction)
    input, target = _check_pair("l1_loss", input, target)
    return _weighted_reduce("l1_loss", (input - target).abs(), weight, input, reduction, True)


def _smooth(d: Tensor, beta: float, scale: float) -> Tensor:
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``, times ``scale``."""
    a = d.abs()
    quad = _wrap(a._data < beta)
    return where(quad, d * d * (0.5 * scale / beta), (a - 0.5 * beta) * scale)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Smooth L1: quadratic ``0.5 d^2 / beta`` for ``|d| < beta``, linear ``|d| - 0.5 beta``
    beyond (``beta=0`` is the L1 loss).

    Unlike PyTorch, input and target shapes must match exactly (see the module docstring).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.smooth_l1_loss(chainrule.tensor([0.5, 3.0]), chainrule.zeros(2),
        ...                  reduction="none").tolist()
        [0.125, 2.5]
    """
    reduction = _reduction("smooth_l1_loss", size_average, reduce, reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    input, target = _check_pair("smooth_l1_loss", input, target)
    d = input - target
    if beta == 0:
        return _reduce(d.abs(), reduction)
    return _reduce(_smooth(d, beta, 1.0), reduction)


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """Huber loss: ``0.5 d^2`` for ``|d| < delta``, ``delta (|d| - 0.5 delta)`` beyond.

    ``weight`` (optional, the input's shape) multiplies the elementwise loss; 'mean' then is
    the plain mean (as PyTorch, unlike mse/l1 which divide by the sum of the weights). Unlike
    PyTorch, input and target shapes must match exactly.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.huber_loss(chainrule.tensor([0.5, 3.0]), chainrule.zeros(2), delta=2.0,
        ...              reduction="none").tolist()
        [0.125, 4.0]
    """
    reduction = _reduction("huber_loss", None, None, reduction)
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be > 0, got {delta}")
    input, target = _check_pair("huber_loss", input, target)
    loss = _smooth(input - target, delta, delta)
    return _weighted_reduce("huber_loss", loss, weight, input, reduction, by_weight=False)


# ----------------------------------------------------------------------------------------------
# classification losses
# ----------------------------------------------------------------------------------------------
def _mean_by_weight(total: Tensor, denom: float) -> Tensor:
    """``total / denom``; when every target is ignored (denom 0) the value is NaN, like
    PyTorch, and the gradient is 0 (not NaN)."""
    if denom == 0:
        return total + _wrap(np.asarray(np.nan, total.dtype))
    return total * (1.0 / denom)


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (C,), (N, C) or (N, C, d1, ...)
    at the integer class indices ``target`` (), (N,) or (N, d1, ...).

    With ``weight`` (C,), each target's loss is scaled by its class weight and 'mean' divides
    by the sum of the weights of the non-ignored targets. Targets equal to ``ignore_index``
    contribute nothing (loss and gradient 0).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> logp = chainrule.tensor([[-0.5, -1.0], [-2.0, -0.1]])
        >>> round(F.nll_loss(logp, chainrule.tensor([0, 1])).item(), 4)
        0.3
    """
    reduction = _reduction("nll_loss", size_average, reduce, reduction)
    _check_tensor("nll_loss", "input", input)
    t = _class_target("nll_loss", input, target, ignore_index)
    unbatched = input.ndim == 1
    if unbatched:
        input, t = input.reshape(1, -1), t.reshape(1)
    c = input.shape[1]
    w = _class_weight("nll_loss", weight, input, c)
    mask = t != ignore_index
    safe = np.where(mask, t, 0)
    wt = mask.astype(input.dtype) if w is None else w[safe] * mask
    picked = input.gather(1, np.expand_dims(safe, 1)).squeeze(1)
    loss = -picked * _wrap(wt)
    if reduction == "none":
        return loss.reshape(()) if unbatched else loss
    if reduction == "sum":
        return loss.sum()
    return _mean_by_weight(loss.sum(), float(np.sum(wt)))


def _cross_entropy_composite(
    input: Tensor,
    t: np.ndarray,
    w: np.ndarray | None,
    ignore_index: int,
    reduction: str,
    label_smoothing: float,
) -> Tensor:
    """Class-index cross-entropy as ``log_softmax`` + ``nll_loss`` (+ label smoothing), for
    any number of dimensions; the reference the fused primitive is tested against."""
    logp = input.log_softmax(dim=1)
    nll = nll_loss(logp, _wrap(t), w, ignore_index=ignore_index, reduction=reduction)
    if not label_smoothing:
        return nll
    c = input.shape[1]
    ignored = _wrap(t == ignore_index)
    if w is None:
        smooth = -logp.sum(dim=1)
    else:
        smooth = -(logp * _wrap(w.reshape((c,) + (1,) * (input.ndim - 2)))).sum(dim=1)
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "mean":
        mask = t != ignore_index
        denom = float(mask.sum()) if w is None else float(np.sum(w[t[mask]]))
        smooth = _mean_by_weight(smooth.sum(), denom)
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / c)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between logits ``input`` and ``target``, computed through log-softmax.

    ``input`` is (C,), (N, C) or (N, C, d1, ...) logits. ``target`` is either integer class
    indices of shape (), (N,) or (N, d1, ...), or class probabilities (a float tensor of the
    input's shape). ``weight`` (C,) rescales classes; for index targets 'mean' divides by the
    sum of the weights of the non-ignored targets, for probability targets by the number of
    samples (as PyTorch). ``label_smoothing`` mixes the target with the uniform distribution.

    (N, C) index targets use a fused primitive (log-softmax and the pick in one pass; backward
    ``(softmax - onehot) / N``); other cases are composed from ``log_softmax``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> logits = chainrule.tensor([[1000.0, 0.0], [0.0, 0.0]])
        >>> round(F.cross_entropy(logits, chainrule.tensor([1, 0])).item(), 4)
        500.3466
    """
    name = "cross_entropy"
    reduction = _reduction(name, size_average, reduce, reduction)
    _check_tensor(name, "input", input)
    _check_tensor(name, "target", target)
    if input.dtype.kind != "f":
        raise TypeError(f"{name}: input must be floating-point logits, got {input.dtype}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{name}: label_smoothing must be in [0, 1], got {label_smoothing}")
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have at least 1 dimension (C,), got a 0-d tensor")
    cdim = 0 if input.ndim == 1 else 1
    c = input.shape[cdim]
    w = _class_weight(name, weight, input, c)
    index_shape = () if input.ndim == 1 else (input.shape[0],) + input.shape[2:]
    if target.dtype.kind == "f" and target.shape != index_shape:
        if target.shape != input.shape:
            raise ValueError(
                f"{name}: a float target holds class probabilities and must have the input's "
                f"shape {input.shape}, got {target.shape} (for class indices pass an integer "
                f"tensor of shape {index_shape})"
            )
        if target.dtype != input.dtype:
            raise TypeError(
                f"{name}: probability target dtype {target.dtype} differs from input dtype "
                f"{input.dtype}; convert it, e.g. `target.to(input.dtype)`"
            )
        if label_smoothing:
            target = target * (1 - label_smoothing) + label_smoothing / c
        logp = input.log_softmax(dim=cdim)
        if w is not None:
            logp = logp * _wrap(w.reshape((c,) + (1,) * (input.ndim - cdim - 1)))
        loss = -(logp * target).sum(dim=cdim)
        return _reduce(loss, reduction)
    t = _class_target(name, input, target, ignore_index)
    if input.ndim == 1:
        out = SoftmaxCrossEntropy.apply(
            input.reshape(1, c),
            target=t.reshape(1),
            weight=w,
            ignore_index=ignore_index,
            reduction=reduction,
            label_smoothing=label_smoothing,
        )
        return out.reshape(()) if reduction == "none" else out
    if input.ndim == 2:
        return SoftmaxCrossEntropy.apply(
            input,
            target=t,
            weight=w,
            ignore_index=ignore_index,
            reduction=reduction,
            label_smoothing=label_smoothing,
        )
    return _cross_entropy_composite(input, t, w, ignore_index, reduction, label_smoothing)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of probabilities ``input`` in [0, 1] against ``target`` in [0, 1].

    Each log is clamped to >= -100 (as PyTorch), so ``input`` of exactly 0 or 1 gives a finite
    loss and gradient. ``weight`` (broadcastable to the input) rescales each element. Prefer
    :func:`binary_cross_entropy_with_logits` on logits: it is exact where ``sigmoid`` rounds.
    Input and target shapes must match exactly (PyTorch also requires this).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> round(F.binary_cross_entropy(chainrule.tensor([0.5]), chainrule.ones(1)).item(), 4)
        0.6931
    """
    name = "binary_cross_entropy"
    reduction = _reduction(name, size_average, reduce, reduction)
    input, target = _check_pair(name, input, target)
    x = input._data
    if x.size and not (np.all(x >= 0) and np.all(x <= 1)):
        raise ValueError(
            f"{name}: all elements of input should be between 0 and 1 (got range "
            f"[{np.nanmin(x)}, {np.nanmax(x)}]); for logits use binary_cross_entropy_with_logits"
        )
    y = target._data
    if y.size and not (np.all(y >= 0) and np.all(y <= 1)):
        raise ValueError(f"{name}: all elements of target should be between 0 and 1")
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * _wrap(_broadcast_const(name, "weight", weight, input))
    return _reduce(loss, reduction)


def _broadcast_const(name: str, what: str, value: Any, input: Tensor) -> np.ndarray:
    arr = _const(name, what, value, input)
    try:
        shape = np.broadcast_shapes(arr.shape, input.shape)
    except ValueError:
        shape = None
    if shape != input.shape:
        raise ValueError(
            f"{name}: {what} of shape {arr.shape} does not broadcast to the input shape "
            f"{input.shape}"
        )
    return arr


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross-entropy of ``sigmoid(input)``, computed from the logits in the stable form
    ``max(x, 0) - x y + log1p(exp(-|x|))`` (finite for any logit).

    ``weight`` (broadcastable to the input) rescales each element; ``pos_weight`` (broadcast
    along the last dimension, e.g. shape (C,)) rescales the positive term ``y log sigmoid(x)``.
    Input and target shapes must match exactly (PyTorch also requires this).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.binary_cross_entropy_with_logits(chainrule.tensor([-1000.0, 1000.0]),
        ...                                    chainrule.tensor([0.0, 1.0])).item()
        0.0
    """
    name = "binary_cross_entropy_with_logits"
    reduction = _reduction(name, size_average, reduce, reduction)
    input, target = _check_pair(name, input, target)
    pw = None if pos_weight is None else _broadcast_const(name, "pos_weight", pos_weight, input)
    loss = BinaryCrossEntropyWithLogits.apply(input, target, pos_weight=pw)
    if weight is not None:
        loss = loss * _wrap(_broadcast_const(name, "weight", weight, input))
    return _reduce(loss, reduction)


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """Kullback-Leibler divergence ``target * (log target - input)`` with ``input`` given as
    log-probabilities (and ``target`` as probabilities, or log-probabilities when
    ``log_target=True``). Entries with target 0 contribute 0.

    ``reduction='batchmean'`` (sum / batch size) gives the true KL divergence; 'mean' (the
    default, kept for PyTorch compatibility) averages over *all* elements and warns, as
    PyTorch does. Unlike PyTorch, input and target shapes must match exactly.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> logq = chainrule.tensor([[0.5, 0.5]]).log()
        >>> round(F.kl_div(logq, chainrule.tensor([[0.9, 0.1]]), reduction="batchmean").item(), 4)
        0.3681
    """
    name = "kl_div"
    reduction = _reduction(name, size_average, reduce, reduction, extra=("batchmean",))
    input, target = _check_pair(name, input, target)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        if target.requires_grad:
            tpos = _wrap(target._data > 0)
            safe = where(tpos, target, 1.0)  # log(1) = 0 where target is 0: no NaN gradients
            tlogt = target * safe.log()
        else:
            ta = target._data
            with np.errstate(divide="ignore", invalid="ignore"):
                tlogt = _wrap(np.where(ta > 0, ta * np.log(np.where(ta > 0, ta, 1)), 0))
            tlogt = _wrap(tlogt._data.astype(ta.dtype, copy=False))
        loss = tlogt - target * input
    if reduction == "batchmean":
        return loss.sum() * (1.0 / input.shape[0]) if input.ndim else loss.sum()
    if reduction == "mean":
        warnings.warn(
            "kl_div: reduction='mean' divides the total loss by both the batch size and the "
            "support size; 'batchmean' divides only by the batch size and is the KL divergence. "
            "'mean' is kept for PyTorch compatibility.",
            UserWarning,
            stacklevel=2,
        )
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------------------------
# embedding / ranking losses
# ----------------------------------------------------------------------------------------------
def _check_sign_target(name: str, target: Any, expected: tuple, what: str) -> Tensor:
    _check_tensor(name, "target", target)
    if target.shape != expected:
        raise ValueError(
            f"{name}: target shape {target.shape} does not match {what}: expected {expected}"
        )
    return target


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``1 - cos(x1, x2)`` where ``target`` is 1, ``max(0, cos(x1, x2) - margin)`` where -1.

    ``input1``/``input2`` are (N, D) (or (D,) with a 0-d target); the cosine is computed as
    PyTorch does, ``x1.x2 / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12))``. Unlike PyTorch, a
    target other than 1 or -1 raises ``ValueError`` (PyTorch silently gives it 0 loss).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> a = chainrule.tensor([[1.0, 0.0], [1.0, 0.0]])
        >>> b = chainrule.tensor([[0.0, 1.0], [1.0, 0.0]])
        >>> F.cosine_embedding_loss(a, b, chainrule.tensor([1, -1]), reduction="none").tolist()
        [1.0, 1.0]
    """
    name = "cosine_embedding_loss"
    reduction = _reduction(name, size_average, reduce, reduction)
    _check_tensor(name, "input1", input1)
    _check_tensor(name, "input2", input2)
    if input1.shape != input2.shape or input1.ndim not in (1, 2):
        raise ValueError(
            f"{name}: input1 and input2 must have the same shape (N, D) or (D,), got "
            f"{input1.shape} and {input2.shape}"
        )
    target = _check_sign_target(
        name, target, input1.shape[:-1], f"input shape {input1.shape} (one target per pair)"
    )
    y = target._data
    if y.size and not np.all((y == 1) | (y == -1)):
        raise ValueError(f"{name}: target values must be 1 or -1, got {np.unique(y).tolist()}")
    d = input1.ndim - 1
    eps = 1e-12
    prod = (input1 * input2).sum(dim=d)
    mag1 = (input1 * input1).sum(dim=d) + eps
    mag2 = (input2 * input2).sum(dim=d) + eps
    cos = prod / (mag1 * mag2).sqrt()
    pos = _wrap(y == 1)
    zero = _wrap(np.zeros((), cos.dtype))
    loss = where(pos, 1 - cos, zero) + where(pos, zero, (cos - margin).clamp(min=0))
    return _reduce(loss, reduction)


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``: ``target`` 1 means input1 should rank
    higher, -1 lower.

    Unlike PyTorch (which only checks the number of dimensions and then broadcasts), the three
    tensors must have the same shape.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.margin_ranking_loss(chainrule.tensor([2.0, 0.0]), chainrule.tensor([1.0, 1.0]),
        ...                       chainrule.tensor([1.0, 1.0]), margin=0.5,
        ...                       reduction="none").tolist()
        [0.0, 1.5]
    """
    name = "margin_ranking_loss"
    reduction = _reduction(name, size_average, reduce, reduction)
    _check_tensor(name, "input1", input1)
    _check_tensor(name, "input2", input2)
    _check_tensor(name, "target", target)
    if not (input1.shape == input2.shape == target.shape):
        raise ValueError(
            f"{name}: input1, input2 and target must have the same shape, got "
            f"{input1.shape}, {input2.shape} and {target.shape}"
        )
    loss = (-target * (input1 - input2) + margin).clamp(min=0)
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------------------------
# module forms
# ----------------------------------------------------------------------------------------------
class _Loss(Module):
    """Base of the loss modules: holds ``reduction`` (legacy ``size_average``/``reduce`` are
    folded into it at construction, as in PyTorch)."""

    def __init__(
        self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
    ) -> None:
        super().__init__()
        self.reduction = _reduction(
            type(self).__name__, size_average, reduce, reduction, extra=self._extra_reductions
        )

    _extra_reductions: tuple = ()

    def extra_repr(self) -> str:
        """The reduction, shown in ``repr``."""
        return f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    """A loss with a per-class ``weight``, registered as a buffer (saved in ``state_dict``)."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Module form of :func:`mse_loss` (input and target shapes must match exactly).

    Example:
        >>> import chainrule
        >>> chainrule.nn.MSELoss()(chainrule.ones(3), chainrule.zeros(3)).item()
        1.0
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of ``input`` against ``target``."""
        return mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Module form of :func:`l1_loss` (input and target shapes must match exactly).

    Example:
        >>> import chainrule
        >>> chainrule.nn.L1Loss(reduction="sum")(chainrule.ones(3), chainrule.zeros(3)).item()
        3.0
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of ``input`` against ``target``."""
        return l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Module form of :func:`smooth_l1_loss` with threshold ``beta``.

    Example:
        >>> import chainrule
        >>> chainrule.nn.SmoothL1Loss(beta=2.0)(chainrule.ones(2), chainrule.zeros(2)).item()
        0.25
    """

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        beta: float = 1.0,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of ``input`` against ``target``."""
        return smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Module form of :func:`huber_loss` with threshold ``delta``.

    Example:
        >>> import chainrule
        >>> chainrule.nn.HuberLoss(delta=0.5)(chainrule.ones(2), chainrule.zeros(2)).item()
        0.375
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of ``input`` against ``target``."""
        return huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class CrossEntropyLoss(_WeightedLoss):
    """Module form of :func:`cross_entropy`: logits against class indices or probabilities.

    Example:
        >>> import chainrule
        >>> loss_fn = chainrule.nn.CrossEntropyLoss(label_smoothing=0.1)
        >>> round(loss_fn(chainrule.zeros(2, 4), chainrule.tensor([0, 3])).item(), 4)
        1.3863
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of logits ``input`` against ``target``."""
        return cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class NLLLoss(_WeightedLoss):
    """Module form of :func:`nll_loss`: log-probabilities against class indices.

    Example:
        >>> import chainrule
        >>> logp = chainrule.tensor([[-1.0, -2.0], [-3.0, -4.0]])
        >>> chainrule.nn.NLLLoss(ignore_index=1)(logp, chainrule.tensor([0, 1])).item()
        1.0
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of log-probabilities ``input`` against ``target``."""
        return nll_loss(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
        )


class BCELoss(_WeightedLoss):
    """Module form of :func:`binary_cross_entropy` (probabilities in [0, 1]).

    Example:
        >>> import chainrule
        >>> round(chainrule.nn.BCELoss()(chainrule.tensor([0.5]), chainrule.ones(1)).item(), 4)
        0.6931
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of probabilities ``input`` against ``target``."""
        return binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Module form of :func:`binary_cross_entropy_with_logits`; ``weight`` and ``pos_weight``
    are buffers.

    Example:
        >>> import chainrule
        >>> loss_fn = chainrule.nn.BCEWithLogitsLoss(pos_weight=chainrule.tensor([2.0]))
        >>> round(loss_fn(chainrule.zeros(1), chainrule.ones(1)).item(), 4)
        1.3863
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of logits ``input`` against ``target``."""
        return binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class KLDivLoss(_Loss):
    """Module form of :func:`kl_div` (use ``reduction='batchmean'`` for the KL divergence).

    Example:
        >>> import chainrule
        >>> loss_fn = chainrule.nn.KLDivLoss(reduction="batchmean", log_target=True)
        >>> loss_fn(chainrule.zeros(1, 2), chainrule.zeros(1, 2)).item()
        0.0
    """

    _extra_reductions = ("batchmean",)

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        log_target: bool = False,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The divergence of log-probabilities ``input`` from ``target``."""
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class CosineEmbeddingLoss(_Loss):
    """Module form of :func:`cosine_embedding_loss`.

    Example:
        >>> import chainrule
        >>> a = chainrule.tensor([[1.0, 0.0]])
        >>> chainrule.nn.CosineEmbeddingLoss()(a, a, chainrule.tensor([1])).item()
        0.0
    """

    def __init__(
        self,
        margin: float = 0.0,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        """The loss of the pairs (``input1``, ``input2``) labelled by ``target`` (1 or -1)."""
        return cosine_embedding_loss(
            input1, input2, target, margin=self.margin, reduction=self.reduction
        )


class MarginRankingLoss(_Loss):
    """Module form of :func:`margin_ranking_loss`.

    Example:
        >>> import chainrule
        >>> loss_fn = chainrule.nn.MarginRankingLoss(margin=1.0)
        >>> loss_fn(chainrule.ones(2), chainrule.zeros(2), chainrule.ones(2)).item()
        0.0
    """

    def __init__(
        self,
        margin: float = 0.0,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        """The loss of ranking ``input1`` against ``input2`` as ``target`` (1 or -1) says."""
        return margin_ranking_loss(
            input1, input2, target, margin=self.margin, reduction=self.reduction
        )


# ----------------------------------------------------------------------------------------------
# nnmisc: probabilistic, margin, multi-label and triplet losses (composites of registered ops)
# ----------------------------------------------------------------------------------------------
__all__ += [
    "GaussianNLLLoss",
    "PoissonNLLLoss",
    "SoftMarginLoss",
    "HingeEmbeddingLoss",
    "MultiLabelSoftMarginLoss",
    "MultiMarginLoss",
    "MultiLabelMarginLoss",
    "TripletMarginLoss",
    "TripletMarginWithDistanceLoss",
    "NLLLoss2d",
]
__functional__ += [
    "gaussian_nll_loss",
    "poisson_nll_loss",
    "soft_margin_loss",
    "hinge_embedding_loss",
    "multilabel_soft_margin_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]


def _float_input(name: str, what: str, t: Any) -> Tensor:
    _check_tensor(name, what, t)
    if t.dtype.kind != "f":
        raise TypeError(f"{name}: {what} must be a floating-point tensor, got {t.dtype}")
    return t


def _target_like(name: str, input: Tensor, target: Any) -> Tensor:
    """A target of the input's shape; a non-float target becomes an input-dtype constant."""
    _check_tensor(name, "target", target)
    if target.shape != input.shape:
        raise ValueError(
            f"{name}: input shape {input.shape} and target shape {target.shape} differ; "
            "chainrule does not broadcast them (see docs/deviations.md)"
        )
    if target.dtype != input.dtype:
        if target.dtype.kind == "f":
            raise TypeError(
                f"{name}: target dtype {target.dtype} differs from input dtype {input.dtype}"
            )
        return _wrap(target._data.astype(input.dtype))
    return target


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """Gaussian negative log likelihood ``0.5 (log(var) + (input - target)^2 / var)`` (+ the
    constant ``0.5 log(2 pi)`` with ``full``).

    ``var`` has the input's shape, or one dimension fewer / one size-1 dimension
    (homoscedastic), or is a float. It is clamped to ``eps``; as in PyTorch the gradient passes
    through the clamp unchanged.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.gaussian_nll_loss(chainrule.zeros(2), chainrule.ones(2), chainrule.ones(2)).item()
        0.5
    """
    name = "gaussian_nll_loss"
    reduction = _reduction(name, None, None, reduction)
    _float_input(name, "input", input)
    target = _target_like(name, input, target)
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError(f"{name}: var has negative entry/entries ({var})")
        var = _wrap(np.full(input.shape, var, input.dtype))
    _float_input(name, "var", var)
    if np.any(var._data < 0):
        raise ValueError(f"{name}: var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (
            input.ndim == var.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1
        ):
            raise ValueError(
                f"{name}: var shape {var.shape} is incorrect for input shape {input.shape} "
                "(expected the input's shape, the input's shape without its last dimension, "
                "or the input's shape with one dimension of size 1)"
            )
    clamped = np.maximum(var._data, eps).astype(var.dtype)
    var = var + _wrap(clamped - var._data)  # clamp with the gradient passing through, as torch
    d = input - target
    loss = 0.5 * (var.log() + d * d / var)
    if full:
        loss = loss + 0.5 * float(np.log(2 * np.pi))
    return _reduce(loss, reduction)


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: bool | None = None,
    eps: float = 1e-8,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Poisson negative log likelihood: ``exp(input) - target * input`` (``log_input``) or
    ``input - target * log(input + eps)``; ``full`` adds Stirling's term where target > 1.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.poisson_nll_loss(chainrule.zeros(2), chainrule.ones(2)).item()
        1.0
    """
    name = "poisson_nll_loss"
    reduction = _reduction(name, size_average, reduce, reduction)
    _float_input(name, "input", input)
    target = _target_like(name, input, target)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:  # Stirling's term, where target > 1
        big = _wrap(target._data > 1)
        t = where(big, target, 1.0)
        loss = loss + where(big, t * t.log() - t + 0.5 * (t * (2 * np.pi)).log(), 0.0)
    return _reduce(loss, reduction)


def soft_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Two-class logistic loss ``log(1 + exp(-target * input))`` (target 1 or -1).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> round(F.soft_margin_loss(chainrule.zeros(2), chainrule.ones(2)).item(), 4)
        0.6931
    """
    from chainrule.nn.functional import softplus

    name = "soft_margin_loss"
    reduction = _reduction(name, size_average, reduce, reduction)
    _float_input(name, "input", input)
    target = _target_like(name, input, target)
    return _reduce(softplus(-target * input), reduction)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``input`` where ``target`` is 1, ``max(0, margin - input)`` where ``target`` is -1
    (``input`` is usually a distance).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> x = chainrule.tensor([0.3, 0.3])
        >>> F.hinge_embedding_loss(x, chainrule.tensor([1, -1]), reduction="none").tolist()
        [0.30000001192092896, 0.699999988079071]
    """
    name = "hinge_embedding_loss"
    reduction = _reduction(name, size_average, reduce, reduction)
    _float_input(name, "input", input)
    y = _target_like(name, input, target)._data
    zero = _wrap(np.zeros((), input.dtype))
    loss = where(_wrap(y != 1), (margin - input).clamp(min=0), zero) + where(
        _wrap(y != -1), input, zero
    )
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-label one-versus-all logistic loss, averaged over the C classes (last dim):
    ``-mean_c(y log sigmoid(x) + (1 - y) log sigmoid(-x))``, weighted per class by ``weight``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> x, y = chainrule.zeros(1, 3), chainrule.ones(1, 3)
        >>> round(F.multilabel_soft_margin_loss(x, y).item(), 4)
        0.6931
    """
    from chainrule.nn.functional import logsigmoid

    name = "multilabel_soft_margin_loss"
    reduction = _reduction(name, size_average, reduce, reduction)
    _float_input(name, "input", input)
    target = _target_like(name, input, target)
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have a class dimension, got a 0-d tensor")
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * (
            weight if isinstance(weight, Tensor) else _wrap(_const(name, "w", weight, input))
        )
    loss = loss.sum(dim=input.ndim - 1) / input.shape[-1]
    return _reduce(loss, reduction)


def _margin_target(name: str, input: Tensor, target: Any) -> tuple[Tensor, np.ndarray, bool]:
    """(N, C) view of an (N, C) or (C,) input and its (N,) class targets."""
    _float_input(name, "input", input)
    if input.ndim not in (1, 2):
        raise ValueError(f"{name}: input must be (N, C) or (C,), got shape {input.shape}")
    unbatched = input.ndim == 1
    x = input.unsqueeze(0) if unbatched else input
    t = _class_target(name, input if not unbatched else input, target, -(10**9))
    return x, np.asarray(t).reshape(-1), unbatched


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class hinge loss: ``sum_{j != y} max(0, margin - x[y] + x[j])^p / C`` (p 1 or 2),
    times ``weight[y]``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> x = chainrule.tensor([[0.1, 0.2, 0.4, 0.8]])
        >>> round(F.multi_margin_loss(x, chainrule.tensor([3])).item(), 4)
        0.325
    """
    name = "multi_margin_loss"
    reduction = _reduction(name, size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError(f"{name}: only p == 1 and p == 2 are supported, got p={p!r}")
    x, t, unbatched = _margin_target(name, input, target)
    n, c = x.shape
    xy = x.gather(1, _wrap(t.reshape(n, 1)))
    h = (margin - xy + x).clamp(min=0)
    if p == 2:
        h = h * h
    if weight is not None:
        w = _class_weight(name, weight, x, c)
        h = h * _wrap(w[t].reshape(n, 1))
    other = np.ones((n, c), x.dtype)
    other[np.arange(n), t] = 0
    loss = (h * _wrap(other)).sum(dim=1) / c
    if unbatched:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-label hinge loss: ``sum_{j in targets, i not} max(0, 1 - (x[j] - x[i])) / C``.

    ``target`` (the input's shape, integer) lists each sample's target classes, ended by the
    first -1.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> x = chainrule.tensor([[0.1, 0.2, 0.4, 0.8]])
        >>> round(F.multilabel_margin_loss(x, chainrule.tensor([[3, 0, -1, 1]])).item(), 4)
        0.85
    """
    name = "multilabel_margin_loss"
    reduction = _reduction(name, size_average, reduce, reduction)
    _float_input(name, "input", input)
    _check_tensor(name, "target", target)
    if input.ndim not in (1, 2) or target.shape != input.shape:
        raise ValueError(
            f"{name}: input must be (N, C) or (C,) and target the same shape, got input "
            f"{input.shape} and target {target.shape}"
        )
    if target.dtype.kind not in "iu":
        raise TypeError(f"{name}: target must be an integer tensor, got {target.dtype}")
    unbatched = input.ndim == 1
    x = input.unsqueeze(0) if unbatched else input
    t = target._data.reshape(x.shape)
    n, c = x.shape
    if t.size and (t.min() < -1 or t.max() >= c):
        raise ValueError(f"{name}: target values must be in [-1, {c}), got {t.min()}..{t.max()}")
    count = np.zeros((n, c), x.dtype)  # how often each class is listed before the first -1
    for i in range(n):
        row = t[i]
        end = np.flatnonzero(row < 0)
        for j in row[: end[0] if end.size else c]:
            count[i, j] += 1
    not_target = (count == 0).astype(x.dtype)
    pair = (1.0 - x.unsqueeze(2) + x.unsqueeze(1)).clamp(min=0)  # [n, j, i] = 1 - x_j + x_i
    mask = count[:, :, None] * not_target[:, None, :]
    loss = (pair * _wrap(mask)).sum(dim=(1, 2)) / c
    if unbatched:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def _triplet(
    name: str,
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    dist: Any,
    margin: float,
    swap: bool,
    reduction: str,
) -> Tensor:
    for what, t in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        _float_input(name, what, t)
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise ValueError(
            f"{name}: anchor, positive and negative must have the same number of dimensions, "
            f"got {anchor.shape}, {positive.shape} and {negative.shape}"
        )
    if margin <= 0:
        raise ValueError(f"{name}: margin must be greater than 0, got {margin}")
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        from chainrule.autograd.ops.elementwise import minimum

        d_neg = minimum(d_neg, dist(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp(min=0), reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, margin + d(a, p) - d(a, n))`` with ``d = pairwise_distance(., ., p, eps)``;
    ``swap`` uses ``min(d(a, n), d(p, n))`` as the negative distance.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> a = chainrule.zeros(1, 2)
        >>> F.triplet_margin_loss(a, a, chainrule.tensor([[3.0, 4.0]]), eps=0.0).item()
        0.0
    """
    from chainrule.autograd.ops.distance import pairwise_distance

    name = "triplet_margin_loss"
    reduction = _reduction(name, size_average, reduce, reduction)
    return _triplet(
        name,
        anchor,
        positive,
        negative,
        lambda a, b: pairwise_distance(a, b, p, eps),
        margin,
        swap,
        reduction,
    )


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Any = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """:func:`triplet_margin_loss` with any ``distance_function(x1, x2)`` (default
    ``pairwise_distance``).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> a = chainrule.zeros(1, 2)
        >>> l1 = lambda x, y: (x - y).abs().sum(-1)
        >>> F.triplet_margin_with_distance_loss(a, a, a, distance_function=l1).item()
        1.0
    """
    from chainrule.autograd.ops.distance import pairwise_distance

    name = "triplet_margin_with_distance_loss"
    reduction = _reduction(name, None, None, reduction)
    dist = pairwise_distance if distance_function is None else distance_function
    return _triplet(name, anchor, positive, negative, dist, margin, swap, reduction)


class GaussianNLLLoss(_Loss):
    """Module form of :func:`gaussian_nll_loss`; ``forward(input, target, var)``.

    Example:
        >>> import chainrule
        >>> loss_fn = chainrule.nn.GaussianNLLLoss()
        >>> loss_fn(chainrule.zeros(2), chainrule.ones(2), chainrule.ones(2)).item()
        0.5
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.full = full
        self.eps = eps

    def forward(self, input: Tensor, target: Tensor, var: Tensor | float) -> Tensor:
        """The loss of the Gaussian (``input``, ``var``) against ``target``."""
        return gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)


class PoissonNLLLoss(_Loss):
    """Module form of :func:`poisson_nll_loss`.

    Example:
        >>> import chainrule
        >>> chainrule.nn.PoissonNLLLoss()(chainrule.zeros(2), chainrule.ones(2)).item()
        1.0
    """

    def __init__(
        self,
        log_input: bool = True,
        full: bool = False,
        size_average: bool | None = None,
        eps: float = 1e-8,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        """The loss of the rate ``log_input`` against counts ``target``."""
        return poisson_nll_loss(
            log_input, target, self.log_input, self.full, eps=self.eps, reduction=self.reduction
        )


class SoftMarginLoss(_Loss):
    """Module form of :func:`soft_margin_loss`.

    Example:
        >>> import chainrule
        >>> round(chainrule.nn.SoftMarginLoss()(chainrule.zeros(2), chainrule.ones(2)).item(), 4)
        0.6931
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of ``input`` against ``target`` (1 or -1)."""
        return soft_margin_loss(input, target, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """Module form of :func:`hinge_embedding_loss`.

    Example:
        >>> import chainrule
        >>> chainrule.nn.HingeEmbeddingLoss()(chainrule.zeros(2), -chainrule.ones(2)).item()
        1.0
    """

    def __init__(
        self,
        margin: float = 1.0,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of distances ``input`` against ``target`` (1 or -1)."""
        return hinge_embedding_loss(input, target, self.margin, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Module form of :func:`multilabel_soft_margin_loss`.

    Example:
        >>> import chainrule
        >>> loss_fn = chainrule.nn.MultiLabelSoftMarginLoss()
        >>> round(loss_fn(chainrule.zeros(1, 3), chainrule.ones(1, 3)).item(), 4)
        0.6931
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of logits ``input`` against multi-hot ``target``."""
        return multilabel_soft_margin_loss(input, target, self.weight, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Module form of :func:`multi_margin_loss`.

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([[0.1, 0.2, 0.4, 0.8]])
        >>> round(chainrule.nn.MultiMarginLoss()(x, chainrule.tensor([3])).item(), 4)
        0.325
    """

    def __init__(
        self,
        p: int = 1,
        margin: float = 1.0,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: only p == 1 and p == 2 are supported, got {p!r}")
        self.p = p
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of scores ``input`` against class indices ``target``."""
        return multi_margin_loss(
            input, target, self.p, self.margin, self.weight, reduction=self.reduction
        )


class MultiLabelMarginLoss(_Loss):
    """Module form of :func:`multilabel_margin_loss`.

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([[0.1, 0.2, 0.4, 0.8]])
        >>> loss_fn = chainrule.nn.MultiLabelMarginLoss()
        >>> round(loss_fn(x, chainrule.tensor([[3, 0, -1, 1]])).item(), 4)
        0.85
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of scores ``input`` against the -1-terminated class lists ``target``."""
        return multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """Module form of :func:`triplet_margin_loss`.

    Example:
        >>> import chainrule
        >>> a = chainrule.zeros(1, 2)
        >>> chainrule.nn.TripletMarginLoss(margin=2.0, eps=0.0)(a, a, a).item()
        2.0
    """

    def __init__(
        self,
        margin: float = 1.0,
        p: float = 2.0,
        eps: float = 1e-6,
        swap: bool = False,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: margin must be greater than 0, got {margin}")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        """The loss of the triplets."""
        return triplet_margin_loss(
            anchor,
            positive,
            negative,
            self.margin,
            self.p,
            self.eps,
            self.swap,
            reduction=self.reduction,
        )


class TripletMarginWithDistanceLoss(_Loss):
    """Module form of :func:`triplet_margin_with_distance_loss`.

    Example:
        >>> import chainrule
        >>> a = chainrule.zeros(1, 2)
        >>> chainrule.nn.TripletMarginWithDistanceLoss(margin=0.5)(a, a, a).item()
        0.5
    """

    def __init__(
        self,
        *,
        distance_function: Any = None,
        margin: float = 1.0,
        swap: bool = False,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction=reduction)
        if margin <= 0:
            raise ValueError(
                f"TripletMarginWithDistanceLoss: margin must be greater than 0, got {margin}"
            )
        self.distance_function = distance_function
        self.margin = margin
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        """The loss of the triplets."""
        return triplet_margin_with_distance_loss(
            anchor,
            positive,
            negative,
            distance_function=self.distance_function,
            margin=self.margin,
            swap=self.swap,
            reduction=self.reduction,
        )


class NLLLoss2d(NLLLoss):
    """Deprecated PyTorch alias of :class:`NLLLoss` (which handles (N, C, H, W) inputs).

    Example:
        >>> import chainrule
        >>> logp = chainrule.zeros(1, 2, 1, 1)
        >>> chainrule.nn.NLLLoss2d()(logp, chainrule.zeros(1, 1, 1, dtype=chainrule.int64)).shape
        ()
    """
