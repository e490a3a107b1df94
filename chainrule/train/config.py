"""Settings of ``chainrule train`` (CLI options and TOML config files) and the dataset registry.

**Config files** (``chainrule train --config run.toml``; options on the command line override
the file): flat keys named like the options, plus an optional ``[model_options]`` table passed
to the architecture::

    dataset = "breast_cancer"
    model = "mlp"
    epochs = 40
    lr = 0.001
    schedule = "cosine"
    [model_options]
    hidden = [32]

Every run folder holds its resolved settings as ``config.toml``/``config.json``, which can be
given back to ``--config``.

**The dataset registry** :data:`DATASETS` maps a name to a :class:`DatasetEntry`: a loader
``loader(seed) -> DataBundle`` (train and test datasets of tensors, ``info`` used to size the
model, the task and class names), a one-line description, ``how`` (the command that installs
the data when it is not bundled) and ``available()``. To add a dataset::

    from chainrule.train.config import register_dataset, DataBundle
    register_dataset("my_data", my_loader, "what it is", how="pip install ...",
                     default_model="mlp")

``chainrule.data.datasets`` may also define ``DATASETS`` (a dict of :class:`DatasetEntry`);
its entries are merged in when the registry is first read.

Example:
    >>> from chainrule.train.config import TrainConfig
    >>> cfg = TrainConfig.resolve({"dataset": "breast_cancer"})
    >>> cfg.model, cfg.task
    ('mlp', 'classification')
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "DATASETS",
    "ConfigError",
    "DataBundle",
    "DatasetEntry",
    "TrainConfig",
    "dump_toml",
    "get_dataset",
    "load_toml",
    "register_dataset",
]


class ConfigError(ValueError):
    """A bad option or config value; the message is one line naming the option and the accepted
    values.

    Example:
        >>> str(ConfigError("--optimizer: 'adamx' is not one of adam, sgd"))
        "--optimizer: 'adamx' is not one of adam, sgd"
    """


# -- datasets ------------------------------------------------------------------------------------
@dataclass
class DataBundle:
    """What a dataset loader returns: ``train``/``test`` datasets of tensors, ``info`` for
    sizing models (``input_shape``, ``num_classes``, ``vocab_size``, ``n_users``, ``n_items``,
    ``global_mean``), ``task``, ``target_names`` and ``input_kind`` (what a prediction input
    file holds: ``"features"``, ``"image"``, ``"ids"``, ``"pairs"``).

    Example:
        >>> import chainrule
        >>> from chainrule.data import TensorDataset
        >>> from chainrule.train.config import DataBundle
        >>> ds = TensorDataset(chainrule.zeros(4, 3), chainrule.zeros(4).long())
        >>> DataBundle(ds, ds, {"input_shape": (3,), "num_classes": 2}).task
        'classification'
    """

    train: Any
    test: Any
    info: dict[str, Any]
    task: str = "classification"
    target_names: list[str] | None = None
    input_kind: str = "features"


@dataclass
class DatasetEntry:
    """One entry of :data:`DATASETS`.

    Example:
        >>> from chainrule.train.config import DATASETS
        >>> e = DATASETS["digits"]
        >>> e.bundled, e.default_model, e.available()
        (True, 'cnn', True)
    """

    loader: Callable[[int], DataBundle]
    description: str
    how: str = ""
    default_model: str = "mlp"
    bundled: bool = False
    check: Callable[[], bool] | None = None
    defaults: dict[str, Any] = field(default_factory=dict)

    def available(self) -> bool:
        """Whether the data is on this machine (bundled datasets always are)."""
        if self.bundled or self.check is None:
            return True
        try:
            return bool(self.check())
        except Exception:  # noqa: BLE001 - a broken probe means "not available"
            return False


def _data_info(name: str) -> Any:
    """The entry of ``chainrule.data.datasets.DATASETS`` (the one source of truth for where
    a dataset comes from, how to install it and whether it is here)."""
    from chainrule.data.datasets import DATASETS as DATA

    return DATA[name]


def _installable(
    name: str, loader: Callable[[int], DataBundle], description: str, model: str, **defaults: Any
) -> DatasetEntry:
    """An entry for data that is not bundled: how to get it and whether it is here come from
    the data registry's entry of the same name."""
    return DatasetEntry(
        loader,
        description,
        how=_data_info(name).how,
        default_model=model,
        check=lambda: _data_info(name).available(),
        defaults=defaults,
    )


