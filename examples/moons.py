"""micrograd's demo: a 2 → 16 → 16 → 1 ReLU network separates two interleaved moons.

Two-moons data (scikit-learn's, made by nn.data without it), MLP(2, [16, 16, 1]) with micrograd's initialisation,
max-margin (hinge) loss plus 1e-4 · Σ p² (L2), and 100 steps of SGD whose learning rate
falls from 1.0 as lr = 1.0 − 0.9·k/100.  It reaches 100% training accuracy.  With
matplotlib installed (pip install -e ".[plots]") it also saves the decision boundary and
the loss curve as PNG.

Run: python -m examples.moons [--steps N] [--samples N] [--seed S] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import autograd
import nn
from autograd.extras import MissingExtra, require
from nn.plots import plot_decision_boundary, plot_loss
from optim import SGD, FunctionLR

ALPHA = 1e-4  # L2 strength


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """micrograd's data: scikit-learn's two moons (``nn.data.make_moons``, the same arrays) with
    labels −1 (upper moon) and +1 (lower), as the hinge loss wants them."""
    X, y = nn.data.make_moons(n_samples, noise=noise, random_state=seed)
    return X, 2.0 * y - 1.0


def train(X: np.ndarray, y: np.ndarray, steps: int = 100, seed: int = 1, report=None):
    """Train micrograd's network; returns (model, [(loss, accuracy)] per step).

    ``report(step, loss, accuracy)`` is called after every step.
    """
    model = nn.MLP(2, [16, 16, 1], init="micrograd", seed=seed)
    params = model.parameters()
    opt = SGD(params, lr=1.0)
    schedule = FunctionLR(opt, lambda k: 1.0 - 0.9 * k / steps)  # micrograd's decay, over `steps`
    history = []
    for k in range(steps):
        scores = [model(x) for x in X]
        data_loss = nn.hinge_loss(scores, y)  # mean(relu(1 − y·s))
        reg_loss = ALPHA * autograd.dot(params, params)  # α · Σ p², one node
        loss = data_loss + reg_loss
        accuracy = float(np.mean([(s.data > 0) == (yi > 0) for s, yi in zip(scores, y)]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()
        history.append((loss.data, accuracy))
        if report:
            report(k + 1, loss.data, accuracy)
    return model, history


def save_plots(model, X, y, history, out: Path) -> list[Path]:
    """The decision boundary and the loss curve as PNG (with nn.plots; needs matplotlib)."""
    plt = require("matplotlib.pyplot", "plots", "Saving the moons plots")
    out.mkdir(parents=True, exist_ok=True)
    ax = plot_decision_boundary(model, X, y)
    ax.set_title(f"MLP(2, [16, 16, 1]) decision boundary, accuracy {history[-1][1]:.0%}")
    boundary = out / "moons_boundary.png"
    ax.figure.tight_layout()
    ax.figure.savefig(boundary, dpi=120)
    plt.close(ax.figure)
    ax = plot_loss([loss for loss, _ in history])
    ax.set_ylabel("hinge loss + L2")
    curve = out / "moons_loss.png"
    ax.figure.tight_layout()
    ax.figure.savefig(curve, dpi=120)
    plt.close(ax.figure)
    return [boundary, curve]


def main(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=100, help="SGD steps (default 100)")
    parser.add_argument("--samples", type=int, default=100, help="number of points (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="seed for data and weights (default 1)")
    parser.add_argument("--out", type=Path, default=Path("graphs"), help="where to save plots (default graphs/)")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.samples < 2:
        parser.error("--steps must be at least 1 and --samples at least 2")

    X, y = make_moons(args.samples, seed=args.seed)
    interactive = sys.stdout.isatty()

    def report(step, loss, accuracy):
        line = f"step {step:3d}/{args.steps}  loss {loss:.4f}  accuracy {accuracy:.0%}"
        if interactive:  # one line, updated in place
            print("\r" + line, end="\n" if step == args.steps else "", flush=True)
        elif step % 10 == 0 or step in (1, args.steps):
            print(line)

    print(f"Training MLP(2, [16, 16, 1]) on {args.samples} two-moons points, {args.steps} steps of SGD")
    model, history = train(X, y, args.steps, args.seed, report)
    print(f"Final: loss {history[-1][0]:.4f}, training accuracy {history[-1][1]:.0%}")
    try:
        for path in save_plots(model, X, y, history, args.out):
            print(f"wrote {path}")
    except MissingExtra:
        print('To save the decision boundary and loss curve as PNG: pip install -e ".[plots]" (matplotlib)')
    return model, history


if __name__ == "__main__":
    main()
