"""chainrule.io: safetensors checkpoints (round trips, exact resume, corrupt files, atomic
writes, PyTorch interop)."""

import io
import json
import os
import struct

import numpy as np
import pytest

import chainrule
from chainrule.io import CheckpointError, load, save
from chainrule.io import checkpoint as ckpt

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "bool", "uint8"]


def _eq(a, b):
    """Deep equality for checkpoint structures (tensors by dtype, shape and values)."""
    if isinstance(a, chainrule.Tensor):
        assert isinstance(b, chainrule.Tensor)
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b)
        for k in a:
            _eq(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _eq(x, y)
    else:
        assert type(a) is type(b) and a == b, (a, b)


# -- round trips ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_dtypes_preserved(tmp_path, dtype):
    rng = np.random.default_rng(0)
    arr = (rng.standard_normal((3, 4)) * 10).astype(dtype)
    path = tmp_path / "t.safetensors"
    save({"x": chainrule.tensor(arr), "scalar": chainrule.tensor(arr[0, 0], dtype=dtype)}, path)
    out = load(path)
    assert out["x"].dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out["x"].numpy(), arr)
    assert out["scalar"].shape == () and out["scalar"].dtype == np.dtype(dtype)


def test_nested_round_trip_with_metadata(tmp_path):
    obj = {
        "model": {"fc1.weight": chainrule.randn(4, 3), "fc1.bias": chainrule.zeros(4)},
        "optimizer": {
            "state": {0: {"step": 7, "exp_avg": chainrule.randn(4, 3)}, 1: {"step": 7}},
            "param_groups": [
                {"lr": 1e-3, "betas": [0.9, 0.999], "params": [0, 1], "nesterov": False}
            ],
        },
        "epoch": 12,
        "best": 0.9731,
        "note": "résumé ✓",
        "missing": None,
        "shape": (2, 3),
        "history": [1.5, 1.25, {"val": [0.5, chainrule.ones(2, dtype=chainrule.float64)]}],
        "raw": np.arange(6, dtype=np.int32).reshape(2, 3),
        "empty": chainrule.zeros(0, 5),
        "mixed_keys": {1: "a", "1": "b", 2.5: "c", None: "d", False: "e"},
        "looks_like_marker": {"__tensor__": "not a tensor"},
        "nan": float("inf"),
    }
    path = tmp_path / "ck.safetensors"
    save(obj, path)
    back = load(path)
    _eq(obj, back)
    assert isinstance(back["optimizer"]["state"], dict) and list(back["optimizer"]["state"]) == [
        0,
        1,
    ]
    assert back["model"]["fc1.weight"].requires_grad is False


def test_flat_state_dict_uses_its_own_names(tmp_path):
    from safetensors.numpy import load_file

    sd = {"layer.0.weight": chainrule.randn(2, 2), "layer.0.bias": chainrule.zeros(2)}
    path = tmp_path / "sd.safetensors"
    save(sd, path)
    raw = load_file(str(path))  # any safetensors reader sees the plain state dict
    assert sorted(raw) == sorted(sd)
    np.testing.assert_array_equal(raw["layer.0.weight"], sd["layer.0.weight"].numpy())
    assert list(load(path)) == list(sd)  # order kept


def test_top_level_tensor_list_and_key_collisions(tmp_path):
    t = chainrule.arange(3)
    save(t, tmp_path / "a")
    _eq(t, load(tmp_path / "a"))
    obj = {"a.b": chainrule.ones(1), "a": {"b": chainrule.zeros(1)}}  # same dotted path
    save(obj, tmp_path / "b")
    _eq(obj, load(tmp_path / "b"))
    lst = [chainrule.ones(2), [chainrule.zeros(1)], 3]
    save(lst, tmp_path / "c")
    _eq(lst, load(tmp_path / "c"))


def test_shared_tensor_stored_once_and_stays_shared(tmp_path):
    w = chainrule.randn(3, 3)
    save({"enc": w, "dec": w}, tmp_path / "tied")
    from safetensors.numpy import load_file

    assert list(load_file(str(tmp_path / "tied"))) == ["enc"]
    back = load(tmp_path / "tied")
    assert back["enc"] is back["dec"]


