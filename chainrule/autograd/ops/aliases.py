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
}


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
        if as_method and not hasattr(tensor_cls, alias) and hasattr(tensor_cls, target):
            setattr(tensor_cls, alias, getattr(tensor_cls, target))
            installed = True
        if as_function and alias not in namespace and target in namespace:
            namespace[alias] = namespace[target]
            installed = True
        if installed:
            done.append(alias)
    return done
