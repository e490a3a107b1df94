"""Creating tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``linspace``, ``eye``,
the seeded random ``rand``/``randn``/``randint``/``randperm``, the ``*_like`` forms and
``from_numpy``. Float data gets the default dtype (float32) unless ``dtype`` says otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.backend import default_generator
from chainrule.backend import dtypes as _dt

__all__ = [
    "arange",
    "as_tensor",
    "empty",
    "empty_like",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "linspace",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "randperm",
    "tensor",
    "zeros",
    "zeros_like",
]


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _size(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"expected a shape of non-negative ints, got {size}")
    return tuple(int(s) for s in size)


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or tensors).

    Python floats become the default dtype (float32), ints int64, bools bool; a NumPy array
    keeps its dtype (as ``torch.tensor`` does).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([[1, 2], [3, 4]], dtype=chainrule.float32)
        tensor([[1., 2.],
                [3., 4.]])
    """
    from chainrule.autograd.tensor import _as_array

    d = None if dtype is None else _dt.to_dtype(dtype)
    arr = _as_array(data, d)
    src = data._data if isinstance(data, Tensor) else data
    if arr is src:
        arr = arr.copy()
    return _finish(arr, requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like :func:`tensor`, but shares memory with a NumPy array or tensor of the right dtype.

    Example:
        >>> import chainrule, numpy as np
        >>> a = np.zeros(2, dtype=np.float32); chainrule.as_tensor(a).numpy() is a
        True
    """
    if isinstance(data, Tensor) and (dtype is None or _dt.to_dtype(dtype) == data.dtype):
        return data
    from chainrule.autograd.tensor import _as_array

    return Tensor._wrap(_as_array(data, None if dtype is None else _dt.to_dtype(dtype)))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (its dtype is kept).

    Example:
        >>> import chainrule, numpy as np
        >>> chainrule.from_numpy(np.arange(3)).tolist()
        [0, 1, 2]
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    _dt.to_dtype(array.dtype)  # refuse unsupported dtypes with a clear message
    return Tensor._wrap(array)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 3).shape
        (2, 3)
    """
    return _finish(np.zeros(_size(size), dtype=_dt.to_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones.

    Example:
        >>> import chainrule
        >>> chainrule.ones(2).tolist()
        [1.0, 1.0]
    """
    return _finish(np.ones(_size(size), dtype=_dt.to_dtype(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """An uninitialized tensor (here: zeros, which costs the same with NumPy).

    Example:
        >>> import chainrule
        >>> chainrule.empty(3).shape
        (3,)
    """
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(
    size: Any, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor filled with ``fill_value`` (dtype inferred from it when not given).

    Example:
        >>> import chainrule
        >>> chainrule.full((2,), 7).tolist()
        [7, 7]
    """
    if dtype is None:
        dtype = (
            _dt.bool_
            if isinstance(fill_value, bool)
            else _dt.int64
            if isinstance(fill_value, int)
            else _dt.get_default_dtype()
        )
    return _finish(
        np.full(
            _size((size,) if isinstance(size, int) else (tuple(size),)),
            fill_value,
            dtype=_dt.to_dtype(dtype),
        ),
        requires_grad,
    )


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from ``start`` up to (not including) ``end`` in steps of ``step``. Integer
    arguments give int64, any float gives the default float dtype.

    Example:
        >>> import chainrule
        >>> chainrule.arange(1, 7, 2).tolist()
        [1, 3, 5]
    """
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = _dt.int64 if is_int else _dt.get_default_dtype()
    return _finish(np.arange(start, end, step).astype(_dt.to_dtype(dtype)), requires_grad)


def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    Example:
        >>> import chainrule
        >>> chainrule.linspace(0, 1, 3).tolist()
        [0.0, 0.5, 1.0]
    """
    return _finish(np.linspace(start, end, steps).astype(_dt.to_dtype(dtype)), requires_grad)


def eye(
    n: int, m: int | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """The identity matrix (n x m).

    Example:
        >>> import chainrule
        >>> chainrule.eye(2).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    return _finish(np.eye(n, m, dtype=_dt.to_dtype(dtype)), requires_grad)


def rand(
    *size: Any,
    dtype: Any = None,
    generator: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform samples in [0, 1) from the seeded generator (see ``manual_seed``).

    Example:
        >>> import chainrule
        >>> chainrule.rand(2, 2).shape
        (2, 2)
    """
    g = generator or default_generator()
    d = _dt.to_dtype(dtype)
    return _finish(
        g.random(_size(size), dtype=d if d in (_dt.float32, _dt.float64) else np.float64).astype(
            d, copy=False
        ),
        requires_grad,
    )


def randn(
    *size: Any,
    dtype: Any = None,
    generator: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal samples from the seeded generator.

    Example:
        >>> import chainrule
        >>> chainrule.randn(3).shape
        (3,)
    """
    g = generator or default_generator()
    d = _dt.to_dtype(dtype)
    return _finish(
        g.standard_normal(
            _size(size), dtype=d if d in (_dt.float32, _dt.float64) else np.float64
        ).astype(d, copy=False),
        requires_grad,
    )


def randint(
    low: int,
    high: int | None = None,
    size: Any = (),
    dtype: Any = None,
    generator: Any = None,
    device: Any = None,
) -> Tensor:
    """Random integers in ``[low, high)`` (``randint(high, size)`` form accepted).

    Example:
        >>> import chainrule
        >>> bool((chainrule.randint(0, 3, (10,)) < 3).all())
        True
    """
    if high is None or isinstance(high, (tuple, list)):
        if isinstance(high, (tuple, list)):
            size = high
        low, high = 0, low
    g = generator or default_generator()
    d = _dt.int64 if dtype is None else _dt.to_dtype(dtype)
    return Tensor._wrap(g.integers(low, high, size=_size((tuple(size),))).astype(d))


def randperm(n: int, dtype: Any = None, generator: Any = None, device: Any = None) -> Tensor:
    """A random permutation of ``0..n-1``.

    Example:
        >>> import chainrule
        >>> sorted(chainrule.randperm(4).tolist())
        [0, 1, 2, 3]
    """
    g = generator or default_generator()
    d = _dt.int64 if dtype is None else _dt.to_dtype(dtype)
    return Tensor._wrap(g.permutation(n).astype(d))


def _like(name: str, fn: Any) -> Any:
    def like(input: Tensor, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
        d = input.dtype if dtype is None else dtype
        return fn(*input.shape, dtype=d, requires_grad=requires_grad, **kw)

    like.__name__ = like.__qualname__ = name
    like.__doc__ = (
        f"``{fn.__name__}`` with the shape (and dtype) of ``input``.\n\nExample:\n"
        f"    >>> import chainrule\n    >>> chainrule.{name}(chainrule.ones(2, 3))"
        ".shape\n    (2, 3)\n"
    )
    return like


zeros_like = _like("zeros_like", zeros)
ones_like = _like("ones_like", ones)
empty_like = _like("empty_like", empty)
rand_like = _like("rand_like", rand)
randn_like = _like("randn_like", randn)


def full_like(
    input: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """``full`` with the shape (and dtype) of ``input``.

    Example:
        >>> import chainrule
        >>> chainrule.full_like(chainrule.zeros(2), 3.0).tolist()
        [3.0, 3.0]
    """
    return full(
        input.shape,
        fill_value,
        dtype=input.dtype if dtype is None else dtype,
        requires_grad=requires_grad,
    )


def _habits(fn: Any) -> Any:
    """PyTorch call habits for a creation function: ``device=`` checked (only the CPU exists;
    anything else raises one clear error) and ``size=`` as a keyword for the ``*size`` forms."""
    import functools
    import inspect

    from chainrule.backend.device import check_device

    params = inspect.signature(fn).parameters
    varsize = "size" in params and params["size"].kind is inspect.Parameter.VAR_POSITIONAL
    takes_device = "device" in params

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            dev = kwargs.get("device")
            if dev is not None:
                check_device(dev, fn.__name__)
            if not takes_device:
                kwargs.pop("device", None)
            if varsize and "size" in kwargs:
                if args:
                    raise TypeError(f"{fn.__name__}(): size given both positionally and as size=")
                args = (kwargs.pop("size"),)
        return fn(*args, **kwargs)

    return wrapper


for _name in __all__:
    if _name != "from_numpy":
        globals()[_name] = _habits(globals()[_name])
del _name
