"""Containers: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList``, ``ParameterDict``.

They register what they hold, so ``parameters()``, ``state_dict()``, ``to()`` and ``train()`` reach
every contained module or parameter (a plain Python list of layers would be invisible to them).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module, _addindent
from chainrule.nn.parameter import Parameter

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
__functional__: list[str] = []


def _norm_index(idx: int, n: int, what: str) -> int:
    idx = int(idx)
    if not -n <= idx < n:
        raise IndexError(f"index {idx} is out of range for {what} of length {n}")
    return idx % n


class Sequential(Module):
    """Chain of modules applied in order: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    Built from modules (named ``"0"``, ``"1"``, ...) or from an ``OrderedDict`` of named ones.
    Supports ``len``, iteration, indexing (a slice returns a ``Sequential``), ``append``.

    Example:
        >>> import chainrule
        >>> from collections import OrderedDict
        >>> from chainrule import nn
        >>> net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> net(chainrule.zeros(5, 4)).shape, len(net), type(net[0:2]).__name__
        ((5, 2), 3, 'Sequential')
        >>> named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
        >>> named.fc is named[0]
        True
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

    def forward(self, input: Any) -> Any:
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return self.__class__(OrderedDict(list(self._modules.items())[idx]))
        keys = list(self._modules)
        return self._modules[keys[_norm_index(idx, len(keys), "Sequential")]]

    def __setitem__(self, idx: int, module: Module) -> None:
        keys = list(self._modules)
        setattr(self, keys[_norm_index(idx, len(keys), "Sequential")], module)

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)
        if isinstance(idx, slice):
            for k in keys[idx]:
                delattr(self, k)
        else:
            delattr(self, keys[_norm_index(idx, len(keys), "Sequential")])
        # keep integer names contiguous, as PyTorch does
        items = list(self._modules.items())
        self._modules.clear()
        for i, (k, m) in enumerate(items):
            self._modules[str(i) if k.isdigit() else k] = m

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __add__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError(f"add operator supports only Sequential, got {type(other).__name__}")
        return Sequential(*self, *other)

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end; returns self.

        Example:
            >>> from chainrule import nn
            >>> len(nn.Sequential(nn.ReLU()).append(nn.Tanh()))
            2
        """
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> Sequential:
        """Append every module of ``modules``; returns self.

        Example:
            >>> from chainrule import nn
            >>> len(nn.Sequential().extend([nn.ReLU(), nn.Tanh()]))
            2
        """
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Insert ``module`` before position ``index``; returns self.

        Example:
            >>> from chainrule import nn
            >>> type(nn.Sequential(nn.ReLU()).insert(0, nn.Tanh())[0]).__name__
            'Tanh'
        """
        if not isinstance(module, Module):
            raise TypeError(f"module should be of type Module, got {type(module).__name__}")
        n = len(self._modules)
        if not -n <= index <= n:
            raise IndexError(f"index {index} is out of range for Sequential of length {n}")
        if index < 0:
            index += n
        mods = list(self._modules.values())
        mods.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(mods):
            self._modules[str(i)] = m
        return self

    def pop(self, key: int) -> Module:
        """Remove and return the module at position ``key``.

        Example:
            >>> from chainrule import nn
            >>> s = nn.Sequential(nn.ReLU(), nn.Tanh()); type(s.pop(0)).__name__, len(s)
            ('ReLU', 1)
        """
        v = self[key]
        del self[key]
        return v


