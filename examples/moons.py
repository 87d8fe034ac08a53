"""micrograd's demo: a 2 → 16 → 16 → 1 ReLU network separates two interleaved moons.

Two-moons data (made with NumPy), MLP(2, [16, 16, 1]) with micrograd's initialisation,
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
from autograd import no_grad
from optim import SGD, FunctionLR

ALPHA = 1e-4  # L2 strength


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles with Gaussian noise; labels −1 (upper) and +1 (lower)."""
    rng = np.random.default_rng(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    t_upper = np.linspace(0, np.pi, n_upper)
    t_lower = np.linspace(0, np.pi, n_lower)
    X = np.concatenate([np.column_stack([np.cos(t_upper), np.sin(t_upper)]),
                        np.column_stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)])])
    X += rng.normal(0.0, noise, X.shape)
    y = np.concatenate([-np.ones(n_upper), np.ones(n_lower)])
    return X, y


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


@no_grad()
def decision_grid(model: nn.MLP, X: np.ndarray, h: float = 0.05):
    """The model's score on a grid covering the data (no graph is recorded)."""
    xs = np.arange(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, h)
    ys = np.arange(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, h)
    scores = np.array([[model([a, b]).data for a in xs] for b in ys])
    return xs, ys, scores


def save_plots(model, X, y, history, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    xs, ys, scores = decision_grid(model, X)
    fig, ax = plt.subplots(figsize=(5.5, 4.5), dpi=120)
    ax.contourf(xs, ys, scores > 0, levels=1, colors=["#c6dbef", "#fdd0a2"], alpha=0.9)
    ax.contour(xs, ys, scores, levels=[0.0], colors="#333333", linewidths=1.2)
    for label, marker, color in ((-1, "o", "#08519c"), (1, "s", "#a63603")):
        pts = X[y == label]
        ax.scatter(pts[:, 0], pts[:, 1], marker=marker, s=22, c=color, edgecolors="white", linewidths=0.5,
                   label=f"class {label:+d}")
    ax.set_title(f"MLP(2, [16, 16, 1]) decision boundary, accuracy {history[-1][1]:.0%}")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    boundary = out / "moons_boundary.png"
    fig.savefig(boundary)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(5.5, 3.2), dpi=120)
    ax.plot(range(1, len(history) + 1), [loss for loss, _ in history], color="#08519c")
    ax.set_xlabel("step")
    ax.set_ylabel("hinge loss + L2")
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    curve = out / "moons_loss.png"
    fig.savefig(curve)
    plt.close(fig)
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
        import matplotlib  # noqa: F401
    except ImportError:
        print('To save the decision boundary and loss curve as PNG: pip install -e ".[plots]" (matplotlib)')
    else:
        for path in save_plots(model, X, y, history, args.out):
            print(f"wrote {path}")
    return model, history


if __name__ == "__main__":
    main()
