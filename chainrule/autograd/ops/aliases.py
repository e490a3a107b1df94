"""PyTorch's second names for existing ops (``absolute`` for ``abs``, ``greater`` for ``gt``,
``arccos`` for ``acos`` ...), installed centrally after every op family is registered.

Each row is ``alias: (target, as_method, as_function)``, with the two flags saying where PyTorch
has the alias (``torch.Tensor.alias`` / ``torch.alias``). An alias is the target's own function
object; it is installed only when the target exists and the alias is not already defined (so an
op family that registers the name itself wins, and aliases of ops added later appear as soon as
the target does).

Example:
    >>> import chainrule
    >>> x = chainrule.tensor([-1.0, 2.0])
    >>> x.absolute().tolist(), chainrule.greater(x, 0).tolist(), x.negative().tolist()
    ([1.0, 2.0], [False, True], [1.0, -2.0])
"""

from __future__ import annotations

from typing import Any

ALIASES: dict[str, tuple[str, bool, bool]] = {
    "absolute": ("abs", True, True),
    "absolute_": ("abs_", True, False),
    "arccos": ("acos", True, True),
    "arccos_": ("acos_", True, True),
    "arccosh": ("acosh", True, True),
    "arccosh_": ("acosh_", True, True),
    "arcsin": ("asin", True, True),
    "arcsin_": ("asin_", True, True),
    "arcsinh": ("asinh", True, True),
    "arcsinh_": ("asinh_", True, True),
    "arctan": ("atan", True, True),
    "arctan_": ("atan_", True, True),
    "arctan2": ("atan2", True, True),
    "arctan2_": ("atan2_", True, False),
    "arctanh": ("atanh", True, True),
    "arctanh_": ("atanh_", True, True),
    "negative": ("neg", True, True),
    "negative_": ("neg_", True, True),
    "subtract": ("sub", True, True),
    "subtract_": ("sub_", True, False),
    "multiply": ("mul", True, True),
    "multiply_": ("mul_", True, False),
    "divide": ("div", True, True),
    "divide_": ("div_", True, False),
    "true_divide": ("div", True, True),
    "true_divide_": ("div_", True, False),
    "greater": ("gt", True, True),
    "greater_": ("gt_", True, False),
    "greater_equal": ("ge", True, True),
    "greater_equal_": ("ge_", True, False),
    "less": ("lt", True, True),
    "less_": ("lt_", True, False),
    "less_equal": ("le", True, True),
    "less_equal_": ("le_", True, False),
    "not_equal": ("ne", True, True),
    "not_equal_": ("ne_", True, False),
    "clip": ("clamp", True, True),
    "clip_": ("clamp_", True, True),
    "fix": ("trunc", True, True),
    "fix_": ("trunc_", True, True),
    "swapdims": ("transpose", True, True),
    "swapaxes": ("transpose", True, True),
    "swapdims_": ("transpose_", True, False),
    "swapaxes_": ("transpose_", True, False),
    "moveaxis": ("movedim", True, True),
    "ger": ("outer", True, True),
    "concat": ("cat", False, True),
    "concatenate": ("cat", False, True),
    "sgn": ("sign", True, True),
    "sgn_": ("sign_", True, False),
    "split_with_sizes": ("split", True, True),
    "unsafe_split": ("split", True, True),
    "unsafe_chunk": ("chunk", True, True),
    "row_stack": ("vstack", False, True),
    # Python operators: commutative reflections, and augmented forms of in-place methods
    "__rand__": ("__and__", True, False),
    "__ror__": ("__or__", True, False),
    "__rxor__": ("__xor__", True, False),
    "__pos__": ("positive", True, False),
    "__lshift__": ("bitwise_left_shift", True, False),
    "__rshift__": ("bitwise_right_shift", True, False),
    "__ipow__": ("pow_", True, False),
    "__imod__": ("remainder_", True, False),
    "__ifloordiv__": ("floor_divide_", True, False),
    "__iand__": ("bitwise_and_", True, False),
    "__ior__": ("bitwise_or_", True, False),
    "__ixor__": ("bitwise_xor_", True, False),
    "__ilshift__": ("bitwise_left_shift_", True, False),
    "__irshift__": ("bitwise_right_shift_", True, False),
}

