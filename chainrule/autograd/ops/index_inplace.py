"""In-place forms of the indexing ops (``index_add_``, ``index_fill_``, ``index_copy_``,
``scatter_``, ``scatter_add_``, ``scatter_reduce_``, ``masked_fill_``, ``masked_scatter_``) and the
random in-place fills (``bernoulli_``, ``random_``, ``exponential_``, ``geometric_``, ``cauchy_``,
``log_normal_``) plus ``multinomial`` and ``bernoulli``.

Each in-place op follows ``inplace.py``'s pattern: ``_check_inplace`` (refused on a tensor
recorded for gradients), compute the new values, write them into the tensor's array, ``_bump``
the version counter (so a backward pass that saved the old values raises).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.ops import indexing, selection
from chainrule.autograd.ops.registry import register
from chainrule.autograd.tensor import Tensor
from chainrule.backend import default_generator
from chainrule.backend import dtypes as _dt

_wrap = Tensor._wrap


class DistributionError(ValueError, RuntimeError):
    """Bad distribution parameters (PyTorch raises ``RuntimeError``; also a ``ValueError``)."""


def _write(input: Tensor, values: np.ndarray) -> Tensor:
    input._data[...] = values
    input._bump()
    return input


def _inplace_of(name: str, fn: Any) -> None:
    def method(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        input._check_inplace(name)
        with no_grad():
            out = fn(input, *args, **kwargs)
        return _write(input, out._data)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        f"In-place ``{fn.__name__}``: writes the result into this tensor and returns it.\n\n"
        f"Example:\n    >>> import chainrule\n    >>> {_EXAMPLES[name]}\n    {_RESULTS[name]}\n"
    )
    register(name, differentiable=False, export=False)(method)


_EXAMPLES = {
    "index_add_": "chainrule.zeros(2).index_add_(0, chainrule.tensor([1, 1]), chainrule.ones(2))"
    ".tolist()",
    "index_fill_": "chainrule.zeros(2).index_fill_(0, chainrule.tensor([0]), 3.0).tolist()",
    "index_copy_": "chainrule.zeros(2).index_copy_(0, chainrule.tensor([1]), chainrule.ones(1))"
    ".tolist()",
    "scatter_": "chainrule.zeros(2).scatter_(0, chainrule.tensor([1]), 4.0).tolist()",
    "scatter_add_": "chainrule.zeros(2).scatter_add_(0, chainrule.tensor([0, 0]), "
    "chainrule.ones(2)).tolist()",
    "scatter_reduce_": "chainrule.ones(2).scatter_reduce_(0, chainrule.tensor([0]), "
    'chainrule.tensor([5.0]), "amax").tolist()',
    "masked_fill_": "chainrule.zeros(2).masked_fill_(chainrule.tensor([True, False]), 1.0)"
    ".tolist()",
}
_RESULTS = {
    "index_add_": "[0.0, 2.0]",
    "index_fill_": "[3.0, 0.0]",
    "index_copy_": "[0.0, 1.0]",
    "scatter_": "[0.0, 4.0]",
    "scatter_add_": "[2.0, 0.0]",
    "scatter_reduce_": "[5.0, 1.0]",
    "masked_fill_": "[1.0, 0.0]",
}

_inplace_of("index_add_", selection.index_add)
_inplace_of("index_fill_", selection.index_fill)
_inplace_of("index_copy_", selection.index_copy)
_inplace_of("scatter_", selection.scatter)
_inplace_of("scatter_add_", indexing.scatter_add)
_inplace_of("scatter_reduce_", selection.scatter_reduce)
_inplace_of("masked_fill_", indexing.masked_fill)


@register("masked_scatter_", differentiable=False, export=False)
def masked_scatter_(input: Tensor, mask: Any, source: Tensor) -> Tensor:
    """Copy consecutive entries of ``source`` into the positions where ``mask`` is true.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(3).masked_scatter_(chainrule.tensor([True, False, True]),
        ...                                    chainrule.tensor([1.0, 2.0])).tolist()
        [1.0, 0.0, 2.0]
    """
    input._check_inplace("masked_scatter_")
    m = np.broadcast_to(selection._bool_mask("masked_scatter_", mask), input.shape)
    n = int(m.sum())
    src = source._data.reshape(-1)
    if src.size < n:
        raise ValueError(
            f"masked_scatter_: source has {src.size} elements but the mask selects {n}"
        )
    input._data[m] = src[:n]
    input._bump()
    return input


# ---------------------------------------------------------------------------------------------
# random
# ---------------------------------------------------------------------------------------------
def _gen(generator: Any) -> Any:
    return generator or default_generator()


def _fill_random(input: Tensor, name: str, values: np.ndarray) -> Tensor:
    input._check_inplace(name)
    return _write(input, values.astype(input.dtype, copy=False))


@register("bernoulli_", differentiable=False, export=False)
def bernoulli_(input: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """Fill with 1 with probability ``p`` (a number or a tensor broadcast to this one), else 0.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(4).bernoulli_(1.0).tolist()
        [1.0, 1.0, 1.0, 1.0]
    """
    pa = p._data if isinstance(p, Tensor) else np.asarray(p, dtype=np.float64)
    if pa.size and (pa.min() < 0 or pa.max() > 1):
        raise DistributionError(
            f"bernoulli_: expected 0 <= p <= 1, got values in [{pa.min()}, {pa.max()}]"
        )
    u = _gen(generator).random(input.shape)
    return _fill_random(input, "bernoulli_", u < pa)


@register("bernoulli", differentiable=False)
def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None) -> Tensor:
    """A tensor of 0s and 1s, 1 with probability ``input`` (or ``p`` when given).

    Example:
        >>> import chainrule
        >>> chainrule.bernoulli(chainrule.tensor([0.0, 1.0])).tolist()
        [0.0, 1.0]
    """
    out = _wrap(np.empty(input.shape, dtype=input.dtype))
    return bernoulli_(out, input if p is None else p, generator=generator)


@register("random_", differentiable=False, export=False)
def random_(input: Tensor, from_: Any = 0, to: Any = None, *, generator: Any = None) -> Tensor:
    """Fill with integers drawn uniformly from ``[from, to)``; ``random_(to)`` draws from
    ``[0, to)``; without bounds, from ``[0, 2**mantissa]`` for floats (the dtype's range for
    integers).

    Example:
        >>> import chainrule
        >>> x = chainrule.zeros(50).random_(3, 5); bool(((x >= 3) & (x < 5)).all())
        True
    """
    if to is None and from_ != 0:
        from_, to = 0, from_
    dt = input.dtype
    if to is None:
        if dt.kind == "f":
            to = 2 ** (np.finfo(dt).nmant + 1) + 1
        elif dt.kind == "b":
            to = 2
        else:
            to = int(np.iinfo(dt).max) + 1
    if from_ >= to:
        raise DistributionError(f"random_: expects 'from' < 'to', got from={from_} >= to={to}")
    vals = _gen(generator).integers(from_, to, size=input.shape)
    return _fill_random(input, "random_", vals)


@register("exponential_", differentiable=False, export=False)
def exponential_(input: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with samples of the exponential distribution with rate ``lambd``.

    Example:
        >>> import chainrule
        >>> bool((chainrule.zeros(5).exponential_(2.0) >= 0).all())
        True
    """
    if lambd <= 0:
        raise DistributionError(f"exponential_: expects lambd > 0.0, but found lambd={lambd}")
    return _fill_random(
        input, "exponential_", _gen(generator).exponential(1.0 / lambd, input.shape)
    )


