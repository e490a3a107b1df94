"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict."""

from collections import OrderedDict

import numpy as np
import pytest

import chainrule
from chainrule import nn


def test_sequential_basics():
    a, b, c = nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)
    s = nn.Sequential(a, b, c)
    x = chainrule.randn(5, 3)
    np.testing.assert_array_equal(s(x).numpy(), c(b(a(x))).numpy())
    assert len(s) == 3 and list(s) == [a, b, c]
    assert s[0] is a and s[-1] is c
    sub = s[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c]
    assert [n for n, _ in sub.named_children()] == ["1", "2"]
    with pytest.raises(IndexError):
        s[3]
    s.append(nn.Tanh())
    assert len(s) == 4 and isinstance(s[3], nn.Tanh)
    s[3] = nn.Sigmoid()
    assert isinstance(s[3], nn.Sigmoid)
    del s[1]
    assert [n for n, _ in s.named_children()] == ["0", "1", "2"] and s[1] is c
    s.insert(1, nn.ReLU())
    assert isinstance(s[1], nn.ReLU) and len(s) == 4
    assert isinstance(s.pop(1), nn.ReLU) and len(s) == 3
    s2 = s + nn.Sequential(nn.Identity())
    assert len(s2) == 4


def test_sequential_ordereddict():
    s = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    assert [n for n, _ in s.named_parameters()] == ["fc.weight", "fc.bias"]
    assert s.fc is s[0] and s.act is s[1]
    assert list(s.state_dict()) == ["fc.weight", "fc.bias"]
    assert "(fc): Linear" in repr(s)


def test_sequential_gradients_flow():
    s = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    s(chainrule.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in s.parameters())


def test_modulelist():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    assert isinstance(layers[1:], nn.ModuleList) and len(layers[1:]) == 2
    layers.append(nn.ReLU())
    layers.extend([nn.Tanh()])
    layers += [nn.Sigmoid()]
    assert len(layers) == 6 and isinstance(layers[-1], nn.Sigmoid)
    layers.insert(0, nn.Identity())
    assert isinstance(layers[0], nn.Identity) and isinstance(layers[1], nn.Linear)
    del layers[0]
    assert isinstance(layers[0], nn.Linear)
    assert [n for n, _ in layers.named_children()] == [str(i) for i in range(6)]
    layers[0] = nn.ELU()
    assert isinstance(layers[0], nn.ELU)
    with pytest.raises(TypeError):
        layers.extend(nn.ReLU())
    with pytest.raises(NotImplementedError):
        layers(chainrule.zeros(1))
    assert repr(nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Tanh()])) == (
        "ModuleList(\n  (0-1): 2 x ReLU()\n  (2): Tanh()\n)"
    )


def test_moduledict():
    d = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.ReLU()})
    assert list(d) == ["a", "b"] and list(d.keys()) == ["a", "b"] and "a" in d
    assert isinstance(d["b"], nn.ReLU) and len(d) == 2
    d["c"] = nn.Tanh()
    assert [k for k, _ in d.items()] == ["a", "b", "c"]
    assert [n for n, _ in d.named_parameters()] == ["a.weight", "a.bias"]
    assert isinstance(d.pop("c"), nn.Tanh) and "c" not in d
    d.update([("z", nn.Identity())])
    assert list(d) == ["a", "b", "z"]
    d.clear()
    assert len(d) == 0


def test_parameterlist_and_dict():
    pl = nn.ParameterList([chainrule.zeros(2), nn.Parameter(chainrule.ones(3))])
    assert all(isinstance(p, nn.Parameter) for p in pl)
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    pl.append(chainrule.zeros(1))
    assert len(pl) == 3 and pl[-1].shape == (1,)
    assert "Parameter containing" in repr(pl)
    pd = nn.ParameterDict({"w": chainrule.ones(2)})
    pd["b"] = chainrule.zeros(1)
    assert list(pd) == ["w", "b"] and isinstance(pd["b"], nn.Parameter)
    assert [n for n, _ in pd.named_parameters()] == ["w", "b"]

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.ps = nn.ParameterList([chainrule.ones(2)])

    assert list(M().state_dict()) == ["ps.0"]
