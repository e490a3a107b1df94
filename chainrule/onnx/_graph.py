"""The ONNX graph under construction: value names, initializers, nodes.

Each traced tensor gets one value name. A tensor that no traced op produced is a model input
(by identity), a parameter or buffer (an initializer under its ``state_dict`` name) or a
constant (an initializer named ``const_N``). Constants are checked against the second trace
(same shapes, other input values): one that differs was computed from the inputs outside the
engine, and exporting it as a constant would be silently wrong, so that is an error.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.onnx.errors import OnnxExporterError

INT64_MAX = np.iinfo(np.int64).max


class Graph:
    """Names, initializers and nodes of one export (``onnx`` is imported by the caller)."""

    def __init__(self, onnx: Any, opset: int, params: dict[int, str]) -> None:
        self.onnx = onnx
        self.opset = opset
        self.params = params  # id(parameter or buffer tensor) -> state_dict name
        self.names: dict[int, str] = {}  # id(tensor) or id(its array) -> value name
        self.dtypes: dict[str, np.dtype] = {}
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._init_names: set[str] = set()
        self._count = 0
        self.current_op = ""  # the op being emitted, for error messages
        self.peer: Any = None  # the same record in the perturbed trace (or None)
        self.peer_index = 0

    # -- names -----------------------------------------------------------------------------------
    def fresh(self, hint: str = "v") -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def bind(self, tensor: Any, name: str) -> None:
        """``tensor`` (a Tensor or an array) is the value ``name``."""
        arr = tensor._data if isinstance(tensor, Tensor) else tensor
        self.names[id(tensor)] = name
        if isinstance(arr, np.ndarray):
            self.names[id(arr)] = name
            self.dtypes[name] = arr.dtype
            self.shapes[name] = arr.shape

    def initializer(self, name: str, array: np.ndarray) -> str:
        if name not in self._init_names:
            arr = np.ascontiguousarray(array)
            self.initializers.append(self.onnx.numpy_helper.from_array(arr, name))
            self._init_names.add(name)
            self.dtypes[name] = arr.dtype
            self.shapes[name] = arr.shape
        return name

    def const(self, value: Any, dtype: Any) -> str:
        """A new constant initializer holding ``value`` as ``dtype``."""
        return self.initializer(self.fresh("const"), np.asarray(value, dtype=dtype))

    def value(self, obj: Any, peer: Any = None, what: str = "an input") -> str:
        """The value name of a Tensor/array/scalar used by the op being emitted; ``peer`` is the
        same object in the perturbed trace (to prove that a constant is really constant)."""
        key = id(obj)
        if key in self.names:
            return self.names[key]
        if isinstance(obj, Tensor):
            if key in self.params:
                name = self.initializer(self.params[key], obj._data)
                self.bind(obj, name)
                return name
            if id(obj._data) in self.names:
                return self.names[id(obj._data)]
            arr = obj._data
        else:
            arr = obj
        arr = np.asarray(arr)
        self.check_constant(arr, peer, what)
        name = self.initializer(self.fresh("const"), arr)
        if isinstance(obj, (Tensor, np.ndarray)):
            self.bind(obj, name)
        return name

    def check_constant(self, arr: np.ndarray, peer: Any, what: str) -> None:
        if peer is None:
            return
        parr = np.asarray(peer._data if isinstance(peer, Tensor) else peer)
        if (
            parr.shape != arr.shape
            or parr.dtype != arr.dtype
            or not np.array_equal(parr, arr, equal_nan=True)
        ):
            raise OnnxExporterError(
                f"onnx.export: {what} of {self.current_op} (shape {arr.shape}) changes with the "
                "model's input values (or with a dynamic axis), but it was not computed by a "
                "traceable operation (a NumPy computation, .item()/.tolist() or a Python "
                "branch on tensor values); exporting it as a constant would be wrong for other "
                "inputs. Compute it with chainrule operations inside forward."
            )

    # -- nodes -----------------------------------------------------------------------------------
    def node(self, op_type: str, inputs: list[str], outputs: int | list[str] = 1, **attrs: Any):
        """Append a node; return its output name (or the list of names when several)."""
        if isinstance(outputs, int):
            names = [self.fresh(op_type.lower()) for _ in range(outputs)]
        else:
            names = outputs
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(self.onnx.helper.make_node(op_type, inputs, names, **attrs))
        return names[0] if len(names) == 1 else names

    def shape_const(self, shape: Any) -> str:
        return self.const(list(shape), np.int64)

    def cast(self, name: str, dtype: Any) -> str:
        """``name`` as ``dtype`` (no node when it already is)."""
        dtype = np.dtype(dtype)
        if self.dtypes.get(name) == dtype:
            return name
        out = self.node("Cast", [name], to=self.onnx.helper.np_dtype_to_tensor_dtype(dtype))
        self.dtypes[out] = dtype
        return out

    def axes_input(self, op_type: str, x: str, axes: Any, keepdims: bool) -> str:
        """A reduction over ``axes`` (None: all) in the form the opset wants."""
        # ReduceSum takes axes as an input from opset 13, the other reductions from opset 18
        as_input = self.opset >= (13 if op_type == "ReduceSum" else 18)
        k = int(bool(keepdims))
        if axes is None:
            return self.node(op_type, [x], keepdims=k)
        axes = [int(a) for a in (axes if isinstance(axes, (tuple, list)) else (axes,))]
        if as_input:
            return self.node(op_type, [x, self.const(axes, np.int64)], keepdims=k)
        return self.node(op_type, [x], axes=axes, keepdims=k)

    def squeeze(self, x: str, axes: list[int]) -> str:
        if not axes:
            return x
        if self.opset >= 13:
            return self.node("Squeeze", [x, self.const(axes, np.int64)])
        return self.node("Squeeze", [x], axes=axes)

    def unsqueeze(self, x: str, axes: list[int]) -> str:
        if not axes:
            return x
        if self.opset >= 13:
            return self.node("Unsqueeze", [x, self.const(axes, np.int64)])
        return self.node("Unsqueeze", [x], axes=axes)