class ModuleList(Module):
    """A list of modules, registered (so their parameters are found) but not called in any
    particular order: write the ``forward`` that uses them.

    Example:
        >>> from chainrule import nn
        >>> layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
        >>> len(layers), len(list(layers.parameters()))
        (3, 6)
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return self.__class__(list(self._modules.values())[idx])
        return self._modules[str(_norm_index(idx, len(self), "ModuleList"))]

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, str(_norm_index(idx, len(self), "ModuleList")), module)

    def __delitem__(self, idx: int | slice) -> None:
        if isinstance(idx, slice):
            for k in range(len(self._modules))[idx]:
                delattr(self, str(k))
        else:
            delattr(self, str(_norm_index(idx, len(self), "ModuleList")))
        mods = list(self._modules.values())
        self._modules.clear()
        for i, m in enumerate(mods):
            self._modules[str(i)] = m

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; returns self.

        Example:
            >>> from chainrule import nn
            >>> len(nn.ModuleList().append(nn.ReLU()))
            1
        """
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Append every module of ``modules``; returns self.

        Example:
            >>> from chainrule import nn
            >>> len(nn.ModuleList([nn.ReLU()]).extend([nn.Tanh(), nn.ReLU()]))
            3
        """
        if isinstance(modules, (Module, Tensor)) or not isinstance(modules, Iterable):
            raise TypeError(
                f"ModuleList.extend should be called with an iterable, got {type(modules).__name__}"
            )
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``.

        Example:
            >>> from chainrule import nn
            >>> ml = nn.ModuleList([nn.ReLU()]); ml.insert(0, nn.Tanh())
            >>> type(ml[0]).__name__
            'Tanh'
        """
        mods = list(self._modules.values())
        mods.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(mods):
            self.add_module(str(i), m)

    def pop(self, key: int = -1) -> Module:
        """Remove and return the module at position ``key``.

        Example:
            >>> from chainrule import nn
            >>> type(nn.ModuleList([nn.ReLU(), nn.Tanh()]).pop()).__name__
            'Tanh'
        """
        v = self[key]
        del self[key]
        return v

    def __repr__(self) -> str:
        """Like PyTorch: runs of identical consecutive modules are shown once, as ``(0-2): 3 x``."""
        mods = list(self._modules.values())
        if not mods:
            return self._get_name() + "()"
        reprs = [repr(m) for m in mods]
        lines = []
        start = 0
        for i in range(1, len(reprs) + 1):
            if i == len(reprs) or reprs[i] != reprs[start]:
                n = i - start
                body = _addindent(reprs[start], 2)
                if n == 1:
                    lines.append(f"({start}): {body}")
                else:
                    lines.append(f"({start}-{i - 1}): {n} x {body}")
                start = i
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules (insertion-ordered), registered under their keys.

    Example:
        >>> from chainrule import nn
        >>> heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "box": nn.Linear(4, 4)})
        >>> list(heads.keys()), "cls" in heads
        (['cls', 'box'], True)
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def clear(self) -> None:
        """Remove all modules.

        Example:
            >>> from chainrule import nn
            >>> d = nn.ModuleDict({"a": nn.ReLU()}); d.clear(); len(d)
            0
        """
        self._modules.clear()

    def pop(self, key: str) -> Module:
        """Remove and return the module under ``key``.

        Example:
            >>> from chainrule import nn
            >>> type(nn.ModuleDict({"a": nn.ReLU()}).pop("a")).__name__
            'ReLU'
        """
        v = self[key]
        del self[key]
        return v

    def keys(self) -> Iterable[str]:
        """The keys.

        Example:
            >>> from chainrule import nn
            >>> list(nn.ModuleDict({"a": nn.ReLU()}).keys())
            ['a']
        """
        return self._modules.keys()

    def items(self) -> Iterable[tuple[str, Module]]:
        """The ``(key, module)`` pairs.

        Example:
            >>> from chainrule import nn
            >>> [k for k, _ in nn.ModuleDict({"a": nn.ReLU()}).items()]
            ['a']
        """
        return self._modules.items()

    def values(self) -> Iterable[Module]:
        """The modules.

        Example:
            >>> from chainrule import nn
            >>> [type(m).__name__ for m in nn.ModuleDict({"a": nn.ReLU()}).values()]
            ['ReLU']
        """
        return self._modules.values()

    def update(self, modules: Mapping[str, Module] | Iterable) -> None:
        """Add (or replace) modules from a mapping or an iterable of ``(key, module)`` pairs.

        Example:
            >>> from chainrule import nn
            >>> d = nn.ModuleDict(); d.update([("a", nn.ReLU())]); len(d)
            1
        """
        items = modules.items() if isinstance(modules, Mapping) else modules
        for j, kv in enumerate(items):
            if not isinstance(kv, Mapping) and len(kv) != 2:
                raise ValueError(
                    f"ModuleDict update sequence element #{j} has length {len(kv)}; 2 is required"
                )
            self[kv[0]] = kv[1]


