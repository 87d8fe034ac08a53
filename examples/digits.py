"""Handwritten digits in batched mode: a real dataset in seconds.

scikit-learn's bundled 8×8 digits (1,797 images, no download), scaled to [0, 1] and split
80/20 with a fixed seed, train MLP(64, [32, 10]) with cross-entropy and Adam on minibatches
of 32.  In batched mode the graph you would draw for one image runs once per minibatch (each
node holds a column of 32 values), so an epoch takes a fraction of a second; ``--scalar``
trains the same model per sample, image by image, for you to feel the difference: the same
numbers, many times slower.  With matplotlib it saves a picture of misclassified test digits.

Run: python -m examples.digits [--epochs N] [--scalar] [--out DIR]
Needs scikit-learn: pip install -e ".[digits]"
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import nn
from autograd import batch, no_grad
from autograd.extras import require
from optim import Adam


def load_split(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, X_test, y_train, y_test): the digits scaled to [0, 1], 80% for training."""
    datasets = require("sklearn.datasets", "digits", "The digits example")
    digits = datasets.load_digits()
    X, y = digits.data / 16.0, digits.target.astype(int)
    order = np.random.default_rng(seed).permutation(len(X))
    n_train = int(0.8 * len(X))
    train, test = order[:n_train], order[n_train:]
    return X[train], X[test], y[train], y[test]


def predict(model: nn.MLP, X: np.ndarray) -> np.ndarray:
    """The most likely class of every row of X (one batched pass, no graph recorded)."""
    with no_grad():
        logits = model(batch(X))
    return np.argmax(np.array([v.data for v in logits]), axis=0)


def train(epochs: int = 20, batch_size: int = 32, lr: float = 0.01, scalar: bool = False, seed: int = 0, report=None):
    """Train MLP(64, [32, 10]); returns (model, data split, [(epoch, loss, test accuracy, seconds)])."""
    X_train, X_test, y_train, y_test = load_split(seed)
    model = nn.MLP(64, [32, 10], seed=seed)
    opt = Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    history = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = rng.permutation(len(X_train))
        losses = []
        for lo in range(0, len(order), batch_size):
            rows = order[lo : lo + batch_size]
            if scalar:  # the same minibatch, one image at a time
                loss = nn.cross_entropy([model(list(x)) for x in X_train[rows]], [int(c) for c in y_train[rows]])
            else:  # the whole minibatch through the graph at once
                loss = nn.cross_entropy(model(batch(X_train[rows])), y_train[rows])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.data * len(rows))
        seconds = time.perf_counter() - start
        accuracy = float(np.mean(predict(model, X_test) == y_test))
        history.append((epoch, sum(losses) / len(order), accuracy, seconds))
        if report:
            report(*history[-1])
    return model, (X_train, X_test, y_train, y_test), history


def save_misclassified(model: nn.MLP, X_test: np.ndarray, y_test: np.ndarray, path: Path) -> Path | None:
    """A picture of up to 12 misclassified test digits with their true and predicted classes."""
    try:
        plt = require("matplotlib.pyplot", "plots", "The picture of misclassified digits")
    except ModuleNotFoundError:
        return None
    predicted = predict(model, X_test)
    wrong = np.flatnonzero(predicted != y_test)[:12]
    if len(wrong) == 0:
        return None
    columns = min(len(wrong), 6)
    rows = -(-len(wrong) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.9 * columns, 2.3 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        ax.imshow(X_test[i].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"true {y_test[i]}, said {predicted[i]}", fontsize=12)
    fig.suptitle("Misclassified test digits", fontsize=14)
    fig.tight_layout()
    fig.savefig(path, dpi=160)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=20, help="training epochs (default 20)")
    parser.add_argument("--scalar", action="store_true", help="train per sample instead of in batched mode (slow)")
    parser.add_argument("--out", type=Path, default=Path("graphs"), help="where to save the picture (default graphs/)")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    try:
        load_split()
    except ModuleNotFoundError as missing:
        sys.exit(str(missing))

    mode = "per sample (scalar mode)" if args.scalar else "in batched mode"
    print(f"MLP(64, [32, 10]) on scikit-learn's digits, minibatches of 32, Adam, {mode}")

    def report(epoch, loss, accuracy, seconds):
        end = "\n" if epoch == args.epochs or not sys.stdout.isatty() else "\r"
        print(
            f"Epoch {epoch:3d}/{args.epochs}  loss {loss:.4f}  test accuracy {accuracy:.1%}  {seconds:.2f} s/epoch",
            end=end,
            flush=True,
        )

    model, (_, X_test, _, y_test), history = train(args.epochs, scalar=args.scalar, report=report)
    print(f"Final: test accuracy {history[-1][2]:.1%} on {len(y_test)} digits the model never saw")
    args.out.mkdir(parents=True, exist_ok=True)
    picture = save_misclassified(model, X_test, y_test, args.out / "digits_misclassified.png")
    if picture:
        print(f"Misclassified test digits: {picture}")
    return model, history


if __name__ == "__main__":
    main()
