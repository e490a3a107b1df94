"""Metrics against hand computations and scikit-learn's definitions."""

import math

import numpy as np
import pytest

import chainrule
from chainrule.train import metrics as M

Y_TRUE = np.array([0, 0, 1, 1, 2, 2, 2, 1])
Y_PRED = np.array([0, 1, 1, 1, 2, 0, 2, 2])


def test_accuracy_labels_logits_and_tensors():
    assert M.accuracy(Y_TRUE, Y_PRED) == 5 / 8
    logits = np.eye(3)[Y_PRED] * 3.0 - 1.0
    assert M.accuracy(Y_TRUE, logits) == 5 / 8
    assert M.accuracy(chainrule.tensor(Y_TRUE), chainrule.tensor(logits)) == 5 / 8


def test_binary_scores_threshold():
    assert M.accuracy([0, 1, 1], np.array([-2.0, 0.5, 3.0])) == 1.0  # logits, threshold 0
    assert M.accuracy([0, 1, 1], np.array([0.2, 0.7, 0.4])) == 2 / 3  # probabilities, 0.5


def test_confusion_matrix_by_hand():
    cm = M.confusion_matrix(Y_TRUE, Y_PRED)
    expected = np.array([[1, 1, 0], [0, 2, 1], [1, 0, 2]])
    np.testing.assert_array_equal(cm, expected)
    assert M.confusion_matrix([0], [0], num_classes=3).shape == (3, 3)


def test_precision_recall_f1_by_hand():
    p, r, f = M.precision_recall_f1(Y_TRUE, Y_PRED, average=None)
    # class 0: tp 1, predicted 2, true 2; classes 1 and 2: tp 2, predicted 3, true 3
    np.testing.assert_allclose(p, [1 / 2, 2 / 3, 2 / 3])
    np.testing.assert_allclose(r, [1 / 2, 2 / 3, 2 / 3])
    np.testing.assert_allclose(f, [1 / 2, 2 / 3, 2 / 3])
    pm, rm, fm = M.precision_recall_f1(Y_TRUE, Y_PRED)
    assert pm == pytest.approx((1 / 2 + 4 / 3) / 3)
    assert M.precision_recall_f1(Y_TRUE, Y_PRED, average="micro")[0] == pytest.approx(5 / 8)


def test_zero_division_is_zero():
    p, r, f = M.precision_recall_f1([0, 0, 1], [0, 0, 0], average=None)
    assert p.tolist() == [2 / 3, 0.0] and r.tolist() == [1.0, 0.0] and f[1] == 0.0


def test_top_k():
    scores = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.3, 0.4, 0.3]])
    assert M.top_k_accuracy([2, 2, 0], scores, k=1) == pytest.approx(1 / 3)
    assert M.top_k_accuracy([2, 2, 0], scores, k=2) == pytest.approx(2 / 3)
    assert M.top_k_accuracy([2, 2, 0], scores, k=3) == 1.0


def test_roc_auc_by_hand():
    # positives 0.35, 0.8; negatives 0.1, 0.4: pairs (0.35>0.1) (0.35<0.4) (0.8>0.1) (0.8>0.4)
    assert M.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert M.roc_auc_score([0, 1], [0.5, 0.5]) == 0.5  # a tie counts 1/2
    assert math.isnan(M.roc_auc_score([1, 1], [0.2, 0.3]))
    two = np.array([[0.0, 0.1], [0.0, 0.4], [0.0, 0.35], [0.0, 0.8]])
    assert M.roc_auc_score([0, 0, 1, 1], two) == 0.75


def test_regression_by_hand():
    t, p = [1.0, 2.0, 3.0], [1.5, 2.0, 5.0]
    assert M.mean_squared_error(t, p) == pytest.approx((0.25 + 0 + 4) / 3)
    assert M.mean_absolute_error(t, p) == pytest.approx(2.5 / 3)
    assert M.root_mean_squared_error(t, p) == pytest.approx(math.sqrt(4.25 / 3))
    assert M.r2_score(t, p) == pytest.approx(1 - 4.25 / 2)


def test_get_metric_names_and_errors():
    assert M.get_metric("top3")[0] == "top3"
    assert M.get_metric("F1")[0] == "f1"
    with pytest.raises(ValueError, match="accepted"):
        M.get_metric("bogus")


def test_classification_report_lists_classes():
    text = M.classification_report(Y_TRUE, Y_PRED, ["a", "b", "c"])
    assert text.splitlines()[1].split()[0] == "a" and "macro avg" in text


def test_against_sklearn():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    t = rng.integers(0, 4, 200)
    s = rng.normal(size=(200, 4)) + np.eye(4)[t]
    p = s.argmax(1)
    assert M.accuracy(t, s) == pytest.approx(sk.accuracy_score(t, p))
    np.testing.assert_array_equal(M.confusion_matrix(t, s), sk.confusion_matrix(t, p))
    for avg in ("macro", "micro", None):
        ours = M.precision_recall_f1(t, s, average=avg)
        theirs = sk.precision_recall_fscore_support(t, p, average=avg, zero_division=0)[:3]
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b)
    tb = (t > 1).astype(int)
    sb = s[:, 2] + s[:, 3] - s[:, 0]
    assert M.roc_auc_score(tb, sb) == pytest.approx(sk.roc_auc_score(tb, sb))
    prob = np.exp(s) / np.exp(s).sum(1, keepdims=True)
    assert M.roc_auc_score(t, prob) == pytest.approx(
        sk.roc_auc_score(t, prob, multi_class="ovr", average="macro")
    )
    assert M.top_k_accuracy(t, s, 2) == pytest.approx(sk.top_k_accuracy_score(t, s, k=2))
