"""Callbacks: early stopping, checkpoints, schedulers, loggers, user callbacks, History."""

import csv
import json
import sys

import numpy as np
import pytest

import chainrule
from chainrule import nn, optim
from chainrule.data import DataLoader, TensorDataset
from chainrule.io import load
from chainrule.train import (
    CSVLogger,
    EarlyStopping,
    History,
    JSONLLogger,
    LambdaCallback,
    LRSchedulerCallback,
    ModelCheckpoint,
    TensorBoardLogger,
    Trainer,
)


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    return DataLoader(TensorDataset(chainrule.tensor(x), chainrule.tensor(y)), batch_size=16)


def _trainer(callbacks=(), lr=0.1, **kw):
    chainrule.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = optim.SGD(model.parameters(), lr=lr)
    return Trainer(model, nn.CrossEntropyLoss(), opt, callbacks=callbacks, progress=False, **kw)


class ScriptedLoss:
    """Feeds EarlyStopping a scripted val_loss and records the weights at each epoch."""

    def __init__(self, values):
        self.values = values
        self.weights = []

    def on_epoch_end(self, trainer, epoch, logs):
        logs["val_loss"] = self.values[epoch]
        self.weights.append({k: v.numpy().copy() for k, v in trainer.model.state_dict().items()})


def test_early_stopping_stops_and_restores_best_weights():
    script = ScriptedLoss([1.0, 0.5, 0.4, 0.6, 0.7, 0.8, 0.9, 1.0])
    es = EarlyStopping("val_loss", patience=2, restore_best_weights=True)
    trainer = _trainer([script, es])
    history = trainer.fit(_data(), epochs=8)
    assert len(history) == 5 and es.best_epoch == 2 and es.stopped_epoch == 4
    final = {k: v.numpy() for k, v in trainer.model.state_dict().items()}
    for k, v in script.weights[2].items():
        np.testing.assert_array_equal(final[k], v)
    assert any((final[k] != v).any() for k, v in script.weights[4].items())


def test_early_stopping_min_delta_and_mode():
    es = EarlyStopping("val_accuracy", patience=1, min_delta=0.05)
    assert es.mode == "max"

    class T:
        stop_training = False
        model = None

    t = T()
    es.on_epoch_end(t, 0, {"val_accuracy": 0.80})
    es.on_epoch_end(t, 1, {"val_accuracy": 0.83})  # +0.03 < min_delta: no improvement
    assert t.stop_training and es.best == 0.80


def test_early_stopping_unknown_key_is_explained():
    with pytest.raises(KeyError, match="val_f1"):
        _trainer([EarlyStopping("val_f1")]).fit(_data(), epochs=1)


def test_model_checkpoint_best_and_last_load(tmp_path):
    script = ScriptedLoss([0.9, 0.3, 0.5])
    ck = ModelCheckpoint(tmp_path / "ck", monitor="val_loss")
    trainer = _trainer([script, ck])
    trainer.fit(_data(), epochs=3)
    best, last = load(ck.best_path), load(ck.last_path)
    assert best["epoch"] == 2 and last["epoch"] == 3  # epochs completed
    for k, v in script.weights[1].items():
        np.testing.assert_array_equal(best["model"][k].numpy(), v)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    model.load_state_dict(last["model"])
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), trainer.model.state_dict()[k].numpy())
    assert last["optimizer"]["param_groups"][0]["lr"] == 0.1
    assert not list((tmp_path / "ck").glob(".*tmp"))  # atomic writes leave no temporaries


def test_csv_and_jsonl_contents(tmp_path):
    trainer = _trainer([CSVLogger(tmp_path / "m.csv"), JSONLLogger(tmp_path / "m.jsonl")])
    history = trainer.fit(_data(), _data(seed=1), epochs=3)
    rows = [json.loads(x) for x in (tmp_path / "m.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [0, 1, 2]
    assert [r["loss"] for r in rows] == history["loss"]
    assert {"accuracy", "val_loss", "val_accuracy", "lr", "time"} <= set(rows[0])
    with open(tmp_path / "m.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 3
    assert [float(r["val_loss"]) for r in table] == pytest.approx(history["val_loss"])


def test_scheduler_per_epoch_per_batch_and_plateau():
    t = _trainer()
    t.scheduler = optim.lr_scheduler.StepLR(t.optimizer, step_size=1, gamma=0.5)
    t.fit(_data(), epochs=3)
    assert t.history["lr"] == [0.1, 0.05, 0.025]

    t = _trainer(scheduler_interval="batch")
    t.scheduler = optim.lr_scheduler.StepLR(t.optimizer, step_size=4, gamma=0.5)
    t.fit(_data(), epochs=2)  # 4 batches per epoch
    assert t.history["lr"] == [0.1, 0.05]

    def const(y_true, outputs):  # a metric that never improves
        return 1.0

    t = _trainer(metrics=["accuracy", const], scheduler_monitor="const")
    t.scheduler = optim.lr_scheduler.ReduceLROnPlateau(t.optimizer, patience=1, factor=0.5)
    t.fit(_data(), epochs=4)
    assert t.history["lr"] == [0.1, 0.1, 0.1, 0.05]


def test_reduce_lr_on_plateau_uses_monitored_value():
    opt = optim.SGD([chainrule.zeros(1, requires_grad=True)], lr=1.0)
    cb = LRSchedulerCallback(
        optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5), monitor="val_loss"
    )
    for v in (1.0, 2.0, 3.0):
        cb.on_epoch_end(None, 0, {"val_loss": v, "loss": 0.0})
    assert opt.param_groups[0]["lr"] == 0.25


def test_lambda_callback_and_bad_hook():
    seen = []
    cb = LambdaCallback(on_epoch_end=lambda t, e, logs: seen.append((e, round(logs["loss"], 6))))
    _trainer([cb]).fit(_data(), epochs=2)
    assert [e for e, _ in seen] == [0, 1]
    with pytest.raises(ValueError, match="on_epoch_ended"):
        LambdaCallback(on_epoch_ended=print)


def test_tensorboard_missing_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # import now fails as if absent
    with pytest.raises(ImportError, match="pip install tensorboardX"):
        _trainer([TensorBoardLogger(tmp_path)]).fit(_data(), epochs=1)


def test_tensorboard_writes_events(tmp_path):
    pytest.importorskip("tensorboardX")
    _trainer([TensorBoardLogger(tmp_path / "tb")]).fit(_data(), epochs=1)
    assert list((tmp_path / "tb").glob("events.*"))


def test_history():
    h = History()
    h.append(0, {"loss": 1.0, "val_accuracy": 0.5})
    h.append(1, {"loss": 0.5})
    assert h["loss"] == [1.0, 0.5] and np.isnan(h["val_accuracy"][1])
    assert h.best("val_accuracy", "max") == (0, 0.5)
    h2 = History()
    h2.load_state_dict(json.loads(json.dumps(h.state_dict())))
    assert h2.records == h.records
    with pytest.raises(KeyError, match="logged keys"):
        h["f1"]
