"""ONNX export: every zoo model and a spread of layers, checked by onnx.checker (full check) and
run in onnxruntime against chainrule's own output, at the traced and at another batch size."""

from __future__ import annotations

import io

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.onnx import OnnxExporterError, UnsupportedOperatorError

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from chainrule.train import models as M  # noqa: E402


def _roundtrip(model, examples, others, opset=None, dynamic=True):
    """Export with a dynamic batch axis; return the max relative error over both input sets."""
    was_training = model.training
    names = [f"in{i}" for i in range(len(examples))]
    axes = {n: {0: "batch"} for n in names} if dynamic else None
    buf = io.BytesIO()
    proto = cr.onnx.export(
        model,
        tuple(examples),
        buf,
        input_names=names,
        output_names=["out"],
        dynamic_axes=axes,
        opset_version=opset,
    )
    assert model.training == was_training  # the exporter restores the mode it found
    model.eval()  # the export is the model in eval mode
    onnx.checker.check_model(onnx.load_from_string(buf.getvalue()), full_check=True)
    sess = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    for inputs in [examples] + ([others] if others else []):
        with cr.no_grad():
            ref = model(*inputs).numpy()
        got = sess.run(None, {n: x.numpy() for n, x in zip(names, inputs)})[0]
        assert got.shape == ref.shape
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)
    return proto


def _ids(rng, shape, n):
    return cr.tensor(rng.integers(0, n, size=shape).astype(np.int64))


def test_mlp_and_cnn():
    cr.manual_seed(0)
    _roundtrip(M.MLP(30, 2, hidden=(16, 8)), [cr.randn(4, 30)], [cr.randn(9, 30)])
    _roundtrip(M.CNN(1, 10, (8, 8)), [cr.randn(2, 1, 8, 8)], [cr.randn(5, 1, 8, 8)])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_text_rnn(cell):
    cr.manual_seed(1)
    rng = np.random.default_rng(1)
    model = M.TextRNN(30, 3, embed_dim=8, hidden_size=12, cell=cell)
    ids = _ids(rng, (3, 7), 30)
    ids[0, 4:] = 0  # padding: the mask is computed from the ids inside the graph
    _roundtrip(model, [ids], [_ids(rng, (6, 7), 30)])


def test_recommenders():
    cr.manual_seed(2)
    rng = np.random.default_rng(2)
    for model in (
        M.MatrixFactorization(11, 13, dim=4, global_mean=3.5),
        M.NeuralRecommender(11, 13, 4, 8),
    ):
        u, i = _ids(rng, (5,), 11), _ids(rng, (5,), 13)
        _roundtrip(model, [u, i], [_ids(rng, (8,), 11), _ids(rng, (8,), 13)])


def test_audio_cnn_batchnorm_in_eval_mode():
    cr.manual_seed(3)
    model = M.AudioCNN(4, channels=(4, 8))
    model.train()
    with cr.no_grad():
        for _ in range(3):  # move the running statistics away from their initial values
            model(cr.randn(6, 1, 16, 20) * 2 + 1)
    _roundtrip(model, [cr.randn(2, 1, 16, 20)], [cr.randn(3, 1, 16, 20)])


