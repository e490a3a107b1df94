"""Checkpoint integrity: SHA-256 per tensor, headers validated exactly as strictly as
safetensors (whatever the dtypes), and corrupt headers as CheckpointError (never a raw
RecursionError/OverflowError)."""

import json
import struct

import numpy as np
import pytest

import chainrule
from chainrule.io import CheckpointError, load, save

pytest.importorskip("safetensors")


def _pack(header, body=b"", raw=None):
    h = raw if raw is not None else json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + body


def _header(data):
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + n]), 8 + n


def test_flipped_data_byte_is_reported_naming_the_tensor(tmp_path):
    p = tmp_path / "ck.safetensors"
    save({"model": {"w": chainrule.randn(4, 4), "b": chainrule.zeros(4)}, "epoch": 3}, p)
    assert load(p)["epoch"] == 3
    data = bytearray(p.read_bytes())
    header, start = _header(bytes(data))
    lo, _ = header["model.w"]["data_offsets"]
    data[start + lo + 5] ^= 0x10  # one bit of one float: still a valid number
    p.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"ck\.safetensors.*'model\.w'.*SHA-256"):
        load(p)


def test_changed_structure_number_is_reported(tmp_path):
    p = tmp_path / "ck.safetensors"
    save({"w": chainrule.ones(2), "epoch": 3}, p)
    data = p.read_bytes()
    assert data.count(b'epoch\\":3') == 1
    p.write_bytes(data.replace(b'epoch\\":3', b'epoch\\":7'))
    with pytest.raises(CheckpointError, match="structure.*SHA-256"):
        load(p)


def test_files_without_hashes_still_load(tmp_path):
    import safetensors.numpy as stnp

    p = tmp_path / "plain.safetensors"
    stnp.save_file({"fc.weight": np.arange(6, dtype=np.float32).reshape(2, 3)}, str(p))
    assert load(p)["fc.weight"].tolist() == [[0, 1, 2], [3, 4, 5]]
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    save_file({"w": torch.ones(2, dtype=torch.bfloat16)}, str(tmp_path / "t.safetensors"))
    assert load(tmp_path / "t.safetensors")["w"].tolist() == [1.0, 1.0]


def _bf16(offsets, shape=(2,)):
    return {"dtype": "BF16", "shape": list(shape), "data_offsets": list(offsets)}


CRAFTED = {
    "good": ({"a": _bf16([0, 4])}, 4),
    "two good": ({"a": _bf16([0, 4]), "b": _bf16([4, 8])}, 8),
    "listed out of order": ({"a": _bf16([4, 8]), "b": _bf16([0, 4])}, 8),
    "overlapping": ({"a": _bf16([0, 4]), "b": _bf16([0, 4])}, 4),
    "overlap partly": ({"a": _bf16([0, 4]), "b": _bf16([2, 6])}, 8),
    "gap at start": ({"a": _bf16([4, 8])}, 8),
    "out of range": ({"a": _bf16([0, 4]), "b": _bf16([4, 8])}, 6),
    "reversed": ({"a": _bf16([4, 0])}, 4),
    "size mismatch": ({"a": _bf16([0, 6])}, 6),
    "mixed with f32, overlap": (
        {"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "b": _bf16([2, 6])},
        6,
    ),
    "bool shape": ({"a": _bf16([0, 2], shape=[True])}, 2),
    "huge shape": ({"a": _bf16([0, 4], shape=[2**63, 2])}, 4),
    "huge product": ({"a": _bf16([0, 4], shape=[2**40, 2**40])}, 4),
    "negative shape": ({"a": _bf16([0, 4], shape=[-2])}, 4),
    "unknown dtype": ({"a": {"dtype": "X16", "shape": [2], "data_offsets": [0, 4]}}, 4),
}


@pytest.mark.parametrize("name", list(CRAFTED))
def test_crafted_headers_match_safetensors_verdict(tmp_path, name):
    from safetensors import deserialize

    header, size = CRAFTED[name]
    data = _pack(header, bytes(range(size)))
    try:
        deserialize(data)
        accepted = True
    except Exception:  # noqa: BLE001 - safetensors' own error type
        accepted = False
    p = tmp_path / "crafted.safetensors"
    p.write_bytes(data)
    if accepted:
        out = load(p)
        assert set(out) == {k for k in header if k != "__metadata__"}
    else:
        with pytest.raises(CheckpointError, match="crafted.safetensors"):
            load(p)


def test_deeply_nested_header_is_a_checkpoint_error(tmp_path):
    p = tmp_path / "deep.safetensors"
    for raw in (b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}", b"{" + b'"a":{' * 50_000):
        p.write_bytes(_pack(None, raw=raw))
        with pytest.raises(CheckpointError, match="deep.safetensors"):
            load(p)


def test_deeply_nested_structure_is_a_checkpoint_error(tmp_path):
    import safetensors.numpy as stnp

    deep = '{"root":' + "[" * 100_000 + "]" * 100_000 + "}"
    meta = {"chainrule.format": "chainrule.checkpoint/1", "chainrule.structure": deep}
    p = tmp_path / "deep.safetensors"
    p.write_bytes(stnp.save({"w": np.ones(1, np.float32)}, metadata=meta))
    with pytest.raises(CheckpointError, match="deep.safetensors.*nested too deeply"):
        load(p)


def test_shape_beyond_int64_is_a_checkpoint_error(tmp_path):
    p = tmp_path / "big.safetensors"
    header = {"a": {"dtype": "F32", "shape": [2**63], "data_offsets": [0, 4]}}
    p.write_bytes(_pack(header, b"\0" * 4))
    with pytest.raises(CheckpointError, match="big.safetensors"):
        load(p)


def test_damaged_hash_metadata_is_a_checkpoint_error(tmp_path):
    p = tmp_path / "ck.safetensors"
    save({"w": chainrule.ones(2)}, p)
    data = p.read_bytes()
    header, start = _header(data)
    header["__metadata__"]["chainrule.sha256"] = "{broken"
    h = json.dumps(header).encode()
    p.write_bytes(struct.pack("<Q", len(h)) + h + data[start:])
    with pytest.raises(CheckpointError, match="chainrule.sha256"):
        load(p)
