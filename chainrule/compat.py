"""How much of PyTorch's public API chainrule has: ``python -m chainrule.compat``.

Walks PyTorch's public inventory (torch must be installed; it is imported only when this runs,
never by ``import chainrule``) and reports, per family, how many names chainrule has::

    python -m chainrule.compat                   # table: family, present, total, percent
    python -m chainrule.compat --missing Tensor  # the missing names of one family
    python -m chainrule.compat --json            # everything, machine-readable

Families and where each name is looked up in chainrule:

==================  =================================  =====================================
family              PyTorch names                      chainrule counterpart
==================  =================================  =====================================
``torch``           functions in ``torch`` (+ a few     ``chainrule.<name>``
                    user-facing classes: ``Tensor``,
                    ``Generator``, ``Size``, ``device``,
                    grad modes, legacy typed tensors)
``Tensor``          methods of ``torch.Tensor``         ``chainrule.Tensor.<name>``
                    (+ Python operator methods)
``nn.functional``   functions of ``torch.nn.functional``  ``chainrule.nn.functional.<name>``
``nn``              ``torch.nn`` classes that are       ``chainrule.nn.<name>``
                    ``Module`` subclasses
``optim``           ``torch.optim`` optimizer classes   ``chainrule.optim.<name>``
``lr_scheduler``    ``torch.optim.lr_scheduler``        ``chainrule.optim.lr_scheduler.<name>``
                    scheduler classes
``utils.data``      ``torch.utils.data.__all__``         ``chainrule.utils.data.<name>``
==================  =================================  =====================================

The counting rule (the same for every family):

* only callable public names count: a leading underscore is private (except the Python
  operator methods of ``Tensor``: ``__add__``, ``__iadd__``, ``__getitem__`` ...); constants,
  dtypes and submodules are not counted;
* names from PyTorch's machinery that no user program calls are excluded, by the patterns in
  :data:`IRRELEVANT`: other devices and vendor kernels (``cuda``, ``cudnn``, ``mkldnn``, ``mps``
  ...), quantization, TorchScript/JIT and symbolic-shape internals (``sym_*``, ``parse_ir`` ...),
  compressed-sparse layouts (CSR/CSC/BSR/BSC), nested tensors, functionalization copies
  (``*_copy``), native/backward kernels (``native_*``, ``*_backward``), storage internals,
  the deprecated DataPipes of ``torch.utils.data``;
* a name counts as present when the chainrule counterpart exists (``hasattr``); an entry that
  exists only to raise a clear "not supported here" error (e.g. ``Tensor.cuda``) counts as
  present, since a ported program gets PyTorch's behaviour on a CPU-only machine.

Example:
    >>> import chainrule.compat as compat
    >>> compat.is_irrelevant("cudnn_convolution"), compat.is_irrelevant("conv2d")
    (True, False)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import types
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["IRRELEVANT", "FAMILIES", "inventory", "is_irrelevant", "main"]

IRRELEVANT: tuple[str, ...] = (
    # other devices and vendor kernels
    r"cuda|cudnn|miopen|mkldnn|mps|xpu|xla|ipu|hpu|mtia|maia|vulkan|fbgemm|dlpack",
    # quantization
    r"quant|qint|quint|^q_|qscheme|int_repr|qparams",
    # TorchScript / JIT / symbolic shapes / autocast internals
    r"^sym_|^fake_|fused_|^(parse_ir|parse_schema|parse_type_comment|import_ir_module\w*|"
    r"merge_type_from_type_comment|unify_type_list|fork|wait|classproperty|get_file_path|"
    r"prepare_multiprocessing_environment|thread_safe_generator|compiled_with_cxx11_abi|"
    r"autocast_(increment|decrement)_nesting|clear_autocast_cache|init_num_threads|typename|"
    r"while_loop|cond)$|^profiler_",
    # native kernels, backward kernels, internal RNN cells and sparse products
    r"^native_|_backward|^batch_norm_(elemt|stats|gather|update|backward)|segment_reduce|"
    r"^(conv_tbc|embedding_renorm_|norm_except_dim|rnn_tanh|rnn_relu|gru|lstm|hsmm|dsmm|saddmm|"
    r"smm|hspmm|spmm|sspaddmm|convolution|constant_pad_nd|grid_sampler_[23]d|"
    r"affine_grid_generator|max_pool1d_with_indices)$|_cell$",
    # compressed sparse layouts, nested tensors, functionalization copies
    r"sparse_(csr|csc|bsr|bsc|compressed)|_csr|_csc|_bsr|_bsc|crow_|ccol_|^row_indices|"
    r"^col_indices|nested|_copy$",
    # deprecated DataPipes (torch.utils.data's torchdata leftovers)
    r"DataPipe|datapipe|DataChunk|argument_validation|runtime_validation|non_deterministic",
    # storage internals
    r"^(storage|untyped_storage|storage_type|record_stream|module_load|as_subclass|reinforce|"
    r"is_storage|from_file|set_default_tensor_type)$",
)
_IRRELEVANT_RE = re.compile("|".join(f"(?:{p})" for p in IRRELEVANT))

_TORCH_CLASSES = (
    "Tensor",
    "Generator",
    "Size",
    "device",
    "finfo",
    "iinfo",
    "no_grad",
    "enable_grad",
    "inference_mode",
    "set_grad_enabled",
    "autocast",
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "BFloat16Tensor",
    "LongTensor",
    "IntTensor",
    "ShortTensor",
    "CharTensor",
    "ByteTensor",
    "BoolTensor",
)
_TORCH_FN_MODULES = ("torch", "torch.functional", "torch.random", "torch.serialization", None)
_F_MODULES = ("torch.nn.functional", "torch", "torch._C._nn")

_OPERATORS = frozenset(
    f"__{n}__"
    for n in (
        "add radd iadd sub rsub isub mul rmul imul truediv rtruediv itruediv floordiv "
        "rfloordiv ifloordiv mod rmod imod pow rpow ipow matmul rmatmul imatmul and rand iand "
        "or ror ior xor rxor ixor lshift rlshift ilshift rshift rrshift irshift neg pos abs "
        "invert eq ne lt le gt ge getitem setitem len iter contains bool int float index "
        "complex format array reversed"
    ).split()
)

FAMILIES = ("torch", "Tensor", "nn.functional", "nn", "optim", "lr_scheduler", "utils.data")


def is_irrelevant(name: str) -> bool:
    """True for names excluded from the inventory by :data:`IRRELEVANT`.

    Example:
        >>> is_irrelevant("quantize_per_tensor"), is_irrelevant("permute_copy")
        (True, True)
    """
    return bool(_IRRELEVANT_RE.search(name))


def _public(names: Iterable[str], operators: bool = False) -> list[str]:
    out = []
    for n in names:
        if n.startswith("_") and not (operators and n in _OPERATORS):
            continue
        if is_irrelevant(n):
            continue
        out.append(n)
    return sorted(set(out))


def _torch_names(torch: Any) -> dict[str, list[str]]:
    import torch.nn.functional as F
    import torch.optim.lr_scheduler as S
    import torch.utils.data as D

    fams: dict[str, list[str]] = {}
    names = []
    for n in dir(torch):
        o = getattr(torch, n, None)
        if isinstance(o, types.ModuleType) or not callable(o):
            continue
        if isinstance(o, type):
            if n in _TORCH_CLASSES:
                names.append(n)
            continue
        if getattr(o, "__module__", None) in _TORCH_FN_MODULES:
            names.append(n)
    fams["torch"] = _public(names)
    fams["Tensor"] = _public(
        (n for n in dir(torch.Tensor) if callable(getattr(torch.Tensor, n, None))), operators=True
    )
    fams["nn.functional"] = _public(
        n
        for n in dir(F)
        if callable(getattr(F, n))
        and not isinstance(getattr(F, n), (type, types.ModuleType))
        and getattr(getattr(F, n), "__module__", None) in _F_MODULES
    )
    fams["nn"] = _public(
        n
        for n in dir(torch.nn)
        if isinstance(getattr(torch.nn, n), type)
        and issubclass(getattr(torch.nn, n), torch.nn.Module)
    )
    opt = torch.optim.Optimizer
    fams["optim"] = _public(
        n
        for n in dir(torch.optim)
        if isinstance(getattr(torch.optim, n), type) and issubclass(getattr(torch.optim, n), opt)
    )
    base = getattr(S, "LRScheduler", None) or S._LRScheduler
    fams["lr_scheduler"] = _public(
        n
        for n in dir(S)
        if isinstance(getattr(S, n), type)
        and (issubclass(getattr(S, n), base) or n == "ReduceLROnPlateau")
    )
    fams["utils.data"] = _public(D.__all__)
    return fams


def _ours() -> dict[str, Callable[[str], bool]]:
    import chainrule
    import chainrule.nn.functional as F
    import chainrule.optim.lr_scheduler as S

    def has(obj: Any) -> Callable[[str], bool]:
        return lambda n: hasattr(obj, n)

    return {
        "torch": has(chainrule),
        "Tensor": has(chainrule.Tensor),
        "nn.functional": has(F),
        "nn": has(chainrule.nn),
        "optim": has(chainrule.optim),
        "lr_scheduler": has(S),
        "utils.data": has(chainrule.utils.data),
    }


def inventory() -> dict[str, Any]:
    """Compare chainrule with the installed PyTorch. Returns ``{"torch_version": ...,
    "families": {family: {"present", "total", "percent", "missing"}}, "total": {...}}``.

    Raises ``ImportError`` (with the install hint) when torch is not installed.

    Example:
        >>> inv = inventory()  # doctest: +SKIP
        >>> inv["families"]["Tensor"]["percent"]  # doctest: +SKIP
        61.3
    """
    try:
        import torch
    except ImportError:
        raise ImportError(
            "chainrule.compat needs PyTorch to list its API: pip install torch "
            "(the CPU build: --index-url https://download.pytorch.org/whl/cpu)"
        ) from None
    theirs = _torch_names(torch)
    ours = _ours()
    fams = {}
    tot_present = tot = 0
    for fam in FAMILIES:
        names = theirs[fam]
        missing = [n for n in names if not ours[fam](n)]
        present = len(names) - len(missing)
        fams[fam] = {
            "present": present,
            "total": len(names),
            "percent": round(100.0 * present / len(names), 1) if names else 100.0,
            "missing": missing,
        }
        tot_present += present
        tot += len(names)
    return {
        "torch_version": str(torch.__version__),
        "families": fams,
        "total": {
            "present": tot_present,
            "total": tot,
            "percent": round(100.0 * tot_present / tot, 1) if tot else 100.0,
        },
    }


def _table(inv: dict[str, Any]) -> str:
    lines = [
        f"chainrule vs torch {inv['torch_version']} (public callable names; rule: "
        "python -m pydoc chainrule.compat)",
        f"{'family':<16}{'present':>9}{'total':>8}{'percent':>9}",
    ]
    for fam, r in inv["families"].items():
        lines.append(f"{fam:<16}{r['present']:>9}{r['total']:>8}{r['percent']:>8.1f}%")
    t = inv["total"]
    lines.append(f"{'total':<16}{t['present']:>9}{t['total']:>8}{t['percent']:>8.1f}%")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring); returns the exit status.

    Example:
        >>> main(["--missing", "nope"])  # doctest: +SKIP
        2
    """
    p = argparse.ArgumentParser(
        prog="python -m chainrule.compat",
        description="How much of PyTorch's public API chainrule has, per family.",
    )
    p.add_argument("--json", action="store_true", help="print the whole inventory as JSON")
    p.add_argument(
        "--missing", metavar="FAMILY", choices=FAMILIES, help="list the missing names of FAMILY"
    )
    args = p.parse_args(argv)
    try:
        inv = inventory()
    except ImportError as e:
        print(f"chainrule.compat: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(inv, indent=1))
    elif args.missing:
        print("\n".join(inv["families"][args.missing]["missing"]))
    else:
        print(_table(inv))
    return 0


if __name__ == "__main__":  # pragma: no cover - the command line
    sys.exit(main())
