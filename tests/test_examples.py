"""Every example runs (at a small size) and prints what the README says it prints."""

import math
import shutil
import subprocess
import sys

import numpy as np
import pytest

from examples import backprop, digits, draw_graph, loss_functions, moons, optimizer_race
from tests.conftest import needs_dot


def test_draw_graph_numbers():
    g = draw_graph.readme_expression()
    assert f"{g.data:.4f}" == "24.7041"
    o = draw_graph.neuron()
    o.backward()
    assert math.isclose(o.data, 1 / math.sqrt(2), rel_tol=1e-12)
    # do/dn = 1 − tanh², so every weight's gradient is 0.5 times its input
    leaves = {p.label: p for p in _leaves(o)}
    assert math.isclose(leaves["w1"].grad, 0.5 * 2.0) and math.isclose(leaves["x1"].grad, 0.5 * -3.0)
    assert math.isclose(leaves["w2"].grad, 0.0, abs_tol=1e-15) and math.isclose(leaves["b"].grad, 0.5)


def _leaves(root):
    from autograd import topological_order

    return [n for n in topological_order(root) if not n.parents]


@needs_dot
def test_draw_graph_writes_svg_and_png(tmp_path, capsys):
    written = draw_graph.main(["--out", str(tmp_path)])
    names = sorted(p.name for p in written)
    assert names[:4] == ["expression.png", "expression.svg", "neuron.png", "neuron.svg"]
    assert names[4:] in (["neuron_backward.gif", "neuron_backward.html"], ["neuron_backward.html"])
    assert (tmp_path / "neuron.png").read_bytes()[:4] == b"\x89PNG"
    assert "o = 0.7071 after backward()" in capsys.readouterr().out


