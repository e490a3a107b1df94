"""chainrule.data: datasets, samplers, collate, DataLoader (batching, shuffling, prefetch)."""

import collections
import threading
import time

import numpy as np
import pytest

import chainrule
from chainrule.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    random_split,
    train_test_split,
)


class ListDataset(Dataset):
    """A plain map-style dataset (no fast path)."""

    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def _xy(n=10):
    X = chainrule.arange(n * 3, dtype=chainrule.float32).reshape(n, 3)
    y = chainrule.arange(n)
    return TensorDataset(X, y)


def _labels(loader):
    return [b[1].tolist() for b in loader]


# -- datasets -------------------------------------------------------------------------------------
def test_tensor_dataset_checks_and_items():
    ds = _xy(4)
    x, y = ds[2]
    assert x.tolist() == [6.0, 7.0, 8.0] and y.item() == 2
    assert len(ds) == 4
    with pytest.raises(ValueError, match="size mismatch"):
        TensorDataset(chainrule.zeros(3, 2), chainrule.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    nd = TensorDataset(np.zeros((3, 2), np.float32))
    assert isinstance(nd.tensors[0], chainrule.Tensor)


def test_subset_concat_and_add():
    ds = _xy(5)
    sub = Subset(ds, [4, 1])
    assert [s[1].item() for s in sub] == [4, 1]
    cat = ds + sub
    assert isinstance(cat, ConcatDataset) and len(cat) == 7
    assert cat[5][1].item() == 4 and cat[-1][1].item() == 1 and cat[-7][1].item() == 0
    with pytest.raises(IndexError):
        cat[7]
    with pytest.raises(IndexError):
        cat[-8]


def test_random_split_lengths_and_determinism():
    ds = _xy(10)
    a, b, c = random_split(ds, [5, 3, 2], generator=np.random.default_rng(42))
    assert (len(a), len(b), len(c)) == (5, 3, 2)
    assert sorted(a.indices + b.indices + c.indices) == list(range(10))
    a2, b2, c2 = random_split(ds, [5, 3, 2], generator=np.random.default_rng(42))
    assert a.indices == a2.indices and b.indices == b2.indices
    assert (
        random_split(ds, [5, 5], generator=7)[0].indices
        == random_split(ds, [5, 5], generator=7)[0].indices
    )
    chainrule.manual_seed(3)
    g1 = random_split(ds, [5, 5])[0].indices
    chainrule.manual_seed(3)
    assert random_split(ds, [5, 5])[0].indices == g1
    # fractions: floor, then the remainder one each to the first splits (as PyTorch)
    assert [len(s) for s in random_split(_xy(11), [0.5, 0.3, 0.2], generator=0)] == [6, 3, 2]
    assert [len(s) for s in random_split(_xy(10), [0.7, 0.3], generator=0)] == [7, 3]
    with pytest.raises(ValueError, match="sum of input lengths"):
        random_split(ds, [5, 4])
    with pytest.raises(ValueError, match="fractions"):
        random_split(ds, [0.5, 0.6])


def test_train_test_split_stratified():
    y = chainrule.tensor([0] * 30 + [1] * 10)
    X = chainrule.arange(40)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_fraction=0.25, seed=1, stratify=y)
    assert len(Xte) == 10 and len(Xtr) == 30
    assert np.bincount(yte.numpy()).tolist() == [8, 2]  # classes in proportion
    assert sorted(Xtr.tolist() + Xte.tolist()) == list(range(40))
    again = train_test_split(X, y, test_fraction=0.25, seed=1, stratify=y)
    assert again[1].tolist() == Xte.tolist()
    other = train_test_split(X, y, test_fraction=0.25, seed=2, stratify=y)
    assert other[1].tolist() != Xte.tolist()
    a_tr, a_te = train_test_split(np.arange(10), test_fraction=0.3)
    assert isinstance(a_te, np.ndarray) and len(a_te) == 3
    with pytest.raises(ValueError, match="test_fraction"):
        train_test_split(X, test_fraction=1.5)


# -- samplers -------------------------------------------------------------------------------------
def test_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    r = RandomSampler(range(6), generator=np.random.default_rng(0))
    e1, e2 = list(r), list(r)
    assert sorted(e1) == list(range(6)) and e1 != e2  # new permutation every epoch
    r2 = RandomSampler(range(6), generator=np.random.default_rng(0))
    assert list(r2) == e1 and list(r2) == e2  # but the same stream
    rep = list(RandomSampler(range(3), replacement=True, num_samples=50, generator=0))
    assert len(rep) == 50 and set(rep) <= {0, 1, 2}
    more = list(RandomSampler(range(3), num_samples=7, generator=0))
    assert len(more) == 7 and sorted(more[:3]) == [0, 1, 2]
    assert sorted(SubsetRandomSampler([5, 9, 2], generator=1)) == [2, 5, 9]
    w = list(WeightedRandomSampler([0.0, 0.0, 1.0, 1.0], 100, generator=0))
    assert set(w) == {2, 3}
    assert len(BatchSampler(SequentialSampler(range(10)), 3, drop_last=True)) == 3
    assert len(BatchSampler(SequentialSampler(range(10)), 3, drop_last=False)) == 4
    assert list(BatchSampler(range(5), 2, False)) == [[0, 1], [2, 3], [4]]  # any iterable
    with pytest.raises(ValueError, match="batch_size"):
        BatchSampler(range(5), 0, False)


