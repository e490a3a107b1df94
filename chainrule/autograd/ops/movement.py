"""Shape and movement ops: reshape, permute, expand, cat, flip, roll, pad and friends.

The primitives are Reshape, Permute, Expand, Cat, Flip, Roll and ConstantPad; the rest
(squeeze, transpose, stack, repeat, split, reflect padding, ...) are composed from them and from
indexing, and get their gradients for free.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops._util import normalize_dim
from chainrule.autograd.ops.registry import primitive, register
from chainrule.autograd.tensor import Tensor

_wrap = Tensor._wrap


def _shape_arg(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


@primitive
class Reshape(Function):
    is_view = True

    def forward(self, a, shape):
        self.in_shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {a.shape} ({a.size} elements) "
                f"into shape {shape}"
            ) from None

    def backward(self, g):
        return g.reshape(self.in_shape)

    def vjp(self, g):
        return g.reshape(self.in_shape)


class ShapeError(ValueError, RuntimeError):
    """A bad shape argument. PyTorch raises ``RuntimeError``; this is also a ``ValueError``."""


def _check_shape(op: str, shape: tuple) -> tuple:
    """PyTorch's shape rules: ints >= -1, at most one -1."""
    shape = tuple(int(s) for s in shape)
    for i, s in enumerate(shape):
        if s < -1:
            raise ShapeError(
                f"{op}: invalid shape dimension {s} at index {i} of shape {list(shape)}"
            )
    if shape.count(-1) > 1:
        raise ShapeError(f"{op}: only one dimension can be inferred (-1), got shape {list(shape)}")
    return shape


@register("reshape")
def reshape(input: Tensor, *shape: Any) -> Tensor:
    """A tensor with the same data and a new shape (one dimension may be -1).

    Example:
        >>> import chainrule
        >>> chainrule.arange(6).reshape(2, 3).shape
        (2, 3)
    """
    shape = _shape_arg(shape)
    if shape == input._data.shape:
        return input
    return Reshape.apply(input, shape=_check_shape("reshape", shape))


@primitive
class View(Reshape):
    """``view``: a reshape that must share memory; refused when the strides do not allow it."""

    def forward(self, a, shape):
        self.in_shape = a.shape
        v = a.view()
        try:
            v.shape = shape
        except AttributeError:
            raise ShapeError(
                f"view: view size is not compatible with input tensor's size and stride (at "
                f"least one dimension spans across two contiguous subspaces): shape {a.shape} "
                f"strides {a.strides} to {shape}. Use .reshape(...) instead."
            ) from None
        except ValueError:
            raise ShapeError(
                f"view: shape {list(shape)} is invalid for input of size {a.size} "
                f"(input shape {a.shape})"
            ) from None
        return v

    @classmethod
    def name(cls) -> str:
        return "ViewBackward"


@register("view", method=True, export=False)
def view(input: Tensor, *shape: Any) -> Tensor:
    """A tensor sharing this one's memory with a new shape (PyTorch's ``Tensor.view``): raises
    when the memory layout does not allow it (use ``reshape``, which copies then).

    Example:
        >>> import chainrule
        >>> x = chainrule.arange(6); v = x.view(2, 3); v[0, 0] = 9; x.tolist()[0]
        9
        >>> try:
        ...     chainrule.zeros(2, 3).t().view(6)
        ... except RuntimeError as e:
        ...     print(str(e)[:44])
        view: view size is not compatible with input
    """
    shape = _shape_arg(shape)
    if shape == input._data.shape:
        return input
    return View.apply(input, shape=_check_shape("view", shape))


@register("view_as")
def view_as(input: Tensor, other: Tensor) -> Tensor:
    """Reshape to ``other``'s shape.

    Example:
        >>> import chainrule
        >>> chainrule.arange(4).view_as(chainrule.zeros(2, 2)).shape
        (2, 2)
    """
    return reshape(input, other.shape)


