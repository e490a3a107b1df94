"""Bundled real datasets: UCI digits and UCI breast cancer (shapes, dtypes, counts, splits)."""

import os

import numpy as np
import pytest

import chainrule
from chainrule.data import DataLoader, TensorDataset
from chainrule.data.datasets import LabeledDataset, load_breast_cancer, load_digits
from chainrule.data.datasets.bundled import FILES


def test_digits_full():
    ds = load_digits()
    assert isinstance(ds, LabeledDataset) and isinstance(ds, TensorDataset)
    X, y = ds.tensors
    assert X.shape == (1797, 1, 8, 8) and X.dtype == chainrule.float32
    assert y.shape == (1797,) and y.dtype == chainrule.int64
    assert float(X.min()) == 0.0 and float(X.max()) == 1.0
    assert ds.target_names == [str(i) for i in range(10)] and ds.classes == ds.target_names
    assert len(ds.feature_names) == 64 and ds.feature_names[9] == "pixel_1_1"
    assert ds.class_counts() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    # the first image is the classic "0" from scikit-learn's copy
    assert (X[0, 0] * 16).numpy().astype(int)[1].tolist() == [0, 0, 13, 15, 10, 15, 5, 0]
    assert y[:10].tolist() == list(range(10))


def test_digits_splits():
    train, test = load_digits("train"), load_digits("test")
    assert len(train) == 1437 and len(test) == 360
    full = load_digits(flatten=True, dtype=chainrule.float64)
    assert full.data.shape == (1797, 64) and full.data.dtype == chainrule.float64
    # train + test = everything, disjoint (compare rows as bytes)
    rows = {r.tobytes() + bytes([c]) for r, c in zip(full.data.numpy(), full.targets.numpy())}
    got = [
        (r.reshape(64).astype(np.float64).tobytes() + bytes([c]))
        for d in (train, test)
        for r, c in zip(d.data.numpy(), d.targets.numpy())
    ]
    assert len(got) == 1797 and set(got) == rows
    # stratified: every class is 20% +- 1 of its size in the test part
    counts = np.bincount(test.targets.numpy(), minlength=10)
    assert all(abs(c - 0.2 * n) <= 1 for c, n in zip(counts, full.class_counts()))
    # fixed seed -> same split; another seed -> another split
    np.testing.assert_array_equal(load_digits("test").data.numpy(), test.data.numpy())
    other = load_digits("test", seed=1)
    assert not np.array_equal(other.data.numpy(), test.data.numpy())
    assert len(load_digits("test", test_fraction=0.5)) == 899
    with pytest.raises(ValueError, match="split"):
        load_digits("validation")
    with pytest.raises(TypeError, match="floating"):
        load_digits(dtype=chainrule.int64)


def test_breast_cancer():
    ds = load_breast_cancer()
    X, y = ds.tensors
    assert X.shape == (569, 30) and X.dtype == chainrule.float32 and y.dtype == chainrule.int64
    assert ds.class_counts() == [212, 357]
    assert ds.target_names == ["malignant", "benign"]
    assert ds.feature_names[0] == "mean radius" and ds.feature_names[10] == "radius error"
    assert ds.feature_names[29] == "worst fractal dimension" and len(ds.feature_names) == 30
    assert X[0, :4].tolist() == pytest.approx([17.99, 10.38, 122.8, 1001.0])
    train, test = load_breast_cancer("train"), load_breast_cancer("test")
    assert len(train) == 455 and len(test) == 114
    assert abs(test.class_counts()[0] - 212 * 0.2) <= 1
    std_train = load_breast_cancer("train", standardize=True, dtype=chainrule.float64)
    Xs = std_train.data.numpy()
    np.testing.assert_allclose(Xs.mean(0), 0, atol=1e-9)
    np.testing.assert_allclose(Xs.std(0), 1, atol=1e-9)
    std_test = load_breast_cancer("test", standardize=True, dtype=chainrule.float64)
    raw_tr = load_breast_cancer("train", dtype=chainrule.float64).data.numpy()
    raw_te = load_breast_cancer("test", dtype=chainrule.float64).data.numpy()
    np.testing.assert_allclose(  # test features use the training statistics
        std_test.data.numpy(), (raw_te - raw_tr.mean(0)) / raw_tr.std(0), rtol=1e-12
    )


def test_returned_tensors_are_independent_copies():
    a = load_digits()
    a.data._data[...] = 5.0
    assert float(load_digits().data.max()) == 1.0


def test_loader_over_bundled_dataset_uses_fast_path():
    ds = load_digits("train")
    loader = DataLoader(ds, batch_size=64, shuffle=True, generator=0)
    assert loader._fast is not None
    xb, yb = next(iter(loader))
    assert xb.shape == (64, 1, 8, 8) and yb.shape == (64,)


def test_bundled_files_and_license_note():
    names = set(os.listdir(FILES))
    assert {"digits.npz", "breast_cancer.npz", "README.md"} <= names
    readme = open(os.path.join(FILES, "README.md")).read()
    assert "CC BY 4.0" in readme and "UCI" in readme
    for f in ("digits.npz", "breast_cancer.npz"):  # small, and no pickled objects inside
        assert os.path.getsize(os.path.join(FILES, f)) < 100_000
        with np.load(os.path.join(FILES, f), allow_pickle=False) as z:
            assert all(z[k].dtype != object for k in z.files)
