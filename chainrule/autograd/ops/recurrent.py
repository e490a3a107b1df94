"""Fused recurrences: one graph node for a whole RNN/LSTM/GRU layer direction.

``RecurrentScan`` runs the time loop of one layer in one direction on raw arrays. The input
projection ``x @ W_ih.T + b`` of *all* time steps is computed before it (one GEMM, by the
caller), so the loop does one GEMM per step (all gates at once) plus the fused elementwise
cell. Its ``vjp`` is backpropagation through time on arrays: per step only the elementwise
cell and one GEMM for ``dh``; the weight gradient of all steps is one GEMM at the end.

Why a whole-sequence node instead of a per-step cell node: slicing ``xg[t]`` per step would give
each step a gradient of the full ``(T, B, 4H)`` shape (scatter into zeros), ``T`` times; one
node avoids those ``T`` full-size allocations and additions.

``backward`` (used only for double backward, ``create_graph=True``) recomputes the cell with
Tensor ops and runs the same BPTT with Tensor ops, so it is itself differentiable. The layer
tests check the fused forward/``vjp``/``backward`` against composite cells built from Tensor ops.

Layouts (``T`` steps, batch ``B``, hidden ``H``; gate order as in PyTorch):

* ``lstm``: inputs ``xg (T, B, 4H)`` (gates i, f, g, o; both biases folded in), ``h0``, ``c0``
  ``(B, H)``, ``w_hh (4H, H)``. Output ``(T + 1, B, H)``: ``h_t`` for ``t < T``, then the final
  cell state (``c`` after the last step of the loop) in row ``T``.
* ``gru``: inputs ``xg (T, B, 3H)`` (r, z, n; only ``b_ih`` folded in), ``h0``, ``w_hh (3H, H)``
  and optionally ``b_hh (3H,)`` (``b_hn`` sits inside ``r * (W_hn h + b_hn)``). Output
  ``(T, B, H)``.
* ``rnn_tanh`` / ``rnn_relu``: inputs ``xg (T, B, H)`` (both biases folded in), ``h0``,
  ``w_hh (H, H)``. Output ``(T, B, H)``.

With the compiled kernels (:mod:`chainrule.backend.kernels`; float32, contiguous input) the LSTM
cell's elementwise work is one C pass per step forward (input projection added, gates, cell,
backward factors) and one per step backward, instead of ~20 small NumPy calls. Both paths store
the same backward factors. The backward skips the last step's ``dh`` GEMM when ``h0`` needs no
gradient.

With ``reverse=True`` the loop runs from ``t = T-1`` down to ``0``; the output stays in time
order (``out[t]`` is the state after consuming step ``t``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.grad_mode import state
from chainrule.autograd.ops.registry import primitive
from chainrule.autograd.tensor import Tensor
from chainrule.backend import kernels

MODES = ("lstm", "gru", "rnn_tanh", "rnn_relu")


def _sigmoid_(a: Any) -> Any:
    """In-place stable logistic via tanh (no overflow warnings): 0.5 * tanh(x / 2) + 0.5."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _prev(order: range, T: int, t: int) -> int:
    """Index of the step before ``t`` in loop order (``-1``: the initial state)."""
    return t - 1 if order.step == 1 else (t + 1 if t + 1 < T else -1)


def _shifted(states: Any, init: Any, reverse: bool) -> Any:
    """The state *before* each step, in time order: ``(T, B, H)``."""
    out = np.empty_like(states)
    if reverse:
        out[:-1] = states[1:]
        out[-1] = init
    else:
        out[1:] = states[:-1]
        out[0] = init
    return out


def _state_weight_grad(dg: Any, states: Any, init: Any, reverse: bool) -> Any:
    """``sum_t dg[t].T @ h_prev[t]`` (the recurrent weight's gradient) for gate gradients ``dg``
    (T, B, G) and the states ``h_t`` (T, B, H) after each step: one GEMM over the steps whose
    previous state is another step's output (no shifted copy), plus the initial state's term
    only when that state is not all zeros (the usual default)."""
    T, B, G = dg.shape
    H = states.shape[-1]
    first = T - 1 if reverse else 0
    rest = slice(0, T - 1) if reverse else slice(1, T)
    prev = slice(1, T) if reverse else slice(0, T - 1)
    if T > 1:
        a, b = dg[rest].reshape(-1, G).T, states[prev].reshape(-1, H)
        dw = kernels.matmul(a, b)
        if dw is None:
            dw = a @ b
    else:
        dw = np.zeros((G, H), dg.dtype)
    if init.any():
        dw += dg[first].T @ init
    return dw


