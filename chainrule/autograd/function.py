"""``Function``: one primitive operation, its forward and its vector-Jacobian product in one place.

A primitive subclasses :class:`Function` and defines

* ``forward(self, *arrays, **params) -> array``: computes the output from the input *arrays*
  (written against the array module, never against Tensor), and stores on ``self`` whatever
  backward needs beyond the inputs and the output (for example an index array).
* ``backward(self, grad: Tensor) -> Tensor | None | tuple``: one gradient per input, ``None``
  meaning "no gradient". It is written with Tensor operations, so that with
  ``create_graph=True`` the backward pass is itself recorded and can be differentiated again.
  ``self.inputs`` are the input Tensors and ``self.output()`` returns the output as a Tensor.
* ``vjp(self, grad: array) -> array | None | tuple`` (optional): the same rule on raw arrays.
  When present, the engine uses it for first-order backward passes (no Tensor objects, no
  dispatch: the speed path), and ``backward`` only for ``create_graph=True``. The test suite
  checks the two against each other for every op that has both.
* ``saves_inputs`` / ``saves_output`` (class flags): whether backward reads the values of the
  inputs / the output. They drive the in-place check: backward raises if such a tensor was
  modified in place after the forward pass.
* ``first_order_only``: set on ops whose backward is fused on raw arrays for speed; they refuse
  ``create_graph=True`` with a clear error instead of returning a wrong second derivative.

``Function.apply(*tensors, **params)`` runs forward, and records the node in the graph only when
gradients are enabled and some input requires grad. The engine (``engine.py``) walks these nodes
backward; broadcasting reduction of gradients happens there, once, and never inside an op.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd import anomaly
from chainrule.autograd.grad_mode import state

_generic = np.generic
_asarray = np.asarray
_new_object = object.__new__


class Function:
    """Base class of every primitive operation; an instance is one node of the graph.

    Example (a custom op with its own gradient, as with ``torch.autograd.Function``):
        >>> import chainrule
        >>> from chainrule.autograd.function import Function
        >>> class Cube(Function):
        ...     saves_inputs = True
        ...     def forward(self, x):
        ...         return x ** 3
        ...     def backward(self, grad):
        ...         (x,) = self.inputs
        ...         return grad * 3 * x * x
        >>> x = chainrule.tensor([2.0], requires_grad=True)
        >>> Cube.apply(x).sum().backward(); x.grad.tolist()
        [12.0]
    """

    # Only ``inputs`` is a slot; the rest lives in the instance dict with class-level defaults,
    # so a node pays only for what its op actually stores.
    __slots__ = ("inputs", "__dict__")

    out = None
    site = None
    _hooks = None
    saves_inputs = False
    saves_output = False
    first_order_only = False
    is_view = False  # output may share memory with input 0: they share one version counter
    vjp = None  # optional array-level first-order backward (see the module docstring)

    # -- subclass interface ------------------------------------------------------------------
    def forward(self, *arrays: Any, **params: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, grad: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} has no backward")

    # -- graph recording ---------------------------------------------------------------------
    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Any:
        """Run the op on Tensors; record a graph node if any input requires grad.

        Example:
            >>> import chainrule
            >>> from chainrule.autograd.ops.elementwise import Exp
            >>> Exp.apply(chainrule.zeros(1)).tolist()
            [1.0]
        """
        node = cls.__new__(cls)
        n = len(inputs)
        if n == 1:
            out = node.forward(inputs[0]._data, **params)
        elif n == 2:
            out = node.forward(inputs[0]._data, inputs[1]._data, **params)
        else:
            out = node.forward(*[t._data for t in inputs], **params)
        if state.anomaly:
            node.site = anomaly.user_site()
            anomaly.check_forward(node, out)
        if state.grad_enabled:
            for t in inputs:
                if t.requires_grad:
                    break
            else:
                r = Tensor._wrap(out)
                if cls.is_view:
                    r._version = inputs[0]._version
                return r
            node.inputs = inputs
            if cls.saves_inputs:
                node._versions = [t._version[0] for t in inputs]
            # inlined Tensor._from_op (this is the hottest constructor)
            if isinstance(out, _generic):
                out = _asarray(out)
            result = _new_object(Tensor)
            result._data = out
            result.requires_grad = True
            result.grad_fn = node
            result.grad = None
            result._hooks = None
            if cls.is_view:
                result._version = inputs[0]._version
            else:
                result._version = [0]
            if cls.saves_output:
                node.out = out
                node._out_version = result._version
                node._out_v0 = result._version[0]
            return result
        r = Tensor._wrap(out)
        if cls.is_view:
            r._version = inputs[0]._version
        return r

    def output(self) -> Any:
        """The op's output as a Tensor attached to this node (for use inside ``backward``).

        With ``create_graph=True`` gradients of expressions built from it flow back through
        this node, exactly as through the original output tensor.
        """
        t = Tensor._from_op(self.out, self)
        t._version = self._out_version
        return t

    # -- engine support ----------------------------------------------------------------------
    def check_versions(self) -> None:
        """Raise if a tensor that backward needs was modified in place after the forward pass."""
        if self.saves_inputs:
            for i, (t, v) in enumerate(zip(self.inputs, self._versions)):
                if t._version[0] != v:
                    raise RuntimeError(
                        f"{self.name()}: input {i} (shape {t.shape}) was modified by an in-place "
                        f"operation after it was used (version {v} -> {t._version[0]}), but "
                        "backward needs its original value. Use an out-of-place operation "
                        "(e.g. `x = x + 1` instead of `x.add_(1)`) or clone() it before use."
                    )
        if self.saves_output and self._out_version[0] != self._out_v0:
            raise RuntimeError(
                f"{self.name()}: its output was modified by an in-place operation, but backward "
                "needs the original output. Use an out-of-place operation or clone() the output."
            )

    def release(self) -> None:
        """Drop everything backward needed (called after backward unless retain_graph=True)."""
        self.inputs = None
        self.__dict__.clear()

    @classmethod
    def name(cls) -> str:
        """The op name shown in errors and reprs, e.g. ``MulBackward``."""
        return cls.__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    @property
    def next_functions(self) -> tuple:
        """Where gradients flow next, as PyTorch's tuple of ``(node, output_index)`` pairs: the
        input's ``grad_fn``, an :class:`AccumulateGrad` for a leaf that requires grad, or
        ``None`` for an input without gradient.

        Example:
            >>> import chainrule
            >>> x = chainrule.ones(2, requires_grad=True)
            >>> y = (x * 2).sum()
            >>> [(type(n).__name__, i) for n, i in y.grad_fn.next_functions]
            [('Mul', 0)]
            >>> [(n and n.name(), i) for n, i in y.grad_fn.next_functions[0][0].next_functions]
            [('AccumulateGrad', 0), (None, 0)]
        """
        if self.inputs is None:
            return ()
        return tuple(
            (
                t.grad_fn
                if t.grad_fn is not None
                else (AccumulateGrad(t) if t.requires_grad else None),
                0,
            )
            for t in self.inputs
        )

    def register_hook(self, fn: Any) -> Any:
        """Call ``fn(grad)`` with the gradient arriving at this node's output; a returned tensor
        replaces the gradient."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return _RemovableHandle(self._hooks, fn)


