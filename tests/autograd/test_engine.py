"""The backward engine: accumulation, graph lifetime, hooks, grad modes, higher order, in-place
checks, anomaly mode, deep graphs and memory."""

import gc
import math
import tracemalloc
import weakref

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import Function


def leaf(values, dtype=None):
    return cr.tensor(values, dtype=dtype, requires_grad=True)


# --- accumulation ----
def test_fan_out_accumulates_every_use():
    x = leaf([1.0, 2.0, 3.0])
    y = (x * x + x * 3 + x).sum()  # dy/dx = 2x + 4
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 8.0, 10.0])


def test_grad_accumulates_across_backward_calls_and_none_resets():
    x = leaf([1.0, 2.0])
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 5.0])
    x.grad = None
    (x * 4).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 4.0])


def test_leaf_grads_never_alias_each_other():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()
    a.grad.mul_(10)  # an in-place update of one .grad (as clip_grad_norm_ does) ...
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 1.0])  # ... must not leak into another


def test_user_gradient_array_is_not_kept_as_grad():
    x = leaf([1.0, 2.0])
    g = cr.tensor([1.0, 1.0])
    (x + 0).backward(g)
    x.grad.mul_(5)
    np.testing.assert_allclose(g.numpy(), [1.0, 1.0])


def test_broadcast_gradients_are_summed_to_the_input_shape():
    a = leaf(np.ones((2, 3), np.float32))
    b = leaf(np.ones(3, np.float32))
    c = leaf(np.ones((2, 1), np.float32))
    (a * b * c).sum().backward()
    assert a.grad.shape == (2, 3) and b.grad.shape == (3,) and c.grad.shape == (2, 1)
    np.testing.assert_allclose(b.grad.numpy(), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(c.grad.numpy(), [[3.0], [3.0]])


def test_wrong_gradient_shape_from_an_op_is_reported_with_its_name():
    class Bad(Function):
        def forward(self, a):
            return a * 2

        def backward(self, g):
            return cr.ones(5)

    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"BadBackward.*shape \(5,\).*shape \(2,\)"):
        Bad.apply(x).sum().backward()


def test_no_gradient_is_none_not_zeros():
    x, unused = leaf([1.0]), leaf([2.0])
    (x * 2).sum().backward()
    assert unused.grad is None
    w = leaf([1.0])
    mask = cr.tensor([3.0])  # does not require grad
    (w * mask).sum().backward()
    assert mask.grad is None


def test_dtype_stays_float32_through_forward_and_backward():
    x = leaf(np.ones((2, 2), np.float32))
    y = ((x * 2.5 + 1) ** 2 / 3.0).exp().sum()
    assert y.dtype == cr.float32
    y.backward()
    assert x.grad.dtype == cr.float32


# --- graph lifetime ----
def test_second_backward_through_freed_graph_explains_retain_graph():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first, rtol=1e-6)


def test_graph_is_collectable_after_backward():
    x = leaf(np.ones(1000, np.float32))
    y = (x.tanh() * 3).sum()
    node = weakref.ref(y.grad_fn.inputs[0].grad_fn)
    y.backward()
    del y
    gc.collect()
    assert node() is None


def test_training_loop_memory_is_flat():
    cr.manual_seed(0)
    w1 = cr.randn(64, 32, requires_grad=True)
    w2 = cr.randn(1, 64, requires_grad=True)
    x = cr.randn(128, 32)
    t = cr.randn(128, 1)

    def step():
        h = cr.nn.functional.linear(x, w1).tanh()
        loss = ((cr.nn.functional.linear(h, w2) - t) ** 2).mean()
        w1.grad = w2.grad = None
        loss.backward()
        with cr.no_grad():
            w1.sub_(w1.grad * 0.01)
            w2.sub_(w2.grad * 0.01)

    for _ in range(50):
        step()
    gc.collect()
    tracemalloc.start()
    for _ in range(100):
        step()
    gc.collect()
    after_100, _ = tracemalloc.get_traced_memory()
    for _ in range(900):
        step()
    gc.collect()
    after_1000, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert after_1000 - after_100 < 200_000, (after_100, after_1000)


def test_a_100k_node_chain_needs_no_recursion():
    x = leaf([1.0], dtype=cr.float64)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.00001**100_000], rtol=1e-9)


