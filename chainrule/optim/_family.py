"""The per-parameter loop shared by the optimizers added after the first six (Adamax, NAdam,
RAdam, ASGD): skip parameters without a gradient, create the state on the first step, count
the step, apply (decoupled) weight decay and ``maximize``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.optim.optimizer import Optimizer


class StatefulOptimizer(Optimizer):
    """Base with :meth:`_updates`; subclasses list their zero-initialized buffers in
    ``_buffers_init`` and their scalar state in ``_scalar_init`` (group key or constant)."""

    _buffers_init: tuple[str, ...] = ()
    _scalar_init: dict[str, Any] = {}

    def _updates(
        self, group: dict[str, Any]
    ) -> Iterator[tuple[Any, np.ndarray, np.ndarray, dict[str, Any], int]]:
        """Yield ``(param, data, grad, state, step)`` for each parameter of ``group`` that has a
        gradient; ``grad`` includes L2 weight decay (unless decoupled, which is applied to the
        data here) and the sign flip of ``maximize``. The caller bumps ``param._version``."""
        lr, wd = float(group["lr"]), float(group.get("weight_decay", 0.0))
        decoupled = bool(group.get("decoupled_weight_decay", False))
        for p in group["params"]:
            if p.grad is None:
                continue
            pd = p._data
            state = self.state[p]
            if not state:
                state["step"] = 0
                for k, v in self._scalar_init.items():
                    state[k] = float(group[v]) if isinstance(v, str) else v
                for k in self._buffers_init:
                    state[k] = Tensor._wrap(np.zeros_like(pd))
            state["step"] = step = state["step"] + 1
            if wd != 0 and decoupled:
                pd *= 1.0 - lr * wd
            (gbuf,) = self._buffers(pd, 1)
            g = self._decayed_grad(
                p.grad._data, pd, 0.0 if decoupled else wd, bool(group["maximize"]), gbuf
            )
            yield p, pd, g, state, step
            p._version[0] += 1
