"""Parameters that share one store (autograd.parameters) and the fast paths built on it:
every number checked against NumPy formulas written here or finite differences."""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import Value, backward_steps, no_grad
from autograd.parameters import Parameter, shared_parameters, shared_store, shared_stores
from tests.test_reliability import finite_difference


def layer_matrix(layer: nn.Layer) -> tuple[np.ndarray, np.ndarray]:
    """(W, b) read weight by weight through .data: W[j] is neuron j's weights."""
    W = np.array([[w.data for w in n.w] for n in layer.neurons])
    return W, np.array([n.b.data for n in layer.neurons])


def numpy_layer(layer: nn.Layer, x, relu: bool = True) -> np.ndarray:
    W, b = layer_matrix(layer)
    z = W @ np.asarray(x, float) + b
    return np.maximum(z, 0.0) if relu else z


def test_a_parameter_is_a_value_whose_number_lives_in_its_store():
    ps = shared_parameters([1.0, 2.0, 3.0], ["a", "b", "c"])
    assert all(isinstance(p, Value) for p in ps) and [p.label for p in ps] == ["a", "b", "c"]
    ps[1].data = 5  # an int is stored as a float
    assert ps[1].data == 5.0 and type(ps[1].data) is float
    assert shared_store(ps).tolist() == [1.0, 5.0, 3.0]
    y = ps[0] * ps[1] + ps[2]
    y.backward()
    assert (y.data, ps[0].grad, ps[1].grad, ps[2].grad) == (8.0, 5.0, 1.0, 1.0)
    assert shared_store(ps[:2]) is None and shared_store(ps[::-1]) is None  # not the whole store, in order
    assert Parameter(2.5, "w").data == 2.5


@pytest.mark.parametrize("bad", ["1.0", [1.0, 2.0], np.zeros(3), None])
def test_a_parameter_refuses_what_is_not_one_number_and_keeps_its_value(bad):
    (p,) = shared_parameters([0.25], ["w"])
    with pytest.raises(TypeError, match="parameter w"):
        p.data = bad
    assert p.data == 0.25
    with pytest.raises(TypeError, match="label"):
        Parameter(1.0, label=3)


def test_a_layers_parameters_share_one_store_neuron_after_neuron():
    model = nn.MLP(3, [4, 2], seed=0)
    stores = shared_stores(model.parameters())
    assert stores is not None and [len(s) for s in stores] == [4 * 4, 2 * 5]
    flat = [p.data for p in model.parameters()]
    assert np.concatenate([np.array(s) for s in stores]).tolist() == flat
    assert not any(isinstance(p, Parameter) for p in nn.MLP(3, [4, 2], seed=0, fused=False).parameters())


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copied_model_has_stores_of_its_own_still_shared_by_its_layers(how):
    model = nn.MLP(2, [3, 1], seed=1)
    twin = copy.deepcopy(model) if how == "deepcopy" else pickle.loads(pickle.dumps(model))
    assert shared_stores(twin.parameters()) is not None
    twin.layers[0].neurons[0].w[0].data = 100.0
    assert model.layers[0].neurons[0].w[0].data != 100.0
    x = [0.5, -0.25]
    assert np.allclose(twin.layers[0](x)[0].data, numpy_layer(twin.layers[0], x)[0], rtol=0, atol=1e-15)


def test_copy_copy_of_a_parameter_is_independent():
    ps = shared_parameters([1.0, 2.0], ["a", "b"])
    q = copy.copy(ps[0])
    q.data = 9.0
    assert ps[0].data == 1.0 and q.data == 9.0 and q.label == "a"


def test_the_scalar_layer_sees_every_way_its_weights_change():
    """The layer reads its store once and keeps what it read until the store is written:
    through w.data, an optimiser's step, load_state_dict, or a neuron's weight replaced."""
    layer = nn.Layer(3, 2, activation=None, seed=0)  # (linear: a change always shows)
    x = [0.5, -1.0, 2.0]

    def check():
        expected = numpy_layer(layer, x, relu=False)
        assert np.allclose([v.data for v in layer(x)], expected, rtol=1e-15, atol=1e-15)
        batched = layer(autograd.batch([x, x]))  # batched mode reads the same store
        assert np.allclose([v.data[1] for v in batched], expected, rtol=1e-15, atol=1e-15)

    check()
    layer.neurons[1].w[2].data = -3.0
    check()
    opt = optim.SGD(layer.parameters(), lr=0.5)
    for i, p in enumerate(layer.parameters()):
        p.grad = 0.1 * i - 0.3
    opt.step()
    check()
    layer.load_state_dict({k: 0.1 * i for i, k in enumerate(layer.state_dict())})
    check()
    layer.neurons[0].w[1] = Value(7.0)  # a plain Value in place of a parameter: read one by one
    check()
    layer.neurons[0].w[1].data = -7.0
    check()


