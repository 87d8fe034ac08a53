"""Each loss vs its formula written here in NumPy: value and gradient, extremes, errors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value


def evaluate(loss_fn, preds, *args, **kwargs):
    values = [Value(p) for p in preds]
    loss = loss_fn(values, *args, **kwargs)
    loss.backward()
    return loss.data, np.array([v.grad for v in values])


def check(value, grad, ref_value, ref_grad, rtol=1e-12):
    assert math.isclose(value, ref_value, rel_tol=rtol, abs_tol=1e-300), (value, ref_value)
    np.testing.assert_allclose(grad, ref_grad, rtol=rtol, atol=1e-300)


pairs = st.integers(1, 10).flatmap(
    lambda n: st.tuples(*[st.lists(st.floats(-20, 20), min_size=n, max_size=n)] * 2))


@given(pairs)
def test_mse_mae_huber(pair):
    p, t = map(np.array, pair)
    d, n = p - t, len(p)
    check(*evaluate(nn.mse_loss, p, t), np.mean(d**2), 2 * d / n, rtol=1e-10)
    check(*evaluate(nn.mae_loss, p, t), np.mean(np.abs(d)), np.sign(d) / n, rtol=1e-10)
    for delta in (1.0, 0.5, 3.0):
        quadratic = np.abs(d) < delta
        ref = np.where(quadratic, 0.5 * d**2, delta * (np.abs(d) - 0.5 * delta)).mean()
        check(*evaluate(nn.huber_loss, p, t, delta=delta), ref, np.clip(d, -delta, delta) / n, rtol=1e-10)


probabilities = st.floats(1e-6, 1 - 1e-6)


@given(st.lists(st.tuples(probabilities, st.floats(0, 1)), min_size=1, max_size=10))
def test_binary_cross_entropy(rows):
    p, t = map(np.array, zip(*rows))
    ref = -np.mean(t * np.log(p) + (1 - t) * np.log1p(-p))
    check(*evaluate(nn.binary_cross_entropy, p, t), ref, (p - t) / (p * (1 - p)) / len(p), rtol=1e-9)


def test_binary_cross_entropy_clamps_like_pytorch():
    value, grad = evaluate(nn.binary_cross_entropy, [0.0, 1.0], [1.0, 0.0])  # confidently wrong
    assert value == 100.0  # log clamped at −100
    assert np.all(np.isfinite(grad)) and grad[0] == -1 / 1e-12 / 2 and grad[1] == 1 / 1e-12 / 2
    value, grad = evaluate(nn.binary_cross_entropy, [0.0, 1.0], [0.0, 1.0])  # confidently right
    assert value == 0.0 and np.all(grad == 0.0)


@given(st.lists(st.tuples(st.floats(-50, 50), st.floats(0, 1)), min_size=1, max_size=10))
def test_binary_cross_entropy_with_logits(rows):
    x, t = map(np.array, zip(*rows))
    sig = 1 / (1 + np.exp(-x))
    # −[t log σ(x) + (1−t) log(1−σ(x))] with −log σ(x) = log(1 + e^−x), −log(1−σ(x)) = log(1 + e^x);
    # logaddexp keeps both terms accurate (logaddexp(0, x) − x·t would cancel at large x)
    ref = np.mean(t * np.logaddexp(0, -x) + (1 - t) * np.logaddexp(0, x))
    check(*evaluate(nn.binary_cross_entropy_with_logits, x, t), ref, (sig - t) / len(x), rtol=1e-9)


def test_logit_losses_are_finite_at_extreme_logits():
    value, grad = evaluate(nn.binary_cross_entropy_with_logits, [1000.0, -1000.0, 1000.0], [1.0, 0.0, 0.0])
    assert value == pytest.approx(1000.0 / 3) and list(grad) == [0.0, 0.0, 1 / 3]
    logits = [Value(1000.0), Value(-1000.0), Value(0.0)]
    loss = nn.cross_entropy(logits, 1)
    loss.backward()
    assert loss.data == 2000.0
    assert [v.grad for v in logits] == [1.0, -1.0, 0.0]


def np_log_softmax(x):
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


@given(st.integers(1, 6), st.integers(2, 5), st.data())
def test_cross_entropy_batch(n, classes, data):
    x = np.array(data.draw(st.lists(st.lists(st.floats(-30, 30), min_size=classes, max_size=classes),
                                    min_size=n, max_size=n)))
    c = data.draw(st.lists(st.integers(0, classes - 1), min_size=n, max_size=n))
    values = [[Value(v) for v in row] for row in x]
    loss = nn.cross_entropy(values, c)
    loss.backward()
    logp = np_log_softmax(x)
    ref = -np.mean(logp[np.arange(n), c])
    ref_grad = (np.exp(logp) - np.eye(classes)[c]) / n
    assert math.isclose(loss.data, ref, rel_tol=1e-11, abs_tol=1e-13)
    np.testing.assert_allclose([[v.grad for v in row] for row in values], ref_grad, rtol=1e-10, atol=1e-14)
    assert loss.op == "cross_entropy" and len(loss.parents) == n * classes  # one node


def test_cross_entropy_accepts_numpy_classes_and_arrays():
    x = np.array([[2.0, 1.0, 0.1], [0.5, 0.5, 3.0]])
    expected = -np.mean(np_log_softmax(x)[[0, 1], [0, 2]])
    assert math.isclose(nn.cross_entropy(x, np.array([0, 2])).data, expected, rel_tol=1e-14)
    assert math.isclose(nn.cross_entropy(x[0], np.int64(0)).data, -np_log_softmax(x[0])[0], rel_tol=1e-14)


def test_cross_entropy_single_sample():
    value, grad = evaluate(nn.cross_entropy, [2.0, 1.0, 0.1], 0)
    x = np.array([2.0, 1.0, 0.1])
    assert math.isclose(value, -np_log_softmax(x)[0], rel_tol=1e-14)
    np.testing.assert_allclose(grad, np.exp(np_log_softmax(x)) - [1, 0, 0], rtol=1e-13)


@given(pairs)
def test_hinge_loss(pair):
    s = np.array(pair[0])
    y = np.where(np.array(pair[1]) >= 0, 1.0, -1.0)
    margin = 1 - y * s
    ref_grad = np.where(margin > 0, -y, 0.0) / len(s)
    check(*evaluate(nn.hinge_loss, s, y), np.mean(np.maximum(margin, 0)), ref_grad, rtol=1e-10)


def test_each_loss_is_one_node_and_accepts_numbers():
    for fn, preds, targets in [(nn.mse_loss, [Value(1.0), 2.0], [0.0, 0.0]), (nn.mae_loss, [Value(1.0), 2.0], [0, 0]),
                               (nn.huber_loss, [Value(1.0), 2.0], [0, 0]), (nn.hinge_loss, [Value(1.0), 2.0], [1, -1]),
                               (nn.binary_cross_entropy, [Value(0.5), 0.2], [1, 0]),
                               (nn.binary_cross_entropy_with_logits, [Value(1.0), 2.0], [1, 0])]:
        loss = fn(preds, targets)
        assert loss.op == fn.__name__ and len(loss.parents) == 2 and loss.parents[0] is preds[0]
    assert nn.mse_loss(Value(3.0), 1.0).data == 4.0  # one sample need not be a list
    assert nn.mse_loss(Value(3.0), np.int64(1)).data == 4.0  # nor a NumPy scalar target
    assert nn.hinge_loss(np.float32(0.5), np.float64(1.0)).data == 0.5


def test_errors():
    with pytest.raises(ValueError, match="2 predictions but 3 targets"):
        nn.mse_loss([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="targets must be \\+1 or -1"):
        nn.hinge_loss([1.0], [0.0])
    with pytest.raises(ValueError, match=r"probs\[1\] = 1.5 is not in \[0, 1\]"):
        nn.binary_cross_entropy([0.5, 1.5], [1, 0])
    with pytest.raises(ValueError, match="delta"):
        nn.huber_loss([1.0], [0.0], delta=0)
    with pytest.raises(ValueError, match="not a class index in \\[0, 3\\)"):
        nn.cross_entropy([1.0, 2.0, 3.0], 3)
    with pytest.raises(ValueError, match="2 samples of logits but 1 targets"):
        nn.cross_entropy([[1.0, 2.0], [1.0, 2.0]], [0])
    with pytest.raises(ValueError, match=r"logits\[1\] has 3 classes"):
        nn.cross_entropy([[1.0, 2.0], [1.0, 2.0, 3.0]], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        nn.mse_loss([], [])
    with pytest.raises(TypeError, match="str"):
        nn.mse_loss([1.0], ["a"])
