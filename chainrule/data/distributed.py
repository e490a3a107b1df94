"""``DistributedSampler``: each rank reads its own share of the dataset (PyTorch's partitioning).

The indices of an epoch (shuffled with a generator seeded by ``seed + epoch``, so every rank
draws the same permutation) are padded by repeating the first ones until they divide evenly
(or, with ``drop_last``, cut to a multiple of the number of ranks); rank ``r`` takes every
``num_replicas``-th index starting at ``r``. Call ``set_epoch(epoch)`` before each epoch for a
new order.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np


class DistributedSampler:
    """PyTorch's ``torch.utils.data.DistributedSampler``.

    Example:
        >>> from chainrule.data import DistributedSampler
        >>> s0 = DistributedSampler(range(5), num_replicas=2, rank=0, shuffle=False)
        >>> s1 = DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False)
        >>> list(s0), list(s1)  # padded to 6 by repeating index 0
        ([0, 2, 4], [1, 3, 0])
    """

    def __init__(
        self,
        dataset: Any,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if num_replicas is None or rank is None:
            from chainrule.distributed import process_group as pgm

            if pgm._PG is None:
                raise RuntimeError(
                    "DistributedSampler: pass num_replicas and rank, or call "
                    "chainrule.distributed.init_process_group() first"
                )
            num_replicas = pgm._PG.size if num_replicas is None else num_replicas
            rank = pgm._PG.rank if rank is None else rank
        if num_replicas < 1 or not 0 <= rank < num_replicas:
            raise ValueError(
                f"DistributedSampler: invalid rank {rank}, rank should be in the interval "
                f"[0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = int(num_replicas)
        self.rank = int(rank)
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % self.num_replicas:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:
            indices = np.random.default_rng(self.seed + self.epoch).permutation(n).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            pad = self.total_size - len(indices)
            if pad <= len(indices):
                indices += indices[:pad]
            else:
                indices += (indices * math.ceil(pad / len(indices)))[:pad]
        else:
            indices = indices[: self.total_size]
        assert len(indices) == self.total_size
        return iter(indices[self.rank : self.total_size : self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use ``epoch`` for the next shuffle (the same on every rank)."""
        self.epoch = int(epoch)
