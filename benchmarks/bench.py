"""Side-by-side benchmark of this engine and micrograd 0.1.0, in one process.

    pip install -e ".[bench]"          # micrograd 0.1.0
    python -m benchmarks.bench          # about a minute; --quick for a rough run

Figures (medians of repeated runs), each with the interpreter's default settings and with
the garbage collector disabled for both engines:

  moons-nn      one training step of micrograd's moons demo (MLP(2, [16, 16, 1]), 100 samples,
                hinge + 1e-4·L2, full batch): our nn.MLP / nn.hinge_loss / optim.SGD vs
                micrograd's own MLP, from the SAME weights (copied from micrograd's)
  moons-scalar  the same step with the network built from binary Value operations exactly
                as micrograd's Neuron does (sum(wi*xi ...)): node for node the same graph,
                so it measures the raw engine
  chain         forward + backward over a long mixed expression, time per node
  memory        bytes per graph node (tracemalloc) while the moons-scalar graph is built
  depth         backward over a chain of 1,000,000 nodes (micrograd's recursive sort fails)

Then batched mode (benchmarks/batched.py): the moons step and scikit-learn's digits with
micrograd, the scalar path, batched mode, hand-written NumPy and PyTorch side by side.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
import tracemalloc
from contextlib import contextmanager

import numpy as np

import autograd
import nn
from autograd import Value
from benchmarks import batched
from examples.moons import ALPHA, make_moons
from optim import SGD

try:
    from micrograd import nn as mg_nn
    from micrograd.engine import Value as MGValue
except ImportError:  # pragma: no cover - the message is the point
    sys.exit('micrograd is not installed: pip install -e ".[bench]"')

LR = 0.5


@contextmanager
def gc_mode(enabled: bool):
    was = gc.isenabled()
    gc.collect()
    (gc.enable if enabled else gc.disable)()
    try:
        yield
    finally:
        (gc.enable if was else gc.disable)()


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# ---- the three ways of taking one moons step -----------------------------------------------


def micrograd_setup(X, y, seed=0):
    random.seed(seed)
    model = mg_nn.MLP(2, [16, 16, 1])
    inputs = [[MGValue(float(a)), MGValue(float(b))] for a, b in X]

    def step():
        scores = [model(x) for x in inputs]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= LR * p.grad
        return total.data

    return model, step


def copy_weights(mg_model, model: nn.MLP) -> None:
    for mg_layer, layer in zip(mg_model.layers, model.layers):
        for mg_neuron, neuron in zip(mg_layer.neurons, layer.neurons):
            for mg_w, w in zip(mg_neuron.w, neuron.w):
                w.data = float(mg_w.data)
            neuron.b.data = float(mg_neuron.b.data)


def ours_nn_setup(X, y, mg_model):
    model = nn.MLP(2, [16, 16, 1], seed=0)
    copy_weights(mg_model, model)
    params = model.parameters()
    opt = SGD(params, lr=LR)
    inputs = [[float(a), float(b)] for a, b in X]

    def step():
        scores = [model(x) for x in inputs]
        total = nn.hinge_loss(scores, y) + ALPHA * autograd.dot(params, params)
        opt.zero_grad()
        total.backward()
        opt.step()
        return total.data

    return model, step


class ScalarNeuron:
    """micrograd's Neuron on our Value: the same graph, node for node."""

    def __init__(self, w, b, nonlin):
        self.w, self.b, self.nonlin = w, b, nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act


def ours_scalar_setup(X, y, mg_model):
    layers = [[ScalarNeuron([Value(float(w.data)) for w in n.w], Value(float(n.b.data)), i < 2) for n in layer.neurons]
              for i, layer in enumerate(mg_model.layers)]
    params = [p for layer in layers for n in layer for p in (*n.w, n.b)]
    inputs = [[Value(float(a)), Value(float(b))] for a, b in X]

    def forward():
        scores = []
        for x in inputs:
            for layer in layers:
                x = [n(x) for n in layer]
            scores.append(x[0])
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in params)
        return data_loss + reg_loss

    def step():
        total = forward()
        for p in params:
            p.grad = 0.0
        total.backward()
        for p in params:
            p.data -= LR * p.grad
        return total.data

    return params, forward, step


def micrograd_forward(X, y, mg_model):
    inputs = [[MGValue(float(a)), MGValue(float(b))] for a, b in X]

    def forward():
        scores = [mg_model(x) for x in inputs]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        return sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in mg_model.parameters())

    return forward


