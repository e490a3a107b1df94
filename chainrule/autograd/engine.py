"""The backward pass: order the recorded graph, then apply each node's vector-Jacobian product.

Invariants, each enforced here and nowhere else:

* the graph is ordered iteratively (no recursion limit, so 100,000-node chains work);
* a gradient whose shape differs from its input's (because the input was broadcast) is summed
  back to the input's shape here, then the shape is asserted; ops never do this themselves;
* ``None`` means "no gradient" and costs nothing;
* after backward, each node's saved data is released unless ``retain_graph=True``, and a second
  backward through a released node raises an error that says how to fix it;
* a tensor modified in place after being saved for backward is reported (version counters);
* with ``create_graph=True`` the backward rules run with recording on, which gives higher-order
  gradients; otherwise they run under ``no_grad`` and cost only their array math.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from chainrule.autograd import anomaly
from chainrule.autograd.grad_mode import state
from chainrule.autograd.tensor import Tensor

_generic = np.generic

_FREED = (
    "{op}: trying to backward through the graph a second time (or to use a part of it after "
    "its saved values were freed by a previous backward). Pass retain_graph=True to the first "
    "backward() or autograd.grad() call if you need to backward through the graph again."
)


# Hooks that run once a leaf's gradient is final for the current backward (PyTorch's
# ``register_post_accumulate_grad_hook``), and callbacks queued during a backward to run once at
# its end (``queue_callback``). DistributedDataParallel needs both: it starts reducing a bucket
# as soon as all of its gradients are final, and waits for the reductions when backward ends.
# Keyed by ``id(leaf)``; the handle (or the tensor's death, via weakref) removes the entry. The
# backward loop pays one ``is not None`` test per leaf edge only while such hooks exist.
_POST_ACCUMULATE: dict[int, list] = {}
_CALLBACKS: list = []


def register_post_accumulate_grad_hook(leaf: Tensor, hook: Any) -> Any:
    """Call ``hook(leaf)`` each time a backward has finished accumulating into ``leaf.grad``."""
    import weakref

    from chainrule.autograd.function import _RemovableHandle

    key = id(leaf)
    hooks = _POST_ACCUMULATE.get(key)
    if hooks is None:
        hooks = _POST_ACCUMULATE[key] = []
        weakref.finalize(leaf, _POST_ACCUMULATE.pop, key, None)
    hooks.append(hook)
    return _RemovableHandle(hooks, hook)


def queue_callback(fn: Any) -> None:
    """Run ``fn()`` once when the backward pass now running (or the next one) ends.

    Example:
        >>> import chainrule
        >>> from chainrule.autograd.engine import queue_callback
        >>> seen = []
        >>> x = chainrule.ones(2, requires_grad=True)
        >>> queue_callback(lambda: seen.append(x.grad.tolist())); x.sum().backward(); seen
        [[1.0, 1.0]]
    """
    _CALLBACKS.append(fn)


def _leaf_uses(roots: list) -> dict:
    """For every leaf with post-accumulate hooks: how many graph edges will deliver to it."""
    uses: dict = {}
    stack = list(roots)
    seen = set(roots)
    while stack:
        for t in stack.pop().inputs:
            fn = t.grad_fn
            if fn is None:
                if id(t) in _POST_ACCUMULATE and t.requires_grad:
                    uses[id(t)] = uses.get(id(t), 0) + 1
            elif fn not in seen:
                seen.add(fn)
                stack.append(fn)
    return uses


def _leaf_done(t: Tensor, uses: dict) -> None:
    n = uses[id(t)] - 1
    uses[id(t)] = n
    if n == 0:
        for hook in list(_POST_ACCUMULATE.get(id(t), ())):
            hook(t)


def _count_dependencies(roots: list) -> dict:
    """For every node reachable from ``roots``: how many graph edges consume its output.

    An iterative walk (no recursion limit). The backward loop then runs a node once all of its
    consumers have passed their gradients on (Kahn's algorithm), so the graph is ordered and
    processed in the same pass.
    """
    deps: dict = {}
    stack = list(roots)
    seen = set(roots)
    while stack:
        node = stack.pop()
        inputs = node.inputs
        if inputs is None:
            raise RuntimeError(_FREED.format(op=node.name()))
        for t in inputs:
            fn = t.grad_fn
            if fn is not None:
                deps[fn] = deps.get(fn, 0) + 1
                if fn not in seen:
                    seen.add(fn)
                    stack.append(fn)
    return deps


def _sum_to_shape(grad: Any, shape: tuple, node: Any, index: int, create_graph: bool) -> Any:
    """Reduce a gradient of a broadcast input back to the input's ``shape`` (Tensor or array)."""
    gshape = grad.shape
    lead = len(gshape) - len(shape)
    if lead < 0:
        _shape_error(grad, shape, node, index)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1
    )
    if axes:
        if create_graph:
            grad = grad.sum(dim=axes, keepdim=True)
        else:
            grad = np.sum(grad, axis=axes, keepdims=True)
    if lead:
        grad = grad.reshape(shape)
    if grad.shape != shape:
        _shape_error(grad, shape, node, index)
    return grad


