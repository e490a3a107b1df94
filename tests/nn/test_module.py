"""Module behaviours: registration, traversal, state_dict, modes, hooks, conversion, repr."""

import copy
import pickle

import numpy as np
import pytest

import chainrule
from chainrule import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 5)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(5, 3)
        self.scale = nn.Parameter(chainrule.ones(3))
        self.register_buffer("running", chainrule.zeros(3))
        self.register_buffer("scratch", chainrule.zeros(2), persistent=False)
        self.plain = 7

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale


def test_registration_and_traversal():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale",
        "fc1.weight",
        "fc1.bias",
        "fc2.weight",
        "fc2.bias",
    ]
    assert [n for n, _ in net.named_buffers()] == ["running", "scratch"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in net.named_parameters(prefix="model")][0] == "model.scale"
    assert net.plain == 7 and "plain" not in net._parameters
    assert sum(p.numel() for p in net.parameters()) == 4 * 5 + 5 + 5 * 3 + 3 + 3
    assert net.fc1.weight is net._modules["fc1"]._parameters["weight"]
    assert isinstance(net.fc1.weight, chainrule.Tensor)


def test_setattr_rules():
    m = nn.Module()
    m.w = nn.Parameter(chainrule.zeros(2))
    with pytest.raises(TypeError, match="parameter 'w'"):
        m.w = chainrule.zeros(2)  # plain tensor over a parameter
    m.w = None
    assert m.w is None and list(m.parameters()) == []
    m.sub = nn.ReLU()
    with pytest.raises(TypeError, match="child module 'sub'"):
        m.sub = 3
    m.register_buffer("b", chainrule.zeros(1))
    m.b = chainrule.ones(1)  # reassign a buffer with a tensor
    assert m.b.tolist() == [1.0] and "b" in m._buffers
    with pytest.raises(TypeError, match="buffer 'b'"):
        m.b = 3
    # a Parameter replacing a submodule moves registries
    m.sub = nn.Parameter(chainrule.zeros(1))
    assert "sub" not in m._modules and "sub" in m._parameters
    with pytest.raises(KeyError):
        m.register_buffer("a.b", chainrule.zeros(1))
    with pytest.raises(TypeError):
        m.register_parameter("p", chainrule.zeros(1))


def test_setattr_before_init_raises():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(chainrule.zeros(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_getattr_delattr_dir():
    net = Net()
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = net.nope
    assert "fc1" in dir(net) and "scale" in dir(net) and "running" in dir(net)
    del net.fc1
    del net.scale
    del net.running
    assert "fc1" not in net._modules and "scale" not in net._parameters
    assert "running" not in net._buffers
    del net.plain
    assert not hasattr(net, "plain")


def test_named_parameters_dedup_shared():
    lin = nn.Linear(3, 3)
    net = nn.Sequential(lin, nn.ReLU(), lin)
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(net.named_parameters(remove_duplicate=False))) == 4
    assert len(list(net.modules())) == 3  # Sequential, Linear (once), ReLU
    # same parameter under two names in two modules
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    b.weight = a.weight
    both = nn.ModuleList([a, b])
    assert [n for n, _ in both.named_parameters()] == ["0.weight", "0.bias", "1.bias"]


def test_state_dict_roundtrip():
    a, b = Net(), Net()
    sd = a.state_dict()
    assert list(sd) == ["scale", "running", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert not any(v.requires_grad for v in sd.values())
    assert np.shares_memory(sd["fc1.weight"].numpy(), a.fc1.weight.numpy())
    assert all(
        isinstance(v, nn.Parameter)
        for k, v in a.state_dict(keep_vars=True).items()
        if k != "running"
    )
    with chainrule.no_grad():
        a.running.add_(2.0)
    w_before = b.fc1.weight
    res = b.load_state_dict(sd)
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert b.fc1.weight is w_before  # copied in place: identity kept
    for k, v in b.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), sd[k].numpy())
    x = chainrule.randn(2, 4)
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    # a copy is independent of later changes
    with chainrule.no_grad():
        a.fc1.weight.mul_(0)
    assert not np.allclose(b.fc1.weight.numpy(), 0)
    # numpy arrays are accepted as values
    b.load_state_dict({k: v.numpy().copy() for k, v in a.state_dict().items()})
    assert np.allclose(b.fc1.weight.numpy(), 0)


