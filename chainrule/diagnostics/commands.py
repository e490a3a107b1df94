"""CLI subcommands of the diagnostics: ``chainrule diagnose``, ``chainrule lr-find`` and
``chainrule explain`` (registered by ``chainrule.cli`` through :func:`register`)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

__all__ = ["register"]

#: Matt Mazur's "A Step by Step Backpropagation Example" (2-2-2, sigmoid, lr 0.5).
CLASSIC = {
    "layers": [
        {"weight": [[0.15, 0.20], [0.25, 0.30]], "bias": [0.35, 0.35]},
        {"weight": [[0.40, 0.45], [0.50, 0.55]], "bias": [0.60, 0.60]},
    ],
    "input": [0.05, 0.10],
    "target": [0.01, 0.99],
    "lr": 0.5,
}


def _sizes(text: str) -> list[int]:
    """``"128,64"`` or ``"2-2-1"`` -> positive ints, else a one-line usage error."""
    try:
        sizes = [int(s) for s in re.split(r"[-,\s]+", text.strip()) if s]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected layer sizes such as 2-4-1 or 128,64, got {text!r}"
        ) from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got {text!r}")
    return sizes


def _existing_file(text: str) -> str:
    import os

    if not os.path.isfile(text):
        raise argparse.ArgumentTypeError(f"{text!r} does not exist")
    return text


def _numbers(values: list[str] | None) -> list[float] | None:
    if values is None:
        return None
    out = []
    for v in values:
        out += [float(x) for x in re.split(r"[,\s]+", v.strip()) if x]
    return out


def _diagnose(args: argparse.Namespace) -> int:
    from pathlib import Path

    from chainrule.diagnostics.report import load_run, write_report

    if not Path(args.run_dir).is_dir():
        print(
            f"chainrule diagnose: error: RUN_DIR: {args.run_dir!r} is not a folder "
            "(give a run folder written by chainrule train)",
            file=sys.stderr,
        )
        return 2
    path = write_report(args.run_dir, args.output)
    diag = load_run(args.run_dir)["diagnostics"]
    n = len(diag.get("findings", []))
    print(f"wrote {path} ({n} finding(s) from diagnostics.json)")
    for f in diag.get("findings", []):
        print(f"- {f['kind']}: {', '.join(f['where'])}: {f['message']}")
    return 0


def _lr_find_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The settings ``chainrule train`` would use: a run folder's ``config.json`` (``--run-dir``),
    then ``--config``, then the options; no schedule (the sweep sets the lr itself)."""
    import os

    from chainrule.train.config import TrainConfig, load_toml

    values: dict[str, Any] = {}
    cfg_json = os.path.join(args.run_dir, "config.json") if args.run_dir else None
    if cfg_json and os.path.isfile(cfg_json):
        with open(cfg_json) as fh:
            saved = json.load(fh)
        values.update({k: v for k, v in saved.items() if k in TrainConfig.keys()})
    if args.config:
        values.update(load_toml(args.config))
    for k in ("dataset", "model", "optimizer", "momentum", "weight_decay", "batch_size", "seed"):
        if getattr(args, k, None) is not None:
            values[k] = getattr(args, k)
    if args.hidden:
        values["model_options"] = {"hidden": list(args.hidden)}
    values["schedule"] = "none"
    return values


def _lr_find(args: argparse.Namespace) -> int:
    from chainrule.diagnostics.lr_finder import lr_find
    from chainrule.diagnostics.report import merge_diagnostics
    from chainrule.train.commands import _loss, _Setup
    from chainrule.train.config import ConfigError, TrainConfig

    try:
        cfg = TrainConfig.resolve(_lr_find_settings(args))
        # the run's own model, optimizer and data pipeline (scaling, batch size)
        setup = _Setup(cfg)
    except (ConfigError, ValueError, TypeError) as e:
        print(f"chainrule lr-find: error: {str(e).splitlines()[0]}", file=sys.stderr)
        return 2
    opt = setup.optimizer
    for group in opt.param_groups:
        group["lr"] = args.start_lr
    res = lr_find(
        setup.model,
        setup.train_loader,
        _loss(cfg.task),
        opt,
        args.start_lr,
        args.end_lr,
        args.num_steps,
    )
    n_params = sum(p.numel() for p in setup.model.parameters())
    print(
        f"lr-find: {cfg.dataset}, {cfg.model} ({n_params:,} parameters), {cfg.optimizer}, "
        f"batch size {cfg.batch_size}, {len(res.lrs)} steps"
    )
    print(res)
    if args.plot:
        try:
            res.plot(args.plot)
            print(f"wrote {args.plot}")
        except ImportError as e:
            print(f"lr-find: no plot ({e})", file=sys.stderr)
    if args.run_dir:
        print(f"saved into {merge_diagnostics(args.run_dir, lr_find=res.to_dict())}")
    return 0


