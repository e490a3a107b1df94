"""``chainrule.onnx``: export a model to ONNX (PyTorch's ``torch.onnx.export``).

The model runs once on the example ``args`` while the exporter records every operation the
engine executes (see ``_trace.py``); each recorded operation becomes ONNX nodes (``_emitters.py``)
and the parameters and buffers become initializers under their ``state_dict`` names. Two more
runs make the export safe: one on other input values proves that every constant really is
constant (a value computed from the inputs outside the engine would be baked in wrongly: that is
an error), one with the ``dynamic_axes`` grown by one tells which shapes follow those axes.

Needs the ``onnx`` package (extra ``chainrule[onnx]``, with ``onnxruntime`` to run the file).

Example:
    >>> import io, chainrule
    >>> from chainrule import nn
    >>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    >>> buf = io.BytesIO()
    >>> proto = chainrule.onnx.export(model, (chainrule.randn(5, 3),), buf,
    ...                               input_names=["x"], dynamic_axes={"x": {0: "batch"}})
    >>> [n.op_type for n in proto.graph.node][:3]
    ['Transpose', 'MatMul', 'Add']
"""

from __future__ import annotations

import enum
import io
import os
from typing import Any

from chainrule.onnx import errors
from chainrule.onnx._trace import is_tracing
from chainrule.onnx.errors import OnnxExporterError, UnsupportedOperatorError

__all__ = [
    "OnnxExporterError",
    "TrainingMode",
    "UnsupportedOperatorError",
    "errors",
    "export",
    "is_in_onnx_export",
]

DEFAULT_OPSET = 17
MIN_OPSET = 13


class TrainingMode(enum.IntEnum):
    """PyTorch's ``torch.onnx.TrainingMode``; chainrule exports in ``EVAL`` mode only.

    Example:
        >>> from chainrule.onnx import TrainingMode
        >>> TrainingMode.EVAL.name
        'EVAL'
    """

    EVAL = 0
    PRESERVE = 1
    TRAINING = 2


def is_in_onnx_export() -> bool:
    """Whether an export is tracing the model right now (``torch.onnx.is_in_onnx_export``).

    Example:
        >>> import chainrule.onnx
        >>> chainrule.onnx.is_in_onnx_export()
        False
    """
    return is_tracing()


def _require_onnx() -> Any:
    try:
        import onnx
        import onnx.helper  # noqa: F401
        import onnx.numpy_helper  # noqa: F401
    except ImportError:
        raise ImportError(
            "chainrule.onnx.export needs the 'onnx' package: pip install 'chainrule[onnx]' "
            "(onnx, and onnxruntime to run the exported file)"
        ) from None
    return onnx


def export(
    model: Any,
    args: Any = (),
    f: Any = None,
    *,
    kwargs: dict[str, Any] | None = None,
    verbose: bool | None = None,
    input_names: Any = None,
    output_names: Any = None,
    opset_version: int | None = None,
    dynamo: bool = True,
    external_data: bool = True,
    dynamic_shapes: Any = None,
    export_params: bool = True,
    keep_initializers_as_inputs: bool = False,
    dynamic_axes: Any = None,
    training: Any = TrainingMode.EVAL,
    do_constant_folding: bool = True,
    **options: Any,
) -> Any:
    """Export ``model`` called on ``args`` to the ONNX file ``f`` (a path or a binary file
    object; ``None``: only return the model). PyTorch's signature; returns the
    ``onnx.ModelProto`` (PyTorch returns an ``ONNXProgram`` wrapping one).

    ``dynamic_axes`` is PyTorch's mapping from an input/output name to ``{axis: "name"}`` (or a
    list of axes): those sizes may differ at run time. The example inputs must be Tensors.
    Unsupported: ``export_params=False``, ``training`` other than EVAL, ``dynamic_shapes``
    (use ``dynamic_axes``); each raises. ``dynamo``, ``external_data``, ``verbose``,
    ``do_constant_folding`` and PyTorch's other tuning options are accepted and have no effect.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> proto = chainrule.onnx.export(nn.Linear(2, 1), (chainrule.ones(1, 2),))
        >>> [i.name for i in proto.graph.input], [o.name for o in proto.graph.output]
        (['input'], ['output'])
    """
    from chainrule.onnx._export import export_model

    onnx = _require_onnx()
    if not export_params:
        raise OnnxExporterError(
            "onnx.export: export_params=False is not supported; the weights are always stored"
        )
    if int(getattr(training, "value", training)) != int(TrainingMode.EVAL):
        raise OnnxExporterError(
            "onnx.export: only training=TrainingMode.EVAL is supported (dropout off, batch "
            "norm with its running statistics)"
        )
    if dynamic_shapes is not None:
        raise OnnxExporterError(
            "onnx.export: dynamic_shapes is not supported; give dynamic_axes={'input': {0: "
            "'batch'}} instead"
        )
    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    newest = onnx.defs.onnx_opset_version()
    if not MIN_OPSET <= opset <= newest:
        raise OnnxExporterError(
            f"onnx.export: opset_version={opset} is not supported (from {MIN_OPSET} to {newest})"
        )
    if not isinstance(args, tuple):
        args = (args,)
    if args and isinstance(args[-1], dict) and kwargs is None:
        args, kwargs = args[:-1], args[-1]
    proto = export_model(
        onnx,
        model,
        args,
        dict(kwargs or {}),
        input_names=list(input_names) if input_names is not None else None,
        output_names=list(output_names) if output_names is not None else None,
        dynamic_axes=dict(dynamic_axes or {}),
        opset=opset,
        keep_initializers_as_inputs=keep_initializers_as_inputs,
    )
    if f is not None:
        data = proto.SerializeToString()
        if isinstance(f, (str, os.PathLike)):
            from chainrule.io.atomic import write_bytes

            write_bytes(f, data, op="onnx.export")
        elif isinstance(f, io.IOBase) or hasattr(f, "write"):
            f.write(data)
        else:
            raise TypeError(f"onnx.export: f must be a path or a binary file, got {type(f)}")
    return proto
