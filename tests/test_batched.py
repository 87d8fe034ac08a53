"""Batched mode: every batched rule, sample by sample, against the scalar engine and NumPy."""

import gc
import math

import numpy as np
import pytest
from hypothesis import given

import autograd
import nn
import optim
from autograd import Batched, Value, backward_steps, batch, batch_mean, batch_sum, draw_dot, no_grad
from tests.test_engine import programs, run
from tests.test_ops import BINARY, UNARY

RNG = np.random.default_rng(7)


def method_form(op):
    """The table's op applied as a method call, so that a batched operand finds its own rule
    (the table holds some ops as ``Value.exp``, the scalar function itself)."""
    name = getattr(op, "__qualname__", "")
    if name.startswith("Value."):
        return lambda v: getattr(v, op.__name__)()
    return op


def samples(lo, hi, n=40):
    xs = RNG.uniform(lo, hi, n)
    return xs[np.abs(xs) > 1e-3]


# ---- every operation, sample by sample -----------------------------------------------------


@pytest.mark.parametrize("row", UNARY, ids=[r[0] for r in UNARY])
def test_unary_batched_rule_is_its_scalar_twin_per_sample(row):
    name, op, ref, dref, (lo, hi), _ = row
    op = method_form(op)
    xs = samples(lo, hi)
    (x,) = batch(xs, requires_grad=True)
    out = op(x)
    assert isinstance(out, Batched)
    batch_sum(out).backward()  # d Σ f(xᵢ) / d xᵢ = f'(xᵢ): the per-sample derivative
    for i, xi in enumerate(xs):
        v = Value(xi)
        scalar = op(v)
        scalar.backward()
        assert math.isclose(out.data[i], scalar.data, rel_tol=1e-12, abs_tol=1e-300), (xi, out.data[i], scalar.data)
        assert math.isclose(x.grad[i], v.grad, rel_tol=1e-12, abs_tol=1e-300), (xi, x.grad[i], v.grad)
        assert math.isclose(out.data[i], float(ref(xi)), rel_tol=1e-12, abs_tol=1e-300)  # and NumPy's formula
        assert math.isclose(x.grad[i], float(dref(xi)), rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("row", BINARY, ids=[r[0] for r in BINARY])
@pytest.mark.parametrize("which", ["both", "a", "b"])
def test_binary_batched_rule_with_scalar_or_batched_operands(row, which):
    """Either operand batched, the other a scalar Value: the scalar one's gradient is the sum
    over the samples of the per-sample gradients."""
    name, op, ref, dref, (alo, ahi), (blo, bhi) = row
    n = 25
    a_vals, b_vals = RNG.uniform(alo, ahi, n), RNG.uniform(blo, bhi, n)
    if which == "a":
        b_vals = np.full(n, b_vals[0])
    if which == "b":
        a_vals = np.full(n, a_vals[0])
    a = batch(a_vals, requires_grad=True)[0] if which in ("both", "a") else Value(a_vals[0])
    b = batch(b_vals, requires_grad=True)[0] if which in ("both", "b") else Value(b_vals[0])
    out = op(a, b)
    batch_sum(out).backward()
    ga, gb = zip(*(dref(x, y) for x, y in zip(a_vals, b_vals)))
    np.testing.assert_allclose(out.data, [ref(x, y) for x, y in zip(a_vals, b_vals)], rtol=1e-12)
    for v, g in ((a, np.array(ga)), (b, np.array(gb))):
        if isinstance(v, Batched):
            np.testing.assert_allclose(v.grad, g, rtol=1e-11, atol=1e-300)
        else:
            assert isinstance(v.grad, float) and math.isclose(v.grad, g.sum(), rel_tol=1e-11)


def test_numbers_on_either_side_of_a_batch():
    (x,) = batch([1.0, 2.0, 4.0])
    for out, expected in ((2 * x, [2, 4, 8]), (x + 1, [2, 3, 5]), (1 - x, [0, -1, -3]), (8 / x, [8, 4, 2]),
                          (x / 2, [0.5, 1, 2]), (2**x, [2, 4, 16]), (x**2, [1, 4, 16]), (-x, [-1, -2, -4])):
        assert isinstance(out, Batched)
        np.testing.assert_array_equal(out.data, expected)
    assert (x > 1.5).tolist() == [False, True, True]  # comparisons are per sample


@given(programs())
def test_random_graphs_batched_equal_per_sample(program):
    """A random expression graph run once on a batch equals the scalar engine on each sample."""
    xs, steps = program
    n = 6
    columns = [x + np.linspace(-0.5, 0.5, n) for x in xs]
    leaves = batch(np.array(columns).T, requires_grad=True)
    out = run(leaves, steps, 0)
    out = out if isinstance(out, Batched) else out + 0 * leaves[0]
    batch_sum(out).backward()
    for i in range(n):
        scalar_leaves = [Value(c[i]) for c in columns]
        scalar = run(scalar_leaves, steps, 0)
        scalar.backward()
        assert math.isclose(out.data[i], scalar.data, rel_tol=1e-11, abs_tol=1e-12)
        for leaf, s in zip(leaves, scalar_leaves):
            grad = np.broadcast_to(leaf.grad, n)  # 0.0 for an input the graph does not use
            assert math.isclose(grad[i], s.grad, rel_tol=1e-9, abs_tol=1e-11)


def test_nan_and_inf_in_a_batch_follow_ieee_as_scalars_do():
    values = [0.0, -0.0, -1.0, 1e308, -1e308, math.inf, -math.inf, math.nan, 2.0]
    (x,) = batch(values, requires_grad=True)
    ops = [lambda v: v.log(), lambda v: v.sqrt(), lambda v: v.exp(), lambda v: 1 / v, lambda v: v / 0,
           lambda v: v.tanh(), lambda v: v.sigmoid(), lambda v: v.relu(), lambda v: abs(v), lambda v: v**-1,
           lambda v: 0**v, lambda v: v.softplus(), lambda v: v * v]
    with np.errstate(all="raise", under="ignore"):  # no NumPy warning escapes either (underflow is silent)
        for op in ops[:-1]:
            out = op(x)
            for i, xi in enumerate(values):
                expected = op(Value(xi)).data
                assert out.data[i] == expected or (math.isnan(out.data[i]) and math.isnan(expected)), (xi, out.data[i])
    with np.errstate(over="ignore"):  # + − × leave NumPy's overflow warning on (silencing it costs 4× a product)
        out = ops[-1](x)
    expected = [(Value(xi) * Value(xi)).data for xi in values]
    np.testing.assert_array_equal(out.data, expected)


# ---- fused functions, nn and losses -------------------------------------------------------


@pytest.mark.parametrize("name", ["sum", "mean", "logsumexp", "softmax", "log_softmax", "dot"])
def test_fused_functions_batched_equal_per_sample(name):
    X = RNG.normal(size=(12, 4)) * 3
    xs = batch(X, requires_grad=True)
    w = [Value(v) for v in RNG.normal(size=4)]
    f = getattr(autograd, name)
    out = f(xs, w) if name == "dot" else f(xs)
    outs = out if isinstance(out, list) else [out]
    batch_sum(autograd.sum([o * (k + 1) for k, o in enumerate(outs)])).backward()
    w_grads = np.zeros(4)
    for i, row in enumerate(X):
        vs = [Value(v) for v in row]
        ws = [Value(p.data) for p in w]
        o = f(vs, ws) if name == "dot" else f(vs)
        os_ = o if isinstance(o, list) else [o]
        autograd.sum([o_ * (k + 1) for k, o_ in enumerate(os_)]).backward()
        for k in range(len(outs)):
            assert math.isclose(outs[k].data[i], os_[k].data, rel_tol=1e-12, abs_tol=1e-15)
        for leaf, v in zip(xs, vs):
            assert math.isclose(leaf.grad[i], v.grad, rel_tol=1e-11, abs_tol=1e-14)
        w_grads += [p.grad for p in ws]
    if name == "dot":
        np.testing.assert_allclose([p.grad for p in w], w_grads, rtol=1e-12)
        np.testing.assert_allclose([p.grad for p in w], X.T @ np.ones(12), rtol=1e-12)  # Σᵢ xᵢ: one product


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "gelu", "silu", "leaky_relu"])
@pytest.mark.parametrize("fused", [True, False])
def test_mlp_batched_equals_per_sample_and_numpy(activation, fused):
    X = RNG.normal(size=(30, 3))
    Y = RNG.normal(size=30)
    per_sample = nn.MLP(3, [5, 4, 1], activation, seed=3, fused=fused)
    batched = nn.MLP(3, [5, 4, 1], activation, seed=3, fused=fused)
    loss_a = nn.mse_loss([per_sample(x) for x in X], Y)
    loss_b = nn.mse_loss(batched(batch(X)), Y)
    assert math.isclose(loss_a.data, loss_b.data, rel_tol=1e-12)
    loss_a.backward()
    loss_b.backward()
    for (name, p), q in zip(per_sample.named_parameters(), batched.parameters()):
        assert isinstance(q.grad, float) and math.isclose(p.grad, q.grad, rel_tol=1e-10, abs_tol=1e-13), name


