"""DistributedSampler: PyTorch's partitioning; every sample once per epoch across the ranks."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.data import DataLoader, DistributedSampler, TensorDataset


def _parts(n, replicas, **kw):
    return [list(DistributedSampler(range(n), replicas, r, **kw)) for r in range(replicas)]


@pytest.mark.parametrize("n,replicas", [(10, 2), (11, 2), (7, 3), (3, 4), (100, 7)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_each_sample_exactly_once_per_epoch(n, replicas, shuffle):
    for epoch in range(3):
        parts = []
        for r in range(replicas):
            s = DistributedSampler(range(n), replicas, r, shuffle=shuffle, seed=5)
            s.set_epoch(epoch)
            parts.append(list(s))
            assert len(s) == len(parts[-1]) == -(-n // replicas)
        flat = sorted(i for p in parts for i in p)
        assert set(flat) == set(range(n))  # all covered
        assert len(flat) - n == (-n) % replicas  # only the padding repeats
        dropped = _parts(n, replicas, shuffle=shuffle, seed=5, drop_last=True)
        got = [i for p in dropped for i in p]
        assert len(got) == len(set(got)) == n // replicas * replicas  # no repeats, tail cut


def test_epochs_reshuffle_and_ranks_agree():
    a = DistributedSampler(range(50), 2, 0, seed=1)
    b = DistributedSampler(range(50), 2, 1, seed=1)
    e0 = list(a) + list(b)
    a.set_epoch(1)
    b.set_epoch(1)
    e1 = list(a) + list(b)
    assert sorted(e0) == sorted(e1) == list(range(50)) and e0 != e1


def test_same_partition_as_pytorch_without_shuffle():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DistributedSampler as TorchSampler

    for n, replicas, drop in [(11, 2, False), (11, 3, True), (5, 4, False), (9, 2, True)]:
        for r in range(replicas):
            ours = list(DistributedSampler(range(n), replicas, r, shuffle=False, drop_last=drop))
            theirs = list(TorchSampler(range(n), replicas, r, shuffle=False, drop_last=drop))
            assert ours == theirs, (n, replicas, r, drop)
    assert torch is not None


def test_dataloader_integration_and_errors():
    ds = TensorDataset(cr.tensor(np.arange(10, dtype=np.float32)))
    seen = []
    for r in range(2):
        loader = DataLoader(ds, batch_size=2, sampler=DistributedSampler(ds, 2, r, shuffle=False))
        seen += [v for (b,) in loader for v in b.tolist()]
    assert sorted(seen) == list(range(10))
    with pytest.raises(ValueError, match="invalid rank 2"):
        DistributedSampler(ds, num_replicas=2, rank=2)
    with pytest.raises(RuntimeError, match="init_process_group"):
        DistributedSampler(ds)
