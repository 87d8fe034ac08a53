"""Fused n-ary functions vs NumPy formulas and vs the same sum composed of binary ops."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value

vectors = st.lists(st.floats(-30, 30), min_size=1, max_size=12)


def grads_of(out, xs):
    out.backward()
    return np.array([x.grad for x in xs])


def allclose(a, b, rtol=1e-12, atol=1e-14):
    return np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol)


@given(vectors)
def test_sum_and_mean(data):
    xs = [Value(x) for x in data]
    out = autograd.sum(xs)
    assert math.isclose(out.data, math.fsum(data), rel_tol=1e-15, abs_tol=1e-12)
    assert allclose(grads_of(out, xs), np.ones(len(data)))
    ys = [Value(x) for x in data]
    m = autograd.mean(ys)
    assert math.isclose(m.data, np.mean(data), rel_tol=1e-12, abs_tol=1e-12)
    assert allclose(grads_of(m, ys), np.full(len(data), 1 / len(data)))


@given(st.integers(1, 10).flatmap(lambda n: st.tuples(*[st.lists(st.floats(-10, 10), min_size=n, max_size=n)] * 2)),
       st.floats(-10, 10))
def test_dot_with_and_without_bias(pair, bias):
    xd, wd = pair
    xs, ws = [Value(x) for x in xd], [Value(w) for w in wd]
    out = autograd.dot(xs, ws)
    assert math.isclose(out.data, float(np.dot(xd, wd)), rel_tol=1e-12, abs_tol=1e-12)
    out.backward()
    assert allclose([x.grad for x in xs], wd) and allclose([w.grad for w in ws], xd)
    b = Value(bias)
    out = autograd.dot(xd, ws, bias=b)  # numbers for xs, a Value bias
    assert math.isclose(out.data, float(np.dot(xd, wd)) + bias, rel_tol=1e-12, abs_tol=1e-12)
    out.backward()
    assert b.grad == 1.0 and len(out.parents) == 2 * len(xd) + 1


def np_softmax(x):
    e = np.exp(np.asarray(x) - np.max(x))
    return e / e.sum()


@given(vectors)
def test_logsumexp(data):
    xs = [Value(x) for x in data]
    out = autograd.logsumexp(xs)
    m = max(data)
    assert math.isclose(out.data, m + np.log(np.sum(np.exp(np.array(data) - m))), rel_tol=1e-12, abs_tol=1e-12)
    assert allclose(grads_of(out, xs), np_softmax(data))


@given(vectors, st.data())
def test_softmax_and_log_softmax_jacobians(data, draw):
    n = len(data)
    s = np_softmax(data)
    jacobian_softmax = np.diag(s) - np.outer(s, s)  # ∂sᵢ/∂xⱼ = sᵢ(δᵢⱼ − sⱼ)
    jacobian_log_softmax = np.eye(n) - np.outer(np.ones(n), s)  # δᵢⱼ − sⱼ
    weights = draw.draw(st.lists(st.floats(-2, 2), min_size=n, max_size=n))
    for fn, ref_value, jac in [
        (autograd.softmax, s, jacobian_softmax),
        (autograd.log_softmax, np.log(s) if np.all(s > 0) else None, jacobian_log_softmax),
    ]:
        xs = [Value(x) for x in data]
        outs = fn(xs)
        assert len(outs) == n
        if ref_value is not None:
            assert allclose([o.data for o in outs], ref_value, rtol=1e-10, atol=1e-12)
        # backpropagate a random combination: gradient = weightsᵀ · J
        autograd.dot(outs, weights).backward()
        assert allclose([x.grad for x in xs], np.asarray(weights) @ jac, rtol=1e-9, atol=1e-12)


@given(st.lists(st.floats(-3, 3), min_size=1, max_size=8))
def test_fused_equals_composed(data):
    """The fused node and the same formula built from binary nodes agree (value and grad)."""
    composed = {
        autograd.sum: lambda xs: _chain_sum(xs),
        autograd.mean: lambda xs: _chain_sum(xs) / len(xs),
        autograd.logsumexp: lambda xs: _chain_sum([x.exp() for x in xs]).log(),
        lambda xs: autograd.dot(xs, xs): lambda xs: _chain_sum([x * x for x in xs]),
        lambda xs: autograd.softmax(xs)[0]: lambda xs: xs[0].exp() / _chain_sum([x.exp() for x in xs]),
        lambda xs: autograd.log_softmax(xs)[-1]: lambda xs: xs[-1] - _chain_sum([x.exp() for x in xs]).log(),
    }
    for fused, binary in composed.items():
        a = [Value(x) for x in data]
        b = [Value(x) for x in data]
        fa, fb = fused(a), binary(b)
        fa.backward()
        fb.backward()
        assert math.isclose(fa.data, fb.data, rel_tol=1e-12, abs_tol=1e-12)
        assert allclose([x.grad for x in a], [x.grad for x in b], rtol=1e-10, atol=1e-12)


def _chain_sum(xs):
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    return total


def test_each_is_one_node():
    xs = [Value(float(i)) for i in range(5)]
    for fn, op in [(autograd.sum, "sum"), (autograd.mean, "mean"), (autograd.logsumexp, "logsumexp")]:
        out = fn(xs)
        assert out.op == op and out.parents == tuple(xs)
    assert autograd.dot(xs, xs).op == "dot"
    assert all(o.parents == tuple(xs) for o in autograd.softmax(xs))


def test_stable_at_large_inputs():
    big = [1000.0, 1000.0, -1000.0]
    lse = autograd.logsumexp(big)
    assert math.isclose(lse.data, 1000.0 + math.log(2.0), rel_tol=1e-15)
    probs = [p.data for p in autograd.softmax(big)]
    assert probs == [0.5, 0.5, 0.0]
    logs = [p.data for p in autograd.log_softmax([1000.0, 0.0])]
    assert logs[0] == 0.0 and logs[1] == -1000.0
    xs = [Value(1000.0), Value(-1000.0)]
    autograd.logsumexp(xs).backward()
    assert [x.grad for x in xs] == [1.0, 0.0]


def test_infinite_inputs_follow_ieee():
    assert autograd.logsumexp([-math.inf, -math.inf]).data == -math.inf
    assert autograd.logsumexp([math.inf, 1.0]).data == math.inf
    assert autograd.logsumexp([-math.inf, 0.0]).data == 0.0


def test_mixed_values_and_numbers():
    x = Value(2.0)
    out = autograd.sum([x, 3, np.float64(4.0), True])
    out.backward()
    assert out.data == 10.0 and x.grad == 1.0
    assert all(isinstance(p, Value) for p in out.parents)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="empty"):
        autograd.sum([])
    with pytest.raises(ValueError, match="empty"):
        autograd.softmax(iter([]))
    with pytest.raises(ValueError, match="xs has 3, ws has 2"):
        autograd.dot([1, 2, 3], [1, 2])
    with pytest.raises(TypeError, match=r"values\[1\].*str"):
        autograd.mean([1.0, "a"])
    with pytest.raises(TypeError, match="sequence"):
        autograd.logsumexp(Value(1.0))
    with pytest.raises(TypeError, match="sequence"):
        autograd.sum(3.0)


def test_generators_are_accepted():
    out = autograd.sum(Value(float(i)) for i in range(4))
    assert out.data == 6.0
