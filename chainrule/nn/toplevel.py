"""The ``torch.*`` forms of nn functions (``torch.layer_norm``, ``torch.dropout``,
``torch.kl_div``, ...), with PyTorch's top-level signatures: positional ``train`` flags,
``torch.embedding(weight, indices)`` in that order, and losses whose ``reduction`` is an int
(0 none, 1 mean, 2 sum, PyTorch's ``Reduction`` enum; omitted, it is 0: torch 2.13's
top-level losses return the unreduced loss by default, unlike ``torch.nn.functional``'s).
Each delegates to the ``chainrule.nn.functional`` form; ``chainrule/__init__.py`` exports
the names it lacks.

Example:
    >>> import chainrule
    >>> chainrule.embedding(chainrule.eye(3), chainrule.tensor([2])).tolist()
    [[0.0, 0.0, 1.0]]
"""

from __future__ import annotations

from typing import Any

from chainrule.autograd.tensor import Tensor
from chainrule.nn import functional as F

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _red(reduction: Any, name: str) -> str:
    if isinstance(reduction, str):
        return reduction
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{name}: reduction must be 0 (none), 1 (mean) or 2 (sum), got {reduction!r}"
        )
    return _REDUCTIONS[reduction]


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.dropout(input, p, train)``."""
    return F.dropout(input, p, train)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.dropout_``: in place."""
    return _copy_into(input, "dropout_", F.dropout, p, train)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.alpha_dropout(input, p, train)``."""
    return F.alpha_dropout(input, p, train)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.alpha_dropout_``: in place."""
    return _copy_into(input, "alpha_dropout_", F.alpha_dropout, p, train)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_alpha_dropout(input, p, train)``."""
    return F.feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_alpha_dropout_``: in place."""
    return _copy_into(input, "feature_alpha_dropout_", F.feature_alpha_dropout, p, train)


def _feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    # whole channels (dim 1) zeroed, as dropout2d/3d
    if not train or p == 0:
        return input
    from chainrule.autograd.creation import empty

    shape = (input.shape[0], input.shape[1]) + (1,) * (input.ndim - 2)
    keep = empty(*shape, dtype=input.dtype).bernoulli_(1 - p)
    return input * keep / (1 - p) if p < 1 else input * 0


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_dropout(input, p, train)``: channel-wise dropout."""
    return _feature_dropout(input, p, train)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_dropout_``: in place."""
    return _copy_into(input, "feature_dropout_", _feature_dropout, p, train)


def _copy_into(input: Tensor, name: str, fn: Any, *args: Any) -> Tensor:
    from chainrule.autograd.grad_mode import no_grad

    input._check_inplace(name)
    with no_grad():
        out = fn(input, *args)
    input._data[...] = out._data
    input._bump()
    return input


def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
    cudnn_enable: bool = True,
) -> Tensor:
    """``torch.layer_norm``."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
    cudnn_enabled: bool = True,
) -> Tensor:
    """``torch.group_norm``."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(
    input: Tensor,
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    training: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    """``torch.batch_norm`` (PyTorch's argument order: weight and bias first)."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(
    input: Tensor,
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    use_input_stats: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    """``torch.instance_norm`` (PyTorch's argument order)."""
    return F.instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


def embedding(
    weight: Tensor,
    indices: Tensor,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """``torch.embedding(weight, indices)`` (weight first; ``padding_idx=-1``: none)."""
    return F.embedding(indices, weight, None if padding_idx == -1 else padding_idx)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``torch.bilinear``."""
    return F.bilinear(input1, input2, weight, bias)


def celu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``torch.celu``."""
    return F.celu(input, alpha)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator: Any = None,
) -> Tensor:
    """``torch.rrelu``."""
    return F.rrelu(input, lower, upper, training)


def threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    """``torch.threshold``."""
    return F.threshold(input, threshold, value)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``torch.prelu``."""
    return F.prelu(input, weight)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``torch.hardshrink``."""
    return F.hardshrink(input, lambd)


def kl_div(input: Tensor, target: Tensor, reduction: Any = 0, log_target: bool = False) -> Tensor:
    """``torch.kl_div`` (``reduction`` 1 = elementwise mean; default 0, none)."""
    return F.kl_div(input, target, reduction=_red(reduction, "kl_div"), log_target=log_target)


def cosine_embedding_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: Any = 0
) -> Tensor:
    """``torch.cosine_embedding_loss``."""
    r = _red(reduction, "cosine_embedding_loss")
    return F.cosine_embedding_loss(input1, input2, target, margin, reduction=r)


def hinge_embedding_loss(
    input: Tensor, target: Tensor, margin: float = 1.0, reduction: Any = 0
) -> Tensor:
    """``torch.hinge_embedding_loss``."""
    r = _red(reduction, "hinge_embedding_loss")
    return F.hinge_embedding_loss(input, target, margin, reduction=r)


def margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: Any = 0
) -> Tensor:
    """``torch.margin_ranking_loss``."""
    r = _red(reduction, "margin_ranking_loss")
    return F.margin_ranking_loss(input1, input2, target, margin, reduction=r)


def poisson_nll_loss(
    input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float, reduction: Any
) -> Tensor:
    """``torch.poisson_nll_loss`` (every argument required, as PyTorch's)."""
    r = _red(reduction, "poisson_nll_loss")
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=r)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: Any = 0,
) -> Tensor:
    """``torch.triplet_margin_loss``."""
    r = _red(reduction, "triplet_margin_loss")
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction=r)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    pos_weight: Tensor | None = None,
    reduction: Any = 0,
) -> Tensor:
    """``torch.binary_cross_entropy_with_logits``."""
    r = _red(reduction, "binary_cross_entropy_with_logits")
    return F.binary_cross_entropy_with_logits(
        input, target, weight, reduction=r, pos_weight=pos_weight
    )


def _inplace_alias(name: str) -> Any:
    def fn(input: Tensor, *args: Any) -> Tensor:
        return getattr(F, name)(input, *args)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``torch.{name}``: in place (``chainrule.nn.functional.{name}``)."
    return fn


relu_ = _inplace_alias("relu_")
selu_ = _inplace_alias("selu_")
celu_ = _inplace_alias("celu_")
rrelu_ = _inplace_alias("rrelu_")
threshold_ = _inplace_alias("threshold_")

NAMES = [n for n in list(globals()) if not n.startswith("_") and callable(globals()[n])]
NAMES = [n for n in NAMES if n not in ("Tensor", "Any", "F", "annotations")]
