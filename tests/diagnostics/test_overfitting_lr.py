import numpy as np
import pytest

import chainrule
from chainrule import nn, optim
from chainrule.data import DataLoader, TensorDataset
from chainrule.data.datasets import load_digits
from chainrule.diagnostics import OverfittingMonitor, lr_find

from ._nets import digits_loader


def _train(n, big, epochs, seed):
    tr, te = load_digits("train", flatten=True), load_digits("test", flatten=True)
    chainrule.manual_seed(seed)
    if big:
        model = nn.Sequential(
            nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
        )
        opt = optim.Adam(model.parameters(), lr=1e-3)
    else:  # regularized: dropout + weight decay, full training set
        model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 10))
        opt = optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(tr.data[:n], tr.targets[:n]), batch_size=32, shuffle=True)
    mon = OverfittingMonitor(warn=False)
    for epoch in range(1, epochs + 1):
        model.train()
        total = seen = 0
        for x, y in loader:
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(y)
            seen += len(y)
        model.eval()
        with chainrule.no_grad():
            val = loss_fn(model(te.data), te.targets).item()
        mon.update(epoch, total / seen, val)
    return mon.finish()


@pytest.mark.parametrize("seed", [0, 1])
def test_large_mlp_on_small_subset_overfits(seed):
    found = _train(100, True, 40, seed)
    assert [f.kind for f in found] == ["overfitting"]
    f = found[0]
    assert 5 <= f.epoch <= 35 and f"epoch {f.epoch}" in f.message
    assert "early stopping" in f.remedy.lower() and "dropout" in f.remedy


@pytest.mark.parametrize("seed", [0, 1])
def test_regularized_mlp_on_full_set_does_not(seed):
    assert _train(1437, False, 20, seed) == []


def test_overfitting_early_stopping_end_check():
    mon = OverfittingMonitor(patience=5, warn=False)
    for e, (t, v) in enumerate([(1, 1), (0.5, 0.6), (0.3, 0.5), (0.2, 0.6)], start=1):
        assert mon.update(e, t, v) is None  # patience not reached when EarlyStopping stopped
    assert mon.finish()[0].epoch == 3


def _mlp(seed=0):
    chainrule.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
def test_lr_find_suggests_and_restores(opt_name):
    model = _mlp()
    if opt_name == "sgd":
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    else:
        opt = optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    loader = digits_loader()
    for x, y in loader:  # one real step first, so that the optimizer has state to restore
        loss_fn(model(x), y).backward()
        opt.step()
        break
    weights = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    ostate = opt.state_dict()
    rng = chainrule.get_rng_state()
    res = lr_find(model, loader, loss_fn, opt, 1e-7, 10, num_steps=100)
    lo, hi = (1e-3, 1.0) if opt_name == "sgd" else (1e-4, 0.1)
    assert lo < res.suggestion < hi, res
    assert "steepest" in res.rule and res.min_lr > res.suggestion
    assert res.stopped_early and len(res.lrs) == len(res.losses) <= 100
    for k, v in model.state_dict().items():
        assert np.array_equal(v.numpy(), weights[k]), k
    after = opt.state_dict()
    assert after["param_groups"] == ostate["param_groups"]
    for i, st in ostate["state"].items():
        for key, val in st.items():
            got = after["state"][i][key]
            if hasattr(val, "numpy"):
                assert np.array_equal(got.numpy(), val.numpy())
            else:
                assert got == val
    assert all(p.grad is None for p in model.parameters())
    assert str(chainrule.get_rng_state()) == str(rng)


def test_lr_find_plot(tmp_path):
    pytest.importorskip("matplotlib")
    model = _mlp()
    res = lr_find(
        model,
        digits_loader(),
        nn.CrossEntropyLoss(),
        optim.SGD(model.parameters(), lr=0.1),
        num_steps=30,
    )
    res.plot(str(tmp_path / "lr.png"))
    assert (tmp_path / "lr.png").stat().st_size > 1000


def test_a_network_that_learns_nothing_is_not_overfitting():
    # loss at chance, wobbling: validation up 9% while training "falls" 0.6% is noise
    from chainrule.diagnostics import OverfittingMonitor

    mon = OverfittingMonitor(warn=False)
    train = [2.52, 2.50, 2.49, 2.495, 2.481]
    val = [2.50, 2.48, 2.47, 2.451, 2.67]
    for e, (t, v) in enumerate(zip(train, val), start=1):
        mon.update(e, t, v)
    assert mon.finish() == []
