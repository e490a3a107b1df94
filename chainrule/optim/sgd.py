"""Stochastic gradient descent, with optional (Nesterov) momentum and weight decay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.backend import kernels
from chainrule.optim.optimizer import Optimizer, ParamsT

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    With ``g = grad (+ weight_decay * p)`` (negated first when ``maximize``)::

        buf = g                                   # first step
        buf = momentum * buf + (1 - dampening) * g  # later steps
        g = g + momentum * buf if nesterov else buf   (when momentum != 0)
        p = p - lr * g

    Example:
        >>> import chainrule
        >>> from chainrule.optim import SGD
        >>> w = chainrule.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).sum().backward()
        >>> opt.step(); w.tolist()
        [0.800000011920929, 1.600000023841858]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        self._check_nonnegative(group, "momentum", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening (got momentum="
                f"{group['momentum']}, dampening={group['dampening']})"
            )

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one update; returns ``closure()``'s loss if a closure is given.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import SGD
            >>> w = chainrule.ones(2, requires_grad=True)
            >>> w.sum().backward(); SGD([w], lr=0.5).step(); w.tolist()
            [0.5, 0.5]
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            momentum = float(group["momentum"])
            dampening = float(group["dampening"])
            wd = float(group["weight_decay"])
            nesterov = bool(group["nesterov"])
            maximize = bool(group["maximize"])
            if not (momentum or wd or maximize):
                self._plain_step(group["params"], lr)
                continue
            for p in group["params"]:
                if p.grad is None:
                    continue
                pd = p._data
                g = p.grad._data
                tmp, gbuf = self._buffers(pd, 2)
                g = self._decayed_grad(g, pd, wd, maximize, gbuf)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        state["momentum_buffer"] = buf = Tensor._wrap(g.copy())
                    else:
                        b = buf._data
                        b *= momentum
                        if dampening != 0:
                            np.multiply(g, 1.0 - dampening, out=tmp)
                            b += tmp
                        else:
                            b += g
                    if nesterov:
                        np.multiply(buf._data, momentum, out=tmp)
                        tmp += g
                        g = tmp
                    else:
                        g = buf._data
                if lr != 1.0:
                    np.multiply(g, -lr, out=tmp)
                    pd += tmp
                else:
                    pd -= g
                p._version[0] += 1
        return loss

    def _plain_step(self, params: list, lr: float) -> None:
        """``p -= lr * grad`` (no momentum, weight decay or maximize): the same arithmetic as the
        general loop (``p + grad * -lr``), with a temporary only for small parameters, where an
        allocation costs less than fetching a scratch view."""
        neg_lr = -lr
        for p in params:
            g = p.grad
            if g is None:
                continue
            pd = p._data
            g = g._data
            if pd.size <= 4096:
                pd += g * neg_lr
            elif kernels.axpy_(neg_lr, g, pd):  # one pass instead of two
                pass
            else:
                (tmp,) = self._buffers(pd, 1)
                np.multiply(g, neg_lr, out=tmp)
                pd += tmp
            p._version[0] += 1
