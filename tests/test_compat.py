"""``python -m chainrule.compat``: the PyTorch coverage inventory (issue 12 item 8)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import chainrule
from chainrule import compat


def test_rule_excludes_machinery_not_user_names():
    for name in (
        "cudnn_convolution",
        "quantize_per_tensor",
        "sym_int",
        "permute_copy",
        "native_layer_norm",
        "sparse_csr_tensor",
        "IterDataPipe",
        "untyped_storage",
    ):
        assert compat.is_irrelevant(name), name
    for name in ("conv2d", "softmax", "sparse_coo_tensor", "DataLoader", "add_", "Tensor"):
        assert not compat.is_irrelevant(name), name


def test_without_torch_the_command_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)
    assert compat.main([]) == 2
    assert "pip install torch" in capsys.readouterr().err


def test_inventory_structure_and_known_names():
    pytest.importorskip("torch")
    inv = compat.inventory()
    assert set(inv["families"]) == set(compat.FAMILIES)
    total = present = 0
    for fam, r in inv["families"].items():
        assert set(r) == {"present", "total", "percent", "missing"}
        assert 0 <= r["present"] <= r["total"] and r["present"] == r["total"] - len(r["missing"])
        assert r["percent"] == round(100.0 * r["present"] / r["total"], 1), fam
        assert not any(n.startswith("_") and not n.endswith("__") for n in r["missing"])
        total, present = total + r["total"], present + r["present"]
    assert inv["total"]["total"] == total and inv["total"]["present"] == present
    missing = {fam: set(r["missing"]) for fam, r in inv["families"].items()}
    known = {
        "torch": ["tensor", "zeros", "matmul", "no_grad", "device", "FloatTensor", "is_tensor"],
        "Tensor": ["sum", "backward", "to", "type", "new_zeros", "__add__", "absolute", "exp_"],
        "nn.functional": ["relu", "softmax", "cross_entropy", "linear", "conv2d"],
        "nn": ["Linear", "Conv2d", "LSTM", "Sequential", "Module", "CrossEntropyLoss"],
        "optim": ["SGD", "Adam", "AdamW"],
        "lr_scheduler": ["StepLR", "CosineAnnealingLR", "ReduceLROnPlateau"],
        "utils.data": ["DataLoader", "Dataset", "TensorDataset", "random_split"],
    }
    for fam, names in known.items():
        for n in names:
            assert n not in missing[fam], (fam, n)
    # an excluded name never appears, a name chainrule lacks is reported
    assert "cudnn_convolution" not in missing["torch"]
    assert not hasattr(chainrule.Tensor, "stft") and "stft" in missing["Tensor"]


def test_command_line_outputs():
    pytest.importorskip("torch")
    run = [sys.executable, "-m", "chainrule.compat"]
    table = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    lines = table.strip().splitlines()
    assert lines[1].split() == ["family", "present", "total", "percent"]
    assert [ln.split()[0] for ln in lines[2:]] == [*compat.FAMILIES, "total"]
    assert all(ln.endswith("%") for ln in lines[2:])
    out = subprocess.run(run + ["--json"], capture_output=True, text=True, check=True).stdout
    inv = json.loads(out)
    assert inv["torch_version"] and set(inv["families"]) == set(compat.FAMILIES)
    miss = subprocess.run(
        run + ["--missing", "Tensor"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert miss == inv["families"]["Tensor"]["missing"]
    bad = subprocess.run(run + ["--missing", "nope"], capture_output=True, text=True)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_readme_coverage_table_is_the_measured_one():
    """README's coverage figures are exactly what the inventory measures (no stale numbers)."""
    pytest.importorskip("torch")
    import pathlib
    import re

    readme = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text()
    rows = dict(re.findall(r"^\| `([\w.]+)` \| (\d+ / \d+) \|", readme, re.M))
    inv = compat.inventory()
    expected = {fam: f"{r['present']} / {r['total']}" for fam, r in inv["families"].items()}
    expected["total"] = f"{inv['total']['present']} / {inv['total']['total']}"
    assert rows == expected
