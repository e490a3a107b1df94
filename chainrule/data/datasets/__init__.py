"""Real datasets bundled with chainrule (no download): ``load_digits`` and
``load_breast_cancer``. The files live in ``chainrule/data/datasets/files/`` (see its README for
sources and licenses).

Example:
    >>> from chainrule.data.datasets import load_digits
    >>> ds = load_digits()
    >>> len(ds), len(ds.target_names)
    (1797, 10)
"""

from chainrule.data.datasets.bundled import LabeledDataset, load_breast_cancer, load_digits
from chainrule.data.datasets._common import DatasetNotFoundError
from chainrule.data.datasets.idx import read_idx
from chainrule.data.datasets.mnist import MNIST, FashionMNIST
from chainrule.data.datasets.movielens import RatingsDataset, load_movielens
from chainrule.data.datasets.speech import SpeechCommands, load_synth_commands
from chainrule.data.datasets.text import TextDataset, load_spam_assassin, load_tweet_sentiment
from chainrule.data.datasets.registry import (
    DATASETS,
    DatasetInfo,
    dataset_table,
    load_dataset,
    register_dataset,
)

__all__ = [
    "DATASETS",
    "DatasetInfo",
    "DatasetNotFoundError",
    "FashionMNIST",
    "LabeledDataset",
    "MNIST",
    "RatingsDataset",
    "SpeechCommands",
    "TextDataset",
    "dataset_table",
    "load_breast_cancer",
    "load_dataset",
    "load_digits",
    "load_movielens",
    "load_spam_assassin",
    "load_synth_commands",
    "load_tweet_sentiment",
    "read_idx",
    "register_dataset",
]
