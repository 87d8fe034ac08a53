"""Batched mode's fast paths: a layer's edges taken as matrix products must give what the
per-edge rule gives, data asks for no gradient unless told to, and batching builds on the
engine's public names only."""

from __future__ import annotations

import ast
import copy
import math
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Batched, Value, batch, batch_sum, topological_order
from autograd.batching import Neurons, layer
from optim import SGD
from optim.optimizer import Optimizer

ROOT = Path(__file__).resolve().parent.parent


def per_edge_backward(root: Value) -> None:
    """The rule itself, written here from .parents and .local_grads alone: reset every interior
    node, seed the root, then parent.grad += local_grad · node.grad along every edge."""
    order = topological_order(root)
    for node in order:
        if node.parents:
            node.grad = 0.0
    root.grad += 1.0
    for node in reversed(order):
        for parent, local_grad in zip(node.parents, node.local_grads):
            if parent.grad is not None:
                parent.grad += local_grad * node.grad


@st.composite
def layers(draw):
    """A random batched layer: inputs of every kind (data with and without gradients, computed
    nodes, scalar Values, an input given twice), random weights (one weight shared by two
    neurons), with or without biases, and a loss that may leave some neurons unused."""
    n = draw(st.integers(1, 6))
    n_in = draw(st.integers(1, 5))
    n_out = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    kinds = draw(st.lists(st.sampled_from(["data", "wanted", "computed", "scalar", "twice"]), min_size=n_in,
                          max_size=n_in))
    bias = draw(st.booleans())
    used = draw(st.lists(st.booleans(), min_size=n_out, max_size=n_out).filter(any))
    return n, kinds, n_out, seed, bias, used


def build(n, kinds, n_out, seed, bias, used):
    rng = np.random.default_rng(seed)
    data = batch(rng.normal(size=(n, len(kinds))))
    wanted = batch(rng.normal(size=(n, len(kinds))), requires_grad=True)
    xs: list[Value] = []
    for k, kind in enumerate(kinds):
        if kind == "data":
            xs.append(data[k])
        elif kind == "wanted":
            xs.append(wanted[k])
        elif kind == "computed":
            xs.append((wanted[k] * 1.5).tanh())
        elif kind == "scalar":
            xs.append(Value(float(rng.normal()), "s"))
        else:
            xs.append(xs[0] if xs else wanted[k])
    weights = [[Value(float(rng.normal())) for _ in kinds] for _ in range(n_out)]
    if n_out > 1:
        weights[1][0] = weights[0][0]  # one parameter in two neurons
    biases = [Value(float(rng.normal())) if bias else None for _ in range(n_out)]
    zs = layer(xs, Neurons(list(zip(weights, biases))))
    loss = batch_sum(autograd.sum([(z * float(j + 1)).tanh() for j, z in enumerate(zs) if used[j]]))
    leaves = [*data, *wanted, *xs, *(w for row in weights for w in row), *(b for b in biases if b is not None)]
    return loss, leaves, zs


@settings(max_examples=60, deadline=None)
@given(layers())
def test_a_layers_edges_at_once_equal_the_per_edge_rule(spec):
    fast, fast_leaves, _ = build(*spec)
    slow, slow_leaves, _ = build(*spec)
    fast.backward()
    per_edge_backward(slow)
    for a, b in zip(fast_leaves, slow_leaves):
        if b.grad is None:
            assert a.grad is None
        else:
            np.testing.assert_allclose(a.grad, b.grad, rtol=1e-12, atol=1e-14)


