"""Resume robustness: bad resume files are one CheckpointError naming the file, killed writes
are cleaned up, a run folder has one writer, an interrupted epoch is logged whole, and runs are
extended only where the schedule allows it."""

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import chainrule
from chainrule import nn, optim
from chainrule.cli import main
from chainrule.data import DataLoader
from chainrule.data.datasets import load_breast_cancer
from chainrule.io import CheckpointError, load, save
from chainrule.train import Callback, Trainer, TrainingInterrupted
from chainrule.train.models import MLP
from chainrule.train.run_dir import RunDirBusyError


def _trainer(run_dir=None, callbacks=(), epochs=4, seed=0, onecycle=True):
    chainrule.manual_seed(seed)
    model = MLP(30, 2, hidden=(16,), dropout=0.2)
    tr = load_breast_cancer("train", standardize=True)
    te = load_breast_cancer("test", standardize=True)
    train = DataLoader(tr, batch_size=32, shuffle=True)
    val = DataLoader(te, batch_size=256)
    opt = optim.Adam(model.parameters(), lr=3e-3)
    sched = None
    if onecycle:
        sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * len(train))
    t = Trainer(
        model,
        nn.CrossEntropyLoss(),
        opt,
        scheduler=sched,
        callbacks=callbacks,
        run_dir=run_dir,
        progress=False,
        metrics=("accuracy", "f1"),
    )
    return t, train, val


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("finished")
    t, train, val = _trainer(run, epochs=2)
    t.fit(train, val, epochs=2)
    return run


def test_resume_from_weights_only_file_is_a_checkpoint_error(tmp_path, finished_run):
    t, train, val = _trainer(tmp_path / "r")
    with pytest.raises(CheckpointError, match=r"model\.safetensors.*not a training checkpoint"):
        t.fit(train, val, epochs=2, resume=finished_run / "model.safetensors")


def _corrupt(run, tmp_path, name, fn):
    state = load(run / "checkpoints" / "last.safetensors")
    fn(state)
    path = tmp_path / f"{name}.safetensors"
    save(state, path)
    return path


CORRUPTIONS = {
    "optimizer": lambda s: s.__setitem__("optimizer", {"state": "garbage", "param_groups": 3}),
    "optimizer groups": lambda s: s["optimizer"].__setitem__("param_groups", [{"lr": 1}] * 5),
    "rng": lambda s: s.__setitem__("rng", {"bit_generator": "NoSuchRNG", "state": 1}),
    "rng type": lambda s: s.__setitem__("rng", [1, 2, 3]),
    "loader rng": lambda s: s.__setitem__("loader_rng", 7),
    "no optimizer": lambda s: s.pop("optimizer"),
    "epoch": lambda s: s.__setitem__("epoch", "two"),
    "model": lambda s: s["model"].pop(next(iter(s["model"]))),
    "history": lambda s: s.__setitem__("history", "garbage"),
    "callbacks": lambda s: s.__setitem__("callbacks", {k: 5 for k in s["callbacks"]}),
}


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_corrupt_training_state_is_a_checkpoint_error(tmp_path, finished_run, name):
    path = _corrupt(finished_run, tmp_path, name.replace(" ", "_"), CORRUPTIONS[name])
    t, train, val = _trainer(tmp_path / "r")
    with pytest.raises(CheckpointError) as e:
        t.fit(train, val, epochs=3, resume=path)
    assert path.name in str(e.value) and "cannot resume" in str(e.value)


def test_cli_resume_of_a_weights_file_is_one_line(tmp_path, capsys):
    out = tmp_path / "runs"
    assert _cli("train", "--dataset", "breast_cancer", "--epochs", "1", "--output", str(out)) == 0
    (run,) = out.iterdir()
    capsys.readouterr()
    code = _cli("train", "--resume", str(run / "model.safetensors"))
    err = capsys.readouterr().err
    assert code == 1
    assert "not a training checkpoint" in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if "error" in line]) == 1


def test_resume_cleans_temporary_files_of_a_killed_write(tmp_path):
    run = tmp_path / "run"
    t, train, val = _trainer(run, epochs=2)
    t.fit(train, val, epochs=1)
    leftovers = [
        run / "checkpoints" / ".last.k2j4x9.tmp.safetensors",
        run / ".model.ab12cd.tmp.safetensors",
        run / ".metrics.zz11.tmp.jsonl",
    ]
    for p in leftovers:
        p.write_bytes(b"half a file")
    t, train, val = _trainer(run, epochs=2, seed=3)
    t.fit(train, val, epochs=2, resume=run)
    assert not [p for p in leftovers if p.exists()]
    assert len(t.history) == 2


_HOLDER = """
import sys, time
from chainrule.train.run_dir import lock_run_dir
lock = lock_run_dir(sys.argv[1])
print("locked", flush=True)
time.sleep(60)
"""