def count_nodes(root, children) -> int:
    seen, stack = {id(root)}, [root]
    while stack:
        for child in children(stack.pop()):
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def traced_bytes(build):
    """(bytes allocated by ``build()`` and still held, what it returned)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    root = build()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used, root


def bytes_per_node(build, children) -> tuple[float, int]:
    used, root = traced_bytes(build)
    return used / count_nodes(root, children), count_nodes(root, children)


# ---- chain and depth -------------------------------------------------------------------------


def chain(value_cls, n):
    x = value_cls(0.5)
    y = x
    for _ in range(n // 6):  # six nodes per round (two of them constants), ops both engines have
        y = (y * 0.999 + 0.001).relu() * 1.0
    return x, y


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="chainrule vs micrograd 0.1.0")
    parser.add_argument("--quick", action="store_true", help="fewer repeats (rough numbers)")
    parser.add_argument("--scalar-only", action="store_true", help="leave out the batched-mode table")
    args = parser.parse_args(argv)
    rep_slow, rep_fast = (1, 3) if args.quick else (3, 15)

    X, y = make_moons(100, seed=1)
    y = [float(v) for v in y]
    rows = []

    mg_model, mg_step = micrograd_setup(X, y)
    _, ours_step = ours_nn_setup(X, y, mg_model)
    params, scalar_forward, scalar_step = ours_scalar_setup(X, y, mg_model)

    # the two implementations compute the same thing: show the losses side by side
    print("losses over 3 steps from the same weights (micrograd | ours nn | ours scalar):")
    agree_model, agree_mg = micrograd_setup(X, y)
    agree_nn = ours_nn_setup(X, y, agree_model)[1]  # both copy the weights now, before any step
    agree_scalar = ours_scalar_setup(X, y, agree_model)[2]
    for k in range(3):
        print(f"  step {k + 1}: {agree_mg():.15f} | {agree_nn():.15f} | {agree_scalar():.15f}")

    for gc_on in (True, False):
        label = "default" if gc_on else "gc off "
        with gc_mode(gc_on):
            t_mg = median_time(mg_step, rep_slow)
            t_nn = median_time(ours_step, rep_fast)
            t_scalar = median_time(scalar_step, rep_fast)
        rows.append((f"moons-nn     ({label})", t_mg * 1e3, t_nn * 1e3, "ms/step"))
        rows.append((f"moons-scalar ({label})", t_mg * 1e3, t_scalar * 1e3, "ms/step"))

    n_chain = 200_000
    for gc_on in (True, False):
        label = "default" if gc_on else "gc off "
        with gc_mode(gc_on):
            times = {}
            for name, cls in (("mg", MGValue), ("ours", Value)):
                def run(cls=cls):
                    _, out = chain(cls, n_chain)
                    out.backward() if cls is Value else _mg_backward(out)
                times[name] = median_time(run, rep_slow)
        n_nodes = count_nodes(chain(Value, n_chain)[1], lambda v: v.parents)
        rows.append((f"chain        ({label})", times["mg"] / n_nodes * 1e9, times["ours"] / n_nodes * 1e9, "ns/node"))

    mg_bytes, mg_nodes = bytes_per_node(micrograd_forward(X, y, mg_model), lambda v: v._prev)
    our_bytes, our_nodes = bytes_per_node(scalar_forward, lambda v: v.parents)
    rows.append(("memory       (forward)", mg_bytes, our_bytes, "bytes/node"))

    x, out = chain(Value, 1_000_000)
    t0 = time.perf_counter()
    out.backward()
    t_depth = time.perf_counter() - t0
    assert x.grad != 0.0
    try:
        sys.setrecursionlimit(10_000)
        _, mg_out = chain(MGValue, 20_000)
        mg_out.backward()
        mg_depth = "ok"
    except RecursionError:
        mg_depth = "RecursionError at 20,000 nodes"

    print(f"\nmoons graph: {our_nodes} nodes (ours, scalar) / {mg_nodes} (micrograd); "
          f"Python {sys.version.split()[0]}, NumPy {np.__version__}\n")
    print(f"{'benchmark':<24}{'micrograd':>12}{'ours':>12}{'ratio':>9}  unit")
    for name, theirs, ours, unit in rows:
        print(f"{name:<24}{theirs:>12.2f}{ours:>12.2f}{theirs / ours:>8.1f}×  {unit}")
    print(f"{'depth        (1M chain)':<24}{mg_depth:>12}{t_depth:>12.2f}{'':>9}  s backward "
          f"({count_nodes(out, lambda v: v.parents):,} nodes)")
    if not args.scalar_only:
        batched.main(mg_step, mg_model, np.asarray(X, dtype=float), np.asarray(y, dtype=float), quick=args.quick)


def _mg_backward(out):
    # micrograd's own backward sorts recursively; raise the limit so the chain benchmark runs
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 1_000_000))
    try:
        out.backward()
    finally:
        sys.setrecursionlimit(limit)


if __name__ == "__main__":
    main()