@register("flatten")
def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim..end_dim`` into one.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 3, 4).flatten(1).shape
        (2, 12)
    """
    nd = input.ndim
    if nd == 0:
        return reshape(input, (1,))
    s = normalize_dim(start_dim, nd, "flatten")
    e = normalize_dim(end_dim, nd, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shp = input.shape
    return reshape(input, shp[:s] + (-1,) + shp[e + 1 :]) if shp[s : e + 1] else input


@register("unflatten")
def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    """Split dimension ``dim`` into ``sizes``.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 12).unflatten(1, (3, 4)).shape
        (2, 3, 4)
    """
    d = normalize_dim(dim, input.ndim, "unflatten")
    shp = input.shape
    return reshape(input, shp[:d] + tuple(sizes) + shp[d + 1 :])


@register("squeeze")
def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Remove dimensions of size 1 (only ``dim`` when given).

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 1, 3).squeeze().shape
        (2, 3)
    """
    shp = input.shape
    if dim is None:
        dims = {i for i, n in enumerate(shp) if n == 1}
    else:
        ds = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = {normalize_dim(d, input.ndim, "squeeze") for d in ds}
        dims = {d for d in dims if shp[d] == 1}
    return reshape(input, tuple(n for i, n in enumerate(shp) if i not in dims))


@register("unsqueeze")
def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dimension of size 1 at ``dim``.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(3).unsqueeze(0).shape
        (1, 3)
    """
    d = normalize_dim(dim, input.ndim + 1, "unsqueeze")
    shp = input.shape
    return reshape(input, shp[:d] + (1,) + shp[d:])


@primitive
class Permute(Function):
    is_view = True

    def forward(self, a, dims):
        self.dims = dims
        return np.transpose(a, dims)

    def backward(self, g):
        return Permute.apply(g, dims=tuple(np.argsort(self.dims)))

    def vjp(self, g):
        return np.transpose(g, np.argsort(self.dims))


@register("permute")
def permute(input: Tensor, *dims: Any) -> Tensor:
    """Reorder dimensions.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 3, 4).permute(2, 0, 1).shape
        (4, 2, 3)
    """
    dims = _shape_arg(dims)
    nd = input.ndim
    if len(dims) != nd:
        raise ValueError(f"permute: got {len(dims)} dims {dims} for a tensor with {nd} dims")
    dims = tuple(normalize_dim(d, nd, "permute") for d in dims)
    if sorted(dims) != list(range(nd)):
        raise ValueError(f"permute: dims {dims} is not a permutation of 0..{nd - 1}")
    return Permute.apply(input, dims=dims)


@register("transpose", aliases=("swapaxes", "swapdims"))
def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 3).transpose(0, 1).shape
        (3, 2)
    """
    nd = input.ndim
    d0, d1 = normalize_dim(dim0, nd, "transpose"), normalize_dim(dim1, nd, "transpose")
    if d0 == d1:
        return input
    dims = list(range(nd))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(input, dims=tuple(dims))


@register("t")
def t(input: Tensor) -> Tensor:
    """Transpose a tensor of at most 2 dimensions.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 3).t().shape
        (3, 2)
    """
    if input.ndim > 2:
        raise ValueError(
            f"t: expects a tensor with <= 2 dims, got shape {input.shape}; "
            "use transpose(dim0, dim1)"
        )
    return input if input.ndim < 2 else transpose(input, 0, 1)


