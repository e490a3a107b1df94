"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their single-step cells, as in PyTorch.

Names, signatures, defaults, parameter names/layouts (``weight_ih_l0``, ``bias_hh_l1_reverse``,
gate order i, f, g, o for LSTM and r, z, n for GRU) and initialization (``U(-1/sqrt(H),
1/sqrt(H))``) follow PyTorch, so state dicts load either way.

How it runs: per layer and direction, the input projection of all time steps is one GEMM
(``linear``) before the time loop; the loop itself is one fused graph node
(:class:`chainrule.autograd.ops.recurrent.RecurrentScan`) that does one GEMM per step for all
gates plus the elementwise cell, and backpropagates through time on arrays. The cells reuse
the same node with one time step.

Not supported (PyTorch has them): ``PackedSequence`` inputs and ``LSTM(proj_size > 0)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.autograd.ops.linalg import linear
from chainrule.autograd.ops.movement import cat, stack
from chainrule.autograd.ops.recurrent import recurrent_scan
from chainrule.autograd.tensor import Tensor
from chainrule.backend import dtypes as _dt
from chainrule.nn.layers.dropout import dropout as _dropout
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
__functional__ = ["rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell"]

_wrap = Tensor._wrap
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}
_SCAN_MODE = {"RNN_TANH": "rnn_tanh", "RNN_RELU": "rnn_relu", "LSTM": "lstm", "GRU": "gru"}


# -- functional cells ------------------------------------------------------------------------------
def _zeros_state(input: Tensor, hidden: int) -> Tensor:
    return _wrap(np.zeros(input.shape[:-1] + (hidden,), dtype=input.dtype))


def _check_cell(op: str, input: Tensor, hx: Tensor | None, w_ih: Tensor, w_hh: Tensor) -> None:
    if not isinstance(input, Tensor) or input.ndim not in (1, 2):
        shape = getattr(input, "shape", type(input).__name__)
        raise ValueError(
            f"{op}: expected input of shape (batch, features) or (features,), got {shape}"
        )
    if input.shape[-1] != w_ih.shape[1]:
        raise ValueError(
            f"{op}: expected input feature size {w_ih.shape[1]}, got input of shape {input.shape}"
        )
    if input.dtype != w_ih.dtype:
        raise TypeError(f"{op}: input dtype {input.dtype} does not match weight dtype {w_ih.dtype}")
    H = w_hh.shape[1]
    if hx is not None and hx.shape != input.shape[:-1] + (H,):
        raise ValueError(
            f"{op}: expected hidden state of shape {input.shape[:-1] + (H,)}, got {hx.shape}"
        )


def _cell_scan(
    mode: str,
    input: Tensor,
    states: tuple[Tensor, ...],
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None,
    b_hh: Tensor | None,
    steps: int = 1,
) -> Tensor:
    """One time step through the fused scan node: the scan output without its batch dim when
    ``input`` is unbatched, and without its time dim unless ``steps`` rows are wanted (LSTM)."""
    batched = input.ndim == 2
    if not batched:
        input = input.unsqueeze(0)
        states = tuple(s.unsqueeze(0) for s in states)
    if mode == "gru":
        xg = linear(input, w_ih, b_ih)
        rest = (w_hh,) if b_hh is None else (w_hh, b_hh)
    else:
        bias = b_ih if b_hh is None else (b_hh if b_ih is None else b_ih + b_hh)
        xg = linear(input, w_ih, bias)
        rest = (w_hh,)
    out = recurrent_scan(xg.unsqueeze(0), *states, *rest, mode=mode)
    if steps == 1:
        out = out[0]
    return out if batched else out[:, 0] if steps > 1 else out[0]