def _shape_error(grad: Any, shape: tuple, node: Any, index: int) -> None:
    where = (
        f", created at {node.site}" if node.site else " (run under detect_anomaly() to see where)"
    )
    raise RuntimeError(
        f"{node.name()} returned a gradient of shape {grad.shape} for its input {index} of shape "
        f"{shape}, which is not a broadcast of it{where}. This is a bug in that op's backward."
    )


def _root_gradient(t: Tensor, gradient: Any) -> Tensor:
    if gradient is None:
        if t._data.size != 1:
            raise RuntimeError(
                f"backward: grad can be created implicitly only for scalar outputs, but this "
                f"tensor has shape {t.shape}. Reduce it first (e.g. `y.sum().backward()`) or pass "
                f"`gradient=` a tensor of shape {t.shape} (e.g. `chainrule.ones_like(y)`)."
            )
        d = t._data
        if type(d) is np.ndarray:
            return Tensor._wrap(np.ones(d.shape, d.dtype))
        return Tensor._wrap(np.ones_like(d))
    g = gradient if isinstance(gradient, Tensor) else Tensor._wrap(np.asarray(gradient))
    if g.shape != t.shape:
        raise RuntimeError(
            f"backward: gradient has shape {g.shape} but the output has shape {t.shape}; "
            "they must match"
        )
    if g._data.dtype != t._data.dtype:
        # .to() is differentiable: with create_graph the cast stays in the graph
        g = g.to(t._data.dtype) if g.requires_grad else Tensor._wrap(g._data.astype(t.dtype))
    return g


