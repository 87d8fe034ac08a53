"""Plots for learning: a loss curve, a decision boundary, optimisers' paths on a contour plot.

matplotlib is an optional extra (``pip install "chainrule[plots]"``); without it each helper
raises ``MissingExtra`` naming the extra.  Each helper draws into ``ax`` (a new figure when
None) and returns the Axes, so plots can be combined and styled further.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import batch, no_grad
from autograd.extras import require

_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]


def _axes(ax: Any, figsize: tuple[float, float]) -> Any:
    plt = require("matplotlib.pyplot", "plots", "Plotting")
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _numbers(func: str, arg: str, value: object, wanted: str) -> np.ndarray:
    """``value`` as a float array, or a ``TypeError`` naming the argument and what it should be."""
    if isinstance(value, (str, bytes, Mapping)):
        raise TypeError(f"{func}() {arg} must be {wanted}; got a {type(value).__name__}")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{func}() {arg} must be {wanted}; got {type(value).__name__} ({e})") from None


def plot_loss(history: Sequence[float], ax: Any = None, *, label: str | None = None, log: bool = True) -> Any:
    """The loss after each step (``history``: a sequence of numbers), on a log scale by default."""
    losses = _numbers("plot_loss", "history", history, "a sequence of loss values, one per step")
    if losses.ndim != 1 or len(losses) == 0:
        raise ValueError(
            f"plot_loss() takes a non-empty sequence of loss values, one per step; got shape {losses.shape}"
        )
    ax = _axes(ax, (5.5, 3.2))
    ax.plot(np.arange(1, len(losses) + 1), losses, label=label)
    if log and np.all(losses > 0):
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    if label:
        ax.legend()
    return ax


def plot_decision_boundary(
    model: Callable, X: np.ndarray, y: np.ndarray, ax: Any = None, *, threshold: float = 0.0, resolution: int = 150
) -> Any:
    """The regions where ``model`` predicts each class, over the 2-D points ``X`` (n × 2) coloured
    by their labels ``y`` (n).  A model with one output predicts the class ``score > threshold``
    (``threshold=0.5`` for a sigmoid output); with several outputs, the largest.  The grid is
    evaluated in one batched pass, without recording a graph."""
    if not callable(model):
        raise TypeError(
            f"plot_decision_boundary() model must be a model to call on the grid; got {type(model).__name__}"
        )
    X = _numbers("plot_decision_boundary", "X", X, "an array of points of shape (n, 2)")
    y = _numbers("plot_decision_boundary", "y", y, "an array of labels, one per point")
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary() X must have shape (n, 2); got {X.shape}")
    if y.shape != (len(X),):
        raise ValueError(f"plot_decision_boundary() y must have shape ({len(X)},), one label per point; got {y.shape}")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"plot_decision_boundary() resolution must be an int >= 2; got {resolution!r}")
    ax = _axes(ax, (5.5, 4.5))
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    gx, gy = np.meshgrid(xs, ys)
    with no_grad():
        out = model(batch(np.column_stack([gx.ravel(), gy.ravel()])))
    labels = np.unique(y)
    if isinstance(out, list):  # one score per class: the largest wins (classes 0, 1, …)
        region = np.argmax(np.array([o.data for o in out]), axis=0)
    else:  # one score: above the threshold is the larger of the two labels (1, or +1)
        low, high = (labels[0], labels[-1]) if len(labels) == 2 else (0, 1)
        region = np.where(out.data > threshold, high, low)
    classes = np.unique(np.concatenate([np.unique(y), np.unique(region)]))
    index = {c: i for i, c in enumerate(classes)}
    lookup = np.vectorize(index.get)
    ax.contourf(
        gx,
        gy,
        lookup(region).reshape(gx.shape),
        levels=np.arange(len(classes) + 1) - 0.5,
        colors=[_light(_COLORS[i % len(_COLORS)]) for i in range(len(classes))],
    )
    for c in np.unique(y):
        points = X[y == c]
        ax.scatter(
            points[:, 0],
            points[:, 1],
            s=20,
            c=_COLORS[index[c] % len(_COLORS)],
            edgecolors="white",
            linewidths=0.5,
            label=f"class {c:g}",
        )
    ax.legend(loc="upper right", fontsize=8)
    ax.set_xlabel("x₀")
    ax.set_ylabel("x₁")
    return ax


def plot_optimizer_paths(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    paths: Mapping[str, Any],
    ax: Any = None,
    *,
    bounds: tuple[float, float, float, float] | None = None,
    levels: int = 30,
    minimum: tuple[float, float] | None = None,
) -> Any:
    """Each optimiser's path (``paths[name]``: points (x, y), one per step, the start first) over
    the contour lines of ``f(x, y)`` (a NumPy function of two arrays).  ``bounds`` is
    (x_min, x_max, y_min, y_max), by default the paths' extent with a margin; ``minimum``
    marks where the minimum is."""
    if not callable(f):
        raise TypeError(f"plot_optimizer_paths() f must be a function of (x, y); got {type(f).__name__}")
    if not isinstance(paths, Mapping):
        raise TypeError(
            f"plot_optimizer_paths() paths must be a dict of name → points, e.g. {{'SGD': sgd_path}}; got "
            f"{type(paths).__name__}"
        )
    if not paths:
        raise ValueError("plot_optimizer_paths() got no paths")
    arrays = {}
    for name, path in paths.items():
        points = _numbers("plot_optimizer_paths", f"paths[{name!r}]", path, "a sequence of (x, y) points")
        if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
            raise ValueError(f"plot_optimizer_paths() path {name!r} must have shape (steps, 2); got {points.shape}")
        arrays[name] = points
    if bounds is None:
        everything = np.vstack(list(arrays.values()))
        lo, hi = everything.min(axis=0), everything.max(axis=0)
        margin = 0.15 * np.maximum(hi - lo, 1e-3)
        bounds = (lo[0] - margin[0], hi[0] + margin[0], lo[1] - margin[1], hi[1] + margin[1])
    if len(bounds) != 4 or not (bounds[0] < bounds[1] and bounds[2] < bounds[3]):
        raise ValueError(f"plot_optimizer_paths() bounds must be (x_min, x_max, y_min, y_max); got {bounds!r}")
    ax = _axes(ax, (6.0, 4.5))
    gx, gy = np.meshgrid(np.linspace(bounds[0], bounds[1], 200), np.linspace(bounds[2], bounds[3], 200))
    z = np.asarray(f(gx, gy), dtype=float)
    if z.shape != gx.shape:
        raise ValueError(f"plot_optimizer_paths() f(x, y) must return an array of the grid's shape; got {z.shape}")
    positive = z - z.min() + 1e-12
    ax.contour(gx, gy, np.log(positive), levels=levels, colors="#bbbbbb", linewidths=0.6)
    for i, (name, points) in enumerate(arrays.items()):
        color = _COLORS[i % len(_COLORS)]
        ax.plot(points[:, 0], points[:, 1], "-", color=color, linewidth=1.6, label=name)
        ax.plot(points[:, 0], points[:, 1], "o", color=color, markersize=2.5)
    start = next(iter(arrays.values()))[0]
    ax.plot(*start, "ko", markersize=6)
    ax.annotate("start", start, textcoords="offset points", xytext=(6, 6), fontsize=9)
    if minimum is not None:
        ax.plot(*minimum, "k*", markersize=11)
        ax.annotate("minimum", minimum, textcoords="offset points", xytext=(6, -12), fontsize=9)
    ax.set_xlim(bounds[0], bounds[1])
    ax.set_ylim(bounds[2], bounds[3])
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(fontsize=8)
    return ax


def _light(color: str) -> str:
    """``color`` mixed 75% with white, for the background regions."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (255 - c) * 0.75):02x}" for c in (r, g, b))
