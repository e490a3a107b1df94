"""The ``chainrule`` command.

Subcommands are contributed by the modules listed in ``_COMMAND_MODULES``: each has a
``register(subparsers)`` function that adds its parsers and sets ``func`` (called with the parsed
arguments, returning the exit code). ``chainrule demo`` trains a 2-layer network on two spirals.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import math
import os
import sys
import time

import numpy as np

_COMMAND_MODULES = (
    "chainrule.train.commands",
    "chainrule.diagnostics.commands",
    "chainrule.distributed.commands",
    "chainrule.onnx.commands",
)


def _spirals(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    t = np.sqrt(rng.random(n)) * 3 * math.pi
    cls = rng.integers(0, 2, n)
    r = t / (3 * math.pi)
    angle = t + cls * math.pi
    x = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
    x += rng.normal(0, 0.02, x.shape)
    return x.astype(np.float32), cls.astype(np.int64)


def demo(epochs: int = 1500, seed: int = 0, out=None) -> float:
    """Fit two interleaved spirals with a 2-64-64-2 tanh network; returns the final accuracy.

    Example:
        >>> import io
        >>> demo(epochs=5, out=io.StringIO()) > 0.3
        True
    """
    import chainrule
    import chainrule.nn.functional as F

    out = out or sys.stdout
    chainrule.manual_seed(seed)
    x_np, y_np = _spirals(600, np.random.default_rng(seed))
    x, y = chainrule.tensor(x_np), chainrule.tensor(y_np)

    def layer(n_in: int, n_out: int) -> list:
        bound = 1 / math.sqrt(n_in)
        w = (chainrule.rand(n_out, n_in) * 2 - 1) * bound
        b = (chainrule.rand(n_out) * 2 - 1) * bound
        return [w.requires_grad_(), b.requires_grad_()]

    params = layer(2, 64) + layer(64, 64) + layer(64, 2)
    lr = 0.5
    start = time.perf_counter()
    print("chainrule demo: a 2-64-64-2 tanh network learns two interleaved spirals", file=out)
    acc = 0.0
    for epoch in range(1, epochs + 1):
        h = F.linear(x, params[0], params[1]).tanh()
        h = F.linear(h, params[2], params[3]).tanh()
        logits = F.linear(h, params[4], params[5])
        loss = -(logits.log_softmax(dim=1).gather(1, y.unsqueeze(1))).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with chainrule.no_grad():
            for p in params:
                p -= p.grad * lr
        if epoch == 1 or epoch % max(1, epochs // 10) == 0:
            acc = float((logits.argmax(dim=1) == y).float().mean().item())
            print(f"epoch {epoch:4d}  loss {loss.item():.4f}  accuracy {acc:6.1%}", file=out)
    print(f"done in {time.perf_counter() - start:.1f}s: training accuracy {acc:.1%}", file=out)
    return acc


def _demo_command(args: argparse.Namespace) -> int:
    demo(args.epochs, args.seed)
    return 0


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line (naming the option and, for choices,
    the accepted values) and exit with status 2; subcommand parsers inherit the class."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _unrecognized(parser: argparse.ArgumentParser, extra: list[str]) -> None:
    """Report unknown arguments through ``parser`` (the subcommand's), with a suggestion."""
    import difflib

    options = [o for a in parser._actions for o in a.option_strings]
    msg = f"unrecognized arguments: {' '.join(extra)}"
    first = next((x.split("=")[0] for x in extra if x.startswith("-")), None)
    close = difflib.get_close_matches(first, options, n=1) if first else []
    if close:
        msg += f"; did you mean {close[0]}?"
    parser.error(msg)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand.

    Example:
        >>> "demo" in build_parser().format_help()
        True
    """
    parser = _Parser(
        prog="chainrule",
        description="chainrule: train neural networks and see why they learn.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    d = sub.add_parser("demo", help="train a small network on two spirals")
    d.add_argument("--epochs", type=int, default=1500, help="training epochs (default 1500)")
    d.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    d.set_defaults(func=_demo_command)
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:  # that part of the library is not built yet
            if e.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``chainrule`` command; returns the exit code.

    Example:
        >>> main(["demo", "--epochs", "1"])  # doctest: +ELLIPSIS
        chainrule demo: ...
        0
    """
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = parser._subparsers._group_actions[0].choices
    # no command, or options first (`chainrule --epochs 5`): they belong to the default command
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["train" if "train" in commands else "demo", *argv]
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # a typo'd option: the subcommand's error, pointing to its own --help
            _unrecognized(commands.get(getattr(args, "command", None)) or parser, extra)
    except SystemExit as e:  # --help (0) or a usage error (2, already reported in one line)
        return e.code if isinstance(e.code, int) else 2
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # `chainrule datasets | head`: the reader left, nothing is wrong
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep Python's exit flush quiet
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - every command fails in one line, not a traceback
        if os.environ.get("CHAINRULE_DEBUG"):
            raise
        print(one_line_error(args.command, e), file=sys.stderr)
        return 1


def one_line_error(command: str | None, e: BaseException) -> str:
    """The one-line message a failing command prints: ``chainrule CMD: error: ...``.

    Example:
        >>> one_line_error("diagnose", FileNotFoundError("no such run"))
        'chainrule diagnose: error: no such run (set CHAINRULE_DEBUG=1 for the traceback)'
    """
    text = str(e).strip().splitlines()
    msg = text[0] if text else type(e).__name__
    # file errors already say what went wrong; others keep their type (ValueError: ...)
    if not isinstance(e, OSError) or not text:
        msg = f"{type(e).__name__}: {msg}" if text else msg
    return f"chainrule {command or ''}: error: {msg} (set CHAINRULE_DEBUG=1 for the traceback)"