def test_load_state_dict_errors_name_keys():
    net = Net()
    sd = net.state_dict()
    del sd["fc1.bias"]
    sd["fc3.weight"] = chainrule.zeros(1)
    sd["fc2.extra"] = chainrule.zeros(1)
    with pytest.raises(RuntimeError) as ei:
        net.load_state_dict(sd)
    msg = str(ei.value)
    assert "Missing key(s)" in msg and '"fc1.bias"' in msg
    assert "Unexpected key(s)" in msg and '"fc3.weight"' in msg and '"fc2.extra"' in msg
    # non-strict: returns the keys, loads the rest
    res = net.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["fc1.bias"]
    assert sorted(res.unexpected_keys) == ["fc2.extra", "fc3.weight"]
    # shape mismatch always raises, naming the key and both shapes
    sd2 = Net().state_dict()
    sd2["fc2.weight"] = chainrule.zeros(4, 4)
    for strict in (True, False):
        with pytest.raises(
            RuntimeError, match=r"size mismatch for fc2\.weight.*\(4, 4\).*\(3, 5\)"
        ):
            net.load_state_dict(sd2, strict=strict)
    # the non-persistent buffer is neither expected nor saved
    assert "scratch" not in net.state_dict()
    sd3 = Net().state_dict()
    sd3["scratch"] = chainrule.zeros(2)
    with pytest.raises(RuntimeError, match='"scratch"'):
        net.load_state_dict(sd3)


def test_train_eval_propagation():
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU(), nn.Linear(2, 2)))
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net[1].train(False)
    assert net.training and not net[1].training and not net[1][1].training
    with pytest.raises(ValueError):
        net.train("yes")


def test_zero_grad_and_requires_grad():
    net = Net()
    net(chainrule.randn(2, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    out = net(chainrule.randn(2, 4))
    assert not out.requires_grad


def test_to_double_keeps_identity_and_float():
    net = Net()
    net(chainrule.randn(2, 4)).sum().backward()
    ids = [id(p) for p in net.parameters()]
    w = net.fc1.weight.numpy().copy()
    assert net.to(chainrule.float64) is net
    assert [id(p) for p in net.parameters()] == ids
    assert all(p.dtype == chainrule.float64 for p in net.parameters())
    assert all(p.grad.dtype == chainrule.float64 for p in net.parameters())
    assert net.running.dtype == chainrule.float64
    np.testing.assert_allclose(net.fc1.weight.numpy(), w)
    out = net(chainrule.randn(2, 4, dtype=chainrule.float64))
    assert out.dtype == chainrule.float64
    net.float()
    assert net.fc1.weight.dtype == chainrule.float32
    net.to(dtype=chainrule.float64)
    assert net.fc1.weight.dtype == chainrule.float64
    net.to(chainrule.zeros(1))  # dtype of a tensor
    assert net.fc1.weight.dtype == chainrule.float32
    net.to("cpu")
    # integer buffers keep their dtype
    m = nn.Module()
    m.register_buffer("count", chainrule.zeros(1, dtype=chainrule.int64))
    m.double()
    assert m.count.dtype == chainrule.int64
    with pytest.raises(TypeError):
        m.to(chainrule.int64)


def test_apply_and_reinit():
    net = Net()
    seen = []

    def init_fn(m):
        seen.append(type(m).__name__)
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)

    assert net.apply(init_fn) is net
    assert seen == ["Linear", "Tanh", "Linear", "Net"]
    assert not net.fc1.weight.numpy().any() and not net.fc2.weight.numpy().any()


def test_repr_nested():
    net = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Dropout(0.5)))
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): ReLU()\n"
        "    (1): Dropout(p=0.5, inplace=False)\n"
        "  )\n"
        ")"
    )
    assert repr(nn.Module()) == "Module()"
    assert repr(nn.Parameter(chainrule.zeros(1))).startswith("Parameter containing:\ntensor(")


def test_forward_missing():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(chainrule.zeros(1))


def test_forward_pre_hook_and_forward_hook():
    m = nn.Linear(3, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: calls.append("pre") or None)
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append("post") or out * 0)
    out = m(chainrule.ones(1, 3))
    assert calls == ["pre", "post"] and not out.numpy().any()
    h2.remove()
    h2.remove()  # idempotent
    assert m(chainrule.ones(1, 3)).numpy().any()
    h1.remove()
    assert not m._forward_pre_hooks and not m._forward_hooks
    # replacement of args, kwargs hooks, prepend ordering
    m2 = nn.Identity()
    order = []
    m2.register_forward_hook(lambda mod, a, o: order.append(1))
    m2.register_forward_hook(lambda mod, a, o: order.append(0), prepend=True)
    m2.register_forward_pre_hook(lambda mod, args, kw: ((args[0] + 1,), kw), with_kwargs=True)
    assert m2(chainrule.zeros(1)).tolist() == [1.0] and order == [0, 1]