def _digits(seed: int) -> DataBundle:
    from chainrule.data.datasets import load_digits

    train, test = load_digits("train"), load_digits("test")
    return DataBundle(
        train,
        test,
        {"input_shape": (1, 8, 8), "num_classes": 10},
        target_names=train.target_names,
        input_kind="image",
    )


def _breast_cancer(seed: int) -> DataBundle:
    from chainrule.data.datasets import load_breast_cancer

    train = load_breast_cancer("train", standardize=True)
    test = load_breast_cancer("test", standardize=True)
    return DataBundle(
        train, test, {"input_shape": (30,), "num_classes": 2}, target_names=train.target_names
    )


def _mnist(name: str) -> Callable[[int], DataBundle]:
    def load(seed: int) -> DataBundle:
        from chainrule.data.datasets import mnist

        cls = mnist.MNIST if name == "mnist" else mnist.FashionMNIST
        train, test = cls(train=True), cls(train=False)
        return DataBundle(
            train,
            test,
            {"input_shape": (1, 28, 28), "num_classes": 10},
            target_names=list(train.classes),
            input_kind="image",
        )

    return load


def _text(name: str) -> Callable[[int], DataBundle]:
    def load(seed: int) -> DataBundle:
        from chainrule.data import TensorDataset
        from chainrule.data.datasets import text
        from chainrule.data.transforms import Vocab

        fn = text.load_tweet_sentiment if name == "tweet_sentiment" else text.load_spam_assassin
        train, test = fn("train"), fn("test")
        vocab = Vocab.build(train.tokens(), min_freq=2, max_size=20000)
        max_len = 64 if name == "tweet_sentiment" else 256
        xtr, ytr = train.encode(vocab, max_len)
        xte, yte = test.encode(vocab, max_len)
        return DataBundle(
            TensorDataset(xtr, ytr),
            TensorDataset(xte, yte),
            {"vocab_size": len(vocab), "num_classes": len(train.classes), "max_len": max_len},
            target_names=list(train.classes),
            input_kind="ids",
        )

    return load


def _audio(name: str) -> Callable[[int], DataBundle]:
    def load(seed: int) -> DataBundle:
        from chainrule.data import TensorDataset
        from chainrule.data.datasets import load_dataset

        if name == "speech_commands":
            train = load_dataset(name, "train", features="logmel")
            test = load_dataset(name, "test", features="logmel")
            names = list(getattr(train, "words", None) or getattr(train, "classes", []))
        else:
            train, test = load_dataset(name, "train"), load_dataset(name, "test")
            names = list(train.target_names)
        x0 = train[0][0]
        shape = tuple(int(d) for d in x0.shape)
        if isinstance(train, TensorDataset):
            y = train.tensors[-1].numpy()
            num_classes = int(y.max()) + 1
        else:
            num_classes = len(names)
        return DataBundle(
            train,
            test,
            {"input_shape": shape, "num_classes": num_classes},
            target_names=names or None,
            input_kind="image",
        )

    return load


def _movielens(seed: int) -> DataBundle:
    from chainrule.data.datasets import load_movielens

    train, test = load_movielens("train"), load_movielens("test")
    return DataBundle(
        train,
        test,
        {
            "n_users": train.n_users,
            "n_items": train.n_items,
            "global_mean": float(train.global_mean()),
        },
        task="regression",
        input_kind="pairs",
    )


