"""The export driver: three traced runs, the needed records, the ONNX model."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from chainrule.autograd.grad_mode import enable_grad
from chainrule.autograd.tensor import Tensor
from chainrule.onnx._emitters import EMITTERS
from chainrule.onnx._graph import Graph
from chainrule.onnx._trace import Trace, tracing
from chainrule.onnx.errors import OnnxExporterError, UnsupportedOperatorError


def _flatten(out: Any, what: str) -> list[Tensor]:
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for item in out for t in _flatten(item, what)]
    raise OnnxExporterError(
        f"onnx.export: the model returned {type(out).__name__} in {what}; only Tensors and "
        "tuples/lists of Tensors can be exported"
    )


def _forward_names(model: Any, n: int) -> list[str]:
    """PyTorch's default input names: the forward's parameter names."""
    try:
        names = [
            p.name
            for p in inspect.signature(model.forward).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError, AttributeError):
        names = []
    if n == 1 and (not names or names[0] in ("x", "input")):
        return ["input"]
    return names[:n] if len(names) >= n else [f"input_{i}" for i in range(n)]


def _dynamic_map(spec: Any, name: str) -> dict[int, str]:
    """PyTorch's dynamic_axes entry: {axis: "name"} or [axes] (names made up)."""
    if spec is None:
        return {}
    if isinstance(spec, dict):
        return {int(a): str(n) for a, n in spec.items()}
    return {int(a): f"{name}_dynamic_axes_{int(a) + 1}" for a in spec}


def _variant(x: Tensor, how: str, axes: dict[int, str]) -> Tensor:
    """A trace input: the same values, other values (same shape), or grown dynamic axes."""
    a = x._data
    if how == "perturb":
        if a.dtype.kind == "f":
            a = a * 0.75 + 0.125
        elif a.ndim and a.size > 1:
            axis = 0 if a.shape[0] > 1 else a.ndim - 1
            a = np.roll(a, 1, axis=axis)
    elif how == "grow":
        for axis in sorted(axes):
            if axis >= a.ndim:
                raise OnnxExporterError(
                    f"onnx.export: dynamic axis {axis} of an input with shape {a.shape}"
                )
            a = np.concatenate([a, np.take(a, [-1], axis=axis)], axis=axis)
    t = Tensor._wrap(np.array(a, copy=True))
    if t._data.dtype.kind == "f":
        t.requires_grad = True  # so every op on it records (no raw-array fast paths)
    return t


def _run(model: Any, inputs: list[Tensor], n_args: int, kw_names: list[str]) -> tuple[Trace, Any]:
    args = inputs[:n_args]
    kwargs = dict(zip(kw_names, inputs[n_args:]))
    with tracing() as tr, enable_grad():
        out = model(*args, **kwargs)
    return tr, out


def _needed(tr: Trace, outputs: list[Tensor]) -> list[int]:
    """Indices of the records the outputs depend on, in execution order."""
    producer: dict[int, int] = {}
    for i, rec in enumerate(tr.records):
        for o in rec.output if isinstance(rec.output, (tuple, list)) else (rec.output,):
            if isinstance(o, Tensor):
                producer[id(o)] = i
                producer[id(o._data)] = i
    seen: set[int] = set()
    stack = [producer[id(t)] for t in outputs if id(t) in producer]
    while stack:
        i = stack.pop()
        if i in seen:
            continue
        seen.add(i)
        rec = tr.records[i]
        for v in [*rec.inputs, *rec.params.values()]:
            for item in v if isinstance(v, tuple) else (v,):
                j = producer.get(id(item))
                if j is None and isinstance(item, Tensor):
                    j = producer.get(id(item._data))
                if j is not None and j not in seen:
                    stack.append(j)
    return sorted(seen)


def _check_same_ops(a: Trace, b: Trace, why: str) -> None:
    ops_a, ops_b = [r.op for r in a.records], [r.op for r in b.records]
    if ops_a != ops_b:
        k = next(
            (i for i, (x, y) in enumerate(zip(ops_a, ops_b)) if x != y), min(len(ops_a), len(ops_b))
        )
        raise OnnxExporterError(
            f"onnx.export: the model runs other operations {why} (operation {k}: "
            f"{ops_a[k] if k < len(ops_a) else 'end'} vs {ops_b[k] if k < len(ops_b) else 'end'}); "
            "Python control flow on tensor values or sizes cannot be exported"
        )


