"""Transforms for images and text.

Images (arrays or tensors laid out ``(C, H, W)``, or ``(N, C, H, W)`` batches): :class:`Compose`,
:class:`ToTensor`, :class:`Normalize`, :class:`RandomCrop`, :class:`RandomHorizontalFlip`,
:class:`Lambda`. Random transforms take ``generator`` (a ``numpy.random.Generator``, an int
seed, or ``None`` for chainrule's global generator, seeded by ``chainrule.manual_seed``).

Text: :func:`tokenize` (a small regex tokenizer), :class:`Vocab` (with unknown and padding
tokens), :func:`pad_sequence` and :class:`PadCollate` (pad a batch to its longest sequence).

Example:
    >>> import numpy as np
    >>> from chainrule.data.transforms import Compose, ToTensor, Normalize
    >>> t = Compose([ToTensor(), Normalize([0.5], [0.5])])
    >>> t(np.full((2, 2), 255, np.uint8)).tolist()
    [[[1.0, 1.0], [1.0, 1.0]]]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt
from chainrule.data.dataset import GeneratorLike, _rng

__all__ = [
    "Compose",
    "Lambda",
    "Normalize",
    "PadCollate",
    "RandomCrop",
    "RandomHorizontalFlip",
    "ToTensor",
    "Vocab",
    "pad_sequence",
    "tokenize",
]


def _unwrap(x: Any) -> tuple[np.ndarray, bool]:
    if isinstance(x, Tensor):
        return x._data, True
    return np.asarray(x), False


def _wrap(a: np.ndarray, was_tensor: bool) -> Any:
    return Tensor._wrap(np.ascontiguousarray(a)) if was_tensor else a


class Compose:
    """Apply transforms one after another.

    Example:
        >>> from chainrule.data.transforms import Compose, Lambda
        >>> Compose([Lambda(lambda x: x + 1), Lambda(lambda x: x * 10)])(1)
        20
    """

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}," for t in self.transforms)
        return f"Compose([{inner}\n])"


class Lambda:
    """Wrap a function as a transform.

    Example:
        >>> from chainrule.data.transforms import Lambda
        >>> Lambda(abs)(-3)
        3
    """

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn

    def __call__(self, x: Any) -> Any:
        return self.fn(x)

    def __repr__(self) -> str:
        return f"Lambda({getattr(self.fn, '__name__', self.fn)!r})"


class ToTensor:
    """An image array to a float :class:`~chainrule.Tensor` of shape ``(C, H, W)``: ``(H, W)``
    gains a channel axis, ``(H, W, C)`` (channels last, ``C <= 4``) is transposed, and integer
    images (uint8, 0-255) are scaled to [0, 1]. Float input keeps its values.

    Example:
        >>> import numpy as np
        >>> from chainrule.data.transforms import ToTensor
        >>> t = ToTensor()(np.zeros((28, 28, 3), np.uint8))
        >>> tuple(t.shape), t.dtype
        ((3, 28, 28), dtype('float32'))
    """

    def __init__(self, dtype: Any = None) -> None:
        self.dtype = _dt.to_dtype(dtype)

    def __call__(self, pic: Any) -> Tensor:
        a, _ = _unwrap(pic)
        if a.ndim == 2:
            a = a[None]
        elif a.ndim == 3 and a.shape[-1] <= 4 and a.shape[0] > 4:
            a = a.transpose(2, 0, 1)
        elif a.ndim != 3:
            raise ValueError(f"ToTensor: expected an (H, W) or (H, W, C) image, got {a.shape}")
        if a.dtype.kind in "ui":
            scale = np.iinfo(a.dtype).max if a.dtype != np.uint8 else 255
            out = a.astype(self.dtype) / self.dtype.type(scale)
        else:
            out = a.astype(self.dtype)
        return Tensor._wrap(np.ascontiguousarray(out))

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """``(x - mean[c]) / std[c]`` per channel of a ``(C, H, W)`` image or ``(N, C, H, W)``
    batch (tensor or array; returns the same kind).

    Example:
        >>> import numpy as np
        >>> from chainrule.data.transforms import Normalize
        >>> Normalize([1.0, 2.0], [1.0, 2.0])(np.ones((2, 1, 1), np.float32)).ravel().tolist()
        [0.0, -0.5]
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
        self.mean = np.asarray(mean, dtype=np.float64).reshape(-1)
        self.std = np.asarray(std, dtype=np.float64).reshape(-1)
        if np.any(self.std == 0):
            raise ValueError(f"Normalize: std must be non-zero, got {list(std)}")

    def __call__(self, x: Any) -> Any:
        a, t = _unwrap(x)
        if a.ndim < 3:
            raise ValueError(f"Normalize: expected (C, H, W) or (N, C, H, W), got {a.shape}")
        c = a.shape[-3]
        if len(self.mean) not in (1, c) or len(self.std) not in (1, c):
            raise ValueError(
                f"Normalize: {len(self.mean)} means / {len(self.std)} stds for {c} channels"
            )
        dt = a.dtype if a.dtype.kind == "f" else _dt.to_dtype(None)
        m = self.mean.astype(dt).reshape(-1, 1, 1)
        s = self.std.astype(dt).reshape(-1, 1, 1)
        return _wrap((a.astype(dt, copy=False) - m) / s, t)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"


