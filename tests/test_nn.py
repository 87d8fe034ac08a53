"""nn modules vs a hand-written NumPy forward/backward; state, save/load, seeds, errors."""

import math
import os

import numpy as np
import pytest

import autograd
from autograd import Value
from nn import MLP, Layer, Neuron

erf = np.vectorize(math.erf)
SIG = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
# name: (activation, its derivative), written here with NumPy
NP_ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
    "tanh": (np.tanh, lambda z: 1 / np.cosh(z) ** 2),
    "sigmoid": (SIG, lambda z: SIG(z) * (1 - SIG(z))),
    "gelu": (lambda z: 0.5 * z * (1 + erf(z / np.sqrt(2))),
             lambda z: 0.5 * (1 + erf(z / np.sqrt(2))) + z * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)),
    "silu": (lambda z: z * SIG(z), lambda z: SIG(z) * (1 + z * (1 - SIG(z)))),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01)),
    None: (lambda z: z, lambda z: np.ones_like(z)),
}


def weights_of(model):
    return ([np.array([[w.data for w in n.w] for n in layer.neurons]) for layer in model.layers],
            [np.array([n.b.data for n in layer.neurons]) for layer in model.layers])


def numpy_forward_backward(Ws, bs, acts, X, C):
    """Outputs of the network on the rows of X, and the gradients of L = Σ C ⊙ outputs."""
    hs, zs = [X], []
    for W, b, act in zip(Ws, bs, acts):
        zs.append(hs[-1] @ W.T + b)
        hs.append(NP_ACTIVATIONS[act][0](zs[-1]))
    g = C
    dWs, dbs = [], []
    for W, z, h, act in reversed(list(zip(Ws, zs, hs[:-1], acts))):
        gz = g * NP_ACTIVATIONS[act][1](z)
        dWs.insert(0, gz.T @ h)
        dbs.insert(0, gz.sum(axis=0))
        g = gz @ W
    return hs[-1], dWs, dbs


