"""PyTorch's module paths and device habits on chainrule (issue 12 items 1 and 2).

Each check runs without torch; where torch is importable the same call is made there too and
the answers compared.
"""

from __future__ import annotations

import importlib
import io
import subprocess
import sys
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn

# ---------------------------------------------------------------------------------------------
# item 1: module paths
# ---------------------------------------------------------------------------------------------
NN_PATHS = [
    ("linear", "Linear"),
    ("linear", "Identity"),
    ("conv", "Conv2d"),
    ("conv", "_ConvNd"),
    ("activation", "ReLU"),
    ("activation", "MultiheadAttention"),
    ("loss", "CrossEntropyLoss"),
    ("loss", "_Loss"),
    ("loss", "_WeightedLoss"),
    ("batchnorm", "BatchNorm2d"),
    ("batchnorm", "_BatchNorm"),
    ("container", "Sequential"),
    ("container", "ModuleList"),
    ("module", "Module"),
    ("dropout", "Dropout"),
    ("dropout", "_DropoutNd"),
    ("pooling", "MaxPool2d"),
    ("rnn", "LSTM"),
    ("rnn", "RNNBase"),
    ("sparse", "Embedding"),
    ("transformer", "TransformerEncoderLayer"),
    ("normalization", "LayerNorm"),
    ("flatten", "Flatten"),
    ("instancenorm", "InstanceNorm2d"),
]


@pytest.mark.parametrize("mod,name", NN_PATHS)
def test_nn_modules_paths_are_the_same_classes(mod, name):
    m = importlib.import_module(f"chainrule.nn.modules.{mod}")
    obj = getattr(m, name)
    expected = getattr(nn, name, None)
    if expected is not None:
        assert obj is expected
    assert isinstance(obj, type) and issubclass(obj, nn.Module)
    exec(f"from chainrule.nn.modules.{mod} import {name}")  # the import statement form


def test_nn_modules_package_and_all():
    import chainrule.nn.modules as M

    assert M.Linear is nn.Linear and cr.nn.modules.loss.MSELoss is nn.MSELoss
    assert issubclass(nn.MSELoss, M.loss._Loss) and issubclass(nn.NLLLoss, M.loss._WeightedLoss)
    assert "Linear" in M.linear.__all__ and all(hasattr(M.linear, n) for n in M.linear.__all__)
    assert M.conv.LazyConv1d is nn.LazyConv1d
    with pytest.raises(AttributeError, match="does not implement torch.nn.modules.loss.CTCLoss"):
        M.loss.CTCLoss  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        M.linear.NoSuchThing  # noqa: B018
    from chainrule.nn.modules.utils import _pair, _quadruple, _single, _triple

    assert _pair(2) == (2, 2) and _single(3) == (3,) and _triple((1, 2, 3)) == (1, 2, 3)
    assert _quadruple(0) == (0, 0, 0, 0)


def test_nn_modules_names_match_torch_where_present():
    torch = pytest.importorskip("torch")
    for mod in ("linear", "conv", "loss", "activation", "pooling", "rnn", "container"):
        ours = importlib.import_module(f"chainrule.nn.modules.{mod}")
        theirs = importlib.import_module(f"torch.nn.modules.{mod}")
        assert set(ours.__all__) <= set(theirs.__all__), mod
    assert torch.nn.modules.utils._pair(3) == cr.nn.modules.utils._pair(3)


def test_utils_data_is_chainrule_data():
    from chainrule.utils.data.dataloader import DataLoader as DL2
    from chainrule.utils.data.dataset import Subset

    import chainrule.utils.data as D
    from chainrule.utils.data import DataLoader, Dataset, TensorDataset, random_split
    from chainrule.utils.data.sampler import RandomSampler, Sampler

    assert DataLoader is cr.data.DataLoader is DL2 and Dataset is cr.data.Dataset
    assert Subset is cr.data.Subset and RandomSampler is cr.data.RandomSampler
    assert Sampler is cr.data.Sampler and random_split is cr.data.random_split
    assert set(cr.data.__all__) <= set(dir(D))
    ds = TensorDataset(cr.arange(6).float().reshape(3, 2))
    assert [b[0].shape for b in DataLoader(ds, batch_size=2)] == [(2, 2), (1, 2)]
    assert cr.utils.data.DataLoader is DataLoader  # reachable as an attribute after `import cr`
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        D.Nope  # noqa: B018