def export_model(
    onnx: Any,
    model: Any,
    args: tuple,
    kwargs: dict[str, Any],
    *,
    input_names: list[str] | None,
    output_names: list[str] | None,
    dynamic_axes: dict[str, Any],
    opset: int,
    keep_initializers_as_inputs: bool,
) -> Any:
    """Trace ``model`` and build the checked ``onnx.ModelProto``."""
    from chainrule.nn.module import Module

    if not isinstance(model, Module):
        raise TypeError(f"onnx.export: model must be a chainrule.nn.Module, got {type(model)}")
    examples = list(args) + list(kwargs.values())
    for i, x in enumerate(examples):
        if not isinstance(x, Tensor):
            raise TypeError(
                f"onnx.export: example input {i} is {type(x).__name__}; pass chainrule Tensors "
                "(chainrule.tensor(array))"
            )
    names = input_names or []
    names = names + _forward_names(model, len(args))[len(names) : len(args)]
    names = names + list(kwargs)[max(0, len(names) - len(args)) :]
    if len(names) != len(examples):
        raise OnnxExporterError(
            f"onnx.export: {len(names)} input_names for {len(examples)} inputs ({names})"
        )
    dyn_in = [_dynamic_map(dynamic_axes.get(n), n) for n in names]
    unknown = set(dynamic_axes) - set(names) - set(output_names or [])
    if unknown and output_names is not None:
        raise OnnxExporterError(
            f"onnx.export: dynamic_axes names {sorted(unknown)} are neither input_names "
            f"{names} nor output_names {output_names}"
        )

    modes = {m: m.training for m in model.modules()}
    grads = {p: p.requires_grad for p in model.parameters()}
    model.eval()
    for p in grads:
        p.requires_grad = True
    try:
        runs = {}
        for how in ("same", "perturb") + (("grow",) if any(dyn_in) else ()):
            inputs = [_variant(x, how, d) for x, d in zip(examples, dyn_in)]
            tr, out = _run(model, inputs, len(args), list(kwargs))
            runs[how] = (inputs, tr, _flatten(out, "its output"))
    finally:
        for m, training in modes.items():
            m.training = training
        for p, flag in grads.items():
            p.requires_grad = flag
    inputs, tr, outs = runs["same"]
    _, tr_p, outs_p = runs["perturb"]
    _check_same_ops(tr, tr_p, "for other input values")
    grow = runs.get("grow")
    if grow is not None:
        _check_same_ops(tr, grow[1], "when a dynamic axis changes size")

    params: dict[int, str] = {}
    for name, t in list(model.named_parameters()) + list(model.named_buffers()):
        params.setdefault(id(t), name)
    g = Graph(onnx, opset, params)
    for name, x in zip(names, inputs):
        g.bind(x, name)
    for i in _needed(tr, outs):
        rec = tr.records[i]
        g.current_op = rec.op
        emitter = EMITTERS.get(rec.op)
        if emitter is None:
            raise UnsupportedOperatorError(
                f"onnx.export: the operation {rec.op!r} has no ONNX translation yet "
                f"(inputs of shapes {[tuple(getattr(t, 'shape', ())) for t in rec.inputs]})"
            )
        dyn = grow[1].records[i] if grow is not None else None
        out_name = emitter(g, rec, tr_p.records[i], dyn)
        g.bind(rec.output, out_name)

    out_names = list(output_names or [])
    default = ["output"] if len(outs) == 1 else [f"output_{i}" for i in range(len(outs))]
    out_names += default[len(out_names) :]
    if len(out_names) != len(outs):
        raise OnnxExporterError(
            f"onnx.export: {len(output_names or [])} output_names for {len(outs)} outputs"
        )
    grown_outs = grow[2] if grow is not None else outs
    for k, (name, t, tp) in enumerate(zip(out_names, outs, outs_p)):
        g.current_op = f"output {k}"
        g.node("Identity", [g.value(t, tp, "the value")], [name])

    def info(name: str, arr: np.ndarray, dims: dict[int, str]) -> Any:
        shape = [dims.get(i, s) for i, s in enumerate(arr.shape)]
        elem = onnx.helper.np_dtype_to_tensor_dtype(arr.dtype)
        return onnx.helper.make_tensor_value_info(name, elem, shape)

    graph_inputs = [info(n, x._data, d) for n, x, d in zip(names, inputs, dyn_in)]
    graph_outputs = []
    for name, t, tg in zip(out_names, outs, grown_outs):
        dims = _dynamic_map(dynamic_axes.get(name), name)
        for axis, (a, b) in enumerate(zip(t.shape, tg.shape)):
            if a != b and axis not in dims:
                dims[axis] = f"{name}_dim_{axis}"
        graph_outputs.append(info(name, t._data, dims))
    if keep_initializers_as_inputs:
        graph_inputs += [
            onnx.helper.make_tensor_value_info(i.name, i.data_type, list(i.dims))
            for i in g.initializers
        ]
    graph = onnx.helper.make_graph(
        g.nodes, type(model).__name__, graph_inputs, graph_outputs, g.initializers
    )
    opsets = [onnx.helper.make_opsetid("", opset)]
    import chainrule

    proto = onnx.helper.make_model(
        graph,
        opset_imports=opsets,
        producer_name="chainrule",
        producer_version=chainrule.__version__,
    )
    proto.ir_version = onnx.helper.find_min_ir_version_for(opsets)
    try:
        onnx.checker.check_model(proto, full_check=True)
    except Exception as e:  # the exporter's own bug: say so, with the checker's words
        raise OnnxExporterError(
            f"onnx.export: the exported graph failed onnx.checker ({e}); please report it "
            "with the model"
        ) from None
    return proto