@register("movedim", aliases=("moveaxis",))
def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dimension(s) ``source`` to position(s) ``destination`` (ints or tuples).

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 3, 4).movedim(0, -1).shape
        (3, 4, 2)
        >>> chainrule.zeros(2, 3, 4).movedim((0, 1), (2, 0)).shape
        (3, 4, 2)
    """
    nd = input.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise ShapeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    src = tuple(normalize_dim(s, nd, "movedim") for s in src)
    dst = tuple(normalize_dim(d, nd, "movedim") for d in dst)
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ShapeError(f"movedim: repeated dim in source {src} or destination {dst}")
    order = [-1] * nd
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(i for i in range(nd) if i not in src)
    order = [next(rest) if o < 0 else o for o in order]
    if order == list(range(nd)):
        return input
    return Permute.apply(input, dims=tuple(order))


@primitive
class Expand(Function):
    is_view = True

    def forward(self, a, shape):
        try:
            return np.broadcast_to(a, shape)
        except ValueError:
            raise ValueError(
                f"expand: cannot expand shape {a.shape} to {shape} (only size-1 "
                "dimensions can grow, and new dimensions go in front)"
            ) from None

    def backward(self, g):
        return g  # the engine sums it back to the input's shape

    def vjp(self, g):
        return g


@register("expand")
def expand(input: Tensor, *sizes: Any) -> Tensor:
    """Broadcast to a larger shape without copying (-1 keeps a dimension).

    Example:
        >>> import chainrule
        >>> chainrule.zeros(3, 1).expand(3, 4).shape
        (3, 4)
    """
    sizes = _shape_arg(sizes)
    lead = len(sizes) - input.ndim
    if lead < 0:
        raise ValueError(f"expand: target {sizes} has fewer dims than the input {input.shape}")
    shape = tuple(input.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    if shape == input._data.shape:
        return input
    return Expand.apply(input, shape=shape)


@register("broadcast_to")
def broadcast_to(input: Tensor, shape: Any) -> Tensor:
    """Same as ``expand(shape)``.

    Example:
        >>> import chainrule
        >>> chainrule.broadcast_to(chainrule.zeros(3), (2, 3)).shape
        (2, 3)
    """
    return expand(input, tuple(shape))


@register("expand_as")
def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """Expand to ``other``'s shape.

    Example:
        >>> import chainrule
        >>> chainrule.zeros(1).expand_as(chainrule.zeros(3)).shape
        (3,)
    """
    return expand(input, other.shape)


@register("repeat")
def repeat(input: Tensor, *sizes: Any) -> Tensor:
    """Tile the tensor ``sizes[i]`` times along each dimension (PyTorch's ``repeat``).

    Example:
        >>> import chainrule
        >>> chainrule.tensor([1.0, 2.0]).repeat(2).tolist()
        [1.0, 2.0, 1.0, 2.0]
    """
    sizes = _shape_arg(sizes)
    if len(sizes) < input.ndim:
        raise ValueError(f"repeat: need at least {input.ndim} repeat counts, got {sizes}")
    x = input.reshape((1,) * (len(sizes) - input.ndim) + input.shape)
    inter, target, final = [], [], []
    for r, n in zip(sizes, x.shape):
        inter += [1, n]
        target += [r, n]
        final.append(r * n)
    return x.reshape(tuple(inter)).expand(tuple(target)).reshape(tuple(final))


@register("tile")
def tile(input: Tensor, dims: Any) -> Tensor:
    """NumPy-style tiling (fewer ``dims`` than dimensions are padded with 1s in front).

    Example:
        >>> import chainrule
        >>> chainrule.zeros(2, 3).tile((2,)).shape
        (2, 6)
    """
    dims = tuple(dims)
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


@primitive
class Cat(Function):
    def forward(self, *arrays, axis):
        self.axis = axis
        self.sizes = [a.shape[axis] for a in arrays]
        return np.concatenate(arrays, axis=axis)

    def backward(self, g):
        out = []
        start = 0
        idx = [slice(None)] * g.ndim
        for t, n in zip(self.inputs, self.sizes):
            if t.requires_grad:
                idx[self.axis] = slice(start, start + n)
                out.append(g[tuple(idx)])
            else:
                out.append(None)
            start += n
        return tuple(out)


@register("cat", method=False, aliases=("concat", "concatenate"))
def cat(tensors: Any, dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension; all other dimensions must match.

    Example:
        >>> import chainrule
        >>> chainrule.cat([chainrule.zeros(2, 3), chainrule.ones(1, 3)]).shape
        (3, 3)
    """
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    ref = tensors[0]
    d = normalize_dim(dim, ref.ndim, "cat")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"cat: element {i} is a {type(t).__name__}, expected a Tensor")
        if t.ndim != ref.ndim or any(
            a != b for j, (a, b) in enumerate(zip(t.shape, ref.shape)) if j != d
        ):
            shapes = [tuple(x.shape) for x in tensors]
            raise ValueError(
                f"cat: along dim {d}, all other dimensions must match; got shapes {shapes} "
                f"(tensor {i} differs from tensor 0)"
            )
        if t.dtype != ref.dtype:
            raise TypeError(
                f"cat: dtype mismatch: tensor 0 is {ref.dtype}, tensor {i} is "
                f"{t.dtype}; convert explicitly with .to(dtype)"
            )
    if len(tensors) == 1:
        return tensors[0]
    return Cat.apply(*tensors, axis=d)


