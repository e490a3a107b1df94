"""``Tensor``: an array plus what reverse-mode differentiation needs to know about it.

Slots only, so that creating the many intermediate tensors of a training step stays cheap. The
math methods and operators (``+``, ``exp``, ``sum`` ...) are attached by the op registry
(``chainrule.autograd.ops``): each op is declared once, and the method is derived from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.backend import dtypes as _dt
from chainrule.backend import to_numpy
from chainrule.backend.device import CPU as _CPU
from chainrule.backend.device import device as _device


class Tensor:
    """A multi-dimensional array that records the operations applied to it for ``backward()``.

    Create tensors with :func:`chainrule.tensor`, :func:`chainrule.zeros`, ... (``Tensor(data)``
    also works and, like PyTorch, gives the default float dtype).

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y.backward()
        >>> x.grad
        tensor([2., 4., 6.])
    """

    __slots__ = ("_data", "requires_grad", "grad_fn", "grad", "_version", "_hooks", "__weakref__")
    __array_priority__ = 1000  # so `ndarray + Tensor` defers to Tensor.__radd__

    def __init__(
        self, *args: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None
    ) -> None:
        # PyTorch's forms: Tensor(data), Tensor(d0, d1, ...) (a shape), Tensor() (empty)
        if device is not None:
            from chainrule.backend.device import check_device

            check_device(device, "Tensor")
        d = _dt.get_default_dtype() if dtype is None else _dt.to_dtype(dtype)
        if args and all(type(a) is int for a in args):
            arr = np.zeros(args, dtype=d)
        elif len(args) > 1:
            raise TypeError(
                f"Tensor(): expected one data argument or integer sizes, got {len(args)} "
                f"arguments of types {[type(a).__name__ for a in args]}"
            )
        else:
            data = args[0] if args and args[0] is not None else []
            if isinstance(data, (float, bool)):
                raise TypeError(
                    f"Tensor(): data must be a sequence (got {type(data).__name__}); use "
                    "chainrule.tensor(value) for a 0-d tensor"
                )
            arr = _as_array(data, d)
        self._data = arr
        self.grad_fn = None
        self.grad = None
        self._version = [0]
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # -- fast constructors used by the engine and ops (no checks, no copies) ----------------------
    @staticmethod
    def _wrap(array: Any) -> Tensor:
        if isinstance(array, _generic):  # NumPy returns scalars for 0-d results; keep arrays
            array = np.asarray(array)
        t = _new(Tensor)
        t._data = array
        t.requires_grad = False
        t.grad_fn = None
        t.grad = None
        t._version = [0]
        t._hooks = None
        return t

    @staticmethod
    def _from_op(array: Any, node: Any) -> Tensor:
        if isinstance(array, _generic):
            array = np.asarray(array)
        t = _new(Tensor)
        t._data = array
        t.requires_grad = True
        t.grad_fn = node
        t.grad = None
        t._version = [0]
        t._hooks = None
        return t

    # -- array facts ---------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The shape as a tuple of ints (PyTorch returns ``torch.Size``, a tuple subclass)."""
        return self._data.shape

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        """The element type, e.g. ``chainrule.float32`` (a ``numpy.dtype``)."""
        return self._data.dtype

    @property
    def device(self) -> _device:
        """Where the data lives: ``device(type='cpu')`` (NumPy arrays).

        Example:
            >>> import chainrule
            >>> chainrule.zeros(1).device
            device(type='cpu')
        """
        return _CPU if isinstance(self._data, np.ndarray) else _device("cuda", 0)

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded operation (e.g. parameters, inputs)."""
        return self.grad_fn is None

    @property
    def data(self) -> Tensor:
        """A tensor sharing this one's storage, detached from the graph (as in PyTorch)."""
        t = Tensor._wrap(self._data)
        t._version = self._version
        return t

    @data.setter
    def data(self, value: Any) -> None:
        arr = value._data if isinstance(value, Tensor) else np.asarray(value)
        self._data = arr
        self._version[0] += 1

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the size of dimension ``dim``.

        Example:
            >>> import chainrule
            >>> chainrule.zeros(2, 3).size(), chainrule.zeros(2, 3).size(-1)
            ((2, 3), 3)
        """
        if dim is None:
            return self._data.shape
        return self._data.shape[dim]

    def dim(self) -> int:
        """Number of dimensions (same as ``ndim``)."""
        return self._data.ndim

    def numel(self) -> int:
        """Number of elements."""
        return int(self._data.size)

    def element_size(self) -> int:
        """Bytes per element."""
        return int(self._data.itemsize)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    # -- conversion ----------------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The data as a NumPy array, sharing memory (unlike PyTorch, allowed with requires_grad;
        writing into it bypasses autograd's in-place checks).

        Example:
            >>> import chainrule
            >>> chainrule.ones(2).numpy()
            array([1., 1.], dtype=float32)
        """
        return to_numpy(self._data)

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number.

        Example:
            >>> import chainrule
            >>> chainrule.tensor([2.5]).item()
            2.5
        """
        if self._data.size != 1:
            raise ValueError(
                f"item(): only one-element tensors can be converted to a Python number, "
                f"got shape {self.shape}"
            )
        return self._data.item()

    def tolist(self) -> Any:
        """The data as (nested) Python lists.

        Example:
            >>> import chainrule
            >>> chainrule.eye(2).tolist()
            [[1.0, 0.0], [0.0, 1.0]]
        """
        return to_numpy(self._data).tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = to_numpy(self._data)
        return a if dtype is None else a.astype(dtype, copy=False)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self._data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self._data.item())

    __hash__ = object.__hash__

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(self._data.shape[0]):
            yield self[i]

    # -- autograd ------------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set whether gradients are recorded for this (leaf) tensor; returns self.

        Example:
            >>> import chainrule
            >>> chainrule.zeros(2).requires_grad_().requires_grad
            True
        """
        if requires_grad and not _dt.is_floating(self._data.dtype):
            raise TypeError(
                f"requires_grad_: only floating-point tensors can require gradients, "
                f"got dtype {self._data.dtype}"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "requires_grad_(False): this tensor is the output of a recorded operation; "
                "use .detach() to get a tensor without gradient"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self) -> Tensor:
        """A new tensor sharing this one's data, cut out of the graph (no gradient flows back).

        Example:
            >>> import chainrule
            >>> x = chainrule.ones(2, requires_grad=True)
            >>> (x * 2).detach().requires_grad
            False
        """
        t = Tensor._wrap(self._data)
        t._version = self._version
        return t

    def detach_(self) -> Tensor:
        """Cut this tensor out of the graph in place; returns self."""
        self.grad_fn = None
        self.requires_grad = False
        return self

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Compute the gradient of this tensor with respect to every leaf that requires grad, and
        add it into their ``.grad``.

        Example:
            >>> import chainrule
            >>> w = chainrule.tensor(3.0, requires_grad=True)
            >>> (w * w).backward(); w.grad.item()
            6.0
        """
        from chainrule.autograd.engine import backward

        backward(self, gradient, retain_graph, create_graph, inputs)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces
        the gradient. Returns a handle whose ``remove()`` unregisters it.

        Example:
            >>> import chainrule
            >>> x = chainrule.ones(2, requires_grad=True)
            >>> h = x.register_hook(lambda g: g * 10)
            >>> x.sum().backward(); x.grad.tolist()
            [10.0, 10.0]
        """
        if not self.requires_grad:
            raise RuntimeError(
                "register_hook: cannot register a hook on a tensor that doesn't require gradient"
            )
        from chainrule.autograd.function import _RemovableHandle

        if self.grad_fn is not None:
            return self.grad_fn.register_hook(hook)
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> Any:
        """Call ``hook(self)`` after each backward has finished accumulating into ``self.grad``
        (leaves only, as in PyTorch). Returns a handle whose ``remove()`` unregisters it.

        Example:
            >>> import chainrule
            >>> w = chainrule.ones(2, requires_grad=True); seen = []
            >>> h = w.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.tolist()))
            >>> (w * w + w).sum().backward(); seen
            [[3.0, 3.0]]
        """
        if self.grad_fn is not None or not self.requires_grad:
            raise RuntimeError(
                "register_post_accumulate_grad_hook: only leaf tensors that require grad have "
                f"an accumulated .grad (this tensor: requires_grad={self.requires_grad}, "
                f"grad_fn={None if self.grad_fn is None else self.grad_fn.name()})"
            )
        from chainrule.autograd.engine import register_post_accumulate_grad_hook

        return register_post_accumulate_grad_hook(self, hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep it).

        Example:
            >>> import chainrule
            >>> x = chainrule.ones(2, requires_grad=True); y = x * 3; y.retain_grad()
            >>> y.sum().backward(); y.grad.tolist()
            [1.0, 1.0]
        """
        if self.grad_fn is None:
            return
        import weakref

        ref = weakref.ref(self)

        def keep(grad: Tensor) -> None:
            t = ref()
            if t is not None:
                g = grad.detach()
                t.grad = g if t.grad is None else Tensor._wrap(t.grad._data + g._data)

        self.grad_fn.register_hook(keep)

    # -- in-place support ----------------------------------------------------------------------
    def _check_inplace(self, op: str) -> None:
        from chainrule.autograd.grad_mode import state

        if self.requires_grad and state.grad_enabled:
            what = (
                "a leaf tensor that requires grad"
                if self.grad_fn is None
                else ("a tensor that is part of the recorded graph")
            )
            raise RuntimeError(
                f"{op}: in-place operation on {what} (shape {self.shape}). Wrap parameter "
                "updates in `with chainrule.no_grad():`, or use the out-of-place form "
                f"(e.g. `x = x.{op.rstrip('_')}(...)`)."
            )

    def _bump(self) -> None:
        self._version[0] += 1

    def __repr__(self) -> str:
        o = PRINT_OPTIONS
        kw: dict[str, Any] = {}
        if o["precision"] is not None:
            kw["precision"] = o["precision"]
        if o["sci_mode"] is not None and self._data.dtype.kind == "f":
            digits = 4 if o["precision"] is None else o["precision"]
            spec = f".{digits}{'e' if o['sci_mode'] else 'f'}"
            kw["formatter"] = {"float_kind": lambda v: format(v, spec)}
        body = np.array2string(
            to_numpy(self._data),
            separator=", ",
            prefix="tensor(",
            threshold=o["threshold"],
            edgeitems=o["edgeitems"],
            max_line_width=o["linewidth"],
            **kw,
        )
        extras = []
        if self._data.dtype not in (_dt.get_default_dtype(), _dt.int64, _dt.bool_):
            extras.append(f"dtype={self._data.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn={self.grad_fn!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        tail = "".join(", " + e for e in extras)
        return f"tensor({body}{tail})"

    __str__ = __repr__


_new = object.__new__
_generic = np.generic

# How tensors print (``chainrule.set_printoptions`` changes it); None: NumPy's choice.
_PRINT_DEFAULTS: dict[str, Any] = {
    "precision": None,
    "threshold": 200,
    "edgeitems": 3,
    "linewidth": 75,
    "sci_mode": None,
}
PRINT_OPTIONS: dict[str, Any] = dict(_PRINT_DEFAULTS)


def _as_array(data: Any, dtype: np.dtype | None) -> np.ndarray:
    """Convert user data to an array of ``dtype`` (None: infer; Python floats -> default dtype).

    NumPy arrays of a supported dtype are returned as they are (no copy); callers that need a
    copy make it.
    """
    if isinstance(data, Tensor):
        arr = data._data
        return arr if dtype is None or arr.dtype == dtype else arr.astype(dtype)
    if isinstance(data, np.ndarray):
        if dtype is not None:
            return data.astype(dtype, copy=False)
        if data.dtype in _dt._SUPPORTED:
            return data
        if data.dtype.kind in "iu":
            return data.astype(_dt.int64)
        if data.dtype.kind == "f":
            return data.astype(_dt.float64)
        raise TypeError(f"tensor(): cannot make a tensor from an array of dtype {data.dtype}")
    if dtype is not None:
        return np.array(data, dtype=dtype)
    arr = np.array(data)
    if arr.dtype.kind == "f":
        return arr.astype(_dt.get_default_dtype()) if not isinstance(data, np.generic) else arr
    if arr.dtype.kind in "iu":
        return arr.astype(_dt.int64, copy=False)
    if arr.dtype.kind == "b":
        return arr
    raise TypeError(
        f"tensor(): cannot make a tensor from data of type {type(data).__name__} "
        f"(NumPy dtype {arr.dtype})"
    )
