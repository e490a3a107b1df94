"""ONNX translations of the traced operations, one function per operation.

An emitter gets the graph, the record, its twin in the value-perturbed trace (``peer``, used
to prove constants constant) and its twin in the trace with grown dynamic axes (``dyn``, used
to tell which shape entries follow a dynamic axis); it returns the output value name(s).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.onnx._graph import INT64_MAX, Graph
from chainrule.onnx._trace import Record
from chainrule.onnx.errors import OnnxExporterError

Emitter = Callable[[Graph, Record, Any, Any], Any]
EMITTERS: dict[str, Emitter] = {}


def emits(*ops: str) -> Callable[[Emitter], Emitter]:
    def deco(fn: Emitter) -> Emitter:
        for op in ops:
            EMITTERS[op] = fn
        return fn

    return deco


def _in(g: Graph, rec: Record, peer: Any, i: int) -> str:
    other = peer.inputs[i] if peer is not None else None
    return g.value(rec.inputs[i], other, f"input {i}")


def _arr(g: Graph, rec: Record, peer: Any, key: str) -> str:
    """The value name of an array parameter (an index or a condition) of the op."""
    other = peer.params[key] if peer is not None else None
    return g.value(rec.params[key], other, f"its {key!r} array")


def _out_dtype(rec: Record) -> np.dtype:
    out = rec.output
    return (out._data if isinstance(out, Tensor) else np.asarray(out)).dtype


def _dynamic_shape(
    g: Graph, rec: Record, dyn: Any, key: str = "shape", of_input: bool = True
) -> list[int]:
    """``rec.params[key]`` with 0 (copy the input's size: only when ``of_input``, the ONNX
    node reshaping the op's input 0 itself) or -1 where it follows a dynamic axis."""
    shape = [int(s) for s in rec.params[key]]
    if dyn is None:
        return shape
    other = [int(s) for s in dyn.params[key]]
    if len(other) != len(shape):
        raise OnnxExporterError(
            f"onnx.export: {g.current_op} changes rank with a dynamic axis ({shape} vs {other})"
        )
    moving = [i for i, (a, b) in enumerate(zip(shape, other)) if a != b]
    x, xd = rec.inputs[0], dyn.inputs[0]
    free = -1 not in shape
    for i in moving:
        if of_input and i < x.ndim and x.shape[i] == shape[i] and xd.shape[i] == other[i]:
            shape[i] = 0  # ONNX Reshape: 0 copies the input's (dynamic) size at this position
        elif free:
            shape[i], free = -1, False
        else:
            raise OnnxExporterError(
                f"onnx.export: {g.current_op} to shape {tuple(rec.params[key])}: more than one "
                f"of its sizes follows a dynamic axis ({tuple(rec.params[key])} vs "
                f"{tuple(other)}); export with fewer dynamic axes or reshape with -1 in the model"
            )
    return shape


# -- elementwise -----------------------------------------------------------------------------------
_BINARY = {"Add": "Add", "Sub": "Sub", "Mul": "Mul", "Div": "Div", "Pow": "Pow"}


@emits(*_BINARY, "Maximum")
def _binary(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    dt = _out_dtype(rec)
    a = g.cast(_in(g, rec, peer, 0), dt)
    b = g.cast(_in(g, rec, peer, 1), dt)
    if rec.op == "Maximum":
        return g.node("Max", [a, b])
    if rec.op == "Pow":
        return g.node("Pow", [a, b])
    return g.node(_BINARY[rec.op], [a, b])


_UNARY = {
    "Relu": "Relu",
    "Tanh": "Tanh",
    "Sigmoid": "Sigmoid",
    "Exp": "Exp",
    "Log": "Log",
    "Sqrt": "Sqrt",
    "Abs": "Abs",
    "Neg": "Neg",
    "Erf": "Erf",
    "Sin": "Sin",
    "Cos": "Cos",
    "Tan": "Tan",
    "Asin": "Asin",
    "Acos": "Acos",
    "Atan": "Atan",
    "Sinh": "Sinh",
    "Cosh": "Cosh",
    "Asinh": "Asinh",
    "Acosh": "Acosh",
    "Atanh": "Atanh",
    "Clone": "Identity",
}


@emits(*_UNARY)
def _unary(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    return g.node(_UNARY[rec.op], [_in(g, rec, peer, 0)])


@emits("Rsqrt")
def _rsqrt(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    return g.node("Reciprocal", [g.node("Sqrt", [_in(g, rec, peer, 0)])])


@emits("Log2", "Log10", "Log1p", "Expm1", "Exp2")
def _logexp(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    x = _in(g, rec, peer, 0)
    dt = _out_dtype(rec)
    if rec.op == "Log1p":
        return g.node("Log", [g.node("Add", [x, g.const(1, dt)])])
    if rec.op == "Expm1":
        return g.node("Sub", [g.node("Exp", [x]), g.const(1, dt)])
    if rec.op == "Exp2":
        return g.node("Pow", [g.const(2, dt), x])
    base = 2.0 if rec.op == "Log2" else 10.0
    return g.node("Div", [g.node("Log", [x]), g.const(math.log(base), dt)])


@emits("Gelu")
def _gelu(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    # exact GELU, x * Phi(x), written with Erf so every opset >= 13 has it
    x = _in(g, rec, peer, 0)
    dt = _out_dtype(rec)
    e = g.node("Erf", [g.node("Mul", [x, g.const(1 / math.sqrt(2), dt)])])
    half = g.node("Mul", [g.node("Add", [e, g.const(1, dt)]), g.const(0.5, dt)])
    return g.node("Mul", [x, half])


@emits("Silu")
def _silu(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    x = _in(g, rec, peer, 0)
    return g.node("Mul", [x, g.node("Sigmoid", [x])])


@emits("LeakyRelu")
def _leaky(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    return g.node("LeakyRelu", [_in(g, rec, peer, 0)], alpha=float(rec.params["slope"]))


@emits("Elu")
def _elu(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    return g.node("Elu", [_in(g, rec, peer, 0)], alpha=float(rec.params["alpha"]))


@emits("Softplus")
def _softplus(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    x = _in(g, rec, peer, 0)
    beta, thr = float(rec.params["beta"]), float(rec.params["threshold"])
    dt = _out_dtype(rec)
    bx = g.node("Mul", [x, g.const(beta, dt)])
    soft = g.node("Div", [g.node("Softplus", [bx]), g.const(beta, dt)])
    # PyTorch's softplus is linear above the threshold
    return g.node("Where", [g.node("Greater", [bx, g.const(thr, dt)]), x, soft])


@emits("Clamp")
def _clamp(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    dt = _out_dtype(rec)
    lo, hi = rec.params.get("lo"), rec.params.get("hi")
    ins = [
        _in(g, rec, peer, 0),
        "" if lo is None else g.const(lo, dt),
        "" if hi is None else g.const(hi, dt),
    ]
    while ins[-1] == "":
        ins.pop()
    return g.node("Clip", ins)


@emits("PowScalar")
def _pow_scalar(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    dt = _out_dtype(rec)
    x = _in(g, rec, peer, 0)
    p = rec.params["p"]
    if p == 2:
        return g.node("Mul", [x, x])
    return g.node("Pow", [x, g.const(p, dt)])


@emits("RPowScalar")
def _rpow_scalar(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    dt = _out_dtype(rec)
    base = next(v for k, v in rec.params.items() if k != "out")
    return g.node("Pow", [g.const(base, dt), _in(g, rec, peer, 0)])


@emits("Where")
def _where(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    dt = _out_dtype(rec)
    cond = g.cast(_arr(g, rec, peer, "cond"), np.bool_)
    a = g.cast(_in(g, rec, peer, 0), dt)
    b = g.cast(_in(g, rec, peer, 1), dt)
    return g.node("Where", [cond, a, b])


@emits("Cast")
def _cast(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    return g.cast(_in(g, rec, peer, 0), _out_dtype(rec))


# -- reductions and normalization ------------------------------------------------------------------
@emits("Sum", "Mean")
def _reduce(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    op = "ReduceSum" if rec.op == "Sum" else "ReduceMean"
    return g.axes_input(op, _in(g, rec, peer, 0), rec.params["axes"], rec.params["keepdim"])


@emits("AMax")
def _amax(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    op = "ReduceMin" if rec.params.get("minimum") else "ReduceMax"
    return g.axes_input(op, _in(g, rec, peer, 0), rec.params["axes"], rec.params["keepdim"])


@emits("Softmax", "LogSoftmax")
def _softmax(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    return g.node(rec.op, [_in(g, rec, peer, 0)], axis=int(rec.params["axis"]))


@emits("Normalize", "NormalizeAffine")
def _normalize(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    # x viewed as (A, B, K): statistics per B over A and K (layer norm: A = 1, group norm: ...)
    if rec.params.get("stats") is not None:
        raise OnnxExporterError(
            "onnx.export: normalization that updates running statistics (a BatchNorm in "
            "training mode) cannot be exported; the exporter puts the model in eval mode"
        )
    x = _in(g, rec, peer, 0)
    dt = _out_dtype(rec)
    xv = g.node("Reshape", [x, g.shape_const(_dynamic_shape(g, rec, dyn, "sview", False))])
    mean = g.axes_input("ReduceMean", xv, [0, 2], True)
    xc = g.node("Sub", [xv, mean])
    var = g.axes_input("ReduceMean", g.node("Mul", [xc, xc]), [0, 2], True)
    std = g.node("Sqrt", [g.node("Add", [var, g.const(rec.params["eps"], dt)])])
    y = g.node("Div", [xc, std])
    if rec.op == "NormalizeAffine":
        y = g.node("Reshape", [y, g.shape_const(_dynamic_shape(g, rec, dyn, "pview", False))])
        i = 1
        if rec.params["has_weight"]:
            w = g.node("Reshape", [_in(g, rec, peer, i), g.shape_const([-1, 1])])
            y = g.node("Mul", [y, w])
            i += 1
        if rec.params["has_bias"]:
            b = g.node("Reshape", [_in(g, rec, peer, i), g.shape_const([-1, 1])])
            y = g.node("Add", [y, b])
    return g.node("Reshape", [y, g.node("Shape", [x])])


# -- movement --------------------------------------------------------------------------------------
@emits("Reshape", "View")
def _reshape(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    return g.node("Reshape", [_in(g, rec, peer, 0), g.shape_const(_dynamic_shape(g, rec, dyn))])


@emits("Expand")
def _expand(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    shape = _dynamic_shape(g, rec, dyn)
    # ONNX Expand broadcasts both ways: 1 keeps the input's (dynamic) size
    shape = [1 if s == -1 else s for s in shape]
    return g.node("Expand", [_in(g, rec, peer, 0), g.shape_const(shape)])


@emits("Permute")
def _permute(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    return g.node("Transpose", [_in(g, rec, peer, 0)], perm=[int(d) for d in rec.params["dims"]])


@emits("Cat")
def _cat(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    dt = _out_dtype(rec)
    ins = [g.cast(_in(g, rec, peer, i), dt) for i in range(len(rec.inputs))]
    return g.node("Concat", ins, axis=int(rec.params["axis"]))


@emits("Flip")
def _flip(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    axes = [int(a) for a in rec.params["axes"]]
    n = len(axes)
    return g.node(
        "Slice",
        [
            _in(g, rec, peer, 0),
            g.const([-1] * n, np.int64),
            g.const([-INT64_MAX] * n, np.int64),
            g.const(axes, np.int64),
            g.const([-1] * n, np.int64),
        ],
    )


@emits("ConstantPad")
def _pad(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    widths = rec.params["widths"]
    pads = [int(lo) for lo, _ in widths] + [int(hi) for _, hi in widths]
    dt = _out_dtype(rec)
    value = g.const(rec.params["value"], dt)
    return g.node("Pad", [_in(g, rec, peer, 0), g.shape_const(pads), value], mode="constant")


@emits("_GetItemView", "GetItem")
def _getitem(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    x = _in(g, rec, peer, 0)
    shape = rec.inputs[0].shape
    index = rec.params["index"]
    index = index if isinstance(index, tuple) else (index,)
    if dyn is not None and repr(dyn.params["index"]) != repr(rec.params["index"]):
        if not rec.params.get("advanced"):
            raise OnnxExporterError(
                f"onnx.export: indexing {index} depends on a dynamic axis; "
                "index with slices that do not name the dynamic size (x[:, -1], x[:n] ...)"
            )
    if rec.params.get("advanced"):
        return _advanced_index(g, rec, peer, x, shape, index)
    n_real = sum(1 for it in index if it is not None and it is not Ellipsis)
    items: list[Any] = []
    for it in index:
        if it is Ellipsis:
            items += [slice(None)] * (len(shape) - n_real)
        else:
            items.append(it)
    starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
    dim = out_dim = 0
    for it in items:
        if it is None:
            unsqueeze.append(out_dim)
            out_dim += 1
            continue
        if isinstance(it, slice):
            if it != slice(None):
                step = 1 if it.step is None else int(it.step)
                lo_default, hi_default = (0, INT64_MAX) if step > 0 else (-1, -INT64_MAX)
                starts.append(lo_default if it.start is None else int(it.start))
                ends.append(hi_default if it.stop is None else int(it.stop))
                axes.append(dim)
                steps.append(step)
            out_dim += 1
        elif isinstance(it, (int, np.integer)):
            i = int(it)
            starts.append(i)
            ends.append(INT64_MAX if i == -1 else i + 1)
            axes.append(dim)
            steps.append(1)
            squeeze.append(dim)
        else:
            raise OnnxExporterError(f"onnx.export: index item {it!r} is not supported")
        dim += 1
    y = x
    if axes:
        y = g.node(
            "Slice",
            [
                x,
                g.const(starts, np.int64),
                g.const(ends, np.int64),
                g.const(axes, np.int64),
                g.const(steps, np.int64),
            ],
        )
    y = g.squeeze(y, squeeze)
    return g.unsqueeze(y, unsqueeze)


def _advanced_index(g: Graph, rec: Record, peer: Any, x: str, shape: Any, index: tuple) -> str:
    arrays = [i for i, it in enumerate(index) if isinstance(it, np.ndarray)]
    lead = index[: arrays[0]] if arrays else ()
    if (
        len(arrays) != 1
        or any(it != slice(None) for it in lead)
        or any(it != slice(None) for it in index[arrays[0] + 1 :])
        or index[arrays[0]].dtype == np.bool_
    ):
        raise OnnxExporterError(
            f"onnx.export: advanced indexing {tuple(type(i).__name__ for i in index)} is not "
            "supported (only one integer index tensor, e.g. x[idx] or x[:, idx]; boolean masks "
            "give data-dependent shapes)"
        )
    k = arrays[0]
    other = peer.params["index"][k] if peer is not None else None
    idx = g.value(index[k], other, "its index tensor")
    return g.node("Gather", [x, g.cast(idx, np.int64)], axis=k)


@emits("Gather")
def _gather(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    idx = g.cast(_arr(g, rec, peer, "index"), np.int64)
    return g.node("GatherElements", [_in(g, rec, peer, 0), idx], axis=int(rec.params["axis"]))


# -- linear algebra and layers ---------------------------------------------------------------------
@emits("MatMul")
def _matmul(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    return g.node("MatMul", [_in(g, rec, peer, 0), _in(g, rec, peer, 1)])


@emits("Linear")
def _linear(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    x, w = _in(g, rec, peer, 0), _in(g, rec, peer, 1)
    y = g.node("MatMul", [x, g.node("Transpose", [w], perm=[1, 0])])
    if len(rec.inputs) > 2 and rec.inputs[2] is not None:
        y = g.node("Add", [y, _in(g, rec, peer, 2)])
    return y


@emits("EmbeddingLookup")
def _embedding(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    idx = g.cast(_arr(g, rec, peer, "idx"), np.int64)
    return g.node("Gather", [_in(g, rec, peer, 0), idx], axis=0)


def _geometry(geo: Any) -> dict[str, Any]:
    return {
        "kernel_shape": [geo.kh, geo.kw],
        "strides": [geo.sh, geo.sw],
        "pads": [geo.pt, geo.pl, geo.pb, geo.pr],
        "dilations": [geo.dh, geo.dw],
    }


@emits("Conv2d")
def _conv(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    geo = rec.params["geo"]
    ins = [_in(g, rec, peer, 0), _in(g, rec, peer, 1)]
    if len(rec.inputs) > 2 and rec.inputs[2] is not None:
        ins.append(_in(g, rec, peer, 2))
    return g.node("Conv", ins, group=int(geo.groups), **_geometry(geo))


@emits("MaxPool2d")
def _maxpool(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    geo = rec.params["geo"]
    attrs = _geometry(geo)
    # the traced geometry fixes the output size; ceil mode shows as one more output row/col
    floor_h = (geo.H + geo.pt + geo.pb - geo.dh * (geo.kh - 1) - 1) // geo.sh + 1
    floor_w = (geo.W + geo.pl + geo.pr - geo.dw * (geo.kw - 1) - 1) // geo.sw + 1
    ceil = int(geo.Ho > floor_h or geo.Wo > floor_w)
    return g.node("MaxPool", [_in(g, rec, peer, 0)], ceil_mode=ceil, **attrs)


@emits("AvgPool2d")
def _avgpool(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    geo = rec.params["geo"]
    inv = rec.params["inv"]
    if not np.isscalar(inv) and np.ndim(inv) != 0:
        raise OnnxExporterError(
            "onnx.export: avg_pool2d with count_include_pad=False and padding is not supported"
        )
    attrs = _geometry(geo)
    del attrs["dilations"]
    return g.node("AveragePool", [_in(g, rec, peer, 0)], count_include_pad=1, **attrs)


# -- recurrent layers ------------------------------------------------------------------------------
def _is_zero_constant(g: Graph, t: Any) -> bool:
    return (
        isinstance(t, Tensor)
        and id(t) not in g.names
        and id(t._data) not in g.names
        and id(t) not in g.params
        and not np.any(t._data)
    )


@emits("RecurrentScan")
def _recurrent(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    """One direction of an LSTM/GRU layer over precomputed input projections ``xg``.

    The layer's input projection (x W_ih^T + b) is already a traced Linear, so the ONNX
    recurrent op gets ``xg`` as its input with a permutation matrix as W: it only reorders
    PyTorch's gates (LSTM i f g o, GRU r z n) into ONNX's (i o f c, z r h).
    """
    mode = rec.params["mode"]
    h0_t = rec.inputs[1]
    H = h0_t.shape[-1]
    dt = _out_dtype(rec)
    blocks = [0, 3, 1, 2] if mode == "lstm" else [1, 0, 2]
    gates = len(blocks)
    perm = np.concatenate([np.arange(b * H, (b + 1) * H) for b in blocks])
    p = np.eye(gates * H, dtype=dt)[perm]  # rows of the identity in ONNX's gate order
    xg = _in(g, rec, peer, 0)
    direction = "reverse" if rec.params.get("reverse") else "forward"

    def state(i: int) -> str:
        t = rec.inputs[i]
        if _is_zero_constant(g, t):
            return ""  # ONNX's default initial state is zeros (and follows the dynamic batch)
        return g.unsqueeze(_in(g, rec, peer, i), [0])

    W = g.const(p[None], dt)
    if mode == "lstm":
        w_hh = _in(g, rec, peer, 3)
        R = g.unsqueeze(g.node("Gather", [w_hh, g.const(perm, np.int64)], axis=0), [0])
        ins = [xg, W, R, "", "", state(1), state(2)]
        y, _, yc = g.node("LSTM", _trim(ins), 3, hidden_size=H, direction=direction)
        seq = g.squeeze(y, [1])
        return g.node("Concat", [seq, yc], axis=0)
    w_hh = _in(g, rec, peer, 2)
    R = g.unsqueeze(g.node("Gather", [w_hh, g.const(perm, np.int64)], axis=0), [0])
    if len(rec.inputs) > 3 and rec.inputs[3] is not None:
        b_hh = g.node("Gather", [_in(g, rec, peer, 3), g.const(perm, np.int64)], axis=0)
    else:
        b_hh = g.const(np.zeros(gates * H), dt)
    B = g.unsqueeze(g.node("Concat", [g.const(np.zeros(gates * H), dt), b_hh], axis=0), [0])
    ins = [xg, W, R, B, "", state(1)]
    y, _ = g.node("GRU", _trim(ins), 2, hidden_size=H, direction=direction, linear_before_reset=1)
    return g.squeeze(y, [1])


def _trim(ins: list[str]) -> list[str]:
    while ins and ins[-1] == "":
        ins.pop()
    return ins


# -- operations that record no graph node (registry names) -----------------------------------------
_COMPARE = {
    "eq": "Equal",
    "lt": "Less",
    "le": "LessOrEqual",
    "gt": "Greater",
    "ge": "GreaterOrEqual",
}
_LOGICAL = {"logical_and": "And", "logical_or": "Or", "logical_xor": "Xor"}


def _operand(g: Graph, rec: Record, peer: Any, i: int, dtype: Any) -> str:
    v = rec.inputs[i]
    if isinstance(v, Tensor):
        return g.cast(_in(g, rec, peer, i), dtype)
    return g.const(v, dtype)


def _common_dtype(rec: Record) -> np.dtype:
    arrays = [v._data for v in rec.inputs[:2] if isinstance(v, Tensor)]
    scalars = [v for v in rec.inputs[:2] if not isinstance(v, Tensor)]
    return np.result_type(*arrays, *[np.asarray(s).dtype.type(0) for s in scalars])


@emits(*_COMPARE, "ne")
def _compare(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    dt = _common_dtype(rec)
    a, b = _operand(g, rec, peer, 0, dt), _operand(g, rec, peer, 1, dt)
    if rec.op == "ne":
        return g.node("Not", [g.node("Equal", [a, b])])
    return g.node(_COMPARE[rec.op], [a, b])


@emits(*_LOGICAL)
def _logical(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    a, b = _operand(g, rec, peer, 0, np.bool_), _operand(g, rec, peer, 1, np.bool_)
    return g.node(_LOGICAL[rec.op], [a, b])


@emits("logical_not")
def _not(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    return g.node("Not", [_operand(g, rec, peer, 0, np.bool_)])


@emits("float", "double", "half", "long", "int", "bool")
def _convert(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    return g.cast(_in(g, rec, peer, 0), _out_dtype(rec))


@emits("isnan", "isinf", "sign")
def _is(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    op = {"isnan": "IsNaN", "isinf": "IsInf", "sign": "Sign"}[rec.op]
    return g.node(op, [_in(g, rec, peer, 0)])


@emits("argmax", "argmin")
def _argmax(g: Graph, rec: Record, peer: Any, dyn: Any) -> str:
    x = _in(g, rec, peer, 0)
    args = dict(zip(("dim", "keepdim"), rec.inputs[1:]))
    args.update(rec.params)
    dim, keepdim = args.get("dim"), bool(args.get("keepdim", False))
    op = "ArgMax" if rec.op == "argmax" else "ArgMin"
    if dim is None:
        flat = g.node("Reshape", [x, g.shape_const([-1])])
        return g.node(op, [flat], axis=0, keepdims=0)
    return g.node(op, [x], axis=int(dim), keepdims=int(keepdim), select_last_index=0)
