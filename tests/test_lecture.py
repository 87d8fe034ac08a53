"""Following the lecture "building micrograd" with the library: the chain rule one node at a
time, micrograd's names, the lecture's network.  The expected numbers are the lecture's,
computed here by hand with ``math`` or in NumPy."""

import math
import re

import numpy as np
import pytest
from hypothesis import given

import autograd
import nn
from autograd import Value, backward_steps, topological_order
from tests.test_engine import programs, run


def lecture_expression():
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    d = e + c
    L = d * f
    for node, name in ((e, "e"), (d, "d"), (L, "L")):
        node.label = name
    return L, dict(a=a, b=b, c=c, d=d, e=e, f=f, L=L)


def test_the_lecture_chain_rule_one_node_at_a_time():
    L, v = lecture_expression()
    assert L.data == (2.0 * -3.0 + 10.0) * -2.0 == -8.0
    L.grad = 1.0
    steps = [step for node in (L, v["d"], v["e"]) for step in node.backward_step()]
    # by hand: dL/dd = f, dL/df = d, dL/de = dL/dc = dL/dd, dL/da = dL/de·b, dL/db = dL/de·a
    f, d, a, b = -2.0, 4.0, 2.0, -3.0
    expected = {"d": f, "f": d, "e": f, "c": f, "a": f * b, "b": f * a}
    assert {name: v[name].grad for name in expected} == expected
    assert [(s.parent.label, s.local_grad, s.upstream) for s in steps] == [
        ("d", f, 1.0), ("f", d, 1.0), ("e", 1.0, f), ("c", 1.0, f), ("a", b, f), ("b", a, f)
    ]
    assert str(steps[4]) == "a.grad += ∂e/∂a × e.grad = -3 × -2 = 6  →  a.grad = 6"


def test_the_lecture_neuron_by_backward_step():
    x1, x2, w1, w2 = Value(2.0, "x1"), Value(0.0, "x2"), Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.grad = 1.0
    for node in reversed(topological_order(o)):
        node.backward_step()
    slope = 1 - math.tanh(2.0 * -3.0 + 6.8813735870195432) ** 2  # d tanh(n)/dn = 1 − tanh²n ≈ 0.5
    assert math.isclose(n.grad, slope, rel_tol=1e-15)
    assert (x1.grad, w1.grad, x2.grad, w2.grad) == pytest.approx((-3.0 * slope, 2.0 * slope, 1.0 * slope, 0.0))
    assert round(x1.grad, 4) == -1.5 and round(w1.grad, 4) == 1.0 and round(x2.grad, 4) == 0.5  # the lecture's


@given(programs())
def test_stepping_every_node_by_hand_is_bit_for_bit_backward(program):
    xs, steps = program
    by_hand, by_engine = [Value(x) for x in xs], [Value(x) for x in xs]
    root, twin = run(by_hand, steps, 0), run(by_engine, steps, 0)
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        node.backward_step()
    twin.backward()
    for mine, theirs in zip(topological_order(root), topological_order(twin)):
        assert mine.grad == theirs.grad or (math.isnan(mine.grad) and math.isnan(theirs.grad))


def test_backward_step_returns_the_steps_backward_steps_shows_and_resets_nothing():
    L, v = lecture_expression()
    reference = backward_steps(lecture_expression()[0])
    L.grad = 1.0
    taken = [s for node in (L, v["d"], v["e"]) for s in node.backward_step()]
    assert [str(s) for s in taken] == [str(s) for s in reference]
    assert v["a"].backward_step() == [] and v["a"].grad == 6.0  # a leaf: nothing to pass on
    x = Value(3.0, "x")
    y = x * x
    y.grad = 2.0
    x.grad = 1.0  # not reset: the step adds to it, twice (x is both factors)
    assert [s.parent_grad for s in y.backward_step()] == [1.0 + 6.0, 1.0 + 12.0] and x.grad == 13.0


@pytest.mark.parametrize(
    "name, replacement",
    [("_prev", "v.parents"), ("_children", "v.parents"), ("_op", "v.op"), ("_backward", "v.backward_step()")],
)
def test_micrograd_private_names_point_to_their_replacements(name, replacement):
    with pytest.raises(AttributeError, match=rf"no {name} \(micrograd's name\): here it is {re.escape(replacement)}"):
        getattr(Value(1.0) * 2, name)
    assert not hasattr(Value(1.0), "nonsense")

