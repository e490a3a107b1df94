"""``Module``: the base class of every layer and model.

A module owns three kinds of registered state, found automatically when assigned as attributes:

* **parameters** (:class:`~chainrule.nn.Parameter`): learnable tensors, returned by
  ``parameters()`` and updated by optimizers;
* **buffers** (``register_buffer``): tensors that are part of the state but not learned (e.g.
  BatchNorm's running statistics); saved in ``state_dict()`` unless ``persistent=False``;
* **submodules**: other modules, so a model is a tree and ``parameters()`` walks all of it.

Calling a module (``model(x)``) runs the forward pre-hooks, ``forward``, then the forward hooks.
Full backward hooks are implemented with tensor hooks: the inputs and outputs of ``forward`` pass
through an identity node whose gradient hook captures ``grad_input`` / ``grad_output``.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt
from chainrule.nn.parameter import Buffer, Parameter

__all__ = ["Module", "RemovableHandle"]
__functional__: list[str] = []


class RemovableHandle:
    """Returned by the ``register_*_hook`` methods; ``remove()`` unregisters the hook.

    Also a context manager: the hook is removed on exit.

    Example:
        >>> from chainrule import nn
        >>> m = nn.Identity()
        >>> with m.register_forward_hook(lambda mod, inp, out: None):
        ...     len(m._forward_hooks)
        1
        >>> len(m._forward_hooks)
        0
    """

    _next_id = itertools.count()

    def __init__(self, *hooks_dicts: dict) -> None:
        self.hooks_dicts = hooks_dicts
        self.id = next(RemovableHandle._next_id)

    def remove(self) -> None:
        """Unregister the hook (idempotent)."""
        for d in self.hooks_dicts:
            d.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class _IncompatibleKeys(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (
            f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
            f"unexpected_keys={self.unexpected_keys})"
        )


def _addindent(s: str, n: int) -> str:
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    return lines[0] + "\n" + "\n".join(" " * n + line for line in lines[1:])


class _BackwardHookIdentity(Function):
    """Identity node whose gradient hook observes the gradient flowing through a module
    boundary (used by ``register_full_backward_hook``)."""

    is_view = True

    def forward(self, a: Any) -> Any:
        return a

    def backward(self, grad: Any) -> Any:
        return grad

    def vjp(self, grad: Any) -> Any:
        return grad


class _BackwardHookState:
    """Per-call bookkeeping for full backward hooks: collects grad_output, then grad_input."""

    def __init__(self, module: Module, n_inputs: int, input_slots: list[int]) -> None:
        self.module = module
        self.n_inputs = n_inputs
        self.input_slots = input_slots  # positions (in the flat tensor-arg list) that need grad
        self.grad_inputs: list[Any] = [None] * n_inputs
        self.pending_inputs = set(input_slots)
        self.grad_outputs: list[Any] = []
        self.n_outputs = 0
        self.pending_outputs: set[int] = set()

    def output_hook(self, i: int) -> Callable[[Tensor], None]:
        def hook(g: Tensor) -> None:
            self.grad_outputs[i] = g
            self.pending_outputs.discard(i)
            if not self.pending_outputs and not self.input_slots:
                # nothing upstream needs a gradient: fire now, as PyTorch does
                self._fire(None)
                self.pending_outputs = set(range(self.n_outputs))

        return hook

    def input_hook(self, slot: int) -> Callable[[Tensor], Tensor | None]:
        def hook(g: Tensor) -> Tensor | None:
            self.grad_inputs[slot] = g
            self.pending_inputs.discard(slot)
            if self.pending_inputs:
                return None
            result = self._fire(slot)
            # reset for a possible second backward through the same graph (retain_graph=True)
            self.pending_inputs = set(self.input_slots)
            self.pending_outputs = set(range(self.n_outputs))
            return result

        return hook

    def _fire(self, last_slot: int | None) -> Tensor | None:
        grad_input = tuple(self.grad_inputs)
        grad_output = tuple(self.grad_outputs)
        replacement = None
        for hook in list(self.module._backward_hooks.values()):
            r = hook(self.module, grad_input, grad_output)
            if r is None:
                continue
            r = tuple(r) if isinstance(r, (tuple, list)) else (r,)
            if len(r) != self.n_inputs:
                raise RuntimeError(
                    f"backward hook of {self.module._get_name()} returned {len(r)} gradients, "
                    f"but the module has {self.n_inputs} tensor inputs"
                )
            if len(self.input_slots) > 1:
                raise RuntimeError(
                    f"backward hook of {self.module._get_name()}: replacing grad_input is only "
                    "supported for modules with a single input that requires grad (chainrule "
                    "observes each input's gradient separately)"
                )
            grad_input = r
            if last_slot is not None:
                replacement = r[last_slot]
        return replacement


class Module:
    """Base class for all layers and models: subclass it, create parameters and submodules in
    ``__init__`` (after ``super().__init__()``), and define ``forward``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> class TwoLayer(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc1 = nn.Linear(4, 8)
        ...         self.fc2 = nn.Linear(8, 2)
        ...     def forward(self, x):
        ...         return self.fc2(self.fc1(x).relu())
        >>> model = TwoLayer()
        >>> model(chainrule.zeros(3, 4)).shape
        (3, 2)
        >>> [name for name, _ in model.named_parameters()]
        ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
    """

    training: bool
    _version: int = 1  # bumped when the state_dict layout changes (PyTorch convention)

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = {}
        d["_forward_pre_hooks"] = {}
        d["_forward_pre_hooks_with_kwargs"] = set()
        d["_forward_hooks"] = {}
        d["_forward_hooks_with_kwargs"] = set()
        d["_backward_hooks"] = {}

    # -- forward / call -------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Define the computation; called by ``module(*args)`` (call the module, not forward,
        so that hooks run)."""
        raise NotImplementedError(
            f'Module [{self._get_name()}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        d = self.__dict__
        if not (d["_forward_pre_hooks"] or d["_forward_hooks"] or d["_backward_hooks"]):
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        for hid, hook in list(self._forward_pre_hooks.items()):
            if hid in self._forward_pre_hooks_with_kwargs:
                r = hook(self, args, kwargs)
                if r is not None:
                    if not (isinstance(r, tuple) and len(r) == 2):
                        raise RuntimeError(
                            "forward pre-hook with kwargs must return None or (args, kwargs)"
                        )
                    args, kwargs = r
            else:
                r = hook(self, args)
                if r is not None:
                    args = r if isinstance(r, tuple) else (r,)
        bw_state = None
        if self._backward_hooks:
            args, bw_state = self._wrap_backward_inputs(args)
        out = self.forward(*args, **kwargs)
        for hid, hook in list(self._forward_hooks.items()):
            if hid in self._forward_hooks_with_kwargs:
                r = hook(self, args, kwargs, out)
            else:
                r = hook(self, args, out)
            if r is not None:
                out = r
        if bw_state is not None:
            out = self._wrap_backward_outputs(out, bw_state)
        return out

    def _wrap_backward_inputs(self, args: tuple) -> tuple[tuple, _BackwardHookState | None]:
        from chainrule.autograd.grad_mode import is_grad_enabled

        if not is_grad_enabled():
            return args, None
        tensor_pos = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        slots = [k for k, i in enumerate(tensor_pos) if args[i].requires_grad]
        st = _BackwardHookState(self, len(tensor_pos), slots)
        new_args = list(args)
        for k, i in enumerate(tensor_pos):
            if k in st.pending_inputs:
                t = _BackwardHookIdentity.apply(args[i])
                t.grad_fn.register_hook(st.input_hook(k))
                new_args[i] = t
        return tuple(new_args), st

    def _wrap_backward_outputs(self, out: Any, st: _BackwardHookState) -> Any:
        single = isinstance(out, Tensor)
        outs = [out] if single else (list(out) if isinstance(out, (tuple, list)) else None)
        if outs is None:
            return out
        st.n_outputs = len(outs)
        st.grad_outputs = [None] * len(outs)
        for i, o in enumerate(outs):
            if isinstance(o, Tensor) and o.requires_grad:
                t = _BackwardHookIdentity.apply(o)
                t.grad_fn.register_hook(st.output_hook(i))
                st.pending_outputs.add(i)
                outs[i] = t
        if single:
            return outs[0]
        if type(out) is tuple:
            return tuple(outs)
        if isinstance(out, tuple):  # a namedtuple
            return type(out)(*outs)
        return outs

    # -- hooks --------------------------------------------------------------------------------
    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args)`` before ``forward``; a non-None result replaces ``args``
        (``with_kwargs=True``: ``hook(module, args, kwargs)`` returning ``(args, kwargs)``).

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> m = nn.Identity()
            >>> h = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
            >>> m(chainrule.ones(2)).tolist()
            [2.0, 2.0]
            >>> h.remove(); m(chainrule.ones(2)).tolist()
            [1.0, 1.0]
        """
        handle = RemovableHandle(self._forward_pre_hooks)
        _insert(self._forward_pre_hooks, handle.id, hook, prepend)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs.add(handle.id)
        return handle

    def register_forward_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after ``forward``; a non-None result replaces the
        output (``with_kwargs=True``: ``hook(module, args, kwargs, output)``).

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> shapes = []
            >>> m = nn.Linear(3, 2)
            >>> h = m.register_forward_hook(lambda mod, args, out: shapes.append(out.shape))
            >>> _ = m(chainrule.zeros(5, 3)); shapes
            [(5, 2)]
        """
        handle = RemovableHandle(self._forward_hooks)
        _insert(self._forward_hooks, handle.id, hook, prepend)
        if with_kwargs:
            self._forward_hooks_with_kwargs.add(handle.id)
        return handle

    def register_full_backward_hook(
        self, hook: Callable[[Module, tuple, tuple], Any], prepend: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` during backward, where ``grad_input``
        holds the gradients w.r.t. the module's positional tensor inputs (``None`` for inputs
        that do not require grad) and ``grad_output`` those w.r.t. its outputs.

        The hook may return a replacement ``grad_input`` tuple. Difference from PyTorch: the
        replacement is supported only when a single input requires grad, because chainrule
        observes each input's gradient with its own tensor hook.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> seen = []
            >>> m = nn.Tanh()
            >>> h = m.register_full_backward_hook(
            ...     lambda mod, gi, go: seen.append((gi[0].tolist(), go[0].tolist())))
            >>> x = chainrule.zeros(2, requires_grad=True)
            >>> (m(x) * 3).sum().backward(); seen
            [([3.0, 3.0], [3.0, 3.0])]
        """
        handle = RemovableHandle(self._backward_hooks)
        _insert(self._backward_hooks, handle.id, hook, prepend)
        return handle

    # -- registration -------------------------------------------------------------------------
    def _check_name(self, name: Any, kind: str, registry: dict) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got {name!r}')
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"attribute {name!r} already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` under ``name`` (``None`` declares an absent parameter, e.g. a
        disabled bias). Same as assigning ``self.name = param``.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> m = nn.Module(); m.register_parameter("w", nn.Parameter(chainrule.ones(2)))
            >>> [n for n, _ in m.named_parameters()]
            ['w']
        """
        self._check_name(name, "parameter", self._parameters)
        if param is None:
            self._parameters[name] = None
            return
        if not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(chainrule.nn.Parameter or None required)"
            )
        if param.grad_fn is not None:
            raise ValueError(
                f"cannot assign non-leaf Tensor to parameter '{name}': it is the output of a "
                "recorded operation. Create it from a detached tensor: Parameter(t.detach())"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register a non-learnable tensor (e.g. running statistics) under ``name``; it moves with
        ``to()`` and, if ``persistent``, is saved in ``state_dict()``.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> m = nn.Module()
            >>> m.register_buffer("mean", chainrule.zeros(3))
            >>> m.register_buffer("scratch", chainrule.zeros(3), persistent=False)
            >>> list(m.state_dict()), [n for n, _ in m.named_buffers()]
            (['mean'], ['mean', 'scratch'])
        """
        self._check_name(name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(chainrule.Tensor or None required)"
            )
        if isinstance(tensor, (Buffer, Parameter)):
            t = Tensor._wrap(tensor._data)
            t._version = tensor._version
            tensor = t
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register a submodule under ``name`` (same as ``self.name = module``).

        Example:
            >>> from chainrule import nn
            >>> m = nn.Module(); m.add_module("act", nn.ReLU())
            >>> m
            Module(
              (act): ReLU()
            )
        """
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module", self._modules)
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            _remove_from(name, d, d["_buffers"], d["_modules"], d["_non_persistent_buffers_set"])
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(chainrule.nn.Parameter or None expected)"
                )
            params[name] = None
            return
        if isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            _remove_from(name, d, params, d["_buffers"], d["_non_persistent_buffers_set"])
            d["_modules"][name] = value
            return
        modules = d.get("_modules")
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(chainrule.nn.Module or None expected)"
                )
            modules[name] = None
            return
        if isinstance(value, Buffer):
            if params is None:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            _remove_from(name, d, params, d["_modules"])
            self.register_buffer(name, value, persistent=value.persistent)
            return
        buffers = d.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    "(chainrule.Tensor or None expected)"
                )
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            reg = d.get(key)
            if reg is not None and name in reg:
                return reg[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        if name in d.get("_parameters", ()):
            del d["_parameters"][name]
        elif name in d.get("_buffers", ()):
            del d["_buffers"][name]
            d["_non_persistent_buffers_set"].discard(name)
        elif name in d.get("_modules", ()):
            del d["_modules"][name]
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        keys = set(super().__dir__())
        keys.update(self._parameters, self._buffers, self._modules)
        return sorted(k for k in keys if not k[:1].isdigit())

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    # -- traversal ----------------------------------------------------------------------------
    def _named_members(
        self, get: Callable[[Module], Any], prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Any]]:
        memo: set[int] = set()
        mods = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for mod_prefix, mod in mods:
            for k, v in get(mod).items():
                if v is None:
                    continue
                if remove_duplicate:
                    if id(v) in memo:
                        continue
                    memo.add(id(v))
                yield (mod_prefix + ("." if mod_prefix else "") + k, v)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Iterate over the parameters (each once, even if shared), submodules included.

        Example:
            >>> from chainrule import nn
            >>> sum(p.numel() for p in nn.Linear(3, 2).parameters())
            8
        """
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Iterate over ``(dotted_name, parameter)``; a parameter shared by several modules is
        listed once (under its first name) unless ``remove_duplicate=False``.

        Example:
            >>> from chainrule import nn
            >>> lin = nn.Linear(2, 2); net = nn.Sequential(lin, nn.ReLU(), lin)
            >>> [n for n, _ in net.named_parameters()]
            ['0.weight', '0.bias']
        """
        yield from self._named_members(lambda m: m._parameters, prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Iterate over the buffers (submodules included).

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> m = nn.Module(); m.register_buffer("b", chainrule.zeros(2))
            >>> len(list(m.buffers()))
            1
        """
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """Iterate over ``(dotted_name, buffer)``.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> m = nn.Sequential(nn.Module()); m[0].register_buffer("b", chainrule.zeros(2))
            >>> [n for n, _ in m.named_buffers()]
            ['0.b']
        """
        yield from self._named_members(lambda m: m._buffers, prefix, recurse, remove_duplicate)

    def children(self) -> Iterator[Module]:
        """Iterate over the direct submodules.

        Example:
            >>> from chainrule import nn
            >>> [type(c).__name__ for c in nn.Sequential(nn.Linear(1, 1), nn.ReLU()).children()]
            ['Linear', 'ReLU']
        """
        for _, m in self.named_children():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Iterate over ``(name, submodule)`` for the direct submodules (each once).

        Example:
            >>> from chainrule import nn
            >>> [n for n, _ in nn.Sequential(nn.Linear(1, 1), nn.ReLU()).named_children()]
            ['0', '1']
        """
        memo: set[int] = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in memo:
                memo.add(id(m))
                yield name, m

    def modules(self) -> Iterator[Module]:
        """Iterate over all modules in the tree, this one first (each once).

        Example:
            >>> from chainrule import nn
            >>> len(list(nn.Sequential(nn.Linear(1, 1), nn.ReLU()).modules()))
            3
        """
        for _, m in self.named_modules():
            yield m

    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """Iterate over ``(dotted_name, module)`` for the whole tree; this module's name is
        ``prefix`` (``""`` by default).

        Example:
            >>> from chainrule import nn
            >>> net = nn.Sequential(nn.Sequential(nn.Linear(1, 1)), nn.ReLU())
            >>> [n for n, _ in net.named_modules()]
            ['', '0', '0.0', '1']
        """
        if memo is None:
            memo = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        # iterative pre-order walk (deep models do not hit the recursion limit)
        while stack:
            name, mod = stack.pop()
            if remove_duplicate:
                if id(mod) in memo:
                    continue
                memo.add(id(mod))
            yield name, mod
            kids = [
                (name + ("." if name else "") + k, m)
                for k, m in mod._modules.items()
                if m is not None
            ]
            stack.extend(reversed(kids))

    def get_submodule(self, target: str) -> Module:
        """Return the submodule at the dotted path ``target`` (``""`` is this module).

        Example:
            >>> from chainrule import nn
            >>> net = nn.Sequential(nn.Sequential(nn.Linear(1, 1)))
            >>> type(net.get_submodule("0.0")).__name__
            'Linear'
        """
        mod: Module = self
        if target == "":
            return mod
        for item in target.split("."):
            if item not in mod._modules or mod._modules[item] is None:
                raise AttributeError(f"{mod._get_name()} has no submodule `{item}` (in {target!r})")
            mod = mod._modules[item]
        return mod

    def get_parameter(self, target: str) -> Parameter:
        """Return the parameter at the dotted path ``target``.

        Example:
            >>> from chainrule import nn
            >>> nn.Sequential(nn.Linear(2, 3)).get_parameter("0.weight").shape
            (3, 2)
        """
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._parameters or mod._parameters[name] is None:
            raise AttributeError(f"{mod._get_name()} has no parameter `{name}` (in {target!r})")
        return mod._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        """Return the buffer at the dotted path ``target``.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> m = nn.Module(); m.register_buffer("b", chainrule.ones(1))
            >>> m.get_buffer("b").tolist()
            [1.0]
        """
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._buffers or mod._buffers[name] is None:
            raise AttributeError(f"{mod._get_name()} has no buffer `{name}` (in {target!r})")
        return mod._buffers[name]

    # -- modes and gradients ------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=True``) or evaluation mode on this module and all its
        submodules (affects e.g. Dropout and BatchNorm); returns self.

        Example:
            >>> from chainrule import nn
            >>> net = nn.Sequential(nn.Dropout(0.5)).train(False)
            >>> net.training, net[0].training
            (False, False)
        """
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (same as ``train(False)``); returns self.

        Example:
            >>> from chainrule import nn
            >>> nn.Linear(1, 1).eval().training
            False
        """
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter (e.g. ``False`` to freeze); returns self.

        Example:
            >>> from chainrule import nn
            >>> m = nn.Linear(2, 2).requires_grad_(False)
            >>> [p.requires_grad for p in m.parameters()]
            [False, False]
        """
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to ``None`` (default) or, with
        ``set_to_none=False``, to zeros.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> m = nn.Linear(2, 1); m(chainrule.ones(1, 2)).sum().backward()
            >>> m.zero_grad(); m.weight.grad is None
            True
        """
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
                continue
            g = p.grad
            if g.grad_fn is not None or not g._data.flags.writeable:
                p.grad = Tensor._wrap(np.zeros_like(g._data))
            else:
                g._data[...] = 0
                g._version[0] += 1

    # -- conversion ---------------------------------------------------------------------------
    def _apply(self, fn: Callable[[Any], Any]) -> Module:
        """Apply ``fn`` (array -> array) to every parameter, gradient and buffer, in place (the
        Parameter objects are kept, so optimizers holding them stay valid)."""
        with no_grad():
            for m in self.modules():
                for p in m._parameters.values():
                    if p is None:
                        continue
                    new = fn(p._data)
                    if new is not p._data:
                        p._data = new
                        p._version[0] += 1
                    if p.grad is not None:
                        p.grad = Tensor._wrap(fn(p.grad._data))
                for b in m._buffers.values():
                    if b is None:
                        continue
                    new = fn(b._data)
                    if new is not b._data:
                        b._data = new
                        b._version[0] += 1
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Convert floating-point parameters and buffers to a dtype, in place: ``to(dtype)``,
        ``to(tensor)`` (its dtype) or ``to("cpu")``. Integer buffers keep their dtype (as in
        PyTorch). Returns self.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> m = nn.Linear(2, 2); w = m.weight
            >>> m.to(chainrule.float64).weight.dtype, m.weight is w
            (dtype('float64'), True)
        """
        from chainrule.autograd.ops.conversion import parse_to_args
        from chainrule.backend.device import check_device

        device, dtype, _ = parse_to_args("Module.to", args, kwargs)
        check_device(device, "Module.to")
        if dtype is None:
            return self
        d = _dt.to_dtype(dtype)
        if not _dt.is_floating(d):
            raise TypeError(
                f"Module.to only accepts floating point dtypes, but got desired dtype={d}"
            )

        def convert(a: Any) -> Any:
            if _dt.is_floating(a.dtype) and a.dtype != d:
                return a.astype(d)
            return a

        return self._apply(convert)

    def float(self) -> Module:
        """Convert floating-point parameters and buffers to float32; returns self.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> nn.Linear(1, 1).double().float().weight.dtype
            dtype('float32')
        """
        return self.to(_dt.float32)

    def double(self) -> Module:
        """Convert floating-point parameters and buffers to float64; returns self.

        Example:
            >>> from chainrule import nn
            >>> nn.Linear(1, 1).double().weight.dtype
            dtype('float64')
        """
        return self.to(_dt.float64)

    def half(self) -> Module:
        """Convert floating-point parameters and buffers to float16; returns self.

        Example:
            >>> from chainrule import nn
            >>> nn.Linear(1, 1).half().weight.dtype
            dtype('float16')
        """
        return self.to(_dt.float16)

    def cpu(self) -> Module:
        """No-op (data already lives in host memory); returns self.

        Example:
            >>> from chainrule import nn
            >>> m = nn.ReLU(); m.cpu() is m
            True
        """
        return self

    def cuda(self, device: Any = None) -> Module:
        """Refused: this build runs on the CPU only (raises ``DeviceUnavailableError``).

        Example:
            >>> from chainrule import nn
            >>> try:
            ...     nn.ReLU().cuda()
            ... except RuntimeError as e:
            ...     print("CPU only" in str(e))
            True
        """
        from chainrule.backend.device import check_device

        check_device("cuda" if device is None else device, "Module.cuda")
        return self

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn(m)`` on every submodule (children first) and then on this module, e.g. for
        custom initialization; returns self.

        Example:
            >>> from chainrule import nn
            >>> names = []
            >>> _ = nn.Sequential(nn.Linear(1, 1), nn.ReLU()).apply(
            ...     lambda m: names.append(type(m).__name__))
            >>> names
            ['Linear', 'ReLU', 'Sequential']
        """
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # -- state dict ---------------------------------------------------------------------------
    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()

    def state_dict(
        self, *args: Any, destination: dict | None = None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict[str, Tensor]:
        """An ordered dict ``dotted_name -> tensor`` of the parameters and persistent buffers.

        The tensors share memory with the module's (detached unless ``keep_vars=True``): copy
        them (or save them with ``chainrule.save``) to keep a snapshot.

        Example:
            >>> from chainrule import nn
            >>> list(nn.Sequential(nn.Linear(2, 3)).state_dict())
            ['0.weight', '0.bias']
        """
        if args:  # positional form state_dict(destination, prefix, keep_vars), as in PyTorch
            destination = args[0]
            if len(args) > 1:
                prefix = args[1]
            if len(args) > 2:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
        for name, mod in self.named_modules(prefix=prefix.rstrip(".")):
            mod._save_to_state_dict(destination, name + "." if name else "", keep_vars)
        return destination

    def _load_from_state_dict(
        self,
        state_dict: Mapping[str, Any],
        prefix: str,
        local_metadata: dict,
        strict: bool,
        missing_keys: list[str],
        unexpected_keys: list[str],
        error_msgs: list[str],
    ) -> None:
        """Copy this module's own entries (``prefix + name``) from ``state_dict``; subclasses
        override it to convert old layouts. Shape mismatches are appended to ``error_msgs``."""
        persistent_buffers = {
            k: v for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set
        }
        local = {
            k: v for k, v in itertools.chain(self._parameters.items(), persistent_buffers.items())
        }
        for name, target in local.items():
            if target is None:
                continue
            key = prefix + name
            if key not in state_dict:
                missing_keys.append(key)
                continue
            value = state_dict[key]
            arr = value._data if isinstance(value, Tensor) else np.asarray(value)
            if arr.shape != target._data.shape:
                error_msgs.append(
                    f"size mismatch for {key}: copying a param with shape {tuple(arr.shape)} from "
                    f"checkpoint, the shape in current model is {tuple(target._data.shape)}."
                )
                continue
            try:
                target._data[...] = arr.astype(target._data.dtype, copy=False)
            except (TypeError, ValueError) as e:  # pragma: no cover - exotic dtypes
                error_msgs.append(f"while copying the parameter named {key!r}: {e}")
                continue
            target._version[0] += 1
        if strict:
            for key in state_dict:
                if key.startswith(prefix):
                    head = key[len(prefix) :].split(".", 1)[0]
                    if head not in self._modules and head not in local:
                        unexpected_keys.append(key)

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ) -> _IncompatibleKeys:
        """Copy parameters and buffers from ``state_dict`` into this module (in place).

        Returns ``(missing_keys, unexpected_keys)``. With ``strict=True`` (default) any missing
        or unexpected key raises a ``RuntimeError`` naming them; a shape mismatch always raises.
        ``assign`` is accepted for compatibility; values are always copied into the existing
        tensors (which keeps optimizers holding the parameters valid).

        Example:
            >>> from chainrule import nn
            >>> a, b = nn.Linear(2, 2), nn.Linear(2, 2)
            >>> b.load_state_dict(a.state_dict())
            <All keys matched successfully>
            >>> bool((a.weight == b.weight).all())
            True
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []
        with no_grad():
            for name, mod in self.named_modules():
                mod._load_from_state_dict(
                    state_dict, name + "." if name else "", {}, True, missing, unexpected, errors
                )
        if strict:
            if unexpected:
                errors.insert(
                    0,
                    "Unexpected key(s) in state_dict: "
                    + ", ".join(f'"{k}"' for k in unexpected)
                    + ". ",
                )
            if missing:
                errors.insert(
                    0,
                    "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ",
                )
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {self._get_name()}:\n\t" + "\n\t".join(errors)
            )
        return _IncompatibleKeys(missing, unexpected)

    # -- repr ---------------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text shown inside ``ClassName(...)`` by ``repr``; override it in layers.

        Example:
            >>> from chainrule import nn
            >>> nn.Linear(2, 3).extra_repr()
            'in_features=2, out_features=3, bias=True'
        """
        return ""

    def __repr__(self) -> str:
        extra_lines = []
        extra = self.extra_repr()
        if extra:
            extra_lines = extra.split("\n")
        child_lines = []
        for key, module in self._modules.items():
            mod_str = _addindent(repr(module), 2)
            child_lines.append("(" + key + "): " + mod_str)
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"


def _insert(hooks: dict, key: int, hook: Any, prepend: bool) -> None:
    hooks[key] = hook
    if prepend:
        items = list(hooks.items())
        hooks.clear()
        hooks[key] = hook
        hooks.update(items[:-1])


def _remove_from(name: str, *containers: Any) -> None:
    for c in containers:
        if name in c:
            if isinstance(c, set):
                c.discard(name)
            else:
                del c[name]