def test_tensorboard_summary_writer(tmp_path):
    pytest.importorskip("tensorboardX")
    from chainrule.utils.tensorboard import SummaryWriter

    with SummaryWriter(str(tmp_path)) as w:
        w.add_scalar("loss", cr.tensor(0.5), 1)
        w.add_scalars("pair", {"a": cr.tensor(1.0), "b": 2.0}, 1)
        w.add_histogram("w", cr.randn(20), 1)
        with pytest.raises(NotImplementedError, match="add_graph"):
            w.add_graph(nn.Linear(1, 1))
    assert any(p.name.startswith("events.out.tfevents") for p in tmp_path.rglob("*"))


def test_tensorboard_without_tensorboardx_is_a_clear_error(tmp_path, monkeypatch):
    import chainrule.utils.tensorboard as tb

    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # makes the import fail
    with pytest.raises(ImportError, match="pip install tensorboardX"):
        tb.SummaryWriter(str(tmp_path))


def test_nothing_imports_torch_or_tensorboardx_at_import_time():
    code = (
        "import sys, chainrule, chainrule.utils.tensorboard, chainrule.onnx, chainrule.compat; "
        "import chainrule.nn.modules, chainrule.serialization; "
        "print(any(m in sys.modules for m in ('torch', 'tensorboardX')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_onnx_import_path_and_export():
    import chainrule.onnx

    pytest.importorskip("onnx")
    proto = chainrule.onnx.export(nn.Linear(1, 1), (cr.ones(1, 1),), None)
    assert [i.name for i in proto.graph.input] == ["input"]  # tests/onnx checks the numbers


def test_variable_legacy_alias():
    from chainrule.autograd import Variable

    t = cr.ones(2)
    v = Variable(t)
    assert v is not t and v.numpy() is t.numpy() and not v.requires_grad
    w = Variable(t, requires_grad=True, volatile=False)
    assert w.requires_grad and w.is_leaf and not t.requires_grad
    assert isinstance(t, Variable) and isinstance(cr.ones(1), cr.autograd.Variable)
    (w * 3).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]
    with pytest.raises(TypeError, match="Variable: data must be a Tensor"):
        Variable([1.0])


def test_serialization_save_load_signatures(tmp_path):
    from chainrule import serialization

    path = tmp_path / "m.safetensors"
    m = nn.Linear(3, 2)
    cr.save(m.state_dict(), path, pickle_protocol=4)
    sd = cr.load(path, map_location="cpu", weights_only=True, mmap=False)
    assert sd["weight"].tolist() == m.weight.tolist()
    assert serialization.load is cr.load and serialization.save is cr.save
    sd2 = cr.load(str(path), map_location=cr.device("cpu"), weights_only=False)
    assert sorted(sd2) == ["bias", "weight"]
    serialization.add_safe_globals([dict])
    with serialization.safe_globals([list]):
        assert list in serialization.get_safe_globals()
    with pytest.raises(TypeError, match="pickle_module"):
        cr.save({}, io.BytesIO(), pickle_module=object())
    pickled = io.BytesIO(b"\x80\x04\x95" + b"\x00" * 64)
    with pytest.raises(ValueError, match="pickle"):
        cr.load(pickled, weights_only=True)


def test_serialization_reads_a_torch_safetensors_file(tmp_path):
    torch = pytest.importorskip("torch")
    st = pytest.importorskip("safetensors.torch")
    t = torch.nn.Linear(3, 2)
    path = tmp_path / "t.safetensors"
    st.save_file(t.state_dict(), str(path))
    m = nn.Linear(3, 2)
    m.load_state_dict(cr.load(path, weights_only=True, map_location="cpu"))
    x = np.ones((1, 3), np.float32)
    np.testing.assert_allclose(
        m(cr.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(), rtol=1e-6
    )


# ---------------------------------------------------------------------------------------------
# item 2: devices
# ---------------------------------------------------------------------------------------------
def test_device_objects():
    d = cr.device("cpu")
    assert d.type == "cpu" and d.index is None and str(d) == "cpu"
    assert repr(d) == "device(type='cpu')"
    d0 = cr.device("cpu:0")
    assert d0.index == 0 and str(d0) == "cpu:0" and repr(d0) == "device(type='cpu', index=0)"
    assert cr.device("cpu", 0) == d0 and d0 != d and cr.device(d0) == d0
    assert hash(cr.device("cpu")) == hash(d) and len({d, cr.device("cpu"), d0}) == 2
    # as PyTorch: a device never equals a string; compare .type or str()
    assert (d == "cpu") is False and d.type == "cpu" and str(d) == "cpu"
    g = cr.device("cuda")  # building one is fine; using it is not
    assert g.type == "cuda" and g.index is None
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        cr.device("gpu")
    with pytest.raises(RuntimeError, match="Invalid device string"):
        cr.device("cpu:x")
    with cr.device("cpu"):
        assert cr.zeros(1).device == d


def test_device_objects_match_torch():
    torch = pytest.importorskip("torch")
    for spec in ("cpu", "cpu:0", "cuda", "cuda:1", "mps"):
        ours, theirs = cr.device(spec), torch.device(spec)
        assert (ours.type, ours.index, str(ours), repr(ours)) == (
            theirs.type,
            theirs.index,
            str(theirs),
            repr(theirs),
        )
        assert (ours == spec) == (theirs == spec)
    assert str(cr.zeros(1).device) == str(torch.zeros(1).device)


def test_tensor_to_forms():
    x = cr.ones(2, requires_grad=True)
    assert x.device == cr.device("cpu") and x.is_cuda is False and x.is_cpu
    assert x.to("cpu") is x and x.to(cr.device("cpu:0")) is x and x.cpu() is x
    assert x.to("cpu", non_blocking=True) is x
    assert x.to(cr.float64).dtype == cr.float64
    assert x.to("cpu", cr.float64).dtype == cr.float64
    assert x.to(device="cpu", dtype=cr.float64).dtype == cr.float64
    assert x.to(cr.device("cpu"), cr.float64, True).dtype == cr.float64
    y = cr.zeros(1, dtype=cr.float64)
    assert x.to(y).dtype == cr.float64 and x.to(y, non_blocking=True).dtype == cr.float64
    c = x.to(cr.float32, copy=True)
    assert c is not x and c.numpy() is not x.numpy()
    x.to(cr.float64).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="unexpected keyword"):
        x.to(cr.float64, colour="red")


