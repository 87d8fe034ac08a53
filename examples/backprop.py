"""Train a 3-layer network and watch error flow backwards.

The lesson's network, 2 → 3 → 2 → 1 with sigmoid on every layer, learns whether
x₁ + x₂ > 1 on eight points, by plain gradient descent on the mean squared error.  The
weights start where the lesson's NumPy code starts them (np.random.seed(42), then
randn · 0.5 for each weight matrix in turn, biases at zero), so the losses printed here
are the lesson's, computed by a graph you can draw: the graph of one sample's loss is drawn
with the gradient on every node before training (where the gradients are large enough to
see) and after it, the chain-rule steps of the output neuron are printed, and the backward
pass is written as an animation (an HTML player, and a GIF when Pillow is installed).

Run: python -m examples.backprop [--epochs N] [--lr LR] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import nn
from autograd import GraphvizNotInstalled, MissingExtra, Value, animate_backward, backward_steps, save_graph
from autograd.extras import require
from nn.plots import plot_loss
from optim import SGD

X, Y = nn.data.lesson_data()  # the lesson's eight points: label 1 when x₁ + x₂ > 1
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
        for j in range(W.shape[1]):  # column j of W holds neuron j's weights (drawn as W1[k,j])
            for k in range(W.shape[0]):
                state[f"layers.{i}.neurons.{j}.w.{k}"] = W[k, j]
            state[f"layers.{i}.neurons.{j}.b"] = b[j]
    model.load_state_dict(state)
    return model


def sample_loss(model: nn.MLP, i: int = 0) -> Value:
    """The loss of sample i alone, (ŷ − y)², as a graph: x₀, x₁ → … → loss."""
    loss = nn.mse_loss(model(X[i]), Y[i])
    loss.label = "loss"
    return loss


def draw(loss: Value, path: Path) -> Path:
    """Draw ``loss``'s graph after backward() to ``path`` (or its DOT source when dot is missing)."""
    try:
        return save_graph(loss, path, compact=True)
    except GraphvizNotInstalled:
        return save_graph(loss, path.with_suffix(".dot"), compact=True)


def write_animation(loss: Value, out: Path) -> list[Path]:
    """Animate ``loss.backward()``: out/backprop.html always, out/backprop.gif when Pillow is present."""
    animation = animate_backward(loss, compact=True)
    written = [animation.save(out / "backprop.html")]
    try:
        written.append(animation.save(out / "backprop.gif"))
    except MissingExtra as missing:
        print(f"(No GIF: {missing})")
    return written


def train(epochs: int = 2000, lr: float = 1.0, report_every: int = 200, curve: list[float] | None = None):
    """Train; returns (model, [(epoch, loss)] at each report).  ``curve`` collects every epoch's loss."""
    model = build_network()
    opt = SGD(model.parameters(), lr=lr)
    history = []
    for epoch in range(epochs):
        opt.zero_grad()
        loss = nn.mse_loss([model(x) for x in X], Y)  # L = (1/8) Σ (ŷ − y)²
        loss.backward()  # error flows backwards: every weight gets ∂L/∂w
        opt.step()  # w ← w − lr · ∂L/∂w
        if curve is not None:
            curve.append(loss.data)
        if epoch % report_every == 0 or epoch == epochs - 1:
            history.append((epoch, loss.data))
    return model, history


def save_loss_curve(curve: list[float], path: Path) -> Path:
    plt = require("matplotlib.pyplot", "plots", "The loss curve")
    ax = plot_loss(curve)
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE over the 8 samples")
    ax.set_title(
        "The lesson's 2 → 3 → 2 → 1 network learning x₁ + x₂ > 1\n"
        "log scale: each grid line down is the loss divided by 10",
        fontsize=10,
    )
    ax.figure.tight_layout()
    ax.figure.savefig(path, dpi=160)
    plt.close(ax.figure)
    return path


def main(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=2000, help="training epochs (default 2000)")
    parser.add_argument("--lr", type=float, default=1.0, help="learning rate (default 1.0)")
    parser.add_argument("--out", type=Path, default=Path("graphs"), help="where to draw the graph (default graphs/)")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")

    print(f"Network 2 → 3 → 2 → 1 (sigmoid), {len(X)} samples, MSE, gradient descent with lr = {args.lr}")
    args.out.mkdir(parents=True, exist_ok=True)

    # Before training: sample 1's loss, backpropagated, drawn and animated.
    untrained = build_network()
    loss = sample_loss(untrained)
    steps = backward_steps(loss)  # exactly loss.backward(), step by step
    before = draw(loss, args.out / "backprop_before.svg")
    output = loss.parents[0]  # the output neuron: sigmoid(dot(…)), then the loss
    output_neuron = steps.of(loss, output, output.parents[0])
    print(f"\nBackward through the output neuron for sample 1 (before training), step by step:\n{output_neuron}")

    curve: list[float] = []
    model, history = train(args.epochs, args.lr, max(1, args.epochs // 10), curve)
    print()
    for epoch, loss_value in history:
        print(f"Epoch {epoch:5d}  loss {loss_value:.6f}")

    print("\n  x₁    x₂   predicted  label")
    correct = 0
    for x, y in zip(X, Y):
        p = model(x).data
        correct += (p > 0.5) == y
        print(f"  {x[0]:.1f}   {x[1]:.1f}   {p:.4f}     {y}")
    print(f"Accuracy: {correct}/{len(X)}")
    try:
        print(f"The loss, epoch by epoch: {save_loss_curve(curve, args.out / 'backprop_loss.png')}")
    except MissingExtra:
        print('(To plot the loss curve: pip install -e ".[plots]")')

    # After training: the same sample's loss; its gradients are now tiny (the loss is small).
    model.zero_grad()
    trained_loss = sample_loss(model)
    trained_loss.backward()
    after = draw(trained_loss, args.out / "backprop.svg")
    print(f"\nSample 1's loss graph, every node with its gradient: before training {before}, after {after}")
    try:
        written = write_animation(sample_loss(build_network()), args.out)
        print(f"The backward pass before training, frame by frame: {', '.join(map(str, written))}")
    except GraphvizNotInstalled as missing:
        print(f"Graphviz's dot is missing, so only the DOT source was written and no animation.\n{missing}")
    return model, history


if __name__ == "__main__":
    main()