def test_transformer_encoder_with_mask():
    cr.manual_seed(4)
    layer = nn.TransformerEncoderLayer(16, 2, 32, batch_first=True, dropout=0.1)
    enc = nn.TransformerEncoder(layer, 2)

    class Causal(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = enc
            self.mask = nn.Transformer.generate_square_subsequent_mask(5)

        def forward(self, x):
            return self.enc(x, mask=self.mask)

    _roundtrip(enc, [cr.randn(2, 5, 16)], [cr.randn(3, 5, 16)])
    _roundtrip(Causal(), [cr.randn(2, 5, 16)], [cr.randn(4, 5, 16)])


class _Zoo(nn.Module):
    """Many elementwise, movement and reduction ops in one forward."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(6, 6)
        self.ln = nn.LayerNorm(6)

    def forward(self, x):
        h = self.ln(self.lin(x))
        a = nn.functional.gelu(h) + nn.functional.silu(h) - nn.functional.softplus(h, beta=2)
        a = a + nn.functional.leaky_relu(h, 0.1) * nn.functional.elu(h) + h.clamp(-0.5, 0.7)
        a = a.masked_fill(h > 0.3, -1.0) + (h**2).sqrt() + h.exp().log1p() + h.sigmoid().log()
        a = cr.cat([a, a.flip(1)[:, :3]], dim=1)
        a = nn.functional.pad(a, (1, 2)) + a.abs().max()
        s = a.softmax(-1) + a.log_softmax(-1) + (a.argmax(-1, keepdim=True) == 2).float()
        return s.mean(dim=1, keepdim=True) + s[:, -1:] + s.sum(1, keepdim=True).tanh()


@pytest.mark.parametrize("opset", [13, 17, 18])
def test_many_ops_across_opsets(opset):
    cr.manual_seed(5)
    _roundtrip(_Zoo(), [cr.randn(4, 6)], [cr.randn(7, 6)], opset=opset)


def test_file_path_bytesio_and_return_value(tmp_path):
    model = nn.Linear(3, 2)
    path = tmp_path / "m.onnx"
    proto = cr.onnx.export(model, cr.ones(1, 3), str(path))
    assert onnx.load(str(path)) == proto
    assert [i.name for i in proto.graph.input] == ["input"]
    assert [o.name for o in proto.graph.output] == ["output"]
    assert {i.name for i in proto.graph.initializer} == {"weight", "bias"}  # state_dict names
    assert not list(tmp_path.glob("*.tmp*"))  # written atomically


def test_dynamic_axes_as_list_and_static_export():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
    proto = cr.onnx.export(
        model, (cr.ones(2, 3),), None, input_names=["x"], dynamic_axes={"x": [0]}
    )
    dim = proto.graph.input[0].type.tensor_type.shape.dim[0]
    assert dim.dim_param and not dim.dim_value
    proto = cr.onnx.export(model, (cr.ones(2, 3),), None)
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_value == 2


def test_unsupported_operation_is_named():
    class Cum(nn.Module):
        def forward(self, x):
            return x.cumsum(0)

    with pytest.raises(UnsupportedOperatorError, match="Cumsum"):
        cr.onnx.export(Cum(), cr.ones(3, 2), None)


def test_values_computed_outside_the_engine_are_refused():
    class Sneaky(nn.Module):
        def forward(self, x):
            scale = cr.tensor(np.abs(x.numpy()).max())  # NumPy: invisible to the tracer
            return x / scale

    with pytest.raises(OnnxExporterError, match="changes with the model's input values"):
        cr.onnx.export(Sneaky(), cr.randn(3, 2), None)


def test_python_branch_on_values_is_refused():
    class Branchy(nn.Module):
        def forward(self, x):
            return x.exp() if x.sum().item() > 0 else x.tanh()

    x = cr.ones(2, 2)  # perturbed inputs stay positive: same branch, so that one passes
    cr.onnx.export(Branchy(), x, None)
    with pytest.raises(OnnxExporterError, match="other operations"):
        cr.onnx.export(Branchy(), cr.tensor([[0.1, -0.2]]), None)


def test_argument_errors():
    model = nn.Linear(2, 2)
    with pytest.raises(OnnxExporterError, match="opset_version=9"):
        cr.onnx.export(model, cr.ones(1, 2), None, opset_version=9)
    with pytest.raises(OnnxExporterError, match="export_params"):
        cr.onnx.export(model, cr.ones(1, 2), None, export_params=False)
    with pytest.raises(TypeError, match="example input 0 is ndarray"):
        cr.onnx.export(model, (np.ones((1, 2), np.float32),), None)
    with pytest.raises(OnnxExporterError, match="input_names"):
        cr.onnx.export(model, cr.ones(1, 2), None, input_names=["a", "b"])


def test_clear_error_without_onnx(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"chainrule\[onnx\]"):
        cr.onnx.export(nn.Linear(2, 2), cr.ones(1, 2), None)