@register("geometric_", differentiable=False, export=False)
def geometric_(input: Tensor, p: float, *, generator: Any = None) -> Tensor:
    """Fill with samples of the geometric distribution (trials until the first success).

    Example:
        >>> import chainrule
        >>> chainrule.zeros(3).geometric_(1.0).tolist()
        [1.0, 1.0, 1.0]
    """
    if not 0 < p <= 1:
        raise DistributionError(f"geometric_: expects 0 < p <= 1, got p={p}")
    return _fill_random(input, "geometric_", _gen(generator).geometric(p, input.shape))


@register("cauchy_", differentiable=False, export=False)
def cauchy_(
    input: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None
) -> Tensor:
    """Fill with samples of the Cauchy distribution.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(3).cauchy_().shape
        (3,)
    """
    vals = median + sigma * _gen(generator).standard_cauchy(input.shape)
    return _fill_random(input, "cauchy_", vals)


@register("log_normal_", differentiable=False, export=False)
def log_normal_(
    input: Tensor, mean: float = 1.0, std: float = 2.0, *, generator: Any = None
) -> Tensor:
    """Fill with samples of exp(N(mean, std**2)).

    Example:
        >>> import chainrule
        >>> bool((chainrule.zeros(3).log_normal_() > 0).all())
        True
    """
    return _fill_random(input, "log_normal_", _gen(generator).lognormal(mean, std, input.shape))


@register("multinomial", differentiable=False)
def multinomial(
    input: Tensor, num_samples: int, replacement: bool = False, *, generator: Any = None
) -> Tensor:
    """Draw ``num_samples`` category indices per row from the (unnormalized, non-negative)
    weights ``input`` (1-D or 2-D); without replacement each category is drawn at most once.

    Example:
        >>> import chainrule
        >>> chainrule.multinomial(chainrule.tensor([0.0, 1.0, 0.0]), 2, True).tolist()
        [1, 1]
    """
    w = input._data
    if w.ndim not in (1, 2):
        raise DistributionError(
            f"multinomial: prob_dist must be 1 or 2 dim, got shape {input.shape}"
        )
    if w.dtype.kind != "f":
        raise TypeError(f"multinomial: only supports floating-point dtypes, got {w.dtype}")
    rows = w.reshape(-1, w.shape[-1]).astype(np.float64)
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise DistributionError(
            "multinomial: probability tensor contains either `inf`, `nan` or element < 0"
        )
    sums = rows.sum(axis=1)
    if (sums <= 0).any():
        raise DistributionError(
            "multinomial: invalid multinomial distribution (sum of probabilities <= 0)"
        )
    if num_samples <= 0:
        raise DistributionError(
            f"multinomial: cannot sample n_sample <= 0 samples, got {num_samples}"
        )
    if not replacement and num_samples > rows.shape[1]:
        raise DistributionError(
            f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
            f"replacement ({num_samples} > {rows.shape[1]})"
        )
    if not replacement and ((rows > 0).sum(axis=1) < num_samples).any():
        raise DistributionError(
            "multinomial: invalid multinomial distribution (with replacement=False, not enough "
            "non-negative category to sample)"
        )
    g = _gen(generator)
    out = np.stack(
        [g.choice(rows.shape[1], num_samples, replace=replacement, p=r / r.sum()) for r in rows]
    ).astype(_dt.int64)
    return _wrap(out.reshape(w.shape[:-1] + (num_samples,)))
