"""``chainrule export RUN_DIR --format onnx``: a trained run's model as an ONNX file.

The run folder is read the way ``evaluate`` reads it (config.json, then a safetensors
checkpoint: never a pickle); one batch of the run's test split is the example input, and the
batch axis of every input and output is dynamic. With onnxruntime installed the file is run on
that batch and compared with chainrule's output before the command reports success.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _err(msg: str) -> None:
    print(f"chainrule export: {msg}", file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> int:
    """Export the run's model; print where the file is and how it was checked.

    Example:
        >>> from chainrule.onnx.commands import cmd_export
        >>> import argparse
        >>> cmd_export(argparse.Namespace(run_dir="/nonexistent", format="onnx", output=None,
        ...                               checkpoint="best", opset=None))
        2
    """
    if args.format != "onnx":
        _err(f"--format {args.format!r} is not supported (accepted: onnx)")
        return EXIT_USAGE
    try:
        import onnx  # noqa: F401
    except ImportError:
        _err("needs the 'onnx' package: pip install 'chainrule[onnx]'")
        return EXIT_FAIL
    import chainrule
    from chainrule.onnx.errors import OnnxExporterError
    from chainrule.train.commands import _load_run
    from chainrule.train.trainer import _split_batch

    loaded = _load_run("export", args.run_dir, args.checkpoint)
    if isinstance(loaded, int):
        return loaded
    setup, _ = loaded
    model = setup.model
    x, _ = _split_batch(next(iter(setup.test_loader)))
    examples = x if isinstance(x, tuple) else (x,)
    examples = tuple(t[:8] for t in examples)  # a small example batch; the batch axis is dynamic
    names = ["input"] if len(examples) == 1 else [f"input_{i}" for i in range(len(examples))]
    axes: dict[str, Any] = {n: {0: "batch"} for n in names}
    axes["output"] = {0: "batch"}
    out = Path(args.output) if args.output else Path(args.run_dir) / "model.onnx"
    try:
        chainrule.onnx.export(
            model,
            examples,
            str(out),
            input_names=names,
            output_names=["output"],
            dynamic_axes=axes,
            opset_version=args.opset,
        )
    except (OnnxExporterError, TypeError, ValueError) as e:
        _err(str(e).splitlines()[0])
        return EXIT_FAIL
    check = _check_with_onnxruntime(out, model, examples, names)
    print(
        f"exported {type(model).__name__} to {out} "
        f"(ONNX opset {args.opset or 17}, batch axis dynamic)"
    )
    print(f"  inputs: {', '.join(f'{n} {tuple(t.shape)}' for n, t in zip(names, examples))}")
    print(f"  check:  {check}")
    return EXIT_OK


def _check_with_onnxruntime(path: Path, model: Any, examples: tuple, names: list[str]) -> str:
    try:
        import onnxruntime as ort
    except ImportError:
        return "onnx.checker passed (install onnxruntime to compare outputs)"
    import chainrule

    model.eval()
    with chainrule.no_grad():
        ref = model(*examples).numpy()
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(None, {n: t.numpy() for n, t in zip(names, examples)})[0]
    err = float(np.max(np.abs(got - ref) / (np.abs(ref) + 1e-6))) if ref.size else 0.0
    return (
        f"onnxruntime output equals chainrule's on {len(ref)} test samples "
        f"(max rel. diff {err:.1e})"
    )


def register(subparsers: Any) -> None:
    """Add ``chainrule export`` to the command line.

    Example:
        >>> import argparse
        >>> from chainrule.onnx.commands import register
        >>> sub = argparse.ArgumentParser().add_subparsers()
        >>> register(sub)
    """
    p = subparsers.add_parser(
        "export",
        help="export a trained run's model (ONNX)",
        description="Export the model of a run folder to ONNX, checked with onnx.checker and "
        "(when installed) compared with onnxruntime on a test batch.",
    )
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run folder written by chainrule train")
    p.add_argument("--format", default="onnx", help="export format (onnx)")
    p.add_argument(
        "--output", "-o", default=None, help="file to write (default RUN_DIR/model.onnx)"
    )
    p.add_argument(
        "--checkpoint",
        default="best",
        help="final, best, last or a safetensors PATH (default best)",
    )
    p.add_argument("--opset", type=int, default=None, help="ONNX opset (default 17)")
    p.set_defaults(func=cmd_export)