def test_a_run_folder_has_one_writer(tmp_path):
    run = tmp_path / "run"
    t, train, val = _trainer(run, epochs=2)
    t.fit(train, val, epochs=1)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(run)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = (run / "metrics.jsonl").read_text()
        t, train, val = _trainer(run, epochs=2)
        with pytest.raises(RunDirBusyError, match=f"in use by process {holder.pid}"):
            t.fit(train, val, epochs=2, resume=run)
        assert (run / "metrics.jsonl").read_text() == before
    finally:
        holder.kill()
        holder.wait()
    t, train, val = _trainer(run, epochs=2)  # the holder is gone: the lock is free again
    t.fit(train, val, epochs=2, resume=run)
    lines = (run / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(x)["epoch"] for x in lines] == [0, 1]


def test_lock_is_released_after_fit_and_after_errors(tmp_path):
    from chainrule.train.run_dir import lock_run_dir

    t, train, val = _trainer(tmp_path, epochs=1)
    t.fit(train, val, epochs=1)
    lock_run_dir(tmp_path).release()
    t, train, val = _trainer(tmp_path, epochs=1)
    with pytest.raises(ValueError):
        t.fit(train, val, epochs=5, resume=tmp_path)  # refused: one-cycle too short
    lock_run_dir(tmp_path).release()


def test_interrupted_epoch_is_logged_whole(tmp_path):
    full, train, val = _trainer(tmp_path / "full")
    full.fit(train, val, epochs=4)

    class CtrlC(Callback):
        def on_batch_end(self, t, i, logs):
            if t.epoch == 1 and i == 6:
                raise KeyboardInterrupt

    run = tmp_path / "run"
    t, train, val = _trainer(run, callbacks=[CtrlC()])
    with pytest.raises(TrainingInterrupted):
        t.fit(train, val, epochs=4)
    resumed, train, val = _trainer(run, seed=42)
    h = resumed.fit(train, val, epochs=4, resume=run)
    for key in ("loss", "accuracy", "f1", "val_loss"):
        assert h[key] == pytest.approx(full.history[key], rel=1e-6, abs=1e-9), key
    lines = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    assert [x["epoch"] for x in lines] == [0, 1, 2, 3]
    assert lines[1]["loss"] == pytest.approx(full.history["loss"][1], rel=1e-6)
    n = len(train.dataset)
    assert lines[1]["samples_per_s"] * lines[1]["time"] == pytest.approx(n, rel=1e-6)


def test_extending_a_one_cycle_run_is_refused_before_anything_is_written(tmp_path):
    t, train, val = _trainer(tmp_path, epochs=2)
    t.fit(train, val, epochs=2)
    config = (tmp_path / "config.json").read_text()
    last = (tmp_path / "checkpoints" / "last.safetensors").read_bytes()
    t, train, val = _trainer(tmp_path, epochs=2)
    with pytest.raises(ValueError, match="OneCycleLR.*cannot be extended"):
        t.fit(train, val, epochs=3, resume=tmp_path)
    assert (tmp_path / "config.json").read_text() == config
    assert (tmp_path / "checkpoints" / "last.safetensors").read_bytes() == last


def test_extending_without_one_cycle_continues(tmp_path):
    t, train, val = _trainer(tmp_path, epochs=2, onecycle=False)
    t.fit(train, val, epochs=2)
    t, train, val = _trainer(tmp_path, epochs=2, onecycle=False)
    assert len(t.fit(train, val, epochs=3, resume=tmp_path)) == 3


def _cli(*args):
    return main([*args, "--no-progress"])


def test_cli_extend_default_onecycle_run_refused_then_plain_resume_works(tmp_path, capsys):
    out = tmp_path / "runs"
    assert _cli("train", "--dataset", "breast_cancer", "--schedule", "onecycle",
                "--epochs", "1", "--output", str(out), "--name", "oc") == 0  # fmt: skip
    (run,) = out.iterdir()
    config = (run / "config.json").read_text()
    capsys.readouterr()
    assert _cli("train", "--resume", str(run), "--epochs", "3") == 2
    err = capsys.readouterr().err
    assert "onecycle schedule was laid out for its 1 epochs" in err and "Traceback" not in err
    assert (run / "config.json").read_text() == config
    assert _cli("train", "--resume", str(run)) == 0  # still resumable


@pytest.mark.parametrize("schedule", ["none", "step", "exponential", "plateau"])
def test_cli_extend_other_schedules(tmp_path, capsys, schedule):
    out = tmp_path / "runs"
    assert _cli("train", "--dataset", "breast_cancer", "--schedule", schedule,
                "--epochs", "1", "--output", str(out)) == 0  # fmt: skip
    (run,) = out.iterdir()
    assert _cli("train", "--resume", str(run), "--epochs", "2") == 0, capsys.readouterr().err
    assert len((run / "metrics.jsonl").read_text().splitlines()) == 2
    assert json.loads((run / "config.json").read_text())["epochs"] == 2
    assert _cli("train", "--resume", str(run)) == 0


def test_fit_time_is_bounded():
    start = time.perf_counter()
    t, train, val = _trainer(None, epochs=1)
    t.fit(train, val, epochs=1)
    assert time.perf_counter() - start < 60
    assert np.isfinite(t.history["loss"][0])
