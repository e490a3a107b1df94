"""Image and text transforms: shapes, values, seeded randomness, tokenizer, vocabulary,
padding."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
from chainrule.data import DataLoader
from chainrule.data.transforms import (
    Compose,
    Lambda,
    Normalize,
    PadCollate,
    RandomCrop,
    RandomHorizontalFlip,
    ToTensor,
    Vocab,
    pad_sequence,
    tokenize,
)


def test_to_tensor_layouts_and_scaling():
    t = ToTensor()(np.full((4, 5), 255, np.uint8))
    assert isinstance(t, chainrule.Tensor) and tuple(t.shape) == (1, 4, 5)
    assert t.dtype == np.float32 and float(t.max()) == 1.0
    hwc = np.zeros((6, 7, 3), np.uint8)
    hwc[..., 1] = 51
    t = ToTensor()(hwc)
    assert tuple(t.shape) == (3, 6, 7) and np.allclose(t.numpy()[1], 0.2)
    f = ToTensor()(np.full((1, 2, 2), 3.0))
    assert float(f.max()) == 3.0 and f.dtype == np.float32
    with pytest.raises(ValueError, match="ToTensor"):
        ToTensor()(np.zeros(5))


def test_normalize_per_channel_and_batches():
    x = np.stack([np.full((2, 2), 1.0), np.full((2, 2), 3.0)]).astype(np.float32)
    out = Normalize([1.0, 1.0], [1.0, 2.0])(x)
    assert out.dtype == np.float32 and out[0].tolist() == [[0, 0], [0, 0]]
    assert np.allclose(out[1], 1.0)
    batch = chainrule.tensor(np.stack([x, x]))
    nb = Normalize([0.0], [2.0])(batch)
    assert isinstance(nb, chainrule.Tensor) and tuple(nb.shape) == (2, 2, 2, 2)
    assert np.allclose(nb.numpy()[:, 1], 1.5)
    with pytest.raises(ValueError, match="channels"):
        Normalize([0, 0, 0], [1, 1, 1])(x)
    with pytest.raises(ValueError, match="non-zero"):
        Normalize([0], [0])


def test_random_crop_shapes_padding_and_seed():
    img = np.arange(2 * 6 * 6, dtype=np.float32).reshape(2, 6, 6)
    a = [RandomCrop(4, generator=3)(img) for _ in range(1)][0]
    crop1, crop2 = RandomCrop(4, generator=3), RandomCrop(4, generator=3)
    seq1 = [crop1(img) for _ in range(5)]
    seq2 = [crop2(img) for _ in range(5)]
    assert all(np.array_equal(p, q) for p, q in zip(seq1, seq2))  # same seed, same crops
    assert a.shape == (2, 4, 4)
    # every crop is a contiguous window of the image
    for c in seq1:
        i, j = np.argwhere(img[0] == c[0, 0, 0])[0]
        assert np.array_equal(img[:, i : i + 4, j : j + 4], c)
    padded = RandomCrop(6, padding=2, generator=0)
    outs = [padded(img) for _ in range(20)]
    assert all(o.shape == (2, 6, 6) for o in outs)
    assert any((o == 0).sum() > (img == 0).sum() for o in outs)  # some zero padding shows
    t = RandomCrop(3, generator=0)(chainrule.tensor(img))
    assert isinstance(t, chainrule.Tensor) and tuple(t.shape) == (2, 3, 3)
    with pytest.raises(ValueError, match="larger"):
        RandomCrop(10)(img)


def test_random_horizontal_flip_probability_and_seed():
    img = np.arange(6).reshape(1, 2, 3)
    assert np.array_equal(RandomHorizontalFlip(p=0.0)(img), img)
    assert np.array_equal(RandomHorizontalFlip(p=1.0)(img), img[..., ::-1])
    f1, f2 = RandomHorizontalFlip(generator=7), RandomHorizontalFlip(generator=7)
    r1 = [bool(f1(img)[0, 0, 0] == 2) for _ in range(200)]
    r2 = [bool(f2(img)[0, 0, 0] == 2) for _ in range(200)]
    assert r1 == r2 and 60 < sum(r1) < 140


def test_global_generator_seeding():
    img = np.arange(64, dtype=np.float32).reshape(1, 8, 8)
    chainrule.manual_seed(5)
    a = [RandomCrop(5)(img) for _ in range(3)]
    chainrule.manual_seed(5)
    b = [RandomCrop(5)(img) for _ in range(3)]
    assert all(np.array_equal(p, q) for p, q in zip(a, b))


def test_compose_and_lambda():
    t = Compose([ToTensor(), Normalize([0.5], [0.5]), Lambda(lambda x: x * 2)])
    out = t(np.zeros((3, 3), np.uint8))
    assert np.allclose(out.numpy(), -2.0)
    assert "Normalize" in repr(t)


def test_tokenize():
    assert tokenize("Hello, WORLD!  It's 2024?") == ["hello", "world", "!", "it's", "2024", "?"]
    assert tokenize("@jetblue see https://t.co/abc now") == ["<user>", "see", "<url>", "now"]
    assert tokenize("@a http://x y", urls=False, mentions=False) == ["y"]
    assert tokenize("") == []


def test_vocab_build_specials_unknown():
    docs = [["b", "a", "a"], ["c", "a", "b"], ["d"]]
    v = Vocab.build(docs)
    assert v.itos[:2] == ["<pad>", "<unk>"] and v.pad_index == 0 and v.unk_index == 1
    assert v.itos[2:] == ["a", "b", "c", "d"]  # by frequency, ties alphabetical
    assert v["zzz"] == 1 and "a" in v and "zzz" not in v
    assert v.decode(v.encode(["a", "zzz"])) == ["a", "<unk>"]
    assert Vocab.build(docs, min_freq=2).itos == ["<pad>", "<unk>", "a", "b"]
    assert len(Vocab.build(docs, max_size=1)) == 3
    nounk = Vocab(["x"], specials=())
    with pytest.raises(KeyError):
        nounk["y"]


def test_pad_sequence_layouts():
    seqs = [chainrule.tensor([1, 2, 3]), chainrule.tensor([4]), chainrule.tensor([5, 6])]
    bf = pad_sequence(seqs, batch_first=True, padding_value=-1)
    assert bf.tolist() == [[1, 2, 3], [4, -1, -1], [5, 6, -1]]
    tf = pad_sequence(seqs)
    assert tuple(tf.shape) == (3, 3) and tf.tolist()[0] == [1, 4, 5]
    feats = pad_sequence([np.ones((2, 4), np.float32), np.ones((1, 4), np.float32)], True)
    assert tuple(feats.shape) == (2, 2, 4) and feats.dtype == np.float32
    assert pad_sequence([[1, 2, 3, 4]], batch_first=True, max_len=2).tolist() == [[1, 2]]
    with pytest.raises(ValueError, match="trailing"):
        pad_sequence([np.ones((2, 3)), np.ones((2, 4))])


def test_pad_collate_pads_to_batch_length():
    data = [([3, 4, 5, 6], 1), ([7], 0), ([8, 9], 1), ([2, 2, 2, 2, 2, 2], 0)]
    loader = DataLoader(data, batch_size=2, collate_fn=PadCollate(pad_index=0))
    shapes = [tuple(ids.shape) for ids, _ in loader]
    assert shapes == [(2, 4), (2, 6)]  # each batch padded to its own longest sequence
    ids, lengths, y = PadCollate(max_len=3, return_lengths=True)(data[:2])
    assert ids.tolist() == [[3, 4, 5], [7, 0, 0]] and lengths.tolist() == [3, 1]
    assert y.tolist() == [1, 0] and ids.dtype == np.int64
