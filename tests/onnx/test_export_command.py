"""`chainrule export RUN_DIR --format onnx` on a real (one-epoch) digits run."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.cli import main

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def test_export_a_trained_run(tmp_path, capsys):
    args = ["train", "--epochs", "1", "--output", str(tmp_path), "--name", "r", "--no-progress"]
    assert main(args) == 0
    capsys.readouterr()
    (run,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert main(["export", str(run), "--format", "onnx"]) == 0
    out = capsys.readouterr().out
    assert "onnxruntime output equals chainrule's" in out
    path = run / "model.onnx"
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).normal(size=(3, 1, 8, 8)).astype(np.float32)
    assert sess.run(None, {"input": x})[0].shape == (3, 10)  # the batch axis is dynamic


def test_export_errors_are_one_line(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nope")]) == 2
    assert main(["export", str(tmp_path), "--format", "tflite"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "--format 'tflite' is not supported" in err
