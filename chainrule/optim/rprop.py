"""Rprop (resilient backpropagation) and the ``SparseAdam`` stub."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.optim.optimizer import Optimizer, ParamsT

__all__ = ["Rprop", "SparseAdam"]


class Rprop(Optimizer):
    """Rprop, as ``torch.optim.Rprop``: each weight has its own step size, multiplied by
    ``etas[1]`` while its gradient keeps its sign and by ``etas[0]`` when the sign flips (then
    that step is skipped), clamped to ``step_sizes``; the update is ``-sign(g) * step_size``.

    Example:
        >>> import chainrule
        >>> from chainrule.optim import Rprop
        >>> w = chainrule.tensor([1.0, -1.0], requires_grad=True)
        >>> (w * w).sum().backward(); Rprop([w], lr=0.1).step(); w.tolist()
        [0.8999999761581421, -0.8999999761581421]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        etaminus, etaplus = group["etas"]
        if not 0.0 < etaminus < 1.0 < etaplus:
            raise ValueError(
                f"Invalid eta values: {etaminus}, {etaplus} (expected 0 < eta- < 1 < eta+)"
            )

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one update; returns ``closure()``'s loss if a closure is given.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import Rprop
            >>> w = chainrule.ones(1, requires_grad=True)
            >>> w.sum().backward(); Rprop([w], lr=0.5).step(); w.tolist()
            [0.5]
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            etaminus, etaplus = (float(e) for e in group["etas"])
            smin, smax = (float(s) for s in group["step_sizes"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                pd = p._data
                g = np.array(p.grad._data, copy=True)
                if group["maximize"]:
                    np.negative(g, out=g)
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["prev"] = Tensor._wrap(np.zeros_like(pd))
                    state["step_size"] = Tensor._wrap(np.full_like(pd, float(group["lr"])))
                state["step"] += 1
                prev, step_size = state["prev"]._data, state["step_size"]._data
                s = np.sign(g * prev)
                factor = np.where(s > 0, etaplus, np.where(s < 0, etaminus, 1.0)).astype(pd.dtype)
                step_size *= factor
                np.clip(step_size, smin, smax, out=step_size)
                g[s < 0] = 0
                pd -= np.sign(g) * step_size
                prev[...] = g
                p._version[0] += 1
        return loss


class SparseAdam(Optimizer):
    """``torch.optim.SparseAdam`` needs sparse gradients, which chainrule does not have: the
    constructor raises ``NotImplementedError`` (use :class:`chainrule.optim.Adam`).

    Example:
        >>> import chainrule
        >>> from chainrule.optim import SparseAdam
        >>> SparseAdam([chainrule.zeros(1, requires_grad=True)])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        NotImplementedError: SparseAdam: chainrule has no sparse tensors ...
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            "SparseAdam: chainrule has no sparse tensors (Embedding(sparse=True) is not "
            "supported); use optim.Adam, which gives the same result for dense gradients"
        )