DATASETS: dict[str, DatasetEntry] = {
    "digits": DatasetEntry(
        _digits,
        "UCI handwritten digits, 1,797 8x8 images, 10 classes (bundled, CC BY 4.0)",
        default_model="cnn",
        bundled=True,
        defaults={"epochs": 30, "lr": 3e-3, "batch_size": 32, "schedule": "onecycle"},
    ),
    "breast_cancer": DatasetEntry(
        _breast_cancer,
        "UCI breast cancer Wisconsin (diagnostic), 569 x 30, 2 classes (bundled, CC BY 4.0)",
        default_model="mlp",
        bundled=True,
        defaults={"epochs": 40, "lr": 1e-3, "batch_size": 32, "schedule": "cosine"},
    ),
    "mnist": _installable(
        "mnist",
        _mnist("mnist"),
        "MNIST handwritten digits, 70,000 28x28 images, 10 classes",
        "cnn",
        epochs=5,
        lr=2e-3,
        batch_size=64,
        schedule="onecycle",
    ),
    "fashion_mnist": _installable(
        "fashion_mnist",
        _mnist("fashion_mnist"),
        "Fashion-MNIST, 70,000 28x28 clothing images, 10 classes",
        "cnn",
        epochs=8,
        lr=2e-3,
        batch_size=64,
        schedule="onecycle",
    ),
    "tweet_sentiment": _installable(
        "tweet_sentiment",
        _text("tweet_sentiment"),
        "CrowdFlower tweet sentiment (negative/positive), text",
        "lstm",
        epochs=5,
        lr=2e-3,
        batch_size=64,
    ),
    "spam_assassin": _installable(
        "spam_assassin",
        _text("spam_assassin"),
        "SpamAssassin public mail corpus (ham/spam), text",
        "gru",
        epochs=5,
        lr=2e-3,
        batch_size=64,
    ),
    "synth_commands": _installable(
        "synth_commands",
        _audio("synth_commands"),
        "spoken commands on/off synthesized by espeak-ng, flite and festival; test = unseen voices",
        "audio_cnn",
        epochs=15,
        lr=2e-3,
        batch_size=32,
        schedule="onecycle",
    ),
    "speech_commands": _installable(
        "speech_commands",
        _audio("speech_commands"),
        "Google Speech Commands (real recordings, 35 words), log-mel features",
        "audio_cnn",
        epochs=10,
        lr=2e-3,
        batch_size=64,
        schedule="onecycle",
    ),
    "movielens": _installable(
        "movielens",
        _movielens,
        "MovieLens latest-small ratings (0.5-5 stars), 100,004 ratings; rating prediction",
        "mf",
        epochs=20,
        lr=5e-3,
        batch_size=512,
        schedule="cosine",
    ),
}

_MERGED = False


def _registry() -> dict[str, DatasetEntry]:
    global _MERGED
    if not _MERGED:
        _MERGED = True
        try:
            from chainrule.data import datasets as _ds

            for k, v in (getattr(_ds, "DATASETS", None) or {}).items():
                if isinstance(v, DatasetEntry):
                    DATASETS.setdefault(k, v)
        except ImportError:  # pragma: no cover
            pass
    return DATASETS


def register_dataset(
    name: str,
    loader: Callable[[int], DataBundle],
    description: str,
    *,
    how: str = "",
    default_model: str = "mlp",
    bundled: bool = False,
    check: Callable[[], bool] | None = None,
    defaults: dict[str, Any] | None = None,
) -> DatasetEntry:
    """Add (or replace) a dataset in :data:`DATASETS`; ``chainrule train --dataset NAME`` and
    ``chainrule datasets`` then know it.

    Example:
        >>> import chainrule
        >>> from chainrule.data import TensorDataset
        >>> from chainrule.train.config import DATASETS, DataBundle, register_dataset
        >>> def toy(seed):
        ...     ds = TensorDataset(chainrule.randn(8, 2), (chainrule.arange(8) % 2))
        ...     return DataBundle(ds, ds, {"input_shape": (2,), "num_classes": 2})
        >>> _ = register_dataset("toy", toy, "eight points")
        >>> DATASETS["toy"].loader(0).info["num_classes"]
        2
        >>> del DATASETS["toy"]
    """
    entry = DatasetEntry(
        loader, description, how, default_model, bundled, check, dict(defaults or {})
    )
    _registry()[name] = entry
    return entry


def get_dataset(name: str) -> DatasetEntry:
    """The registry entry of ``name``; unknown names raise :class:`ConfigError` listing the
    known ones.

    Example:
        >>> from chainrule.train.config import get_dataset
        >>> get_dataset("digits").default_model
        'cnn'
    """
    reg = _registry()
    if name not in reg:
        raise ConfigError(f"--dataset: unknown dataset {name!r}; accepted: {', '.join(reg)}")
    return reg[name]