def test_mlp_forward_against_numpy_matrices():
    X = RNG.normal(size=(50, 2))
    model = nn.MLP(2, [8, 3], "tanh", seed=5)
    outs = model(batch(X))
    W1 = np.array([[w.data for w in n.w] for n in model.layers[0].neurons])
    b1 = np.array([n.b.data for n in model.layers[0].neurons])
    W2 = np.array([[w.data for w in n.w] for n in model.layers[1].neurons])
    b2 = np.array([n.b.data for n in model.layers[1].neurons])
    expected = np.tanh(X @ W1.T + b1) @ W2.T + b2
    np.testing.assert_allclose(np.array([o.data for o in outs]).T, expected, rtol=1e-12, atol=1e-14)


LOSSES = [
    ("mse_loss", 1, None, lambda n: RNG.normal(size=n)),
    ("mae_loss", 1, None, lambda n: RNG.normal(size=n)),
    ("huber_loss", 1, None, lambda n: RNG.normal(size=n) * 3),
    ("binary_cross_entropy", 1, "sigmoid", lambda n: RNG.integers(0, 2, n)),
    ("binary_cross_entropy_with_logits", 1, None, lambda n: RNG.integers(0, 2, n)),
    ("hinge_loss", 1, None, lambda n: 2.0 * RNG.integers(0, 2, n) - 1),
    ("cross_entropy", 4, None, lambda n: RNG.integers(0, 4, n)),
]