@pytest.mark.parametrize(
    "call",
    [
        lambda: cr.ones(1).cuda(),
        lambda: cr.ones(1).cuda(0),
        lambda: cr.ones(1).to("cuda"),
        lambda: cr.ones(1).to("cuda:0"),
        lambda: cr.ones(1).to("mps"),
        lambda: cr.ones(1).to(cr.device("cuda")),
        lambda: cr.ones(1).to(device="cuda", dtype=cr.float64),
        lambda: cr.zeros(2, device="cuda"),
        lambda: cr.tensor([1.0], device="cuda"),
        lambda: cr.randn(2, device="mps"),
        lambda: cr.arange(3, device=cr.device("cuda", 0)),
        lambda: cr.ones(1).new_zeros(2, device="cuda"),
        lambda: nn.Linear(1, 1).cuda(),
        lambda: nn.Linear(1, 1).to("cuda"),
        lambda: nn.Linear(1, 1).to(cr.device("mps")),
        lambda: cr.cuda.current_device(),
        lambda: cr.ones(1).pin_memory(),
    ],
)
def test_gpu_requests_raise_one_clear_error(call):
    from chainrule.backend.device import DeviceUnavailableError

    with pytest.raises(DeviceUnavailableError, match="runs on the CPU only.*CuPy"):
        call()


def test_module_to_and_cpu():
    m = nn.Linear(2, 2)
    w = m.weight
    assert m.to("cpu") is m and m.cpu() is m and m.to(cr.device("cpu")) is m
    assert m.to("cpu", cr.float64) is m and m.weight.dtype == cr.float64 and m.weight is w
    assert m.to(device="cpu", dtype=cr.float32, non_blocking=True).weight.dtype == cr.float32
    assert m.to(cr.zeros(1, dtype=cr.float64)).weight.dtype == cr.float64


def test_cuda_namespace():
    assert cr.cuda.is_available() is False and cr.cuda.device_count() == 0
    assert cr.cuda.is_bf16_supported() is False and cr.cuda.is_initialized() is False
    cr.cuda.manual_seed(0)
    cr.cuda.manual_seed_all(1)
    cr.cuda.synchronize()
    cr.cuda.empty_cache()
    device = cr.device("cuda" if cr.cuda.is_available() else "cpu")
    assert cr.zeros(2, device=device).device == device


def test_cuda_namespace_matches_cpu_only_torch():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():  # pragma: no cover - GPU torch
        pytest.skip("torch has CUDA here")
    assert cr.cuda.is_available() == torch.cuda.is_available()
    assert cr.cuda.device_count() == torch.cuda.device_count()
    assert cr.accelerator.is_available() == torch.accelerator.is_available()
    assert cr.accelerator.current_accelerator() == torch.accelerator.current_accelerator()
    assert cr.backends.mps.is_available() == torch.backends.mps.is_available()