@primitive
class RecurrentScan(Function):
    """The time loop of one recurrent layer direction (see the module docstring)."""

    saves_inputs = True
    saves_output = True

    # -- forward -------------------------------------------------------------------------------
    def forward(self, xg, h0, *rest, mode, reverse=False):
        self.mode, self.reverse = mode, reverse
        T, B = xg.shape[0], xg.shape[1]
        H = h0.shape[-1]
        order = range(T - 1, -1, -1) if reverse else range(T)
        dt = xg.dtype
        if mode == "lstm":
            c0, w = rest
            grad = state.grad_enabled
            if kernels.lstm_ready(xg) and isinstance(xg, np.ndarray):
                return self._lstm_compiled(xg, h0, c0, w, order, grad)
            # sigmoid(x) = 0.5 tanh(x / 2) + 0.5: pre-scale the i, f, o rows by 0.5 so one tanh
            # per step serves all four gates, then map i, f, o back with 0.5 t + 0.5.
            scale = np.array([[0.5], [0.5], [1.0], [0.5]], dt)
            offset = np.array([[0.5], [0.5], [0.0], [0.5]], dt)
            row_scale = scale.repeat(H, axis=0)
            wt = np.ascontiguousarray((w * row_scale).T)
            xs = xg * row_scale[:, 0]
            out = np.empty((T + 1, B, H), dt)
            acts = np.empty((T, B, 4, H), dt)
            cs = np.empty((T, B, H), dt)
            tcs = np.empty((T, B, H), dt)
            tmp = np.empty((B, H), dt)
            # For backward (computed here while each step's values are in cache): q[t] holds
            # the factors that turn dc (slots i, f, g) or dh (slot o) into the pre-activation
            # gradients, otc[t] = o * tanh'(c) (dh -> dc).
            if grad:
                q = np.empty((T, B, 4, H), dt)
                otc = np.empty((T, B, H), dt)
            h, c = h0, c0
            for t in order:
                a = acts[t]
                a2 = a.reshape(B, 4 * H)
                np.matmul(h, wt, out=a2)
                a2 += xs[t]
                np.tanh(a2, out=a2)
                a *= scale
                a += offset
                cn = cs[t]
                np.multiply(a[:, 1], c, out=cn)
                np.multiply(a[:, 0], a[:, 2], out=tmp)
                cn += tmp
                tc = tcs[t]
                np.tanh(cn, out=tc)
                hn = out[t]
                np.multiply(a[:, 3], tc, out=hn)
                if grad:
                    qt = q[t]
                    np.multiply(a, a, out=qt)
                    np.subtract(a, qt, out=qt)  # s (1 - s) for the sigmoid gates
                    q2 = qt[:, 2]
                    np.multiply(a[:, 2], a[:, 2], out=q2)
                    np.subtract(1.0, q2, out=q2)  # 1 - g^2 for the tanh gate
                    qt[:, 0] *= a[:, 2]
                    qt[:, 1] *= c
                    q2 *= a[:, 0]
                    qt[:, 3] *= tc
                    ot = otc[t]
                    np.multiply(tc, tc, out=ot)
                    np.subtract(1.0, ot, out=ot)
                    ot *= a[:, 3]
                h, c = hn, cn
            out[T] = c
            if grad:
                self.q, self.otc, self.f = q, otc, acts[:, :, 1]
            return out
        if mode == "gru":
            w = rest[0]
            b = rest[1] if len(rest) > 1 else None
            wt = np.ascontiguousarray(w.T)
            out = np.empty((T, B, H), dt)
            rz = np.empty((T, B, 2 * H), dt)
            ns = np.empty((T, B, H), dt)
            hns = np.empty((T, B, H), dt)
            gh = np.empty((B, 3 * H), dt)
            h = h0
            for t in order:
                np.matmul(h, wt, out=gh)
                if b is not None:
                    gh += b
                x = xg[t]
                r = rz[t]
                np.add(x[:, : 2 * H], gh[:, : 2 * H], out=r)
                _sigmoid_(r)
                hn = hns[t]
                hn[...] = gh[:, 2 * H :]
                n = ns[t]
                np.multiply(r[:, :H], hn, out=n)
                n += x[:, 2 * H :]
                np.tanh(n, out=n)
                o = out[t]
                np.subtract(h, n, out=o)  # h' = n + z * (h - n)
                o *= r[:, H:]
                o += n
                h = o
            self.rz, self.ns, self.hns = rz, ns, hns
            return out
        if mode in ("rnn_tanh", "rnn_relu"):
            w = rest[0]
            wt = np.ascontiguousarray(w.T)
            out = np.empty((T, B, H), dt)
            h = h0
            for t in order:
                o = out[t]
                np.matmul(h, wt, out=o)
                o += xg[t]
                if mode == "rnn_tanh":
                    np.tanh(o, out=o)
                else:
                    np.maximum(o, 0, out=o)
                h = o
            return out
        raise ValueError(f"RecurrentScan: unknown mode {mode!r}, expected one of {MODES}")

    def _lstm_compiled(self, xg, h0, c0, w, order, grad):
        """The LSTM loop with the compiled cell (:func:`chainrule.backend.kernels`): per step
        the ``h @ W_hh.T`` GEMM, then one pass that adds the input projection, applies the
        gates and stores the backward factors (the same ``q``/``otc``/gates as the NumPy loop,
        so either backward can follow either forward)."""
        k = kernels.get()
        T, B, H = xg.shape[0], xg.shape[1], h0.shape[-1]
        dt = xg.dtype
        wt = np.ascontiguousarray(w.T)
        out = np.empty((T + 1, B, H), dt)
        acts = np.empty((T, B, 4, H), dt)
        c_next = (np.empty((B, H), dt), np.empty((B, H), dt))
        q = np.empty((T, B, 4, H), dt) if grad else None
        otc = np.empty((T, B, H), dt) if grad else None
        h, c = np.ascontiguousarray(h0, dt), np.ascontiguousarray(c0, dt)
        packed = kernels.pack(wt)  # W_hh packed once for the T step GEMMs (AVX-512 only)
        for n, t in enumerate(order):
            a = acts[t]
            if packed is not None:
                kernels.matmul_packed(h, packed, 4 * H, a.reshape(B, 4 * H))
            else:
                np.matmul(h, wt, out=a.reshape(B, 4 * H))
            cn = c_next[n & 1]
            hn = out[t]
            if grad:
                k.lstm_fwd(a, xg[t], c, cn, hn, q[t], otc[t], B, H)
            else:
                k.lstm_fwd(a, xg[t], c, cn, hn, None, None, B, H)
            h, c = hn, cn
        out[T] = c
        if grad:
            self.q, self.otc, self.f, self.acts = q, otc, acts[:, :, 1], acts
        return out

    # -- first-order backward on arrays ----------------------------------------------------------
    def vjp(self, g):
        mode = self.mode
        if mode == "lstm":
            return self._vjp_lstm(g)
        if mode == "gru":
            return self._vjp_gru(g)
        return self._vjp_rnn(g)

    def _vjp_lstm(self, g):
        xg, h0, c0, w = (t._data for t in self.inputs)
        out, q, otc, f, rev = self.out, self.q, self.otc, self.f, self.reverse
        T, B = xg.shape[0], xg.shape[1]
        H = h0.shape[-1]
        dt = xg.dtype
        dxg = np.empty((T, B, 4, H), dt)
        dc = g[T].copy()  # gradient of the final cell state
        dh = np.zeros((B, H), dt)
        tmp = np.empty((B, H), dt)
        order = range(T) if rev else range(T - 1, -1, -1)
        xg_t, h0_t, c0_t, w_t = self.inputs
        # the last step's dh GEMM only serves h0's gradient (often a constant zero state)
        first = order[-1] if T and not h0_t.requires_grad else None
        acts = self.__dict__.get("acts")
        if acts is not None and kernels.lstm_ready(g[0], dc, otc, q, acts):
            k = kernels.get()
            g = np.ascontiguousarray(g)
            packed = kernels.pack(w)
            for t in order:
                d = dxg[t]
                k.lstm_bwd(dh, g[t], dc, otc[t], q[t], acts[t], d, B, H)
                if t == first:
                    continue
                if packed is not None:
                    kernels.matmul_packed(d.reshape(B, 4 * H), packed, H, dh)
                else:
                    np.matmul(d.reshape(B, 4 * H), w, out=dh)
            order = ()
        for t in order:
            dh += g[t]
            np.multiply(dh, otc[t], out=tmp)
            dc += tmp
            d = dxg[t]
            np.multiply(q[t, :, :3], dc[:, None, :], out=d[:, :3])
            np.multiply(q[t, :, 3], dh, out=d[:, 3])
            dc *= f[t]
            if t != first:
                np.matmul(d.reshape(B, 4 * H), w, out=dh)
        dxg = dxg.reshape(T, B, 4 * H)
        dw = None
        if w_t.requires_grad:
            dw = _state_weight_grad(dxg, out[:T], h0, rev)
        return (
            dxg if xg_t.requires_grad else None,
            dh if first is None else None,
            dc if c0_t.requires_grad else None,
            dw,
        )

    def _vjp_gru(self, g):
        inputs = self.inputs
        xg, h0, w = inputs[0]._data, inputs[1]._data, inputs[2]._data
        has_b = len(inputs) > 3
        out, rz, ns, hns, rev = self.out, self.rz, self.ns, self.hns, self.reverse
        T, B = xg.shape[0], xg.shape[1]
        H = h0.shape[-1]
        dt = xg.dtype
        r, z = rz[..., :H], rz[..., H:]
        h_prev = _shifted(out, h0, rev)
        # Step-independent factors, for all steps at once.
        dn_f = (1 - z) * (1 - ns * ns)  # dh -> n pre-activation
        dz_f = (h_prev - ns) * z * (1 - z)  # dh -> z pre-activation
        dr_f = hns * r * (1 - r)  # dn_pre -> r pre-activation
        dxg = np.empty((T, B, 3 * H), dt)
        dgh = np.empty((T, B, 3 * H), dt)
        dh = None
        order = range(T) if rev else range(T - 1, -1, -1)
        for t in order:
            dh_t = g[t] if dh is None else g[t] + dh
            dx, dg = dxg[t], dgh[t]
            dn = dx[:, 2 * H :]
            np.multiply(dh_t, dn_f[t], out=dn)
            np.multiply(dh_t, dz_f[t], out=dx[:, H : 2 * H])
            np.multiply(dn, dr_f[t], out=dx[:, :H])
            dg[:, : 2 * H] = dx[:, : 2 * H]
            np.multiply(dn, r[t], out=dg[:, 2 * H :])
            dh = dh_t * z[t]
            dh += dg @ w
        dw = db = None
        if inputs[2].requires_grad:
            dw = dgh.reshape(T * B, 3 * H).T @ h_prev.reshape(T * B, H)
        if has_b and inputs[3].requires_grad:
            db = dgh.reshape(T * B, 3 * H).sum(axis=0)
        dxg = dxg if inputs[0].requires_grad else None
        return (dxg, dh, dw, db) if has_b else (dxg, dh, dw)

    def _vjp_rnn(self, g):
        xg_t, h0_t, w_t = self.inputs
        h0, w = h0_t._data, w_t._data
        out, rev = self.out, self.reverse
        T, B, H = out.shape
        deriv = (1 - out * out) if self.mode == "rnn_tanh" else (out > 0).astype(out.dtype)
        dxg = np.empty_like(out)
        dh = None
        order = range(T) if rev else range(T - 1, -1, -1)
        for t in order:
            d = dxg[t]
            if dh is None:
                np.multiply(g[t], deriv[t], out=d)
            else:
                np.add(g[t], dh, out=d)
                d *= deriv[t]
            dh = d @ w
        dw = None
        if w_t.requires_grad:
            h_prev = _shifted(out, h0, rev)
            dw = dxg.reshape(T * B, H).T @ h_prev.reshape(T * B, H)
        return (dxg if xg_t.requires_grad else None), dh, dw

    # -- differentiable backward (double backward) -------------------------------------------
    def backward(self, g):
        """BPTT with Tensor ops on a Tensor-op recomputation of the forward pass."""
        import chainrule

        mode, rev = self.mode, self.reverse
        inputs = self.inputs
        xg, h = inputs[0], inputs[1]
        T = xg.shape[0]
        H = h.shape[-1]
        order = list(range(T - 1, -1, -1)) if rev else list(range(T))
        steps: dict[int, tuple] = {}
        dxs: list[Any] = [None] * T
        dw = db = None
        if mode == "lstm":
            c, w = inputs[2], inputs[3]
            for t in order:
                a = xg[t] + h @ w.t()
                i = a[:, :H].sigmoid()
                f = a[:, H : 2 * H].sigmoid()
                gg = a[:, 2 * H : 3 * H].tanh()
                o = a[:, 3 * H :].sigmoid()
                cn = f * c + i * gg
                tc = cn.tanh()
                steps[t] = (h, c, i, f, gg, o, tc)
                h, c = o * tc, cn
            dh = None
            dc = g[T]
            for t in reversed(order):
                hp, cp, i, f, gg, o, tc = steps[t]
                dh_t = g[t] if dh is None else g[t] + dh
                dc_t = dc + dh_t * o * (1 - tc * tc)
                d = chainrule.cat(
                    [
                        dc_t * gg * i * (1 - i),
                        dc_t * cp * f * (1 - f),
                        dc_t * i * (1 - gg * gg),
                        dh_t * tc * o * (1 - o),
                    ],
                    dim=1,
                )
                dxs[t] = d
                dwt = d.t() @ hp
                dw = dwt if dw is None else dw + dwt
                dh = d @ w
                dc = dc_t * f
            return chainrule.stack(dxs), dh, dc, dw
        if mode == "gru":
            w = inputs[2]
            b = inputs[3] if len(inputs) > 3 else None
            for t in order:
                ghh = h @ w.t()
                if b is not None:
                    ghh = ghh + b
                x = xg[t]
                r = (x[:, :H] + ghh[:, :H]).sigmoid()
                z = (x[:, H : 2 * H] + ghh[:, H : 2 * H]).sigmoid()
                hn = ghh[:, 2 * H :]
                n = (x[:, 2 * H :] + r * hn).tanh()
                steps[t] = (h, r, z, n, hn)
                h = n + z * (h - n)
            dh = None
            for t in reversed(order):
                hp, r, z, n, hn = steps[t]
                dh_t = g[t] if dh is None else g[t] + dh
                dn = dh_t * (1 - z) * (1 - n * n)
                dz = dh_t * (hp - n) * z * (1 - z)
                dr = dn * hn * r * (1 - r)
                dx = chainrule.cat([dr, dz, dn], dim=1)
                dg = chainrule.cat([dr, dz, dn * r], dim=1)
                dxs[t] = dx
                dwt = dg.t() @ hp
                dw = dwt if dw is None else dw + dwt
                if b is not None:
                    dbt = dg.sum(dim=0)
                    db = dbt if db is None else db + dbt
                dh = dh_t * z + dg @ w
            dxg = chainrule.stack(dxs)
            return (dxg, dh, dw, db) if b is not None else (dxg, dh, dw)
        w = inputs[2]
        for t in order:
            pre = xg[t] + h @ w.t()
            hn = pre.tanh() if mode == "rnn_tanh" else pre.relu()
            steps[t] = (h, hn)
            h = hn
        dh = None
        for t in reversed(order):
            hp, hn = steps[t]
            dh_t = g[t] if dh is None else g[t] + dh
            if mode == "rnn_tanh":
                d = dh_t * (1 - hn * hn)
            else:
                d = dh_t * Tensor._wrap((hn._data > 0).astype(hn._data.dtype))
            dxs[t] = d
            dwt = d.t() @ hp
            dw = dwt if dw is None else dw + dwt
            dh = d @ w
        return chainrule.stack(dxs), dh, dw


def recurrent_scan(
    xg: Tensor, h0: Tensor, *rest: Tensor, mode: str, reverse: bool = False
) -> Tensor:
    """Run the fused time loop of one recurrent layer direction (see the module docstring).

    Example:
        >>> import chainrule
        >>> from chainrule.autograd.ops.recurrent import recurrent_scan
        >>> xg, h0, c0 = chainrule.zeros(5, 2, 12), chainrule.zeros(2, 3), chainrule.zeros(2, 3)
        >>> recurrent_scan(xg, h0, c0, chainrule.zeros(12, 3), mode="lstm").shape
        (6, 2, 3)
    """
    if mode not in MODES:
        raise ValueError(f"recurrent_scan: unknown mode {mode!r}, expected one of {MODES}")
    return RecurrentScan.apply(xg, h0, *rest, mode=mode, reverse=reverse)