# -- TOML ----------------------------------------------------------------------------------------
def load_toml(path: str | os.PathLike) -> dict[str, Any]:
    """Read a TOML file (``tomllib``, or ``tomli`` on Python 3.10); errors become a one-line
    :class:`ConfigError`.

    Example:
        >>> import os, tempfile
        >>> from chainrule.train.config import load_toml
        >>> p = os.path.join(tempfile.mkdtemp(), "c.toml"); _ = open(p, "w").write("epochs = 3")
        >>> load_toml(p)
        {'epochs': 3}
    """
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            raise ConfigError(
                "--config: reading TOML on Python 3.10 needs tomli: pip install tomli"
            ) from None
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"--config: file {os.fspath(path)!r} does not exist") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"--config: {os.fspath(path)!r} is not valid TOML: {e}") from None


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def dump_toml(data: dict[str, Any]) -> str:
    """Write a dict as TOML: scalars and lists first, then one table per dict value (``None``
    values are left out).

    Example:
        >>> from chainrule.train.config import dump_toml
        >>> print(dump_toml({"epochs": 3, "name": "x", "opts": {"hidden": [8]}}), end="")
        epochs = 3
        name = "x"
        <BLANKLINE>
        [opts]
        hidden = [8]
    """
    lines = [
        f"{k} = {_toml_value(v)}"
        for k, v in data.items()
        if not isinstance(v, dict) and v is not None
    ]
    for k, v in data.items():
        if isinstance(v, dict):
            lines += ["", f"[{k}]"]
            lines += [f"{kk} = {_toml_value(vv)}" for kk, vv in v.items() if vv is not None]
    return "\n".join(lines) + "\n"


# -- the settings --------------------------------------------------------------------------------
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "adagrad", "adadelta")
#: The learning rate of each optimizer when neither the option nor the dataset sets one:
#: PyTorch's defaults (``torch.optim.<Name>(params).defaults``), except SGD, whose 1e-3 leaves
#: this command's momentum-0.9 SGD at chance on the digits in 10 epochs (0.1 reaches 98%)
DEFAULT_LR = {
    "adam": 1e-3,
    "adamw": 1e-3,
    "sgd": 0.1,
    "rmsprop": 1e-2,
    "adagrad": 1e-2,
    "adadelta": 1.0,
}
# keys a run folder's config also holds (written by the Trainer), accepted and ignored
_INFORMATIONAL = ("loss",)
SCHEDULES = ("none", "onecycle", "cosine", "step", "plateau", "exponential")