class AccumulateGrad:
    """The graph node of a leaf tensor that requires grad (``next_functions`` entries): its
    ``variable`` is the leaf, whose ``.grad`` receives the gradient.

    Example:
        >>> import chainrule
        >>> w = chainrule.ones(1, requires_grad=True)
        >>> node = (w * 3).grad_fn.next_functions[0][0]
        >>> node.variable is w, node.name(), node.next_functions
        (True, 'AccumulateGrad', ())
    """

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    @staticmethod
    def name() -> str:
        """``'AccumulateGrad'``."""
        return "AccumulateGrad"

    @property
    def next_functions(self) -> tuple:
        """Empty: a leaf is where gradients stop."""
        return ()

    def register_hook(self, fn: Any) -> Any:
        """A hook on the leaf's gradient (as ``variable.register_hook``)."""
        return self.variable.register_hook(fn)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self) -> int:
        return id(self.variable)

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


class _RemovableHandle:
    """Returned by ``register_hook``; ``.remove()`` unregisters the hook."""

    __slots__ = ("_list", "_fn")

    def __init__(self, hooks: list, fn: Any) -> None:
        self._list = hooks
        self._fn = fn

    def remove(self) -> None:
        """Unregister the hook (idempotent)."""
        try:
            self._list.remove(self._fn)
        except ValueError:
            pass


from chainrule.autograd.tensor import Tensor  # noqa: E402  (circular: Tensor uses Function)
