"""Adagrad."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.optim.optimizer import Optimizer, ParamsT

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad, as ``torch.optim.Adagrad`` (dense gradients).

    With ``g = grad (+ weight_decay * p)`` (negated first when ``maximize``) and ``t`` the step::

        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g                    # s starts at initial_accumulator_value
        p = p - clr * g / (sqrt(s) + eps)

    Example:
        >>> import chainrule
        >>> from chainrule.optim import Adagrad
        >>> w = chainrule.ones(2, requires_grad=True)
        >>> opt = Adagrad([w], lr=0.1)
        >>> w.sum().backward(); opt.step()
        >>> [round(x, 4) for x in w.tolist()]
        [0.9, 0.9]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group (see :meth:`Optimizer.add_param_group`); like PyTorch, its state
        is created at once (the accumulator starts at ``initial_accumulator_value``).

        Example:
            >>> import chainrule
            >>> from chainrule.optim import Adagrad
            >>> opt = Adagrad([chainrule.ones(1, requires_grad=True)])
            >>> opt.add_param_group({"params": [chainrule.ones(2, requires_grad=True)]})
            >>> len(opt.state)
            2
        """
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        init = float(group["initial_accumulator_value"])
        for p in group["params"]:
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["sum"] = Tensor._wrap(np.full_like(p._data, init))

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        self._check_nonnegative(
            group, "lr_decay", "weight_decay", "initial_accumulator_value", "eps"
        )

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one update; returns ``closure()``'s loss if a closure is given.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import Adagrad
            >>> w = chainrule.ones(1, requires_grad=True)
            >>> w.sum().backward(); Adagrad([w], lr=0.5).step(); w.tolist()
            [0.5]
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            lr_decay = float(group["lr_decay"])
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
            maximize = bool(group["maximize"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                pd = p._data
                g = p.grad._data
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["sum"] = Tensor._wrap(
                        np.full_like(pd, float(group["initial_accumulator_value"]))
                    )
                state["step"] = step = state["step"] + 1
                tmp, gbuf = self._buffers(pd, 2)
                g = self._decayed_grad(g, pd, wd, maximize, gbuf)
                clr = lr / (1 + (step - 1) * lr_decay)
                s = state["sum"]._data
                np.multiply(g, g, out=tmp)
                s += tmp
                np.sqrt(s, out=tmp)
                tmp += eps
                np.divide(g, tmp, out=tmp)
                tmp *= -clr
                pd += tmp
                p._version[0] += 1
        return loss
