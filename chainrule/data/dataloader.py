"""``DataLoader``, samplers and ``default_collate`` (``torch.utils.data`` names and defaults).

Differences from PyTorch, on purpose:

* No worker processes. ``prefetch=k`` prepares up to ``k`` batches ahead in one background thread
  (``num_workers=w > 0`` is accepted and means ``prefetch=2 * w``). NumPy releases the GIL in
  its copies, so this overlaps loading with compute; batches and their order are the same as
  without prefetching.
* ``default_collate`` turns Python floats into the default dtype (float32), not float64, because
  chainrule never mixes float32 and float64 silently; tuples stay tuples (PyTorch gives lists).
* Shuffling draws from chainrule's global generator (``chainrule.manual_seed``) unless a
  ``numpy.random.Generator`` (or an int seed) is passed as ``generator``. The permutation is drawn
  when iteration starts, in the calling thread.
"""

from __future__ import annotations

import collections.abc
import math
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor, _as_array
from chainrule.backend import dtypes as _dt
from chainrule.data.dataset import (
    Dataset,
    GeneratorLike,
    IterableDataset,
    Subset,
    TensorDataset,
    _rng,
)

__all__ = [
    "BatchSampler",
    "DataLoader",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
]
__all__ += ["WorkerInfo", "get_worker_info"]


# -- samplers ------------------------------------------------------------------------------------
class Sampler:
    """Base class of samplers: iterables of dataset indices (or, for batch samplers, of lists of
    indices). Subclasses implement ``__iter__`` and usually ``__len__``.

    Example:
        >>> from chainrule.data import Sampler
        >>> class Evens(Sampler):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         return iter(range(0, self.n, 2))
        ...     def __len__(self):
        ...         return (self.n + 1) // 2
        >>> list(Evens(5))
        [0, 2, 4]
    """

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError

    def _epoch(self) -> np.ndarray | None:
        """The whole epoch's indices as an int64 array, for samplers that can say it at once
        (lets :class:`BatchSampler` slice instead of looping in Python); ``None`` otherwise."""
        return None

    def _chunks(self) -> Iterator[np.ndarray] | None:
        """The epoch's indices as consecutive int64 arrays (drawn as consumed, so an epoch of
        10**12 indices never exists at once); by default the whole :meth:`_epoch`."""
        epoch = self._epoch()
        return None if epoch is None else iter((epoch,))


