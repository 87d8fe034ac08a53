"""Train a 3-layer network and watch error flow backwards.

The lesson's network, 2 → 3 → 2 → 1 with sigmoid on every layer, learns whether
x₁ + x₂ > 1 on eight points, by plain gradient descent on the mean squared error.  The
weights start where the lesson's NumPy code starts them (np.random.seed(42), then
randn · 0.5 for each weight matrix in turn, biases at zero), so the losses printed here
are the lesson's, computed by a graph you can draw: after training, the graph of one
sample's loss is drawn with the gradient on every node.

Run: python -m examples.backprop [--epochs N] [--lr LR] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import nn
from autograd import GraphvizNotInstalled, Value, save_graph
from optim import SGD

# The lesson's data: label 1 when x₁ + x₂ > 1.
X = np.array([[0.1, 0.9], [0.8, 0.4], [0.3, 0.2], [0.9, 0.8], [0.2, 0.5], [0.7, 0.6], [0.1, 0.1], [0.6, 0.9]])
Y = np.array([1, 1, 0, 1, 0, 1, 0, 1])
SIZES = [2, 3, 2, 1]


def lesson_weights() -> list[tuple[np.ndarray, np.ndarray]]:
    """The lesson's initialisation: np.random.seed(42); W = randn(n_in, n_out) · 0.5; b = 0."""
    np.random.seed(42)
    return [(np.random.randn(n_in, n_out) * 0.5, np.zeros(n_out)) for n_in, n_out in zip(SIZES, SIZES[1:])]


def build_network() -> nn.MLP:
    """The 2 → 3 → 2 → 1 sigmoid MLP, holding the lesson's initial weights."""
    model = nn.MLP(2, SIZES[1:], activation="sigmoid", output_activation="sigmoid", seed=0)
    state = {}
    for i, (W, b) in enumerate(lesson_weights()):
        for j in range(W.shape[1]):  # column j of W holds neuron j's weights
            neuron = model.layers[i].neurons[j]
            for k in range(W.shape[0]):
                state[f"layers.{i}.neurons.{j}.w.{k}"] = W[k, j]
                neuron.w[k].label = f"W{i + 1}[{k},{j}]"  # the lesson's names, for the drawing
            state[f"layers.{i}.neurons.{j}.b"] = b[j]
            neuron.b.label = f"b{i + 1}[{j}]"
    model.load_state_dict(state)
    return model


def train(epochs: int = 2000, lr: float = 1.0, report_every: int = 200):
    """Train; returns (model, [(epoch, loss)] at each report)."""
    model = build_network()
    opt = SGD(model.parameters(), lr=lr)
    history = []
    for epoch in range(epochs):
        opt.zero_grad()
        loss = nn.mse_loss([model(x) for x in X], Y)  # L = (1/8) Σ (ŷ − y)²
        loss.backward()  # error flows backwards: every weight gets ∂L/∂w
        opt.step()  # w ← w − lr · ∂L/∂w
        if epoch % report_every == 0 or epoch == epochs - 1:
            history.append((epoch, loss.data))
    return model, history


def main(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=2000, help="training epochs (default 2000)")
    parser.add_argument("--lr", type=float, default=1.0, help="learning rate (default 1.0)")
    parser.add_argument("--out", type=Path, default=Path("graphs"), help="where to draw the graph (default graphs/)")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")

    print(f"Network 2 → 3 → 2 → 1 (sigmoid), {len(X)} samples, MSE, gradient descent with lr = {args.lr}")
    model, history = train(args.epochs, args.lr, max(1, args.epochs // 10))
    for epoch, loss in history:
        print(f"Epoch {epoch:5d}  loss {loss:.6f}")

    print("\n  x₁    x₂   predicted  label")
    correct = 0
    for x, y in zip(X, Y):
        p = model(x).data
        correct += (p > 0.5) == y
        print(f"  {x[0]:.1f}   {x[1]:.1f}   {p:.4f}     {y}")
    print(f"Accuracy: {correct}/{len(X)}")

    # One sample's loss, drawn after backward(): every node shows ∂loss/∂node.
    model.zero_grad()
    inputs = [Value(X[0][0], "x1"), Value(X[0][1], "x2")]
    sample_loss = nn.mse_loss(model(inputs), Y[0])
    sample_loss.label = "loss"
    sample_loss.backward()
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        path = save_graph(sample_loss, args.out / "backprop.svg")
    except GraphvizNotInstalled as missing:
        path = save_graph(sample_loss, args.out / "backprop.dot")
        print(f"\nGraphviz's dot is missing, so only the DOT source was written.\n{missing}")
    print(f"\nThe graph of sample 1's loss, with the gradient on every node: {path}")
    return model, history


if __name__ == "__main__":
    main()
