"""Datasets (``torch.utils.data`` names): ``Dataset``, ``IterableDataset``, ``TensorDataset``,
``Subset``, ``ConcatDataset``, ``random_split``, plus ``train_test_split`` (a seeded, optionally
stratified split of tensors, in the spirit of scikit-learn's).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Sequence
from typing import Any, Generic, TypeVar

import numpy as np

from chainrule.autograd.tensor import Tensor, _as_array
from chainrule.backend import default_generator, to_numpy

__all__ = [
    "ConcatDataset",
    "Dataset",
    "IterableDataset",
    "Subset",
    "TensorDataset",
    "random_split",
    "train_test_split",
]
__all__ += ["ChainDataset", "StackDataset"]

T_co = TypeVar("T_co", covariant=True)

GeneratorLike = np.random.Generator | int | None


def _rng(generator: GeneratorLike) -> np.random.Generator:
    """A NumPy ``Generator``: the one given, a new one seeded with an int, or chainrule's global
    generator (re-seeded by ``chainrule.manual_seed``) for ``None``."""
    if generator is None:
        return default_generator()
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    raise TypeError(
        f"generator must be a numpy.random.Generator, an int seed or None, "
        f"got {type(generator).__name__}"
    )


class Dataset(Generic[T_co]):
    """A map-style dataset: subclasses implement ``__getitem__(index)`` and ``__len__()``.

    ``a + b`` concatenates two datasets (a :class:`ConcatDataset`).

    Example:
        >>> from chainrule.data import Dataset
        >>> class Squares(Dataset):
        ...     def __len__(self):
        ...         return 4
        ...     def __getitem__(self, i):
        ...         return i * i
        >>> ds = Squares()
        >>> [ds[i] for i in range(len(ds))], len(ds + ds)
        ([0, 1, 4, 9], 8)
    """

    def __getitem__(self, index: int) -> T_co:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """A dataset that is a stream: subclasses implement ``__iter__``. A :class:`DataLoader`
    batches consecutive items (no sampler, no shuffling).

    Example:
        >>> from chainrule.data import IterableDataset, DataLoader
        >>> class Count(IterableDataset):
        ...     def __iter__(self):
        ...         return iter(range(5))
        >>> [b.tolist() for b in DataLoader(Count(), batch_size=2)]
        [[0, 1], [2, 3], [4]]
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """A dataset of tensors sharing their first dimension; item ``i`` is ``(t[i] for t in
    tensors)``. NumPy arrays are accepted and become tensors (sharing memory).

    A :class:`DataLoader` over a ``TensorDataset`` (or a :class:`Subset` of one) with the default
    collate takes a whole batch with one fancy index per tensor instead of collating items one by
    one, which is much faster. Items are detached from any graph (datasets hold data, not
    parameters).

    Example:
        >>> import chainrule
        >>> from chainrule.data import TensorDataset
        >>> ds = TensorDataset(chainrule.arange(6).reshape(3, 2), chainrule.tensor([0, 1, 0]))
        >>> len(ds), ds[1]
        (3, (tensor([2, 3]), tensor(1)))
    """

    def __init__(self, *tensors: Tensor | np.ndarray) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        ts = tuple(
            t if isinstance(t, Tensor) else Tensor._wrap(_as_array(t, None)) for t in tensors
        )
        for i, t in enumerate(ts):
            if t.ndim == 0:
                raise ValueError(
                    f"TensorDataset: tensor {i} is 0-d; every tensor needs a first dim"
                )
        n = ts[0].shape[0]
        bad = [(i, t.shape) for i, t in enumerate(ts) if t.shape[0] != n]
        if bad:
            raise ValueError(
                "TensorDataset: size mismatch between tensors: every tensor needs the same first "
                f"dimension; shapes are {[tuple(t.shape) for t in ts]}"
            )
        self.tensors: tuple[Tensor, ...] = ts

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(Tensor._wrap(t._data[index]) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def _take(self, index: np.ndarray) -> tuple[Tensor, ...]:
        """A whole batch: one fancy index per tensor."""
        return tuple(Tensor._wrap(t._data[index]) for t in self.tensors)


class Subset(Dataset[T_co]):
    """The items of ``dataset`` at ``indices`` (in that order).

    Example:
        >>> import chainrule
        >>> from chainrule.data import TensorDataset, Subset
        >>> sub = Subset(TensorDataset(chainrule.arange(5)), [4, 0])
        >>> len(sub), sub[0]
        (2, (tensor(4),))
    """

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        self._array: np.ndarray | None = None

    def __getitem__(self, idx: int | list[int]) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list[T_co]:
        """The items at several positions (used by the data loader)."""
        getitems = getattr(self.dataset, "__getitems__", None)
        if getitems is not None:
            return getitems([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)

    def _index_array(self) -> np.ndarray:
        if self._array is None or len(self._array) != len(self.indices):
            self._array = np.asarray(to_numpy(self.indices), dtype=np.int64).reshape(-1)
        return self._array


class ConcatDataset(Dataset[T_co]):
    """Datasets one after another.

    Example:
        >>> import chainrule
        >>> from chainrule.data import TensorDataset, ConcatDataset
        >>> a = TensorDataset(chainrule.zeros(2)); b = TensorDataset(chainrule.ones(3))
        >>> cat = ConcatDataset([a, b])
        >>> len(cat), cat[2], cat[-1]
        (5, (tensor(1.),), (tensor(1.),))
    """

    def __init__(self, datasets: Sequence[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes: list[int] = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> T_co:
        n = len(self)
        if idx < 0:
            if -idx > n:
                raise IndexError(f"index {idx} is out of range for a dataset of length {n}")
            idx += n
        if idx >= n:
            raise IndexError(f"index {idx} is out of range for a dataset of length {n}")
        d = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[d - 1] if d > 0 else 0
        return self.datasets[d][idx - start]


def _split_lengths(n: int, lengths: Sequence[int | float]) -> list[int]:
    if all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in lengths):
        lengths = [int(x) for x in lengths]
        if any(x < 0 for x in lengths):
            raise ValueError(f"random_split: lengths must be non-negative, got {lengths}")
        if sum(lengths) != n:
            raise ValueError(
                f"random_split: sum of input lengths ({sum(lengths)}) does not equal the length "
                f"of the input dataset ({n})"
            )
        return lengths
    fracs = [float(x) for x in lengths]
    if any(not 0.0 <= f <= 1.0 for f in fracs) or not math.isclose(sum(fracs), 1.0, abs_tol=1e-6):
        raise ValueError(
            f"random_split: fractions must be in [0, 1] and sum to 1, got {list(lengths)}"
        )
    out = [int(math.floor(n * f)) for f in fracs]
    for i in range(n - sum(out)):  # the remainder, one each, round-robin (as PyTorch does)
        out[i % len(out)] += 1
    return out


def random_split(
    dataset: Dataset[T_co],
    lengths: Sequence[int | float],
    generator: GeneratorLike = None,
) -> list[Subset[T_co]]:
    """Split ``dataset`` into non-overlapping random :class:`Subset` s of the given lengths (or
    fractions that sum to 1; the remainder items go one each to the first subsets).

    ``generator`` is a ``numpy.random.Generator`` or an int seed; ``None`` uses chainrule's global
    generator (seeded by ``chainrule.manual_seed``).

    Example:
        >>> import chainrule
        >>> from chainrule.data import TensorDataset, random_split
        >>> ds = TensorDataset(chainrule.arange(10))
        >>> train, val = random_split(ds, [0.8, 0.2], generator=0)
        >>> len(train), len(val), sorted(train.indices + val.indices) == list(range(10))
        (8, 2, True)
    """
    n = len(dataset)
    sizes = _split_lengths(n, lengths)
    perm = _rng(generator).permutation(n).tolist()
    out, start = [], 0
    for size in sizes:
        out.append(Subset(dataset, perm[start : start + size]))
        start += size
    return out


def _split_indices(
    n: int, test_fraction: float, seed: int, stratify: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded train/test index split (both sorted); ``ceil(n * test_fraction)`` test items,
    spread over the classes of ``stratify`` in proportion to their sizes (largest remainder)."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    n_test = int(math.ceil(n * test_fraction))
    if n_test >= n:
        raise ValueError(f"test_fraction={test_fraction} leaves no training data ({n} items)")
    rng = np.random.default_rng(seed)
    if stratify is None:
        test = rng.permutation(n)[:n_test]
    else:
        labels = np.asarray(stratify).reshape(-1)
        if len(labels) != n:
            raise ValueError(f"stratify has {len(labels)} labels for {n} items")
        classes, inverse = np.unique(labels, return_inverse=True)
        counts = np.bincount(inverse, minlength=len(classes))
        quota = counts * (n_test / n)
        take = np.floor(quota).astype(np.int64)
        order = np.argsort(-(quota - take), kind="stable")
        take[order[: n_test - int(take.sum())]] += 1
        test = np.concatenate(
            [rng.permutation(np.flatnonzero(inverse == c))[: take[c]] for c in range(len(classes))]
        )
    mask = np.zeros(n, dtype=bool)
    mask[test] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def train_test_split(
    *arrays: Tensor | np.ndarray,
    test_fraction: float = 0.2,
    seed: int = 0,
    stratify: Tensor | np.ndarray | None = None,
) -> list[Any]:
    """Split tensors/arrays (same first dimension) into train and test parts with a fixed seed:
    returns ``[a_train, a_test, b_train, b_test, ...]`` like scikit-learn's function.

    The test part has ``ceil(n * test_fraction)`` items; with ``stratify=labels`` each class is
    split in the same proportion. Both parts keep the original order. Tensors give tensors,
    arrays give arrays.

    Example:
        >>> import chainrule
        >>> from chainrule.data import train_test_split
        >>> X = chainrule.arange(20).reshape(10, 2); y = chainrule.arange(10) % 2
        >>> X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_fraction=0.2, stratify=y)
        >>> X_tr.shape, X_te.shape, sorted(y_te.tolist())
        ((8, 2), (2, 2), [0, 1])
    """
    if not arrays:
        raise ValueError("train_test_split needs at least one array")
    n = arrays[0].shape[0]
    for a in arrays:
        if a.shape[0] != n:
            raise ValueError(
                "train_test_split: arrays have different first dimensions: "
                f"{[tuple(a.shape) for a in arrays]}"
            )
    strat = None if stratify is None else to_numpy(np.asarray(stratify))
    tr, te = _split_indices(n, test_fraction, seed, strat)
    out: list[Any] = []
    for a in arrays:
        if isinstance(a, Tensor):
            out += [Tensor._wrap(a._data[tr]), Tensor._wrap(a._data[te])]
        else:
            out += [a[tr], a[te]]
    return out


class ChainDataset(IterableDataset):
    """Iterable datasets one after another (the streams are chained lazily).

    Example:
        >>> from chainrule.data import ChainDataset, IterableDataset
        >>> class Count(IterableDataset):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         return iter(range(self.n))
        ...     def __len__(self):
        ...         return self.n
        >>> ds = ChainDataset([Count(2), Count(3)])
        >>> list(ds), len(ds)
        ([0, 1, 0, 1, 2], 5)
    """

    def __init__(self, datasets: Sequence[Dataset] | Iterator[Dataset]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(
                    f"ChainDataset only supports IterableDataset, got {type(d).__name__}"
                )
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(
                    f"ChainDataset only supports IterableDataset, got {type(d).__name__}"
                )
            total += len(d)  # type: ignore[arg-type]
        return total


class StackDataset(Dataset[Any]):
    """Several datasets of the same length side by side: item ``i`` is the tuple (positional
    arguments) or dict (keyword arguments) of their items ``i``.

    Example:
        >>> import chainrule
        >>> from chainrule.data import StackDataset, TensorDataset
        >>> ds = StackDataset(image=[10, 20], label=[0, 1])
        >>> ds[1], len(ds)
        ({'image': 20, 'label': 1}, 2)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError(
                "StackDataset: supported either tuple-like (positional) or dict-like (keyword) "
                "input, but both types are given"
            )
        parts = list(args) if args else list(kwargs.values())
        if not parts:
            raise ValueError("StackDataset: at least one dataset should be passed")
        n = len(parts[0])
        if any(len(d) != n for d in parts):
            raise ValueError(
                f"StackDataset: size mismatch between datasets: {[len(d) for d in parts]}"
            )
        self._length = n
        self.datasets: tuple | dict = tuple(args) if args else dict(kwargs)

    def __getitem__(self, index: int) -> Any:
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self) -> int:
        return self._length