@dataclass
class TrainConfig:
    """The settings of one ``chainrule train`` run. ``None`` means "the dataset's default"
    (:meth:`resolve` fills them in).

    Example:
        >>> from chainrule.train.config import TrainConfig
        >>> cfg = TrainConfig.resolve({})
        >>> cfg.dataset, cfg.model, cfg.epochs, cfg.optimizer, cfg.schedule
        ('digits', 'cnn', 30, 'adam', 'onecycle')
    """

    dataset: str = "digits"
    model: str | None = None
    optimizer: str | None = None
    lr: float | None = None
    weight_decay: float | None = None
    momentum: float = 0.9
    schedule: str | None = None
    epochs: int | None = None
    batch_size: int | None = None
    seed: int = 0
    val_fraction: float = 0.1
    patience: int | None = None
    metrics: list[str] | None = None
    output: str = "runs"
    name: str | None = None
    task: str = "classification"
    model_options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def keys(cls) -> list[str]:
        """The accepted setting names.

        Example:
            >>> "batch_size" in TrainConfig.keys()
            True
        """
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def resolve(cls, values: dict[str, Any], source: str = "") -> TrainConfig:
        """Check ``values`` (from a TOML file and/or the command line) and fill in the
        dataset's defaults. Raises :class:`ConfigError` with a one-line message.

        Example:
            >>> from chainrule.train.config import TrainConfig
            >>> TrainConfig.resolve({"optimizer": "adamx"})  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            chainrule.train.config.ConfigError: --optimizer: 'adamx' is not one of: adam, ...
        """
        from chainrule.train.metrics import get_metric
        from chainrule.train.models import MODELS

        where = f"{source}: " if source else ""
        known = cls.keys()
        values = {k: v for k, v in values.items() if k not in _INFORMATIONAL}
        for k in values:
            if k not in known:
                raise ConfigError(f"{where}unknown setting {k!r}; accepted: {', '.join(known)}")
        v = {k: x for k, x in values.items() if x is not None}
        cfg = cls(**v)

        def choice(opt: str, value: Any, accepted: Any) -> None:
            if value not in accepted:
                raise ConfigError(
                    f"{where}--{opt.replace('_', '-')}: {value!r} is not one of: "
                    f"{', '.join(accepted)}"
                )

        entry = get_dataset(cfg.dataset)
        if cfg.model is None:
            cfg.model = entry.default_model
        choice("model", cfg.model, list(MODELS))
        d = entry.defaults
        if cfg.optimizer is None:
            cfg.optimizer = d.get("optimizer", "adam")
        choice("optimizer", cfg.optimizer, OPTIMIZERS)
        if cfg.weight_decay is None:
            cfg.weight_decay = float(d.get("weight_decay", 0.0))
        if cfg.schedule is None:
            cfg.schedule = d.get("schedule", "none")
        choice("schedule", cfg.schedule, SCHEDULES)
        choice("task", cfg.task, ("classification", "regression"))
        if cfg.epochs is None:
            cfg.epochs = int(d.get("epochs", 10))
        if cfg.batch_size is None:
            cfg.batch_size = int(d.get("batch_size", 32))
        if cfg.lr is None:
            # a dataset's lr is tuned for its default optimizer; another optimizer starts from
            # its own (PyTorch's) default: Adadelta's is 1.0, and 3e-3 would leave it at chance
            same = cfg.optimizer == d.get("optimizer", "adam")
            cfg.lr = float(d.get("lr", 1e-3)) if same else DEFAULT_LR[cfg.optimizer]

        def number(opt: str, value: Any, kind: type, low: float, strict: bool) -> Any:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            if ok and kind is int:
                ok = float(value).is_integer()
            if ok:
                ok = value > low if strict else value >= low
            if not ok:
                rel = ">" if strict else ">="
                what = "an integer" if kind is int else "a number"
                raise ConfigError(
                    f"{where}--{opt.replace('_', '-')}: expected {what} {rel} {low}, got {value!r}"
                )
            return kind(value)

        cfg.epochs = number("epochs", cfg.epochs, int, 0, False)
        cfg.batch_size = number("batch_size", cfg.batch_size, int, 0, True)
        cfg.lr = number("lr", cfg.lr, float, 0, True)
        cfg.weight_decay = number("weight_decay", cfg.weight_decay, float, 0, False)
        cfg.momentum = number("momentum", cfg.momentum, float, 0, False)
        cfg.seed = number("seed", cfg.seed, int, 0, False)
        cfg.val_fraction = number("val_fraction", cfg.val_fraction, float, 0, False)
        if cfg.val_fraction >= 1:
            raise ConfigError(
                f"{where}--val-fraction: expected a number in [0, 1), got {cfg.val_fraction}"
            )
        if cfg.patience is not None:
            cfg.patience = number("patience", cfg.patience, int, 0, True)
        if cfg.metrics is not None:
            if isinstance(cfg.metrics, str):
                cfg.metrics = [m.strip() for m in cfg.metrics.split(",") if m.strip()]
            for m in cfg.metrics:
                try:
                    get_metric(m)
                except ValueError as e:
                    raise ConfigError(f"{where}--metrics: {e}") from None
        if not isinstance(cfg.model_options, dict):
            raise ConfigError(f"{where}model_options: expected a table, got {cfg.model_options!r}")
        return cfg

    def to_dict(self) -> dict[str, Any]:
        """The settings as a plain dict.

        Example:
            >>> TrainConfig().to_dict()["dataset"]
            'digits'
        """
        return dataclasses.asdict(self)


def split_validation(dataset: Any, fraction: float, seed: int) -> tuple[Any, Any | None]:
    """Split a ``TensorDataset``-like training set into (train, validation) with a fixed seed,
    stratified by label for classification targets.

    Example:
        >>> import chainrule
        >>> from chainrule.data import TensorDataset
        >>> from chainrule.train.config import split_validation
        >>> ds = TensorDataset(chainrule.randn(20, 2), chainrule.arange(20) % 2)
        >>> tr, va = split_validation(ds, 0.2, 0)
        >>> len(tr), len(va)
        (16, 4)
    """
    from chainrule.data import Subset

    if not fraction:
        return dataset, None
    n = len(dataset)
    rng = np.random.default_rng(seed)
    y = None
    tensors = getattr(dataset, "tensors", None)
    if tensors:
        y = np.asarray(tensors[-1].numpy())
    val: list[int] = []
    if y is not None and y.ndim == 1 and y.dtype.kind in "iu":
        for c in np.unique(y):
            idx = np.flatnonzero(y == c)
            k = int(math.ceil(len(idx) * fraction))
            val += rng.permutation(idx)[:k].tolist()
    else:
        val = rng.permutation(n)[: int(math.ceil(n * fraction))].tolist()
    vs = set(val)
    train = [i for i in range(n) if i not in vs]
    return Subset(dataset, train), Subset(dataset, sorted(val))
