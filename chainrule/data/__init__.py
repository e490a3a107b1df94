"""Data loading (``torch.utils.data`` names): datasets, samplers, ``DataLoader``, collate, splits,
and the bundled real datasets in :mod:`chainrule.data.datasets`.

Example:
    >>> import chainrule
    >>> from chainrule.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(chainrule.randn(10, 3), chainrule.arange(10))
    >>> [tuple(x.shape) for x, y in DataLoader(ds, batch_size=4)]
    [(4, 3), (4, 3), (2, 3)]
"""

from chainrule.data.dataset import (
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
    train_test_split,
)
from chainrule.data.dataloader import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
    default_collate,
    default_convert,
)
from chainrule.data import datasets
from chainrule.data.distributed import DistributedSampler
from chainrule.data.dataset import ChainDataset, StackDataset
from chainrule.data.dataloader import WorkerInfo, get_worker_info

__all__ = [
    "BatchSampler",
    "ConcatDataset",
    "DataLoader",
    "DistributedSampler",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "datasets",
    "default_collate",
    "default_convert",
    "random_split",
    "train_test_split",
]
__all__ += ["ChainDataset", "StackDataset", "WorkerInfo", "get_worker_info"]