def _run(
    roots: list[tuple[Tensor, Tensor]],
    retain_graph: bool,
    create_graph: bool,
    targets: list[Tensor] | None,
    accumulate: bool,
) -> dict[int, Tensor]:
    """Propagate gradients from ``roots``; accumulate into leaves and/or capture ``targets``.

    Returns ``{id(target): grad}`` for the tensors in ``targets`` that received a gradient.
    Without ``create_graph`` gradients travel as plain arrays and ops with a ``vjp`` method use
    it (array math only); with it they travel as Tensors through the differentiable
    ``backward`` rules, so that the backward pass is itself recorded.
    """
    captured: dict[int, Tensor] = {}
    target_ids = None
    target_nodes: dict = {}
    if targets is not None:
        target_ids = {id(t) for t in targets if t.grad_fn is None}
        for t in targets:
            if t.grad_fn is not None:
                target_nodes.setdefault(t.grad_fn, []).append(t)
    ctx = _Delivery(create_graph, accumulate, target_ids, captured)

    grads: dict = {}
    root_nodes = []
    for t, g in roots:
        if state.anomaly:
            anomaly.check_root(t)
        ctx.external.add(id(g._data))
        gv = g if create_graph else g._data
        if t.grad_fn is None:
            ctx.leaf(t, gv)
        else:
            prev = grads.get(t.grad_fn)
            grads[t.grad_fn] = gv if prev is None else prev + gv
            root_nodes.append(t.grad_fn)

    deps = _count_dependencies(root_nodes)
    ready = [n for n in dict.fromkeys(root_nodes) if n not in deps]
    leaf_uses = _leaf_uses(root_nodes) if (_POST_ACCUMULATE and accumulate) else None
    prev_mode = state.grad_enabled
    state.grad_enabled = create_graph
    check = state.anomaly
    # The common case (loss.backward(): accumulate into .grad, no targets, first order) takes
    # an inlined leaf delivery below; everything else goes through ``ctx.leaf``.
    plain = accumulate and target_ids is None and not create_graph
    external = ctx.external
    leaf = ctx.leaf
    grads_get = grads.get
    grads_pop = grads.pop
    _wrap = Tensor._wrap
    try:
        while ready:
            node = ready.pop()
            inputs = node.inputs
            g = grads_pop(node, None)
            if g is None:  # nothing reached this node: only release the children
                result = ()
            else:
                if node._hooks:
                    g = _run_hooks(node._hooks, g, create_graph)
                if target_nodes and node in target_nodes:
                    for t in target_nodes[node]:
                        captured[id(t)] = g if create_graph else _wrap(g)
                if node.saves_inputs:
                    for t, v in zip(inputs, node._versions):
                        if t._version[0] != v:
                            node.check_versions()  # raises with the full message
                if node.saves_output and node._out_version[0] != node._out_v0:
                    node.check_versions()
                if create_graph:
                    if node.first_order_only:
                        raise RuntimeError(
                            f"{node.name()} has a fused first-order backward and cannot be "
                            "differentiated twice (create_graph=True); use the composite form."
                        )
                    result = node.backward(g)
                elif node.vjp is not None:
                    result = node.vjp(g)
                else:
                    result = node.backward(_wrap(g))
                    result = (
                        tuple(None if r is None else r._data for r in result)
                        if (type(result) is tuple)
                        else (None if result is None else result._data)
                    )
                if type(result) is not tuple:
                    result = (result,)
            n_results = len(result)
            if n_results > 1 and not create_graph:
                # one array handed to several inputs (e.g. add passes g to both): a leaf must
                # not adopt it as its .grad (later in-place accumulation would leak)
                r0, r1 = result[0], result[1]
                if n_results == 2:
                    if r0 is not None and r0 is r1:
                        external.add(id(r0))
                elif n_results == 3:
                    r2 = result[2]
                    if r0 is not None and (r0 is r1 or r0 is r2):
                        external.add(id(r0))
                    if r1 is not None and r1 is r2:
                        external.add(id(r1))
                else:
                    ids = [id(r) for r in result if r is not None]
                    if len(set(ids)) != len(ids):
                        external.update(ids)
            i = -1
            for t in inputs:
                i += 1
                fn = t.grad_fn
                gi = result[i] if i < n_results else None
                if gi is not None and t.requires_grad:
                    data = t._data
                    if gi.shape != data.shape:
                        gi = _sum_to_shape(gi, data.shape, node, i, create_graph)
                    if gi.dtype != data.dtype:
                        gi = gi.to(data.dtype) if create_graph else gi.astype(data.dtype)
                    if check:
                        anomaly.check_backward(node, i, gi if create_graph else _wrap(gi))
                    if fn is not None:
                        prev = grads_get(fn)
                        if prev is None:
                            grads[fn] = gi
                            if not create_graph:
                                external.add(id(gi))  # may also reach a leaf: not adoptable
                        else:
                            grads[fn] = prev + gi
                    elif plain and t._hooks is None:
                        # inlined _Delivery.leaf for the common case (same logic, see there)
                        tg = t.grad
                        if tg is None:
                            if isinstance(gi, _generic):
                                gi = np.asarray(gi)
                            if gi.base is not None or id(gi) in external:
                                gi = gi.copy(order="K")
                            external.add(id(gi))
                            t.grad = _wrap(gi)
                        else:
                            leaf(t, gi)
                    else:
                        leaf(t, gi)
                if fn is not None:
                    d = deps[fn] - 1
                    deps[fn] = d
                    if d == 0:
                        ready.append(fn)
                elif leaf_uses is not None and id(t) in leaf_uses:
                    _leaf_done(t, leaf_uses)
            if not retain_graph:
                node.inputs = None
                node.__dict__.clear()
    finally:
        state.grad_enabled = prev_mode
    if accumulate:
        if _POST_ACCUMULATE:
            for t, _ in roots:  # a leaf that is itself a root got its gradient directly
                if t.grad_fn is None and id(t) in _POST_ACCUMULATE:
                    for hook in list(_POST_ACCUMULATE[id(t)]):
                        hook(t)
        while _CALLBACKS:
            _CALLBACKS.pop(0)()
    return captured


def _run_hooks(hooks: list, g: Any, create_graph: bool) -> Any:
    gt = g if create_graph else Tensor._wrap(g)
    for hook in hooks:
        r = hook(gt)
        if r is not None:
            gt = r
    return gt if create_graph else gt._data


