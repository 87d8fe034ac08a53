"""SGD and SGD with momentum, as torch.optim.SGD."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from autograd import Value

from .optimizer import Optimizer, State, check_hyperparameter


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD`` (no momentum)::

    g ← ∇p + λ·p            λ = weight_decay (L2 regularisation folded into the gradient)
    p ← p − lr·g
    """

    hyperparameters: tuple[str, ...] = ("weight_decay",)

    def __init__(self, params: Iterable[Value], lr: float = 0.01, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.weight_decay = weight_decay
        self.validate()

    def validate(self) -> None:
        self.weight_decay = check_hyperparameter("weight_decay", self.weight_decay)

    def step(self) -> None:
        """Update every parameter once from its current gradient (all of them, or none).

        Plain SGD keeps no state, so it runs the formula on each parameter's floats (the same
        IEEE operations as ``update`` on arrays, so the same bits) into a list, checks it, and
        writes it: two passes over the parameters instead of gathering them into arrays and
        writing them back, which is most of a step's time for a network of 100,000 weights.
        A non-finite result means a non-finite gradient or weight; ``_gradients`` says which
        gradient, if one is.  Momentum, which keeps a buffer per parameter, uses the arrays, as
        does SGD on parameters that already sit in shared arrays (an ``nn`` model's)."""
        if type(self).direction is not SGD.direction or self._shared_stores() is not None:
            return super().step()
        params, lr, wd = self.params, self.lr, self.weight_decay
        try:  # the new values first, in a list: nothing is written until all of them are computed
            if wd:
                new = [p.data - lr * (p.grad + wd * p.data) for p in params]
            else:
                new = [p.data - lr * p.grad for p in params]
            total = sum(new)
        except TypeError:  # something that is not a number: the general path says what
            return super().step()
        if type(total) is not float:  # (a gradient per sample, say)
            return super().step()
        if not math.isfinite(total):
            self._gradients()  # raises naming a non-finite gradient, if that is what it is
        self.steps += 1
        for p, x in zip(params, new):
            p.data = x

    def update(self, p: np.ndarray, g: np.ndarray, state: State, t: int) -> tuple[np.ndarray, State]:
        if self.weight_decay:
            g = g + self.weight_decay * p
        d, state = self.direction(g, state)
        return p - self.lr * d, state

    def direction(self, g: np.ndarray, state: State) -> tuple[np.ndarray, State]:
        """Which way to step, given the (decayed) gradient, and the new state: plain SGD follows
        the gradient and keeps nothing."""
        return g, state


class Momentum(SGD):
    """SGD with momentum, PyTorch's form (``torch.optim.SGD(momentum=μ, dampening=0)``)::

        g ← ∇p + λ·p
        b ← g                       on the first step
        b ← μ·b + g                 afterwards
        p ← p − lr·b                or, with nesterov=True,  p ← p − lr·(g + μ·b)

    The textbook form keeps a velocity v ← μ·v − lr·g and steps p ← p + v.  With a constant
    lr the two are the same (v = −lr·b); when lr changes, PyTorch's form applies the new lr
    to the whole accumulated b at once.
    """

    hyperparameters = ("momentum", "nesterov", "weight_decay")
    state_fields = ("b",)

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.01,
        momentum: float = 0.9,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        Optimizer.__init__(self, params, lr)
        self.momentum, self.nesterov, self.weight_decay = momentum, nesterov, weight_decay
        self.validate()

    def validate(self) -> None:
        super().validate()
        self.momentum = check_hyperparameter("momentum", self.momentum)
        if not isinstance(self.nesterov, bool):
            raise ValueError(f"nesterov must be True or False; got {self.nesterov!r}")
        if self.nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs momentum > 0")

    def direction(self, g: np.ndarray, state: State) -> tuple[np.ndarray, State]:
        b = g if "b" not in state else self.momentum * state["b"] + g
        return (g + self.momentum * b if self.nesterov else b), {"b": b}
