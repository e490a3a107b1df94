"""Commands robustness: extras checked before training, CSV headers for predict, multi-class
ROC-AUC on probabilities (vs scikit-learn), lr-find on the configured model/optimizer/data,
recurrent models on images, subcommand help for typos, per-optimizer learning rates."""

import json
import sys

import numpy as np
import pytest

from chainrule.cli import main
from chainrule.train.config import TrainConfig


def _train(out, *args):
    code = main(["train", "--output", str(out), "--no-progress", *args])
    runs = sorted(p for p in out.iterdir()) if out.exists() else []
    return code, (runs[-1] if runs else None)


@pytest.fixture(scope="module")
def cancer_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cancer")
    code, run = _train(out, "--dataset", "breast_cancer", "--epochs", "2", "--optimizer", "sgd")
    assert code == 0
    return run


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("digits")
    code, run = _train(out, "--model", "mlp", "--epochs", "2", "--schedule", "none")
    assert code == 0
    return run


def test_missing_train_extra_is_reported_before_anything_is_written(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "safetensors", None)  # as if not installed
    out = tmp_path / "runs"
    code, run = _train(out, "--dataset", "breast_cancer", "--epochs", "2")
    err = capsys.readouterr().err
    assert code == 1 and run is None
    assert "safetensors" in err and "pip install 'chainrule[train]'" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_predict_csv_with_a_header_row(cancer_run, tmp_path, capsys):
    rows = np.random.default_rng(0).normal(size=(3, 30))
    header = ",".join(f"feature_{i}" for i in range(30))
    p = tmp_path / "x.csv"
    p.write_text(header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    plain = tmp_path / "plain.csv"
    plain.write_text("\n".join(",".join(map(str, r)) for r in rows) + "\n")
    capsys.readouterr()
    assert main(["predict", str(cancer_run), str(p)]) == 0
    with_header = capsys.readouterr().out
    assert main(["predict", str(cancer_run), str(plain)]) == 0
    assert capsys.readouterr().out == with_header
    assert len(with_header.strip().splitlines()) == 4  # the CSV's header + 3 predictions

    bad = tmp_path / "bad.csv"
    bad.write_text(header + "\n" + ",".join(["1"] * 29 + ["x"]) + "\n")
    assert main(["predict", str(cancer_run), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "line 2" in err and "'x' is not a number" in err and "Traceback" not in err


def test_multiclass_roc_auc_uses_probabilities_like_sklearn():
    metrics = pytest.importorskip("sklearn.metrics")
    from chainrule.train.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    y = rng.integers(0, 5, 400)
    logits = rng.normal(size=(400, 5)) * 3 + np.eye(5)[y] * 2
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    ref = metrics.roc_auc_score(y, p, multi_class="ovr")
    assert roc_auc_score(y, logits) == pytest.approx(ref, abs=1e-12)
    assert roc_auc_score(y, p) == pytest.approx(ref, abs=1e-12)


def test_evaluate_roc_auc_matches_sklearn(digits_run, capsys):
    metrics = pytest.importorskip("sklearn.metrics")
    from chainrule.train.commands import _load_run

    capsys.readouterr()
    assert main(["evaluate", str(digits_run), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    setup, trainer = _load_run("evaluate", str(digits_run), "final")
    o, t, _ = trainer._outputs(setup.test_loader)
    p = np.exp(o - o.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    assert res["roc_auc"] == pytest.approx(metrics.roc_auc_score(t, p, multi_class="ovr"))


def test_lr_find_sweeps_the_runs_model_optimizer_and_scaling(cancer_run, monkeypatch, capsys):
    import chainrule.diagnostics.lr_finder as lf
    from chainrule import optim
    from chainrule.train.models import MLP

    seen = {}
    real = lf.lr_find

    def spy(model, loader, loss_fn, optimizer, *a, **k):
        seen.update(model=model, optimizer=optimizer, x=next(iter(loader))[0].numpy())
        seen["batch"] = loader.batch_size
        return real(model, loader, loss_fn, optimizer, *a, **k)

    monkeypatch.setattr(lf, "lr_find", spy)
    assert main(["lr-find", "--run-dir", str(cancer_run), "--num-steps", "20"]) == 0
    out = capsys.readouterr().out
    assert "breast_cancer, mlp" in out and "sgd" in out
    assert isinstance(seen["model"], MLP) and isinstance(seen["optimizer"], optim.SGD)
    assert seen["optimizer"].param_groups[0]["momentum"] == 0.9
    assert seen["batch"] == 32
    assert abs(float(seen["x"].mean())) < 1.0 and float(seen["x"].std()) < 3  # standardized
    seen.clear()
    assert main(["lr-find", "--num-steps", "20", "--optimizer", "adam", "--model", "cnn"]) == 0
    assert isinstance(seen["optimizer"], optim.Adam) and type(seen["model"]).__name__ == "CNN"


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_recurrent_models_read_digits_row_by_row(tmp_path, cell):
    code, run = _train(tmp_path, "--model", cell, "--epochs", "15")
    assert code == 0
    assert json.loads((run / "results.json").read_text())["test_accuracy"] > 0.75


def test_recurrent_model_on_tabular_data_is_refused_in_user_words(tmp_path, capsys):
    code, _ = _train(tmp_path, "--model", "lstm", "--dataset", "breast_cancer", "--epochs", "1")
    err = capsys.readouterr().err
    assert code == 2
    assert "reads sequences" in err and "--model mlp" in err and "vocab_size" not in err


def test_typo_option_points_to_the_subcommand_help(capsys):
    assert main(["train", "--optimiser", "sgd"]) == 2
    err = capsys.readouterr().err
    assert "see chainrule train --help" in err and "did you mean --optimizer" in err
    assert main(["evaluate", "somewhere", "--jsn"]) == 2
    err = capsys.readouterr().err
    assert "see chainrule evaluate --help" in err and "--json" in err


def test_learning_rate_defaults_are_per_optimizer():
    assert TrainConfig.resolve({}).lr == 3e-3  # the dataset's, tuned for adam
    assert TrainConfig.resolve({"optimizer": "adadelta"}).lr == 1.0
    assert TrainConfig.resolve({"optimizer": "rmsprop"}).lr == 1e-2
    assert TrainConfig.resolve({"optimizer": "adadelta", "lr": 0.5}).lr == 0.5
    torch = pytest.importorskip("torch")
    p = [torch.nn.Parameter(torch.zeros(1))]
    for name, cls in (("adadelta", "Adadelta"), ("adagrad", "Adagrad"), ("rmsprop", "RMSprop")):
        want = getattr(torch.optim, cls)(p).defaults["lr"]
        assert TrainConfig.resolve({"optimizer": name}).lr == want


@pytest.mark.parametrize("optimizer", ["adadelta", "adagrad"])
def test_adadelta_and_adagrad_learn_the_digits(tmp_path, optimizer):
    code, run = _train(tmp_path, "--optimizer", optimizer, "--epochs", "10")
    assert code == 0  # the one-cycle default schedule accepts optimizers without momentum
    assert json.loads((run / "results.json").read_text())["test_accuracy"] > 0.85
