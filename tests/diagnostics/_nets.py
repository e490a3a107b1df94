"""Shared digits MLPs for the diagnostics tests (10 weight layers, 64 wide)."""

import chainrule
from chainrule import nn, optim
from chainrule.data import DataLoader
from chainrule.data.datasets import load_digits

_DIGITS = {}


def digits_loader(batch_size=64, split="train"):
    if split not in _DIGITS:
        _DIGITS[split] = load_digits(split, flatten=True)
    return DataLoader(_DIGITS[split], batch_size=batch_size, shuffle=True)


def mlp(kind, depth=10, width=64, std=0.1, seed=0):
    chainrule.manual_seed(seed)
    layers, n = [], 64
    for _ in range(depth - 1):
        lin = nn.Linear(n, width)
        if kind == "sigmoid_small":  # small-variance Gaussian init
            nn.init.normal_(lin.weight, 0, std)
            nn.init.zeros_(lin.bias)
            layers += [lin, nn.Sigmoid()]
        elif kind == "relu_he":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
            nn.init.zeros_(lin.bias)
            layers += [lin, nn.ReLU()]
        elif kind == "sigmoid_bn":  # the same small init, with batch norm
            nn.init.normal_(lin.weight, 0, std)
            nn.init.zeros_(lin.bias)
            layers += [lin, nn.BatchNorm1d(width), nn.Sigmoid()]
        elif kind == "relu_bn":
            nn.init.normal_(lin.weight, 0, std)
            layers += [lin, nn.BatchNorm1d(width), nn.ReLU()]
        elif kind == "relu_big":
            nn.init.normal_(lin.weight, 0, std)
            layers += [lin, nn.ReLU()]
        elif kind == "tanh_big":
            nn.init.normal_(lin.weight, 0, std)
            layers += [lin, nn.Tanh()]
        else:
            raise ValueError(kind)
        n = width
    layers.append(nn.Linear(n, 10))
    return nn.Sequential(*layers)


def sgd(model, lr, momentum=0.9):
    return optim.SGD(model.parameters(), lr=lr, momentum=momentum)


def adam(model, lr):
    return optim.Adam(model.parameters(), lr=lr)