class _Delivery:
    """Where a leaf's gradient goes: its ``.grad`` (accumulated) and/or the captured results."""

    __slots__ = ("create_graph", "accumulate", "target_ids", "captured", "external")

    def __init__(self, create_graph, accumulate, target_ids, captured) -> None:
        self.create_graph = create_graph
        self.accumulate = accumulate
        self.target_ids = target_ids
        self.captured = captured
        self.external: set[int] = set()  # arrays owned elsewhere: copy before keeping as .grad

    def leaf(self, leaf: Tensor, g: Any) -> None:
        cg = self.create_graph
        if leaf._hooks:
            g = _run_hooks(leaf._hooks, g, cg)
        if self.target_ids is not None and id(leaf) in self.target_ids:
            gt = g if cg else Tensor._wrap(g)
            prev = self.captured.get(id(leaf))
            self.captured[id(leaf)] = (
                gt if prev is None else (prev + gt if cg else Tensor._wrap(prev._data + g))
            )
        if not self.accumulate:
            return
        if cg:
            leaf.grad = g if leaf.grad is None else leaf.grad + g
            return
        if isinstance(g, np.generic):
            g = np.asarray(g)
        if leaf.grad is None:
            # The array may be shared (an op that passes its gradient through, a view, or the
            # caller's own array); copy it then, so in-place updates of one .grad never leak.
            if g.base is not None or id(g) in self.external:
                g = g.copy(order="K")  # keep the memory layout (e.g. channels-last)
            self.external.add(id(g))
            leaf.grad = Tensor._wrap(g)
        else:
            existing = leaf.grad._data
            if (
                existing.shape == g.shape
                and existing.flags.writeable
                and (id(existing) in self.external or existing.base is None)
            ):
                existing += g
                leaf.grad._version[0] += 1
            else:
                leaf.grad = Tensor._wrap(existing + g)


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Sequence[Tensor] | None = None,
) -> None:
    """Add the gradients of ``tensors`` with respect to the graph's leaves into their ``.grad``.

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([1.0, 2.0], requires_grad=True)
        >>> chainrule.autograd.backward([(x * x).sum()]); x.grad.tolist()
        [2.0, 4.0]
    """
    if isinstance(tensors, Tensor):
        tensors = [tensors]
        grad_tensors = [grad_tensors]
    elif grad_tensors is None:
        grad_tensors = [None] * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = [grad_tensors]
    roots = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not t.requires_grad:
            raise RuntimeError(
                f"backward: element {i} of tensors does not require grad and has no grad_fn "
                "(was it computed under no_grad(), or from tensors without requires_grad=True?)"
            )
        roots.append((t, _root_gradient(t, g)))
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
        captured = _run(roots, retain_graph, create_graph, inputs, accumulate=False)
        for t in inputs:
            g = captured.get(id(t))
            if g is None:
                continue
            if not create_graph:
                g = g.detach()
            if t.grad is None:
                t.grad = Tensor._wrap(g._data.copy()) if not create_graph else g
            else:
                t.grad = Tensor._wrap(t.grad._data + g._data) if not create_graph else t.grad + g
        return
    _run(roots, retain_graph, create_graph, None, accumulate=True)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Return the gradients of ``outputs`` with respect to ``inputs`` without touching ``.grad``.

    With ``create_graph=True`` the result is itself differentiable (grad of grad).

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor(0.5, requires_grad=True)
        >>> (dy,) = chainrule.autograd.grad(x.tanh(), x, create_graph=True)
        >>> (d2y,) = chainrule.autograd.grad(dy, x)
        >>> round(d2y.item(), 5)  # -2 tanh(x) (1 - tanh(x)^2)
        -0.72686
    """
    single_input = isinstance(inputs, Tensor)
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if single_input else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) does not require grad")
    roots = []
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if not t.requires_grad:
            raise RuntimeError(f"grad: output {i} does not require grad and has no grad_fn")
        roots.append((t, _root_gradient(t, g)))
    if retain_graph is None:
        retain_graph = create_graph
    captured = _run(roots, retain_graph, create_graph, inputs, accumulate=False)
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(id(t))
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} (shape {t.shape}) was not used to compute the outputs; "
                "pass allow_unused=True to get None for it"
            )
        result.append(g)
    return tuple(result)
