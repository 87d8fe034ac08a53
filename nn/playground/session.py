"""The conversation between the page and the playground: one message in, one reply out.

The page sends small JSON messages (``{"type": "step", "n": 2}``); ``Session.handle`` checks
each one, acts on the ``Playground`` and answers with the state to draw.  A malformed or
out-of-range message gets ``{"type": "error", "message": …}`` and changes nothing; nothing a
page sends can stop the server or corrupt the model.  The Jupyter widget and the HTTP server
share this class, so the page is the same in both.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from autograd import animate_backward, draw_dot, topological_order
from autograd.engine import is_constant
from autograd.steps import format_number

from .. import losses
from ..layers import MLP, Layer, Neuron
from .core import DATASETS, DEFAULT_LR, OPTIMIZERS, Playground, _check_data

MAX_STEPS_PER_MESSAGE = 100
ACTIVATIONS = ("tanh", "relu", "sigmoid")
LOSS_NAMES = {
    "binary_cross_entropy_with_logits": losses.binary_cross_entropy_with_logits,
    "mse_loss": losses.mse_loss,
    "hinge_loss": losses.hinge_loss,
}


class BadMessage(ValueError):
    """A message from the page that cannot be acted on; the reply says why."""


class Session:
    """Answers the page's messages for one ``Playground`` (one at a time: a lock keeps concurrent
    requests from interleaving their steps)."""

    def __init__(self, playground: Playground) -> None:
        self.pg = playground
        self.lock = threading.Lock()
        self._drawn: tuple | None = None  # the traced graph whose layout the page holds

    def handle(self, message: object) -> dict[str, Any]:
        try:
            if not isinstance(message, dict) or not isinstance(message.get("type"), str):
                raise BadMessage("a message is a JSON object with a 'type'")
            action = getattr(self, "_on_" + message["type"], None)
            if action is None:
                raise BadMessage(f"unknown message type {message['type']!r}")
            with self.lock:
                return action(message)
        except (BadMessage, ValueError, TypeError, IndexError) as error:
            return {"type": "error", "message": f"{type(error).__name__}: {error}"}

    # ---- messages ---------------------------------------------------------------------------

    def _on_hello(self, message: dict) -> dict:
        self._drawn = None
        return self.state()

    def _on_state(self, message: dict) -> dict:
        return self.state()

    def _on_step(self, message: dict) -> dict:
        n = _int(message, "n", 1, MAX_STEPS_PER_MESSAGE)
        self.pg.step(n)
        return self.state()

    def _on_reset(self, message: dict) -> dict:
        self.pg.reset(seed=self.pg.seed)
        return self.state()

    def _on_add_point(self, message: dict) -> dict:
        x = message.get("x")
        if not isinstance(x, list) or len(x) != 2 or not all(isinstance(v, (int, float)) for v in x):
            raise BadMessage("add_point needs x: [x0, x1]")
        self.pg.add_point(x, _int(message, "label", 0, self.pg.classes - 1))
        return self.state()

    def _on_remove_point(self, message: dict) -> dict:
        self.pg.remove_point(_int(message, "i", 0, len(self.pg.X) - 1))
        return self.state()

    def _on_trace(self, message: dict) -> dict:
        self.pg.trace = _int(message, "i", 0, len(self.pg.X) - 1)
        return self.state()

    def _on_configure(self, message: dict) -> dict:
        """Change the optimiser, learning rate, activation, hidden layers, dataset or loss.  A model
        or optimiser the user passed in is kept; a new architecture means a new default model."""
        pg = self.pg
        rebuild = False
        if "data" in message:
            if message["data"] not in DATASETS:
                raise BadMessage(f"data must be one of {', '.join(DATASETS)}")
            X, y, name = _check_data(message["data"], pg.seed)
            if int(y.max()) + 1 != pg.classes:
                pg.classes, rebuild = int(y.max()) + 1, True
            pg.X, pg.y, pg.data_name = X, y, name
            pg._trace = 0
            pg._version += 1
        if "activation" in message:
            if message["activation"] not in ACTIVATIONS:
                raise BadMessage(f"activation must be one of {', '.join(ACTIVATIONS)}")
            pg.activation, rebuild = message["activation"], True
        if "hidden" in message:
            hidden = message["hidden"]
            if not isinstance(hidden, list) or not 0 <= len(hidden) <= 4:
                raise BadMessage("hidden must be a list of up to 4 layer sizes")
            pg.hidden, rebuild = [_int({"size": h}, "size", 1, 16) for h in hidden], True
        if rebuild:
            pg.model = pg._default_model()
            pg.outputs = 1 if pg.classes == 2 else pg.classes
            pg.loss_fn = losses.binary_cross_entropy_with_logits if pg.outputs == 1 else losses.cross_entropy
            pg.optimizer = pg._optimizer(getattr(pg, "optimizer_name", "adam"), pg.optimizer.lr)
            pg.steps, pg.history = 0, []
            pg._version += 1
        if "loss" in message:
            if pg.outputs > 1 or message["loss"] not in LOSS_NAMES:
                raise BadMessage(f"loss must be one of {', '.join(LOSS_NAMES)} (for a model with one output)")
            pg.loss_fn = LOSS_NAMES[message["loss"]]
            pg._version += 1
        if "optimizer" in message:
            if message["optimizer"] not in OPTIMIZERS:
                raise BadMessage(f"optimizer must be one of {', '.join(OPTIMIZERS)}")
            name = message["optimizer"]
            lr = DEFAULT_LR[name] if "lr" not in message else _number(message, "lr")
            pg.optimizer = OPTIMIZERS[name](pg.model.parameters(), lr=lr)
            pg.optimizer_name = name
        elif "lr" in message:
            pg.optimizer.lr = _number(message, "lr")
        return self.state()

    def _on_animate(self, message: dict) -> dict:
        """The backward pass of the traced point's graph, as the backward animation's player."""
        loss = self.pg.traced_graph()
        for node in topological_order(loss):
            node.grad = 0.0
        return {"type": "animation", "html": animate_backward(loss, compact=True).to_html()}

    # ---- the state the page draws ---------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        pg = self.pg
        bounds = pg.bounds()
        loss = pg.traced_graph()
        nodes = topological_order(loss)
        shape = (pg._version, id(pg.model), len(nodes))
        graph: dict[str, Any] = {
            "version": pg._version,
            "texts": {
                f"v{i}": [f"data {format_number(v.data)}", f"grad {format_number(v.grad)}"]
                for i, v in enumerate(nodes)
                if not is_constant(v)  # a constant's record has no data and grad fields
            },
        }
        if shape != self._drawn:  # a new graph: send its layout once; later states carry numbers only
            graph["svg"] = draw_dot(loss, compact=True, max_nodes=2000, max_edges=20000).pipe(
                format="svg", encoding="utf-8"
            )
            self._drawn = shape
        return {
            "type": "state",
            "steps": pg.steps,
            "loss": pg.history[-1] if pg.history else None,
            "history": pg.history[-300:],
            "historyStart": max(0, len(pg.history) - 300),
            "bounds": bounds,
            "grid": np.round(pg.predict_grid(bounds), 3).tolist(),
            "classes": pg.classes,
            "points": np.round(pg.X, 4).tolist(),
            "labels": pg.y.tolist(),
            "trace": pg.trace,
            "network": self._network(),
            "graph": graph,
            "settings": {
                "data": pg.data_name,
                "optimizer": getattr(pg, "optimizer_name", type(pg.optimizer).__name__.lower()),
                "lr": pg.optimizer.lr,
                "activation": pg.activation,
                "hidden": pg.hidden,
                "loss": pg.loss_fn.__name__,
                "losses": list(LOSS_NAMES) if pg.outputs == 1 else ["cross_entropy"],
            },
        }

    def _network(self) -> dict[str, Any]:
        """The layers of neurons, each weight with its name, value, gradient and optimiser state."""
        model = self.pg.model
        layers = model.layers if isinstance(model, MLP) else [model] if isinstance(model, Layer) else None
        if layers is None and isinstance(model, Neuron):
            layers = [type("One", (), {"neurons": [model]})()]
        if layers is None:
            return {"sizes": [], "weights": []}
        index = {id(p): i for i, p in enumerate(self.pg.optimizer.params)}
        state = self.pg.optimizer.state
        sizes = [len(layers[0].neurons[0].w)] + [len(layer.neurons) for layer in layers]
        weights = []
        for i, layer in enumerate(layers):
            for j, neuron in enumerate(layer.neurons):
                for k, w in enumerate((*neuron.w, neuron.b)):
                    p = index.get(id(w))
                    extra = {key: float(values[p]) for key, values in state.items()} if p is not None else {}
                    weights.append(
                        {
                            "layer": i,
                            "to": j,
                            "from": k if k < len(neuron.w) else -1,
                            "name": w.label,
                            "value": w.data,
                            "grad": w.grad,
                            "state": extra,
                        }
                    )
        return {"sizes": sizes, "weights": weights}


def _int(message: dict, key: str, low: int, high: int) -> int:
    value = message.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadMessage(f"{key} must be an int from {low} to {high}; got {value!r}")
    return value


def _number(message: dict, key: str) -> float:
    value = message.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 10:
        raise BadMessage(f"{key} must be a number from 0 to 10; got {value!r}")
    return float(value)
