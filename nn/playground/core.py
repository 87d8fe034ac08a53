"""The playground's Python side: data, model, loss, optimiser and the state the page draws."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
import optim
from autograd import Value, no_grad
from autograd.batching import input_name
from autograd.engine import type_name

from .. import data as datasets
from .. import losses
from ..layers import MLP, Neuron
from ..module import Module

DATASETS = ("moons", "circles", "xor", "spiral", "lesson")
OPTIMIZERS = {"sgd": optim.SGD, "momentum": optim.Momentum, "adam": optim.Adam}
DEFAULT_LR = {"sgd": 0.5, "momentum": 0.1, "adam": 0.03}
GRID = 40  # the decision surface is evaluated on GRID × GRID points, in one batched pass
MAX_POINTS = 1000


def make_data(name: str, seed: int = 0, n: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """One of ``DATASETS`` as (X of shape (n, 2), integer labels)."""
    rng = np.random.default_rng(seed)
    if name == "moons":
        return datasets.make_moons(n, noise=0.1, random_state=seed)
    if name == "circles":
        angle, radius = rng.uniform(0, 2 * np.pi, n), np.where(np.arange(n) % 2 == 0, 0.5, 1.0)
        X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]) + rng.normal(0, 0.08, (n, 2))
        return X, (np.arange(n) % 2).astype(int)
    if name == "xor":
        X = rng.uniform(-1, 1, (n, 2))
        return X, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int)
    if name == "spiral":
        k = np.arange(n) % 3
        t = np.linspace(0.1, 1, n)
        angle = 4.0 * t + k * 2 * np.pi / 3 + rng.normal(0, 0.15, n)
        return np.column_stack([t * np.cos(angle), t * np.sin(angle)]), k.astype(int)
    if name == "lesson":
        return datasets.lesson_data()
    raise ValueError(f"Playground() data must be one of {', '.join(DATASETS)} or (X, y); got {name!r}")


def _check_data(data: object, seed: int) -> tuple[np.ndarray, np.ndarray, str]:
    if isinstance(data, str):
        X, y = make_data(data, seed)
        return np.asarray(X, float), np.asarray(y, int), data
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"Playground() data must be a dataset name or (X, y); got {type_name(data)}")
    X, y = np.asarray(data[0], dtype=float), np.asarray(data[1])
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise ValueError(f"Playground() X must have shape (n, 2); got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("Playground() X must hold finite numbers")
    if y.shape != (len(X),) or y.dtype.kind not in "biuf" or not np.all(y == np.round(y)) or y.min() < 0:
        raise ValueError(f"Playground() y must be {len(X)} integer class labels 0…k−1; got shape {y.shape}")
    y = y.astype(int)
    if len(np.unique(y)) < 2 or sorted(np.unique(y)) != list(range(y.max() + 1)):
        raise ValueError(f"Playground() y must use the classes 0…k−1, at least two; got {sorted(np.unique(y))}")
    return X, y, "custom"


def _outputs(model: Any) -> int:
    """How many outputs a model has, found by calling it once on a point (nothing recorded)."""
    with no_grad():
        out = model([0.0, 0.0])
    return len(out) if isinstance(out, list) else 1


class Playground:
    """A dataset, a model, a loss and an optimiser, trained step by step and drawn live.

    ``data``: a name of ``DATASETS`` or ``(X, y)`` with X of shape (n, 2) and labels 0…k−1.
    ``model``: an ``nn`` module with 2 inputs and one output (two classes) or one per class;
    by default ``MLP(2, [4, 4, k or 1], activation="tanh")``.  ``loss``: an ``nn`` loss (by
    default ``binary_cross_entropy_with_logits`` for two classes, ``cross_entropy`` for more);
    ``hinge_loss`` gets 2y − 1.  ``optimizer``: an ``optim`` optimiser over
    ``model.parameters()`` or ``"sgd"``, ``"momentum"``, ``"adam"`` (default) with ``lr``.
    ``trace``: the datapoint whose computation graph is shown.  ``seed`` draws the data and the
    default model.  Bad arguments raise ``TypeError``/``ValueError`` naming the argument.
    """

    def __init__(
        self,
        data: object = "moons",
        model: Module | None = None,
        *,
        loss: Callable | None = None,
        optimizer: object = None,
        lr: float | None = None,
        trace: int = 0,
        seed: int = 0,
    ) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"Playground() seed must be an int >= 0; got {seed!r}")
        self.seed = seed
        self.X, self.y, self.data_name = _check_data(data, seed)
        self.classes = int(self.y.max()) + 1
        self.activation, self.hidden = "tanh", [4, 4]  # small: its computation graph stays readable
        if model is None:
            model = self._default_model()
        if not isinstance(model, Module) or not callable(model):
            raise TypeError(f"Playground() model must be an nn module; got {type_name(model)}")
        try:
            outputs = _outputs(model)
        except (ValueError, TypeError) as e:
            raise ValueError(f"Playground() model must take 2 inputs: {e}") from None
        if outputs not in (1, self.classes) or (outputs == 1 and self.classes > 2):
            raise ValueError(
                f"Playground() model has {outputs} outputs; {self.classes} classes need "
                f"{'1 (or 2)' if self.classes == 2 else self.classes}"
            )
        self.model: Any = model  # an nn module with 2 inputs
        self.outputs = outputs
        if loss is None:
            loss = losses.binary_cross_entropy_with_logits if outputs == 1 else losses.cross_entropy
        if not callable(loss) or getattr(loss, "__module__", "") not in ("nn.losses", "nn"):
            raise TypeError(f"Playground() loss must be one of nn's losses; got {loss!r}")
        if (loss is losses.cross_entropy) != (outputs > 1):
            raise ValueError(
                f"Playground() loss {loss.__name__} does not fit a model with {outputs} output(s): "
                "cross_entropy takes one output per class, the others one output"
            )
        self.loss_fn: Callable[..., Value] = loss
        if lr is not None and (isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr >= 0):
            raise ValueError(f"Playground() lr must be a number >= 0; got {lr!r}")
        self.optimizer = self._optimizer(optimizer if optimizer is not None else "adam", lr)
        self.steps = 0
        self.history: list[float] = []
        self._trace = 0
        self.trace = trace
        self._version = 0  # grows whenever the traced graph's shape may change: a new layout

    # ---- construction helpers ------------------------------------------------------------

    def _default_model(self, seed: int | None = None) -> MLP:
        out = 1 if self.classes == 2 else self.classes
        return MLP(2, [*self.hidden, out], activation=self.activation, seed=self.seed if seed is None else seed)

    def _optimizer(self, optimizer: object, lr: float | None) -> optim.Optimizer:
        if isinstance(optimizer, optim.Optimizer):
            if {id(p) for p in optimizer.params} != {id(p) for p in self.model.parameters()}:
                raise ValueError("Playground() optimizer must optimise model.parameters()")
            if lr is not None:
                optimizer.lr = lr
            return optimizer
        if not isinstance(optimizer, str) or optimizer not in OPTIMIZERS:
            raise ValueError(f"Playground() optimizer must be an optim optimiser or one of {', '.join(OPTIMIZERS)}")
        self.optimizer_name = optimizer
        return OPTIMIZERS[optimizer](self.model.parameters(), lr=DEFAULT_LR[optimizer] if lr is None else lr)

    # ---- training --------------------------------------------------------------------------

    def _targets(self) -> np.ndarray:
        return 2 * self.y - 1 if self.loss_fn is losses.hinge_loss else self.y

    def step(self, n: int = 1) -> float:
        """``n`` training steps on the whole dataset in batched mode, each exactly::

            opt.zero_grad(); loss = loss_fn(model(autograd.batch(X)), y); loss.backward(); opt.step()

        Returns the last loss; ``steps`` counts them, ``history`` holds one loss per step.
        """
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 10_000:
            raise ValueError(f"Playground.step() n must be an int from 1 to 10000; got {n!r}")
        targets = self._targets()
        for _ in range(n):
            self.optimizer.zero_grad()
            loss = self.loss_fn(self.model(autograd.batch(self.X)), targets)
            loss.backward()
            self.optimizer.step()  # raises, changing nothing, if the run diverged
            self.steps += 1
            self.history.append(loss.data)
        return self.history[-1]

    # ---- the data ------------------------------------------------------------------------------

    def add_point(self, x: object, label: object) -> None:
        """Add the point ``x`` = (x₀, x₁) of class ``label``; a non-finite point or a label that
        is not a class raises ``ValueError`` and changes nothing."""
        point = np.asarray(x, dtype=float) if not isinstance(x, str) else None
        if point is None or point.shape != (2,) or not np.all(np.isfinite(point)):
            raise ValueError(f"add_point() x must be two finite numbers; got {x!r}")
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= label < self.classes:
            raise ValueError(f"add_point() label must be a class 0…{self.classes - 1}; got {label!r}")
        if len(self.X) >= MAX_POINTS:
            raise ValueError(f"add_point(): the playground holds at most {MAX_POINTS} points")
        self.X = np.vstack([self.X, point])
        self.y = np.append(self.y, int(label))

    def remove_point(self, i: object) -> None:
        """Remove point ``i``; a bad index raises ``IndexError``, and the last point cannot go."""
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not -len(self.X) <= i < len(self.X):
            raise IndexError(f"remove_point() index {i!r} is out of range for {len(self.X)} points")
        if len(self.X) <= 2:
            raise ValueError("remove_point(): the playground keeps at least two points")
        keep = np.arange(len(self.X)) != (i % len(self.X))
        self.X, self.y = self.X[keep], self.y[keep]
        if self._trace >= len(self.X):
            self._trace = len(self.X) - 1
        self._version += 1

    @property
    def trace(self) -> int:
        """The index of the datapoint whose computation graph is shown (settable)."""
        return self._trace

    @trace.setter
    def trace(self, i: int) -> None:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < len(self.X):
            raise IndexError(f"Playground trace {i!r} is out of range for {len(self.X)} points")
        self._trace = int(i)
        self._version = getattr(self, "_version", 0) + 1

    def reset(self, seed: int | None = None) -> None:
        """Re-draw every parameter of ``model`` in place (PyTorch's default U(±1/√nin) for each
        neuron; reproducibly for an int ``seed``), and clear the optimiser's state and step
        count and the history."""
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            raise ValueError(f"reset() seed must be an int >= 0 or None; got {seed!r}")
        rng = np.random.default_rng(seed)
        for neuron in _neurons(self.model):
            bound = 1.0 / math.sqrt(len(neuron.w))
            for w in (*neuron.w, neuron.b):
                w.data = float(rng.uniform(-bound, bound))
                w.grad = 0.0
        self.optimizer.state = {}
        self.optimizer.steps = 0
        self.steps = 0
        self.history = []

    # ---- what the page draws -------------------------------------------------------------------

    def predict_grid(self, bounds: tuple[float, float, float, float], size: int = GRID) -> np.ndarray:
        """The model's probability of class 1 (two classes) or its most probable class and that
        probability (more classes) on a size × size grid, rows from y_max down."""
        x0, x1, y0, y1 = bounds
        gx, gy = np.meshgrid(np.linspace(x0, x1, size), np.linspace(y1, y0, size))
        with no_grad():
            out = self.model(autograd.batch(np.column_stack([gx.ravel(), gy.ravel()])))
        if not isinstance(out, list):
            with np.errstate(over="ignore"):
                return (1.0 / (1.0 + np.exp(-out.data))).reshape(size, size)
        scores = np.array([o.data for o in out])
        scores = np.exp(scores - scores.max(axis=0))
        probs = scores / scores.sum(axis=0)
        return (np.argmax(probs, axis=0) + probs.max(axis=0) * 0.999).reshape(size, size)  # class + confidence

    def bounds(self) -> tuple[float, float, float, float]:
        """The plane shown: the data's extent with a margin."""
        lo, hi = self.X.min(axis=0), self.X.max(axis=0)
        pad = 0.15 * np.maximum(hi - lo, 0.5)
        return (float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1]))

    def traced_graph(self) -> Value:
        """The traced datapoint's loss, built and backpropagated on its own (one sample)."""
        x = [Value(float(v), input_name(i)) for i, v in enumerate(self.X[self._trace])]
        target = self._targets()[self._trace]
        out = self.model(x)
        if self.loss_fn is losses.cross_entropy:
            loss = self.loss_fn(out, int(target))
        else:
            loss = self.loss_fn([out], [float(target)])
        saved = [p.grad for p in self.model.parameters()]
        loss.backward()
        for p, g in zip(self.model.parameters(), saved):  # the page shows this point's gradients;
            p.grad = g  # the parameters keep the batch's
        return loss

    def __repr__(self) -> str:
        return (
            f"Playground({self.data_name}, {len(self.X)} points, {self.classes} classes, {self.model!r}, "
            f"{type(self.optimizer).__name__} lr={self.optimizer.lr:g}, {self.steps} steps)"
        )

    def _ipython_display_(self) -> None:
        from .widget import display_playground

        display_playground(self)

    def serve(self, port: int = 0, open_browser: bool = True, block: bool = True):
        """Serve the live view at ``http://127.0.0.1:PORT/`` (loopback only; port 0 picks a free one).
        ``block=True`` serves until Ctrl-C; ``block=False`` returns the running server, with
        ``.url`` and ``.close()``, usable as a context manager."""
        from .server import serve

        return serve(self, port=port, open_browser=open_browser, block=block)


def _neurons(module: object) -> list[Neuron]:
    """Every Neuron inside ``module`` (an MLP's layers' neurons, a Layer's, or the Neuron itself)."""
    if isinstance(module, Neuron):
        return [module]
    found: list[Neuron] = []
    if isinstance(module, Module):
        for value in vars(module).values():
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, Module):
                    found += _neurons(item)
    return found
