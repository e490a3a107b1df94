"""Training: ``Trainer`` / ``fit``, callbacks, metrics, ``History``, run folders, the model zoo
and the ``chainrule train/evaluate/predict/datasets/info`` commands.

tqdm and matplotlib (the ``[train]`` extra) are imported only when a progress bar or a plot is
made, never by ``import chainrule``.

Example:
    >>> import chainrule
    >>> from chainrule import nn, optim
    >>> from chainrule.data import DataLoader, TensorDataset
    >>> from chainrule.train import Trainer, EarlyStopping
    >>> _ = chainrule.manual_seed(0)
    >>> x = chainrule.randn(32, 4); y = (x.sum(dim=1) > 0).long()
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.05),
    ...                   callbacks=[EarlyStopping("loss", patience=3)], progress=False)
    >>> history = trainer.fit(DataLoader(TensorDataset(x, y), batch_size=8), epochs=20)
    >>> history["accuracy"][-1] > 0.8
    True
"""

from chainrule.train.callbacks import (
    CSVLogger,
    Callback,
    EarlyStopping,
    JSONLLogger,
    LambdaCallback,
    LRSchedulerCallback,
    ModelCheckpoint,
    ProgressBar,
    TensorBoardLogger,
)
from chainrule.io.checkpoint import CheckpointError
from chainrule.train.history import History
from chainrule.train.run_dir import RunDirBusyError
from chainrule.train.trainer import Trainer, TrainingInterrupted, fit, resolve_checkpoint
from chainrule.train.nonfinite import NonFiniteError
from chainrule.train import metrics

__all__ = [
    "CSVLogger",
    "Callback",
    "CheckpointError",
    "EarlyStopping",
    "History",
    "JSONLLogger",
    "LRSchedulerCallback",
    "LambdaCallback",
    "ModelCheckpoint",
    "NonFiniteError",
    "ProgressBar",
    "RunDirBusyError",
    "TensorBoardLogger",
    "Trainer",
    "TrainingInterrupted",
    "fit",
    "metrics",
    "resolve_checkpoint",
]