# --- hooks ----
def test_leaf_hook_can_replace_the_gradient_and_be_removed():
    x = leaf([1.0, 2.0])
    h = x.register_hook(lambda g: g * 10)
    (x * 1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [10.0, 10.0])
    h.remove()
    x.grad = None
    (x * 1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.0])


def test_non_leaf_hook_sees_and_changes_the_flowing_gradient():
    x = leaf([1.0, 2.0])
    y = x * 2
    seen = []
    y.register_hook(lambda g: seen.append(g.numpy().copy()))
    z = y * 3
    z.register_hook(lambda g: g * 0)  # cut the gradient here
    (z.sum() + y.sum()).backward()
    np.testing.assert_allclose(seen[0], [1.0, 1.0])  # only the direct y.sum() path remains
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_retain_grad_keeps_non_leaf_gradient():
    x = leaf([1.0, 2.0])
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [6.0, 12.0])


def test_hooks_need_a_tensor_that_requires_grad():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        cr.ones(2).register_hook(lambda g: g)


# --- grad modes ----
def test_no_grad_records_nothing_and_restores():
    x = leaf([1.0])
    with cr.no_grad():
        y = x * 2
        assert not cr.is_grad_enabled()
    assert cr.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None


def test_grad_mode_decorators_and_function_form():
    x = leaf([1.0])

    @cr.no_grad()
    def f():
        return x * 2

    @cr.enable_grad()
    def g():
        return x * 2

    assert not f().requires_grad
    with cr.no_grad():
        assert g().requires_grad
    cr.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        cr.set_grad_enabled(True)
    with cr.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert cr.is_grad_enabled()


def test_detach_cuts_the_graph_and_shares_data():
    x = leaf([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad
    y = (x * d).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


# --- autograd.grad and higher order ----
def test_second_and_third_derivative_of_tanh():
    x = cr.tensor(0.7, dtype=cr.float64, requires_grad=True)
    y = x.tanh()
    (d1,) = cr.autograd.grad(y, x, create_graph=True)
    (d2,) = cr.autograd.grad(d1, x, create_graph=True)
    (d3,) = cr.autograd.grad(d2, x)
    t = math.tanh(0.7)
    assert d1.item() == pytest.approx(1 - t * t)
    assert d2.item() == pytest.approx(-2 * t * (1 - t * t))
    assert d3.item() == pytest.approx(-2 * (1 - t * t) ** 2 + 4 * t * t * (1 - t * t))


def test_grad_does_not_touch_dot_grad_and_handles_unused_inputs():
    x, z = leaf([1.0, 2.0]), leaf([3.0])
    (g,) = cr.autograd.grad((x * x).sum(), x)
    np.testing.assert_allclose(g.numpy(), [2.0, 4.0])
    assert x.grad is None
    with pytest.raises(RuntimeError, match="not used"):
        cr.autograd.grad((x * 2).sum(), [x, z])
    gx, gz = cr.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gz is None and gx is not None


def test_grad_with_respect_to_an_intermediate_tensor():
    x = leaf([1.0, 2.0])
    h = x * 3
    (gh,) = cr.autograd.grad((h * h).sum(), h)
    np.testing.assert_allclose(gh.numpy(), [6.0, 12.0])


def test_hessian_vector_product_through_matmul_and_softmax():
    cr.manual_seed(1)
    w = cr.randn(3, 4, dtype=cr.float64, requires_grad=True)
    x = cr.randn(5, 3, dtype=cr.float64)
    v = cr.randn(3, 4, dtype=cr.float64)
    (g,) = cr.autograd.grad((x @ w).log_softmax(dim=1).sum(), w, create_graph=True)
    (hv,) = cr.autograd.grad((g * v).sum(), w)

    def grad_at(wv):
        wt = cr.tensor(wv, requires_grad=True)
        return cr.autograd.grad((x @ wt).log_softmax(dim=1).sum(), wt)[0].numpy()

    eps = 1e-6
    numeric = (grad_at(w.numpy() + eps * v.numpy()) - grad_at(w.numpy() - eps * v.numpy())) / (
        2 * eps
    )
    np.testing.assert_allclose(hv.numpy(), numeric, rtol=1e-5, atol=1e-7)


def test_backward_inputs_limits_accumulation():
    a, b = leaf([1.0]), leaf([2.0])
    (a * b).sum().backward(inputs=[a])
    assert b.grad is None
    np.testing.assert_allclose(a.grad.numpy(), [2.0])


def test_create_graph_through_first_order_only_op_is_refused():
    class Fused(Function):
        first_order_only = True

        def forward(self, a):
            return a * 2

        def backward(self, g):
            return g * 2

    x = leaf([1.0], dtype=cr.float64)
    with pytest.raises(RuntimeError, match="first-order"):
        cr.autograd.grad(Fused.apply(x).sum(), x, create_graph=True)


# --- in-place safety ----
def test_modifying_a_saved_input_in_place_is_reported():
    w = leaf([1.0, 2.0])
    a = cr.tensor([3.0, 4.0])
    y = (w * a).sum()
    a.add_(1)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_modifying_a_saved_output_in_place_is_reported():
    x = leaf([1.0, 2.0])
    y = x.exp()
    z = y.sum()
    with cr.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="output was modified"):
        z.backward()


def test_views_share_the_version_counter():
    w = leaf([1.0, 2.0])
    a = cr.tensor([3.0, 4.0])
    y = (w * a).sum()
    view = a[0:1]
    view.add_(1)  # writes into a's memory
    with pytest.raises(RuntimeError, match="in-place"):
        y.backward()


def test_in_place_on_a_leaf_that_requires_grad_is_refused_outside_no_grad():
    w = leaf([1.0])
    with pytest.raises(RuntimeError, match="no_grad"):
        w.add_(1)
    with cr.no_grad():
        w.add_(1)
    assert w.item() == 2.0


def test_in_place_not_needed_by_backward_is_allowed():
    w = leaf([1.0, 2.0])
    a = cr.tensor([3.0, 4.0])
    y = (w + a).sum()  # add does not need its inputs' values
    a.add_(1)
    y.backward()
    np.testing.assert_allclose(w.grad.numpy(), [1.0, 1.0])


def test_setitem_refused_on_graph_tensors_allowed_otherwise():
    x = cr.zeros(3)
    x[1] = 5.0
    assert x.tolist() == [0.0, 5.0, 0.0]
    w = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="in-place"):
        w[0] = 3.0