def test_backends_flags_are_settable():
    b = cr.backends
    for name, value in (("benchmark", True), ("deterministic", True), ("enabled", False)):
        setattr(b.cudnn, name, value)
        assert getattr(b.cudnn, name) is value
    b.cudnn.allow_tf32 = False
    b.cuda.matmul.allow_tf32 = True
    assert b.cuda.matmul.allow_tf32 is True and b.cudnn.allow_tf32 is False
    assert b.mps.is_available() is False and b.cudnn.is_available() is False
    b.cudnn.enabled = True


def test_accelerator():
    assert cr.accelerator.is_available() is False
    assert cr.accelerator.current_accelerator() is None
    assert cr.accelerator.device_count() == 0


def test_compile_is_identity():
    m = nn.Linear(2, 1)
    x = cr.ones(3, 2)
    assert cr.compile(m) is m
    assert cr.compile(m, mode="max-autotune", fullgraph=True, dynamic=False) is m

    @cr.compile
    def f(x):
        return x * 2

    @cr.compile(mode="reduce-overhead")
    def g(x):
        return x + 1

    assert f(x).tolist() == (x * 2).tolist() and g(x).tolist() == (x + 1).tolist()
    with pytest.raises(RuntimeError, match="unrecognized mode"):
        cr.compile(m, mode="fastest")
    with pytest.raises(RuntimeError, match="must be callable"):
        cr.compile(3)


def test_inference_mode():
    w = cr.ones(2, requires_grad=True)
    with cr.inference_mode():
        assert not cr.is_grad_enabled() and cr.is_inference_mode_enabled()
        assert not (w * 2).requires_grad
    assert cr.is_grad_enabled() and not cr.is_inference_mode_enabled()
    with cr.inference_mode(False):
        assert (w * 2).requires_grad

    @cr.inference_mode()
    def predict(x):
        return x * 2

    assert not predict(w).requires_grad and cr.is_grad_enabled()
    with cr.no_grad():
        assert not cr.is_inference_mode_enabled()


def test_autocast_is_a_float32_no_op():
    a, b = cr.randn(3, 4), cr.randn(4, 2)
    ref = (a @ b).numpy()
    forms = [
        cr.autocast("cpu", dtype=cr.bfloat16),
        cr.autocast("cuda", dtype=cr.float16),
        cr.amp.autocast("cpu"),
        cr.cpu.amp.autocast(dtype=cr.bfloat16),
        cr.cuda.amp.autocast(),
        cr.autocast(device_type="cpu", enabled=False),
    ]
    for ctx in forms:
        with ctx:
            y = a @ b
        assert y.dtype == cr.float32
        np.testing.assert_array_equal(y.numpy(), ref)
    with cr.autocast("cpu"):
        assert cr.is_autocast_enabled()
    assert not cr.is_autocast_enabled()

    @cr.autocast("cpu", dtype=cr.bfloat16)
    def f(x):
        return x @ b

    np.testing.assert_array_equal(f(a).numpy(), ref)
    with pytest.raises(ValueError, match="device type"):
        cr.autocast("gpu")


def test_grad_scaler_disabled_passthrough():
    m = nn.Linear(2, 1)
    opt = cr.optim.SGD(m.parameters(), lr=0.1)
    with pytest.warns(UserWarning, match="CUDA is not available"):
        scaler = cr.amp.GradScaler()  # default device "cuda": disables itself, as PyTorch
    with pytest.warns(UserWarning):
        legacy = cr.cuda.amp.GradScaler()
    for s in (scaler, legacy, cr.amp.GradScaler("cpu", enabled=False)):
        assert not s.is_enabled() and s.get_scale() == 1.0 and s.state_dict() == {}
        loss = m(cr.ones(1, 2)).sum()
        assert s.scale(loss) is loss
        w0 = m.weight.numpy().copy()
        opt.zero_grad()
        s.scale(loss).backward()
        s.unscale_(opt)
        s.step(opt)
        s.update()
        np.testing.assert_allclose(m.weight.numpy(), w0 - 0.1 * m.weight.grad.numpy())