def rnn_tanh_cell(
    input: Tensor,
    hx: Tensor | None,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> Tensor:
    """One Elman RNN step: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> x, w_ih, w_hh = chainrule.ones(2, 3), chainrule.ones(4, 3), chainrule.zeros(4, 4)
        >>> F.rnn_tanh_cell(x, None, w_ih, w_hh).shape
        (2, 4)
    """
    _check_cell("rnn_tanh_cell", input, hx, w_ih, w_hh)
    h = _zeros_state(input, w_hh.shape[1]) if hx is None else hx
    return _cell_scan("rnn_tanh", input, (h,), w_ih, w_hh, b_ih, b_hh)


def rnn_relu_cell(
    input: Tensor,
    hx: Tensor | None,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> Tensor:
    """One Elman RNN step with ReLU: ``h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> x, w_ih, w_hh = chainrule.ones(2, 3), chainrule.ones(4, 3), chainrule.zeros(4, 4)
        >>> F.rnn_relu_cell(x, None, w_ih, w_hh).tolist()[0]
        [3.0, 3.0, 3.0, 3.0]
    """
    _check_cell("rnn_relu_cell", input, hx, w_ih, w_hh)
    h = _zeros_state(input, w_hh.shape[1]) if hx is None else hx
    return _cell_scan("rnn_relu", input, (h,), w_ih, w_hh, b_ih, b_hh)


def lstm_cell(
    input: Tensor,
    hx: tuple[Tensor, Tensor] | None,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """One LSTM step (gates i, f, g, o stacked in ``w_ih``/``w_hh``); returns ``(h', c')``.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> x, w_ih, w_hh = chainrule.ones(2, 3), chainrule.ones(16, 3), chainrule.zeros(16, 4)
        >>> h, c = F.lstm_cell(x, None, w_ih, w_hh)
        >>> h.shape, c.shape
        ((2, 4), (2, 4))
    """
    H = w_hh.shape[1]
    if hx is None:
        h = c = _zeros_state(input, H)
    else:
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError("lstm_cell: hx must be a tuple (h, c) or None")
        h, c = hx
        _check_cell("lstm_cell", input, c, w_ih, w_hh)
    _check_cell("lstm_cell", input, h, w_ih, w_hh)
    out = _cell_scan("lstm", input, (h, c), w_ih, w_hh, b_ih, b_hh, steps=2)
    return out[0], out[1]


def gru_cell(
    input: Tensor,
    hx: Tensor | None,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> Tensor:
    """One GRU step (gates r, z, n; ``b_hn`` inside ``r * (W_hn h + b_hn)`` as in PyTorch).

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> x, w_ih, w_hh = chainrule.ones(2, 3), chainrule.ones(12, 3), chainrule.zeros(12, 4)
        >>> F.gru_cell(x, None, w_ih, w_hh).shape
        (2, 4)
    """
    _check_cell("gru_cell", input, hx, w_ih, w_hh)
    h = _zeros_state(input, w_hh.shape[1]) if hx is None else hx
    return _cell_scan("gru", input, (h,), w_ih, w_hh, b_ih, b_hh)


# -- multi-layer modules -----------------------------------------------------------------------
def _dtype(dtype: Any) -> np.dtype:
    return _dt.get_default_dtype() if dtype is None else _dt.to_dtype(dtype)


def _param(shape: tuple, dtype: np.dtype) -> Parameter:
    p = Parameter(np.empty(shape, dtype=dtype))
    if p.dtype != dtype:  # Parameter() takes the default dtype, like torch.tensor(); keep ours
        p._data = p._data.astype(dtype)
    return p


class RNNBase(Module):
    """Shared machinery of :class:`RNN`, :class:`LSTM` and :class:`GRU` (``mode`` is one of
    ``'RNN_TANH'``, ``'RNN_RELU'``, ``'LSTM'``, ``'GRU'``).

    Example:
        >>> from chainrule import nn
        >>> nn.RNNBase("GRU", 3, 4).weight_hh_l0.shape
        (12, 4)
    """

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(mode, mode)
        if mode not in _GATES:
            raise ValueError(f"RNNBase: unknown mode {mode!r}, expected one of {list(_GATES)}")
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError(f"{name}: hidden_size must be a positive int, got {hidden_size!r}")
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError(f"{name}: num_layers must be a positive int, got {num_layers!r}")
        if not 0.0 <= float(dropout) <= 1.0 or isinstance(dropout, bool):
            raise ValueError(f"{name}: dropout must be a number in [0, 1], got {dropout!r}")
        if proj_size:
            raise NotImplementedError(f"{name}: proj_size > 0 is not supported by chainrule")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = 0
        dt = _dtype(dtype)
        gates = _GATES[mode] * hidden_size
        dirs = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        for layer in range(num_layers):
            for d in range(dirs):
                in_size = input_size if layer == 0 else hidden_size * dirs
                sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
                shapes = [("weight_ih", (gates, in_size)), ("weight_hh", (gates, hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gates,)), ("bias_hh", (gates,))]
                for pname, shape in shapes:
                    setattr(self, pname + sfx, _param(shape, dt))
                    self._flat_weights_names.append(pname + sfx)
        self.reset_parameters()

    @property
    def _name(self) -> str:
        return "RNN" if self.mode.startswith("RNN") else self.mode

    def reset_parameters(self) -> None:
        """Draw every weight and bias from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``."""
        k = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0.0
        for p in self.parameters():
            p._data[...] = _rng().uniform(-k, k, size=p.shape).astype(p.dtype)
            p._bump()

    def flatten_parameters(self) -> None:
        """No-op (PyTorch compacts cuDNN weights here); kept for API compatibility."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters grouped per layer and direction, as in PyTorch."""
        n = 4 if self.bias else 2
        names = self._flat_weights_names
        return [[getattr(self, w) for w in names[i : i + n]] for i in range(0, len(names), n)]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity='relu'"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s

    # -- forward ---------------------------------------------------------------------------------
    def _check_input(self, input: Any) -> bool:
        name = self._name
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: expected a Tensor input, got {type(input).__name__}")
        if input.ndim not in (2, 3):
            raise ValueError(
                f"{name}: expected a 2-D (unbatched) or 3-D (batched) input, got shape "
                f"{input.shape}"
            )
        if input.shape[-1] != self.input_size:
            raise ValueError(
                f"{name}: expected input feature size {self.input_size}, got {input.shape}"
            )
        w = self.weight_ih_l0
        if input.dtype != w.dtype:
            raise TypeError(
                f"{name}: input dtype {input.dtype} does not match the parameters' dtype "
                f"{w.dtype}; convert one of them (e.g. `model.to({input.dtype})`)"
            )
        return input.ndim == 3

    def _check_hidden(self, h: Any, expected: tuple, what: str) -> None:
        if not isinstance(h, Tensor):
            raise TypeError(f"{self._name}: {what} must be a Tensor, got {type(h).__name__}")
        if h.shape != expected:
            raise ValueError(f"{self._name}: expected {what} of shape {expected}, got {h.shape}")
        if h.dtype != self.weight_ih_l0.dtype:
            raise TypeError(
                f"{self._name}: {what} dtype {h.dtype} does not match the parameters' dtype "
                f"{self.weight_ih_l0.dtype}"
            )

    def _run(self, input: Tensor, hx: Any) -> tuple[Tensor, Any]:
        """The shared forward: returns ``(output, h_n)`` or ``(output, (h_n, c_n))``."""
        batched = self._check_input(input)
        is_lstm = self.mode == "LSTM"
        dirs = 2 if self.bidirectional else 1
        H = self.hidden_size
        x = input if batched else input.unsqueeze(1)
        if self.batch_first and batched:
            x = x.transpose(0, 1)
        T, B = x.shape[0], x.shape[1]
        exp = (self.num_layers * dirs, B, H) if batched else (self.num_layers * dirs, H)
        h0 = c0 = None
        if hx is not None:
            if is_lstm:
                if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                    raise TypeError("LSTM: hx must be a tuple (h_0, c_0) or None")
                h0, c0 = hx
                self._check_hidden(h0, exp, "h_0")
                self._check_hidden(c0, exp, "c_0")
                if not batched:
                    h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
            else:
                self._check_hidden(hx, exp, "hx")
                h0 = hx if batched else hx.unsqueeze(1)
        zeros = None
        mode = _SCAN_MODE[self.mode]
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            ys = []
            for d in range(dirs):
                idx = layer * dirs + d
                sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
                w_ih = getattr(self, "weight_ih" + sfx)
                w_hh = getattr(self, "weight_hh" + sfx)
                b_ih = getattr(self, "bias_ih" + sfx) if self.bias else None
                b_hh = getattr(self, "bias_hh" + sfx) if self.bias else None
                if h0 is None:
                    if zeros is None:
                        zeros = _wrap(np.zeros((B, H), dtype=x.dtype))
                    states = (zeros, zeros) if is_lstm else (zeros,)
                else:
                    states = (h0[idx], c0[idx]) if is_lstm else (h0[idx],)
                # the input projection of all steps: one (T*B, F) x (F, G*H) GEMM
                x2 = x.reshape(T * B, x.shape[-1])
                if mode == "gru":
                    xg = linear(x2, w_ih, b_ih)
                    rest = (w_hh,) if b_hh is None else (w_hh, b_hh)
                else:
                    xg = linear(x2, w_ih, None if b_ih is None else b_ih + b_hh)
                    rest = (w_hh,)
                xg = xg.reshape(T, B, xg.shape[-1])
                out = recurrent_scan(xg, *states, *rest, mode=mode, reverse=d == 1)
                last = 0 if d == 1 else T - 1
                if is_lstm:
                    ys.append(out[:T])
                    h_n.append(out[last])
                    c_n.append(out[T])
                else:
                    ys.append(out)
                    h_n.append(out[last])
            x = ys[0] if dirs == 1 else cat(ys, dim=-1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = _dropout(x, self.dropout, training=True)
        output = x
        if self.batch_first and batched:
            output = output.transpose(0, 1)
        hn = stack(h_n)
        cn = stack(c_n) if is_lstm else None
        if not batched:
            output = output.squeeze(1)
            hn = hn.squeeze(1)
            cn = cn.squeeze(1) if is_lstm else None
        return output, ((hn, cn) if is_lstm else hn)

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Any]:
        """Run the recurrence over ``input``; see the subclasses for shapes.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> out, h = nn.RNNBase("RNN_TANH", 3, 4)(chainrule.zeros(5, 2, 3))
            >>> out.shape, h.shape
            ((5, 2, 4), (1, 2, 4))
        """
        return self._run(input, hx)


def _rng() -> np.random.Generator:
    from chainrule.backend import default_generator

    return default_generator()


class RNN(RNNBase):
    """Multi-layer Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or ReLU).

    Input ``(L, N, H_in)`` (``(N, L, H_in)`` with ``batch_first``; ``(L, H_in)`` unbatched),
    optional ``hx`` ``(D * num_layers, N, H)``. Returns ``(output, h_n)`` with output
    ``(L, N, D * H)`` and ``h_n`` ``(D * num_layers, N, H)``, ``D = 2`` if bidirectional.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> rnn = nn.RNN(10, 20, num_layers=2, batch_first=True)
        >>> out, h_n = rnn(chainrule.randn(3, 5, 10))
        >>> out.shape, h_n.shape
        ((3, 5, 20), (2, 3, 20))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"RNN: unknown nonlinearity {nonlinearity!r}, expected 'tanh' or 'relu'"
            )
        super().__init__(
            "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Return ``(output, h_n)``.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> nn.RNN(3, 4, nonlinearity="relu")(chainrule.zeros(5, 3))[0].shape
            (5, 4)
        """
        return self._run(input, hx)


class LSTM(RNNBase):
    """Multi-layer LSTM with PyTorch's gates ``i, f, g, o``:
    ``c_t = f * c_{t-1} + i * g``, ``h_t = o * tanh(c_t)``.

    Input ``(L, N, H_in)`` (``(N, L, H_in)`` with ``batch_first``; ``(L, H_in)`` unbatched),
    optional ``(h_0, c_0)`` each ``(D * num_layers, N, H)``. Returns
    ``(output, (h_n, c_n))``. ``proj_size`` is not supported.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> lstm = nn.LSTM(10, 20, bidirectional=True)
        >>> out, (h_n, c_n) = lstm(chainrule.randn(5, 3, 10))
        >>> out.shape, h_n.shape, c_n.shape
        ((5, 3, 40), (2, 3, 20), (2, 3, 20))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            device=device,
            dtype=dtype,
        )

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """Return ``(output, (h_n, c_n))``.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> out, (h, c) = nn.LSTM(3, 4)(chainrule.zeros(5, 2, 3))
            >>> out.shape, h.shape
            ((5, 2, 4), (1, 2, 4))
        """
        return self._run(input, hx)


class GRU(RNNBase):
    """Multi-layer GRU with PyTorch's gates ``r, z, n``:
    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``.

    Shapes as for :class:`RNN`.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> out, h_n = nn.GRU(10, 20, num_layers=2)(chainrule.randn(5, 3, 10))
        >>> out.shape, h_n.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            "GRU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Return ``(output, h_n)``.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> nn.GRU(3, 4, batch_first=True)(chainrule.zeros(2, 5, 3))[0].shape
            (2, 5, 4)
        """
        return self._run(input, hx)


# -- cells -------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """Shared parameters of the cells: ``weight_ih (chunks*H, in)``, ``weight_hh (chunks*H, H)``,
    ``bias_ih``, ``bias_hh``, all ``U(-1/sqrt(H), 1/sqrt(H))``.

    Example:
        >>> from chainrule import nn
        >>> nn.RNNCellBase(3, 4, True, num_chunks=4).weight_ih.shape
        (16, 3)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        dt = _dtype(dtype)
        n = num_chunks * hidden_size
        self.weight_ih = _param((n, input_size), dt)
        self.weight_hh = _param((n, hidden_size), dt)
        if bias:
            self.bias_ih = _param((n,), dt)
            self.bias_hh = _param((n,), dt)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every weight and bias from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``."""
        k = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0.0
        for p in self.parameters():
            p._data[...] = _rng().uniform(-k, k, size=p.shape).astype(p.dtype)
            p._bump()

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity!r}"
        return s


class RNNCell(RNNCellBase):
    """One Elman RNN step: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ReLU).

    Input ``(N, H_in)`` or ``(H_in,)``, optional ``hx`` ``(N, H)`` or ``(H,)`` (zeros if None).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.RNNCell(3, 4)(chainrule.zeros(2, 3)).shape
        (2, 4)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"RNNCell: unknown nonlinearity {nonlinearity!r}, expected 'tanh' or 'relu'"
            )
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """Return ``h'``.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> nn.RNNCell(3, 4)(chainrule.zeros(3)).shape
            (4,)
        """
        fn = rnn_tanh_cell if self.nonlinearity == "tanh" else rnn_relu_cell
        return fn(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)


class LSTMCell(RNNCellBase):
    """One LSTM step; ``forward(input, (h, c))`` returns ``(h', c')`` (zeros state if None).

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> h, c = nn.LSTMCell(3, 4)(chainrule.zeros(2, 3))
        >>> h.shape, c.shape
        ((2, 4), (2, 4))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        """Return ``(h', c')``.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> nn.LSTMCell(3, 4)(chainrule.zeros(3))[1].shape
            (4,)
        """
        return lstm_cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n as in PyTorch); returns ``h'``.

    Example:
        >>> import chainrule
        >>> from chainrule import nn
        >>> nn.GRUCell(3, 4)(chainrule.zeros(2, 3)).shape
        (2, 4)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """Return ``h'``.

        Example:
            >>> import chainrule
            >>> from chainrule import nn
            >>> nn.GRUCell(3, 4)(chainrule.zeros(3), chainrule.zeros(4)).shape
            (4,)
        """
        return gru_cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
