"""nn.data, nn.plots and nn.to_torch: against scikit-learn, matplotlib's own data and PyTorch."""

import sys

import numpy as np
import pytest

import nn
from autograd import MissingExtra, Value, batch

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.mark.parametrize(
    "kwargs",
    [dict(n_samples=100, noise=0.1, random_state=1), dict(n_samples=7, random_state=3),
     dict(n_samples=51, shuffle=False, noise=0.3, random_state=0), dict(n_samples=1, random_state=5)],
)
def test_make_moons_equals_scikit_learn(kwargs):
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = nn.data.make_moons(**kwargs)
    X_ref, y_ref = datasets.make_moons(**kwargs)
    assert np.array_equal(X, X_ref) and np.array_equal(y, y_ref) and y.dtype == y_ref.dtype


def test_make_moons_shape_and_geometry_without_noise():
    X, y = nn.data.make_moons(40, shuffle=False)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, rtol=1e-12)  # unit half circle
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, rtol=1e-12)
    with pytest.raises(ValueError, match="n_samples"):
        nn.data.make_moons(0)
    with pytest.raises(ValueError, match="noise"):
        nn.data.make_moons(10, noise=-1)
    with pytest.raises(TypeError, match="random_state"):
        nn.data.make_moons(10, random_state="a")


def test_lesson_data_is_the_lessons_and_a_copy():
    X, y = nn.data.lesson_data()
    assert X.shape == (8, 2) and np.array_equal(y, (X.sum(axis=1) >= 1).astype(int))  # 0.1 + 0.9 counts as 1
    X[0, 0] = 99
    assert nn.data.lesson_data()[0][0, 0] == 0.1


def test_plot_loss_draws_the_history():
    ax = nn.plots.plot_loss([3.0, 1.0, 0.5], label="train")
    x, y = ax.lines[0].get_data()
    assert list(x) == [1, 2, 3] and list(y) == [3.0, 1.0, 0.5] and ax.get_yscale() == "log"
    plt.close(ax.figure)
    for bad in ([], [[1, 2], [3, 4]]):
        with pytest.raises(ValueError, match="plot_loss"):
            nn.plots.plot_loss(bad)
    with pytest.raises(TypeError, match="plot_loss"):  # a string is not a sequence of numbers
        nn.plots.plot_loss("abc")


def test_decision_boundary_regions_are_the_models_predictions():
    X, y = nn.data.make_moons(60, noise=0.1, random_state=0)
    model = nn.MLP(2, [8, 1], seed=0)
    ax = nn.plots.plot_decision_boundary(model, X, y, resolution=20)
    assert len(ax.collections) >= 3  # filled regions and one scatter per class
    plt.close(ax.figure)
    # the region of a grid point is what the model predicts there, computed per sample here
    xs = np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, 20)
    ys = np.linspace(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, 20)
    batched = model(batch(np.array([[a, b] for b in ys for a in xs]))).data
    expected = [model([a, b]).data for b in ys for a in xs]
    np.testing.assert_allclose(batched, expected, rtol=1e-12)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        nn.plots.plot_decision_boundary(model, np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="one label per point"):
        nn.plots.plot_decision_boundary(model, X, y[:-1])


def test_optimizer_paths_draw_each_path():
    paths = {"A": [(0, 0), (1, 1), (2, 1.5)], "B": np.array([[0, 0], [0.5, 0.2]])}
    ax = nn.plots.plot_optimizer_paths(lambda x, y: x**2 + y**2, paths, minimum=(0, 0))
    drawn = [line for line in ax.lines if line.get_label() in ("A", "B")]
    assert [list(line.get_xdata()) for line in drawn] == [[0, 1, 2], [0, 0.5]]
    plt.close(ax.figure)
    with pytest.raises(ValueError, match=r"path 'A' must have shape \(steps, 2\)"):
        nn.plots.plot_optimizer_paths(lambda x, y: x, {"A": [1, 2, 3]})
    with pytest.raises(ValueError, match="no paths"):
        nn.plots.plot_optimizer_paths(lambda x, y: x, {})
    with pytest.raises(ValueError, match="grid's shape"):
        nn.plots.plot_optimizer_paths(lambda x, y: 1.0, paths)


def test_plots_without_matplotlib_name_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingExtra, match=r"chainrule\[plots\]"):
        nn.plots.plot_loss([1.0, 0.5])


def test_to_torch_gives_the_same_outputs_and_gradients():
    torch = pytest.importorskip("torch")
    X = np.random.default_rng(0).normal(size=(6, 3))
    for activation in ("relu", "tanh", "sigmoid", "gelu", "silu", "leaky_relu"):
        model = nn.MLP(3, [5, 2], activation, seed=1)
        twin = nn.to_torch(model)
        out = twin(torch.from_numpy(X))
        ours = model(batch(X))
        np.testing.assert_allclose(np.array([o.data for o in ours]).T, out.detach().numpy(), rtol=1e-12, atol=1e-15)
        nn.mse_loss(ours[0], np.zeros(6)).backward()
        torch.nn.functional.mse_loss(out[:, 0], torch.zeros(6, dtype=torch.float64)).backward()
        np.testing.assert_allclose([w.grad for w in model.layers[0].neurons[0].w],
                                   twin[0].weight.grad[0].numpy(), rtol=1e-10, atol=1e-15)


def test_to_torch_without_torch_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingExtra, match=r"chainrule\[torch\]"):
        nn.to_torch(nn.MLP(2, [1]))
    with pytest.raises(TypeError, match="to_torch"):
        nn.to_torch(Value(1.0))
