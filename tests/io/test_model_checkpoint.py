"""Checkpoints of real modules: save_model/load_model, wrong-model errors, full training
checkpoints, and PyTorch-trained weights (safetensors.torch.save_file) loading into the
equivalent chainrule model with the same predictions."""

import numpy as np
import pytest

import chainrule
from chainrule import nn
from chainrule.io import CheckpointError, load, load_model, save, save_model


def _mlp():
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))


def test_save_model_load_model_round_trip(tmp_path):
    a, b = _mlp(), _mlp()
    path = tmp_path / "mlp.safetensors"
    save_model(a, path)
    assert load_model(b, path) == ([], [])
    x = chainrule.randn(5, 4)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())
    assert list(load(path)) == list(a.state_dict())


def test_wrong_model_is_a_clear_error(tmp_path):
    path = tmp_path / "mlp.safetensors"
    save_model(_mlp(), path)
    other = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    with pytest.raises(CheckpointError, match=r"mlp\.safetensors.*shape mismatches: 0\.weight"):
        load_model(other, path)
    deeper = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3), nn.Linear(3, 3))
    with pytest.raises(CheckpointError, match=r"missing keys \['3\.weight', '3\.bias'\]"):
        load_model(deeper, path)
    missing, unexpected = load_model(deeper, path, strict=False)
    assert missing == ["3.weight", "3.bias"] and unexpected == []
    save({"model": _mlp().state_dict(), "epoch": 1}, tmp_path / "full.safetensors")
    with pytest.raises(CheckpointError, match="not a model state dict"):
        load_model(_mlp(), tmp_path / "full.safetensors")


def test_training_checkpoint_with_module_and_optimizer_resumes_exactly(tmp_path):
    from chainrule.optim import Adam

    rng = np.random.default_rng(0)
    X = chainrule.tensor(rng.standard_normal((64, 4)).astype(np.float32))
    y = chainrule.tensor(rng.integers(0, 3, 64))

    def run(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            nn.functional.cross_entropy(model(X), y).backward()
            opt.step()

    chainrule.manual_seed(0)
    ref = _mlp()
    ref_opt = Adam(ref.parameters(), lr=0.01)
    run(ref, ref_opt, 10)

    chainrule.manual_seed(0)
    m = _mlp()
    opt = Adam(m.parameters(), lr=0.01)
    run(m, opt, 5)
    save({"model": m.state_dict(), "optimizer": opt.state_dict(), "epoch": 5}, tmp_path / "c")

    chainrule.manual_seed(99)
    m2 = _mlp()
    opt2 = Adam(m2.parameters(), lr=0.5)
    ck = load(tmp_path / "c")
    m2.load_state_dict(ck["model"])
    opt2.load_state_dict(ck["optimizer"])
    run(m2, opt2, 5)
    for (k, a), (_, b) in zip(ref.state_dict().items(), m2.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)


def _torch_trained(torch, model, x, steps=3):
    """A few SGD steps in PyTorch so the weights (and BatchNorm statistics) are not defaults."""
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        opt.zero_grad()
        model(x).square().mean().backward()
        opt.step()
    return model.eval()


def test_pytorch_mlp_weights_load_into_chainrule(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    x = torch.randn(8, 4)
    _torch_trained(torch, tm, x)
    path = tmp_path / "torch_mlp.safetensors"
    save_file(tm.state_dict(), str(path))

    cm = _mlp()
    assert load_model(cm, path) == ([], [])
    with torch.no_grad():
        expect = tm(x).numpy()
    got = cm(chainrule.tensor(x.numpy())).detach().numpy()
    np.testing.assert_allclose(got, expect, rtol=1e-5, atol=1e-6)


def test_pytorch_cnn_weights_load_into_chainrule(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    torch.manual_seed(0)
    tn = torch.nn
    tm = tn.Sequential(
        tn.Conv2d(1, 4, 3, padding=1),
        tn.ReLU(),
        tn.MaxPool2d(2),
        tn.Conv2d(4, 6, 3),
        tn.ReLU(),
        tn.Flatten(),
        tn.Linear(6 * 2 * 2, 10),
    )
    x = torch.randn(5, 1, 8, 8)
    _torch_trained(torch, tm, x)
    path = tmp_path / "torch_cnn.safetensors"
    save_file(tm.state_dict(), str(path))

    cm = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(6 * 2 * 2, 10),
    )
    load_model(cm, path)
    with torch.no_grad():
        expect = tm(x).numpy()
    got = cm(chainrule.tensor(x.numpy())).detach().numpy()
    np.testing.assert_allclose(got, expect, rtol=1e-4, atol=1e-5)
    assert (got.argmax(1) == expect.argmax(1)).all()


def test_pytorch_batchnorm_buffers_load_into_chainrule(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU())
    x = torch.randn(16, 4)
    tm.train()
    _torch_trained(torch, tm, x)
    path = tmp_path / "bn.safetensors"
    save_file(tm.state_dict(), str(path))
    cm = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU())
    load_model(cm, path)
    cm.eval()
    sd = load(path)
    assert sd["1.num_batches_tracked"].dtype == chainrule.int64
    with torch.no_grad():
        expect = tm(x).numpy()
    np.testing.assert_allclose(
        cm(chainrule.tensor(x.numpy())).detach().numpy(), expect, rtol=1e-5, atol=1e-5
    )


def test_chainrule_weights_load_into_pytorch(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    cm = _mlp()
    path = tmp_path / "cr.safetensors"
    save_model(cm, path)
    tm = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    tm.load_state_dict(load_file(str(path)))
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    with torch.no_grad():
        expect = tm(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(
        cm(chainrule.tensor(x)).detach().numpy(), expect, rtol=1e-5, atol=1e-6
    )