@register("stack", method=False)
def stack(tensors: Any, dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dimension.

    Example:
        >>> import chainrule
        >>> chainrule.stack([chainrule.zeros(3), chainrule.ones(3)], dim=1).shape
        (3, 2)
    """
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    d = normalize_dim(dim, tensors[0].ndim + 1, "stack")
    return (
        Cat.apply(*[unsqueeze(t, d) for t in tensors], axis=d)
        if len(tensors) > 1
        else (unsqueeze(tensors[0], d))
    )


@register("split")
def split(input: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Split into chunks of a given size, or of the given list of sizes.

    Example:
        >>> import chainrule
        >>> [p.shape for p in chainrule.zeros(5, 2).split(2)]
        [(2, 2), (2, 2), (1, 2)]
    """
    d = normalize_dim(dim, input.ndim, "split")
    n = input.shape[d]
    if isinstance(split_size_or_sections, int):
        s = split_size_or_sections
        if s <= 0:
            raise ValueError(f"split: split_size must be positive, got {s}")
        sizes = [builtins.min(s, n - i) for i in range(0, n, s)]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise ValueError(
                f"split: sections {sizes} sum to {builtins.sum(sizes)}, but dim {d} has size {n}"
            )
    out, start = [], 0
    idx = [slice(None)] * input.ndim
    for s in sizes:
        idx[d] = slice(start, start + s)
        out.append(input[tuple(idx)])
        start += s
    return tuple(out)


@register("chunk")
def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Split into ``chunks`` nearly equal pieces (the last may be smaller).

    Example:
        >>> import chainrule
        >>> len(chainrule.zeros(6).chunk(3))
        3
    """
    n = input.shape[normalize_dim(dim, input.ndim, "chunk")]
    return split(input, builtins.max(1, -(-n // chunks)), dim)


@register("unbind")
def unbind(input: Tensor, dim: int = 0) -> tuple:
    """Remove dimension ``dim``, returning the slices along it.

    Example:
        >>> import chainrule
        >>> len(chainrule.zeros(3, 2).unbind())
        3
    """
    d = normalize_dim(dim, input.ndim, "unbind")
    return tuple(p.squeeze(d) for p in split(input, 1, d))


@register("narrow")
def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The slice ``start:start+length`` along ``dim``.

    Example:
        >>> import chainrule
        >>> chainrule.arange(5).narrow(0, 1, 2).tolist()
        [1, 2]
    """
    d = normalize_dim(dim, input.ndim, "narrow")
    n = input.shape[d]
    if not -n <= start <= n:
        raise IndexError(
            f"narrow: start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    start = start % n if start < 0 else start
    if length < 0:
        raise ShapeError(f"narrow: length must be non-negative, got {length}")
    if start + length > n:
        raise ShapeError(
            f"narrow: start ({start}) + length ({length}) exceeds dimension size ({n})."
        )
    idx = [slice(None)] * input.ndim
    idx[d] = slice(start, start + length)
    return input[tuple(idx)]


@primitive
class Flip(Function):
    def forward(self, a, axes):
        self.axes = axes
        return np.flip(a, axis=axes)

    def backward(self, g):
        return Flip.apply(g, axes=self.axes)


@register("flip")
def flip(input: Tensor, dims: Any) -> Tensor:
    """Reverse the order of elements along ``dims``.

    Example:
        >>> import chainrule
        >>> chainrule.arange(3).flip(0).tolist()
        [2, 1, 0]
    """
    ds = (dims,) if isinstance(dims, int) else tuple(dims)
    return Flip.apply(input, axes=tuple(normalize_dim(d, input.ndim, "flip") for d in ds))


@primitive
class Roll(Function):
    def forward(self, a, shifts, axes):
        self.shifts, self.axes = shifts, axes
        return np.roll(a, shifts, axis=axes)

    def backward(self, g):
        neg = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return Roll.apply(g, shifts=neg, axes=self.axes)


@register("roll")
def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements circularly along ``dims`` (the flattened tensor when None).

    Example:
        >>> import chainrule
        >>> chainrule.arange(4).roll(1).tolist()
        [3, 0, 1, 2]
    """
    if dims is None:
        return Roll.apply(input, shifts=shifts, axes=None)
    if isinstance(shifts, int):
        shifts, dims = (shifts,), (dims,) if isinstance(dims, int) else tuple(dims)
    axes = tuple(normalize_dim(d, input.ndim, "roll") for d in dims)
    return Roll.apply(input, shifts=tuple(shifts), axes=axes)


@primitive
class ConstantPad(Function):
    def forward(self, a, widths, value):
        self.widths = widths
        return np.pad(a, widths, mode="constant", constant_values=value)

    def backward(self, g):
        idx = tuple(slice(lo, g.shape[i] - hi) for i, (lo, hi) in enumerate(self.widths))
        return g[idx]


@register("pad", method=False, functional=True)
def pad(input: Tensor, pad: Any, mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions; ``pad`` lists (left, right) pairs starting
    from the last dimension, as in ``torch.nn.functional.pad``. Modes: constant, reflect,
    replicate, circular.

    Example:
        >>> import chainrule
        >>> import chainrule.nn.functional as F
        >>> F.pad(chainrule.ones(1, 2), (1, 1)).tolist()
        [[0.0, 1.0, 1.0, 0.0]]
    """
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(
            f"pad: expected an even number of values covering at most {input.ndim} dims, got {pad}"
        )
    widths = [(0, 0)] * input.ndim
    for k in range(len(pad) // 2):
        widths[input.ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    if mode == "constant":
        if builtins.any(lo < 0 or hi < 0 for lo, hi in widths):
            for d, ((lo, hi), n) in enumerate(zip(widths, input.shape)):
                if n + lo + hi < 0:
                    raise ShapeError(
                        f"pad: negative padding ({lo}, {hi}) removes more than the {n} elements "
                        f"of dim {d} (input shape {input.shape})"
                    )
            idx = tuple(
                slice(builtins.max(-lo, 0), n - builtins.max(-hi, 0))
                for (lo, hi), n in zip(widths, input.shape)
            )
            input = input[idx]
            widths = [(builtins.max(lo, 0), builtins.max(hi, 0)) for lo, hi in widths]
        return ConstantPad.apply(input, widths=tuple(widths), value=value)
    if mode not in ("reflect", "replicate", "circular"):
        raise ValueError(
            f"pad: mode must be constant, reflect, replicate or circular, got {mode!r}"
        )
    k = len(pad) // 2
    if k > 3 or input.ndim not in (k + 1, k + 2):
        # PyTorch's kernels for the non-constant modes exist for these combinations only
        raise NotImplementedError(
            f"pad: padding size {len(pad)} is not supported for {input.ndim}D input in "
            f"{mode!r} mode (input shape {input.shape}); supported: 2D or 3D input with 2 "
            "values, 3D or 4D with 4, 4D or 5D with 6"
        )
    out = input
    for d, (lo, hi) in enumerate(widths):
        if lo == 0 and hi == 0:
            continue
        n = input.shape[d]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"pad: reflect padding ({lo}, {hi}) must be smaller than the dimension size {n} "
                f"(dim {d} of input shape {input.shape})"
            )
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError(
                f"pad: circular padding ({lo}, {hi}) wraps around more than once for dimension "
                f"size {n} (dim {d} of input shape {input.shape})"
            )
        i = np.arange(-lo, n + hi)
        if mode == "reflect":
            period = 2 * (n - 1) if n > 1 else 1
            i = np.abs(np.mod(i, period))
            i = np.where(i >= n, period - i, i)
        elif mode == "replicate":
            i = np.clip(i, 0, n - 1)
        else:
            i = np.mod(i, n)
        out = out.index_select(d, _wrap(i))
    return out


@register("contiguous")
def contiguous(input: Tensor, memory_format: Any = None) -> Tensor:
    """The tensor itself when its memory is C-contiguous, else a contiguous copy (gradients
    flow back), as PyTorch's. ``memory_format`` is accepted.

    Example:
        >>> import chainrule
        >>> x = chainrule.zeros(2, 3); x.contiguous() is x, x.t().contiguous().is_contiguous()
        (True, True)
    """
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply(input)


@primitive
class Clone(Function):
    def forward(self, a):
        return a.copy()

    def backward(self, g):
        return g

    def vjp(self, g):
        return g


@register("clone")
def clone(input: Tensor) -> Tensor:
    """A copy with its own memory (gradients flow back to the original).

    Example:
        >>> import chainrule
        >>> x = chainrule.ones(2); y = x.clone(); _ = y.zero_(); x.tolist()
        [1.0, 1.0]
    """
    return Clone.apply(input)