class RandomCrop:
    """Crop a random ``size`` window from a ``(C, H, W)`` image (or the same window from every
    image of an ``(N, C, H, W)`` batch), after zero-padding ``padding`` pixels on each side.

    Example:
        >>> import numpy as np
        >>> from chainrule.data.transforms import RandomCrop
        >>> crop = RandomCrop(28, padding=2, generator=0)
        >>> crop(np.ones((1, 28, 28), np.float32)).shape
        (1, 28, 28)
    """

    def __init__(
        self, size: int | tuple[int, int], padding: int = 0, generator: GeneratorLike = None
    ) -> None:
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.padding = int(padding)
        self.rng = _rng(generator)

    def __call__(self, x: Any) -> Any:
        a, t = _unwrap(x)
        if a.ndim < 3:
            raise ValueError(f"RandomCrop: expected (C, H, W) or (N, C, H, W), got {a.shape}")
        p = self.padding
        if p:
            pad = [(0, 0)] * (a.ndim - 2) + [(p, p), (p, p)]
            a = np.pad(a, pad)
        h, w = a.shape[-2:]
        th, tw = self.size
        if th > h or tw > w:
            raise ValueError(f"RandomCrop: crop {self.size} is larger than the image {(h, w)}")
        i = int(self.rng.integers(0, h - th + 1))
        j = int(self.rng.integers(0, w - tw + 1))
        return _wrap(a[..., i : i + th, j : j + tw], t)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror a ``(C, H, W)`` image left-right with probability ``p``.

    Example:
        >>> import numpy as np
        >>> from chainrule.data.transforms import RandomHorizontalFlip
        >>> RandomHorizontalFlip(p=1.0)(np.array([[[1, 2, 3]]])).tolist()
        [[[3, 2, 1]]]
    """

    def __init__(self, p: float = 0.5, generator: GeneratorLike = None) -> None:
        self.p = float(p)
        self.rng = _rng(generator)

    def __call__(self, x: Any) -> Any:
        a, t = _unwrap(x)
        if self.rng.random() < self.p:
            a = a[..., ::-1]
        return _wrap(a, t)

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


# ----------------------------------------------------------------------------------------- text

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[!?]")
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")


def tokenize(text: str, *, urls: bool = True, mentions: bool = True) -> list[str]:
    """Lowercase word tokens (letters/digits, keeping contractions like ``don't``) plus ``!`` and
    ``?``. URLs become ``<url>`` and ``@names`` become ``<user>`` (``urls=False`` /
    ``mentions=False`` drop them instead).

    Example:
        >>> from chainrule.data.transforms import tokenize
        >>> tokenize("@united I DON'T like delays!! http://t.co/x")
        ['<user>', 'i', "don't", 'like', 'delays', '!', '!', '<url>']
    """
    text = text.lower()
    text = _URL.sub(" xxurlxx " if urls else " ", text)
    text = _MENTION.sub(" xxuserxx " if mentions else " ", text)
    out = []
    for tok in _TOKEN.findall(text):
        out.append("<url>" if tok == "xxurlxx" else "<user>" if tok == "xxuserxx" else tok)
    return out


class Vocab:
    """A token <-> index mapping with special tokens: ``<pad>`` is index 0 and ``<unk>`` index 1
    (by default); unknown tokens map to ``<unk>``.

    Build one from tokenized texts with :meth:`build` (most frequent first, ties alphabetical).

    Example:
        >>> from chainrule.data.transforms import Vocab
        >>> v = Vocab.build([["a", "b", "a"], ["c", "a"]], min_freq=1)
        >>> len(v), v["a"], v["zzz"], v.encode(["a", "zzz"]), v.decode([2, 3])
        (5, 2, 1, [2, 1], ['a', 'b'])
    """

    def __init__(self, tokens: Iterable[str], specials: Sequence[str] = ("<pad>", "<unk>")):
        self.itos: list[str] = []
        self.stoi: dict[str, int] = {}
        for tok in list(specials) + list(tokens):
            if tok not in self.stoi:
                self.stoi[tok] = len(self.itos)
                self.itos.append(tok)
        self.pad_token = "<pad>" if "<pad>" in self.stoi else None
        self.unk_token = "<unk>" if "<unk>" in self.stoi else None

    @classmethod
    def build(
        cls,
        token_lists: Iterable[Sequence[str]],
        *,
        min_freq: int = 1,
        max_size: int | None = None,
        specials: Sequence[str] = ("<pad>", "<unk>"),
    ) -> Vocab:
        """A vocabulary of the tokens seen at least ``min_freq`` times, the ``max_size`` most
        frequent (specials not counted).

        Example:
            >>> from chainrule.data.transforms import Vocab
            >>> Vocab.build([["x", "y", "x"]], max_size=1).itos
            ['<pad>', '<unk>', 'x']
        """
        counts: Counter[str] = Counter()
        for toks in token_lists:
            counts.update(toks)
        items = sorted(
            ((t, c) for t, c in counts.items() if c >= min_freq and t not in specials),
            key=lambda tc: (-tc[1], tc[0]),
        )
        if max_size is not None:
            items = items[:max_size]
        return cls([t for t, _ in items], specials=specials)

    @property
    def pad_index(self) -> int:
        """Index of the padding token."""
        if self.pad_token is None:
            raise KeyError("this Vocab has no <pad> token")
        return self.stoi[self.pad_token]

    @property
    def unk_index(self) -> int:
        """Index of the unknown-token token."""
        if self.unk_token is None:
            raise KeyError("this Vocab has no <unk> token")
        return self.stoi[self.unk_token]

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __getitem__(self, token: str) -> int:
        idx = self.stoi.get(token)
        if idx is None:
            if self.unk_token is None:
                raise KeyError(f"token {token!r} is not in the vocabulary and there is no <unk>")
            return self.stoi[self.unk_token]
        return idx

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Token list -> index list (unknown tokens -> ``<unk>``)."""
        return [self[t] for t in tokens]

    def decode(self, indices: Iterable[int]) -> list[str]:
        """Index list -> token list."""
        return [self.itos[int(i)] for i in indices]

    def __repr__(self) -> str:
        return f"Vocab({len(self)} tokens)"


def pad_sequence(
    sequences: Sequence[Any],
    batch_first: bool = False,
    padding_value: float = 0,
    max_len: int | None = None,
) -> Tensor:
    """Stack variable-length sequences (tensors/arrays/lists with the same trailing dims) into
    one tensor padded with ``padding_value`` to the longest length (or truncated to
    ``max_len``). Shape ``(T, B, *)``, or ``(B, T, *)`` with ``batch_first`` (PyTorch's
    ``nn.utils.rnn.pad_sequence``).

    Example:
        >>> from chainrule.data.transforms import pad_sequence
        >>> pad_sequence([[1, 2, 3], [4]], batch_first=True).tolist()
        [[1, 2, 3], [4, 0, 0]]
    """
    arrays = [_unwrap(s)[0] if isinstance(s, Tensor) else np.asarray(s) for s in sequences]
    if not arrays:
        raise ValueError("pad_sequence: received an empty list of sequences")
    trailing = arrays[0].shape[1:]
    for a in arrays:
        if a.shape[1:] != trailing:
            raise ValueError(
                "pad_sequence: sequences need the same trailing dims, got "
                f"{[a.shape for a in arrays]}"
            )
    longest = max(len(a) for a in arrays)
    T = longest if max_len is None else min(longest, max_len)
    dtype = np.result_type(*[a.dtype for a in arrays])
    if dtype == np.float64 and all(isinstance(s, (list, tuple)) for s in sequences):
        dtype = _dt.to_dtype(None)
    out = np.full((len(arrays), T, *trailing), padding_value, dtype=dtype)
    for i, a in enumerate(arrays):
        n = min(len(a), T)
        out[i, :n] = a[:n]
    if not batch_first:
        out = np.ascontiguousarray(np.swapaxes(out, 0, 1))
    return Tensor._wrap(out)


class PadCollate:
    """A ``collate_fn`` for ``(token_ids, label)`` samples: pads the batch to its longest
    sequence (at most ``max_len``), returning ``(ids (B, T) int64, labels (B,))`` — or
    ``(ids, lengths, labels)`` with ``return_lengths=True``.

    Example:
        >>> from chainrule.data.transforms import PadCollate
        >>> ids, y = PadCollate(pad_index=0)([([5, 6], 1), ([7], 0)])
        >>> ids.tolist(), y.tolist()
        ([[5, 6], [7, 0]], [1, 0])
    """

    def __init__(
        self, pad_index: int = 0, max_len: int | None = None, return_lengths: bool = False
    ) -> None:
        self.pad_index = pad_index
        self.max_len = max_len
        self.return_lengths = return_lengths

    def __call__(self, batch: Sequence[tuple[Any, Any]]) -> tuple[Tensor, ...]:
        seqs = [
            np.asarray(s[0]._data if isinstance(s[0], Tensor) else s[0], np.int64) for s in batch
        ]
        labels = [s[1]._data if isinstance(s[1], Tensor) else s[1] for s in batch]
        ids = pad_sequence(
            seqs, batch_first=True, padding_value=self.pad_index, max_len=self.max_len
        )
        y = Tensor._wrap(np.asarray(labels))
        if self.return_lengths:
            cap = self.max_len or ids.shape[1]
            lengths = Tensor._wrap(np.asarray([min(len(s), cap) for s in seqs], np.int64))
            return ids, lengths, y
        return ids, y
