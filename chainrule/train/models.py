"""The model zoo of ``chainrule train --model NAME``: small, standard architectures sized from the
dataset (``build_model(name, info)``, ``info`` from the dataset registry: ``input_shape``,
``num_classes``, ``vocab_size``, ``n_users``/``n_items``).

==========================  ==============================================================
name                        architecture
==========================  ==============================================================
``mlp``                     Linear-ReLU(-Dropout) x len(hidden), Linear (flattens its input)
``cnn``                     [Conv3x3-ReLU-MaxPool2] x 2, Linear-ReLU, Linear (images)
``lstm`` / ``gru``          Embedding, LSTM/GRU, masked mean over time, Linear (token ids);
                            on images: LSTM/GRU over the rows, mean over time, Linear
``mf``                      matrix factorization: dot(user, item) + biases + global mean
``neural_recommender``      concat(user, item embeddings), MLP, a rating
``audio_cnn``               [Conv3x3-BatchNorm-ReLU-MaxPool2] x 3, global average, Linear
==========================  ==============================================================

Add a model: ``MODELS["name"] = builder`` where ``builder(info, **options) -> Module``.

Example:
    >>> import chainrule
    >>> from chainrule.train.models import build_model
    >>> m = build_model("cnn", {"input_shape": (1, 8, 8), "num_classes": 10})
    >>> tuple(m(chainrule.zeros(2, 1, 8, 8)).shape)
    (2, 10)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from chainrule import nn
from chainrule.autograd.tensor import Tensor

__all__ = [
    "CNN",
    "MLP",
    "MODELS",
    "AudioCNN",
    "MatrixFactorization",
    "NeuralRecommender",
    "RowRNN",
    "TextRNN",
    "build_model",
]


class MLP(nn.Module):
    """A multilayer perceptron: ``Linear-ReLU(-Dropout)`` per hidden size, then ``Linear``;
    inputs are flattened to ``(N, in_features)``.

    Example:
        >>> import chainrule
        >>> from chainrule.train.models import MLP
        >>> tuple(MLP(30, 2, hidden=(16,))(chainrule.zeros(4, 30)).shape)
        (4, 2)
    """

    def __init__(
        self,
        in_features: int,
        num_classes: int,
        hidden: Sequence[int] = (64, 64),
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = in_features
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = h
        layers.append(nn.Linear(width, num_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x.reshape(x.shape[0], -1))


class CNN(nn.Module):
    """A small image classifier: ``[Conv3x3(pad 1)-ReLU-MaxPool2] x 2``, ``Linear-ReLU``,
    ``Linear``. Input ``(N, C, H, W)``.

    Example:
        >>> import chainrule
        >>> from chainrule.train.models import CNN
        >>> tuple(CNN(1, 10, (28, 28))(chainrule.zeros(1, 1, 28, 28)).shape)
        (1, 10)
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        image_size: Sequence[int] = (8, 8),
        channels: Sequence[int] = (16, 32),
        hidden: int = 64,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(in_channels, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        h, w = (int(s) // 4 for s in image_size)
        self.fc1 = nn.Linear(c2 * max(h, 1) * max(w, 1), hidden)
        self.drop = nn.Dropout(dropout) if dropout else nn.Identity()
        self.fc2 = nn.Linear(hidden, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.pool(self.conv1(x).relu())
        x = self.pool(self.conv2(x).relu())
        x = self.drop(self.fc1(x.reshape(x.shape[0], -1)).relu())
        return self.fc2(x)


class TextRNN(nn.Module):
    """A text classifier on token ids ``(N, T)``: ``Embedding`` (``padding_idx``), an LSTM or
    GRU (batch first), the mean of its outputs over the non-padding positions, ``Linear``.

    Example:
        >>> import chainrule
        >>> from chainrule.train.models import TextRNN
        >>> m = TextRNN(vocab_size=20, num_classes=2, embed_dim=8, hidden_size=8, cell="gru")
        >>> tuple(m(chainrule.tensor([[3, 4, 0], [5, 0, 0]])).shape)
        (2, 2)
    """

    def __init__(
        self,
        vocab_size: int,
        num_classes: int,
        embed_dim: int = 64,
        hidden_size: int = 64,
        cell: str = "lstm",
        padding_idx: int = 0,
    ) -> None:
        super().__init__()
        if cell not in ("lstm", "gru"):
            raise ValueError(f"TextRNN: cell must be 'lstm' or 'gru', got {cell!r}")
        self.padding_idx = padding_idx
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=padding_idx)
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = rnn(embed_dim, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, ids: Tensor) -> Tensor:
        out, _ = self.rnn(self.embedding(ids))  # (N, T, H)
        mask = (ids != self.padding_idx).float().unsqueeze(2)  # (N, T, 1)
        pooled = (out * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return self.fc(pooled)


class RowRNN(nn.Module):
    """An image classifier that reads an image ``(N, C, H, W)`` row by row: a sequence of ``H``
    steps of ``C * W`` values (a sequence ``(N, T, F)`` is read as it is) through an LSTM or GRU
    (batch first), the mean of its outputs over time, ``Linear``.

    Example:
        >>> import chainrule
        >>> from chainrule.train.models import RowRNN
        >>> m = RowRNN((1, 8, 8), num_classes=10, hidden_size=16, cell="lstm")
        >>> tuple(m(chainrule.zeros(3, 1, 8, 8)).shape)
        (3, 10)
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        hidden_size: int = 64,
        cell: str = "lstm",
        num_layers: int = 1,
    ) -> None:
        super().__init__()
        if cell not in ("lstm", "gru"):
            raise ValueError(f"RowRNN: cell must be 'lstm' or 'gru', got {cell!r}")
        shape = tuple(int(d) for d in input_shape)
        if len(shape) not in (2, 3):
            raise ValueError(f"RowRNN: expected images (C, H, W) or sequences (T, F), got {shape}")
        self.input_shape = shape
        features = shape[-1] if len(shape) == 2 else shape[0] * shape[2]
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = rnn(features, hidden_size, num_layers=num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        if len(self.input_shape) == 3:  # (N, C, H, W) -> (N, H, C * W): one step per row
            c, h, w = self.input_shape
            x = x.reshape(x.shape[0], c, h, w).permute(0, 2, 1, 3).reshape(x.shape[0], h, c * w)
        out, _ = self.rnn(x)
        return self.fc(out.mean(dim=1))


class MatrixFactorization(nn.Module):
    """Rating = global mean + user bias + item bias + ``<user vector, item vector>``; called as
    ``model(users, items)`` with int64 ids, returns ``(N,)``.

    Example:
        >>> import chainrule
        >>> from chainrule.train.models import MatrixFactorization
        >>> m = MatrixFactorization(5, 7, dim=4, global_mean=3.5)
        >>> tuple(m(chainrule.tensor([0, 4]), chainrule.tensor([1, 6])).shape)
        (2,)
    """

    def __init__(
        self,
        n_users: int,
        n_items: int,
        dim: int = 32,
        global_mean: float = 0.0,
        l2: float = 0.1,
    ) -> None:
        super().__init__()
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)
        for e in (self.user, self.item):
            nn.init.normal_(e.weight, std=0.05)
        for e in (self.user_bias, self.item_bias):
            nn.init.zeros_(e.weight)
        self.global_mean = float(global_mean)
        self.l2 = float(l2)
        self._penalty: Tensor | None = None

    def forward(self, users: Tensor, items: Tensor) -> Tensor:
        p, q = self.user(users), self.item(items)
        bu, bi = self.user_bias(users).squeeze(1), self.item_bias(items).squeeze(1)
        if self.training and self.l2 > 0:
            # L2 on the rows this batch used (weight decay on the whole table would shrink
            # every user's vector at every step, however rarely the user is seen)
            reg = (p * p).sum(dim=1) + (q * q).sum(dim=1) + bu * bu + bi * bi
            self._penalty = reg.mean() * self.l2
        return (p * q).sum(dim=1) + bu + bi + self.global_mean

    def regularization_loss(self) -> Tensor | None:
        """``l2`` x the mean squared norm of the factors and biases of the last training batch
        (the :class:`~chainrule.train.Trainer` adds it to the loss; ``None`` outside training).

        Example:
            >>> import chainrule
            >>> from chainrule.train.models import MatrixFactorization
            >>> m = MatrixFactorization(3, 3, dim=2, l2=0.5)
            >>> _ = m(chainrule.tensor([0]), chainrule.tensor([1]))
            >>> m.regularization_loss().item() > 0
            True
        """
        out, self._penalty = self._penalty, None
        return out


class NeuralRecommender(nn.Module):
    """A neural recommender: user and item embeddings, concatenated, through an MLP to one
    rating; ``model(users, items) -> (N,)``.

    Example:
        >>> import chainrule
        >>> from chainrule.train.models import NeuralRecommender
        >>> m = NeuralRecommender(5, 7, dim=4, hidden=8)
        >>> tuple(m(chainrule.tensor([0, 1]), chainrule.tensor([2, 3])).shape)
        (2,)
    """

    def __init__(
        self, n_users: int, n_items: int, dim: int = 32, hidden: int = 64, global_mean: float = 0.0
    ) -> None:
        super().__init__()
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        self.mlp = nn.Sequential(
            nn.Linear(2 * dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU()
        )
        self.out = nn.Linear(hidden, 1)
        self.global_mean = float(global_mean)

    def forward(self, users: Tensor, items: Tensor) -> Tensor:
        from chainrule import cat

        h = self.mlp(cat([self.user(users), self.item(items)], dim=1))
        return self.out(h).squeeze(1) + self.global_mean


class AudioCNN(nn.Module):
    """A spectrogram classifier: input ``(N, 1, n_mels, frames)`` (any size),
    ``[Conv3x3-BatchNorm-ReLU-MaxPool2] x len(channels)``, global average pooling, ``Linear``.

    Example:
        >>> import chainrule
        >>> from chainrule.train.models import AudioCNN
        >>> tuple(AudioCNN(num_classes=3, channels=(4, 8))(chainrule.zeros(2, 1, 16, 20)).shape)
        (2, 3)
    """

    def __init__(
        self, num_classes: int, in_channels: int = 1, channels: Sequence[int] = (16, 32, 32)
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c = in_channels
        for out in channels:
            layers += [
                nn.Conv2d(c, out, 3, padding=1),
                nn.BatchNorm2d(out),
                nn.ReLU(),
                nn.MaxPool2d(2),
            ]
            c = out
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.pool(self.features(x))
        return self.fc(x.reshape(x.shape[0], -1))


def _need(info: dict[str, Any], key: str, model: str) -> Any:
    if info.get(key) is None:
        raise ValueError(
            f"model {model!r} needs a dataset with {key!r} (this dataset has "
            f"{', '.join(k for k, v in info.items() if v is not None)})"
        )
    return info[key]


def _mlp(info: dict[str, Any], **kw: Any) -> nn.Module:
    shape = _need(info, "input_shape", "mlp")
    return MLP(math.prod(shape), info.get("num_classes") or 1, **kw)


def _cnn(info: dict[str, Any], **kw: Any) -> nn.Module:
    shape = _need(info, "input_shape", "cnn")
    if len(shape) != 3:
        raise ValueError(f"model 'cnn' needs images (C, H, W); this dataset has inputs {shape}")
    return CNN(shape[0], _need(info, "num_classes", "cnn"), shape[1:], **kw)


def _rnn(cell: str) -> Callable[..., nn.Module]:
    def build(info: dict[str, Any], **kw: Any) -> nn.Module:
        if info.get("vocab_size") is None:
            shape = info.get("input_shape")
            if shape is not None and len(shape) in (2, 3) and info.get("num_classes"):
                return RowRNN(shape, info["num_classes"], cell=cell, **kw)
            what = f"inputs of {math.prod(shape)} features" if shape else "no sequences"
            raise ValueError(
                f"model {cell!r} reads sequences (text, or images row by row) and this dataset "
                f"has {what}; choose another model, e.g. --model mlp"
            )
        return TextRNN(
            _need(info, "vocab_size", cell), _need(info, "num_classes", cell), cell=cell, **kw
        )

    return build


def _mf(info: dict[str, Any], **kw: Any) -> nn.Module:
    kw.setdefault("global_mean", info.get("global_mean", 0.0))
    return MatrixFactorization(_need(info, "n_users", "mf"), _need(info, "n_items", "mf"), **kw)


def _ncf(info: dict[str, Any], **kw: Any) -> nn.Module:
    kw.setdefault("global_mean", info.get("global_mean", 0.0))
    return NeuralRecommender(
        _need(info, "n_users", "neural_recommender"),
        _need(info, "n_items", "neural_recommender"),
        **kw,
    )


def _audio(info: dict[str, Any], **kw: Any) -> nn.Module:
    shape = _need(info, "input_shape", "audio_cnn")
    return AudioCNN(_need(info, "num_classes", "audio_cnn"), in_channels=shape[0], **kw)


MODELS: dict[str, Callable[..., nn.Module]] = {
    "mlp": _mlp,
    "cnn": _cnn,
    "lstm": _rnn("lstm"),
    "gru": _rnn("gru"),
    "mf": _mf,
    "neural_recommender": _ncf,
    "audio_cnn": _audio,
}


def build_model(name: str, info: dict[str, Any], **options: Any) -> nn.Module:
    """Build zoo model ``name`` sized from the dataset ``info``; ``options`` go to the
    architecture (e.g. ``hidden=(128,)`` for ``mlp``).

    Example:
        >>> from chainrule.train.models import build_model
        >>> build_model("mlp", {"input_shape": (30,), "num_classes": 2}, hidden=(8,)).net[0]
        Linear(in_features=30, out_features=8, bias=True)
        >>> build_model("transformer", {})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: unknown model 'transformer'; accepted: mlp, cnn, lstm, gru, mf, ...
    """
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; accepted: {', '.join(MODELS)}")
    return MODELS[name](info, **options)