def test_grad_scaler_cpu_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((1, 3)).astype(np.float32)
    xs = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(4)]
    xs[2][0, 0] = np.inf  # one step with a non-finite gradient: skipped, scale backs off

    ours = nn.Linear(3, 1, bias=False)
    ours.weight.data = cr.tensor(w0)
    oopt = cr.optim.SGD(ours.parameters(), lr=0.01)
    osc = cr.amp.GradScaler("cpu", init_scale=8.0, growth_interval=2)
    theirs = torch.nn.Linear(3, 1, bias=False)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(w0))
    topt = torch.optim.SGD(theirs.parameters(), lr=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tsc = torch.amp.GradScaler("cpu", init_scale=8.0, growth_interval=2)
    for x in xs:
        oopt.zero_grad()
        osc.scale((ours(cr.tensor(x)) ** 2).mean()).backward()
        osc.step(oopt)
        osc.update()
        topt.zero_grad()
        tsc.scale((theirs(torch.tensor(x)) ** 2).mean()).backward()
        tsc.step(topt)
        tsc.update()
        assert osc.get_scale() == tsc.get_scale()
        np.testing.assert_allclose(
            ours.weight.numpy(), theirs.weight.detach().numpy(), rtol=1e-5, atol=1e-7
        )
    assert osc.state_dict()["scale"] == tsc.state_dict()["scale"]
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
        oopt.zero_grad()
        osc.scale(ours(cr.tensor(xs[0])).sum()).backward()
        osc.unscale_(oopt)
        osc.unscale_(oopt)


def test_runtime_switches():
    cr.set_float32_matmul_precision("high")
    assert cr.get_float32_matmul_precision() == "high"
    cr.set_float32_matmul_precision("highest")
    with pytest.raises(RuntimeError, match="expected 'highest'"):
        cr.set_float32_matmul_precision("low")
    cr.use_deterministic_algorithms(True, warn_only=True)
    assert cr.are_deterministic_algorithms_enabled()
    assert cr.is_deterministic_algorithms_warn_only_enabled()
    cr.use_deterministic_algorithms(False)
    assert not cr.are_deterministic_algorithms_enabled()


# ---------------------------------------------------------------------------------------------
# small top-level habits found by the inventory
# ---------------------------------------------------------------------------------------------
def test_creation_habits_match_torch():
    torch = pytest.importorskip("torch")
    for name in ("hann_window", "hamming_window", "blackman_window", "bartlett_window"):
        for periodic in (True, False):
            for n in (0, 1, 2, 7):
                ours = getattr(cr, name)(n, periodic=periodic).numpy()
                theirs = getattr(torch, name)(n, periodic=periodic).numpy()
                np.testing.assert_allclose(ours, theirs, atol=1e-6, err_msg=f"{name}({n})")
    np.testing.assert_allclose(
        cr.kaiser_window(6, True, 5.0).numpy(), torch.kaiser_window(6, True, 5.0).numpy(), 1e-5
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert cr.range(1, 2, 0.25).tolist() == torch.range(1, 2, 0.25).tolist()
    assert cr.logspace(0, 3, 4, base=2).tolist() == torch.logspace(0, 3, 4, base=2).tolist()
    s = cr.scalar_tensor(3)
    assert s.shape == () and s.dtype == cr.float32 and torch.scalar_tensor(3).dtype == torch.float32
    a = np.arange(3, dtype=np.float32)
    assert cr.asarray(a).numpy() is a and cr.asarray(a, copy=True).numpy() is not a
    assert cr.asarray([1, 2]).dtype == cr.int64 and cr.asarray(a, requires_grad=True).requires_grad
    assert cr.empty_strided((2, 3), (3, 1)).shape == (2, 3)
    r = cr.randint_like(cr.zeros(50), 3)
    assert r.dtype == cr.float32 and set(r.tolist()) <= {0.0, 1.0, 2.0}


def test_printoptions():
    x = cr.tensor([1.23456, 2.5])
    try:
        cr.set_printoptions(precision=2)
        assert repr(x) == "tensor([1.23, 2.5 ])"
        cr.set_printoptions(sci_mode=True)
        assert "e+00" in repr(x)
        cr.set_printoptions(threshold=5, edgeitems=1)
        assert "..." in repr(cr.zeros(10))
    finally:
        cr.set_printoptions(profile="default")
    assert "..." not in repr(cr.zeros(10)) and "e+00" not in repr(x)


def test_process_switches():
    assert cr.get_default_device() == cr.device("cpu")
    cr.set_default_device("cpu")
    with pytest.raises(RuntimeError, match="CPU only"):
        cr.set_default_device("cuda")
    assert not cr.is_anomaly_enabled() and cr.is_anomaly_check_nan_enabled()
    with cr.autograd.detect_anomaly():
        assert cr.is_anomaly_enabled()
    cr.set_anomaly_enabled(True)
    try:
        assert cr.is_anomaly_enabled()
    finally:
        cr.set_anomaly_enabled(False)
    assert cr.set_flush_denormal(True) is False
    cr.set_warn_always(True)
    assert cr.is_warn_always_enabled()
    cr.set_warn_always(False)
    x = cr.ones(2, requires_grad=True) * 2
    assert not cr.detach(x).requires_grad and cr.detach_(x) is x and x.grad_fn is None
    assert cr.is_signed(x) and cr.is_same_size(x, cr.ones(2)) and cr.get_device(x) == -1