def test_draw_graph_without_dot_writes_source_and_explains(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    written = draw_graph.main(["--out", str(tmp_path)])
    assert sorted(p.name for p in written) == ["expression.dot", "neuron.dot"]
    assert "apt-get install graphviz" in capsys.readouterr().out


# ---- the lesson's programs, checked against NumPy re-implementations written here ------------


def numpy_backprop(epochs, lr, report_every):
    """The lesson's 2 → 3 → 2 → 1 sigmoid network trained by NumPy matrix calculus."""
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    np.random.seed(42)
    params = [[np.random.randn(a, b) * 0.5, np.zeros(b)] for a, b in [(2, 3), (3, 2), (2, 1)]]
    X, y = backprop.X, backprop.Y.reshape(-1, 1)
    history = []
    for epoch in range(epochs):
        hs = [X]
        for W, b in params:
            hs.append(sig(hs[-1] @ W + b))
        loss = np.mean((hs[-1] - y) ** 2)
        delta = 2 * (hs[-1] - y) / len(X) * hs[-1] * (1 - hs[-1])  # ∂L/∂z of the output layer
        grads = []
        for (W, b), h, h_prev in reversed(list(zip(params, hs[1:], hs[:-1]))):
            grads.insert(0, (h_prev.T @ delta, delta.sum(axis=0)))
            delta = (delta @ W.T) * h_prev * (1 - h_prev)
        for (W, b), (dW, db) in zip(params, grads):
            W -= lr * dW
            b -= lr * db
        if epoch % report_every == 0 or epoch == epochs - 1:
            history.append((epoch, loss))
    return history


def test_backprop_losses_match_numpy_at_every_printed_epoch(tmp_path, capsys):
    model, history = backprop.main(["--out", str(tmp_path)])  # the README's main command, full size
    expected = numpy_backprop(2000, 1.0, 200)
    assert [e for e, _ in history] == [e for e, _ in expected] == [*range(0, 2000, 200), 1999]
    np.testing.assert_allclose([loss for _, loss in history], [loss for _, loss in expected], rtol=1e-12)
    out = capsys.readouterr().out
    assert f"Epoch     0  loss {expected[0][1]:.6f}" in out and f"Epoch  1999  loss {expected[-1][1]:.6f}" in out
    assert "Accuracy: 8/8" in out
    assert (tmp_path / "backprop.svg").exists() or (tmp_path / "backprop.dot").exists()
    assert (tmp_path / "backprop_before.svg").exists() or (tmp_path / "backprop_before.dot").exists()
    # the output neuron's chain-rule steps before training, checked against the NumPy forward pass
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    np.random.seed(42)
    W = [np.random.randn(a, b) * 0.5 for a, b in [(2, 3), (3, 2), (2, 1)]]
    h1 = sig(backprop.X[0] @ W[0])
    h2 = sig(h1 @ W[1])
    y_hat = sig(h2 @ W[2])[0]
    dloss = 2 * (y_hat - backprop.Y[0])  # d(ŷ − y)²/dŷ
    dz = dloss * y_hat * (1 - y_hat)  # through the output sigmoid
    assert f"= {dloss:.4g} × 1 = {dloss:.4g}" in out
    assert f"W3[0,0].grad += ∂z3[0]/∂W3[0,0] × z3[0].grad = {h2[0]:.4g} × {dz:.4g}" in out
    if shutil.which("dot"):
        assert (tmp_path / "backprop.html").exists()


def test_backprop_without_dot_still_trains_and_explains(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    backprop.main(["--epochs", "20", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert (tmp_path / "backprop.dot").exists() and "apt-get install graphviz" in out


def test_loss_function_tables_match_numpy():
    actual, predicted = np.array(loss_functions.ACTUAL), np.array(loss_functions.PREDICTED)
    d = predicted - actual
    huber = np.where(np.abs(d) < 1, 0.5 * d**2, np.abs(d) - 0.5)
    expected = {"MSE": (np.mean(d**2), 2 * d / 4), "MAE": (np.mean(np.abs(d)), np.sign(d) / 4),
                "Huber": (np.mean(huber), np.clip(d, -1, 1) / 4)}
    for name, value, grads in loss_functions.regression_table():
        assert value == pytest.approx(expected[name][0], rel=1e-12)
        np.testing.assert_allclose(grads, expected[name][1], rtol=1e-12)
    for case, p, loss, d_p, d_logit in loss_functions.classification_table():
        assert loss == pytest.approx(-np.log(p), rel=1e-12)  # −log p for label 1
        assert d_p == pytest.approx(-1 / p, rel=1e-12)
        assert d_logit == pytest.approx(p - 1, rel=1e-9)


def test_loss_functions_prints_its_tables(capsys):
    loss_functions.main([])
    out = capsys.readouterr().out
    assert "MSE     0.1050" in out and "MAE     0.3000" in out and "Huber   0.0525" in out
    assert "confident & wrong    0.05   2.9957    -20.000        -0.950" in out


def numpy_race(steps):
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    grad = lambda x: 2 * (x - 3)  # noqa: E731
    paths = {name: [] for name in ("SGD", "Momentum", "Adam", "AdamW", "RMSprop")}
    x = {name: 0.0 for name in paths}
    velocity = m = v = m_w = v_w = sq = 0.0
    for t in range(1, steps + 1):
        x["SGD"] -= lr * grad(x["SGD"])
        velocity = 0.9 * velocity - lr * grad(x["Momentum"])  # the textbook form: same with constant lr
        x["Momentum"] += velocity
        g = grad(x["Adam"])
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        x["Adam"] -= lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        g = grad(x["AdamW"])
        x["AdamW"] *= 1 - lr * 0.01
        m_w, v_w = b1 * m_w + (1 - b1) * g, b2 * v_w + (1 - b2) * g * g
        x["AdamW"] -= lr * (m_w / (1 - b1**t)) / (np.sqrt(v_w / (1 - b2**t)) + eps)
        g = grad(x["RMSprop"])
        sq = 0.99 * sq + 0.01 * g * g
        x["RMSprop"] -= lr * g / (np.sqrt(sq) + eps)
        for name in paths:
            paths[name].append(x[name])
    return paths


def test_optimizer_race_table_matches_numpy(capsys):
    paths = optimizer_race.main(["--more"])
    expected = numpy_race(50)
    assert list(paths) == list(expected)
    for name in paths:
        np.testing.assert_allclose(paths[name], expected[name], rtol=1e-12, atol=1e-14, err_msg=name)
    out = capsys.readouterr().out.splitlines()
    assert out[1].split() == ["Step", "SGD", "Momentum", "Adam", "AdamW", "RMSprop"]
    row_50 = next(line for line in out if line.strip().startswith("50 "))
    assert row_50.split()[1:] == [f"{expected[n][49]:.4f}" for n in expected]


def test_moons_reaches_full_accuracy():
    model, history = moons.train(*moons.make_moons(100, seed=1), steps=100, seed=1)  # the README's run
    assert history[-1][1] == 1.0
    assert history[-1][0] < history[0][0] / 10


def test_moons_small_run_prints_progress_and_explains_plots(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if matplotlib were not installed
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    moons.main(["--steps", "10", "--samples", "20", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "step   1/10" in out and "step  10/10" in out and "Final: loss" in out
    assert 'pip install -e ".[plots]"' in out


def test_moons_data_is_two_labelled_half_circles():
    X, y = moons.make_moons(200, noise=0.0)
    upper, lower = X[y == -1], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert len(upper) == len(lower) == 100


@pytest.mark.parametrize("name", ["backprop", "loss_functions", "optimizer_race", "moons", "draw_graph", "digits"])
def test_every_example_has_help(name):
    result = subprocess.run([sys.executable, "-m", f"examples.{name}", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "usage:" in result.stdout


# ---- digits in batched mode -----------------------------------------------------------------


def test_digits_trains_to_96_percent_in_batched_mode(tmp_path, capsys):
    pytest.importorskip("sklearn")
    model, history = digits.main(["--epochs", "8", "--out", str(tmp_path)])
    assert history[-1][2] >= 0.96
    out = capsys.readouterr().out
    assert "s/epoch" in out and "test accuracy" in out
    # the predictions are the model's, checked against NumPy matrices written here
    X_train, X_test, y_train, y_test = digits.load_split()
    W1 = np.array([[w.data for w in n.w] for n in model.layers[0].neurons])
    b1 = np.array([n.b.data for n in model.layers[0].neurons])
    W2 = np.array([[w.data for w in n.w] for n in model.layers[1].neurons])
    b2 = np.array([n.b.data for n in model.layers[1].neurons])
    logits = np.maximum(X_test @ W1.T + b1, 0) @ W2.T + b2
    assert np.array_equal(digits.predict(model, X_test), logits.argmax(axis=1))
    assert abs(np.mean(logits.argmax(axis=1) == y_test) - history[-1][2]) < 1e-12


def test_digits_scalar_and_batched_training_agree():
    pytest.importorskip("sklearn")
    _, _, batched = digits.train(epochs=1, batch_size=64)
    _, _, scalar = digits.train(epochs=1, batch_size=64, scalar=True)
    assert abs(batched[0][1] - scalar[0][1]) < 1e-9 and batched[0][2] == scalar[0][2]


def test_digits_without_scikit_learn_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(SystemExit) as exit_info:
        digits.main(["--epochs", "1"])
    assert "chainrule[digits]" in str(exit_info.value)