def test_the_scalar_layers_gradients_match_finite_differences():
    model = nn.MLP(3, [4, 4, 1], activation="tanh", seed=2)
    X = [[0.3, -0.7, 1.1], [-1.2, 0.4, 0.05]]
    loss = nn.mse_loss([model(x) for x in X], [0.5, -0.5])
    loss.backward()
    params = model.parameters()

    def f():
        with no_grad():
            return nn.mse_loss([model(x) for x in X], [0.5, -0.5]).data

    for i in (0, 5, 16, 19, len(params) - 1):
        assert math.isclose(params[i].grad, finite_difference(f, params, i), rel_tol=1e-6, abs_tol=1e-9)


def test_a_layers_dot_nodes_follow_the_edge_by_edge_rule():
    """A scalar layer's dot node takes input k's edge and weight k's side by side (AffineEdges),
    in backward() and in backward_steps: the gradients are those of the rule written here, one
    edge at a time in the order of the parents, bit for bit."""

    def rule_by_hand(root):
        order = autograd.topological_order(root)
        root.grad = 1.0
        for node in reversed(order):
            for parent, local_grad in zip(node.parents, list(node.local_grads)):
                parent.grad += local_grad * node.grad

    def grads(run):
        model = nn.MLP(3, [5, 2], seed=3)
        xs = [Value(0.3, "a"), Value(-0.8, "b"), Value(1.7, "c")]
        out = model(xs)
        run(out[0] * out[1] + out[0])
        return [p.grad for p in model.parameters()] + [x.grad for x in xs]

    by_hand = grads(rule_by_hand)
    assert grads(Value.backward) == by_hand
    assert grads(backward_steps) == by_hand


def test_an_input_that_is_also_a_weight_gets_its_gradient_right():
    layer = nn.Layer(2, 2, activation=None, seed=4)
    w = layer.neurons[0].w[0]
    out = layer([w, 0.5])  # neuron 0 computes w·w + w₁·0.5 + b
    out[0].backward()
    assert math.isclose(w.grad, 2 * w.data, rel_tol=1e-15)


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.01),
        lambda ps: optim.Momentum(ps, lr=0.1, momentum=0.9),
        lambda ps: optim.Adam(ps, lr=0.01),
    ],
)
def test_optimisers_on_stores_write_what_the_formula_gives(make):
    model = nn.MLP(3, [4, 2], seed=5)
    params = model.parameters()
    opt = make(params)
    rng = np.random.default_rng(0)
    p = np.array([q.data for q in params])
    b = m = v = None
    for t in (1, 2):
        g = rng.normal(size=len(params))
        for q, gi in zip(params, g.tolist()):
            q.grad = gi
        opt.step()
        if isinstance(opt, optim.Adam):
            m = (1 - 0.9) * g if m is None else 0.9 * m + (1 - 0.9) * g
            v = (1 - 0.999) * g * g if v is None else 0.999 * v + (1 - 0.999) * g * g
            p = p - 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        elif isinstance(opt, optim.Momentum):
            b = g if b is None else 0.9 * b + g
            p = p - 0.1 * b
        else:
            p = p - 0.1 * (g + 0.01 * p)
        assert np.allclose([q.data for q in params], p, rtol=1e-13, atol=0)


def test_an_optimiser_whose_parameters_are_not_whole_stores_updates_just_those():
    model = nn.MLP(2, [3, 1], seed=6)
    part = model.layers[0].parameters()[:4]  # part of a store
    before = [q.data for q in model.parameters()]
    opt = optim.SGD(part, lr=1.0)
    for q in model.parameters():
        q.grad = 1.0
    opt.step()
    after = [q.data for q in model.parameters()]
    assert after == [x - 1.0 for x in before[:4]] + before[4:]
    opt.params.append(model.layers[1].neurons[0].b)  # a changed list is planned again
    opt.step()
    assert model.layers[1].neurons[0].b.data == before[-1] - 1.0


def test_a_refused_step_leaves_every_store_unchanged():
    model = nn.MLP(2, [3, 1], seed=7)
    params = model.parameters()
    opt = optim.SGD(params, lr=0.1)
    before = [q.data for q in params]
    for q in params:
        q.grad = 1.0
    params[5].grad = float("nan")
    with pytest.raises(ValueError, match=r"params\[5\]"):
        opt.step()
    assert [q.data for q in params] == before


def test_an_l2_penalty_over_a_models_parameters_is_the_sum_of_squares():
    model = nn.MLP(3, [4, 2], seed=8)
    params = model.parameters()
    p = np.array([q.data for q in params])
    penalty = autograd.dot(params, params)  # each value read once (see fused.affine)
    penalty.backward()
    assert math.isclose(penalty.data, float(p @ p), rel_tol=1e-14)
    assert np.allclose([q.grad for q in params], 2 * p, rtol=1e-15, atol=0)