# ---- the lecture's network: tanh everywhere, weights and biases U(−1, 1) ------------------------

XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]


def test_uniform_init_draws_weights_and_biases_from_u_minus_1_1():
    model = nn.MLP(3, [4, 4, 1], init="uniform", seed=5)
    rng = np.random.default_rng(5)  # reference: one generator, each layer's W then b, as NumPy draws them
    for layer in model.layers:
        nin = len(layer.neurons[0].w)
        W, b = rng.uniform(-1, 1, (len(layer.neurons), nin)), rng.uniform(-1, 1, len(layer.neurons))
        assert [[w.data for w in n.w] for n in layer.neurons] == W.tolist()
        assert [n.b.data for n in layer.neurons] == b.tolist()
    biases = [n.b.data for layer in nn.MLP(3, [50, 50, 1], init="uniform", seed=1).layers for n in layer.neurons]
    assert min(biases) < -0.8 and max(biases) > 0.8 and all(-1 <= x < 1 for x in biases)
    assert all(n.b.data == 0.0 for n in nn.Layer(3, 5, init="micrograd", seed=1).neurons)  # the repository's: 0


def numpy_lecture_training(model, steps, lr=0.1):
    """The lecture's loop written in NumPy: tanh layers, loss Σ (ŷ − y)², p ← p − lr·∂L/∂p."""
    Ws = [np.array([[w.data for w in n.w] for n in layer.neurons]) for layer in model.layers]
    bs = [np.array([n.b.data for n in layer.neurons]) for layer in model.layers]
    X, Y = np.array(XS), np.array(YS)
    losses = []
    for _ in range(steps):
        acts = [X]
        for W, b in zip(Ws, bs):
            acts.append(np.tanh(acts[-1] @ W.T + b))
        out = acts[-1][:, 0]
        losses.append(float(np.sum((out - Y) ** 2)))
        delta = (2 * (out - Y))[:, None] * (1 - acts[-1] ** 2)  # ∂L/∂z of the last layer
        grads = []
        for k in range(len(Ws) - 1, -1, -1):
            grads.append((delta.T @ acts[k], delta.sum(axis=0)))
            if k:
                delta = (delta @ Ws[k]) * (1 - acts[k] ** 2)
        for (gW, gb), k in zip(grads, range(len(Ws) - 1, -1, -1)):
            Ws[k] = Ws[k] - lr * gW
            bs[k] = bs[k] - lr * gb
    return losses


@pytest.mark.parametrize("seed", range(5))
def test_the_lecture_network_learns_for_every_seed_as_numpy_says(seed):
    model = nn.MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", init="uniform", seed=seed)
    expected = numpy_lecture_training(model, 40)
    losses = []
    for _ in range(40):
        ypred = [model(x) for x in XS]
        loss = autograd.sum([(yout - ygt) ** 2 for ygt, yout in zip(YS, ypred)])
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data += -0.1 * p.grad
        losses.append(loss.data)
    np.testing.assert_allclose(losses, expected, rtol=1e-10)
    assert losses[-1] < 0.1 * losses[0] and losses[-1] < 0.5  # it learns, whatever the seed


# ---- cross_entropy's classes: both forms alike -------------------------------------------------


@pytest.mark.parametrize("target, error, message", [
    (0.5, ValueError, "not a whole number"),
    (3, ValueError, r"not a class index in \[0, 3\)"),
    (-1.0, ValueError, r"not a class index in \[0, 3\)"),
])
@pytest.mark.parametrize("batched", [False, True])
def test_cross_entropy_classes_are_checked_alike_in_both_forms(target, error, message, batched):
    logits = [autograd.batch([x])[0] for x in (1.0, 2.0, 3.0)] if batched else [[1.0, 2.0, 3.0]]
    with pytest.raises(error, match=message):
        nn.cross_entropy(logits, [target])


@pytest.mark.parametrize("batched", [False, True])
def test_a_whole_float_class_is_that_class(batched):
    logits = [autograd.batch([x])[0] for x in (1.0, 2.0, 3.0)] if batched else [[1.0, 2.0, 3.0]]
    loss = nn.cross_entropy(logits, [0.0])
    assert math.isclose(loss.data, math.log(math.exp(1) + math.exp(2) + math.exp(3)) - 1.0, rel_tol=1e-15)