class SequentialSampler(Sampler):
    """Indices ``0, 1, ..., len(data_source) - 1`` in order.

    Example:
        >>> from chainrule.data import SequentialSampler
        >>> list(SequentialSampler(range(3)))
        [0, 1, 2]
    """

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def _epoch(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Indices in random order (a permutation each epoch), or ``num_samples`` draws with
    replacement when ``replacement=True``.

    ``generator``: a ``numpy.random.Generator`` or an int seed (the sampler then keeps its own
    stream, different every epoch but reproducible); ``None`` draws from chainrule's global
    generator, so ``chainrule.manual_seed`` makes the order reproducible.

    Example:
        >>> import numpy as np
        >>> from chainrule.data import RandomSampler
        >>> a = list(RandomSampler(range(5), generator=np.random.default_rng(0)))
        >>> b = list(RandomSampler(range(5), generator=np.random.default_rng(0)))
        >>> a == b, sorted(a)
        (True, [0, 1, 2, 3, 4])
    """

    def __init__(
        self,
        data_source: Any,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: GeneratorLike = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = bool(replacement)
        self._num_samples = num_samples
        self.generator = generator
        self._own = None if generator is None else _rng(generator)
        if num_samples is not None and (
            not isinstance(num_samples, (int, np.integer)) or num_samples <= 0
        ):
            raise ValueError(f"num_samples should be a positive integer, got {num_samples!r}")

    @property
    def num_samples(self) -> int:
        """How many indices one epoch yields (default: the dataset's length)."""
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def _epoch(self) -> np.ndarray:
        rng = self._own if self._own is not None else _rng(None)
        n = len(self.data_source)
        m = self.num_samples
        if self.replacement:
            return rng.integers(0, n, size=m, dtype=np.int64)
        reps = [rng.permutation(n) for _ in range(-(-m // n))] if n else [np.empty(0, np.int64)]
        return np.concatenate(reps)[:m].astype(np.int64, copy=False)

    def _chunks(self) -> Iterator[np.ndarray]:
        """Small epochs are drawn at once (:meth:`_epoch`); an epoch of more than
        ``_LAZY_ABOVE`` indices is drawn chunk by chunk from a child generator seeded now,
        in the calling thread (so prefetching threads never touch the shared generator)."""
        m = self.num_samples
        if m <= _LAZY_ABOVE:
            return iter((self._epoch(),))
        rng = self._own if self._own is not None else _rng(None)
        child = np.random.default_rng(int(rng.integers(0, 2**63 - 1)))
        return _lazy_chunks(child, len(self.data_source), m, self.replacement)

    def __iter__(self) -> Iterator[int]:
        chunks = self._chunks()  # drawn now (small epochs) or seeded now (huge ones)
        return (i for c in chunks for i in c.tolist())

    def __len__(self) -> int:
        return self.num_samples


_LAZY_ABOVE = 1 << 20  # RandomSampler epochs longer than this are drawn lazily
_CHUNK = 1 << 16


def _lazy_chunks(
    rng: np.random.Generator, n: int, m: int, replacement: bool
) -> Iterator[np.ndarray]:
    """``m`` indices in ``[0, n)`` as int64 chunks: uniform draws, or whole permutations."""
    left = m
    while left > 0:
        if replacement:
            c = rng.integers(0, n, size=min(_CHUNK, left), dtype=np.int64)
        else:
            c = rng.permutation(n).astype(np.int64, copy=False)[:left]
        left -= len(c)
        yield c


class SubsetRandomSampler(Sampler):
    """The given indices in random order (a new permutation each epoch).

    Example:
        >>> from chainrule.data import SubsetRandomSampler
        >>> sorted(SubsetRandomSampler([3, 5, 7], generator=0))
        [3, 5, 7]
    """

    def __init__(self, indices: Sequence[int], generator: GeneratorLike = None) -> None:
        self.indices = indices
        self.generator = generator
        self._own = None if generator is None else _rng(generator)

    def _epoch(self) -> np.ndarray:
        rng = self._own if self._own is not None else _rng(None)
        idx = np.asarray(self.indices, dtype=np.int64).reshape(-1)
        return idx[rng.permutation(len(idx))]

    def __iter__(self) -> Iterator[int]:
        return iter(self._epoch().tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probability proportional to ``weights`` (e.g. to
    balance classes).

    Example:
        >>> from chainrule.data import WeightedRandomSampler
        >>> list(WeightedRandomSampler([0.0, 1.0, 0.0], 3, generator=0))
        [1, 1, 1]
    """

    def __init__(
        self,
        weights: Sequence[float] | Tensor,
        num_samples: int,
        replacement: bool = True,
        generator: GeneratorLike = None,
    ) -> None:
        w = np.asarray(weights, dtype=np.float64).reshape(-1)
        if w.size == 0 or (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
            raise ValueError("WeightedRandomSampler: weights must be finite, >= 0, not all zero")
        if not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer, got {num_samples!r}")
        if not replacement and num_samples > int((w > 0).sum()):
            raise ValueError("WeightedRandomSampler: num_samples exceeds the non-zero weights")
        self.weights = w
        self.num_samples = int(num_samples)
        self.replacement = bool(replacement)
        self.generator = generator
        self._own = None if generator is None else _rng(generator)

    def _epoch(self) -> np.ndarray:
        rng = self._own if self._own is not None else _rng(None)
        p = self.weights / self.weights.sum()
        return rng.choice(len(p), size=self.num_samples, replace=self.replacement, p=p).astype(
            np.int64
        )

    def __iter__(self) -> Iterator[int]:
        return iter(self._epoch().tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter
    unless ``drop_last``).

    Example:
        >>> from chainrule.data import BatchSampler, SequentialSampler
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise ValueError(f"batch_size should be a positive integer, got {batch_size!r}")
        if batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer, got {batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, got {drop_last!r}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def _arrays(self) -> Iterator[np.ndarray] | None:
        """Batches as int64 arrays, by slicing the epoch's index chunks (drawn or seeded now)."""
        chunks = self.sampler._chunks() if isinstance(self.sampler, Sampler) else None
        if chunks is None:
            return None
        return _rebatch(chunks, self.batch_size, self.drop_last)

    def __iter__(self) -> Iterator[list[int]]:
        arrays = self._arrays()
        if arrays is not None:
            return (a.tolist() for a in arrays)
        return self._group(iter(self.sampler))

    def _group(self, it: Iterator[int]) -> Iterator[list[int]]:
        batch: list[int] = []
        for idx in it:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def _rebatch(chunks: Iterator[np.ndarray], bs: int, drop_last: bool) -> Iterator[np.ndarray]:
    """Cut a stream of index arrays into arrays of ``bs`` (the last shorter unless dropped)."""
    rest = np.empty(0, np.int64)
    for c in chunks:
        if len(rest):
            c = np.concatenate([rest, c])
        stop = (len(c) // bs) * bs
        for i in range(0, stop, bs):
            yield c[i : i + bs]
        rest = c[stop:]
    if len(rest) and not drop_last:
        yield rest


# -- collate -------------------------------------------------------------------------------------
def _to_tensor(arr: np.ndarray) -> Tensor:
    if arr.dtype not in _dt._SUPPORTED:
        arr = _as_array(arr, None)
    return Tensor._wrap(arr)


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch: tensors, arrays and numbers are stacked into one
    tensor (new first dimension); tuples, lists and dicts are collated field by field (keeping
    their type); strings stay a list.

    Python floats become the default dtype (float32, where PyTorch uses float64), ints int64,
    bools bool.

    Example:
        >>> import chainrule
        >>> from chainrule.data import default_collate
        >>> b = default_collate([(chainrule.ones(2), 0), (chainrule.zeros(2), 1)])
        >>> b[0].shape, b[1]
        ((2, 2), tensor([0, 1]))
        >>> default_collate([{"x": 1.5, "name": "a"}, {"x": 2.5, "name": "b"}])
        {'x': tensor([1.5, 2.5]), 'name': ['a', 'b']}
    """
    if len(batch) == 0:
        raise ValueError("default_collate: got an empty batch")
    elem = batch[0]
    if isinstance(elem, Tensor):
        try:
            return Tensor._wrap(np.stack([t._data for t in batch]))
        except ValueError:
            raise RuntimeError(
                "default_collate: stack expects each tensor to be equal size, but got shapes "
                f"{sorted({tuple(t.shape) for t in batch})}"
            ) from None
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "OUSV":
            raise TypeError(f"default_collate: cannot batch NumPy arrays of dtype {elem.dtype}")
        try:
            return _to_tensor(np.stack(batch))
        except ValueError:
            raise RuntimeError(
                "default_collate: stack expects each array to be equal size, but got shapes "
                f"{sorted({tuple(a.shape) for a in batch})}"
            ) from None
    if isinstance(elem, np.generic):
        return _to_tensor(np.array(batch))
    if isinstance(elem, bool):
        return Tensor._wrap(np.array(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return Tensor._wrap(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor._wrap(np.array(batch, dtype=_dt.get_default_dtype()))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        out = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(out) if type(elem) is not dict else out
        except TypeError:
            return out
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError(
                "default_collate: each element in list of batch should be of equal size"
            )
        fields = [default_collate(list(s)) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return tuple(fields)
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    raise TypeError(
        "default_collate: batch must contain tensors, NumPy arrays, numbers, strings, dicts or "
        f"lists; found {type(elem).__name__}"
    )


def default_convert(data: Any) -> Any:
    """Convert NumPy arrays (also inside tuples, lists and dicts) to tensors, without batching;
    the collate function used when ``batch_size=None``.

    Example:
        >>> import numpy as np
        >>> from chainrule.data import default_convert
        >>> default_convert((np.zeros(2), 3))
        (tensor([0., 0.], dtype=float64), 3)
    """
    if isinstance(data, np.ndarray) and data.dtype.kind not in "OUSV":
        return _to_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(v) for v in data))
    if isinstance(data, tuple):
        return tuple(default_convert(v) for v in data)
    if isinstance(data, list):
        return [default_convert(v) for v in data]
    return data


# -- the loader ----------------------------------------------------------------------------------
def _fast_source(dataset: Any) -> tuple[TensorDataset, np.ndarray | None] | None:
    """``(tensor_dataset, index_map)`` when batches of ``dataset`` can be taken by fancy
    indexing: a TensorDataset, or Subsets of one (their indices composed)."""
    index_map = None
    while True:
        kind = type(dataset)
        if isinstance(dataset, TensorDataset) and kind.__getitem__ is TensorDataset.__getitem__:
            return dataset, index_map
        if isinstance(dataset, Subset) and kind.__getitem__ is Subset.__getitem__:
            idx = dataset._index_array()
            index_map = idx if index_map is None else idx[index_map]
            dataset = dataset.dataset
            continue
        return None


class DataLoader:
    """Iterate over a dataset in batches.

    Args:
        dataset: a map-style :class:`Dataset` (anything with ``__getitem__`` and ``__len__``) or
            an :class:`IterableDataset`.
        batch_size: samples per batch; ``None`` yields samples one by one, unbatched.
        shuffle: reshuffle the order every epoch (a :class:`RandomSampler`).
        sampler: the order of indices (excludes ``shuffle``).
        batch_sampler: yields whole lists of indices (excludes ``batch_size``, ``shuffle``,
            ``sampler``, ``drop_last``).
        drop_last: drop the last, incomplete batch.
        collate_fn: merges a list of samples into a batch (default :func:`default_collate`).
        generator: ``numpy.random.Generator`` or int seed for shuffling (``None``: chainrule's
            global generator, seeded by ``chainrule.manual_seed``).
        prefetch: prepare up to this many batches ahead in a background thread (``0``/``False``:
            off; ``True``: 2). Same batches, same order.
        num_workers: accepted for PyTorch compatibility; ``w > 0`` means ``prefetch=2 * w``
            (one thread, no processes).
        worker_init_fn: with ``num_workers > 0``, called as ``worker_init_fn(0)`` in the
            prefetch thread (the one worker) before it loads (once per epoch, or once in all
            with ``persistent_workers``); :func:`get_worker_info` works there.
        prefetch_factor: batches per worker prepared ahead (``num_workers > 0`` only; 2).
        pin_memory, pin_memory_device, timeout, in_order: accepted and ignored.

    With the default collate, a :class:`TensorDataset` (or a :class:`Subset` of one) is batched
    with one fancy index per tensor, not item by item.

    Example:
        >>> import chainrule
        >>> from chainrule.data import DataLoader, TensorDataset
        >>> ds = TensorDataset(chainrule.arange(10).reshape(5, 2), chainrule.arange(5))
        >>> loader = DataLoader(ds, batch_size=2)
        >>> len(loader), [y.tolist() for _, y in loader]
        (3, [[0, 1], [2, 3], [4]])
        >>> _ = chainrule.manual_seed(0)
        >>> sorted(sum((y.tolist() for _, y in DataLoader(ds, batch_size=2, shuffle=True)), []))
        [0, 1, 2, 3, 4]
    """

    def __init__(
        self,
        dataset: Dataset | Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable[int] | None = None,
        batch_sampler: Sampler | Iterable[list[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        generator: GeneratorLike = None,
        *,
        prefetch: int | bool = 0,
        persistent_workers: bool = False,
        prefetch_factor: int | None = None,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if prefetch_factor is not None:
            if num_workers == 0:
                raise ValueError(
                    "prefetch_factor option could only be specified in multiprocessing. let "
                    "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                    "to None."
                )
            if not isinstance(prefetch_factor, int) or prefetch_factor < 0:
                raise ValueError(
                    f"prefetch_factor should be a non-negative int, got {prefetch_factor!r}"
                )
        self.prefetch_factor = prefetch_factor
        self.worker_init_fn = worker_init_fn
        self.persistent_workers = persistent_workers
        self._worker_started = False
        self.dataset = dataset
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)
        if isinstance(prefetch, bool):
            prefetch = 2 if prefetch else 0
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(
                f"num_workers option should be a non-negative integer, got {num_workers}"
            )
        per_worker = 2 if prefetch_factor is None else prefetch_factor
        prefetch = max(int(prefetch), per_worker * num_workers)
        if prefetch < 0:
            raise ValueError(f"prefetch should be >= 0, got {prefetch}")
        self.prefetch = prefetch
        self.num_workers = num_workers
        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                    f"but got shuffle={shuffle}"
                )
            if sampler is not None or batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler and "
                    "batch_sampler options"
                )
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        if sampler is None and not self._iterable:
            sampler = (
                RandomSampler(dataset, generator=generator)
                if shuffle
                else SequentialSampler(dataset)
            )
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self._default_collate = collate_fn is None
        if collate_fn is None:
            collate_fn = (
                default_collate if batch_size is not None or batch_sampler else default_convert
            )
        self.collate_fn = collate_fn
        self._fast = (
            _fast_source(dataset) if collate_fn is default_collate and not self._iterable else None
        )

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    # one function per batch, given the index batch
    def _fetch_batch(self, indices: Any) -> Any:
        if self._fast is not None:
            ds, index_map = self._fast
            idx = np.asarray(indices, dtype=np.int64)
            return ds._take(idx if index_map is None else index_map[idx])
        if isinstance(indices, np.ndarray):
            indices = indices.tolist()
        getitems = getattr(self.dataset, "__getitems__", None)
        data = getitems(indices) if getitems is not None else [self.dataset[i] for i in indices]
        return self.collate_fn(data)

    def _batches(self) -> Iterator[Any]:
        """The epoch's batches; index order (and any random draw) is fixed before returning."""
        if self._iterable:
            return self._iterable_batches()
        if self.batch_sampler is None:  # unbatched
            order = iter(self.sampler)
            return (self.collate_fn(self.dataset[i]) for i in order)
        arrays = None
        if self._fast is not None and isinstance(self.batch_sampler, BatchSampler):
            arrays = self.batch_sampler._arrays()
        index_batches = arrays if arrays is not None else iter(self.batch_sampler)
        return (self._fetch_batch(b) for b in index_batches)

    def _iterable_batches(self) -> Iterator[Any]:
        it = iter(self.dataset)
        if self.batch_size is None:
            for item in it:
                yield self.collate_fn(item)
            return
        batch: list[Any] = []
        for item in it:
            batch.append(item)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __iter__(self) -> Iterator[Any]:
        batches = self._batches()
        if self.prefetch > 0:
            if self.num_workers > 0:
                batches = self._in_worker(batches)
            return _Prefetcher(batches, self.prefetch)
        return batches

    def _in_worker(self, batches: Iterator[Any]) -> Iterator[Any]:
        """Run ``batches`` as the one "worker" (the prefetch thread): ``get_worker_info()``
        describes it there, and ``worker_init_fn(0)`` runs first (once per epoch, or once
        in all with ``persistent_workers``)."""
        seed = int(_rng(self.generator).integers(0, 2**63 - 1))  # drawn in the calling thread
        info = WorkerInfo(id=0, num_workers=1, seed=seed, dataset=self.dataset)
        init = self.worker_init_fn
        if self.persistent_workers and self._worker_started:
            init = None
        self._worker_started = True

        def run() -> Iterator[Any]:
            _worker_local.info = info
            try:
                if init is not None:
                    init(0)
                yield from batches
            finally:
                _worker_local.info = None

        return run()


class WorkerInfo:
    """What :func:`get_worker_info` returns inside a loading worker: ``id``, ``num_workers``,
    ``seed`` and ``dataset``. chainrule has one worker (a thread), so ``num_workers`` is 1 and
    sharding an :class:`IterableDataset` by worker gives the whole stream once.

    Example:
        >>> from chainrule.data import WorkerInfo
        >>> WorkerInfo(id=0, num_workers=1, seed=7, dataset=None).num_workers
        1
    """

    def __init__(self, **kwargs: Any) -> None:
        self.__dict__.update(kwargs)

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items() if k != "dataset")
        return f"WorkerInfo({body})"


_worker_local = threading.local()


def get_worker_info() -> WorkerInfo | None:
    """The :class:`WorkerInfo` of the loading worker this runs in, or ``None`` in the main
    thread (as PyTorch in the main process). A ``DataLoader(num_workers > 0)`` loads in one
    background thread, where this returns ``WorkerInfo(id=0, num_workers=1, ...)``.

    Example:
        >>> from chainrule.data import get_worker_info
        >>> get_worker_info() is None
        True
    """
    return getattr(_worker_local, "info", None)


_DONE = object()


class _Prefetcher:
    """Runs ``source`` in a daemon thread, ``depth`` items ahead; re-raises its errors here.
    Breaking out of the loop (dropping the iterator) stops the thread: the thread holds only the
    queue and the stop flag, never this object, so dropping it runs ``__del__``."""

    def __init__(self, source: Iterator[Any], depth: int) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._finished = False
        self._thread = threading.Thread(
            target=_produce,
            args=(source, self._queue, self._stop),
            name="chainrule-prefetch",
            daemon=True,
        )
        self._thread.start()

    def __iter__(self) -> _Prefetcher:
        return self

    def __next__(self) -> Any:
        if self._finished:
            raise StopIteration
        ok, item = self._queue.get()
        if ok and item is not _DONE:
            return item
        self._finished = True
        self._thread.join()
        if not ok:
            raise item
        raise StopIteration

    def close(self) -> None:
        """Stop the background thread (called when the iterator is dropped)."""
        self._finished = True
        self._stop.set()
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=1.0)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass


def _produce(source: Iterator[Any], q: queue.Queue, stop: threading.Event) -> None:
    """The prefetch thread: put ``(True, batch)`` items, then ``(True, _DONE)`` or
    ``(False, exception)``; give up as soon as ``stop`` is set."""

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    try:
        for batch in source:
            if not put((True, batch)):
                return
        put((True, _DONE))
    except BaseException as e:  # handed to the consumer
        put((False, e))
