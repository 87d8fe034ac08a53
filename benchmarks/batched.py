"""Batched mode side by side: micrograd, the scalar path, batched mode, hand-written NumPy and
PyTorch (CPU, float64, one thread), on micrograd's moons step, on scikit-learn's digits and
on a network of MNIST's shape (784 → 128 → 10) trained on random images of that shape.

Every implementation starts from the same weights and computes the same loss; the losses of
the first step are printed side by side.  PyTorch and scikit-learn are optional: a missing
one leaves its rows out and says how to install it.
"""

from __future__ import annotations

import itertools
import statistics
import time

import numpy as np

import autograd
import nn
from autograd import batch
from examples.moons import ALPHA
from optim import SGD

LR = 0.5
DIGITS_LR = 0.1

torch = None  # imported by main(), not here: its millions of objects would slow bench.py's collector rows


def median_ms(step, repeats: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def turns_ms(steps: dict, rounds: int, calls: int, warmup: int = 2) -> dict[str, float]:
    """The median over ``rounds`` of each step's time per call, the steps taking turns: each
    round times ``calls`` calls of every step, one step after the other.  The machine's speed
    drifts (this one is shared); measured in turns, every implementation sees the same drift,
    so the ratios of one run mean something even when the absolute times swing."""
    for step in steps.values():
        for _ in range(warmup):
            step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            t0 = time.perf_counter()
            for _ in range(calls):
                step()
            times[name].append((time.perf_counter() - t0) / calls)
    return {name: statistics.median(ts) * 1e3 for name, ts in times.items()}


def weights_of(model: nn.MLP) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each layer's (W, b), W of shape (nout, nin), as NumPy arrays (copies)."""
    return [
        (np.array([[w.data for w in n.w] for n in layer.neurons]), np.array([n.b.data for n in layer.neurons]))
        for layer in model.layers
    ]


# ---- moons: hinge + L2, full batch, SGD ------------------------------------------------------


def ours_moons(model: nn.MLP, X, y, batched: bool):
    params = model.parameters()
    opt = SGD(params, lr=LR)
    rows = [list(map(float, x)) for x in X]

    def step():
        scores = model(batch(X)) if batched else [model(x) for x in rows]
        total = nn.hinge_loss(scores, y) + ALPHA * autograd.dot(params, params)
        opt.zero_grad()
        total.backward()
        opt.step()
        return total.data

    return step


def numpy_moons(weights, X, y):
    """The same step by hand: matrix forward, matrix backward, SGD."""
    Ws = [W.copy() for W, _ in weights]
    bs = [b.copy() for _, b in weights]

    def step():
        hs, zs = [X], []
        for i, (W, b) in enumerate(zip(Ws, bs)):
            z = hs[-1] @ W.T + b
            zs.append(z)
            hs.append(np.maximum(z, 0.0) if i < len(Ws) - 1 else z)
        s = hs[-1][:, 0]
        margins = 1.0 - y * s
        loss = np.sum(margins[margins > 0]) / len(y) + ALPHA * sum(np.sum(W * W) + np.sum(b * b) for W, b in zip(Ws, bs))
        g = np.where(margins > 0, -y / len(y), 0.0)[:, None]
        for i in reversed(range(len(Ws))):
            if i < len(Ws) - 1:
                g = g * (zs[i] > 0)
            gW, gb = g.T @ hs[i] + 2 * ALPHA * Ws[i], g.sum(axis=0) + 2 * ALPHA * bs[i]
            g = g @ Ws[i]
            Ws[i] -= LR * gW
            bs[i] -= LR * gb
        return loss

    return step


def torch_model(weights, activation):
    layers = []
    for i, (W, b) in enumerate(weights):
        linear = torch.nn.Linear(W.shape[1], W.shape[0]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if i < len(weights) - 1:
            layers.append(activation())
    return torch.nn.Sequential(*layers)


def torch_moons(weights, X, y):
    model = torch_model(weights, torch.nn.ReLU)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def step():
        s = model(Xt)[:, 0]
        total = torch.relu(1 - yt * s).mean() + ALPHA * sum((p * p).sum() for p in model.parameters())
        opt.zero_grad()
        total.backward()
        opt.step()
        return total.item()

    return step


# ---- digits: MLP(64, [32, 10]), cross-entropy, SGD -------------------------------------------


def load_digits_split():
    from examples.digits import load_split

    return load_split()


def ours_digits(model, X, y, batched: bool, lr: float = DIGITS_LR):
    opt = SGD(model.parameters(), lr=lr)
    rows = [list(map(float, x)) for x in X]
    classes = [int(c) for c in y]

    def step(lo=0, hi=len(X)):
        logits = model(batch(X[lo:hi])) if batched else [model(x) for x in rows[lo:hi]]
        loss = nn.cross_entropy(logits, y[lo:hi] if batched else classes[lo:hi])
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.data

    return step


def numpy_digits(weights, X, y):
    Ws = [W.copy() for W, _ in weights]
    bs = [b.copy() for _, b in weights]

    def step(lo=0, hi=len(X)):
        x, c = X[lo:hi], y[lo:hi]
        z1 = x @ Ws[0].T + bs[0]
        h = np.maximum(z1, 0.0)
        z2 = h @ Ws[1].T + bs[1]
        m = z2.max(axis=1, keepdims=True)
        e = np.exp(z2 - m)
        total = e.sum(axis=1, keepdims=True)
        loss = np.mean(m[:, 0] + np.log(total[:, 0]) - z2[np.arange(len(c)), c])
        g2 = e / total
        g2[np.arange(len(c)), c] -= 1.0
        g2 /= len(c)
        g1 = (g2 @ Ws[1]) * (z1 > 0)
        for W, b, g, inp in ((Ws[1], bs[1], g2, h), (Ws[0], bs[0], g1, x)):
            W -= DIGITS_LR * (g.T @ inp)
            b -= DIGITS_LR * g.sum(axis=0)
        return loss

    return step


def torch_digits(weights, X, y, lr: float = DIGITS_LR):
    model = torch_model(weights, torch.nn.ReLU)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def step(lo=0, hi=len(X)):
        loss = torch.nn.functional.cross_entropy(model(Xt[lo:hi]), yt[lo:hi])
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return step


# ---- MNIST's shape: MLP(784, [128, 10]), cross-entropy, SGD, on random images ----------------

MNIST_LR = 0.1
MNIST_SIZES = (32, 128)


def mnist_shaped(n: int, seed: int = 0):
    """n random 28×28 "images" with values in [0, 1] and labels 0–9: MNIST's shape (the speed of
    a step does not depend on what the pixels show)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 784)) / 255.0, rng.integers(0, 10, size=n)


def minibatches(step, size: int, n_batches: int):
    """``step`` as a function of nothing that trains on the next of ``n_batches`` minibatches
    of ``size`` at each call, going round."""
    batches = itertools.cycle(range(n_batches))

    def next_batch():
        b = next(batches)
        return step(b * size, (b + 1) * size)

    return next_batch


def mnist_rows(quick: bool) -> list[tuple[str, dict[str, float]]]:
    """One row per minibatch size: batched mode and torch from the same weights (the first
    losses are printed side by side), and the memory of one batched graph."""
    from benchmarks.bench import traced_bytes

    n_batches, rounds = (4, 3) if quick else (10, 7)
    X, y = mnist_shaped(max(MNIST_SIZES) * n_batches)
    weights = weights_of(nn.MLP(784, [128, 10], seed=0))
    rows = []
    for size in MNIST_SIZES:
        # the digits step (cross-entropy, SGD) on MNIST's shape
        steps = {"batched": ours_digits(nn.MLP(784, [128, 10], seed=0), X, y, batched=True, lr=MNIST_LR)}
        if torch is not None:
            steps["torch"] = torch_digits(weights, X, y, lr=MNIST_LR)
        first = {name: float(step(0, size)) for name, step in steps.items()}
        print(f"MNIST-shaped step, batches of {size} — first loss from the same weights: "
              + " | ".join(f"{name} {loss:.15f}" for name, loss in first.items()))
        turns = {name: minibatches(step, size, n_batches) for name, step in steps.items()}
        rows.append((f"MNIST-shaped step, batch {size}", turns_ms(turns, rounds, n_batches, warmup=1)))
    model = nn.MLP(784, [128, 10], seed=0)
    nn.cross_entropy(model(batch(X[:128])), y[:128])  # (what a layer gathers once is not the graph's)
    used, loss = traced_bytes(lambda: nn.cross_entropy(model(batch(X[:128])), y[:128]))
    nodes = len(autograd.topological_order(loss))
    print(f"MNIST-shaped batched graph (batch 128): {used / 1e6:.1f} MB while it exists "
          f"({nodes:,} nodes, 101,770 of them parameters; the parameters themselves not counted)")
    return rows


def epoch(step, n: int, size: int):
    def run():
        for lo in range(0, n, size):
            step(lo, min(lo + size, n))

    return run


def main(mg_step=None, mg_model=None, X=None, y=None, quick: bool = False) -> None:
    """Print the batched-mode table.  ``mg_step``/``mg_model`` are micrograd's moons step and
    model from bench.py (the weights every implementation here starts from)."""
    from benchmarks.bench import copy_weights, traced_bytes

    global torch
    try:
        import torch
    except ImportError:  # optional: its rows are left out
        torch = None
    reps = 20 if quick else 200
    if torch is not None:
        torch.set_num_threads(1)
    rows = []

    # moons: every implementation from micrograd's weights
    def fresh():
        model = nn.MLP(2, [16, 16, 1], seed=0)
        copy_weights(mg_model, model)
        return model

    steps = {
        "scalar": ours_moons(fresh(), X, y, batched=False),
        "batched": ours_moons(fresh(), X, y, batched=True),
        "numpy": numpy_moons(weights_of(fresh()), X, y),
    }
    if torch is not None:
        steps["torch"] = torch_moons(weights_of(fresh()), X, y)
    first = {name: float(step()) for name, step in steps.items()}
    print("\nbatched mode — first moons step's loss from the same weights:")
    print("  " + " | ".join(f"{name} {loss:.15f}" for name, loss in first.items()))
    times = turns_ms({name: step for name, step in steps.items() if name != "scalar"}, 10, reps // 10)
    times["scalar"] = median_ms(steps["scalar"], max(3, reps // 10))
    times["micrograd"] = median_ms(mg_step, 1 if quick else 3, warmup=0)
    rows.append(("moons step (100 samples)", times))

    model = fresh()
    scalar_bytes = traced_bytes(lambda: nn.hinge_loss([model(list(map(float, x))) for x in X], y))[0]
    batched_bytes = traced_bytes(lambda: nn.hinge_loss(model(batch(X)), y))[0]

    # digits
    try:
        Xtr, Xte, ytr, yte = load_digits_split()
    except ModuleNotFoundError as missing:
        print(f"\n(digits rows left out: {missing})")
        Xtr = None
    if Xtr is not None:
        weights = weights_of(nn.MLP(64, [32, 10], seed=0))

        def fresh_digits():
            return nn.MLP(64, [32, 10], seed=0)

        digit_steps = {
            "scalar": ours_digits(fresh_digits(), Xtr, ytr, batched=False),
            "batched": ours_digits(fresh_digits(), Xtr, ytr, batched=True),
            "numpy": numpy_digits(weights, Xtr, ytr),
        }
        if torch is not None:
            digit_steps["torch"] = torch_digits(weights, Xtr, ytr)
        first = {name: float(step()) for name, step in digit_steps.items()}
        print("batched mode — first digits full-batch step's loss from the same weights:")
        print("  " + " | ".join(f"{name} {loss:.15f}" for name, loss in first.items()))
        n = len(Xtr)
        full = turns_ms({name: step for name, step in digit_steps.items() if name != "scalar"},
                        max(5, reps // 20), 2, warmup=1)
        full["scalar"] = median_ms(digit_steps["scalar"], 2, warmup=1)
        rows.append((f"digits full batch ({n})", full))
        mini = {name: median_ms(epoch(step, n, 32), 1 if name == "scalar" else 5, warmup=1 if name != "scalar" else 0)
                for name, step in digit_steps.items()}
        rows.append(("digits epoch, batches of 32", mini))

    rows.extend(mnist_rows(quick))

    columns = ["micrograd", "scalar", "batched", "numpy", "torch"]
    print(f"\n{'batched mode (ms)':<34}" + "".join(f"{c:>11}" for c in columns) + "   batched vs")
    for name, t in rows:
        cells = "".join(f"{t[c]:>11.2f}" if c in t else f"{'—':>11}" for c in columns)
        ratios = []
        if "micrograd" in t:
            ratios.append(f"micrograd {t['micrograd'] / t['batched']:.0f}× faster")
        if "scalar" in t:
            ratios.append(f"scalar {t['scalar'] / t['batched']:.1f}× faster")
        if "torch" in t:
            ratios.append(f"torch {t['batched'] / t['torch']:.2f}× its time")
        if name.startswith("MNIST"):
            size = int(name.rsplit(" ", 1)[1])
            ratios.append(f"an epoch of 60,000 in {60_000 / size * t['batched'] / 1e3:.0f} s")
        print(f"{name:<34}{cells}   " + ", ".join(ratios))
    print(f"{'moons graph memory':<34}  scalar {scalar_bytes / 1e3:.0f} kB, batched {batched_bytes / 1e3:.0f} kB "
          f"({scalar_bytes / batched_bytes:.1f}× smaller)")
    if torch is None:
        print("(torch rows left out: pip install torch, a large download)")