# -- collate ------------------------------------------------------------------------------------
def test_default_collate_types():
    b = default_collate([np.zeros((2, 2), np.float32), np.ones((2, 2), np.float32)])
    assert b.shape == (2, 2, 2) and b.dtype == chainrule.float32
    assert default_collate([1, 2]).dtype == chainrule.int64
    assert default_collate([1.0, 2.0]).dtype == chainrule.float32
    assert default_collate([True, False]).dtype == chainrule.bool
    assert default_collate([np.float64(1), np.float64(2)]).dtype == chainrule.float64
    assert default_collate(["a", "b"]) == ["a", "b"]
    d = default_collate(
        [{"x": chainrule.ones(3), "y": (1, "p")}, {"x": chainrule.zeros(3), "y": (2, "q")}]
    )
    assert d["x"].shape == (2, 3) and d["y"][0].tolist() == [1, 2] and d["y"][1] == ["p", "q"]
    assert isinstance(d["y"], tuple)
    lst = default_collate([[1, 2.0], [3, 4.0]])
    assert isinstance(lst, list) and lst[0].tolist() == [1, 3]
    Point = collections.namedtuple("Point", "x y")
    p = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(p, Point) and p.x.tolist() == [1, 3]
    od = default_collate([collections.OrderedDict(a=1), collections.OrderedDict(a=2)])
    assert isinstance(od, collections.OrderedDict)
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([chainrule.zeros(2), chainrule.zeros(3)])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])


