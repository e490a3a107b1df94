import json
import math

import numpy as np
import pytest

import chainrule
from chainrule import nn
from chainrule.diagnostics import GradientMonitor, check_training
from chainrule.train.trainer import Trainer

from ._nets import adam, digits_loader, mlp, sgd


def run(kind, opt="sgd", lr=0.1, std=0.1, steps=100, seed=0, monitor=None):
    model = mlp(kind, std=std, seed=seed)
    o = sgd(model, lr) if opt == "sgd" else adam(model, lr)
    return check_training(
        model, nn.CrossEntropyLoss(), o, digits_loader(), steps=steps, monitor=monitor
    )


def kinds(findings):
    return sorted(f.kind for f in findings)


@pytest.mark.parametrize("seed", [0, 1])
def test_deep_sigmoid_small_init_is_vanishing(seed):
    found = run("sigmoid_small", lr=0.1, std=0.1, seed=seed)
    assert kinds(found) == ["vanishing"]
    f = found[0]
    assert "0" in f.where and "18" not in f.where  # the input-side layers starve
    assert "shrink" in f.message and "x0." in f.message and "Linear" in f.message
    assert "He" in f.remedy and "batch normalization" in f.remedy and "residual" in f.remedy


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("kind,opt,lr", [("relu_he", "sgd", 0.05), ("relu_he", "adam", 1e-3)])
def test_deep_relu_he_is_not_flagged(kind, opt, lr, seed):
    assert run(kind, opt, lr, seed=seed) == []


@pytest.mark.parametrize("seed", [0, 1])
def test_deep_sigmoid_with_batchnorm_is_not_flagged(seed):
    assert run("sigmoid_bn", "sgd", 0.1, std=0.1, seed=seed) == []


def test_exploding_huge_init():
    found = run("relu_big", "sgd", 1e-3, std=0.5, steps=30)
    assert "exploding" in kinds(found)
    ex = next(f for f in found if f.kind == "exploding")
    assert "clip" in ex.remedy and "reached" in ex.message


def test_nan_names_the_op_and_stops():
    class LogNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(64, 10)

        def forward(self, x):
            return (self.fc(x) - 5.0).log()  # negative inputs -> NaN

    chainrule.manual_seed(0)
    model = LogNet()
    before = model.fc.weight.numpy().copy()
    found = check_training(
        model,
        nn.MSELoss(),
        sgd(model, 0.1),
        [(chainrule.randn(8, 64), chainrule.zeros(8, 10))],
        steps=5,
    )
    assert kinds(found) == ["nonfinite"]
    f = found[0]
    assert f.where[0] == "Log" and "test_monitor.py" in f.message and ".log()" in f.message
    assert f.step == 0 and "stopped" in f.message
    assert np.array_equal(model.fc.weight.numpy(), before)  # the bad update was not applied


def test_lr_too_low_and_too_high():
    assert kinds(run("relu_he", "sgd", 1e-6)) == ["lr_too_low"]
    assert "lr_too_high" in kinds(run("relu_bn", "sgd", 3.0, std=0.1))


def test_lr_so_high_that_updates_collapse_is_too_high_not_too_low():
    # Adam at lr 3: the first steps move the weights by ~10x their norm, the loss explodes,
    # units die and later updates are tiny - the late updates alone would read "too low"
    found = kinds(run("relu_he", "adam", 3.0))
    assert "lr_too_high" in found and "lr_too_low" not in found


def test_dead_relu_and_saturation():
    assert "dead_relu" in kinds(run("relu_he", "adam", 0.05))
    found = run("tanh_big", "sgd", 0.05, std=1.0)
    sat = next(f for f in found if f.kind == "saturation")
    assert "1" in sat.where and "Xavier" in sat.remedy


def test_records_saved_and_warned_once(tmp_path):
    mon = GradientMonitor(every=10, warn=True)
    with pytest.warns(chainrule.diagnostics.DiagnosticWarning) as w:
        found = run("sigmoid_small", monitor=mon)
    assert len([x for x in w if "Vanishing" in str(x.message)]) == 1
    path = mon.save(str(tmp_path))
    data = json.load(open(path))
    assert data["format"] == "chainrule.diagnostics/1" and len(data["records"]) == 10
    rec = data["records"][0]
    assert set(rec["layers"]["0"]) >= {"grad_norm", "weight_norm", "update_ratio", "type"}
    assert rec["params"]["0.weight"]["update_ratio"] > 0
    assert rec["activations"]["1"]["type"] == "Sigmoid" and "saturated" in rec["activations"]["1"]
    assert data["findings"][0]["kind"] == found[0].kind == "vanishing"
    assert all(math.isfinite(v) for v in data["losses"])


def test_trainer_callback_duck_typed(tmp_path):
    """The callback methods drive the same detection as check_training."""
    model = mlp("sigmoid_small")
    opt = sgd(model, 0.1)
    loss_fn = nn.CrossEntropyLoss()

    class T:
        pass

    t = T()
    t.model, t.optimizer, t.loss_fn, t.run_dir, t.stop_training = (
        model,
        opt,
        loss_fn,
        tmp_path,
        False,
    )
    mon = GradientMonitor(warn=False)
    mon.on_train_begin(t)
    step = 0
    for x, y in digits_loader():
        mon.on_batch_begin(t, step)
        t.last_batch = (x, y)
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        t.last_loss = loss.item()
        mon.on_after_backward(t, step)
        opt.step()
        mon.on_batch_end(t, step, {"loss": t.last_loss})
        step += 1
    mon.on_train_end(t)
    assert [f.kind for f in mon.findings] == ["vanishing"]
    assert (tmp_path / "diagnostics.json").exists()


def test_real_trainer(tmp_path):
    from chainrule.diagnostics import OverfittingMonitor, write_report

    model = mlp("sigmoid_small")
    mon, over = GradientMonitor(warn=False), OverfittingMonitor(warn=False)
    trainer = Trainer(
        model,
        nn.CrossEntropyLoss(),
        sgd(model, 0.1),
        callbacks=[mon, over],
        run_dir=str(tmp_path),
        progress=False,
    )
    trainer.fit(digits_loader(), digits_loader(split="test"), epochs=3)
    assert "vanishing" in [f.kind for f in mon.findings]
    data = json.load(open(tmp_path / "diagnostics.json"))
    assert "overfitting" in data and data["findings"][0]["kind"] == "vanishing"
    html = open(write_report(str(tmp_path))).read()
    assert "Vanishing gradients" in html and "http://" not in html