def test_non_contiguous_and_parameter(tmp_path):
    x = chainrule.arange(12).reshape(3, 4).T  # a non-contiguous view
    w = chainrule.randn(2, 2, requires_grad=True)
    save({"x": x, "w": w}, tmp_path / "v")
    back = load(tmp_path / "v")
    np.testing.assert_array_equal(back["x"].numpy(), x.numpy())
    np.testing.assert_array_equal(back["w"].numpy(), w.detach().numpy())


def test_file_objects_and_map_location(tmp_path):
    buf = io.BytesIO()
    save({"a": chainrule.ones(2)}, buf)
    out = load(io.BytesIO(buf.getvalue()), map_location="cpu")
    assert out["a"].tolist() == [1.0, 1.0]
    with open(tmp_path / "f", "wb") as f:
        save({"a": 1}, f)
    with open(tmp_path / "f", "rb") as f:
        assert load(f) == {"a": 1}


def test_unsupported_objects_are_refused(tmp_path):
    with pytest.raises(TypeError, match="cannot store an object of type object at 'x.y'"):
        save({"x": {"y": object()}}, tmp_path / "bad")
    with pytest.raises(TypeError, match="dict keys"):
        save({(1, 2): 3}, tmp_path / "bad")
    with pytest.raises(TypeError, match="dtype"):
        save({"c": np.zeros(2, dtype=np.complex64)}, tmp_path / "bad")
    assert not (tmp_path / "bad").exists()
    assert os.listdir(tmp_path) == []


def test_no_pickle_is_ever_used(tmp_path, monkeypatch):
    import pickle

    def boom(*a, **k):
        raise AssertionError("pickle used")

    monkeypatch.setattr(pickle, "loads", boom)
    monkeypatch.setattr(pickle, "load", boom)
    monkeypatch.setattr(pickle, "dumps", boom)
    monkeypatch.setattr(pickle, "dump", boom)
    monkeypatch.setattr(np, "load", boom)
    save({"a": chainrule.ones(1), "meta": {"k": [1, 2]}}, tmp_path / "p")
    assert load(tmp_path / "p")["meta"] == {"k": [1, 2]}


# -- resume exactly ------------------------------------------------------------------------------
def _problem():
    rng = np.random.default_rng(1)
    X = chainrule.tensor(rng.standard_normal((32, 5)).astype(np.float32))
    y = chainrule.tensor(rng.standard_normal((32, 1)).astype(np.float32))
    return X, y


def _params(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "w1": chainrule.tensor(rng.standard_normal((5, 8)).astype(np.float32), requires_grad=True),
        "b1": chainrule.zeros(8, requires_grad=True),
        "w2": chainrule.tensor(rng.standard_normal((8, 1)).astype(np.float32), requires_grad=True),
    }


def _train(params, opt, X, y, steps):
    for _ in range(steps):
        opt.zero_grad()
        h = (X @ params["w1"] + params["b1"]).tanh()
        loss = ((h @ params["w2"] - y) ** 2).mean()
        loss.backward()
        opt.step()


@pytest.mark.parametrize(
    "make",
    [
        lambda p: chainrule.optim.Adam(p, lr=0.01, amsgrad=True),
        lambda p: chainrule.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
        lambda p: chainrule.optim.AdamW(p, lr=0.01, weight_decay=0.1),
    ],
    ids=["adam", "sgd-momentum", "adamw"],
)
def test_resume_is_exact(tmp_path, make):
    import chainrule.optim  # noqa: F401

    X, y = _problem()
    ref = _params()
    opt = make(list(ref.values()))
    _train(ref, opt, X, y, 10)

    first = _params()
    opt1 = make(list(first.values()))
    _train(first, opt1, X, y, 5)
    path = tmp_path / "resume.safetensors"
    save(
        {
            "model": {k: v.detach() for k, v in first.items()},
            "optimizer": opt1.state_dict(),
            "step": 5,
            "rng": chainrule.get_rng_state(),
        },
        path,
    )
    del first, opt1

    ck = load(path)
    fresh = _params(seed=123)  # different initial values: all must come from the checkpoint
    with chainrule.no_grad():
        for k, v in fresh.items():
            v.data = ck["model"][k]
    opt2 = make(list(fresh.values()))
    opt2.load_state_dict(ck["optimizer"])
    assert ck["step"] == 5
    chainrule.set_rng_state(ck["rng"])
    _train(fresh, opt2, X, y, 5)
    for k in ref:
        np.testing.assert_array_equal(fresh[k].detach().numpy(), ref[k].detach().numpy())