@pytest.mark.parametrize("nin, nouts, activation, seed", [(2, [16, 16, 1], "relu", 0), (3, [4, 4, 2], "tanh", 1)])
def test_mlp_matches_numpy_forward_and_backward(nin, nouts, activation, seed):
    model = MLP(nin, nouts, activation=activation, seed=seed)
    rng = np.random.default_rng(seed + 100)
    X = rng.normal(size=(8, nin))
    C = rng.normal(size=(8, nouts[-1]))
    acts = [activation] * (len(nouts) - 1) + [None]
    Ws, bs = weights_of(model)
    expected, dWs, dbs = numpy_forward_backward(Ws, bs, acts, X, C)

    outputs = [model(x) for x in X]
    outputs = [[o] if isinstance(o, Value) else o for o in outputs]
    loss = autograd.sum([autograd.dot(out, c) for out, c in zip(outputs, C)])
    loss.backward()
    np.testing.assert_allclose([[o.data for o in out] for out in outputs], expected, rtol=1e-12, atol=1e-14)
    got_W, got_b = ([np.array([[w.grad for w in n.w] for n in layer.neurons]) for layer in model.layers],
                    [np.array([n.b.grad for n in layer.neurons]) for layer in model.layers])
    for gw, dw, gb, db in zip(got_W, dWs, got_b, dbs):
        np.testing.assert_allclose(gw, dw, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(gb, db, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("activation", sorted(NP_ACTIVATIONS, key=str))
def test_each_activation_inside_a_neuron(activation):
    neuron = Neuron(3, activation, seed=4)
    x = np.array([0.3, -1.2, 2.0])
    w = np.array([wi.data for wi in neuron.w])
    z = w @ x + neuron.b.data
    out = neuron(x)
    out.backward()
    f, df = NP_ACTIVATIONS[activation]
    assert math.isclose(out.data, float(f(np.array(z))), rel_tol=1e-12, abs_tol=1e-15)
    np.testing.assert_allclose([wi.grad for wi in neuron.w], df(np.array(z)) * x, rtol=1e-12, atol=1e-15)
    assert math.isclose(neuron.b.grad, float(df(np.array(z))), rel_tol=1e-12, abs_tol=1e-15)


def test_one_fused_node_per_neuron():
    neuron = Neuron(4, "tanh", seed=0)
    out = neuron([1.0, 2.0, 3.0, 4.0])
    pre = out.parents[0]
    assert out.op == "tanh" and pre.op == "dot"
    assert pre.parents[4:] == (*neuron.w, neuron.b)
    linear = Neuron(4, None, seed=0)([1.0, 2.0, 3.0, 4.0])
    assert linear.op == "dot"


def test_inputs_may_be_values_and_receive_gradients():
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    x = [Value(0.5), Value(-0.25)]
    out = model(x)
    out.backward()
    W1, W2 = weights_of(model)[0]
    b1 = weights_of(model)[1][0]
    z = W1 @ np.array([0.5, -0.25]) + b1
    expected = (W2[0] * (1 - np.tanh(z) ** 2)) @ W1
    np.testing.assert_allclose([x[0].grad, x[1].grad], expected, rtol=1e-12)


def test_return_types():
    layer = Layer(3, 1, seed=0)
    assert isinstance(layer([1, 2, 3]), list) and len(layer([1, 2, 3])) == 1
    assert isinstance(MLP(2, [4, 1, 1], seed=0)([1.0, 2.0]), Value)  # one-neuron hidden layer
    out = MLP(2, [4, 3], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3
    assert isinstance(MLP(1, [2, 1], seed=0)(0.5), Value)  # a single input may be a bare number
    assert isinstance(MLP(2, [2, 1], seed=0)(np.array([0.5, 1.0])), Value)


def test_parameters_names_and_count():
    model = MLP(2, [16, 16, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert len(names) == model.num_parameters() == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert names[-1] == "layers.2.neurons.0.b"
    assert "layers.1.neurons.3.w.15" in names
    assert [p for _, p in model.named_parameters()] == model.parameters()
    assert len(set(map(id, model.parameters()))) == len(names)


def test_zero_grad():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_repr():
    assert repr(MLP(2, [16, 16, 1], seed=0)) == "MLP(2 → 16 → 16 → 1, relu; 337 parameters)"
    assert repr(MLP(3, [4, 2], "tanh", "sigmoid", seed=0)) == "MLP(3 → 4 → 2, tanh, output=sigmoid; 26 parameters)"
    assert repr(Layer(3, 4, "gelu", seed=0)) == "Layer(3 → 4, gelu)"
    assert repr(Neuron(5, None, seed=0)) == "Neuron(5, linear)"


# ---- initialisation ------------------------------------------------------------------


def test_default_init_is_pytorch_linear_from_the_seed():
    layer = Layer(5, 3, seed=7)
    rng = np.random.default_rng(7)
    bound = 1 / np.sqrt(5)
    W, b = rng.uniform(-bound, bound, (3, 5)), rng.uniform(-bound, bound, 3)
    assert [[w.data for w in n.w] for n in layer.neurons] == W.tolist()
    assert [n.b.data for n in layer.neurons] == b.tolist()


@pytest.mark.parametrize("init, w_bound, zero_bias", [
    ("pytorch", 1 / np.sqrt(50), False), ("micrograd", 1.0, True),
    ("xavier", np.sqrt(6 / (50 + 40)), True), ("he", np.sqrt(6 / 50), True)])
def test_init_schemes(init, w_bound, zero_bias):
    layer = Layer(50, 40, init=init, seed=0)
    w = np.array([[wi.data for wi in n.w] for n in layer.neurons])
    b = np.array([n.b.data for n in layer.neurons])
    assert np.all(np.abs(w) <= w_bound) and np.abs(w).max() > 0.95 * w_bound  # fills its range
    assert abs(w.std() - w_bound / np.sqrt(3)) < 0.05 * w_bound  # std of U(−a, a) is a/√3
    assert np.all(b == 0) if zero_bias else np.all(np.abs(b) <= 1 / np.sqrt(50)) and np.any(b != 0)


def test_seeds_reproduce_weights():
    same = [MLP(2, [8, 1], seed=s).state_dict() for s in (3, 3)]
    assert same[0] == same[1]
    assert MLP(2, [8, 1], seed=4).state_dict() != same[0]
    by_generator = MLP(2, [8, 1], seed=np.random.default_rng(3)).state_dict()
    assert by_generator == same[0]
    assert MLP(2, [8, 1]).state_dict() != MLP(2, [8, 1]).state_dict()  # no seed: fresh entropy


# ---- state_dict, save, load ---------------------------------------------------------


def test_state_dict_round_trip_writes_into_the_same_values():
    model, other = MLP(2, [4, 1], seed=0), MLP(2, [4, 1], seed=1)
    held = other.parameters()
    other.load_state_dict(model.state_dict())
    assert other.state_dict() == model.state_dict()
    assert other.parameters() == held and all(a is b for a, b in zip(other.parameters(), held))


def test_load_state_dict_errors_leave_module_unchanged():
    model = MLP(2, [2, 1], seed=0)
    before = model.state_dict()
    good = dict(before)
    bad_key = dict(good)
    del bad_key["layers.0.neurons.1.b"]
    del bad_key["layers.1.neurons.0.w.0"]
    bad_key["layers.9.w"] = 1.0
    with pytest.raises(KeyError) as info:
        model.load_state_dict(bad_key)
    for name in ("layers.0.neurons.1.b", "layers.1.neurons.0.w.0", "layers.9.w"):
        assert name in str(info.value)
    for value, match in [(math.nan, "finite"), (math.inf, "finite"), (np.ones(2), "shape"), ("x", "real number")]:
        broken = {name: v + 1 for name, v in good.items()}  # every other value would change
        broken["layers.1.neurons.0.b"] = value
        with pytest.raises(ValueError, match=match):
            model.load_state_dict(broken)
    assert model.state_dict() == before


@pytest.mark.parametrize("as_path", [str, lambda p: p])
def test_save_load_round_trip_is_bit_exact(tmp_path, as_path):
    model = MLP(3, [5, 2], "gelu", seed=0)
    for p in model.parameters():
        p.data = p.data / 3.0 + 1e-17  # values with every bit used
    path = as_path(tmp_path / "model.npz")
    model.save(path)
    fresh = MLP(3, [5, 2], "gelu", seed=1)
    fresh.load(path)
    assert [p.data for p in fresh.parameters()] == [p.data for p in model.parameters()]
    assert np.load(tmp_path / "model.npz")["layers.0.neurons.0.w.0"] == model.layers[0].neurons[0].w[0].data


def test_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch):
    model = MLP(2, [3, 1], seed=0)
    path = tmp_path / "model.npz"
    model.save(path)
    original = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        MLP(2, [3, 1], seed=1).save(path)
    assert path.read_bytes() == original
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left behind


def test_load_from_a_different_architecture_fails_cleanly(tmp_path):
    MLP(2, [3, 1], seed=0).save(tmp_path / "small.npz")
    model = MLP(2, [4, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"small\.npz does not hold this model's parameters.*missing keys"):
        model.load(tmp_path / "small.npz")
    assert model.state_dict() == before


# ---- errors ------------------------------------------------------------------------


def test_wrong_number_of_inputs():
    with pytest.raises(ValueError, match="expected 2 inputs, received 3"):
        MLP(2, [3, 1], seed=0)([1, 2, 3])
    with pytest.raises(ValueError, match="expected 3 inputs, received 2"):
        Layer(3, 2, seed=0)([1, 2])
    with pytest.raises(ValueError, match="expected 4 inputs, received 1"):
        Neuron(4, seed=0)([1])
    with pytest.raises(TypeError, match="str"):
        MLP(2, [3, 1], seed=0)("ab")


def test_unknown_activation_lists_the_valid_ones():
    for build in (lambda: Neuron(2, "swish"), lambda: Layer(2, 2, "Relu"), lambda: MLP(2, [2, 1], "relu", "softmax")):
        with pytest.raises(ValueError) as info:
            build()
        for name in ("'relu'", "'tanh'", "'sigmoid'", "'gelu'", "'silu'", "'leaky_relu'", "None"):
            assert name in str(info.value)


def test_bad_construction_arguments():
    with pytest.raises(ValueError, match="unknown init 'glorot'.*'xavier'"):
        Layer(2, 2, init="glorot")
    with pytest.raises(ValueError, match="nouts"):
        MLP(2, [])
    with pytest.raises(ValueError, match="nouts"):
        MLP(2, 3)
    with pytest.raises(ValueError, match="positive int"):
        MLP(0, [3])
    with pytest.raises(ValueError, match="positive int"):
        Layer(2, 0)
    with pytest.raises(TypeError, match="seed"):
        MLP(2, [1], seed="abc")
    with pytest.raises(ValueError, match="weights"):
        Neuron(3, weights=[1.0, 2.0])