# -- DataLoader ---------------------------------------------------------------------------------
def test_batching_and_drop_last():
    ds = _xy(10)
    loader = DataLoader(ds, batch_size=4)
    assert len(loader) == 3
    batches = list(loader)
    assert [tuple(x.shape) for x, _ in batches] == [(4, 3), (4, 3), (2, 3)]
    assert _labels(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    dl = DataLoader(ds, batch_size=4, drop_last=True)
    assert len(dl) == 2 and _labels(dl) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(list(DataLoader(ds))) == 10  # batch_size=1 default
    single = list(DataLoader(ds, batch_size=None))
    assert len(single) == 10 and single[3][1].shape == ()


def test_shuffle_reproducible_with_seed():
    ds = _xy(20)
    chainrule.manual_seed(5)
    a = _labels(DataLoader(ds, batch_size=6, shuffle=True))
    chainrule.manual_seed(5)
    b = _labels(DataLoader(ds, batch_size=6, shuffle=True))
    assert a == b and sorted(sum(a, [])) == list(range(20)) and sum(a, []) != list(range(20))
    loader = DataLoader(ds, batch_size=6, shuffle=True, generator=np.random.default_rng(1))
    e1, e2 = _labels(loader), _labels(loader)
    assert e1 != e2  # each epoch reshuffles
    loader2 = DataLoader(ds, batch_size=6, shuffle=True, generator=np.random.default_rng(1))
    assert _labels(loader2) == e1 and _labels(loader2) == e2
    assert _labels(DataLoader(ds, batch_size=6, shuffle=True, generator=3)) == _labels(
        DataLoader(ds, batch_size=6, shuffle=True, generator=3)
    )


def test_fast_path_matches_per_item_collate():
    X = chainrule.randn(50, 2, 3)
    y = chainrule.arange(50)
    w = chainrule.rand(50) > 0.5
    fast = TensorDataset(X, y, w)
    slow = ListDataset([fast[i] for i in range(50)])
    for kwargs in [dict(batch_size=7), dict(batch_size=7, drop_last=True), dict(batch_size=50)]:
        f = list(DataLoader(fast, shuffle=True, generator=0, **kwargs))
        s = list(DataLoader(slow, shuffle=True, generator=0, **kwargs))
        assert len(f) == len(s)
        for bf, bs in zip(f, s):
            assert isinstance(bf, tuple) and isinstance(bs, tuple)
            for tf, ts in zip(bf, bs):
                assert tf.dtype == ts.dtype
                np.testing.assert_array_equal(tf.numpy(), ts.numpy())
    # subsets of a TensorDataset (random_split) are fast too, with composed indices
    tr, _ = random_split(fast, [30, 20], generator=0)
    got = [b[1].tolist() for b in DataLoader(tr, batch_size=8)]
    assert sum(got, []) == tr.indices
    nested = Subset(tr, [3, 0])
    assert [b[1].tolist() for b in DataLoader(nested, batch_size=2)] == [
        [tr.indices[3], tr.indices[0]]
    ]


def test_fast_path_is_used_and_copies():
    ds = _xy(8)
    calls = []

    class Counting(TensorDataset):
        pass

    assert DataLoader(Counting(*ds.tensors), batch_size=4)._fast is not None

    class Overridden(TensorDataset):
        def __getitem__(self, i):
            calls.append(i)
            return super().__getitem__(i)

    list(DataLoader(Overridden(*ds.tensors), batch_size=4))
    assert calls == list(range(8))  # an overriding subclass goes item by item
    x, _ = next(iter(DataLoader(ds, batch_size=4)))
    x._data[...] = -1  # batches are copies: the dataset is untouched
    assert ds.tensors[0].numpy().min() == 0


def test_fast_path_speed():
    X = chainrule.randn(20000, 16)
    y = chainrule.arange(20000)
    fast = TensorDataset(X, y)

    class Plain(Dataset):
        def __len__(self):
            return 20000

        def __getitem__(self, i):
            return X[i], y[i]

    t0 = time.perf_counter()
    n = sum(len(b[1]) for b in DataLoader(fast, batch_size=64, shuffle=True))
    t_fast = time.perf_counter() - t0
    assert n == 20000
    t0 = time.perf_counter()
    for i, _b in enumerate(DataLoader(Plain(), batch_size=64, shuffle=True)):
        if i == 30:
            break
    t_slow = (time.perf_counter() - t0) * (20000 / 64) / 31
    assert t_fast < t_slow / 5, (t_fast, t_slow)


def test_dict_and_tuple_samples_through_loader():
    items = [
        {"img": np.full((2, 2), i, np.float32), "label": i, "meta": (i, f"s{i}")} for i in range(5)
    ]
    batches = list(DataLoader(ListDataset(items), batch_size=2))
    assert len(batches) == 3
    b = batches[0]
    assert b["img"].shape == (2, 2, 2) and b["label"].tolist() == [0, 1]
    assert b["meta"][0].tolist() == [0, 1] and b["meta"][1] == ["s0", "s1"]
    custom = list(
        DataLoader(ListDataset(list(range(5))), batch_size=2, collate_fn=lambda b: sum(b))
    )
    assert custom == [1, 5, 4]


def test_sampler_and_batch_sampler_options():
    ds = _xy(6)
    dl = DataLoader(ds, batch_size=2, sampler=[5, 4, 3, 2, 1, 0])
    assert _labels(dl) == [[5, 4], [3, 2], [1, 0]]
    dl = DataLoader(ds, batch_sampler=[[0, 5], [2], [1, 3, 4]])
    assert _labels(dl) == [[0, 5], [2], [1, 3, 4]] and len(dl) == 3
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(ds, sampler=[0], shuffle=True)
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(ds, batch_size=4, batch_sampler=[[0]])
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(ds, batch_size=None, drop_last=True)


def test_iterable_dataset():
    class Stream(IterableDataset):
        def __iter__(self):
            for i in range(7):
                yield np.array([i, i], np.int64), float(i)

        def __len__(self):
            return 7

    dl = DataLoader(Stream(), batch_size=3)
    batches = list(dl)
    assert len(dl) == 3 and [b[1].tolist() for b in batches] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(list(DataLoader(Stream(), batch_size=3, drop_last=True))) == 2
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(Stream(), shuffle=True)


# -- prefetch -------------------------------------------------------------------------------------
@pytest.mark.parametrize("prefetch", [1, 3, True])
def test_prefetch_gives_same_batches(prefetch):
    ds = _xy(23)
    plain = DataLoader(ds, batch_size=4, shuffle=True, generator=9)
    pre = DataLoader(ds, batch_size=4, shuffle=True, generator=9, prefetch=prefetch)
    for _ in range(2):  # two epochs: the same stream of permutations
        a, b = list(plain), list(pre)
        assert len(a) == len(b) == 6
        for (xa, ya), (xb, yb) in zip(a, b):
            np.testing.assert_array_equal(xa.numpy(), xb.numpy())
            np.testing.assert_array_equal(ya.numpy(), yb.numpy())
    # the global generator is drawn in the caller's thread, at the start of iteration
    chainrule.manual_seed(11)
    ref = _labels(DataLoader(ds, batch_size=5, shuffle=True))
    chainrule.manual_seed(11)
    assert _labels(DataLoader(ds, batch_size=5, shuffle=True, prefetch=2)) == ref
    items = ListDataset([{"v": i} for i in range(9)])
    assert [b["v"].tolist() for b in DataLoader(items, batch_size=4, prefetch=2)] == [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8],
    ]


def test_prefetch_error_propagates_and_break_stops_thread():
    class Faulty(Dataset):
        def __len__(self):
            return 10

        def __getitem__(self, i):
            if i == 6:
                raise KeyError("bad sample 6")
            return i

    it = iter(DataLoader(Faulty(), batch_size=2, prefetch=2))
    assert next(it).tolist() == [0, 1]
    with pytest.raises(KeyError, match="bad sample 6"):
        for _ in it:
            pass
    before = threading.active_count()
    for _ in range(5):
        for i, _b in enumerate(DataLoader(_xy(100), batch_size=2, prefetch=2)):
            if i == 1:
                break
    deadline = time.time() + 5
    while threading.active_count() > before and time.time() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= before
    assert DataLoader(_xy(4), num_workers=2).prefetch == 4