@pytest.mark.parametrize("name, nout, output, targets", LOSSES, ids=[row[0] for row in LOSSES])
def test_every_loss_batched_equals_per_sample(name, nout, output, targets):
    X = RNG.normal(size=(25, 3))
    T = targets(25)
    a = nn.MLP(3, [6, nout], "tanh", output, seed=11)
    b = nn.MLP(3, [6, nout], "tanh", output, seed=11)
    loss = getattr(nn, name)
    per_sample = loss([a(x) for x in X], [int(t) for t in T] if name == "cross_entropy" else T)
    batched = loss(b(batch(X)), T)
    assert isinstance(batched, Value) and not isinstance(batched, Batched)
    assert math.isclose(per_sample.data, batched.data, rel_tol=1e-12)
    per_sample.backward()
    batched.backward()
    np.testing.assert_allclose([p.grad for p in b.parameters()], [p.grad for p in a.parameters()], rtol=1e-10,
                               atol=1e-14)


def test_mse_by_hand_with_numpy_and_column_targets():
    (p,) = batch([0.5, 2.0, -1.0], requires_grad=True)
    y = np.array([[1.0], [1.0], [0.0]])
    loss = nn.mse_loss(p, y)
    d = np.array([0.5, 2.0, -1.0]) - y[:, 0]
    assert math.isclose(loss.data, np.mean(d * d), rel_tol=1e-15)
    loss.backward()
    np.testing.assert_allclose(p.grad, 2 * d / 3, rtol=1e-15)