def test_a_layer_against_numpy_matrix_formulas():
    """z = W·x + b on a batch, loss Σ tanh(z) · c: every gradient from a NumPy formula."""
    rng = np.random.default_rng(3)
    X, W, b, c = rng.normal(size=(7, 4)), rng.normal(size=(3, 4)), rng.normal(size=3), np.array([1.0, -2.0, 0.5])
    xs = batch(X, requires_grad=True)
    model = nn.Layer(4, 3, activation=None)
    for j, neuron in enumerate(model.neurons):
        for k, w in enumerate(neuron.w):
            w.data = W[j, k]
        neuron.b.data = b[j]
    zs = model(xs)
    batch_sum(autograd.sum([z.tanh() * cj for z, cj in zip(zs, c)])).backward()
    Z = X @ W.T + b
    G = (1 - np.tanh(Z) ** 2) * c  # ∂loss/∂z per sample, (7, 3)
    np.testing.assert_allclose([[w.grad for w in n.w] for n in model.neurons], G.T @ X, rtol=1e-12)
    np.testing.assert_allclose([n.b.grad for n in model.neurons], G.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(np.array([x.grad for x in xs]).T, G @ W, rtol=1e-12)


def test_neurons_left_out_of_the_loss_get_nothing_in_a_later_pass():
    """The layer's nodes share one block, which must take only the nodes this pass reaches: a
    neuron left out of the second loss keeps no stale gradient from the first pass."""
    X = np.random.default_rng(0).normal(size=(5, 3))
    model = nn.Layer(3, 2, activation=None)
    zs = model(batch(X))
    batch_sum(zs[0] + zs[1]).backward()
    model.zero_grad()
    batch_sum(zs[0] * 2.0).backward()
    assert [w.grad for w in model.neurons[1].w] == [0.0, 0.0, 0.0] and model.neurons[1].b.grad == 0.0
    np.testing.assert_allclose([w.grad for w in model.neurons[0].w], 2 * X.sum(axis=0), rtol=1e-13)


def test_data_asks_for_no_gradient_unless_told():
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    model = nn.MLP(2, [3, 1], seed=0)
    xs = batch(X)
    loss = nn.mse_loss(model(xs), [0.0, 1.0, 2.0])
    loss.backward()
    assert [x.grad for x in xs] == [None, None]  # PyTorch's requires_grad=False: not computed
    assert all(type(p.grad) is float for p in model.parameters()) and any(p.grad for p in model.parameters())
    assert "—" in repr(xs[0]) and "grad=—" in repr(xs[0])
    # with requires_grad=True: dL/dx per sample, against central differences on the scalar model
    xs = batch(X, requires_grad=True)
    nn.mse_loss(model(xs), [0.0, 1.0, 2.0]).backward()
    h = 1e-6
    for i in range(3):
        for k in range(2):
            def loss_at(dx, i=i, k=k):
                Xd = X.copy()
                Xd[i, k] += dx
                return nn.mse_loss([model([float(a) for a in row]) for row in Xd], [0.0, 1.0, 2.0]).data
            fd = (loss_at(h) - loss_at(-h)) / (2 * h)
            assert math.isclose(xs[k].grad[i], fd, rel_tol=1e-6, abs_tol=1e-8)
    with pytest.raises(ValueError, match="requires_grad=True"):
        batch(X)[0].backward(np.ones(3))
    with pytest.raises(TypeError, match="requires_grad"):
        batch(X, requires_grad="yes")


def test_steps_and_drawings_pass_over_data_without_a_gradient():
    (x,) = batch([1.0, 2.0])
    w = Value(0.5, "w")
    out = batch_sum((x * w).relu())
    steps = autograd.backward_steps(out)
    assert all(step.parent is not x for step in steps) and any(step.parent is w for step in steps)
    assert x.grad is None and w.grad == 3.0
    assert "—" in autograd.draw_dot(out).source  # the input's grad: not computed


def test_a_custom_operation_on_a_batch_is_built_by_batching_without_changing_a_class():
    (x,) = batch([0.1, 0.2], requires_grad=True)
    out = Value(np.sin(x.data), "s", parents=(x,), local_grads=(np.cos(x.data),), op="sin")
    assert type(out) is Batched and out.label == "s"
    engine = ast.parse((ROOT / "autograd" / "engine.py").read_text())
    imports = [node for node in ast.walk(engine) if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert not [node for node in imports if "batching" in ast.unparse(node)]  # the engine knows nothing of it
    assert not [node for node in ast.walk(engine) if isinstance(node, ast.Name) and node.id == "Batched"]
    assert not [node for node in ast.walk(engine) if isinstance(node, ast.Attribute) and node.attr == "__class__"
                and isinstance(node.ctx, ast.Store)]


def test_batching_uses_only_what_the_engine_exports():
    tree = ast.parse((ROOT / "autograd" / "batching.py").read_text())
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module == "engine"
                for alias in node.names]
    assert imported and not [name for name in imported if name.startswith("_")]
    reached_in = [node.attr for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "engine"]
    assert reached_in == []


@pytest.mark.parametrize("copier", [copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))])
def test_values_copy_and_pickle_through_the_new_constructor(copier):
    x = Value(2.0, "x")
    y = copier(x * x + 1)
    (leaf,) = [p for p in topological_order(y) if p.label == "x"]
    y.backward()
    assert leaf.grad == 4.0 and type(y) is Value
    (b,) = batch([1.0, 2.0], requires_grad=True)
    twin = copier(b * 3.0)
    assert type(twin) is Batched and twin.data.tolist() == [3.0, 6.0]


def test_plain_sgd_on_floats_gives_the_bits_of_the_array_formula():
    rng = np.random.default_rng(1)
    for wd in (0.0, 0.01):
        data, grads = rng.normal(size=50) * 10, rng.normal(size=50)
        fast = [Value(float(d)) for d in data]
        slow = [Value(float(d)) for d in data]
        for p, q, g in zip(fast, slow, grads):
            p.grad = q.grad = float(g)
        SGD(fast, lr=0.3, weight_decay=wd).step()
        Optimizer.step(SGD(slow, lr=0.3, weight_decay=wd))  # the arrays' path
        assert [p.data for p in fast] == [q.data for q in slow]
        assert [p.data for p in fast] == (data - 0.3 * (grads + wd * data)).tolist()  # NumPy's formula
        assert all(type(p.data) is float for p in fast)
    p = Value(1.0)
    p.grad = np.float64(0.5)  # not a plain float: the general path, which keeps data a float
    SGD([p], lr=0.1).step()
    assert type(p.data) is float and p.data == 0.95