# -- corrupt files -------------------------------------------------------------------------------
@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.safetensors"
    save({"w": chainrule.randn(16, 16), "epoch": 3}, path)
    return path


def test_truncated_file(good_file, tmp_path):
    data = good_file.read_bytes()
    for cut in [0, 5, 8, 20, len(data) // 2, len(data) - 1]:
        p = tmp_path / f"cut{cut}.safetensors"
        p.write_bytes(data[:cut])
        with pytest.raises(CheckpointError, match=r"cut\d+\.safetensors.*(truncated|too short)"):
            load(p)


def test_garbage_and_foreign_files(tmp_path):
    cases = {
        "text.txt": (b"hello world, this is not a checkpoint at all", "not a safetensors file"),
        "model.pt": (b"PK\x03\x04" + b"\x00" * 100, "torch.save"),
        "pickle.pkl": (b"\x80\x04\x95" + b"\x00" * 40, "pickle"),
        "arr.npy": (b"\x93NUMPY\x01\x00" + b"\x00" * 40, "NumPy"),
        "random.bin": (np.random.default_rng(0).bytes(500), "not a safetensors file"),
    }
    for name, (data, msg) in cases.items():
        p = tmp_path / name
        p.write_bytes(data)
        with pytest.raises(CheckpointError, match=msg) as e:
            load(p)
        assert name in str(e.value)
    with pytest.raises(CheckpointError, match="directory"):
        load(tmp_path)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.safetensors")


def _rewrite_header(path, fn):
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    header = fn(header)
    h = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(h)) + h + data[8 + n :])


def test_corrupt_headers(good_file):
    def bad_json(path):
        data = path.read_bytes()
        (n,) = struct.unpack("<Q", data[:8])
        path.write_bytes(data[:8] + b"{" + b"x" * (n - 1) + data[8 + n :])

    def wrong_shape(h):
        h["w"]["shape"] = [16, 15]
        return h

    def bad_offsets(h):
        h["w"]["data_offsets"] = [10**6, 10**6 + 1024]
        return h

    def bad_structure(h):
        h["__metadata__"]["chainrule.structure"] = "{not json"
        return h

    def dangling(h):
        h["__metadata__"]["chainrule.structure"] = json.dumps({"root": {"__tensor__": "zzz"}})
        h["__metadata__"].pop("chainrule.structure.sha256")  # as written by a buggy writer
        return h

    def future(h):
        h["__metadata__"]["chainrule.format"] = "chainrule.checkpoint/99"
        return h

    cases = [
        (lambda p: bad_json(p), "not valid JSON"),
        (lambda p: _rewrite_header(p, wrong_shape), "needs 960 bytes"),
        (lambda p: _rewrite_header(p, bad_offsets), "truncated"),
        (lambda p: _rewrite_header(p, bad_structure), "structure metadata"),
        (lambda p: _rewrite_header(p, dangling), "'zzz'"),
        (lambda p: _rewrite_header(p, future), "not supported"),
    ]
    original = good_file.read_bytes()
    for corrupt, msg in cases:
        good_file.write_bytes(original)
        corrupt(good_file)
        with pytest.raises(CheckpointError, match=msg) as e:
            load(good_file)
        assert "good.safetensors" in str(e.value)
        assert isinstance(e.value, ValueError)