# PyTorch's in-place methods ``name_`` whose meaning is ``self.copy_(self.name(...))`` (every
# in-place method of torch.Tensor with an out-of-place twin, except the random fills and the
# ones that change the shape). :func:`install_inplace` defines each missing one that way, so it
# follows ``copy_``'s in-place rules (version counter, refusal or recording under autograd).
INPLACE: tuple[str, ...] = tuple(
    """abs_ absolute_ acos_ acosh_ add_ addbmm_ addcdiv_ addcmul_ addmm_ addmv_ addr_ arccos_
    arccosh_ arcsin_ arcsinh_ arctan2_ arctan_ arctanh_ asin_ asinh_ atan2_ atan_ atanh_ baddbmm_
    bitwise_and_ bitwise_left_shift_ bitwise_not_ bitwise_or_ bitwise_right_shift_ bitwise_xor_
    ceil_ clamp_ clamp_max_ clamp_min_ clip_ conj_physical_ copysign_ cos_ cosh_ cumprod_ cumsum_
    deg2rad_ digamma_ div_ divide_ eq_ erf_ erfc_ erfinv_ exp2_ exp_ expm1_ fix_ float_power_
    floor_ floor_divide_ fmod_ frac_ gcd_ ge_ greater_ greater_equal_ gt_ heaviside_ hypot_ i0_
    igamma_ igammac_ index_add_ index_copy_ index_fill_ index_put_ index_reduce_ lcm_ ldexp_ le_
    lerp_ less_ less_equal_ lgamma_ log10_ log1p_ log2_ log_ logical_and_ logical_not_
    logical_or_ logical_xor_ logit_ lt_ masked_fill_ masked_scatter_ mul_ multiply_ mvlgamma_
    nan_to_num_ ne_ neg_ negative_ nextafter_ not_equal_ polygamma_ pow_ put_ rad2deg_
    reciprocal_ relu_ remainder_ renorm_ round_ rsqrt_ scatter_ scatter_add_ scatter_reduce_
    sgn_ sigmoid_ sign_ sin_ sinc_ sinh_ sqrt_ square_ sub_ subtract_ tan_ tanh_ tril_ triu_
    true_divide_ trunc_ xlogy_""".split()
)


def _inplace(name: str, base: Any) -> Any:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        self._check_inplace(name)
        return self.copy_(base(self, *args, **kwargs))

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In place: ``self.copy_(self.{name[:-1]}(...))``; returns self."
    return method


def install_inplace(tensor_cls: type) -> list[str]:
    """Define each missing in-place method of :data:`INPLACE` whose out-of-place twin exists.

    Example:
        >>> import chainrule
        >>> x = chainrule.tensor([-1.5, 2.0]); x.abs_() is x, x.tolist()
        (True, [1.5, 2.0])
    """
    done = []
    for name in INPLACE:
        base = getattr(tensor_cls, name[:-1], None)
        if base is not None and not _defined(tensor_cls, name):
            setattr(tensor_cls, name, _inplace(name, base))
            done.append(name)
    return done


def _defined(cls: type, name: str) -> bool:
    # not hasattr: the metaclass `type` answers for some dunders (`__ror__` on Python >= 3.10)
    return any(name in k.__dict__ for k in cls.__mro__ if k is not object)


def install_aliases(tensor_cls: type, namespace: dict[str, Any]) -> list[str]:
    """Install every alias whose target exists and whose name is still free; returns the
    names installed.

    Example:
        >>> import chainrule
        >>> chainrule.Tensor.multiply is chainrule.Tensor.mul
        True
    """
    done = []
    for alias, (target, as_method, as_function) in ALIASES.items():
        installed = False
        if as_method and not _defined(tensor_cls, alias) and _defined(tensor_cls, target):
            setattr(tensor_cls, alias, getattr(tensor_cls, target))
            installed = True
        if as_function and alias not in namespace and target in namespace:
            namespace[alias] = namespace[target]
            installed = True
        if installed:
            done.append(alias)
    return done