def test_full_backward_hook_values():
    m = nn.Linear(3, 2)
    seen = []
    h = m.register_full_backward_hook(lambda mod, gi, go: seen.append((mod, gi, go)))
    x = chainrule.randn(4, 3, requires_grad=True)
    c = chainrule.randn(4, 2)
    (m(x) * c).sum().backward()
    assert len(seen) == 1
    mod, gi, go = seen[0]
    assert mod is m and len(gi) == 1 and len(go) == 1
    np.testing.assert_allclose(go[0].numpy(), c.numpy(), rtol=1e-6)
    np.testing.assert_allclose(gi[0].numpy(), c.numpy() @ m.weight.numpy(), rtol=1e-5)
    np.testing.assert_allclose(x.grad.numpy(), gi[0].numpy(), rtol=1e-6)
    # an input that does not require grad gives None; the hook still fires once
    seen.clear()
    (m(chainrule.randn(4, 3)) * c).sum().backward()
    assert len(seen) == 1 and seen[0][1] == (None,)
    np.testing.assert_allclose(seen[0][2][0].numpy(), c.numpy(), rtol=1e-6)
    # a returned tuple replaces grad_input
    h.remove()
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 0,))
    x.grad = None
    m(x).sum().backward()
    assert not x.grad.numpy().any()
    assert m.weight.grad is not None


def test_full_backward_hook_multi_input_and_torch():
    torch = pytest.importorskip("torch")

    class Mul(nn.Module):
        def forward(self, a, b):
            return a * b + a

    class TMul(torch.nn.Module):
        def forward(self, a, b):
            return a * b + a

    a = np.random.randn(3, 2).astype(np.float32)
    b = np.random.randn(3, 2).astype(np.float32)
    c = np.random.randn(3, 2).astype(np.float32)
    got, want = [], []
    m, tm = Mul(), TMul()
    m.register_full_backward_hook(lambda mod, gi, go: got.append((gi, go)))
    tm.register_full_backward_hook(lambda mod, gi, go: want.append((gi, go)))
    ca = chainrule.tensor(a, requires_grad=True)
    cb = chainrule.tensor(b, requires_grad=True)
    ta = torch.tensor(a, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    (m(ca, cb) * chainrule.tensor(c)).sum().backward()
    (tm(ta, tb) * torch.tensor(c)).sum().backward()
    assert len(got) == len(want) == 1
    for g, w in zip(got[0][0] + got[0][1], want[0][0] + want[0][1]):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-6)


def test_hook_handle_context_manager():
    m = nn.ReLU()
    with m.register_forward_hook(lambda *a: None):
        assert len(m._forward_hooks) == 1
    assert not m._forward_hooks


def test_deepcopy_and_pickle():
    net = Net()
    net2 = copy.deepcopy(net)
    assert isinstance(net2.fc1.weight, nn.Parameter) and net2.fc1.weight is not net.fc1.weight
    np.testing.assert_array_equal(net2.fc1.weight.numpy(), net.fc1.weight.numpy())
    net3 = pickle.loads(pickle.dumps(net))
    x = chainrule.randn(2, 4)
    np.testing.assert_array_equal(net3(x).numpy(), net(x).numpy())
    assert net3.fc1.weight.requires_grad


def test_get_submodule_parameter_buffer():
    net = nn.Sequential(Net())
    assert net.get_submodule("0.fc1") is net[0].fc1
    assert net.get_parameter("0.fc2.bias") is net[0].fc2.bias
    assert net.get_buffer("0.running") is net[0].running
    with pytest.raises(AttributeError):
        net.get_submodule("0.nope")


def test_buffer_and_parameter_classes():
    p = nn.Parameter(chainrule.ones(2), requires_grad=False)
    assert not p.requires_grad and isinstance(p, chainrule.Tensor)
    t = chainrule.ones(2)
    p2 = nn.Parameter(t)
    assert np.shares_memory(p2.numpy(), t.numpy())
    assert nn.Parameter().shape == (0,)
    m = nn.Module()
    m.buf = nn.Buffer(chainrule.zeros(2), persistent=False)
    assert "buf" in m._buffers and "buf" not in m.state_dict()
    # ops on parameters return plain tensors
    assert type(p2 * 2) is chainrule.Tensor


def test_full_backward_hook_tuple_output():
    class Split(nn.Module):
        def forward(self, x):
            return x * 2, x * 3

    m = Split()
    seen = []
    m.register_full_backward_hook(lambda mod, gi, go: seen.append((gi, go)))
    x = chainrule.ones(2, requires_grad=True)
    a, b = m(x)
    (a.sum() + (b * 10).sum()).backward()
    assert len(seen) == 1
    gi, go = seen[0]
    assert go[0].tolist() == [1.0, 1.0] and go[1].tolist() == [10.0, 10.0]
    assert gi[0].tolist() == [32.0, 32.0] and x.grad.tolist() == [32.0, 32.0]
    # no hooks fire (and nothing breaks) under no_grad
    with chainrule.no_grad():
        out = m(x)
    assert isinstance(out, tuple) and not out[0].requires_grad
