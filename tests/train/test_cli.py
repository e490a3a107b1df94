"""The chainrule command end to end: train, evaluate, predict, resume, datasets, info, errors."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from chainrule.cli import main
from chainrule.io import load

ROOT = Path(__file__).resolve().parents[2]


def _run(*args, cwd=None, timeout=120):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "chainrule", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


def _only_run(folder):
    runs = [p for p in Path(folder).iterdir() if p.is_dir()]
    assert len(runs) == 1, runs
    return runs[0]


def test_train_evaluate_predict(tmp_path, capsys):
    out = tmp_path / "runs"
    rc = main(
        [
            "train",
            "--dataset",
            "breast_cancer",
            "--epochs",
            "20",
            "--output",
            str(out),
            "--no-progress",
            "--metrics",
            "accuracy,f1",
        ]
    )
    text = capsys.readouterr().out
    assert rc == 0
    acc = float(text.split("test accuracy: ")[1].split("%")[0])
    assert acc >= 96.0, text
    run = _only_run(out)
    assert str(run) in text and "plots" in text and "best.safetensors" in text
    for name in (
        "config.json",
        "config.toml",
        "metrics.jsonl",
        "summary.md",
        "results.json",
        "model.safetensors",
        "checkpoints/best.safetensors",
        "checkpoints/last.safetensors",
        "plots/loss.png",
        "plots/confusion_matrix.png",
    ):
        assert (run / name).is_file(), name
    assert "test_accuracy" in (run / "summary.md").read_text()

    assert main(["evaluate", str(run)]) == 0
    text = capsys.readouterr().out
    assert f"test accuracy: {acc:.1f}%" in text and "malignant" in text and "confusion" in text
    assert main(["evaluate", str(run), "--json", "--checkpoint", "best"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["samples"] == 114 and len(res["confusion_matrix"]) == 2

    assert main(["predict", str(run), "--limit", "5"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "index,prediction,class,probability,true" and len(lines) == 6

    from chainrule.data.datasets import load_breast_cancer

    x = load_breast_cancer("test", standardize=True).data.numpy()[:3]
    np.save(tmp_path / "x.npy", x)
    np.savetxt(tmp_path / "x.csv", x, delimiter=",")
    assert main(["predict", str(run), str(tmp_path / "x.npy")]) == 0
    a = capsys.readouterr().out
    assert main(["predict", str(run), str(tmp_path / "x.csv"), "-o", str(tmp_path / "p.csv")]) == 0
    assert len(a.strip().splitlines()) == 4
    assert (tmp_path / "p.csv").read_text().splitlines()[1:] == a.strip().splitlines()[1:]
    assert main(["predict", str(run), str(tmp_path / "missing.npy")]) == 2


def test_config_file_and_cli_override(tmp_path, capsys):
    cfg = tmp_path / "run.toml"
    cfg.write_text(
        'dataset = "digits"\nmodel = "mlp"\nepochs = 5\nschedule = "none"\n'
        "[model_options]\nhidden = [16]\n"
    )
    rc = main(
        [
            "train",
            "--config",
            str(cfg),
            "--epochs",
            "1",
            "--output",
            str(tmp_path / "r"),
            "--no-progress",
            "--name",
            "mine",
        ]
    )
    assert rc == 0
    run = _only_run(tmp_path / "r")
    assert run.name.endswith("-mine")
    saved = json.loads((run / "config.json").read_text())
    assert (saved["model"], saved["epochs"], saved["model_options"]) == ("mlp", 1, {"hidden": [16]})
    # the run's config.toml can be given back
    assert (
        main(
            [
                "train",
                "--config",
                str(run / "config.toml"),
                "--output",
                str(tmp_path / "again"),
                "--no-progress",
            ]
        )
        == 0
    )
    capsys.readouterr()


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--optimizer", "adamx"], "--optimizer: 'adamx' is not one of: adam"),
        (["--model", "resnet"], "--model: 'resnet' is not one of: mlp, cnn"),
        (["--dataset", "imagenet"], "--dataset: unknown dataset 'imagenet'; accepted: digits"),
        (["--schedule", "warm"], "--schedule: 'warm' is not one of"),
        (["--lr", "-1"], "--lr: expected a number > 0"),
        (["--batch-size", "0"], "--batch-size: expected an integer > 0"),
        (["--metrics", "acc,bogus"], "--metrics: unknown metric 'bogus'"),
    ],
)
def test_bad_options_one_line_exit_2(capsys, args, needle):
    assert main(["train", *args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and needle in err, err


def test_bad_config_file(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("epochs = 3\nlearning_rate = 0.1\n")
    assert main(["train", "--config", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert "unknown setting 'learning_rate'; accepted: dataset" in err and "\n" not in err
    bad.write_text("epochs = [")
    assert main(["train", "--config", str(bad)]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    assert main(["train", "--config", str(tmp_path / "none.toml")]) == 2


def test_missing_dataset_says_how_to_get_it(capsys):
    from chainrule.data.datasets._common import DatasetNotFoundError
    from chainrule.train.config import DATASETS, register_dataset

    def loader(seed):
        raise DatasetNotFoundError("nothing", "pip install nothing-data")

    register_dataset(
        "nothing", loader, "absent", how="pip install nothing-data", check=lambda: False
    )
    try:
        assert main(["train", "--dataset", "nothing"]) == 1
        err = capsys.readouterr().err
        assert "pip install nothing-data" in err and len(err.strip().splitlines()) == 1
        assert main(["datasets"]) == 0
        out = capsys.readouterr().out
        assert "nothing: pip install nothing-data" in out
    finally:
        del DATASETS["nothing"]


def test_datasets_and_info(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "digits" in out and "breast_cancer" in out and "yes (bundled)" in out
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "numpy" in out and "blas" in out and "cpus" in out


def test_exit_codes_and_help_via_subprocess(tmp_path):
    for cmd in ([], ["train"], ["evaluate"], ["predict"], ["datasets"], ["info"]):
        r = _run(*cmd, "--help", cwd=tmp_path)
        assert r.returncode == 0 and "usage:" in r.stdout, (cmd, r.stderr)
    r = _run("train", "--optimizer", "adamx", cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "--optimizer" in r.stderr and "adamw" in r.stderr and "Traceback" not in r.stderr
    r = _run("train", "--bogus", cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "--bogus" in r.stderr
    r = _run("evaluate", str(tmp_path / "nope"), cwd=tmp_path)
    assert r.returncode == 2 and "not a run folder" in r.stderr
    r = _run("train", "--resume", str(tmp_path / "nope"), cwd=tmp_path)
    assert r.returncode == 2 and "--resume" in r.stderr
    assert not (tmp_path / "runs").exists()


def test_ctrl_c_then_resume_matches_uninterrupted(tmp_path):
    # 30 epochs (~1.5 s): long enough that the interrupt after epoch 1 always lands mid-run
    args = ["train", "--epochs", "30", "--no-progress", "--schedule", "onecycle"]
    ref = _run(*args, "--output", "ref", cwd=tmp_path)
    assert ref.returncode == 0, ref.stderr

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "chainrule", *args, "--output", "cut"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:  # wait for the first epoch to finish
        files = list((tmp_path / "cut").glob("*/metrics.jsonl"))
        if files and files[0].read_text().count("\n") >= 1:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    run = _only_run(tmp_path / "cut")
    assert proc.returncode == 130, (proc.returncode, err)
    rel = run.relative_to(tmp_path)
    assert f"chainrule train --resume {rel}" in err and "Traceback" not in err
    assert load(run / "checkpoints" / "last.safetensors")["epoch"] < 30

    resumed = _run("train", "--resume", str(run), "--no-progress", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    a = load(_only_run(tmp_path / "ref") / "model.safetensors")
    b = load(run / "model.safetensors")
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k].numpy(), b[k].numpy(), err_msg=k)
    ref_acc = ref.stdout.split("test accuracy: ")[1].split("%")[0]
    assert f"test accuracy: {ref_acc}%" in resumed.stdout


def test_default_train_is_the_digits_cnn_with_diagnosis(tmp_path, capsys):
    # the README's main job (`chainrule train`), plus --diagnose: target accuracy, run folder,
    # printed findings and the HTML report
    assert main(["--output", str(tmp_path), "--no-progress", "--diagnose"]) == 0
    text = capsys.readouterr().out
    acc = float(text.split("test accuracy: ")[1].split("%")[0])
    assert acc >= 97.0, text
    run = _only_run(tmp_path)
    assert run.name.endswith("cnn-digits")
    assert "diagnosis:" in text and str(run / "report.html") in text
    html = (run / "report.html").read_text()
    assert "Learning curves" in html and "<img" in html
    diag = json.loads((run / "diagnostics.json").read_text())
    assert diag["records"] and {"conv1.weight", "fc2.weight"} <= set(diag["records"][0]["params"])


def _fake_ratings(folder, n_users=60, n_items=40, per_user=30, seed=0):
    rng = np.random.default_rng(seed)
    ub, ib = rng.normal(0, 0.6, n_users), rng.normal(0, 0.6, n_items)
    rows = ["userId,movieId,rating,timestamp"]
    for u in range(n_users):
        for i in rng.choice(n_items, per_user, replace=False):
            r = np.clip(np.round((3.5 + ub[u] + ib[i] + rng.normal(0, 0.3)) * 2) / 2, 0.5, 5)
            rows.append(f"{u + 1},{i + 100},{r},0")
    folder.mkdir(parents=True)
    (folder / "ratings.csv").write_text("\n".join(rows) + "\n")


def test_movielens_recommender_train_evaluate_predict_pairs(tmp_path, capsys, monkeypatch):
    # real loader and parser on a ratings.csv the test writes; MF trained by the CLI must beat
    # the global-mean baseline on held-out ratings, and predict takes (user, item) rows
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    _fake_ratings(tmp_path / "data" / "movielens")
    out = tmp_path / "runs"
    args = ["train", "--dataset", "movielens", "--epochs", "30", "--batch-size", "64"]
    assert main([*args, "--lr", "0.02", "--output", str(out), "--no-progress"]) == 0
    text = capsys.readouterr().out
    rmse = float(text.split("test RMSE: ")[1].split()[0])
    from chainrule.data.datasets import load_movielens

    train, test = load_movielens("train"), load_movielens("test")
    baseline = float(np.sqrt(np.mean((test.ratings - train.ratings.mean()) ** 2)))
    assert rmse < 0.8 * baseline, (rmse, baseline)
    run = _only_run(out)
    assert main(["evaluate", str(run)]) == 0
    assert f"RMSE {rmse:.4f}" in capsys.readouterr().out
    (tmp_path / "pairs.csv").write_text("0,1\n3,10\n")
    assert main(["predict", str(run), str(tmp_path / "pairs.csv")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "index,prediction" and len(lines) == 3
    assert all(0.0 < float(r.split(",")[1]) < 6.0 for r in lines[1:])
    (tmp_path / "bad.csv").write_text("0,1,2\n")
    assert main(["predict", str(run), str(tmp_path / "bad.csv")]) == 2


def test_audio_dataset_trains_the_audio_cnn(tmp_path, capsys, monkeypatch):
    # the synthesized speech set needs espeak-ng/flite to build; here its registry loader is
    # replaced by log-mel-shaped tensors whose class is a bright band in a fixed mel range
    import chainrule
    from chainrule.data.datasets import DATASETS as DATA
    from chainrule.data.datasets.bundled import LabeledDataset

    def fake(split="train", **kw):
        rng = np.random.default_rng(0 if split == "train" else 1)
        n = 160 if split == "train" else 60
        y = rng.integers(0, 2, n)
        x = rng.normal(0, 1, (n, 1, 16, 12)).astype(np.float32)
        x[y == 1, :, 2:5] += 2.0
        x[y == 0, :, 10:13] += 2.0
        return LabeledDataset(
            chainrule.tensor(x),
            chainrule.tensor(y),
            feature_names=[str(i) for i in range(16 * 12)],
            target_names=["off", "on"],
        )

    monkeypatch.setattr(DATA["synth_commands"], "loader", fake)
    args = ["train", "--dataset", "synth_commands", "--epochs", "4", "--output", str(tmp_path)]
    assert main([*args, "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert float(text.split("test accuracy: ")[1].split("%")[0]) >= 90.0, text
    assert _only_run(tmp_path).name.endswith("audio_cnn-synth_commands")