def test_training_in_batched_mode_matches_per_sample_training():
    X = RNG.normal(size=(40, 2))
    y = np.where(X[:, 0] * X[:, 1] > 0, 1.0, -1.0)
    models = [nn.MLP(2, [8, 1], seed=2) for _ in range(2)]
    opts = [optim.Adam(m.parameters(), lr=0.05) for m in models]
    for _ in range(20):
        for k, (model, opt) in enumerate(zip(models, opts)):
            opt.zero_grad()
            scores = model(batch(X)) if k else [model(x) for x in X]
            nn.hinge_loss(scores, y).backward()
            opt.step()
    np.testing.assert_allclose([p.data for p in models[1].parameters()], [p.data for p in models[0].parameters()],
                               rtol=1e-9, atol=1e-12)


# ---- reductions, backward, custom operations ---------------------------------------------


def test_batch_sum_and_mean_against_numpy():
    values = RNG.normal(size=17)
    (x,) = batch(values, requires_grad=True)
    w = Value(1.5)
    total = batch_sum(x * w)
    mean = batch_mean(x * w)
    assert math.isclose(total.data, np.sum(values) * 1.5, rel_tol=1e-14)
    assert math.isclose(mean.data, np.mean(values) * 1.5, rel_tol=1e-14)
    mean.backward()
    np.testing.assert_allclose(x.grad, np.full(17, 1.5 / 17), rtol=1e-15)
    assert math.isclose(w.grad, np.mean(values), rel_tol=1e-13)
    assert batch_sum(w) is w and batch_mean(w) is w  # a scalar stays as it is
    with pytest.raises(TypeError, match="batch_mean"):
        batch_mean([1.0, 2.0])


def test_batched_root_needs_a_gradient_per_sample():
    (x,) = batch([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    with pytest.raises(ValueError, match=r"one value per sample \(3\).*batch_mean"):
        y.backward()
    with pytest.raises(ValueError, match="one value per sample"):
        y.backward([1.0, 1.0])
    assert isinstance(x.grad, float) and x.grad == 0.0  # nothing ran
    y.backward([1.0, 0.5, 0.0])
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 0.0])  # 2x · seed


def test_batched_losses_check_their_targets_as_the_scalar_ones_do():
    (s,) = batch([0.5, -0.5])
    with pytest.raises(ValueError, match=r"targets must be \+1 or -1; targets\[1\] is 0"):
        nn.hinge_loss(s, [1.0, 0.0])
    (p,) = batch([0.5, 1.5])
    with pytest.raises(ValueError, match=r"probs\[1\] = 1.5 is not in \[0, 1\]"):
        nn.binary_cross_entropy(p, [1.0, 0.0])


def test_batches_of_different_lengths_are_refused_naming_both():
    (a,) = batch([1.0, 2.0, 3.0])
    (b,) = batch([1.0, 2.0])
    for combine in (lambda: a + b, lambda: a * b, lambda: autograd.sum([a, b]), lambda: nn.MLP(2, [1])([a, b])):
        with pytest.raises(ValueError, match="3 and 2 samples"):
            combine()
    with pytest.raises(ValueError, match="3 predictions but 2 targets"):
        nn.mse_loss(a, [1.0, 2.0])


def test_value_of_an_array_points_to_batch():
    with pytest.raises(TypeError, match=r"autograd\.batch\(X\)"):
        Value(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"no parent is batched.*autograd\.batch"):
        Value(np.array([1.0, 2.0]), parents=(Value(1.0),), local_grads=(1.0,), op="f")


@pytest.mark.parametrize("bad, error", [("abc", TypeError), (np.zeros((2, 2, 2)), ValueError),
                                        (np.zeros((0, 2)), ValueError), ([[1.0], [1.0, 2.0]], TypeError)])
def test_batch_rejects_what_is_not_a_dataset(bad, error):
    with pytest.raises(error, match="batch"):
        batch(bad)


