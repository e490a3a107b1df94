"""A NaN/Inf loss or gradient stops training with an error saying where (or skips the batch with
``on_nonfinite="skip"``); no checkpoint is written from a non-finite state."""

import numpy as np
import pytest

import chainrule
from chainrule import nn, optim
from chainrule.io import load
from chainrule.train import NonFiniteError, Trainer


class _Batches:
    """A loader of fixed batches; batch ``bad`` of epoch ``bad_epoch`` holds a NaN input."""

    def __init__(self, n=4, bad=2, bad_epoch=1):
        rng = np.random.default_rng(0)
        self.x = [rng.normal(size=(8, 3)).astype(np.float32) for _ in range(n)]
        self.y = [rng.integers(0, 2, 8) for _ in range(n)]
        self.bad, self.bad_epoch, self.epoch = bad, bad_epoch, 0
        self.batch_size = 8

    def __len__(self):
        return len(self.x)

    def __iter__(self):
        for i, (x, y) in enumerate(zip(self.x, self.y)):
            x = x.copy()
            if i == self.bad and self.epoch in (self.bad_epoch, "all"):
                x[0, 1] = np.nan
            if self.bad_epoch == "all":
                x[:] = np.nan
            yield chainrule.tensor(x), chainrule.tensor(y)
        self.epoch += 1


def _model():
    chainrule.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def _trainer(model, **kw):
    return Trainer(
        model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), progress=False, **kw
    )


def test_nan_input_stops_with_where_and_remedy(tmp_path):
    model = _model()
    t = _trainer(model, run_dir=tmp_path)
    with pytest.raises(NonFiniteError) as info:
        t.fit(_Batches(), epochs=3)
    e = info.value
    assert (e.epoch, e.batch, e.kind) == (1, 2, "loss")
    assert e.module == "0 (Linear)"
    text = str(e)
    for needle in ("epoch 2", "batch index 2", "input batch", "0 (Linear)", "learning rate"):
        assert needle in text, text
    assert "on-nonfinite skip" in text
    # no step was taken from the NaN: the weights are finite, and the run folder holds the
    # checkpoint of epoch 1 (finite), no final model written from the failed run
    assert all(np.isfinite(p.numpy()).all() for p in model.parameters())
    assert e.checkpoint == tmp_path / "checkpoints" / "last.safetensors"
    state = load(e.checkpoint)
    assert state["epoch"] == 1
    assert all(np.isfinite(np.asarray(v)).all() for v in state["model"].values())
    assert not (tmp_path / "model.safetensors").exists()


class _SqrtAtZero(nn.Module):
    """Finite loss, infinite gradient: d sqrt(|w x|) / dw at w = 0."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(chainrule.zeros(3))
        self.out = nn.Linear(3, 2)

    def forward(self, x):
        return self.out((x * self.w).abs().sqrt())


def test_infinite_gradient_with_finite_loss_names_the_parameter():
    model = _SqrtAtZero()
    with pytest.raises(NonFiniteError) as info:
        _trainer(model).fit(_Batches(bad=-1), epochs=1)
    e = info.value
    assert e.kind == "gradient" and e.parameters == ["w"] and (e.epoch, e.batch) == (0, 0)
    assert "gradients of w" in str(e)
    assert np.isfinite(model.w.numpy()).all()


def test_skip_mode_skips_the_bad_batch_and_goes_on():
    model = _model()
    t = _trainer(model, on_nonfinite="skip")
    h = t.fit(_Batches(), epochs=3)
    assert h["skipped_batches"] == [0, 1, 0] and t.skipped_batches == 1
    assert t.global_step == 11
    assert all(np.isfinite(p.numpy()).all() for p in model.parameters())
    assert np.isfinite(h["loss"]).all()


def test_skip_mode_raises_when_a_whole_epoch_is_bad():
    with pytest.raises(NonFiniteError, match="every batch of epoch 1"):
        _trainer(_model(), on_nonfinite="skip").fit(_Batches(bad_epoch="all"), epochs=2)


def test_overflowing_optimizer_state_stops_before_the_checkpoint(tmp_path):
    model = _model()
    t = Trainer(
        model,
        nn.CrossEntropyLoss(),
        optim.Adam(model.parameters(), lr=1.0),
        progress=False,
        run_dir=tmp_path,
    )
    with pytest.raises(NonFiniteError, match="exp_avg_sq of 0.weight") as info:
        with np.errstate(over="ignore"):
            # gradients of 1e20 (finite) whose squares overflow float32
            t.loss_fn = lambda out, y: (out * 1e20).sum()
            t.fit(_Batches(bad=-1), epochs=2)
    assert info.value.kind == "parameters"
    assert not (tmp_path / "checkpoints" / "last.safetensors").exists()


def test_bad_option_value():
    with pytest.raises(ValueError, match="on_nonfinite must be one of raise, skip"):
        _trainer(_model(), on_nonfinite="ignore")


def test_cli_train_huge_lr_exits_non_zero(tmp_path, capsys):
    from chainrule.cli import main

    with np.errstate(all="ignore"):
        code = main(
            ["train", "--lr", "1e9", "--epochs", "2", "--output", str(tmp_path), "--no-progress"]
        )
    err = capsys.readouterr().err
    assert code == 1, err
    line = [x for x in err.splitlines() if x.startswith("chainrule train: error")]
    assert len(line) == 1 and "NaN/Inf" in line[0] and "learning rate" in line[0]
    assert "Traceback" not in err
    (run,) = list(tmp_path.iterdir())
    assert not (run / "model.safetensors").exists()
    for ck in (run / "checkpoints").glob("*.safetensors"):
        state = load(ck)
        assert all(np.isfinite(np.asarray(v)).all() for v in state["model"].values())