def _explain(args: argparse.Namespace) -> int:
    from chainrule.diagnostics.explain import _from_layers, explain, load_weights_json, make_network

    out_act: str | None = args.output_activation
    if out_act == "none":
        out_act = None
    elif out_act is None:
        out_act = None if args.loss == "cross_entropy" else "same"
    if args.weights:
        net = load_weights_json(args.weights, args.activation, out_act)
    elif args.layers:
        sizes = args.layers
        if len(sizes) < 2:
            print(
                "chainrule explain: error: --layers needs at least 2 sizes (e.g. 2-2-1)",
                file=sys.stderr,
            )
            return 2
        net = make_network(sizes, args.activation, out_act, seed=args.seed)
    else:
        spec = CLASSIC["layers"]
        net = _from_layers([(lay["weight"], lay["bias"]) for lay in spec], args.activation, out_act)
    n_in = next(m for m in net if hasattr(m, "in_features")).in_features
    n_out = [m for m in net if hasattr(m, "out_features")][-1].out_features
    x = _numbers(args.input)
    t = _numbers(args.target)
    if x is None:
        x = CLASSIC["input"] if n_in == 2 else [round(0.1 * (i + 1), 2) for i in range(n_in)]
    if t is None:
        if args.loss == "cross_entropy":
            t = [0.0]
        else:
            t = CLASSIC["target"] if n_out == 2 else [0.5] * n_out
    lr = args.lr if args.lr is not None else CLASSIC["lr"]
    try:
        e = explain(net, x, t if len(t) > 1 else t[0], lr, loss=args.loss, digits=args.digits)
    except ValueError as err:
        print(f"chainrule explain: {err}", file=sys.stderr)
        return 2
    print(e.markdown)
    if args.html:
        e.save_html(args.html)
        print(f"wrote {args.html}", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(e.values, fh, indent=1)
    return 0


def register(subparsers: Any) -> None:
    """Add ``diagnose``, ``lr-find`` and ``explain`` to the ``chainrule`` command.

    Example:
        >>> import argparse
        >>> p = argparse.ArgumentParser(); sub = p.add_subparsers()
        >>> register(sub)
        >>> p.parse_args(["explain", "--layers", "2-2-2"]).layers
        [2, 2, 2]
    """
    d = subparsers.add_parser(
        "diagnose",
        help="write the HTML diagnostics report of a run folder",
        description="Write RUN_DIR/report.html: learning curves (metrics.jsonl), gradient flow "
        "and findings (diagnostics.json), LR-test plot. Self-contained: opens with no network.",
    )
    d.add_argument("run_dir", metavar="RUN_DIR")
    d.add_argument("-o", "--output", help="report path (default RUN_DIR/report.html)")
    d.set_defaults(func=_diagnose)

    lf = subparsers.add_parser(
        "lr-find",
        help="learning-rate range test on a bundled dataset",
        description="Sweep the learning rate exponentially while training the model that "
        "`chainrule train` would train (the same model, optimizer, batch size and input "
        "scaling; a run folder's settings with --run-dir), plot the smoothed loss against it "
        "and suggest a learning rate (steepest descent rule).",
    )
    lf.add_argument("--config", metavar="FILE", help="TOML settings, as for chainrule train")
    lf.add_argument("--dataset", help="dataset (default: the run's, else digits)")
    lf.add_argument("--model", help="architecture (default: the run's, else the dataset's)")
    lf.add_argument("--hidden", type=_sizes, help="hidden sizes of an mlp, e.g. 128,64")
    lf.add_argument("--optimizer", help="optimizer (default: the run's, else adam)")
    lf.add_argument("--momentum", type=float, help="SGD momentum (default 0.9)")
    lf.add_argument("--weight-decay", dest="weight_decay", type=float, help="weight decay")
    lf.add_argument("--batch-size", dest="batch_size", type=int, help="batch size")
    lf.add_argument("--start-lr", type=float, default=1e-7)
    lf.add_argument("--end-lr", type=float, default=10.0)
    lf.add_argument("--num-steps", type=int, default=100)
    lf.add_argument("--seed", type=int, help="random seed (default 0)")
    lf.add_argument("--plot", help="write the loss-vs-lr plot here (PNG/SVG)")
    lf.add_argument(
        "--run-dir",
        help="a run folder: sweep its settings and save the result into its diagnostics.json",
    )
    lf.set_defaults(func=_lr_find)

    e = subparsers.add_parser(
        "explain",
        help="one training step of a small network, by hand, with the real numbers",
        description="Print a Markdown walk-through of one training step (forward neuron by "
        "neuron, loss, backward deltas and gradients, update). Without --layers/--weights it "
        "uses the classic 2-2-2 example (Mazur): inputs 0.05 0.10, targets 0.01 0.99, lr 0.5.",
    )
    e.add_argument("--layers", type=_sizes, help="sizes such as 2-2-2 (weights seeded with --seed)")
    e.add_argument(
        "--weights",
        type=_existing_file,
        help='JSON {"layers": [{"weight": [[..]], "bias": [..]}, ..]}',
    )
    e.add_argument("--input", nargs="+", help="input values (e.g. 0.05 0.10 or 0.05,0.10)")
    e.add_argument("--target", nargs="+", help="targets (cross_entropy: a class index)")
    e.add_argument("--lr", type=float, default=None, help="learning rate (default 0.5)")
    e.add_argument("--activation", choices=["sigmoid", "tanh", "relu"], default="sigmoid")
    e.add_argument(
        "--output-activation",
        choices=["sigmoid", "tanh", "relu", "none"],
        default=None,
        help="activation of the output layer (default: --activation for mse, none for "
        "cross_entropy)",
    )
    e.add_argument("--loss", choices=["mse", "cross_entropy"], default="mse")
    e.add_argument("--digits", type=int, default=8, help="decimals printed (default 8)")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--html", help="also write the walk-through as a self-contained HTML page")
    e.add_argument("--json", help="also write every number as JSON")
    e.set_defaults(func=_explain)