def test_trailing_garbage(good_file):
    with open(good_file, "ab") as f:
        f.write(b"extra")
    with pytest.raises(CheckpointError, match="cover"):
        load(good_file)


# -- atomic writes ---------------------------------------------------------------------------------
def test_atomic_write_failure_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "ck.safetensors"
    save({"v": chainrule.tensor([1.0]), "epoch": 1}, path)
    before = path.read_bytes()

    def crash(fh, data):  # half the bytes reach the disk, then the "machine dies"
        fh.write(data[: len(data) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(ckpt, "_write_all", crash)
    with pytest.raises(OSError, match="disk full"):
        save({"v": chainrule.tensor([2.0]), "epoch": 2}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ck.safetensors"]
    assert load(path)["epoch"] == 1

    monkeypatch.undo()

    def no_fsync(fd):
        raise OSError("fsync failed")

    monkeypatch.setattr(ckpt.os, "fsync", no_fsync)
    with pytest.raises(OSError, match="fsync"):
        save({"epoch": 3}, path)
    assert os.listdir(tmp_path) == ["ck.safetensors"] and load(path)["epoch"] == 1

    monkeypatch.undo()
    save({"epoch": 4}, path)  # and a good save replaces it
    assert load(path) == {"epoch": 4} and os.listdir(tmp_path) == ["ck.safetensors"]


def test_keyboard_interrupt_mid_write_cleans_up(tmp_path, monkeypatch):
    def interrupt(fh, data):
        raise KeyboardInterrupt

    monkeypatch.setattr(ckpt, "_write_all", interrupt)
    with pytest.raises(KeyboardInterrupt):
        save({"a": 1}, tmp_path / "new.safetensors")
    assert os.listdir(tmp_path) == []


def test_saved_file_permissions_follow_umask(tmp_path):
    path = tmp_path / "perm.safetensors"
    save({"a": 1}, path)
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
    os.chmod(path, 0o600)
    save({"a": 2}, path)  # an existing file keeps its mode
    assert path.stat().st_mode & 0o777 == 0o600


def test_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save({"a": 1}, tmp_path / "no" / "such" / "file")


def test_missing_safetensors_gives_install_hint(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name.startswith("safetensors"):
            raise ImportError("No module named 'safetensors'")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ImportError, match="pip install safetensors"):
        save({"a": 1}, io.BytesIO())


def test_import_chainrule_does_not_import_safetensors():
    import subprocess
    import sys

    code = (
        "import sys, chainrule, chainrule.io, chainrule.data; print('safetensors' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- foreign safetensors files (PyTorch) -----------------------------------------------------------
def test_plain_safetensors_from_numpy(tmp_path):
    from safetensors.numpy import save_file

    arrs = {"a": np.arange(4, dtype=np.float32), "b": np.ones((2, 2), dtype=np.int64)}
    save_file(arrs, str(tmp_path / "plain.safetensors"))
    out = load(tmp_path / "plain.safetensors")
    assert set(out) == {"a", "b"} and all(isinstance(v, chainrule.Tensor) for v in out.values())
    assert out["b"].dtype == chainrule.int64


def test_bfloat16_from_torch_widens_to_float32(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    t = torch.randn(3, 4).to(torch.bfloat16)
    save_file({"bf": t, "f": torch.ones(2)}, str(tmp_path / "bf.safetensors"))
    out = load(tmp_path / "bf.safetensors")
    assert out["bf"].dtype == chainrule.float32
    np.testing.assert_array_equal(out["bf"].numpy(), t.float().numpy())
    assert out["f"].tolist() == [1.0, 1.0]


def test_chainrule_checkpoint_readable_by_torch(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    sd = {"w": chainrule.randn(3, 2), "n": chainrule.tensor([1, 2], dtype=chainrule.int32)}
    save(sd, tmp_path / "x.safetensors")
    tsd = load_file(str(tmp_path / "x.safetensors"))
    assert tsd["n"].dtype == torch.int32
    np.testing.assert_array_equal(tsd["w"].numpy(), sd["w"].numpy())