def test_batch_copies_columns_and_names_them():
    X = np.arange(6.0).reshape(3, 2)
    x0, x1 = batch(X)
    X[0, 0] = 99.0
    assert x0.data.tolist() == [0.0, 2.0, 4.0] and x1.data.tolist() == [1.0, 3.0, 5.0]
    assert (x0.label, x1.label) == ("x₀", "x₁") and x0.op == "" and x0.parents == ()
    (only,) = batch([1.0, 2.0])  # 1-D: one feature
    assert only.data.shape == (2,)
    assert [v.label for v in batch(X, labels=["age", "height"])] == ["age", "height"]


def test_batch_names_features_the_same_whatever_came_before():
    subscript = dict(zip("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
    expected = ["x" + "".join(subscript[d] for d in str(i)) for i in range(12)]
    for width in (3, 12, 2, 12):  # names are kept between calls: shorter and longer lists alike
        assert [v.label for v in batch(np.zeros((2, width)))] == expected[:width]
    # a model's inputs given as numbers get the same names, past the 64 made at import too
    assert [p.label for p in nn.Neuron(70, None, seed=0)([0.0] * 70).parents[:70:23]] == ["x₀", "x₂₃", "x₄₆", "x₆₉"]


def test_custom_operation_with_a_batched_parent():
    values = np.array([0.1, 0.7, -1.3])
    (x,) = batch(values, requires_grad=True)
    w = Value(2.0)
    # sin(w·x) per sample: ∂/∂(w·x) = cos(w·x)
    z = w * x
    out = Value(np.sin(z.data), parents=(z,), local_grads=(np.cos(z.data),), op="sin")
    assert isinstance(out, Batched) and out.op == "sin"
    batch_sum(out).backward()
    np.testing.assert_allclose(x.grad, np.cos(2 * values) * 2, rtol=1e-14)
    assert math.isclose(w.grad, np.sum(np.cos(2 * values) * values), rel_tol=1e-13)
    with pytest.raises(ValueError, match="3 and 2 samples"):
        Value(np.zeros(2), parents=(x,), local_grads=(1.0,), op="f")
    with pytest.raises(ValueError, match="array of 3 values"):
        Value(np.zeros(3), parents=(x,), local_grads=(np.ones(2),), op="f")


def test_optimizer_refuses_a_gradient_per_sample_and_changes_nothing():
    (x,) = batch([1.0, 2.0], requires_grad=True)
    w = Value(0.5)
    opt = optim.SGD([w, x], lr=0.1)
    batch_mean(x * w).backward()
    with pytest.raises(ValueError, match=r"params\[1\] \(x₀\) has a gradient per sample.*no parameter was updated"):
        opt.step()
    assert w.data == 0.5 and x.data.tolist() == [1.0, 2.0]


def test_no_grad_in_batched_mode_gives_batched_leaves():
    (x,) = batch([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = (x * 3).tanh()
    assert isinstance(y, Batched) and y.parents == () and y.op == ""


def test_batched_graph_draws_and_steps_with_summaries():
    X = RNG.normal(size=(100, 2))
    model = nn.MLP(2, [3, 1], seed=0)
    loss = nn.mse_loss(model(batch(X)), np.zeros(100))
    steps = backward_steps(loss)
    text = str(steps)
    assert "[n=100: " in text and len(max(text.splitlines(), key=len)) < 300
    source = draw_dot(loss).source
    assert "n=100" in source and len(source) < 20_000
    grads = [p.grad for p in model.parameters()]
    model.zero_grad()
    loss2 = nn.mse_loss(model(batch(X)), np.zeros(100))
    loss2.backward()
    # backward_steps takes the rule edge by edge; backward takes a layer's edges with matrix
    # products: the same contributions, summed in another order
    np.testing.assert_allclose([p.grad for p in model.parameters()], grads, rtol=1e-13, atol=1e-16)


def test_batched_graphs_have_no_reference_cycles():
    gc.collect()
    X = RNG.normal(size=(50, 2))
    model = nn.MLP(2, [4, 1], seed=0)
    loss = nn.hinge_loss(model(batch(X)), np.ones(50))
    loss.backward()
    del loss
    assert gc.collect() == 0
