"""``Optimizer``: the base class of every optimizer (parameter groups, per-parameter state,
``zero_grad``, ``state_dict`` / ``load_state_dict``).

Updates are written straight into the parameter arrays (``p._data``) with NumPy in-place
operations (``out=``), so a step records no graph and allocates no per-step tensors. After
updating a parameter the optimizer bumps its version counter, so a graph that saved the old
value raises on backward instead of silently using the new one.

State dict layout (``Optimizer.state_dict()``), made only of numbers, strings, booleans, lists,
dicts and tensors, so it can be saved without pickle (e.g. the tensors to safetensors and the
rest as JSON metadata)::

    {
        "state": {                      # keyed by parameter index (int); absent = no state yet
            0: {"step": 5,              # numbers are Python ints / floats
                "exp_avg": Tensor,      # per-parameter buffers: chainrule Tensors (copies)
                "exp_avg_sq": Tensor},
            ...
        },
        "param_groups": [               # one dict per group, in order
            {"lr": 0.001, "betas": [0.9, 0.999], ..., "params": [0, 1, 2]},
            ...
        ],
    }

Parameters are numbered in the order they appear in ``param_groups`` (group 0 first), exactly as
in PyTorch. Tuples (``betas``) are stored as lists; ``load_state_dict`` turns them back into
tuples and also accepts string keys in ``"state"`` (``"0"``, as JSON writes them) and NumPy
arrays in place of tensors. Unlike PyTorch, ``state_dict()`` returns a snapshot (buffers are
copied), so later steps do not change a state dict you are holding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from chainrule.autograd.grad_mode import enable_grad
from chainrule.autograd.tensor import Tensor

__all__ = ["Optimizer", "ParamsT"]

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


class Optimizer:
    """Base class for all optimizers.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs (``named_parameters()``), or
            of dicts, each a parameter group with ``"params"`` plus per-group options that
            override ``defaults``.
        defaults: the default value of every option (used by groups that don't set it).

    Subclasses implement :meth:`step` and may override :meth:`_check_group` to validate
    hyper-parameters (it runs for the defaults and for every group added).

    Example:
        >>> import chainrule
        >>> from chainrule.optim import SGD
        >>> w = chainrule.zeros(2, requires_grad=True)
        >>> b = chainrule.zeros(1, requires_grad=True)
        >>> opt = SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
        >>> [g["lr"] for g in opt.param_groups]
        [0.1, 0.5]
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self._check_group(self.defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._scratch: dict[Any, Any] = {}
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got a Tensor (shape {params.shape}); wrap it in a list: [tensor]"
            )
        if isinstance(params, dict):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got a dict; pass a list of parameter groups: [{'params': ...}]"
            )
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # -- parameter groups ------------------------------------------------------------------------
    def _check_group(self, group: dict[str, Any]) -> None:
        """Validate a group's hyper-parameters (raise ``ValueError`` with a clear message)."""
        lr = group.get("lr")
        if lr is not None and not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr} (expected lr >= 0)")

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group (a dict with ``"params"`` and optional per-group options).

        Useful to start training layers that were frozen so far.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import SGD
            >>> opt = SGD([chainrule.zeros(2, requires_grad=True)], lr=0.1)
            >>> opt.add_param_group({"params": [chainrule.zeros(3, requires_grad=True)], "lr": 1.0})
            >>> len(opt.param_groups), opt.param_groups[1]["momentum"]
            (2, 0)
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        param_group = dict(param_group)
        if "params" not in param_group:
            raise ValueError("a parameter group must have a 'params' entry")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        tensors: list[Tensor] = []
        names: list[str] = []
        for i, p in enumerate(params):
            what = f"params[{i}]"
            if isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str):
                names.append(p[0])
                what = f"parameter {p[0]!r}"
                p = p[1]
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but {what} is a {type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"can't optimize a non-leaf Tensor: {what} (shape {p.shape}) was produced by "
                    "an operation; optimize the leaf it came from, or use .detach()"
                    ".requires_grad_() to make a new leaf"
                )
            # A tensor that does not require grad (a frozen layer) is accepted, as in PyTorch:
            # it never gets a .grad, so step() skips it until it is unfrozen.
            tensors.append(p)
        if names and len(names) != len(tensors):
            raise ValueError("all parameters in a group must be named, or none of them")
        seen: set[int] = set()
        for p in tensors:
            if id(p) in seen:
                raise ValueError(
                    f"a parameter (shape {p.shape}) appears twice in the same parameter group"
                )
            seen.add(id(p))
        for g in self.param_groups:
            if any(id(q) in seen for q in g["params"]):
                raise ValueError("some parameters appear in more than one parameter group")
        if self.param_groups and bool(names) != ("param_names" in self.param_groups[0]):
            raise ValueError(
                "all optimizer param groups must be either all named or all unnamed "
                "(name them with model.named_parameters())"
            )
        param_group["params"] = tensors
        if names:
            param_group["param_names"] = names
        for key, value in self.defaults.items():
            param_group.setdefault(key, value)
        self._check_group(param_group)
        self.param_groups.append(param_group)

    # -- gradients -------------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to ``None`` (default), or fill them with zeros.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import SGD
            >>> w = chainrule.ones(2, requires_grad=True)
            >>> (w * w).sum().backward()
            >>> opt = SGD([w]); opt.zero_grad(); w.grad is None
            True
        """
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad = False
                    g._data[...] = 0
                    g._version[0] += 1

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once from their ``.grad``; returns ``closure()``'s loss if given.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import SGD
            >>> w = chainrule.ones(1, requires_grad=True)
            >>> opt = SGD([w], lr=0.5)
            >>> def closure():
            ...     opt.zero_grad()
            ...     loss = (w * w).sum()
            ...     loss.backward()
            ...     return loss
            >>> opt.step(closure).item(), w.tolist()
            (1.0, [0.0])
        """
        raise NotImplementedError(f"{type(self).__name__}.step() is not implemented")

    @staticmethod
    def _check_nonnegative(group: dict[str, Any], *keys: str) -> None:
        """``ValueError`` naming the first of ``keys`` whose value in ``group`` is not >= 0."""
        for key in keys:
            if not group[key] >= 0.0:
                label = "epsilon" if key == "eps" else key
                raise ValueError(f"Invalid {label} value: {group[key]} (expected >= 0)")

    @staticmethod
    def _decayed_grad(
        g: np.ndarray, p: np.ndarray, weight_decay: float, maximize: bool, buf: np.ndarray
    ) -> np.ndarray:
        """The gradient the update uses: ``g + weight_decay * p``, negated first when
        ``maximize``; ``g`` itself (no copy) when neither applies, else written into ``buf``."""
        if not maximize and weight_decay == 0:
            return g
        if weight_decay != 0:
            np.multiply(p, weight_decay, out=buf)
            (np.subtract if maximize else np.add)(buf, g, out=buf)
        else:
            np.negative(g, out=buf)
        return buf

    def _closure_loss(self, closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def _buffers(self, like: np.ndarray, count: int) -> list[np.ndarray]:
        """``count`` scratch arrays shaped like ``like``, reused across parameters and steps (views
        of one cached buffer per dtype, so an update allocates nothing in the steady state)."""
        n = like.size
        key = (type(like), like.dtype)
        buf = self._scratch.get(key)
        if buf is None or buf.size < n * count:
            xp = np if isinstance(like, np.ndarray) else _array_module(like)
            buf = xp.empty(n * count, dtype=like.dtype)
            self._scratch[key] = buf
        return [buf[i * n : (i + 1) * n].reshape(like.shape) for i in range(count)]

    # -- (de)serialization -----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as a dict of numbers, lists and tensors (see the module docstring
        for the layout). The buffers are copies: later steps don't change the returned dict.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import SGD
            >>> w = chainrule.ones(2, requires_grad=True)
            >>> opt = SGD([w], lr=0.1, momentum=0.9)
            >>> w.sum().backward(); opt.step()
            >>> sd = opt.state_dict()
            >>> sorted(sd["state"][0]), sd["param_groups"][0]["params"]
            (['momentum_buffer'], [0])
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: _plain(v) for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {}
        for p, s in self.state.items():
            if id(p) in index:
                state[index[id(p)]] = {k: _plain(v, copy=True) for k, v in s.items()}
        state = dict(sorted(state.items()))
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state saved by :meth:`state_dict` (buffers are copied and cast to each
        parameter's dtype), so that training resumes exactly where it stopped.

        Example:
            >>> import chainrule
            >>> from chainrule.optim import Adam
            >>> w = chainrule.ones(2, requires_grad=True)
            >>> opt = Adam([w], lr=0.1)
            >>> w.sum().backward(); opt.step()
            >>> opt2 = Adam([chainrule.ones(2, requires_grad=True)])
            >>> opt2.load_state_dict(opt.state_dict())
            >>> opt2.param_groups[0]["lr"], opt2.state[opt2.param_groups[0]["params"][0]]["step"]
            (0.1, 1)
        """
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError(
                "load_state_dict: expected a dict with 'state' and 'param_groups' (as returned "
                "by Optimizer.state_dict())"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has a different number of parameter groups "
                f"({len(saved_groups)}) than this optimizer ({len(self.param_groups)})"
            )
        id_map: dict[int, Tensor] = {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group (index {i}) with "
                    f"{len(saved['params'])} parameters, but the optimizer's group has "
                    f"{len(group['params'])}"
                )
            for idx, p in zip(saved["params"], group["params"]):
                id_map[int(idx)] = p
        new_state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, values in state_dict["state"].items():
            idx = int(key)
            if idx not in id_map:
                raise ValueError(
                    f"loaded state dict has state for parameter {idx}, which is unknown"
                )
            p = id_map[idx]
            new_state[p] = {k: _restore(v, p, k) for k, v in values.items()}
        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            new = {}
            for k, v in saved.items():
                if k == "params":
                    continue
                if isinstance(v, list) and isinstance(self.defaults.get(k), tuple):
                    v = tuple(v)
                new[k] = v
            new["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                new["param_names"] = group["param_names"]
            new_groups.append(new)
        self.state = new_state
        self.param_groups = new_groups

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key not in ("params", "param_names"):
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    def __getstate__(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["_scratch"] = {}
        # An lr scheduler wraps ``step`` on the instance (bound to this object): a copy gets
        # the plain class method back.
        d.pop("step", None)
        d.pop("_opt_called", None)
        return d


def _array_module(a: Any) -> Any:
    from chainrule.backend import get_array_module

    return get_array_module(a)


def _plain(v: Any, copy: bool = False) -> Any:
    """A value in state-dict form: tuples as lists, NumPy scalars as Python numbers, tensors
    (copied when ``copy``)."""
    if isinstance(v, Tensor):
        return Tensor._wrap(v._data.copy()) if copy else v
    if isinstance(v, (tuple, list)):
        return [_plain(x, copy) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return Tensor._wrap(v.copy())
    return v


def _restore(v: Any, p: Tensor, key: str) -> Any:
    """A state value loaded for parameter ``p``: arrays become new tensors of ``p``'s dtype
    (floating-point ones) on ``p``'s device; numbers stay numbers."""
    if isinstance(v, Tensor):
        arr = v._data
    elif isinstance(v, np.ndarray):
        arr = v
    elif isinstance(v, np.generic):
        return v.item()
    else:
        return v
    if key == "step" and arr.size == 1:  # e.g. a PyTorch-style step tensor: keep a number
        step = arr.item()
        return int(step) if float(step).is_integer() else step
    if arr.dtype.kind == "f" and key != "step":
        arr = arr.astype(p._data.dtype, copy=True)
    else:
        arr = arr.copy()
    if not isinstance(p._data, np.ndarray) and isinstance(arr, np.ndarray):
        arr = _array_module(p._data).asarray(arr)
    if arr.shape != p._data.shape and key != "step":
        raise ValueError(
            f"loaded state {key!r} has shape {arr.shape} but the parameter has shape "
            f"{p._data.shape}"
        )
    return Tensor._wrap(arr)