def _as_parameter(value: Any) -> Any:
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


class ParameterList(Module):
    """A list of parameters, registered as ``"0"``, ``"1"``, ... (plain tensors are wrapped in
    :class:`Parameter`).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> pl = nn.ParameterList([nn.Parameter(chainrule.zeros(2)) for _ in range(3)])
        >>> len(pl), [n for n, _ in pl.named_parameters()]
        (3, ['0', '1', '2'])
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return self.__class__([self[i] for i in range(len(self))[idx]])
        return getattr(self, str(_norm_index(idx, len(self), "ParameterList")))

    def __setitem__(self, idx: int, param: Any) -> None:
        setattr(self, str(_norm_index(idx, len(self), "ParameterList")), _as_parameter(param))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))

    def __iadd__(self, parameters: Iterable[Any]) -> ParameterList:
        return self.extend(parameters)

    def append(self, value: Any) -> ParameterList:
        """Add ``value`` at the end; returns self.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> len(nn.ParameterList().append(chainrule.zeros(1)))
            1
        """
        i = self._size
        self._size += 1
        setattr(self, str(i), _as_parameter(value))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Append every value; returns self.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> len(nn.ParameterList().extend([chainrule.zeros(1), chainrule.ones(1)]))
            2
        """
        if isinstance(values, Tensor) or not isinstance(values, Iterable):
            raise TypeError(
                "ParameterList.extend should be called with an iterable, "
                f"got {type(values).__name__}"
            )
        for v in values:
            self.append(v)
        return self

    def extra_repr(self) -> str:
        lines = []
        for i, p in enumerate(self):
            if isinstance(p, Tensor):
                size = "x".join(str(s) for s in p.shape)
                kind = "Parameter" if isinstance(p, Parameter) else "Tensor"
                lines.append(f"({i}): {kind} containing: [{p.dtype} of size {size}]")
            else:
                lines.append(f"({i}): Object of type: {type(p).__name__}")
        return "\n".join(lines)


class ParameterDict(Module):
    """A dict of parameters (insertion-ordered; plain tensors are wrapped in :class:`Parameter`).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> pd = nn.ParameterDict({"scale": chainrule.ones(3)})
        >>> isinstance(pd["scale"], nn.Parameter), [n for n, _ in pd.named_parameters()]
        (True, ['scale'])
    """

    def __init__(self, parameters: Mapping[str, Any] | Iterable | None = None) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._keys[key] = None
        setattr(self, key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def keys(self) -> Iterable[str]:
        """The keys.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> list(nn.ParameterDict({"a": chainrule.ones(1)}).keys())
            ['a']
        """
        return self._keys.keys()

    def items(self) -> Iterable[tuple[str, Any]]:
        """The ``(key, parameter)`` pairs.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> [k for k, _ in nn.ParameterDict({"a": chainrule.ones(1)}).items()]
            ['a']
        """
        return [(k, self[k]) for k in self._keys]

    def values(self) -> Iterable[Any]:
        """The parameters.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> len(list(nn.ParameterDict({"a": chainrule.ones(1)}).values()))
            1
        """
        return [self[k] for k in self._keys]

    def pop(self, key: str) -> Any:
        """Remove and return the parameter under ``key``.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> nn.ParameterDict({"a": chainrule.ones(1)}).pop("a").shape
            (1,)
        """
        v = self[key]
        del self[key]
        return v

    def update(self, parameters: Mapping[str, Any] | Iterable) -> None:
        """Add (or replace) entries from a mapping or an iterable of ``(key, value)`` pairs.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> d = nn.ParameterDict(); d.update([("a", chainrule.ones(1))]); len(d)
            1
        """
        items = parameters.items() if isinstance(parameters, Mapping) else parameters
        for k, v in items:
            self[k] = v

    def extra_repr(self) -> str:
        lines = []
        for k, p in self.items():
            size = "x".join(str(s) for s in p.shape)
            lines.append(f"({k}): Parameter containing: [{p.dtype} of size {size}]")
        return "\n".join(lines)