# --- anomaly mode ----
def test_anomaly_mode_names_the_forward_op_and_user_line():
    x = cr.tensor([-1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Log.*test_engine.py:\d+"):
        with cr.autograd.detect_anomaly():
            x.log()


def test_anomaly_mode_names_the_backward_op():
    x = cr.tensor([0.0], requires_grad=True)
    with cr.autograd.detect_anomaly():
        y = x.sqrt()  # forward finite (0); the gradient of sqrt at 0 is 1 / (2 * 0) = inf
        with pytest.raises(RuntimeError, match=r"SqrtBackward.*test_engine.py"):
            y.sum().backward()


def test_without_anomaly_mode_inf_passes_silently():
    x = cr.tensor([0.0], requires_grad=True)
    x.sqrt().sum().backward()
    assert np.isinf(x.grad.numpy()).all()


# --- errors ----
def test_backward_on_non_scalar_explains_itself():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"scalar outputs.*shape \(2,\).*gradient="):
        (x * 2).backward()
    (x * 2).backward(cr.ones(2))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="floating-point"):
        cr.tensor([1, 2], requires_grad=True)


def test_backward_on_tensor_without_graph():
    with pytest.raises(RuntimeError, match="does not require grad"):
        cr.ones(1).sum().backward()


def test_custom_function_with_tensor_backward():
    class Cube(Function):
        saves_inputs = True

        def forward(self, x):
            return x**3

        def backward(self, g):
            (x,) = self.inputs
            return g * 3 * x * x

    x = leaf([2.0], dtype=cr.float64)
    assert cr.autograd.gradcheck(lambda t: Cube.apply(t), (x,))
    assert cr.autograd.gradgradcheck(lambda t: Cube.apply(t), (x,))


def test_grad_outputs_of_another_dtype_stay_differentiable():
    x = cr.randn(3, dtype=cr.float64, requires_grad=True)
    v = cr.ones(3, dtype=cr.float64, requires_grad=True)
    (g,) = cr.autograd.grad(x.to(cr.float32) * 2.0, x, v, create_graph=True)
    assert g.requires_grad
    (gv,) = cr.autograd.grad(g.sum(), v)
    np.testing.assert_allclose(gv.numpy(), [2.0, 2.0, 2.0])
