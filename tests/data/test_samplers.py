"""Samplers and the torch.utils.data names: lazy huge RandomSampler, ChainDataset,
StackDataset, get_worker_info / worker_init_fn, prefetch_factor, random_split fractions."""

import threading

import numpy as np
import pytest

import chainrule
from chainrule import data
from chainrule.data import DataLoader, RandomSampler, TensorDataset


def test_huge_random_sampler_is_lazy_and_fast():
    # an eager sampler would allocate 8 TB here: constructing and iterating must not
    s = RandomSampler(range(10), replacement=True, num_samples=10**12, generator=0)
    it = iter(s)
    first = [next(it) for _ in range(1000)]
    assert len(s) == 10**12
    assert all(0 <= i < 10 for i in first) and len(set(first)) == 10
    ds = TensorDataset(chainrule.arange(10))
    loader = DataLoader(ds, batch_size=4, sampler=s, drop_last=True)
    assert len(loader) == 10**12 // 4
    batches = iter(loader)
    got = [next(batches)[0].numpy() for _ in range(50)]
    assert all(b.shape == (4,) for b in got)


def test_huge_sampler_reproducible_from_global_seed_and_batches_cross_chunks():
    def first(n, **kw):
        chainrule.manual_seed(3)
        it = iter(RandomSampler(range(7), replacement=True, num_samples=10**9, **kw))
        return [next(it) for _ in range(n)]

    assert first(70000) == first(70000)  # crosses a chunk boundary
    chainrule.manual_seed(3)
    bs = data.BatchSampler(RandomSampler(range(7), True, 10**9), batch_size=1000, drop_last=False)
    it = iter(bs)
    flat = sum((next(it) for _ in range(70)), [])
    assert flat == first(70000)
    # without replacement: consecutive permutations of the dataset
    it = iter(RandomSampler(range(5), num_samples=2 * 10**6, generator=1))
    head = [next(it) for _ in range(15)]
    assert [sorted(head[i : i + 5]) for i in (0, 5, 10)] == [[0, 1, 2, 3, 4]] * 3


def test_small_sampler_unchanged():
    a = list(RandomSampler(range(6), replacement=True, num_samples=20, generator=5))
    b = np.random.default_rng(5).integers(0, 6, size=20).tolist()
    assert a == b


class _Count(data.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = data.get_worker_info()
        start = 0 if info is None else info.id
        step = 1 if info is None else info.num_workers
        return iter(range(start, self.n, step))

    def __len__(self):
        return self.n


def test_chain_and_stack_datasets():
    chain = data.ChainDataset([_Count(3), _Count(2)])
    assert list(chain) == [0, 1, 2, 0, 1] and len(chain) == 5
    assert [b.tolist() for b in DataLoader(chain, batch_size=2)] == [[0, 1], [2, 0], [1]]
    with pytest.raises(TypeError, match="ChainDataset only supports IterableDataset"):
        list(data.ChainDataset([TensorDataset(chainrule.zeros(2))]))
    x, y = chainrule.arange(6).reshape(3, 2), chainrule.tensor([0, 1, 0])
    st = data.StackDataset(TensorDataset(x), y)
    assert len(st) == 3 and st[1][1].item() == 1 and st[1][0][0].tolist() == [2, 3]
    sd = data.StackDataset(a=[1, 2], b=["x", "y"])
    assert sd[0] == {"a": 1, "b": "x"}
    batch = next(iter(DataLoader(sd, batch_size=2)))
    assert batch["a"].tolist() == [1, 2] and batch["b"] == ["x", "y"]
    with pytest.raises(ValueError, match="size mismatch"):
        data.StackDataset([1], [1, 2])
    with pytest.raises(ValueError, match="both types"):
        data.StackDataset([1], b=[2])


def test_worker_info_and_init_fn_in_the_loading_thread():
    assert data.get_worker_info() is None
    seen = []

    def init(worker_id):
        info = data.get_worker_info()
        seen.append((worker_id, info.id, info.num_workers, threading.current_thread().name))

    loader = DataLoader(_Count(7), batch_size=3, num_workers=2, worker_init_fn=init)
    for _ in range(2):
        assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(seen) == 2 and seen[0][:3] == (0, 0, 1) and seen[0][3] != "MainThread"
    persistent = DataLoader(
        _Count(4), batch_size=2, num_workers=1, worker_init_fn=init, persistent_workers=True
    )
    for _ in range(3):
        list(persistent)
    assert len(seen) == 3
    assert data.get_worker_info() is None


def test_prefetch_factor_and_dataloader_options():
    ds = TensorDataset(chainrule.arange(10))
    dl = DataLoader(ds, batch_size=3, num_workers=2, prefetch_factor=4, pin_memory=True)
    assert dl.prefetch == 8
    assert [b[0].tolist() for b in dl] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified"):
        DataLoader(ds, prefetch_factor=2)

    def collate(items):
        return [int(i[0]) * 10 for i in items]

    bs = data.BatchSampler(data.SequentialSampler(ds), 4, drop_last=True)
    assert list(DataLoader(ds, batch_sampler=bs, collate_fn=collate)) == [
        [0, 10, 20, 30],
        [40, 50, 60, 70],
    ]


def test_random_split_fractions_and_torch_names():
    torch = pytest.importorskip("torch")
    parts = data.random_split(range(10), [0.5, 0.3, 0.2], generator=0)
    assert [len(p) for p in parts] == [5, 3, 2]
    assert sorted(sum((list(p) for p in parts), [])) == list(range(10))
    names = [
        "WeightedRandomSampler",
        "SubsetRandomSampler",
        "BatchSampler",
        "SequentialSampler",
        "ConcatDataset",
        "ChainDataset",
        "StackDataset",
        "IterableDataset",
        "TensorDataset",
        "Subset",
        "random_split",
        "default_collate",
        "get_worker_info",
        "DataLoader",
        "Dataset",
        "Sampler",
        "RandomSampler",
        "default_convert",
    ]
    for n in names:
        assert hasattr(torch.utils.data, n) and hasattr(data, n), n
